use crate::message::serde_helpers::present;
use crate::message::validate as check;
use crate::{InputCommandType, InputType, MessageError, OutputType, StepRange};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// One output of a v4 feature: its step range (and duration range for
/// `HwPositionWithDuration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceFeatureOutputV4 {
    /// Inclusive step range; a negative start means bidirectional.
    pub value: StepRange,
    /// Inclusive duration range in milliseconds (`HwPositionWithDuration` only, where it is
    /// required).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration: Option<StepRange>,
}

/// One input of a v4 feature: value ranges and the commands it supports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceFeatureInputV4 {
    /// Inclusive range of each reading element.
    pub value: Vec<StepRange>,
    /// Supported commands.
    pub command: Vec<InputCommandType>,
}

/// One feature of a v4 device.
///
/// Output and input maps skip types this crate does not know when parsing (the v4 spec makes
/// new types minor-version additions that clients must ignore).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceFeatureV4 {
    /// Feature index.
    pub feature_index: u32,
    /// Description (may be empty).
    pub feature_description: String,
    /// Outputs by type.
    #[serde(
        default,
        deserialize_with = "known_keys",
        skip_serializing_if = "Option::is_none"
    )]
    pub output: Option<BTreeMap<OutputType, DeviceFeatureOutputV4>>,
    /// Inputs by type.
    #[serde(
        default,
        deserialize_with = "known_keys",
        skip_serializing_if = "Option::is_none"
    )]
    pub input: Option<BTreeMap<InputType, DeviceFeatureInputV4>>,
}

/// One device of a v4 `DeviceList`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessageInfoV4 {
    /// Device index.
    pub device_index: u32,
    /// Device name.
    pub device_name: String,
    /// User-given display name.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_display_name: Option<String>,
    /// Minimum time between commands in milliseconds.
    pub device_message_timing_gap: u32,
    /// Features by index.
    pub device_features: BTreeMap<u32, DeviceFeatureV4>,
}

/// `DeviceList` in the v4 shape (server to client): the reply to `RequestDeviceList` (request
/// Id), and also the event sent whenever a device is added or removed (Id 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceListV4 {
    /// Request Id, or 0 when sent as an event.
    pub id: u32,
    /// Devices by index.
    pub devices: BTreeMap<u32, DeviceMessageInfoV4>,
}

impl DeviceListV4 {
    fn check(&self) -> Result<(), MessageError> {
        const NAME: &str = "DeviceList";
        for (key, d) in &self.devices {
            if *key != d.device_index {
                return Err(check::invalid_value(
                    NAME,
                    self.id,
                    format!("Devices.{key}.DeviceIndex"),
                    &d.device_index.to_string(),
                ));
            }
            for (fkey, f) in &d.device_features {
                if *fkey != f.feature_index {
                    return Err(check::invalid_value(
                        NAME,
                        self.id,
                        format!("Devices.{key}.DeviceFeatures.{fkey}.FeatureIndex"),
                        &f.feature_index.to_string(),
                    ));
                }
                let hw = f
                    .output
                    .as_ref()
                    .and_then(|o| o.get(&OutputType::HwPositionWithDuration));
                if hw.is_some_and(|o| o.duration.is_none()) {
                    return Err(MessageError::InvalidValue {
                        id: self.id,
                        name: NAME,
                        field: format!(
                            "Devices.{key}.DeviceFeatures.{fkey}.Output.HwPositionWithDuration"
                        ),
                        value: "no Duration".into(),
                    });
                }
            }
        }
        Ok(())
    }
}

impl_message!(DeviceListV4, "DeviceList", |m| m.check());

/// Map keys that are type names; unknown names are skipped when parsing.
trait WireKey: Sized + Ord {
    fn from_wire(name: &str) -> Option<Self>;
}

impl WireKey for OutputType {
    fn from_wire(name: &str) -> Option<Self> {
        OutputType::from_wire_name(name)
    }
}

impl WireKey for InputType {
    fn from_wire(name: &str) -> Option<Self> {
        InputType::from_wire_name(name)
    }
}

fn known_keys<'de, D, K, V>(d: D) -> Result<Option<BTreeMap<K, V>>, D::Error>
where
    D: Deserializer<'de>,
    K: WireKey,
    V: Deserialize<'de>,
{
    struct KnownKeys<K, V>(PhantomData<(K, V)>);

    impl<'de, K: WireKey, V: Deserialize<'de>> Visitor<'de> for KnownKeys<K, V> {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map from type names to ranges")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                match K::from_wire(&key) {
                    Some(k) => {
                        let v = map.next_value::<V>()?;
                        if out.insert(k, v).is_some() {
                            return Err(de::Error::custom(format_args!(
                                "duplicate type `{}`",
                                crate::error::Bounded(key.as_str())
                            )));
                        }
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(out)
        }
    }

    d.deserialize_map(KnownKeys(PhantomData)).map(Some)
}

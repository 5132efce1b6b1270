use crate::MessageError;
use crate::message::serde_helpers::present;
use crate::message::validate as check;
use crate::v1::NullAttributesV1;
use serde::{Deserialize, Serialize};

/// Attributes of the generic v2 commands: feature count and per-feature step counts.
///
/// (The schema makes both fields optional; every server sends both, and this type requires them.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GenericAttributesV2 {
    /// Number of addressable features (at least 1).
    pub feature_count: u32,
    /// Steps per feature, in index order (each at least 1).
    pub step_count: Vec<u32>,
}

/// Attributes of the raw commands: the endpoints they may address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RawAttributesV2 {
    /// Endpoint names (`"tx"`, `"rx"`, ...), at least one.
    pub endpoints: Vec<String>,
}

/// The messages a v2 device accepts, with their attributes (absent = not accepted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessagesV2 {
    /// `StopDeviceCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub stop_device_cmd: Option<NullAttributesV1>,
    /// `VibrateCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub vibrate_cmd: Option<GenericAttributesV2>,
    /// `LinearCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub linear_cmd: Option<GenericAttributesV2>,
    /// `RotateCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rotate_cmd: Option<GenericAttributesV2>,
    /// `BatteryLevelCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub battery_level_cmd: Option<NullAttributesV1>,
    /// `RSSILevelCmd`.
    #[serde(
        rename = "RSSILevelCmd",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rssi_level_cmd: Option<NullAttributesV1>,
    /// `RawReadCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub raw_read_cmd: Option<RawAttributesV2>,
    /// `RawWriteCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub raw_write_cmd: Option<RawAttributesV2>,
    /// `RawSubscribeCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub raw_subscribe_cmd: Option<RawAttributesV2>,
    /// `RawUnsubscribeCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub raw_unsubscribe_cmd: Option<RawAttributesV2>,
}

fn check_generic(
    name: &'static str,
    id: u32,
    attrs: Option<&GenericAttributesV2>,
    field: &'static str,
) -> Result<(), MessageError> {
    let Some(a) = attrs else { return Ok(()) };
    if a.feature_count == 0 {
        return Err(MessageError::OutOfRange {
            id,
            name,
            field: format!("{field}.FeatureCount"),
            value: "0".into(),
            allowed: "1 or more",
        });
    }
    if a.step_count.is_empty() {
        return Err(MessageError::EmptyArray {
            id,
            name,
            field: "StepCount",
        });
    }
    if let Some(i) = a.step_count.iter().position(|s| *s == 0) {
        return Err(MessageError::OutOfRange {
            id,
            name,
            field: format!("{field}.StepCount[{i}]"),
            value: "0".into(),
            allowed: "1 or more",
        });
    }
    Ok(())
}

pub(crate) fn check_raw(
    name: &'static str,
    id: u32,
    attrs: Option<&RawAttributesV2>,
) -> Result<(), MessageError> {
    match attrs {
        Some(a) => check::non_empty(name, id, &a.endpoints, "Endpoints"),
        None => Ok(()),
    }
}

impl DeviceMessagesV2 {
    pub(crate) fn check(&self, name: &'static str, id: u32) -> Result<(), MessageError> {
        check_generic(name, id, self.vibrate_cmd.as_ref(), "VibrateCmd")?;
        check_generic(name, id, self.linear_cmd.as_ref(), "LinearCmd")?;
        check_generic(name, id, self.rotate_cmd.as_ref(), "RotateCmd")?;
        check_raw(name, id, self.raw_read_cmd.as_ref())?;
        check_raw(name, id, self.raw_write_cmd.as_ref())?;
        check_raw(name, id, self.raw_subscribe_cmd.as_ref())?;
        check_raw(name, id, self.raw_unsubscribe_cmd.as_ref())
    }
}

/// One device in a v2 `DeviceList` / `DeviceAdded`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessageInfoV2 {
    /// Device name.
    pub device_name: String,
    /// Device index.
    pub device_index: u32,
    /// Accepted messages.
    pub device_messages: DeviceMessagesV2,
}

/// `DeviceList` in the v2 shape (server to client).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceListV2 {
    /// Request Id.
    pub id: u32,
    /// Connected devices.
    pub devices: Vec<DeviceMessageInfoV2>,
}

impl_message!(DeviceListV2, "DeviceList", |m| {
    check::reply_id("DeviceList", m.id)?;
    m.devices
        .iter()
        .try_for_each(|d| d.device_messages.check("DeviceList", m.id))
});

//! The file formats (v4 and v5 base databases, user configs) as plain serde structs, and parsing
//! with errors that name the place in the file.
//!
//! Everything here is private to the `config` module: [`super::DeviceDatabase`] turns these into
//! resolved definitions.

use super::error::ConfigError;
use super::specifier::SpecifierEntry;
use buttplug_core::{InputCommandType, InputType, OutputType, StepRange};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Parse `text` as `T`. The fast path is plain serde_json; only on failure the text is parsed a
/// second time with path tracking, so that the error names the JSON path as well as line and
/// column (the parse is deterministic, so the second run fails at the same place).
pub(crate) fn parse<T: DeserializeOwned>(text: &str, source_name: &str) -> Result<T, ConfigError> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            let mut de = serde_json::Deserializer::from_str(text);
            let error = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => {
                    let path = e.path().to_string();
                    return Err(ConfigError::format(source_name, path, e.into_inner()));
                }
                // Trailing characters are only detected by `end`; otherwise this cannot happen
                // (same input, same parser) and the first error is reported.
                Ok(_) => de.end().err().unwrap_or(first),
            };
            Err(ConfigError::format(source_name, ".".to_string(), error))
        }
    }
}

/// `{"major": 5, "minor": 57}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVersion {
    pub major: u32,
    pub minor: u32,
}

/// A base database file (format v4 or v5).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBaseFile {
    pub version: RawVersion,
    #[serde(default)]
    pub protocols: BTreeMap<String, RawProtocol>,
    /// The schema allows user configs inside a base file; they are applied like a user file.
    #[serde(default)]
    pub user_configs: Option<RawUserConfigs<SpecifierEntry>>,
}

/// One protocol of a base file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProtocol {
    #[serde(default)]
    pub communication: Option<Vec<SpecifierEntry>>,
    #[serde(default)]
    pub defaults: Option<RawDevice>,
    /// v4's `sexverse-v5` spells it `configuration` (singular); read as the same list (upstream v4
    /// ignored that entry, upstream v5 renamed the key). Both keys at once are an error.
    #[serde(default, alias = "configuration")]
    pub configurations: Vec<RawDevice>,
}

/// A device: a protocol's `defaults` or one of its `configurations`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDevice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Vec<String>>,
    pub name: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_gap_ms: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<RawFeature>>,
}

/// A feature of a device.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFeature {
    pub id: String,
    pub index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputMap<RawOutput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<RawInputs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_settings: Option<RawFeatureSettings>,
}

/// `feature_settings`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFeatureSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_protocol_index: Option<u32>,
}

/// An `output` object: one optional entry per output type, keyed by the snake_case config name.
/// `T` is [`RawOutput`] in base files and [`RawUserOutput`] in user overrides.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "T: Deserialize<'de>", serialize = "T: Serialize")
)]
pub(crate) struct OutputMap<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vibrate: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oscillate: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constrict: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spray: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub led: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hw_position_with_duration: Option<T>,
}

impl<T> Default for OutputMap<T> {
    fn default() -> Self {
        OutputMap {
            vibrate: None,
            rotate: None,
            oscillate: None,
            constrict: None,
            spray: None,
            temperature: None,
            led: None,
            position: None,
            hw_position_with_duration: None,
        }
    }
}

impl<T> OutputMap<T> {
    /// The entries present, in [`OutputType::ALL`] order.
    pub fn entries(&self) -> impl Iterator<Item = (OutputType, &T)> {
        [
            (OutputType::Vibrate, &self.vibrate),
            (OutputType::Rotate, &self.rotate),
            (OutputType::Oscillate, &self.oscillate),
            (OutputType::Constrict, &self.constrict),
            (OutputType::Spray, &self.spray),
            (OutputType::Temperature, &self.temperature),
            (OutputType::Led, &self.led),
            (OutputType::Position, &self.position),
            (
                OutputType::HwPositionWithDuration,
                &self.hw_position_with_duration,
            ),
        ]
        .into_iter()
        .filter_map(|(t, o)| o.as_ref().map(|o| (t, o)))
    }

    /// Set the entry of an output type.
    pub fn set(&mut self, output_type: OutputType, value: T) {
        let slot = match output_type {
            OutputType::Vibrate => &mut self.vibrate,
            OutputType::Rotate => &mut self.rotate,
            OutputType::Oscillate => &mut self.oscillate,
            OutputType::Constrict => &mut self.constrict,
            OutputType::Spray => &mut self.spray,
            OutputType::Temperature => &mut self.temperature,
            OutputType::Led => &mut self.led,
            OutputType::Position => &mut self.position,
            OutputType::HwPositionWithDuration => &mut self.hw_position_with_duration,
        };
        *slot = Some(value);
    }
}

/// One output of a base feature.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutput {
    pub value: StepRange,
    /// Only for `hw_position_with_duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<StepRange>,
    /// Free text on one output in v5 (`ossm`); accepted, not carried into definitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The `input` object of a feature.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInputs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub battery: Option<RawInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rssi: Option<RawInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<RawInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<RawInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<RawInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<RawInput>,
}

impl RawInputs {
    /// The entries present, in [`InputType`] declaration order.
    pub fn entries(&self) -> impl Iterator<Item = (InputType, &RawInput)> {
        [
            (InputType::Battery, &self.battery),
            (InputType::Rssi, &self.rssi),
            (InputType::Button, &self.button),
            (InputType::Pressure, &self.pressure),
            (InputType::Depth, &self.depth),
            (InputType::Position, &self.position),
        ]
        .into_iter()
        .filter_map(|(t, i)| i.as_ref().map(|i| (t, i)))
    }
}

/// One input of a base feature.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInput {
    pub value: Vec<StepRange>,
    pub command: Vec<InputCommandType>,
}

// ---- user config ---------------------------------------------------------------------------------

/// A user device config file. `S` is the communication specifier type: `SpecifierEntry` when
/// reading (unknown transports are kept by name), `CommunicationSpecifier` when writing.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "S: Deserialize<'de>", serialize = "S: Serialize"))]
pub(crate) struct RawUserFile<S> {
    pub version: RawVersion,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_configs: Option<RawUserConfigs<S>>,
}

/// The `user_configs` object.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "S: Deserialize<'de>", serialize = "S: Serialize"))]
pub(crate) struct RawUserConfigs<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocols: Option<BTreeMap<String, RawUserProtocol<S>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<RawUserDevice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulated_devices: Option<Vec<RawSimulatedDevice>>,
}

/// A protocol entry of a user config: extra communication specifiers and configurations.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "S: Deserialize<'de>", serialize = "S: Serialize"))]
pub(crate) struct RawUserProtocol<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication: Option<Vec<S>>,
    /// Not allowed to change anything in a user file (as upstream); read, then warned about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<RawDevice>,
    /// New configurations (upstream's code reads this key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configurations: Vec<RawDevice>,
    /// New configurations as the schema spells them (`devices.configurations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<RawUserProtocolDevices>,
}

impl<S> Default for RawUserProtocol<S> {
    fn default() -> Self {
        RawUserProtocol {
            communication: None,
            defaults: None,
            configurations: Vec::new(),
            devices: None,
        }
    }
}

/// `devices: {configurations: [...]}` of a user protocol (schema spelling).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUserProtocolDevices {
    #[serde(default)]
    pub configurations: Vec<RawDevice>,
}

/// One `devices` entry of a user config.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUserDevice {
    pub identifier: RawUserDeviceIdentifier,
    pub config: RawUserDeviceConfig,
}

/// `(protocol, identifier?, address)`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUserDeviceIdentifier {
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    pub address: String,
}

/// The `config` of a user device entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUserDeviceConfig {
    pub id: String,
    pub base_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub features: Vec<RawUserFeature>,
    pub user_config: RawUserCustomization,
}

/// `user_config` of a user device entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUserCustomization {
    #[serde(default)]
    pub allow: bool,
    #[serde(default)]
    pub deny: bool,
    pub index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_gap_ms: Option<u32>,
    /// Highest level of every output with a stop value, as a fraction of its range (0..=1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_level: Option<f64>,
    /// Fastest rise of every output with a stop value, in full ranges per second (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ramp: Option<f64>,
}

/// A per-feature override of a user device entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUserFeature {
    pub id: String,
    pub base_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputMap<RawUserOutput>>,
}

/// One output override: user range, duration range, disabled, reverse, safety limits. Which keys
/// an output type may carry is checked after parsing (`reverse` only for position types,
/// `duration` only for `hw_position_with_duration`, `max_level` and `max_ramp` only for outputs
/// with a stop value).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUserOutput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<StepRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<StepRange>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<bool>,
    /// Highest level as a fraction of the range; wins over the device's `max_level`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_level: Option<f64>,
    /// Fastest rise in full ranges per second; wins over the device's `max_ramp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ramp: Option<f64>,
}

/// A `simulated_devices` entry (format v5).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulatedDevice {
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub address: String,
}

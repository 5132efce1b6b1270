use crate::InputType;
use serde::{Deserialize, Serialize};

/// The v3 `SensorType`: the v4 input types that v3 can name. v3 spells RSSI in capitals (`"RSSI"`;
/// `"Rssi"` is accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SensorTypeV3 {
    /// Battery level.
    Battery,
    /// Signal strength.
    #[serde(rename = "RSSI", alias = "Rssi")]
    Rssi,
    /// Button state.
    Button,
    /// Pressure.
    Pressure,
}

impl From<SensorTypeV3> for InputType {
    fn from(t: SensorTypeV3) -> InputType {
        match t {
            SensorTypeV3::Battery => InputType::Battery,
            SensorTypeV3::Rssi => InputType::Rssi,
            SensorTypeV3::Button => InputType::Button,
            SensorTypeV3::Pressure => InputType::Pressure,
        }
    }
}

impl SensorTypeV3 {
    /// The v3 name of an input type, if v3 has one (`Depth` and `Position` do not).
    pub fn from_input_type(t: InputType) -> Option<SensorTypeV3> {
        match t {
            InputType::Battery => Some(SensorTypeV3::Battery),
            InputType::Rssi => Some(SensorTypeV3::Rssi),
            InputType::Button => Some(SensorTypeV3::Button),
            InputType::Pressure => Some(SensorTypeV3::Pressure),
            InputType::Depth | InputType::Position => None,
        }
    }
}

use super::SensorTypeV3;
use crate::MessageError;
use crate::SpecVersion;
use crate::v4::InputReadingV4;
use serde::{Deserialize, Serialize};

/// `SensorReading` (v3, server to client): a sensor value (Id 0 when it comes from a
/// subscription).
///
/// `Data` is signed in the spec text (RSSI is negative) while the schema bounds each element to
/// 0..255; this type follows the spec text and does not enforce the schema bound.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SensorReadingV3 {
    /// Request Id, or 0 for subscription data.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Sensor index (as in the command that asked for it).
    pub sensor_index: u32,
    /// Sensor type.
    pub sensor_type: SensorTypeV3,
    /// The values.
    pub data: Vec<i32>,
}

impl SensorReadingV3 {
    /// The v3 form of a v4 reading. `sensor_index` is the index in the v3 index space of the
    /// command being answered (device knowledge, so the caller supplies it).
    ///
    /// # Errors
    ///
    /// [`MessageError::Unconvertible`] when the input type has no v3 `SensorType`.
    pub fn from_input_reading(r: &InputReadingV4, sensor_index: u32) -> Result<Self, MessageError> {
        let sensor_type = SensorTypeV3::from_input_type(r.reading.input_type()).ok_or(
            MessageError::Unconvertible {
                id: r.id,
                name: "InputReading",
                version: SpecVersion::V3,
                reason: "the input type has no v3 SensorType",
            },
        )?;
        Ok(SensorReadingV3 {
            id: r.id,
            device_index: r.device_index,
            sensor_index,
            sensor_type,
            data: vec![r.reading.value()],
        })
    }
}

impl_message!(SensorReadingV3, "SensorReading", |m| {
    crate::message::validate::any_id("SensorReading", m.id)
});

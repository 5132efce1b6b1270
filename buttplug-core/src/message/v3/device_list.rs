use super::SensorTypeV3;
use crate::message::serde_helpers::present;
use crate::message::validate as check;
use crate::v1::NullAttributesV1;
use crate::v2::{RawAttributesV2, check_raw};
use crate::{MessageError, OutputType, StepRange};
use serde::{Deserialize, Serialize};

/// One actuator in a v3 `ScalarCmd`/`RotateCmd`/`LinearCmd` attribute array.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GenericAttributesV3 {
    /// Description (may be empty).
    #[serde(default)]
    pub feature_descriptor: String,
    /// Number of steps above zero (at least 1).
    pub step_count: u32,
    /// Actuator type (`"Position"` for `LinearCmd` entries).
    pub actuator_type: OutputType,
}

/// One sensor in a v3 `SensorReadCmd`/`SensorSubscribeCmd` attribute array.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SensorAttributesV3 {
    /// Description (may be empty).
    pub feature_descriptor: String,
    /// Sensor type.
    pub sensor_type: SensorTypeV3,
    /// Value range of each reading element (at least one).
    pub sensor_range: Vec<StepRange>,
}

/// The messages a v3 device accepts. Arrays are per feature: the array position is the `Index`
/// (or `SensorIndex`) that commands use.
///
/// There is no `RawUnsubscribeCmd` or `SensorUnsubscribeCmd` key (the schema has none); they are
/// implied by the subscribe entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessagesV3 {
    /// `StopDeviceCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub stop_device_cmd: Option<NullAttributesV1>,
    /// `ScalarCmd` actuators (at least one when present).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub scalar_cmd: Option<Vec<GenericAttributesV3>>,
    /// `RotateCmd` actuators.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rotate_cmd: Option<Vec<GenericAttributesV3>>,
    /// `LinearCmd` actuators.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub linear_cmd: Option<Vec<GenericAttributesV3>>,
    /// `SensorReadCmd` sensors.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub sensor_read_cmd: Option<Vec<SensorAttributesV3>>,
    /// `SensorSubscribeCmd` sensors.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub sensor_subscribe_cmd: Option<Vec<SensorAttributesV3>>,
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
    /// `RawSubscribeCmd` (`RawUnsubscribeCmd` implied).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub raw_subscribe_cmd: Option<RawAttributesV2>,
}

fn check_generic(
    name: &'static str,
    id: u32,
    attrs: Option<&Vec<GenericAttributesV3>>,
    field: &'static str,
) -> Result<(), MessageError> {
    for (i, a) in attrs.into_iter().flatten().enumerate() {
        if a.step_count == 0 {
            return Err(MessageError::OutOfRange {
                id,
                name,
                field: format!("{field}[{i}].StepCount"),
                value: "0".into(),
                allowed: "1 or more",
            });
        }
    }
    Ok(())
}

fn check_sensors(
    name: &'static str,
    id: u32,
    attrs: Option<&Vec<SensorAttributesV3>>,
) -> Result<(), MessageError> {
    for a in attrs.into_iter().flatten() {
        check::non_empty(name, id, &a.sensor_range, "SensorRange")?;
    }
    Ok(())
}

impl DeviceMessagesV3 {
    pub(crate) fn check(&self, name: &'static str, id: u32) -> Result<(), MessageError> {
        if let Some(s) = &self.scalar_cmd {
            check::non_empty(name, id, s, "ScalarCmd")?;
        }
        check_generic(name, id, self.scalar_cmd.as_ref(), "ScalarCmd")?;
        check_generic(name, id, self.rotate_cmd.as_ref(), "RotateCmd")?;
        check_generic(name, id, self.linear_cmd.as_ref(), "LinearCmd")?;
        check_sensors(name, id, self.sensor_read_cmd.as_ref())?;
        check_sensors(name, id, self.sensor_subscribe_cmd.as_ref())?;
        check_raw(name, id, self.raw_read_cmd.as_ref())?;
        check_raw(name, id, self.raw_write_cmd.as_ref())?;
        check_raw(name, id, self.raw_subscribe_cmd.as_ref())
    }
}

/// One device in a v3 `DeviceList` / `DeviceAdded`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessageInfoV3 {
    /// Device name.
    pub device_name: String,
    /// Device index.
    pub device_index: u32,
    /// User-given display name.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_display_name: Option<String>,
    /// Minimum time between commands in milliseconds.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_message_timing_gap: Option<u32>,
    /// Accepted messages.
    pub device_messages: DeviceMessagesV3,
}

/// `DeviceList` in the v3 shape (server to client).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceListV3 {
    /// Request Id.
    pub id: u32,
    /// Connected devices.
    pub devices: Vec<DeviceMessageInfoV3>,
}

impl_message!(DeviceListV3, "DeviceList", |m| {
    check::reply_id("DeviceList", m.id)?;
    m.devices
        .iter()
        .try_for_each(|d| d.device_messages.check("DeviceList", m.id))
});

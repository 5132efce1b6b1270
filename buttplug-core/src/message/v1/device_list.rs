use crate::MessageError;
use crate::message::serde_helpers::present;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// Attributes of a message that has none (`{}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullAttributesV1 {}

/// Attributes of the generic v1 commands: how many features the command can address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GenericAttributesV1 {
    /// Number of addressable features (at least 1).
    pub feature_count: u32,
}

/// The messages a v1 device accepts, with their attributes (absent = not accepted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessagesV1 {
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
    pub vibrate_cmd: Option<GenericAttributesV1>,
    /// `LinearCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub linear_cmd: Option<GenericAttributesV1>,
    /// `RotateCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rotate_cmd: Option<GenericAttributesV1>,
    /// `LovenseCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub lovense_cmd: Option<NullAttributesV1>,
    /// `VorzeA10CycloneCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub vorze_a10_cyclone_cmd: Option<NullAttributesV1>,
    /// `KiirooCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub kiiroo_cmd: Option<NullAttributesV1>,
    /// `SingleMotorVibrateCmd`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub single_motor_vibrate_cmd: Option<NullAttributesV1>,
    /// `FleshlightLaunchFW12Cmd`.
    #[serde(
        rename = "FleshlightLaunchFW12Cmd",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub fleshlight_launch_fw12_cmd: Option<NullAttributesV1>,
}

fn check_feature_count(
    name: &'static str,
    id: u32,
    attrs: Option<&GenericAttributesV1>,
    field: &'static str,
) -> Result<(), MessageError> {
    match attrs {
        Some(a) if a.feature_count == 0 => Err(MessageError::OutOfRange {
            id,
            name,
            field: field.to_string(),
            value: "0".into(),
            allowed: "1 or more",
        }),
        _ => Ok(()),
    }
}

impl DeviceMessagesV1 {
    pub(crate) fn check(&self, name: &'static str, id: u32) -> Result<(), MessageError> {
        check_feature_count(
            name,
            id,
            self.vibrate_cmd.as_ref(),
            "VibrateCmd.FeatureCount",
        )?;
        check_feature_count(name, id, self.linear_cmd.as_ref(), "LinearCmd.FeatureCount")?;
        check_feature_count(name, id, self.rotate_cmd.as_ref(), "RotateCmd.FeatureCount")
    }
}

/// One device in a v1 `DeviceList` / `DeviceAdded`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessageInfoV1 {
    /// Device name.
    pub device_name: String,
    /// Device index.
    pub device_index: u32,
    /// Accepted messages.
    pub device_messages: DeviceMessagesV1,
}

/// `DeviceList` in the v1 shape (server to client).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceListV1 {
    /// Request Id.
    pub id: u32,
    /// Connected devices.
    pub devices: Vec<DeviceMessageInfoV1>,
}

impl_message!(DeviceListV1, "DeviceList", |m| {
    check::reply_id("DeviceList", m.id)?;
    m.devices
        .iter()
        .try_for_each(|d| d.device_messages.check("DeviceList", m.id))
});

use crate::MessageError;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// The message names a v0 device entry may list (schema enum).
pub const DEVICE_MESSAGE_NAMES_V0: [&str; 6] = [
    "FleshlightLaunchFW12Cmd",
    "SingleMotorVibrateCmd",
    "StopDeviceCmd",
    "KiirooCmd",
    "LovenseCmd",
    "VorzeA10CycloneCmd",
];

/// One device in a v0 `DeviceList` / `DeviceAdded`: the commands it accepts, by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceMessageInfoV0 {
    /// Device name.
    pub device_name: String,
    /// Device index.
    pub device_index: u32,
    /// Names of accepted messages (from [`DEVICE_MESSAGE_NAMES_V0`]).
    pub device_messages: Vec<String>,
}

impl DeviceMessageInfoV0 {
    pub(crate) fn check(&self, name: &'static str, id: u32) -> Result<(), MessageError> {
        for (i, m) in self.device_messages.iter().enumerate() {
            if !DEVICE_MESSAGE_NAMES_V0.contains(&m.as_str()) {
                return Err(check::invalid_value(
                    name,
                    id,
                    format!("DeviceMessages[{i}]"),
                    m,
                ));
            }
        }
        Ok(())
    }
}

/// `DeviceList` in the v0 shape (server to client, reply to `RequestDeviceList`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceListV0 {
    /// Request Id.
    pub id: u32,
    /// Connected devices.
    pub devices: Vec<DeviceMessageInfoV0>,
}

impl_message!(DeviceListV0, "DeviceList", |m| {
    check::reply_id("DeviceList", m.id)?;
    m.devices
        .iter()
        .try_for_each(|d| d.check("DeviceList", m.id))
});

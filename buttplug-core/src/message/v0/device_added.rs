use super::DeviceMessageInfoV0;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `DeviceAdded` in the v0 shape (server event, Id 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceAddedV0 {
    /// Message Id (always 0).
    pub id: u32,
    /// Device name.
    pub device_name: String,
    /// Device index.
    pub device_index: u32,
    /// Names of accepted messages.
    pub device_messages: Vec<String>,
}

impl DeviceAddedV0 {
    /// The event for a device entry.
    pub fn from_info(info: DeviceMessageInfoV0) -> Self {
        DeviceAddedV0 {
            id: 0,
            device_name: info.device_name,
            device_index: info.device_index,
            device_messages: info.device_messages,
        }
    }

    /// The device entry of this event.
    pub fn to_info(&self) -> DeviceMessageInfoV0 {
        DeviceMessageInfoV0 {
            device_name: self.device_name.clone(),
            device_index: self.device_index,
            device_messages: self.device_messages.clone(),
        }
    }
}

impl_message!(DeviceAddedV0, "DeviceAdded", |m| {
    check::event_id("DeviceAdded", m.id)?;
    m.to_info().check("DeviceAdded", m.id)
});

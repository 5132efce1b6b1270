use super::{DeviceMessageInfoV1, DeviceMessagesV1};
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `DeviceAdded` in the v1 shape (server event, Id 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceAddedV1 {
    /// Message Id (always 0).
    pub id: u32,
    /// Device name.
    pub device_name: String,
    /// Device index.
    pub device_index: u32,
    /// Accepted messages.
    pub device_messages: DeviceMessagesV1,
}

impl DeviceAddedV1 {
    /// The event for a device entry.
    pub fn from_info(info: DeviceMessageInfoV1) -> Self {
        DeviceAddedV1 {
            id: 0,
            device_name: info.device_name,
            device_index: info.device_index,
            device_messages: info.device_messages,
        }
    }

    /// The device entry of this event.
    pub fn to_info(&self) -> DeviceMessageInfoV1 {
        DeviceMessageInfoV1 {
            device_name: self.device_name.clone(),
            device_index: self.device_index,
            device_messages: self.device_messages.clone(),
        }
    }
}

impl_message!(DeviceAddedV1, "DeviceAdded", |m| {
    check::event_id("DeviceAdded", m.id)?;
    m.device_messages.check("DeviceAdded", m.id)
});

use super::{DeviceMessageInfoV2, DeviceMessagesV2};
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `DeviceAdded` in the v2 shape (server event, Id 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceAddedV2 {
    /// Message Id (always 0).
    pub id: u32,
    /// Device name.
    pub device_name: String,
    /// Device index.
    pub device_index: u32,
    /// Accepted messages.
    pub device_messages: DeviceMessagesV2,
}

impl DeviceAddedV2 {
    /// The event for a device entry.
    pub fn from_info(info: DeviceMessageInfoV2) -> Self {
        DeviceAddedV2 {
            id: 0,
            device_name: info.device_name,
            device_index: info.device_index,
            device_messages: info.device_messages,
        }
    }

    /// The device entry of this event.
    pub fn to_info(&self) -> DeviceMessageInfoV2 {
        DeviceMessageInfoV2 {
            device_name: self.device_name.clone(),
            device_index: self.device_index,
            device_messages: self.device_messages.clone(),
        }
    }
}

impl_message!(DeviceAddedV2, "DeviceAdded", |m| {
    check::event_id("DeviceAdded", m.id)?;
    m.device_messages.check("DeviceAdded", m.id)
});

use super::{DeviceMessageInfoV3, DeviceMessagesV3};
use crate::message::serde_helpers::present;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `DeviceAdded` in the v3 shape (server event, Id 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceAddedV3 {
    /// Message Id (always 0).
    pub id: u32,
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

impl DeviceAddedV3 {
    /// The event for a device entry.
    pub fn from_info(info: DeviceMessageInfoV3) -> Self {
        DeviceAddedV3 {
            id: 0,
            device_name: info.device_name,
            device_index: info.device_index,
            device_display_name: info.device_display_name,
            device_message_timing_gap: info.device_message_timing_gap,
            device_messages: info.device_messages,
        }
    }

    /// The device entry of this event.
    pub fn to_info(&self) -> DeviceMessageInfoV3 {
        DeviceMessageInfoV3 {
            device_name: self.device_name.clone(),
            device_index: self.device_index,
            device_display_name: self.device_display_name.clone(),
            device_message_timing_gap: self.device_message_timing_gap,
            device_messages: self.device_messages.clone(),
        }
    }
}

impl_message!(DeviceAddedV3, "DeviceAdded", |m| {
    check::event_id("DeviceAdded", m.id)?;
    m.device_messages.check("DeviceAdded", m.id)
});

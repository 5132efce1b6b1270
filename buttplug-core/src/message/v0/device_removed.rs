use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `DeviceRemoved` (v0..v3, server event, Id 0): the device left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeviceRemovedV0 {
    /// Message Id (always 0).
    pub id: u32,
    /// Index of the device that left.
    pub device_index: u32,
}

impl DeviceRemovedV0 {
    /// The event for a device index.
    pub const fn new(device_index: u32) -> Self {
        DeviceRemovedV0 {
            id: 0,
            device_index,
        }
    }
}

impl_message!(DeviceRemovedV0, "DeviceRemoved", |m| check::event_id(
    "DeviceRemoved",
    m.id
));

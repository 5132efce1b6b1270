use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `StopDeviceCmd` (v0..v3, client to server): stop one device. v4 uses `StopCmd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StopDeviceCmdV0 {
    /// Message Id.
    pub id: u32,
    /// Device to stop.
    pub device_index: u32,
}

impl StopDeviceCmdV0 {
    /// A stop command.
    pub const fn new(id: u32, device_index: u32) -> Self {
        StopDeviceCmdV0 { id, device_index }
    }
}

impl_message!(StopDeviceCmdV0, "StopDeviceCmd", |m| check::client_id(
    "StopDeviceCmd",
    m.id
));

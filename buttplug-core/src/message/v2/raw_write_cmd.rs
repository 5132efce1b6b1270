use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RawWriteCmd` (v2..v3, client to server): write bytes to a device endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RawWriteCmdV2 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Endpoint name (`"tx"`, ...).
    pub endpoint: String,
    /// Bytes to write (at least one).
    pub data: Vec<u8>,
    /// Use BLE write-with-response (ignored by other transports).
    pub write_with_response: bool,
}

impl_message!(RawWriteCmdV2, "RawWriteCmd", |m| {
    check::client_id("RawWriteCmd", m.id)?;
    check::non_empty("RawWriteCmd", m.id, &m.data, "Data")
});

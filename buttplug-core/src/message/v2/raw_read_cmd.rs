use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RawReadCmd` (v2..v3, client to server): read bytes from a device endpoint. (The spec text
/// calls the length `ExpectedLength`; the schema and servers use `Length`.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RawReadCmdV2 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Endpoint name.
    pub endpoint: String,
    /// Bytes to read (0 = whatever is buffered).
    pub length: u32,
    /// Wait until `length` bytes are available.
    pub wait_for_data: bool,
}

impl_message!(RawReadCmdV2, "RawReadCmd", |m| check::client_id(
    "RawReadCmd",
    m.id
));

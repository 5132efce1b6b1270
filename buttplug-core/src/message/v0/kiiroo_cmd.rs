use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `KiirooCmd` (v0..v1, client to server): a Kiiroo command string (`"0"`..`"4"` per the spec
/// text; the schema only requires a string, and so does this type).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KiirooCmdV0 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Command text.
    pub command: String,
}

impl_message!(KiirooCmdV0, "KiirooCmd", |m| check::client_id(
    "KiirooCmd",
    m.id
));

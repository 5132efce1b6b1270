use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `LovenseCmd` (v0..v1, client to server): a raw Lovense command string.
///
/// Listed by the v0 spec but missing from the published schema's v0 and v1 message lists (so it
/// does not validate against `buttplug-schema.json`); this crate still parses it at v0 and v1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct LovenseCmdV0 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Command text.
    pub command: String,
}

impl_message!(LovenseCmdV0, "LovenseCmd", |m| check::client_id(
    "LovenseCmd",
    m.id
));

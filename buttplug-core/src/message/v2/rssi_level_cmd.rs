use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RSSILevelCmd` (v2, client to server): read the radio signal strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RSSILevelCmdV2 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
}

impl_message!(RSSILevelCmdV2, "RSSILevelCmd", |m| check::client_id(
    "RSSILevelCmd",
    m.id
));

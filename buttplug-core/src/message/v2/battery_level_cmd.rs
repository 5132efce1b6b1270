use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `BatteryLevelCmd` (v2, client to server): read the battery level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BatteryLevelCmdV2 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
}

impl_message!(BatteryLevelCmdV2, "BatteryLevelCmd", |m| check::client_id(
    "BatteryLevelCmd",
    m.id
));

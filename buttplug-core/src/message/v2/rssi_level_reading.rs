use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RSSILevelReading` (v2, server to client): reply to `RSSILevelCmd`.
///
/// The spec text gives `RSSILevel` as a signed integer in dBm (about -100..0); the published
/// schema bounds it to 0..1, which no real reading satisfies. This type follows the spec text
/// (`i32`) and does not enforce the schema bound, so a negative reading does not validate
/// against `buttplug-schema.json` (a known schema defect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RSSILevelReadingV2 {
    /// Request Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Signal strength in dBm.
    #[serde(rename = "RSSILevel")]
    pub rssi_level: i32,
}

impl_message!(RSSILevelReadingV2, "RSSILevelReading", |m| check::reply_id(
    "RSSILevelReading",
    m.id
));

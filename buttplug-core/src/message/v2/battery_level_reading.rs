use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `BatteryLevelReading` (v2, server to client): reply to `BatteryLevelCmd`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BatteryLevelReadingV2 {
    /// Request Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Battery level, `0.0..=1.0`.
    pub battery_level: f64,
}

impl BatteryLevelReadingV2 {
    /// A reading from a battery percentage (clamped to 0..=100, divided by 100), as v4 `Battery`
    /// inputs report it.
    pub fn from_percent(id: u32, device_index: u32, percent: i32) -> Self {
        BatteryLevelReadingV2 {
            id,
            device_index,
            battery_level: f64::from(percent.clamp(0, 100)) / 100.0,
        }
    }
}

impl_message!(BatteryLevelReadingV2, "BatteryLevelReading", |m| {
    check::reply_id("BatteryLevelReading", m.id)?;
    check::unit("BatteryLevelReading", m.id, m.battery_level, || {
        "BatteryLevel".into()
    })
});

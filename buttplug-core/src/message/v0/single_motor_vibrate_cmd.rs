use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `SingleMotorVibrateCmd` (v0..v1, deprecated in v1; client to server): vibrate every vibrator
/// of the device at one speed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SingleMotorVibrateCmdV0 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Speed, `0.0..=1.0`.
    pub speed: f64,
}

impl_message!(SingleMotorVibrateCmdV0, "SingleMotorVibrateCmd", |m| {
    check::client_id("SingleMotorVibrateCmd", m.id)?;
    check::unit("SingleMotorVibrateCmd", m.id, m.speed, || "Speed".into())
});

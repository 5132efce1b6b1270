use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// One vibrator's speed in a [`VibrateCmdV1`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct VibrateSubcommandV1 {
    /// Vibrator index (position in the device's vibrate index space).
    pub index: u32,
    /// Speed, `0.0..=1.0`.
    pub speed: f64,
}

/// `VibrateCmd` (v1..v2, deprecated in v3 but still accepted there; client to server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct VibrateCmdV1 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Speeds per vibrator (at least one).
    pub speeds: Vec<VibrateSubcommandV1>,
}

impl_message!(VibrateCmdV1, "VibrateCmd", |m| {
    const NAME: &str = "VibrateCmd";
    check::client_id(NAME, m.id)?;
    check::non_empty(NAME, m.id, &m.speeds, "Speeds")?;
    for (i, s) in m.speeds.iter().enumerate() {
        check::unit(NAME, m.id, s.speed, || format!("Speeds[{i}].Speed"))?;
    }
    Ok(())
});

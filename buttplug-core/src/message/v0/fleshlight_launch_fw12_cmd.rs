use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `FleshlightLaunchFW12Cmd` (v0..v1, client to server): move a Fleshlight Launch (firmware 1.2)
/// to a position at a speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FleshlightLaunchFW12CmdV0 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Target position, 0..=99.
    pub position: u32,
    /// Movement speed, 0..=99.
    pub speed: u32,
}

impl_message!(FleshlightLaunchFW12CmdV0, "FleshlightLaunchFW12Cmd", |m| {
    const NAME: &str = "FleshlightLaunchFW12Cmd";
    check::client_id(NAME, m.id)?;
    check::int_range(
        NAME,
        m.id,
        i64::from(m.position),
        (0, 99, "0..=99"),
        "Position",
    )?;
    check::int_range(NAME, m.id, i64::from(m.speed), (0, 99, "0..=99"), "Speed")
});

use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `VorzeA10CycloneCmd` (v0..v1, client to server): rotate a Vorze A10 Cyclone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct VorzeA10CycloneCmdV0 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Rotation speed, 0..=100 (the schema's bound; the spec text says 0-99).
    pub speed: u32,
    /// Direction.
    pub clockwise: bool,
}

impl_message!(VorzeA10CycloneCmdV0, "VorzeA10CycloneCmd", |m| {
    const NAME: &str = "VorzeA10CycloneCmd";
    check::client_id(NAME, m.id)?;
    check::int_range(NAME, m.id, i64::from(m.speed), (0, 100, "0..=100"), "Speed")
});

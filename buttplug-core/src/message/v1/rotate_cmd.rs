use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// One rotator's speed and direction in a [`RotateCmdV1`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RotationSubcommandV1 {
    /// Rotator index (position in the device's rotate index space).
    pub index: u32,
    /// Speed, `0.0..=1.0`.
    pub speed: f64,
    /// Direction.
    pub clockwise: bool,
}

/// `RotateCmd` (v1..v3, client to server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RotateCmdV1 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Rotations per rotator (at least one).
    pub rotations: Vec<RotationSubcommandV1>,
}

impl_message!(RotateCmdV1, "RotateCmd", |m| {
    const NAME: &str = "RotateCmd";
    check::client_id(NAME, m.id)?;
    check::non_empty(NAME, m.id, &m.rotations, "Rotations")?;
    for (i, r) in m.rotations.iter().enumerate() {
        check::unit(NAME, m.id, r.speed, || format!("Rotations[{i}].Speed"))?;
    }
    Ok(())
});

use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// One linear actuator's move in a [`LinearCmdV1`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct VectorSubcommandV1 {
    /// Actuator index (position in the device's linear index space).
    pub index: u32,
    /// Movement time in milliseconds.
    pub duration: u32,
    /// Target position, `0.0..=1.0`.
    pub position: f64,
}

/// `LinearCmd` (v1..v3, client to server).
///
/// The schema does not require `Vectors` to be non-empty; this crate does (an empty command does
/// nothing and is almost certainly a client bug), like the other subcommand arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct LinearCmdV1 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Moves per actuator (at least one).
    pub vectors: Vec<VectorSubcommandV1>,
}

impl_message!(LinearCmdV1, "LinearCmd", |m| {
    const NAME: &str = "LinearCmd";
    check::client_id(NAME, m.id)?;
    check::non_empty(NAME, m.id, &m.vectors, "Vectors")?;
    for (i, v) in m.vectors.iter().enumerate() {
        check::unit(NAME, m.id, v.position, || format!("Vectors[{i}].Position"))?;
    }
    Ok(())
});

use crate::OutputType;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// One actuator's level in a [`ScalarCmdV3`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ScalarSubcommandV3 {
    /// Actuator index (position in the device's `ScalarCmd` attribute array).
    pub index: u32,
    /// Level; `0.0..=1.0` per the spec text. The schema puts no bound on it, so `validate()` only
    /// requires a finite number and the server rejects other values against the device with
    /// `ERROR_DEVICE`, as the reference server does.
    pub scalar: f64,
    /// Actuator type the client expects at that index (`"Vibrate"`, ...; `"Inflate"` is read as
    /// `Constrict`).
    pub actuator_type: OutputType,
}

/// `ScalarCmd` (v3, client to server): set actuator levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ScalarCmdV3 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Levels per actuator (at least one).
    pub scalars: Vec<ScalarSubcommandV3>,
}

impl_message!(ScalarCmdV3, "ScalarCmd", |m| {
    const NAME: &str = "ScalarCmd";
    check::client_id(NAME, m.id)?;
    check::non_empty(NAME, m.id, &m.scalars, "Scalars")?;
    for (i, s) in m.scalars.iter().enumerate() {
        check::finite(NAME, m.id, s.scalar, || format!("Scalars[{i}].Scalar"))?;
        if s.actuator_type == OutputType::HwPositionWithDuration {
            return Err(check::invalid_value(
                NAME,
                m.id,
                format!("Scalars[{i}].ActuatorType"),
                s.actuator_type.as_str(),
            ));
        }
    }
    Ok(())
});

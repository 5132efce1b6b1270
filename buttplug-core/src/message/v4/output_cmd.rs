use crate::OutputType;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// The value of a plain output command (`{"Value": n}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OutputValueV4 {
    /// Step value within the feature's range (negative for counter-clockwise rotation or
    /// cooling where the range is signed).
    pub value: i32,
}

/// The value of a `HwPositionWithDuration` command (`{"Value": n, "Duration": ms}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OutputPositionWithDurationV4 {
    /// Target position step (at least 0).
    pub value: i32,
    /// Movement time in milliseconds.
    pub duration: u32,
}

/// The command of an [`OutputCmdV4`]: `{OutputType: {"Value": n}}`, or
/// `{"HwPositionWithDuration": {"Value": n, "Duration": ms}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutputCommandV4 {
    /// Vibration level.
    Vibrate(OutputValueV4),
    /// Rotation speed (signed = direction).
    Rotate(OutputValueV4),
    /// Oscillation speed.
    Oscillate(OutputValueV4),
    /// Constriction level.
    Constrict(OutputValueV4),
    /// Spray.
    Spray(OutputValueV4),
    /// Temperature (signed = heat/cool).
    Temperature(OutputValueV4),
    /// Light.
    Led(OutputValueV4),
    /// Position, as fast as possible.
    Position(OutputValueV4),
    /// Position over a duration.
    HwPositionWithDuration(OutputPositionWithDurationV4),
}

impl OutputCommandV4 {
    /// A command of `output_type` with `value` (duration 0 for
    /// [`OutputType::HwPositionWithDuration`]; use [`OutputCommandV4::position_with_duration`]).
    pub fn new(output_type: OutputType, value: i32) -> Self {
        let v = OutputValueV4 { value };
        match output_type {
            OutputType::Vibrate => OutputCommandV4::Vibrate(v),
            OutputType::Rotate => OutputCommandV4::Rotate(v),
            OutputType::Oscillate => OutputCommandV4::Oscillate(v),
            OutputType::Constrict => OutputCommandV4::Constrict(v),
            OutputType::Spray => OutputCommandV4::Spray(v),
            OutputType::Temperature => OutputCommandV4::Temperature(v),
            OutputType::Led => OutputCommandV4::Led(v),
            OutputType::Position => OutputCommandV4::Position(v),
            OutputType::HwPositionWithDuration => Self::position_with_duration(value, 0),
        }
    }

    /// A `HwPositionWithDuration` command.
    pub fn position_with_duration(value: i32, duration: u32) -> Self {
        OutputCommandV4::HwPositionWithDuration(OutputPositionWithDurationV4 { value, duration })
    }

    /// The output type.
    pub fn output_type(&self) -> OutputType {
        match self {
            OutputCommandV4::Vibrate(_) => OutputType::Vibrate,
            OutputCommandV4::Rotate(_) => OutputType::Rotate,
            OutputCommandV4::Oscillate(_) => OutputType::Oscillate,
            OutputCommandV4::Constrict(_) => OutputType::Constrict,
            OutputCommandV4::Spray(_) => OutputType::Spray,
            OutputCommandV4::Temperature(_) => OutputType::Temperature,
            OutputCommandV4::Led(_) => OutputType::Led,
            OutputCommandV4::Position(_) => OutputType::Position,
            OutputCommandV4::HwPositionWithDuration(_) => OutputType::HwPositionWithDuration,
        }
    }

    /// The step value.
    pub fn value(&self) -> i32 {
        match self {
            OutputCommandV4::Vibrate(v)
            | OutputCommandV4::Rotate(v)
            | OutputCommandV4::Oscillate(v)
            | OutputCommandV4::Constrict(v)
            | OutputCommandV4::Spray(v)
            | OutputCommandV4::Temperature(v)
            | OutputCommandV4::Led(v)
            | OutputCommandV4::Position(v) => v.value,
            OutputCommandV4::HwPositionWithDuration(p) => p.value,
        }
    }

    /// The duration in milliseconds, for `HwPositionWithDuration`.
    pub fn duration(&self) -> Option<u32> {
        match self {
            OutputCommandV4::HwPositionWithDuration(p) => Some(p.duration),
            _ => None,
        }
    }
}

/// `OutputCmd` (v4, client to server): drive one output of one feature.
///
/// Range checks against the feature happen in the server (`ERROR_DEVICE`); `validate()` only
/// checks the Id and that `HwPositionWithDuration` values are not negative (schema minimum 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OutputCmdV4 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Feature index.
    pub feature_index: u32,
    /// What to do.
    pub command: OutputCommandV4,
}

impl OutputCmdV4 {
    /// An output command.
    pub fn new(id: u32, device_index: u32, feature_index: u32, command: OutputCommandV4) -> Self {
        OutputCmdV4 {
            id,
            device_index,
            feature_index,
            command,
        }
    }
}

impl_message!(OutputCmdV4, "OutputCmd", |m| {
    check::client_id("OutputCmd", m.id)?;
    if let OutputCommandV4::HwPositionWithDuration(p) = m.command {
        check::int_range(
            "OutputCmd",
            m.id,
            i64::from(p.value),
            (0, i64::from(i32::MAX), "0 or more"),
            "Command.HwPositionWithDuration.Value",
        )?;
    }
    Ok(())
});

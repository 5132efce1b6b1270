//! Feature-level vocabulary shared by every layer: output and input types and their commands.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of actuator output a device feature can drive (spec v4 `OutputType`).
///
/// v3 `ActuatorType` strings use the same names (`"Vibrate"`, `"Rotate"`, ...), so this type
/// also (de)serializes v3 `ScalarCmd` actuator types. `Inflate` (a pre-v4 actuator name) is
/// accepted as an alias of [`OutputType::Constrict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OutputType {
    /// Vibration motor; value 0 = off.
    Vibrate,
    /// Rotation; signed ranges mean bidirectional (negative = counter-clockwise).
    Rotate,
    /// Oscillation / thrusting speed.
    Oscillate,
    /// Constriction / suction / air pump level.
    #[serde(alias = "Inflate")]
    Constrict,
    /// Spray / squirt.
    Spray,
    /// Temperature; signed ranges mean heat (+) and cool (-).
    Temperature,
    /// Light.
    Led,
    /// Move to a position as fast as possible.
    Position,
    /// Move to a position over a duration in milliseconds.
    HwPositionWithDuration,
}

impl OutputType {
    /// Every output type, in spec order.
    pub const ALL: [OutputType; 9] = [
        OutputType::Vibrate,
        OutputType::Rotate,
        OutputType::Oscillate,
        OutputType::Constrict,
        OutputType::Spray,
        OutputType::Temperature,
        OutputType::Led,
        OutputType::Position,
        OutputType::HwPositionWithDuration,
    ];

    /// The wire name (`"Vibrate"`, `"HwPositionWithDuration"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            OutputType::Vibrate => "Vibrate",
            OutputType::Rotate => "Rotate",
            OutputType::Oscillate => "Oscillate",
            OutputType::Constrict => "Constrict",
            OutputType::Spray => "Spray",
            OutputType::Temperature => "Temperature",
            OutputType::Led => "Led",
            OutputType::Position => "Position",
            OutputType::HwPositionWithDuration => "HwPositionWithDuration",
        }
    }

    /// The output type with this wire name, if any (`"Inflate"` is read as
    /// [`OutputType::Constrict`]).
    pub fn from_wire_name(name: &str) -> Option<OutputType> {
        match name {
            "Inflate" => Some(OutputType::Constrict),
            _ => OutputType::ALL.into_iter().find(|t| t.as_str() == name),
        }
    }

    /// The snake_case name used by the device configuration files (`"hw_position_with_duration"`).
    pub fn config_name(self) -> &'static str {
        match self {
            OutputType::Vibrate => "vibrate",
            OutputType::Rotate => "rotate",
            OutputType::Oscillate => "oscillate",
            OutputType::Constrict => "constrict",
            OutputType::Spray => "spray",
            OutputType::Temperature => "temperature",
            OutputType::Led => "led",
            OutputType::Position => "position",
            OutputType::HwPositionWithDuration => "hw_position_with_duration",
        }
    }

    /// Whether a zero value means "stopped" for this output (true for everything except the
    /// two position types, which have no stop value).
    pub fn has_stop_value(self) -> bool {
        !matches!(
            self,
            OutputType::Position | OutputType::HwPositionWithDuration
        )
    }
}

impl fmt::Display for OutputType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of sensor input a device feature can report (spec v4 `InputType`, v3 `SensorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum InputType {
    /// Battery level in percent (0-100).
    Battery,
    /// Received signal strength in dBm (negative). v3 spells it `RSSI`.
    #[serde(alias = "RSSI")]
    Rssi,
    /// Button state (0/1).
    Button,
    /// Pressure sensor.
    Pressure,
    /// Depth sensor (declared by v4, no device reports it yet).
    Depth,
    /// Position sensor (declared by v4, no device reports it yet).
    Position,
}

impl InputType {
    /// Every input type, in spec order.
    pub const ALL: [InputType; 6] = [
        InputType::Battery,
        InputType::Rssi,
        InputType::Button,
        InputType::Pressure,
        InputType::Depth,
        InputType::Position,
    ];

    /// The input type with this wire name, if any (`"RSSI"` is read as [`InputType::Rssi`]).
    pub fn from_wire_name(name: &str) -> Option<InputType> {
        match name {
            "RSSI" => Some(InputType::Rssi),
            _ => InputType::ALL.into_iter().find(|t| t.as_str() == name),
        }
    }

    /// The wire name (`"Battery"`, `"Rssi"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            InputType::Battery => "Battery",
            InputType::Rssi => "Rssi",
            InputType::Button => "Button",
            InputType::Pressure => "Pressure",
            InputType::Depth => "Depth",
            InputType::Position => "Position",
        }
    }

    /// The snake_case name used by the device configuration files.
    pub fn config_name(self) -> &'static str {
        match self {
            InputType::Battery => "battery",
            InputType::Rssi => "rssi",
            InputType::Button => "button",
            InputType::Pressure => "pressure",
            InputType::Depth => "depth",
            InputType::Position => "position",
        }
    }
}

impl fmt::Display for InputType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a client asks of an input (spec v4 `InputCommandType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum InputCommandType {
    /// Read once; the reply carries the reading.
    Read,
    /// Start streaming readings as events (Id 0).
    Subscribe,
    /// Stop streaming readings.
    Unsubscribe,
}

impl InputCommandType {
    /// The wire name (`"Read"`, `"Subscribe"`, `"Unsubscribe"`).
    pub fn as_str(self) -> &'static str {
        match self {
            InputCommandType::Read => "Read",
            InputCommandType::Subscribe => "Subscribe",
            InputCommandType::Unsubscribe => "Unsubscribe",
        }
    }
}

impl fmt::Display for InputCommandType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An inclusive integer range `[start, end]`, serialized as a two-element array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "[i32; 2]", into = "[i32; 2]")]
pub struct StepRange {
    /// Lowest value (negative for bidirectional outputs).
    pub start: i32,
    /// Highest value.
    pub end: i32,
}

impl StepRange {
    /// A range `[start, end]`.
    pub const fn new(start: i32, end: i32) -> Self {
        StepRange { start, end }
    }

    /// Whether `value` lies inside the range (inclusive).
    pub fn contains(&self, value: i32) -> bool {
        value >= self.start && value <= self.end
    }

    /// Whether the range allows negative values (bidirectional rotation, cooling).
    pub fn is_signed(&self) -> bool {
        self.start < 0
    }

    /// The number of steps above zero (`end`, at least 0), the v1-v3 `StepCount`.
    pub fn step_count(&self) -> u32 {
        self.end.max(0) as u32
    }
}

impl From<[i32; 2]> for StepRange {
    fn from(v: [i32; 2]) -> Self {
        StepRange::new(v[0], v[1])
    }
}

impl From<StepRange> for [i32; 2] {
    fn from(r: StepRange) -> Self {
        [r.start, r.end]
    }
}

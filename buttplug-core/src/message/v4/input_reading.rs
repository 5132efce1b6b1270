use crate::InputType;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// A reading's value (`{"Value": n}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ReadingValueV4 {
    /// The value (battery percent, dBm, button 0/1, pressure...).
    pub value: i32,
}

/// The reading of an [`InputReadingV4`]: `{InputType: {"Value": n}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InputValueV4 {
    /// Battery percent, 0..=100.
    Battery(ReadingValueV4),
    /// Signal strength in dBm (negative). `"RSSI"` is accepted on input.
    #[serde(alias = "RSSI")]
    Rssi(ReadingValueV4),
    /// Button state, 0 or 1.
    Button(ReadingValueV4),
    /// Pressure.
    Pressure(ReadingValueV4),
    /// Depth (declared by v4; no device reports it yet).
    Depth(ReadingValueV4),
    /// Position (declared by v4; no device reports it yet).
    Position(ReadingValueV4),
}

impl InputValueV4 {
    /// A reading of `input_type`.
    pub fn new(input_type: InputType, value: i32) -> Self {
        let v = ReadingValueV4 { value };
        match input_type {
            InputType::Battery => InputValueV4::Battery(v),
            InputType::Rssi => InputValueV4::Rssi(v),
            InputType::Button => InputValueV4::Button(v),
            InputType::Pressure => InputValueV4::Pressure(v),
            InputType::Depth => InputValueV4::Depth(v),
            InputType::Position => InputValueV4::Position(v),
        }
    }

    /// The input type.
    pub fn input_type(&self) -> InputType {
        match self {
            InputValueV4::Battery(_) => InputType::Battery,
            InputValueV4::Rssi(_) => InputType::Rssi,
            InputValueV4::Button(_) => InputType::Button,
            InputValueV4::Pressure(_) => InputType::Pressure,
            InputValueV4::Depth(_) => InputType::Depth,
            InputValueV4::Position(_) => InputType::Position,
        }
    }

    /// The value.
    pub fn value(&self) -> i32 {
        match self {
            InputValueV4::Battery(v)
            | InputValueV4::Rssi(v)
            | InputValueV4::Button(v)
            | InputValueV4::Pressure(v)
            | InputValueV4::Depth(v)
            | InputValueV4::Position(v) => v.value,
        }
    }
}

/// `InputReading` (v4, server to client): reply to an `InputCmd` Read (request Id), or
/// subscription data (Id 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct InputReadingV4 {
    /// Request Id, or 0 for subscription data.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Feature index.
    pub feature_index: u32,
    /// The reading.
    pub reading: InputValueV4,
}

impl_message!(InputReadingV4, "InputReading", |m| check::any_id(
    "InputReading",
    m.id
));

use super::LogLevel;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `Log` (v0..v1, server event, Id 0): a server log line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct LogV0 {
    /// Message Id (always 0).
    pub id: u32,
    /// Level of this line.
    pub log_level: LogLevel,
    /// The text.
    pub log_message: String,
}

impl_message!(LogV0, "Log", |m| check::event_id("Log", m.id));

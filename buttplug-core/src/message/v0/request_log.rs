use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// Log levels of `RequestLog` and `Log` (v0..v1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LogLevel {
    /// No logging.
    Off,
    /// Fatal errors only.
    Fatal,
    /// Errors.
    Error,
    /// Warnings.
    Warn,
    /// Information.
    Info,
    /// Debugging.
    Debug,
    /// Everything.
    Trace,
}

/// `RequestLog` (v0..v1; the schema still lists it for v2, so the v2 set accepts it too; client
/// to server): ask for `Log` messages up to a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RequestLogV0 {
    /// Message Id.
    pub id: u32,
    /// Maximum level to receive.
    pub log_level: LogLevel,
}

impl_message!(RequestLogV0, "RequestLog", |m| check::client_id(
    "RequestLog",
    m.id
));

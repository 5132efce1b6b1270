use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `ServerInfo` in the v4 shape (server to client).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ServerInfoV4 {
    /// Request Id.
    pub id: u32,
    /// Server name (may be empty).
    pub server_name: String,
    /// Ping timeout in milliseconds (0 = no ping needed).
    pub max_ping_time: u32,
    /// Spec major version (4).
    pub protocol_version_major: u32,
    /// Spec minor version (0).
    pub protocol_version_minor: u32,
}

impl_message!(ServerInfoV4, "ServerInfo", |m| check::reply_id(
    "ServerInfo",
    m.id
));

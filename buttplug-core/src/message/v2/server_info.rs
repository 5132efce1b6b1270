use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `ServerInfo` in the v2 shape (v2..v3 clients; server to client). `MessageVersion` is the
/// client's version (never higher).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ServerInfoV2 {
    /// Request Id.
    pub id: u32,
    /// Server name (may be empty).
    pub server_name: String,
    /// Spec version the server speaks on this connection.
    pub message_version: u32,
    /// Ping timeout in milliseconds (0 = no ping needed).
    pub max_ping_time: u32,
}

impl_message!(ServerInfoV2, "ServerInfo", |m| check::reply_id(
    "ServerInfo",
    m.id
));

use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `ServerInfo` in the v0 shape (v0..v1 clients; server to client).
///
/// Servers send `MajorVersion`/`MinorVersion`/`BuildVersion` as 0 and `MessageVersion` equal to
/// the client's version (never higher).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ServerInfoV0 {
    /// Request Id.
    pub id: u32,
    /// Server name (may be empty).
    pub server_name: String,
    /// Server software major version.
    pub major_version: u32,
    /// Server software minor version.
    pub minor_version: u32,
    /// Server software build version.
    pub build_version: u32,
    /// Spec version the server speaks on this connection.
    pub message_version: u32,
    /// Ping timeout in milliseconds (0 = no ping needed).
    pub max_ping_time: u32,
}

impl_message!(ServerInfoV0, "ServerInfo", |m| check::reply_id(
    "ServerInfo",
    m.id
));

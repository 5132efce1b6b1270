use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RequestServerInfo` in the v4 shape (client to server, first message).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RequestServerInfoV4 {
    /// Message Id.
    pub id: u32,
    /// Name of the client software.
    pub client_name: String,
    /// Spec major version (4).
    pub protocol_version_major: u32,
    /// Spec minor version.
    pub protocol_version_minor: u32,
}

impl RequestServerInfoV4 {
    /// A handshake request for spec 4.0.
    pub fn new(id: u32, client_name: impl Into<String>) -> Self {
        RequestServerInfoV4 {
            id,
            client_name: client_name.into(),
            protocol_version_major: 4,
            protocol_version_minor: 0,
        }
    }
}

impl_message!(RequestServerInfoV4, "RequestServerInfo", |m| {
    check::client_id("RequestServerInfo", m.id)
});

use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RequestServerInfo` in the v0 shape (client to server, first message): no version field, so
/// the connection speaks spec v0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RequestServerInfoV0 {
    /// Message Id.
    pub id: u32,
    /// Name of the client software.
    pub client_name: String,
}

impl_message!(RequestServerInfoV0, "RequestServerInfo", |m| {
    check::client_id("RequestServerInfo", m.id)
});

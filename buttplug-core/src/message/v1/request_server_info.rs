use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RequestServerInfo` in the v1 shape (spec v1..v3 clients): `MessageVersion` names the spec
/// version the client speaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RequestServerInfoV1 {
    /// Message Id.
    pub id: u32,
    /// Name of the client software.
    pub client_name: String,
    /// Spec version of the client (1..=3 in practice).
    pub message_version: u32,
}

impl_message!(RequestServerInfoV1, "RequestServerInfo", |m| {
    check::client_id("RequestServerInfo", m.id)
});

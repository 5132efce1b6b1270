use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RawUnsubscribeCmd` (v2..v3, client to server): stop a raw subscription.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RawUnsubscribeCmdV2 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Endpoint name.
    pub endpoint: String,
}

impl_message!(RawUnsubscribeCmdV2, "RawUnsubscribeCmd", |m| {
    check::client_id("RawUnsubscribeCmd", m.id)
});

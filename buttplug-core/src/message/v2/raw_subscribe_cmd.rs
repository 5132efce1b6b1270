use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RawSubscribeCmd` (v2..v3, client to server): stream an endpoint's notifications as
/// `RawReading` events.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RawSubscribeCmdV2 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Endpoint name.
    pub endpoint: String,
}

impl_message!(RawSubscribeCmdV2, "RawSubscribeCmd", |m| check::client_id(
    "RawSubscribeCmd",
    m.id
));

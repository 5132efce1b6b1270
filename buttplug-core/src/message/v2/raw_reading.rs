use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `RawReading` (v2..v3, server to client): bytes read from an endpoint (Id 0 when it comes
/// from a subscription).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RawReadingV2 {
    /// Request Id, or 0 for subscription data.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Endpoint name.
    pub endpoint: String,
    /// The bytes (at least one).
    pub data: Vec<u8>,
}

impl_message!(RawReadingV2, "RawReading", |m| check::non_empty(
    "RawReading",
    m.id,
    &m.data,
    "Data"
));

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

/// `Error` (v0..v4, server to client): the wire error, the same shape in every version.
///
/// `Id` is the failing request's Id, or 0 when the request could not be read or the error is an
/// event (ping timeout). Typed errors convert into it with `to_wire()` / `From`
/// ([`MessageError`](crate::MessageError), [`HandshakeError`](crate::HandshakeError)); it is
/// itself a `std::error::Error`, so a client can return it as the cause of a failed request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[error("{error_code}: {error_message}")]
pub struct ErrorV0 {
    /// Id of the failing request (0 if unknown or for events).
    pub id: u32,
    /// Human- or machine-readable description.
    pub error_message: String,
    /// Error class.
    pub error_code: ErrorCode,
}

impl ErrorV0 {
    /// An error message.
    pub fn new(id: u32, error_code: ErrorCode, error_message: impl Into<String>) -> Self {
        ErrorV0 {
            id,
            error_message: error_message.into(),
            error_code,
        }
    }
}

impl_message!(ErrorV0, "Error", |m| crate::message::validate::any_id(
    "Error", m.id
));

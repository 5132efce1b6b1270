//! Error types: the wire [`ErrorCode`], and one `thiserror` enum per concern with explicit
//! conversions to the wire error [`ErrorV0`](crate::v0::ErrorV0).

use crate::SpecVersion;
use crate::v0::ErrorV0;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// Longest piece of client input (message names, parser messages) echoed into an error text, in
/// bytes. Longer pieces are cut at a character boundary and end with `…`.
pub const MAX_ECHO_BYTES: usize = 256;

/// The `ErrorCode` of a wire `Error` message, serialized as its integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ErrorCode {
    /// `ERROR_UNKNOWN` (0): anything else, e.g. the device manager is not running.
    Unknown = 0,
    /// `ERROR_INIT` (1): handshake problems (no `RequestServerInfo` first, version mismatch).
    Init = 1,
    /// `ERROR_PING` (2): the ping timer ran out or is not running.
    Ping = 2,
    /// `ERROR_MSG` (3): the message could not be parsed or its contents are invalid.
    Msg = 3,
    /// `ERROR_DEVICE` (4): the device is missing, lacks the feature, or failed.
    Device = 4,
}

impl ErrorCode {
    /// The code with this number, if there is one.
    pub const fn from_u8(n: u8) -> Option<ErrorCode> {
        match n {
            0 => Some(ErrorCode::Unknown),
            1 => Some(ErrorCode::Init),
            2 => Some(ErrorCode::Ping),
            3 => Some(ErrorCode::Msg),
            4 => Some(ErrorCode::Device),
            _ => None,
        }
    }

    /// The spec's constant name (`"ERROR_MSG"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unknown => "ERROR_UNKNOWN",
            ErrorCode::Init => "ERROR_INIT",
            ErrorCode::Ping => "ERROR_PING",
            ErrorCode::Msg => "ERROR_MSG",
            ErrorCode::Device => "ERROR_DEVICE",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(*self as u8)
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(d)?;
        ErrorCode::from_u8(n).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Unsigned(u64::from(n)),
                &"an error code 0-4",
            )
        })
    }
}

/// Displays a value cut to [`MAX_ECHO_BYTES`] (at a character boundary, marked with `…`).
pub(crate) struct Bounded<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for Bounded<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut limit = Limit {
            out: f,
            left: MAX_ECHO_BYTES,
            cut: false,
        };
        fmt::write(&mut limit, format_args!("{}", self.0))?;
        if limit.cut {
            limit.out.write_str("…")?;
        }
        Ok(())
    }
}

struct Limit<'a, 'b> {
    out: &'a mut fmt::Formatter<'b>,
    left: usize,
    cut: bool,
}

impl fmt::Write for Limit<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.cut {
            return Ok(());
        }
        if s.len() <= self.left {
            self.left -= s.len();
            return self.out.write_str(s);
        }
        let mut end = self.left;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.left = 0;
        self.cut = true;
        self.out.write_str(&s[..end])
    }
}

/// `s` cut to [`MAX_ECHO_BYTES`] for storing in an error.
pub(crate) fn bounded_string(s: &str) -> String {
    Bounded(s).to_string()
}

/// A message or frame could not be parsed, or its contents are invalid (wire code `ERROR_MSG`).
///
/// Every text echoed from the input is cut to [`MAX_ECHO_BYTES`], so the `Display` text stays
/// small whatever the client sent. [`MessageError::id`] gives the Id of the offending message when
/// it could be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The text is not JSON (syntax error, nesting deeper than 128 levels, number out of range).
    #[error("frame is not valid JSON: {}", Bounded(.source))]
    InvalidJson {
        /// The parser's error.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// A binary frame, or bytes that are not UTF-8: frames are JSON text.
    #[error("frame is not UTF-8 JSON text")]
    NotText,
    /// The frame is not a JSON array.
    #[error("frame must be a JSON array of messages, got {found}")]
    NotAnArray {
        /// The Id, when the frame is a bare message object whose Id can be read.
        id: Option<u32>,
        /// What was found instead (`"an object"`, `"a string"`, ...).
        found: &'static str,
    },
    /// The frame is an empty array (or contains no JSON at all).
    #[error("frame contains no messages")]
    EmptyFrame,
    /// An array element is not an object with exactly one key.
    #[error(
        "message {position} of the frame must be an object with one key (the message name), got {found}"
    )]
    NotSingleKeyObject {
        /// Position of the element in its array (0-based).
        position: usize,
        /// What was found instead.
        found: String,
    },
    /// The message name is not part of the connection's spec version.
    #[error("`{name}` is not a message of spec {version}")]
    UnknownMessage {
        /// The message's Id, when it could be read.
        id: Option<u32>,
        /// The name as sent (cut to [`MAX_ECHO_BYTES`]).
        name: String,
        /// The spec version the frame was parsed at.
        version: SpecVersion,
    },
    /// The message body has an unknown or missing field, or a field of the wrong type.
    #[error("invalid `{name}` message: {}", Bounded(.source))]
    InvalidFields {
        /// The message's Id, when it could be read.
        id: Option<u32>,
        /// The message name.
        name: &'static str,
        /// The parser's error.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// A client message used the Id 0, which is reserved for server events.
    #[error("`{name}` uses the reserved Id 0; client messages need an Id of 1 or more")]
    ReservedId {
        /// The message name.
        name: &'static str,
    },
    /// A server message has an Id its kind does not allow (events must use 0, replies must not).
    #[error("`{name}` has Id {id}, expected {expected}")]
    WrongId {
        /// The message name.
        name: &'static str,
        /// The Id it has.
        id: u32,
        /// What the spec requires (`"0"` or `"1 or more"`).
        expected: &'static str,
    },
    /// A number is outside the range the spec allows.
    #[error("`{name}` field `{field}` is {value}, outside {allowed}")]
    OutOfRange {
        /// The message's Id.
        id: u32,
        /// The message name.
        name: &'static str,
        /// The field (path inside the message, e.g. `"Speeds[1].Speed"`).
        field: String,
        /// The value as text.
        value: String,
        /// The allowed range as text (`"0..=1"`).
        allowed: &'static str,
    },
    /// A float is NaN or infinite.
    #[error("`{name}` field `{field}` is not a finite number")]
    NotFinite {
        /// The message's Id.
        id: u32,
        /// The message name.
        name: &'static str,
        /// The field.
        field: String,
    },
    /// An array the spec requires to be non-empty is empty.
    #[error("`{name}` field `{field}` must not be empty")]
    EmptyArray {
        /// The message's Id.
        id: u32,
        /// The message name.
        name: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A string field holds a value the spec does not allow.
    #[error("`{name}` field `{field}` has the invalid value `{value}`")]
    InvalidValue {
        /// The message's Id.
        id: u32,
        /// The message name.
        name: &'static str,
        /// The field.
        field: String,
        /// The value (cut to [`MAX_ECHO_BYTES`]).
        value: String,
    },
    /// A conversion between spec versions is impossible for this message (e.g. an input type
    /// that has no v3 `SensorType`).
    #[error("cannot convert `{name}` to spec {version}: {reason}")]
    Unconvertible {
        /// The message's Id.
        id: u32,
        /// The message name.
        name: &'static str,
        /// Target version.
        version: SpecVersion,
        /// Why.
        reason: &'static str,
    },
}

impl MessageError {
    /// The Id of the offending message, when it is known.
    pub fn id(&self) -> Option<u32> {
        match self {
            MessageError::InvalidJson { .. }
            | MessageError::NotText
            | MessageError::EmptyFrame
            | MessageError::NotSingleKeyObject { .. } => None,
            MessageError::NotAnArray { id, .. }
            | MessageError::UnknownMessage { id, .. }
            | MessageError::InvalidFields { id, .. } => *id,
            MessageError::ReservedId { .. } => Some(0),
            MessageError::WrongId { id, .. }
            | MessageError::OutOfRange { id, .. }
            | MessageError::NotFinite { id, .. }
            | MessageError::EmptyArray { id, .. }
            | MessageError::InvalidValue { id, .. }
            | MessageError::Unconvertible { id, .. } => Some(*id),
        }
    }

    /// The wire code: always [`ErrorCode::Msg`].
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::Msg
    }

    /// The wire `Error` for this problem: the message's Id (0 when unknown), `ERROR_MSG`.
    pub fn to_wire(&self) -> ErrorV0 {
        ErrorV0::new(self.id().unwrap_or(0), self.error_code(), self.to_string())
    }

    pub(crate) fn invalid_json(source: serde_json::Error) -> Self {
        MessageError::InvalidJson {
            source: Arc::new(source),
        }
    }
}

impl From<&MessageError> for ErrorV0 {
    fn from(e: &MessageError) -> Self {
        e.to_wire()
    }
}

impl From<MessageError> for ErrorV0 {
    fn from(e: MessageError) -> Self {
        e.to_wire()
    }
}

/// The connection handshake failed (wire code `ERROR_INIT`, except for [`HandshakeError::Message`]
/// which keeps `ERROR_MSG`).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The first message of a connection was not `RequestServerInfo`.
    #[error("expected RequestServerInfo as the first message, got `{received}`")]
    RequestServerInfoExpected {
        /// The offending message's Id.
        id: u32,
        /// Its name (cut to [`MAX_ECHO_BYTES`]).
        received: String,
    },
    /// A second `RequestServerInfo` on a connection that already completed its handshake.
    #[error("the handshake already happened on this connection")]
    HandshakeAlreadyHappened {
        /// The offending message's Id.
        id: u32,
    },
    /// The client asks for a newer spec major version than this side speaks.
    #[error("client asks for spec version {client}, this server speaks up to {server}")]
    VersionMismatch {
        /// The message's Id.
        id: u32,
        /// The version the client asked for.
        client: u32,
        /// The newest version this side speaks.
        server: SpecVersion,
    },
    /// A version field holds a value that no spec version uses in that place (e.g. a pre-v4
    /// `MessageVersion` of 4 or more).
    #[error("`{field}` = {value} is not a valid spec version here")]
    InvalidVersion {
        /// The message's Id.
        id: u32,
        /// The field (`"MessageVersion"`).
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// The session already ended (disconnect or ping timeout); a new connection is needed.
    #[error("this session has ended; open a new connection")]
    ReconnectDenied {
        /// The offending message's Id.
        id: u32,
    },
    /// (Client side) the server speaks an older version than the client requires.
    #[error("server speaks spec version {server}, at least {required} is required")]
    ServerVersionTooOld {
        /// What the server announced.
        server: u32,
        /// What the client needs.
        required: SpecVersion,
    },
    /// (Client side) the server answered the handshake with something other than `ServerInfo`.
    #[error("expected ServerInfo in reply to RequestServerInfo, got `{received}`")]
    UnexpectedReply {
        /// The reply's message name.
        received: &'static str,
    },
    /// (Client side) the server answered the handshake with an `Error`.
    #[error("server refused the handshake")]
    Refused(#[source] ErrorV0),
    /// (Client side) the server did not answer a spec v4 `RequestServerInfo` in time. Servers
    /// older than v4 (buttplug-rs 9 and before) drop a message they cannot validate without a
    /// reply, so a client that may fall back to v3 waits only briefly.
    #[error("the server did not answer the spec v4 handshake within {waited_ms} ms")]
    Unanswered {
        /// How long the client waited, in milliseconds.
        waited_ms: u64,
    },
    /// The handshake frame itself could not be parsed.
    #[error(transparent)]
    Message(#[from] MessageError),
}

impl HandshakeError {
    /// The Id of the offending message, when known.
    pub fn id(&self) -> Option<u32> {
        match self {
            HandshakeError::RequestServerInfoExpected { id, .. }
            | HandshakeError::HandshakeAlreadyHappened { id }
            | HandshakeError::VersionMismatch { id, .. }
            | HandshakeError::InvalidVersion { id, .. }
            | HandshakeError::ReconnectDenied { id } => Some(*id),
            HandshakeError::ServerVersionTooOld { .. }
            | HandshakeError::UnexpectedReply { .. }
            | HandshakeError::Unanswered { .. } => None,
            HandshakeError::Refused(e) => Some(e.id),
            HandshakeError::Message(e) => e.id(),
        }
    }

    /// The wire code: [`ErrorCode::Msg`] for [`HandshakeError::Message`], else [`ErrorCode::Init`].
    pub fn error_code(&self) -> ErrorCode {
        match self {
            HandshakeError::Message(e) => e.error_code(),
            _ => ErrorCode::Init,
        }
    }

    /// The wire `Error` for this problem (Id 0 when the offending Id is unknown).
    pub fn to_wire(&self) -> ErrorV0 {
        ErrorV0::new(self.id().unwrap_or(0), self.error_code(), self.to_string())
    }
}

impl From<&HandshakeError> for ErrorV0 {
    fn from(e: &HandshakeError) -> Self {
        e.to_wire()
    }
}

impl From<HandshakeError> for ErrorV0 {
    fn from(e: HandshakeError) -> Self {
        e.to_wire()
    }
}

/// A boxed transport error, shareable so that [`ConnectorError`] stays `Clone`.
pub type TransportSource = Arc<dyn StdError + Send + Sync + 'static>;

/// A client connector failed (connect, transport, or an unusable frame from the server).
///
/// Connector errors never travel on the wire; [`ConnectorError::error_code`] is
/// [`ErrorCode::Unknown`] except for frames that failed to parse.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorError {
    /// Connecting failed (address unreachable, refused, bad URL...).
    #[error("could not connect to {address}")]
    ConnectFailed {
        /// Where the connector tried to connect.
        address: String,
        /// The transport's error.
        #[source]
        source: TransportSource,
    },
    /// The connection is closed (by either side).
    #[error("the connection is closed")]
    Closed,
    /// The transport failed after connecting.
    #[error("transport failed")]
    Transport {
        /// The transport's error.
        #[source]
        source: TransportSource,
    },
    /// The remote side sent a frame that could not be parsed.
    #[error("unusable frame from the remote side")]
    Message(#[from] MessageError),
}

impl ConnectorError {
    /// A [`ConnectorError::Transport`] wrapping `source`.
    pub fn transport(source: impl StdError + Send + Sync + 'static) -> Self {
        ConnectorError::Transport {
            source: Arc::new(source),
        }
    }

    /// A [`ConnectorError::ConnectFailed`] wrapping `source`.
    pub fn connect_failed(
        address: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        ConnectorError::ConnectFailed {
            address: address.into(),
            source: Arc::new(source),
        }
    }

    /// The wire code if this error were reported: [`ErrorCode::Msg`] for unparsable frames,
    /// [`ErrorCode::Unknown`] otherwise.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            ConnectorError::Message(e) => e.error_code(),
            _ => ErrorCode::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_cuts_at_char_boundary() {
        let s = "é".repeat(1000);
        let b = bounded_string(&s);
        assert!(b.len() <= MAX_ECHO_BYTES + "…".len());
        assert!(b.ends_with('…'));
        assert_eq!(bounded_string("short"), "short");
    }

    #[test]
    fn codes_round_trip() {
        for n in 0..=4u8 {
            let c = ErrorCode::from_u8(n).unwrap();
            assert_eq!(c as u8, n);
            assert_eq!(serde_json::to_string(&c).unwrap(), n.to_string());
        }
        assert!(serde_json::from_str::<ErrorCode>("5").is_err());
    }
}

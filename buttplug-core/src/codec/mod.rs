//! The JSON codec: frames are JSON arrays of single-key objects (`[{"Name": {fields}}, ...]`).
//!
//! Parsing is strict and total: every problem (not JSON, not an array, an empty array, an
//! element that is not a single-key object, a message name outside the connection's spec
//! version, an unknown or missing field, a wrong type, a value out of range, a client Id of 0)
//! becomes one `Err` entry carrying the offending message's Id when it can be read (else 0).
//! Every message of a frame yields exactly one entry, nothing is dropped, nothing panics.
//!
//! * Fast path: the whole frame is deserialized straight into the typed messages of the
//!   connection's version, then each message is validated.
//! * Slow path, only when the fast path fails: the frame is split into its elements (as raw
//!   JSON text) and every element is examined on its own, so good messages still parse and bad
//!   ones get precise errors with their Ids.
//!
//! Structs given as JSON arrays (which serde would otherwise read positionally) are rejected.
//!
//! Nesting is bounded by serde_json's recursion limit (128 levels): deeper input becomes an
//! `InvalidJson` error. Error texts echo at most [`MAX_ECHO_BYTES`](crate::MAX_ECHO_BYTES) bytes
//! of input.
//!
//! As the reference server does, a text frame may hold several JSON arrays one after the other
//! (`[...][...]`); their messages are handled in order as if they were one array. Duplicate keys
//! inside an object are rejected.
//!
//! Rendering never validates: call `validate()` on messages built from untrusted data first
//! (a NaN float would render as `null`).

mod strict;

use crate::error::bounded_string;
use crate::message::ButtplugMessage;
use crate::v0::{ClientMessageV0, ErrorV0, ServerMessageV0};
use crate::v1::{ClientMessageV1, ServerMessageV1};
use crate::v2::{ClientMessageV2, ServerMessageV2};
use crate::v3::{ClientMessageV3, ServerMessageV3};
use crate::v4::{ClientMessageV4, ServerMessageV4};
use crate::{ClientMessage, ErrorCode, HandshakeError, MessageError, ServerMessage, SpecVersion};
use serde::Serialize;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use strict::Strict;

/// Parses a client frame at the connection's spec version.
///
/// Returns one entry per message; an unparsable frame gives a single `Err` with Id 0. Errors are
/// ready to send back (`ERROR_MSG`).
pub fn parse_client_frame(text: &str, version: SpecVersion) -> Vec<Result<ClientMessage, ErrorV0>> {
    parse_client_frame_typed(text, version)
        .into_iter()
        .map(|r| r.map_err(|e| e.to_wire()))
        .collect()
}

/// Like [`parse_client_frame`], keeping the typed [`MessageError`]s.
pub fn parse_client_frame_typed(
    text: &str,
    version: SpecVersion,
) -> Vec<Result<ClientMessage, MessageError>> {
    match version {
        SpecVersion::V0 => parse_as::<ClientMessageV0, _>(text, version, ClientMessage::V0),
        SpecVersion::V1 => parse_as::<ClientMessageV1, _>(text, version, ClientMessage::V1),
        SpecVersion::V2 => parse_as::<ClientMessageV2, _>(text, version, ClientMessage::V2),
        SpecVersion::V3 => parse_as::<ClientMessageV3, _>(text, version, ClientMessage::V3),
        SpecVersion::V4 => parse_as::<ClientMessageV4, _>(text, version, ClientMessage::V4),
    }
}

/// Parses a client frame given as bytes (e.g. a websocket binary frame): UTF-8 JSON text is
/// parsed like [`parse_client_frame`], anything else gives one `Err` with Id 0.
pub fn parse_client_bytes(
    bytes: &[u8],
    version: SpecVersion,
) -> Vec<Result<ClientMessage, ErrorV0>> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_client_frame(text, version),
        Err(_) => vec![Err(MessageError::NotText.to_wire())],
    }
}

/// Parses a server frame at the connection's spec version (client side).
///
/// ```
/// use buttplug_core::{ServerMessage, SpecVersion, parse_server_frame};
///
/// let frame = r#"[{"Ok":{"Id":4}},{"Error":{"Id":5,"ErrorMessage":"no such device","ErrorCode":4}}]"#;
/// let parsed = parse_server_frame(frame, SpecVersion::V4);
/// assert!(parsed[0].as_ref().is_ok_and(ServerMessage::is_ok));
/// let error = parsed[1].as_ref().map_err(|e| e.clone())?.as_error().cloned();
/// assert_eq!(error.map(|e| e.id), Some(5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_server_frame(
    text: &str,
    version: SpecVersion,
) -> Vec<Result<ServerMessage, MessageError>> {
    match version {
        SpecVersion::V0 => parse_as::<ServerMessageV0, _>(text, version, ServerMessage::V0),
        SpecVersion::V1 => parse_as::<ServerMessageV1, _>(text, version, ServerMessage::V1),
        SpecVersion::V2 => parse_as::<ServerMessageV2, _>(text, version, ServerMessage::V2),
        SpecVersion::V3 => parse_as::<ServerMessageV3, _>(text, version, ServerMessage::V3),
        SpecVersion::V4 => parse_as::<ServerMessageV4, _>(text, version, ServerMessage::V4),
    }
}

/// Renders server messages as one frame.
pub fn render_server_frame(messages: &[ServerMessage]) -> String {
    render(messages)
}

/// Renders client messages as one frame.
pub fn render_client_frame(messages: &[ClientMessage]) -> String {
    render(messages)
}

/// Reads the spec version a connection speaks from its first frame, which must start with
/// `RequestServerInfo`: `ProtocolVersionMajor` if present, else `MessageVersion`, else v0.
///
/// Parse the frame with [`parse_client_frame`] at the returned version afterwards to get the
/// typed `RequestServerInfo` (whose shape is then checked).
///
/// # Errors
///
/// The wire error to send back: `ERROR_MSG` when the frame cannot be read, `ERROR_INIT` when the
/// first message is not `RequestServerInfo` or the version is unsupported. The Id is the first
/// message's when it can be read, else 0.
pub fn handshake_version(text: &str) -> Result<SpecVersion, ErrorV0> {
    handshake_version_typed(text).map_err(|e| e.to_wire())
}

/// Like [`handshake_version`], keeping the typed [`HandshakeError`].
///
/// # Errors
///
/// See [`handshake_version`].
pub fn handshake_version_typed(text: &str) -> Result<SpecVersion, HandshakeError> {
    let first = match serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .next()
    {
        None => return Err(MessageError::EmptyFrame.into()),
        Some(Err(e)) => return Err(MessageError::invalid_json(e).into()),
        Some(Ok(v)) => v,
    };
    let element = match first {
        Value::Array(mut items) => {
            if items.is_empty() {
                return Err(MessageError::EmptyFrame.into());
            }
            items.swap_remove(0)
        }
        other => {
            return Err(MessageError::NotAnArray {
                id: bare_message_id(&other),
                found: kind(&other),
            }
            .into());
        }
    };
    let (name, body) = single_key(element, 0)?;
    let id = read_id(&body).unwrap_or(0);
    if name != "RequestServerInfo" {
        return Err(HandshakeError::RequestServerInfoExpected {
            id,
            received: bounded_string(&name),
        });
    }
    let field = |key: &str| -> Result<Option<u32>, HandshakeError> {
        match body.get(key) {
            None => Ok(None),
            Some(v) => serde_json::from_value::<u32>(v.clone())
                .map(Some)
                .map_err(|e| {
                    MessageError::InvalidFields {
                        id: read_id(&body),
                        name: "RequestServerInfo",
                        source: Arc::new(e),
                    }
                    .into()
                }),
        }
    };
    if let Some(major) = field("ProtocolVersionMajor")? {
        return SpecVersion::from_u32(major).ok_or(HandshakeError::VersionMismatch {
            id,
            client: major,
            server: SpecVersion::CURRENT,
        });
    }
    if let Some(v) = field("MessageVersion")? {
        return match SpecVersion::from_u32(v) {
            Some(version) if version < SpecVersion::V4 => Ok(version),
            _ => Err(HandshakeError::InvalidVersion {
                id,
                field: "MessageVersion",
                value: v,
            }),
        };
    }
    Ok(SpecVersion::V0)
}

/// A JSON codec bound to one connection's spec version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonCodec {
    version: SpecVersion,
}

impl JsonCodec {
    /// A codec for `version`.
    pub const fn new(version: SpecVersion) -> Self {
        JsonCodec { version }
    }

    /// The spec version.
    pub const fn version(&self) -> SpecVersion {
        self.version
    }

    /// [`parse_client_frame`] at this codec's version.
    pub fn parse_client(&self, text: &str) -> Vec<Result<ClientMessage, ErrorV0>> {
        parse_client_frame(text, self.version)
    }

    /// [`parse_server_frame`] at this codec's version.
    pub fn parse_server(&self, text: &str) -> Vec<Result<ServerMessage, MessageError>> {
        parse_server_frame(text, self.version)
    }

    /// [`render_server_frame`].
    pub fn render_server(&self, messages: &[ServerMessage]) -> String {
        render_server_frame(messages)
    }

    /// [`render_client_frame`].
    pub fn render_client(&self, messages: &[ClientMessage]) -> String {
        render_client_frame(messages)
    }
}

/// A per-version message enum the codec can parse.
trait MessageSet: DeserializeOwned + ButtplugMessage {
    const NAMES: &'static [&'static str];
}

macro_rules! message_set {
    ($($t:ty),+) => {
        $(impl MessageSet for $t {
            const NAMES: &'static [&'static str] = <$t>::NAMES;
        })+
    };
}

message_set!(
    ClientMessageV0,
    ClientMessageV1,
    ClientMessageV2,
    ClientMessageV3,
    ClientMessageV4,
    ServerMessageV0,
    ServerMessageV1,
    ServerMessageV2,
    ServerMessageV3,
    ServerMessageV4
);

fn parse_as<T: MessageSet, U>(
    text: &str,
    version: SpecVersion,
    wrap: fn(T) -> U,
) -> Vec<Result<U, MessageError>> {
    match fast_path::<T, U>(text, wrap) {
        Some(messages) => messages,
        None => slow_path::<T>(text, version)
            .into_iter()
            .map(|r| r.and_then(|m| m.validate().map(|()| wrap(m))))
            .collect(),
    }
}

/// Typed parse of every array in the text, each message validated and wrapped as it is read;
/// `None` on any problem (the slow path then finds and reports it).
fn fast_path<T: MessageSet, U>(
    text: &str,
    wrap: fn(T) -> U,
) -> Option<Vec<Result<U, MessageError>>> {
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    loop {
        let read = AppendChecked::<T, U> {
            out: &mut out,
            wrap,
            marker: PhantomData,
        }
        .deserialize(Strict(&mut de))
        .ok()?;
        if read == 0 {
            return None;
        }
        // `end` fails on anything but trailing whitespace; then read the next concatenated array.
        if de.end().is_ok() {
            return Some(out);
        }
    }
}

/// Reads one JSON array of messages, appending each one, validated and wrapped, to `out`; the
/// value is the number of messages read. No intermediate list of parsed messages is built.
struct AppendChecked<'a, T, U> {
    out: &'a mut Vec<Result<U, MessageError>>,
    wrap: fn(T) -> U,
    marker: PhantomData<T>,
}

impl<'de, T: MessageSet, U> DeserializeSeed<'de> for AppendChecked<'_, T, U> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: MessageSet, U> Visitor<'de> for AppendChecked<'_, T, U> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of messages")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut read = 0;
        while let Some(m) = seq.next_element::<T>()? {
            self.out.push(m.validate().map(|()| (self.wrap)(m)));
            read += 1;
        }
        Ok(read)
    }
}

/// Element-by-element parse, for precise errors. Each element is located as raw text, examined
/// as a `serde_json::Value` for its name and Id, then deserialized from its own text (so duplicate
/// keys are rejected exactly as on the fast path).
fn slow_path<T: MessageSet>(text: &str, version: SpecVersion) -> Vec<Result<T, MessageError>> {
    let mut out = Vec::new();
    let mut seen_any = false;
    for top in serde_json::Deserializer::from_str(text).into_iter::<&RawValue>() {
        seen_any = true;
        let top = match top {
            Ok(top) => top,
            Err(e) => {
                out.push(Err(MessageError::invalid_json(e)));
                break;
            }
        };
        match serde_json::from_str::<Vec<&RawValue>>(top.get()) {
            Ok(items) => {
                if items.is_empty() {
                    out.push(Err(MessageError::EmptyFrame));
                }
                for (position, item) in items.into_iter().enumerate() {
                    out.push(parse_element::<T>(item.get(), position, version));
                }
            }
            Err(_) => out.push(Err(match serde_json::from_str::<Value>(top.get()) {
                Ok(other) => MessageError::NotAnArray {
                    id: bare_message_id(&other),
                    found: kind(&other),
                },
                Err(e) => MessageError::invalid_json(e),
            })),
        }
    }
    if !seen_any {
        out.push(Err(MessageError::EmptyFrame));
    }
    out
}

fn parse_element<T: MessageSet>(
    raw: &str,
    position: usize,
    version: SpecVersion,
) -> Result<T, MessageError> {
    let item: Value = serde_json::from_str(raw).map_err(MessageError::invalid_json)?;
    let (name, body) = single_key(item, position)?;
    let id = read_id(&body);
    let Some(known) = T::NAMES.iter().copied().find(|n| *n == name) else {
        return Err(MessageError::UnknownMessage {
            id,
            name: bounded_string(&name),
            version,
        });
    };
    let mut de = serde_json::Deserializer::from_str(raw);
    T::deserialize(Strict(&mut de))
        .and_then(|m| de.end().map(|()| m))
        .map_err(|e| MessageError::InvalidFields {
            id,
            name: known,
            source: Arc::new(e),
        })
}

/// Splits a single-key object into its key and value.
fn single_key(item: Value, position: usize) -> Result<(String, Value), MessageError> {
    match item {
        Value::Object(map) if map.len() == 1 => match map.into_iter().next() {
            Some(pair) => Ok(pair),
            None => Err(MessageError::NotSingleKeyObject {
                position,
                found: "an empty object".into(),
            }),
        },
        Value::Object(map) => Err(MessageError::NotSingleKeyObject {
            position,
            found: format!("an object with {} keys", map.len()),
        }),
        other => Err(MessageError::NotSingleKeyObject {
            position,
            found: kind(&other).into(),
        }),
    }
}

/// The `Id` of a message body, when it is a valid u32.
fn read_id(body: &Value) -> Option<u32> {
    body.get("Id")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

/// The Id of a frame that is a bare `{"Name": {"Id": n, ...}}` object instead of an array.
fn bare_message_id(value: &Value) -> Option<u32> {
    match value {
        Value::Object(map) if map.len() == 1 => map.values().next().and_then(read_id),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn render<T: Serialize>(messages: &[T]) -> String {
    match serde_json::to_string(messages) {
        Ok(text) => text,
        // Unreachable for this crate's types (string map keys only); kept total so that a
        // rendering bug shows up as an error message instead of a panic.
        Err(e) => {
            let error = ErrorV0::new(
                0,
                ErrorCode::Unknown,
                format!("could not render frame: {}", crate::error::Bounded(&e)),
            );
            serde_json::to_string(&[ServerMessageV4::Error(error)]).unwrap_or_default()
        }
    }
}

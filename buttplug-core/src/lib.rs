//! Buttplug protocol core: the messages of every spec version (v0 to v4), a strict JSON codec,
//! the device description rendered per version, error types, and the client's transport seam
//! (connectors of JSON text frames).
//!
//! This crate does no I/O and needs no async runtime; every other crate of the workspace builds
//! on it.
//!
//! # Example
//!
//! A server reads the spec version from the handshake frame, parses frames at that version and
//! renders replies:
//!
//! ```
//! use buttplug_core::{
//!     ServerInfo, ServerMessage, handshake_version, parse_client_frame, render_server_frame,
//! };
//!
//! let frame = r#"[{"RequestServerInfo":{"Id":1,"ClientName":"Demo","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#;
//! let version = handshake_version(frame)?;
//! let mut replies = Vec::new();
//! for parsed in parse_client_frame(frame, version) {
//!     match parsed {
//!         Ok(message) => {
//!             let (client_name, version) = message.handshake_request()?;
//!             assert_eq!(client_name, "Demo");
//!             replies.push(ServerInfo::new("Buttplug Server", 0).to_message(message.id(), version));
//!         }
//!         Err(error) => replies.push(ServerMessage::error(error, version)),
//!     }
//! }
//! assert_eq!(
//!     render_server_frame(&replies),
//!     r#"[{"ServerInfo":{"Id":1,"ServerName":"Buttplug Server","MaxPingTime":0,"ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#
//! );
//!
//! // A bad frame yields one error per message, with the message's Id when it can be read.
//! let results = parse_client_frame(r#"[{"Ping":{"Id":7,"Extra":1}},{"Ping":{"Id":8}}]"#, version);
//! assert_eq!(results.len(), 2);
//! assert!(matches!(&results[0], Err(e) if e.id == 7));
//! assert!(results[1].is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//!
//! * [`v0`] ... [`v4`]: one type per message shape, named after the version that introduced it
//!   (`OkV0`, `VibrateCmdV1`, `ScalarCmdV3`, `OutputCmdV4`, ...), and the exact message set of
//!   each version as `ClientMessageVn` / `ServerMessageVn` (externally tagged serde enums whose
//!   variant names are the wire names). Every message implements [`ButtplugMessage`] (`name`,
//!   `id`, `set_id`, `validate`).
//! * [`ClientMessage`] / [`ServerMessage`]: a message of any version (`V0(..)` ... `V4(..)`).
//! * Codec: [`handshake_version`], [`parse_client_frame`], [`render_server_frame`] for the
//!   server side; [`render_client_frame`], [`parse_server_frame`] for the client side;
//!   [`JsonCodec`] bundles them for one connection.
//! * [`DeviceInfo`]: a device as clients see it, rendered as each version's shape
//!   (`to_v0()` ... `to_v4()`), with the v1-v3 index spaces (`v3_scalar_features()` ...).
//! * [`ServerInfo`] and the version-independent conversions (`StopDeviceCmd` to `StopCmd`,
//!   readings, `Ok`/`Error`/`ScanningFinished` in every version).
//! * Errors: [`MessageError`] (`ERROR_MSG`), [`HandshakeError`] (`ERROR_INIT`),
//!   [`ConnectorError`]; each converts to the wire error [`v0::ErrorV0`] with the right
//!   [`ErrorCode`].
//! * [`ButtplugConnector`]: how a client reaches a server: it opens [`FrameTransport`]s, a
//!   stream and a sink of JSON text frames ([`frame_pipe`] for an in-memory one). The client
//!   does the rendering, parsing and spec-version handling; transports only move text.
//!
//! # Design decisions
//!
//! * **Every version is typed.** Old clients are served in their own message shapes; nothing
//!   is parsed loosely into a common model. Conversions that need device knowledge (which
//!   feature a `VibrateCmd` index means) belong to the server, but the index spaces come from
//!   [`DeviceInfo`] so rendering and translation agree.
//! * **Strict and total parsing.** Unknown fields, wrong types, out-of-range values and Id 0
//!   from a client are errors, reported per message with its Id; a frame never panics the
//!   codec and no message is silently dropped.
//! * **Lenient where real clients need it**, and documented at the type: v3 still accepts
//!   `VibrateCmd` (as the reference server does); v0/v1 accept `LovenseCmd` and v4 accepts
//!   `Disconnect` although the published schema omits them; several concatenated arrays in one
//!   text frame are accepted; clients skip unknown v4 output/input types.

#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod codec;
mod connector;
mod convert;
mod device;
mod error;
mod feature;
mod message;
mod version;

pub use codec::{
    JsonCodec, handshake_version, handshake_version_typed, parse_client_bytes, parse_client_frame,
    parse_client_frame_typed, parse_server_frame, render_client_frame, render_server_frame,
};
pub use connector::{
    BoxFrameTransport, ButtplugConnector, FRAME_PIPE_CAPACITY, Frame, FrameDuplex, FramePipe,
    FrameTransport, frame_pipe,
};
pub use convert::ServerInfo;
pub use device::{
    DEFAULT_DURATION_RANGE, DeviceInfo, FeatureInfo, IndexEntry, InputInfo, LegacyCommands,
    OutputInfo, device_list_message, device_removed_message,
};
pub use error::{
    ConnectorError, ErrorCode, HandshakeError, MAX_ECHO_BYTES, MessageError, TransportSource,
};
pub use feature::{InputCommandType, InputType, OutputType, StepRange};
pub use message::{
    ButtplugMessage, ClientMessage, ClientMessageCurrent, ServerMessage, ServerMessageCurrent, v0,
    v1, v2, v3, v4,
};
pub use version::{SpecVersion, UnknownSpecVersion};

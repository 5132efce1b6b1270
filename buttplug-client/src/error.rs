//! The client's error type.

use buttplug_core::v0::ErrorV0;
use buttplug_core::{
    ConnectorError, ErrorCode, HandshakeError, InputCommandType, InputType, OutputType,
    SpecVersion, StepRange,
};
use std::time::Duration;

/// Result type of the client API.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// Everything that can go wrong in the client.
///
/// Errors that are detected before anything is sent (a missing feature, a value outside the
/// device's range, an operation the connection's spec version cannot express) leave the
/// connection untouched.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The connector failed to connect or the transport failed.
    #[error("connector error")]
    Connector(#[from] ConnectorError),
    /// The handshake (`RequestServerInfo` / `ServerInfo`, then `RequestDeviceList`) failed.
    #[error("handshake failed")]
    Handshake(#[from] HandshakeError),
    /// The server did not answer in time.
    ///
    /// Also what a request returns when the [`ClientDriver`](crate::ClientDriver) is not being
    /// polled: nothing moves without it.
    #[error("no reply to `{request}` within {timeout:?}")]
    Timeout {
        /// Wire name of the request (`"OutputCmd"`, ...), or `"connect"` for the connector.
        request: &'static str,
        /// The timeout that ran out.
        timeout: Duration,
    },
    /// The server answered with an `Error` message.
    #[error("the server answered `{request}` with an error")]
    Server {
        /// Wire name of the request.
        request: &'static str,
        /// The server's error (its `ErrorCode` and text).
        #[source]
        error: ErrorV0,
    },
    /// The server answered with a message that does not fit the request.
    #[error("unexpected reply `{reply}` to `{request}`")]
    UnexpectedReply {
        /// Wire name of the request.
        request: &'static str,
        /// Wire name of the reply.
        reply: &'static str,
    },
    /// The client is not connected (never connected, disconnected, or the server left).
    #[error("the client is not connected")]
    NotConnected,
    /// `connect` was called on a client that is already connected.
    #[error("the client is already connected")]
    AlreadyConnected,
    /// The connection closed while the request was waiting for its reply.
    #[error("the connection closed before the reply to `{request}` arrived")]
    ConnectionClosed {
        /// Wire name of the request.
        request: &'static str,
    },
    /// The client was configured with a spec version it cannot speak.
    #[error("spec version {version} is not supported by this client (only v3 and v4)")]
    UnsupportedSpecVersion {
        /// The configured version.
        version: SpecVersion,
    },
    /// The device is not (or no longer) connected to the server.
    #[error("device {device_index} is not connected")]
    DeviceNotConnected {
        /// Device index.
        device_index: u32,
    },
    /// The device has no feature with this index.
    #[error("device {device_index} has no feature {feature_index}")]
    FeatureNotFound {
        /// Device index.
        device_index: u32,
        /// Feature index.
        feature_index: u32,
    },
    /// No feature (of the device, or the one feature addressed) has this output type.
    #[error("device {device_index} has no {output_type} output{}", feature_text(*.feature_index))]
    OutputNotSupported {
        /// Device index.
        device_index: u32,
        /// The feature addressed, when a single one was.
        feature_index: Option<u32>,
        /// The output type.
        output_type: OutputType,
    },
    /// No feature (of the device, or the one feature addressed) has this input with this
    /// command.
    #[error("device {device_index} cannot {command} {input_type}{}", feature_text(*.feature_index))]
    InputNotSupported {
        /// Device index.
        device_index: u32,
        /// The feature addressed, when a single one was.
        feature_index: Option<u32>,
        /// The input type.
        input_type: InputType,
        /// The command.
        command: InputCommandType,
    },
    /// Several features have this input; address one through
    /// [`ButtplugClientDevice::feature`](crate::ButtplugClientDevice::feature).
    #[error("device {device_index} has {count} features with a {input_type} input; pick one")]
    AmbiguousInput {
        /// Device index.
        device_index: u32,
        /// The input type.
        input_type: InputType,
        /// How many features have it.
        count: usize,
    },
    /// A step value outside the feature's range.
    #[error(
        "{value} is outside the {output_type} range [{}, {}] of device {device_index} feature {feature_index}",
        .range.start, .range.end
    )]
    StepsOutOfRange {
        /// Device index.
        device_index: u32,
        /// Feature index.
        feature_index: u32,
        /// Output type.
        output_type: OutputType,
        /// The value asked for.
        value: i32,
        /// The feature's inclusive range.
        range: StepRange,
    },
    /// A fraction outside `0.0..=1.0` (or `-1.0..=1.0` for signed outputs), or not finite.
    #[error("{value} is not a valid {output_type} level (allowed: {allowed})")]
    FractionOutOfRange {
        /// Output type.
        output_type: OutputType,
        /// The value asked for.
        value: f64,
        /// The allowed range as text.
        allowed: &'static str,
    },
    /// A movement duration outside the feature's duration range.
    #[error(
        "{duration:?} is outside the duration range [{} ms, {} ms] of device {device_index} feature {feature_index}",
        .range.start, .range.end
    )]
    DurationOutOfRange {
        /// Device index.
        device_index: u32,
        /// Feature index.
        feature_index: u32,
        /// The duration asked for.
        duration: Duration,
        /// The feature's inclusive range in milliseconds.
        range: StepRange,
    },
    /// The operation exists in another spec version but not in the one this connection speaks
    /// (raw endpoint access at v4, for example), or the device does not offer it.
    #[error("`{operation}` is not available on this connection (spec {version})")]
    NotSupported {
        /// What was asked.
        operation: &'static str,
        /// The connection's spec version.
        version: SpecVersion,
    },
    /// Raw access to an endpoint the device does not open to raw commands.
    #[error("device {device_index} has no raw endpoint `{endpoint}`")]
    RawEndpointNotFound {
        /// Device index.
        device_index: u32,
        /// The endpoint asked for.
        endpoint: String,
    },
}

fn feature_text(feature: Option<u32>) -> String {
    match feature {
        Some(f) => format!(" on feature {f}"),
        None => String::new(),
    }
}

impl ClientError {
    /// The server's `ErrorCode`, when the server answered with an `Error`.
    pub fn server_error_code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Server { error, .. } => Some(error.error_code),
            ClientError::Handshake(HandshakeError::Refused(error)) => Some(error.error_code),
            _ => None,
        }
    }
}

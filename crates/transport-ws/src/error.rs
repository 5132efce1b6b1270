//! Transport errors.

use std::sync::Arc;

/// Errors of the WebSocket transports.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Binding or connecting the TCP socket failed.
    #[error("{what}: {source}")]
    Io {
        /// What was attempted.
        what: String,
        /// The cause.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The WebSocket handshake failed.
    #[error("websocket handshake failed: {0}")]
    Handshake(String),
    /// The URL is not usable.
    #[error("bad websocket url {url:?}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// `wss://` needs the `tls` feature.
    #[error("wss:// needs buttplug-transport-ws built with the `tls` feature")]
    TlsNotCompiled,
}

impl TransportError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        TransportError::Io {
            what: what.into(),
            source: Arc::new(source),
        }
    }
}

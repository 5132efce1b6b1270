//! Transport errors.

use buttplug_core::TransportSource;
use std::sync::Arc;
use std::time::Duration;

/// Errors of the WebSocket transports.
///
/// Every variant exists whatever features are enabled; [`TransportError::TlsNotCompiled`] is
/// what a `wss://` URL gives without the `tls` feature, [`TransportError::Tls`] what a failing
/// TLS setup gives with it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Binding, connecting or using the TCP socket failed.
    #[error("{what}")]
    Io {
        /// What was attempted.
        what: String,
        /// The cause.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The WebSocket upgrade failed.
    #[error("websocket handshake with {peer} failed")]
    Handshake {
        /// The URL or address of the other side.
        peer: String,
        /// The WebSocket library's error.
        #[source]
        source: TransportSource,
    },
    /// Connecting (TCP, TLS and upgrade) took too long.
    #[error("no websocket connection to {peer} within {timeout:?}")]
    Timeout {
        /// The URL of the other side.
        peer: String,
        /// The timeout that ran out.
        timeout: Duration,
    },
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
    /// Setting up TLS failed (bad server name, no usable protocol version).
    #[error("TLS setup for {peer} failed")]
    Tls {
        /// The server name.
        peer: String,
        /// The TLS library's error.
        #[source]
        source: TransportSource,
    },
    /// The server transport's listener stopped.
    #[error("the listener stopped")]
    ListenerStopped,
}

impl TransportError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        TransportError::Io {
            what: what.into(),
            source: Arc::new(source),
        }
    }

    pub(crate) fn handshake(
        peer: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        TransportError::Handshake {
            peer: peer.into(),
            source: Arc::new(source),
        }
    }
}

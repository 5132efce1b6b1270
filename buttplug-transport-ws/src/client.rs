//! Dialing out: the client connector (`ws://`, and `wss://` with the `tls` feature), and the
//! reverse mode where a server dials out to a listening client.

use crate::connection::Connection;
use crate::error::TransportError;
use crate::rt;
use crate::server::{DEFAULT_MAX_FRAME_SIZE, DEFAULT_PING_INTERVAL};
use async_trait::async_trait;
use async_tungstenite::tungstenite::Error as WsError;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use buttplug_core::{BoxFrameTransport, ButtplugConnector, ConnectorError, Frame};
use futures::{Sink, SinkExt, Stream, StreamExt};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// How long connecting (TCP, TLS and WebSocket upgrade) may take by default.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings for dialing out (the client connector and the reverse mode).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct DialOptions {
    /// Largest frame accepted from the other side (default [`DEFAULT_MAX_FRAME_SIZE`]); a
    /// larger frame closes the connection.
    pub max_frame_size: usize,
    /// How long connecting may take (default [`CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// WebSocket pings to the other side (`None`, the default, sends none; a peer that misses a
    /// ping is dropped).
    pub ping_interval: Option<Duration>,
}

impl Default for DialOptions {
    fn default() -> Self {
        DialOptions {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            connect_timeout: CONNECT_TIMEOUT,
            ping_interval: None,
        }
    }
}

impl DialOptions {
    /// Default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Largest accepted frame.
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// Connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Ping interval (`None`: no pings).
    pub fn ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.ping_interval = interval;
        self
    }
}

/// Split a `ws://host:port/path` URL into (secure, host:port).
fn host_of(url: &str) -> Result<(bool, String), TransportError> {
    let bad = |reason| TransportError::BadUrl {
        url: url.to_string(),
        reason,
    };
    let (secure, rest) = if let Some(r) = url.strip_prefix("ws://") {
        (false, r)
    } else if let Some(r) = url.strip_prefix("wss://") {
        (true, r)
    } else {
        return Err(bad("must start with ws:// or wss://"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(bad("no host"));
    }
    let host = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        && !authority.ends_with(']')
    {
        authority.to_string()
    } else {
        format!("{authority}:{}", if secure { 443 } else { 80 })
    };
    Ok((secure, host))
}

/// Opens a WebSocket to `url` with default [`DialOptions`] and returns the connection.
///
/// # Errors
///
/// Bad URL, unreachable host, failed upgrade, timeout, or `wss://` without the `tls` feature.
pub async fn dial(url: &str) -> Result<Connection, TransportError> {
    dial_with(url, &DialOptions::default()).await
}

/// Opens a WebSocket to `url` and returns the connection.
///
/// # Errors
///
/// As [`dial`].
pub async fn dial_with(url: &str, options: &DialOptions) -> Result<Connection, TransportError> {
    let (secure, host) = host_of(url)?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(options.max_frame_size))
        .max_frame_size(Some(options.max_frame_size))
        .read_buffer_size(crate::connection::READ_BUFFER_SIZE);
    let ping = options.ping_interval;
    let attempt = async {
        let tcp = rt::TcpStream::connect(&host)
            .await
            .map_err(|e| TransportError::io(format!("cannot reach {host}"), e))?;
        let _ = tcp.set_nodelay(true);
        let peer = tcp.peer_addr().ok();
        if secure {
            return dial_tls(url, &host, tcp, config, ping, peer).await;
        }
        let (ws, _) = async_tungstenite::client_async_with_config(url, tcp, Some(config))
            .await
            .map_err(|e| TransportError::handshake(url, e))?;
        Ok(Connection::new(ws, ping, peer, || {}))
    };
    match rt::timeout(options.connect_timeout, attempt).await {
        Some(r) => r,
        None => Err(TransportError::Timeout {
            peer: url.to_string(),
            timeout: options.connect_timeout,
        }),
    }
}

#[cfg(feature = "tls")]
async fn dial_tls(
    url: &str,
    host: &str,
    tcp: rt::TcpStream,
    config: WebSocketConfig,
    ping: Option<Duration>,
    peer: Option<std::net::SocketAddr>,
) -> Result<Connection, TransportError> {
    let domain = host.rsplit_once(':').map_or(host, |(d, _)| d);
    let domain = domain.trim_start_matches('[').trim_end_matches(']');
    let tls = tls::connect(domain, tcp).await?;
    let (ws, _) = async_tungstenite::client_async_with_config(url, tls, Some(config))
        .await
        .map_err(|e| TransportError::handshake(url, e))?;
    Ok(Connection::new(ws, ping, peer, || {}))
}

#[cfg(not(feature = "tls"))]
async fn dial_tls(
    _url: &str,
    _host: &str,
    _tcp: rt::TcpStream,
    _config: WebSocketConfig,
    _ping: Option<Duration>,
    _peer: Option<std::net::SocketAddr>,
) -> Result<Connection, TransportError> {
    Err(TransportError::TlsNotCompiled)
}

/// A [`ButtplugConnector`] over WebSocket: JSON text frames, one array of messages per frame.
///
/// Each `connect` dials a new socket and hands it to the client as a stream and sink of text
/// frames; the client renders and parses them (at its handshake's spec version) and polls the
/// socket from its driver, so no task is spawned. Binary frames from the server are ignored; a
/// WebSocket close (or a broken socket) ends the stream.
///
/// ```no_run
/// use buttplug_transport_ws::{ButtplugConnector, DialOptions, WebsocketClientConnector};
/// use futures::SinkExt;
/// use std::time::Duration;
///
/// async_std::task::block_on(async {
///     let connector = WebsocketClientConnector::new("ws://127.0.0.1:12345")
///         .with_options(DialOptions::new().connect_timeout(Duration::from_secs(3)));
///     // Usually handed to `ButtplugClient::connect`; here used directly.
///     let mut frames = connector.connect().await?;
///     frames.send(r#"[{"Ping":{"Id":1}}]"#.to_string()).await?;
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct WebsocketClientConnector {
    url: String,
    options: DialOptions,
}

impl WebsocketClientConnector {
    /// A connector for `ws://host:port` (or `wss://` with the `tls` feature), with default
    /// [`DialOptions`].
    pub fn new(url: impl Into<String>) -> Self {
        WebsocketClientConnector {
            url: url.into(),
            options: DialOptions::default(),
        }
    }

    /// Replaces the dial settings.
    #[must_use]
    pub fn with_options(mut self, options: DialOptions) -> Self {
        self.options = options;
        self
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

#[async_trait]
impl ButtplugConnector for WebsocketClientConnector {
    /// Dials the server.
    ///
    /// # Errors
    ///
    /// [`ConnectorError::ConnectFailed`] wrapping the [`TransportError`].
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        let connection = dial_with(&self.url, &self.options)
            .await
            .map_err(|e| ConnectorError::connect_failed(self.url.clone(), e))?;
        Ok(Box::pin(ClientFrames(connection)))
    }
}

/// A dialled [`Connection`] as the client's stream and sink of text frames.
struct ClientFrames(Connection);

impl Stream for ClientFrames {
    type Item = Result<String, ConnectorError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match self.0.poll_next_unpin(cx) {
                Poll::Ready(Some(Frame::Text(text))) => Poll::Ready(Some(Ok(text))),
                Poll::Ready(Some(Frame::Binary(_))) => {
                    tracing::warn!("binary frame from the server ignored");
                    continue;
                }
                Poll::Ready(Some(Frame::Close) | None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }
}

impl Sink<String> for ClientFrames {
    type Error = ConnectorError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready_unpin(cx).map_err(closed_or_failed)
    }

    fn start_send(mut self: Pin<&mut Self>, frame: String) -> Result<(), Self::Error> {
        self.0
            .start_send_unpin(Frame::Text(frame))
            .map_err(closed_or_failed)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_flush_unpin(cx).map_err(closed_or_failed)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_close_unpin(cx).map_err(closed_or_failed)
    }
}

fn closed_or_failed(error: WsError) -> ConnectorError {
    match error {
        WsError::ConnectionClosed | WsError::AlreadyClosed => ConnectorError::Closed,
        other => ConnectorError::transport(other),
    }
}

/// The reverse mode: the server dials out to a client that listens (intiface-engine's
/// `--websocket-client-address`). The returned connection is served like an accepted one.
#[derive(Debug)]
pub struct WebsocketClientTransport;

impl WebsocketClientTransport {
    /// Dials `url` and returns the connection; the server side pings every
    /// [`DEFAULT_PING_INTERVAL`].
    ///
    /// # Errors
    ///
    /// As for [`dial`].
    pub async fn connect(url: &str) -> Result<Connection, TransportError> {
        let options = DialOptions::default().ping_interval(Some(DEFAULT_PING_INTERVAL));
        Ok(dial_with(url, &options).await?.answer_oversized_frames())
    }

    /// Dials `url` with explicit settings.
    ///
    /// # Errors
    ///
    /// As for [`dial`].
    pub async fn connect_with(
        url: &str,
        options: &DialOptions,
    ) -> Result<Connection, TransportError> {
        Ok(dial_with(url, options).await?.answer_oversized_frames())
    }
}

#[cfg(feature = "tls")]
mod tls {
    use crate::error::TransportError;
    use crate::rt;
    use futures_rustls::rustls::pki_types::ServerName;
    use futures_rustls::rustls::{ClientConfig, RootCertStore};
    use std::sync::Arc;

    /// TLS over `tcp` to `domain`, verified against the web PKI roots, with the ring provider.
    pub(super) async fn connect(
        domain: &str,
        tcp: rt::TcpStream,
    ) -> Result<futures_rustls::client::TlsStream<rt::TcpStream>, TransportError> {
        let tls_error = |e: futures_rustls::rustls::Error| TransportError::Tls {
            peer: domain.to_string(),
            source: Arc::new(e),
        };
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(futures_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from(domain.to_string()).map_err(|e| TransportError::Tls {
            peer: domain.to_string(),
            source: Arc::new(e),
        })?;
        futures_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| TransportError::io(format!("TLS with {domain}"), e))
    }
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn urls() {
        assert_eq!(
            host_of("ws://127.0.0.1:12345").ok(),
            Some((false, "127.0.0.1:12345".into()))
        );
        assert_eq!(
            host_of("ws://localhost/x").ok(),
            Some((false, "localhost:80".into()))
        );
        assert_eq!(
            host_of("wss://example.invalid").ok(),
            Some((true, "example.invalid:443".into()))
        );
        assert_eq!(
            host_of("ws://[::1]:9000/path").ok(),
            Some((false, "[::1]:9000".into()))
        );
        assert!(host_of("http://x").is_err());
        assert!(host_of("ws://").is_err());
    }
}

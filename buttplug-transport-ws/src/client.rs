//! Dialing out: the client connector (`ws://`, and `wss://` with the `tls` feature), and the
//! reverse mode where a server dials out to a listening client.

use crate::connection::Connection;
use crate::error::TransportError;
use crate::rt;
use crate::server::{DEFAULT_MAX_FRAME_SIZE, DEFAULT_PING_INTERVAL};
use async_trait::async_trait;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use buttplug_core::v0::ErrorV0;
use buttplug_core::{
    ButtplugConnector, ConnectorError, ConnectorReceiver, ConnectorSender, ErrorCode, Frame,
    ServerMessage, SpecVersion, connector_pair, parse_server_frame, render_client_frame,
};
use futures::{SinkExt, StreamExt};
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
/// Server frames are parsed at the spec version of the client's `RequestServerInfo`. A server
/// message that cannot be parsed is handed to the client as an `Error` (`ERROR_MSG`) with the
/// message's Id when it can be read (so the waiting request fails at once) or Id 0 (an error
/// event); binary frames are ignored.
///
/// ```no_run
/// use buttplug_transport_ws::{ButtplugConnector, DialOptions, WebsocketClientConnector};
/// use std::time::Duration;
///
/// async_std::task::block_on(async {
///     let connector = WebsocketClientConnector::new("ws://127.0.0.1:12345")
///         .with_options(DialOptions::new().connect_timeout(Duration::from_secs(3)));
///     // Usually handed to `ButtplugClient::connect`; here used directly.
///     let (_to_server, _from_server) = Box::new(connector).connect().await?;
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
    /// Dials the server and starts a task that turns messages into frames and back; the task
    /// ends (and closes the socket) when the client drops its sender or the server leaves.
    ///
    /// # Errors
    ///
    /// [`ConnectorError::ConnectFailed`] wrapping the [`TransportError`].
    async fn connect(
        self: Box<Self>,
    ) -> Result<(ConnectorSender, ConnectorReceiver), ConnectorError> {
        let connection = dial_with(&self.url, &self.options)
            .await
            .map_err(|e| ConnectorError::connect_failed(self.url.clone(), e))?;
        let (client, (from_client, to_client)) = connector_pair();
        rt::spawn(relay(connection, from_client, to_client));
        Ok(client)
    }
}

/// Moves messages between the client's channels and the socket's frames.
async fn relay(
    connection: Connection,
    mut from_client: buttplug_core::RemoteReceiver,
    mut to_client: buttplug_core::RemoteSender,
) {
    let (mut outgoing, incoming) = connection.split();
    let mut incoming = incoming.fuse();
    let mut version = SpecVersion::V4;
    'relay: loop {
        futures::select! {
            m = from_client.next() => {
                let Some(mut m) = m else { break };
                // One frame per message (any server reads that), but every message already
                // waiting goes out in the same socket write.
                loop {
                    if let Ok((_, v)) = m.handshake_request() {
                        version = v;
                    }
                    let frame = render_client_frame(std::slice::from_ref(&m));
                    if outgoing.feed(Frame::Text(frame)).await.is_err() {
                        break 'relay;
                    }
                    match from_client.try_recv() {
                        Ok(next) => m = next,
                        // Empty, or closed (the next `next()` ends the relay).
                        Err(_) => break,
                    }
                }
                if outgoing.flush().await.is_err() {
                    break;
                }
            }
            f = incoming.next() => match f {
                Some(Frame::Text(text)) => {
                    for parsed in parse_server_frame(&text, version) {
                        let message = parsed.unwrap_or_else(|e| {
                            tracing::warn!("unparsable message from the server: {e}");
                            let error = ErrorV0::new(
                                e.id().unwrap_or(0),
                                ErrorCode::Msg,
                                format!("unparsable message from the server: {e}"),
                            );
                            ServerMessage::error(error, version)
                        });
                        if to_client.send(message).await.is_err() {
                            break 'relay;
                        }
                    }
                }
                Some(Frame::Binary(_)) => tracing::warn!("binary frame from the server ignored"),
                Some(Frame::Close) | None => break,
            },
        }
    }
    let _ = outgoing.send(Frame::Close).await;
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

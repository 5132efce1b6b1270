//! Dialing out: the client connector (`ws://`, and `wss://` with the `tls` feature), and the
//! reverse mode where a server dials out to a listening client.

use crate::error::TransportError;
use crate::pump::{Connection, spawn_pump};
use crate::rt;
use async_trait::async_trait;
use buttplug_core::{
    ButtplugConnector, ClientMessage, ConnectorError, ConnectorReceiver, ConnectorSender, Frame,
    ServerMessage, SpecVersion, connector_pair, parse_server_frame, render_client_frame,
};
use futures::{SinkExt, StreamExt};
use std::time::Duration;

/// How long connecting (TCP + WebSocket upgrade) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Open a WebSocket to `url` and pump it (no pings from this side; the server pings).
///
/// # Errors
/// Bad URL, unreachable host, failed upgrade, or `wss://` without the `tls` feature.
pub async fn dial(url: &str) -> Result<Connection, TransportError> {
    let (secure, host) = host_of(url)?;
    let attempt = async {
        let tcp = rt::TcpStream::connect(&host)
            .await
            .map_err(|e| TransportError::io(format!("cannot reach {host}"), e))?;
        let _ = tcp.set_nodelay(true);
        let peer = tcp.peer_addr().ok();
        if secure {
            #[cfg(feature = "tls")]
            {
                let domain = host.rsplit_once(':').map_or(host.as_str(), |(d, _)| d);
                let tls = tls::connect(domain, tcp).await?;
                let (ws, _) = async_tungstenite::client_async(url, tls)
                    .await
                    .map_err(|e| TransportError::Handshake(e.to_string()))?;
                return Ok(spawn_pump(ws, None, peer, || {}));
            }
            #[cfg(not(feature = "tls"))]
            return Err(TransportError::TlsNotCompiled);
        }
        let (ws, _) = async_tungstenite::client_async(url, tcp)
            .await
            .map_err(|e| TransportError::Handshake(e.to_string()))?;
        Ok(spawn_pump(ws, None, peer, || {}))
    };
    match rt::timeout(CONNECT_TIMEOUT, attempt).await {
        Some(r) => r,
        None => Err(TransportError::Handshake(format!(
            "no answer from {url} within {CONNECT_TIMEOUT:?}"
        ))),
    }
}

/// A [`ButtplugConnector`] over WebSocket: JSON text frames, one array of messages per frame.
#[derive(Debug, Clone)]
pub struct WebsocketClientConnector {
    url: String,
}

impl WebsocketClientConnector {
    /// A connector for `ws://host:port` (or `wss://` with the `tls` feature).
    pub fn new(url: impl Into<String>) -> Self {
        WebsocketClientConnector { url: url.into() }
    }
}

#[async_trait]
impl ButtplugConnector for WebsocketClientConnector {
    async fn connect(
        self: Box<Self>,
    ) -> Result<(ConnectorSender, ConnectorReceiver), ConnectorError> {
        let connection = dial(&self.url).await.map_err(ConnectorError::transport)?;
        let (client, (mut from_client, mut to_client)) = connector_pair();
        let Connection {
            mut incoming,
            mut outgoing,
            ..
        } = connection;
        rt::spawn(async move {
            // Server frames are parsed at the version the client's handshake asked for.
            let mut version = SpecVersion::V4;
            loop {
                futures::select! {
                    m = from_client.next() => {
                        let Some(m) = m else { break };
                        if let Ok((_, v)) = m.handshake_request() {
                            version = v;
                        }
                        let frame = render_client_frame(std::slice::from_ref(&m));
                        if outgoing.send(Frame::Text(frame)).await.is_err() { break; }
                    }
                    f = incoming.next() => match f {
                        Some(Frame::Text(text)) => {
                            for parsed in parse_server_frame(&text, version) {
                                match parsed {
                                    Ok(m) => if to_client.send(m).await.is_err() { break },
                                    Err(e) => tracing::warn!("unparsable server message: {e}"),
                                }
                            }
                        }
                        Some(Frame::Binary(_)) => tracing::warn!("binary frame from server ignored"),
                        Some(Frame::Close) | None => break,
                    },
                }
            }
            let _ = outgoing.send(Frame::Close).await;
        });
        Ok(client)
    }
}

/// The reverse mode: the server dials out to a client that listens (intiface-engine's
/// `--websocket-client-address`). The returned connection is served like an accepted one.
#[derive(Debug)]
pub struct WebsocketClientTransport;

impl WebsocketClientTransport {
    /// Dial `url` and return the connection.
    ///
    /// # Errors
    /// As for [`dial`].
    pub async fn connect(url: &str) -> Result<Connection, TransportError> {
        dial(url).await
    }
}

#[cfg(feature = "tls")]
mod tls {
    use crate::error::TransportError;
    use crate::rt;
    use futures_rustls::rustls::pki_types::ServerName;
    use futures_rustls::rustls::{ClientConfig, RootCertStore};
    use std::sync::Arc;

    /// TLS over `tcp` to `domain`, verified against the web PKI roots.
    pub(super) async fn connect(
        domain: &str,
        tcp: rt::TcpStream,
    ) -> Result<futures_rustls::client::TlsStream<rt::TcpStream>, TransportError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(futures_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TransportError::Handshake(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name =
            ServerName::try_from(domain.to_string()).map_err(|_| TransportError::BadUrl {
                url: domain.to_string(),
                reason: "not a valid TLS server name",
            })?;
        futures_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| TransportError::io(format!("TLS with {domain}"), e))
    }
}

#[allow(dead_code)]
fn _assert_types(_: ClientMessage, _: ServerMessage) {}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn urls() {
        assert_eq!(
            host_of("ws://127.0.0.1:12345").unwrap(),
            (false, "127.0.0.1:12345".into())
        );
        assert_eq!(
            host_of("ws://localhost/x").unwrap(),
            (false, "localhost:80".into())
        );
        assert_eq!(
            host_of("wss://example.invalid").unwrap(),
            (true, "example.invalid:443".into())
        );
        assert!(host_of("http://x").is_err());
        assert!(host_of("ws://").is_err());
    }
}

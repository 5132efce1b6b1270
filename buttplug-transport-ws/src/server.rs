//! The WebSocket server transport: clients connect to `ws://127.0.0.1:12345` (by default); one
//! client at a time, as upstream does, unless told to take more
//! ([`WebsocketServerTransportBuilder::max_clients`]).

use crate::connection::Connection;
use crate::error::TransportError;
use crate::rt;
use async_tungstenite::tungstenite::Message;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use buttplug_core::v0::ErrorV0;
use buttplug_core::{ErrorCode, ServerMessage, SpecVersion, render_server_frame};
use futures::Stream;
use futures::future::AbortHandle;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

/// The port every Buttplug app expects.
pub const DEFAULT_SERVER_PORT: u16 = 12345;

/// Largest frame accepted from a client by default (1 MiB).
pub const DEFAULT_MAX_FRAME_SIZE: usize = 1 << 20;

/// How long a new socket may take to finish the WebSocket upgrade by default.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the server pings its client by default; a client that misses a ping is dropped.
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(10);

/// Builder of [`WebsocketServerTransport`].
#[derive(Debug, Clone)]
#[non_exhaustive]
#[must_use]
pub struct WebsocketServerTransportBuilder {
    address: SocketAddr,
    max_frame_size: usize,
    handshake_timeout: Duration,
    ping_interval: Option<Duration>,
    max_clients: usize,
}

impl Default for WebsocketServerTransportBuilder {
    fn default() -> Self {
        WebsocketServerTransportBuilder {
            address: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_SERVER_PORT),
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            ping_interval: Some(DEFAULT_PING_INTERVAL),
            max_clients: 1,
        }
    }
}

impl WebsocketServerTransportBuilder {
    /// 127.0.0.1:12345, 1 MiB frames, 5 s handshake timeout, 10 s pings, one client at a time.
    pub fn new() -> Self {
        Self::default()
    }

    /// The port (0 picks a free one; see [`WebsocketServerTransport::local_addr`]).
    pub fn port(mut self, port: u16) -> Self {
        self.address.set_port(port);
        self
    }

    /// Listen on every interface (0.0.0.0) instead of loopback.
    pub fn use_all_interfaces(mut self, all: bool) -> Self {
        self.address.set_ip(if all {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        });
        self
    }

    /// Listen on this address.
    pub fn listen_address(mut self, ip: IpAddr) -> Self {
        self.address.set_ip(ip);
        self
    }

    /// Largest accepted frame.
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// How long a socket may take to finish the WebSocket upgrade.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Ping interval (`None`: no pings).
    pub fn ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.ping_interval = interval;
        self
    }

    /// How many clients may be connected at once (default 1; 0 counts as 1). A client beyond
    /// the count gets an `Error` frame ([`busy_message`]) and is closed. A server shared by
    /// several clients should claim devices: `buttplug_server::ButtplugServerBuilder::max_clients`.
    pub fn max_clients(mut self, clients: usize) -> Self {
        self.max_clients = clients.max(1);
        self
    }

    /// Bind the listener and start accepting. Each socket is upgraded in its own task, so a
    /// peer that never finishes the upgrade holds nothing but its own task until the handshake
    /// timeout drops it.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn bind(self) -> Result<WebsocketServerTransport, TransportError> {
        let listener = rt::TcpListener::bind(self.address)
            .await
            .map_err(|e| TransportError::io(format!("cannot listen on {}", self.address), e))?;
        let local = listener
            .local_addr()
            .map_err(|e| TransportError::io("local address", e))?;
        let (tx, rx) = async_channel::bounded(ACCEPTED_CAPACITY);
        let connected = Arc::new(AtomicUsize::new(0));
        let config = self.clone();
        let slot = connected.clone();
        let (accept_loop, abort) = futures::future::abortable(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        rt::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    break;
                }
                let _ = stream.set_nodelay(true);
                rt::spawn(upgrade(
                    stream,
                    peer,
                    config.clone(),
                    slot.clone(),
                    tx.clone(),
                ));
            }
        });
        rt::spawn(async move {
            let _ = accept_loop.await;
        });
        Ok(WebsocketServerTransport {
            local,
            accepted: Box::pin(rx),
            abort,
        })
    }
}

/// Connections handed to [`WebsocketServerTransport::accept`] that it has not taken yet.
const ACCEPTED_CAPACITY: usize = 4;

async fn upgrade(
    stream: rt::TcpStream,
    peer: SocketAddr,
    config: WebsocketServerTransportBuilder,
    connected: Arc<AtomicUsize>,
    accepted: async_channel::Sender<Connection>,
) {
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(config.max_frame_size))
        .max_frame_size(Some(config.max_frame_size))
        .read_buffer_size(crate::connection::READ_BUFFER_SIZE);
    let upgrade = async_tungstenite::accept_async_with_config(stream, Some(ws_config));
    let mut ws = match rt::timeout(config.handshake_timeout, upgrade).await {
        Some(Ok(ws)) => ws,
        Some(Err(e)) => {
            tracing::info!(%peer, "websocket upgrade failed: {e}");
            return;
        }
        None => {
            tracing::info!(%peer, "websocket upgrade timed out");
            return;
        }
    };
    let max = config.max_clients;
    let taken = connected.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
        (n < max).then_some(n + 1)
    });
    if taken.is_err() {
        tracing::info!(%peer, max, "client rejected: the server has its clients connected");
        let _ = ws.send(Message::Text(busy_frame(max).into())).await;
        let _ = ws.close(None).await;
        return;
    }
    tracing::info!(%peer, "client connected");
    let slot = connected.clone();
    let connection = Connection::new(ws, config.ping_interval, Some(peer), move || {
        tracing::info!(%peer, "client disconnected");
        slot.fetch_sub(1, Ordering::SeqCst);
    })
    .answer_oversized_frames();
    // A connection that is not taken is dropped, which frees its slot (the close callback).
    let _ = accepted.send(connection).await;
}

/// A listening WebSocket server transport.
///
/// Yields accepted connections through [`WebsocketServerTransport::accept`] or as a
/// [`Stream`]. Dropping it stops listening; connections already handed out live on until their
/// ends are dropped.
#[derive(Debug)]
pub struct WebsocketServerTransport {
    local: SocketAddr,
    accepted: Pin<Box<async_channel::Receiver<Connection>>>,
    abort: AbortHandle,
}

impl Drop for WebsocketServerTransport {
    fn drop(&mut self) {
        self.abort.abort();
    }
}

impl Stream for WebsocketServerTransport {
    type Item = Connection;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Connection>> {
        self.accepted.as_mut().poll_next(cx)
    }
}

/// The text of the `Error` a second client gets (one client at a time, the default).
pub const BUSY_MESSAGE: &str =
    "Connection refused: another client is connected to this server (one client at a time)";

/// The text of the `Error` a client gets when `max_clients` clients are connected:
/// [`BUSY_MESSAGE`] for one.
pub fn busy_message(max_clients: usize) -> String {
    if max_clients <= 1 {
        BUSY_MESSAGE.to_string()
    } else {
        format!(
            "Connection refused: {max_clients} clients are connected to this server \
             ({max_clients} clients at a time)"
        )
    }
}

/// The frame a client beyond the count gets before it is closed:
/// `[{"Error":{"Id":0,"ErrorCode":1,...}}]`.
fn busy_frame(max_clients: usize) -> String {
    render_server_frame(&[ServerMessage::error(
        ErrorV0 {
            id: 0,
            error_message: busy_message(max_clients),
            error_code: ErrorCode::Init,
        },
        SpecVersion::V4,
    )])
}

impl WebsocketServerTransport {
    /// A builder: 127.0.0.1:12345 unless told otherwise.
    pub fn builder() -> WebsocketServerTransportBuilder {
        WebsocketServerTransportBuilder::new()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Wait for the next client that gets a slot. While every slot is held (one by default),
    /// others get an `Error` frame and are closed; a slot is free again when its connection
    /// ends.
    ///
    /// # Errors
    /// The listener has stopped.
    pub async fn accept(&self) -> Result<Connection, TransportError> {
        self.accepted
            .recv()
            .await
            .map_err(|_| TransportError::ListenerStopped)
    }
}

//! The WebSocket device server: devices (or device simulators) dial in over WebSocket, compatible
//! with upstream's "websocket device manager" so existing simulators work unchanged.
//!
//! - Listens on 127.0.0.1:54817 by default ([`WebsocketDeviceServerBuilder::listen_address`]).
//! - A device's first frame must be text JSON `{"identifier": .., "address": .., "version": ..}`
//!   (all three required); anything else closes the socket.
//! - The identifier is matched against `websocket` specifiers (normally added in the user config);
//!   the address is the device's identity.
//! - Server → device data goes as binary frames on endpoint `tx`; device → server frames (text or
//!   binary) arrive as notifications on `rx` while it is subscribed. Reads are not supported.
//! - The server pings every 10 s; a device that did not answer the previous ping is removed.

use crate::comm::{
    CommunicationError, CommunicationEvent, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use crate::managers::hardware_events::{EventHub, ReadyConnector, check_endpoint};
use crate::rt;
use async_trait::async_trait;
use async_tungstenite::tungstenite::Message;
use buttplug_devices::config::CommunicationSpecifier;
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The default port of the device WebSocket server.
pub const DEFAULT_DEVICE_WEBSOCKET_PORT: u16 = 54817;

/// How often the server pings a device; a device that misses one is removed.
pub const DEVICE_PING_INTERVAL: Duration = Duration::from_secs(10);

/// How long a new connection may take to finish the WebSocket upgrade and send its handshake.
pub const DEVICE_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Capacity of each device connection's outgoing queue and of each event listener.
pub const DEVICE_SOCKET_CAPACITY: usize = 256;

/// Read buffer of each device socket.
pub const DEVICE_READ_BUFFER: usize = 8 * 1024;

/// Largest frame accepted from a device.
pub const DEVICE_MAX_FRAME: usize = 1 << 20;

/// The first frame a device sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceHandshake {
    /// Matched against `websocket` specifiers (e.g. `"LVSDevice"`).
    pub identifier: String,
    /// The device's persistent identity.
    pub address: String,
    /// Protocol version of the device link (0 today; not checked).
    pub version: u32,
}

impl DeviceHandshake {
    /// Parse the first frame's text.
    ///
    /// # Errors
    /// Invalid JSON or a missing/unknown field.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Builder of the device WebSocket server.
#[derive(Debug, Clone)]
#[must_use]
pub struct WebsocketDeviceServerBuilder {
    address: SocketAddr,
    ping_interval: Duration,
    bound: Arc<Mutex<Option<futures::channel::oneshot::Sender<SocketAddr>>>>,
}

impl Default for WebsocketDeviceServerBuilder {
    fn default() -> Self {
        WebsocketDeviceServerBuilder {
            address: SocketAddr::from(([127, 0, 0, 1], DEFAULT_DEVICE_WEBSOCKET_PORT)),
            ping_interval: DEVICE_PING_INTERVAL,
            bound: Arc::new(Mutex::new(None)),
        }
    }
}

impl WebsocketDeviceServerBuilder {
    /// Default settings (127.0.0.1:54817).
    pub fn new() -> Self {
        Self::default()
    }

    /// Where to listen (port 0 picks a free port; see [`WebsocketDeviceServerBuilder::bound_address`]).
    pub fn listen_address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// How often devices are pinged.
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.ping_interval = interval;
        self
    }

    /// A future that resolves to the address actually bound (useful with port 0).
    pub fn bound_address(&self) -> BoundAddress {
        let (tx, rx) = futures::channel::oneshot::channel();
        *crate::sync::lock(&self.bound) = Some(tx);
        BoundAddress { receiver: rx }
    }
}

/// The address the device WebSocket server bound, once it has; see
/// [`WebsocketDeviceServerBuilder::bound_address`]. A future (no channel type in the API).
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct BoundAddress {
    receiver: futures::channel::oneshot::Receiver<SocketAddr>,
}

/// The device WebSocket server stopped (or failed to bind) before reporting its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the device WebSocket server ended before it bound an address")]
pub struct NotBound;

impl std::future::Future for BoundAddress {
    type Output = Result<SocketAddr, NotBound>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.receiver
            .poll_unpin(cx)
            .map(|r| r.map_err(|_| NotBound))
    }
}

impl DeviceCommunicationManagerBuilder for WebsocketDeviceServerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        let address = self.address;
        let ping = self.ping_interval;
        let bound = crate::sync::lock(&self.bound).take();
        let task = rt::spawn(async move {
            let listener = match rt::TcpListener::bind(address).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!("device websocket server cannot listen on {address}: {e}");
                    return;
                }
            };
            let local = listener.local_addr().unwrap_or(address);
            tracing::info!("device websocket server listening on {local}");
            if let Some(b) = bound {
                let _ = b.send(local);
            }
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("device websocket server accept failed: {e}");
                        rt::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let events = events.clone();
                rt::spawn(async move {
                    if let Err(e) = serve_device(stream, events, ping).await {
                        tracing::info!(%peer, "device connection ended: {e}");
                    }
                });
            }
        });
        Box::new(WebsocketDeviceServer {
            _listener: Mutex::new(Some(task)),
        })
    }
}

/// The running device WebSocket server.
#[derive(Debug)]
pub struct WebsocketDeviceServer {
    _listener: Mutex<Option<rt::Task<()>>>,
}

#[async_trait]
impl DeviceCommunicationManager for WebsocketDeviceServer {
    fn name(&self) -> &'static str {
        "websocket-devices"
    }

    async fn start_scanning(&self) -> Result<(), CommunicationError> {
        // Devices dial in whenever they like; nothing to start.
        Ok(())
    }

    async fn stop_scanning(&self) -> Result<(), CommunicationError> {
        Ok(())
    }

    async fn shutdown(&self) {
        let task = crate::sync::lock(&self._listener).take();
        if let Some(t) = task {
            t.cancel().await;
        }
    }
}

async fn serve_device(
    stream: rt::TcpStream,
    events: CommunicationEventSender,
    ping_interval: Duration,
) -> Result<(), String> {
    // Device frames are a few bytes: a small read buffer (tungstenite zero-fills the free part
    // of it on every read, 128 KiB by default).
    let config = async_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(DEVICE_MAX_FRAME))
        .max_frame_size(Some(DEVICE_MAX_FRAME))
        .read_buffer_size(DEVICE_READ_BUFFER);
    let handshake = async {
        let mut ws = async_tungstenite::accept_async_with_config(stream, Some(config))
            .await
            .map_err(|e| format!("websocket upgrade failed: {e}"))?;
        let first = loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => break t,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(other)) => {
                    let _ = ws.close(None).await;
                    return Err(format!(
                        "first frame must be text JSON, got {}",
                        kind(&other)
                    ));
                }
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("closed before handshake".into()),
            }
        };
        match DeviceHandshake::parse(first.as_str()) {
            Ok(h) => Ok((ws, h)),
            Err(e) => {
                let _ = ws.close(None).await;
                Err(format!("bad handshake: {e}"))
            }
        }
    };
    let (ws, hs) = buttplug_devices::with_timeout(DEVICE_HANDSHAKE_TIMEOUT, handshake)
        .await
        .map_err(|_| "handshake timed out".to_string())??;
    tracing::info!(identifier = %hs.identifier, address = %hs.address, "websocket device connected");
    let (out_tx, out_rx) = async_channel::bounded::<Message>(DEVICE_SOCKET_CAPACITY);
    let hub = Arc::new(EventHub::default());
    let name = format!("Websocket Device {}", hs.identifier);
    let hardware = WebsocketDeviceHardware {
        name: name.clone(),
        address: hs.address.clone(),
        outgoing: out_tx,
        hub: hub.clone(),
    };
    let specifier = CommunicationSpecifier::Websocket {
        name: hs.identifier.clone(),
    };
    events
        .send(CommunicationEvent::DeviceFound {
            name,
            address: hs.address.clone(),
            connector: Box::new(ReadyConnector::new(specifier, hardware)),
        })
        .await
        .map_err(|_| "device manager is gone".to_string())?;
    let result = pump(ws, out_rx, &hub, ping_interval).await;
    hub.disconnected();
    result
}

async fn pump(
    ws: async_tungstenite::WebSocketStream<rt::TcpStream>,
    outgoing: async_channel::Receiver<Message>,
    hub: &EventHub,
    ping_interval: Duration,
) -> Result<(), String> {
    let (mut sink, mut stream) = ws.split();
    let mut pong_seen = true;
    let mut next_ping = std::time::Instant::now() + ping_interval;
    loop {
        let wait = next_ping.saturating_duration_since(std::time::Instant::now());
        futures::select! {
            msg = stream.next().fuse() => match msg {
                // Everything the device sends arrives on `rx` while it is subscribed.
                Some(Ok(Message::Binary(b))) => { hub.notify(Endpoint::Rx, b.to_vec()); }
                Some(Ok(Message::Text(t))) => { hub.notify(Endpoint::Rx, t.as_bytes().to_vec()); }
                Some(Ok(Message::Pong(_))) => pong_seen = true,
                Some(Ok(Message::Ping(_))) => {} // answered by tungstenite
                Some(Ok(Message::Close(_))) | None => return Ok(()),
                Some(Ok(Message::Frame(_))) => {}
                Some(Err(e)) => return Err(e.to_string()),
            },
            out = outgoing.recv().fuse() => match out {
                Ok(m) => sink.send(m).await.map_err(|e| e.to_string())?,
                Err(_) => {
                    let _ = sink.send(Message::Close(None)).await;
                    return Ok(());
                }
            },
            _ = rt::sleep(wait).fuse() => {
                if !pong_seen {
                    return Err("device did not answer ping".into());
                }
                pong_seen = false;
                sink.send(Message::Ping(Vec::new().into())).await.map_err(|e| e.to_string())?;
                next_ping = std::time::Instant::now() + ping_interval;
            }
        }
    }
}

fn kind(m: &Message) -> &'static str {
    match m {
        Message::Text(_) => "text",
        Message::Binary(_) => "binary",
        Message::Ping(_) => "ping",
        Message::Pong(_) => "pong",
        Message::Close(_) => "close",
        Message::Frame(_) => "frame",
    }
}

/// A device connected over the WebSocket device link.
#[derive(Debug, Clone)]
struct WebsocketDeviceHardware {
    name: String,
    address: String,
    outgoing: async_channel::Sender<Message>,
    hub: Arc<EventHub>,
}

#[async_trait]
impl Hardware for WebsocketDeviceHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.address
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::Tx, Endpoint::Rx]
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        _write_with_response: bool,
    ) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Tx)?;
        self.hub.check_connected()?;
        self.outgoing
            .send(Message::Binary(data.to_vec().into()))
            .await
            .map_err(|_| HardwareError::Disconnected)
    }

    async fn read(
        &self,
        _endpoint: Endpoint,
        _length: u32,
        _timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        Err(HardwareError::Unsupported {
            operation: "read over the websocket device link",
        })
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Rx)?;
        self.hub.set_subscribed(endpoint, true);
        Ok(())
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Rx)?;
        self.hub.set_subscribed(endpoint, false);
        Ok(())
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.outgoing.close();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.hub.stream()
    }
}

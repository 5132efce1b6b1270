//! The server: options, the shared device manager, and connections (typed in-process, JSON text
//! frames for remote transports).

use crate::device_manager::DeviceManager;
use crate::port::{Duplex, FramePort, TypedPort};
use crate::rt;
use crate::session::{SESSION_INCOMING_CAPACITY, SESSION_OUTGOING_CAPACITY, Session};
use async_trait::async_trait;
use buttplug_core::{
    BoxFrameTransport, ButtplugConnector, ClientMessage, ConnectorError, Frame, FramePipe,
    ServerMessage, frame_pipe,
};
use futures::{Sink, SinkExt, Stream, StreamExt};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Largest text frame accepted from a client before it is answered with an error unparsed.
pub const MAX_CLIENT_FRAME: usize = 1 << 20;

/// How long a new session may wait for its `RequestServerInfo` before it is answered with an
/// `ERROR_INIT` (Id 0) and closed, so a connection that never speaks cannot hold a transport's
/// client slot.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// Server options.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerOptions {
    /// Name sent in `ServerInfo`.
    pub name: String,
    /// Ping timeout; zero turns pinging off.
    pub max_ping_time: Duration,
    /// Whether raw endpoint commands are served (off by default, as upstream).
    pub allow_raw: bool,
    /// How long a session waits for `RequestServerInfo`; zero waits forever.
    pub handshake_timeout: Duration,
    /// How many clients the server is shared by (at least 1; default 1). Above 1 devices are
    /// claimed: see [`ButtplugServerBuilder::max_clients`]. The count itself is enforced by
    /// the transport (`buttplug_transport_ws::WebsocketServerTransportBuilder::max_clients`).
    pub max_clients: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            name: "Buttplug Server".into(),
            max_ping_time: Duration::ZERO,
            allow_raw: false,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            max_clients: 1,
        }
    }
}

/// Builds a [`ButtplugServer`].
#[derive(Debug, Default)]
#[must_use]
pub struct ButtplugServerBuilder {
    options: ServerOptions,
    device_manager: Option<DeviceManager>,
}

impl ButtplugServerBuilder {
    /// Default options (name "Buttplug Server", no ping, no raw commands).
    pub fn new() -> Self {
        Self::default()
    }

    /// The name sent in `ServerInfo`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.options.name = name.into();
        self
    }

    /// Ping timeout (zero = off).
    pub fn max_ping_time(mut self, time: Duration) -> Self {
        self.options.max_ping_time = time;
        self
    }

    /// Serve raw endpoint commands.
    pub fn allow_raw(mut self, allow: bool) -> Self {
        self.options.allow_raw = allow;
        self
    }

    /// How long a new session waits for `RequestServerInfo` before it is closed with an
    /// `ERROR_INIT` (default [`DEFAULT_HANDSHAKE_TIMEOUT`]; zero waits forever).
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.options.handshake_timeout = timeout;
        self
    }

    /// Share the server by up to `clients` clients at once (default 1; 0 counts as 1). The
    /// transport refuses clients beyond the count; this switches the sessions to sharing:
    ///
    /// - A device is claimed by the first client whose command drives it (outputs, positions,
    ///   raw writes) and released when that client stops the whole device, sends
    ///   `StopAllDevices`, disconnects or misses its ping, or when the device goes away.
    /// - Another client's command that drives or stops a claimed device is refused with an
    ///   `ERROR_DEVICE` naming the device and the client that holds it. Reads, sensor
    ///   subscriptions, scanning and the device list stay open to every client, and every
    ///   client gets every device event.
    /// - `StopAllDevices` stops every device except those other clients hold.
    /// - A client that leaves (or misses its ping) stops only the devices it holds, and stops
    ///   scanning only if it started it.
    ///
    /// A stop from outside the sessions ([`ServerDevice::stop`](crate::ServerDevice::stop):
    /// REST API, emergency stop) is not refused and releases the claim. With 1 (the default)
    /// nothing is claimed and a client that leaves stops every device, as upstream does.
    pub fn max_clients(mut self, clients: usize) -> Self {
        self.options.max_clients = clients.max(1);
        self
    }

    /// The device manager (shared by every session). Without one the server has no devices.
    pub fn device_manager(mut self, device_manager: DeviceManager) -> Self {
        self.device_manager = Some(device_manager);
        self
    }

    /// Build the server. Must be called inside the runtime when no device manager was given
    /// (an empty one is started).
    pub fn finish(self) -> ButtplugServer {
        let device_manager = match self.device_manager {
            Some(d) => d,
            None => crate::DeviceManagerBuilder::new(std::sync::Arc::new(
                buttplug_devices::config::DeviceDatabase::builtin().clone(),
            ))
            .finish()
            .unwrap_or_else(|_| unreachable!("an empty device manager has no duplicate managers")),
        };
        ButtplugServer {
            options: self.options,
            device_manager,
        }
    }
}

/// A Buttplug server. Cheap to clone; every connection gets its own session over the shared
/// device manager.
#[derive(Debug, Clone)]
pub struct ButtplugServer {
    options: ServerOptions,
    device_manager: DeviceManager,
}

impl ButtplugServer {
    /// The options.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// The shared device manager.
    pub fn device_manager(&self) -> &DeviceManager {
        &self.device_manager
    }

    /// Start a typed session: send client messages, receive server messages. Dropping the sender
    /// ends the session (every device is stopped).
    pub fn connect(
        &self,
    ) -> (
        async_channel::Sender<ClientMessage>,
        async_channel::Receiver<ServerMessage>,
    ) {
        let (in_tx, in_rx) = async_channel::bounded(SESSION_INCOMING_CAPACITY);
        let (out_tx, out_rx) = async_channel::bounded(SESSION_OUTGOING_CAPACITY);
        let outgoing = Box::pin(futures::sink::unfold(
            out_tx,
            |tx, m: ServerMessage| async move {
                tx.send(m).await.map_err(|_| ())?;
                Ok::<_, ()>(tx)
            },
        ));
        let session = Session::new(self.options.clone(), self.device_manager.clone());
        rt::spawn(session.run(TypedPort {
            incoming: Box::pin(in_rx),
            outgoing,
        }));
        (in_tx, out_rx)
    }

    /// Start a JSON session: send text frames, receive text frames (one JSON array each).
    pub fn json_connection(
        &self,
    ) -> (
        async_channel::Sender<String>,
        async_channel::Receiver<String>,
    ) {
        let (frames_in_tx, frames_in_rx) =
            async_channel::bounded::<String>(SESSION_INCOMING_CAPACITY);
        let (frames_out_tx, frames_out_rx) =
            async_channel::bounded::<String>(SESSION_OUTGOING_CAPACITY);
        let server = self.clone();
        rt::spawn(async move {
            let incoming = frames_in_rx.map(Frame::Text);
            let outgoing = futures::sink::unfold(frames_out_tx, |tx, frame: Frame| async move {
                if let Frame::Text(t) = frame {
                    tx.send(t).await.map_err(|_| ())?;
                }
                Ok::<_, ()>(tx)
            });
            server
                .serve_frames(Box::pin(incoming), Box::pin(outgoing))
                .await;
        });
        (frames_in_tx, frames_out_rx)
    }

    /// Serve one remote connection of text frames (what a WebSocket transport yields): parse each
    /// frame at the session's spec version (fixed by the first `RequestServerInfo`), answer bad
    /// frames with an `Error` (Id 0 when no Id can be read), render replies and events as frames.
    /// Returns when either side closes; the session then stops every device.
    ///
    /// The session runs in the calling task: frames are parsed, dispatched and answered there,
    /// with no task or channel in between.
    pub async fn serve_frames<I, O>(&self, incoming: I, outgoing: O)
    where
        I: Stream<Item = Frame> + Send + Unpin,
        O: futures::Sink<Frame> + Send + Unpin,
    {
        self.serve_connection(Duplex { incoming, outgoing }).await;
    }

    /// [`ButtplugServer::serve_frames`] for a connection that is both the stream of incoming
    /// frames and the sink of outgoing ones (e.g. `buttplug_transport_ws::Connection`).
    pub async fn serve_connection<C>(&self, connection: C)
    where
        C: Stream<Item = Frame> + futures::Sink<Frame> + Send + Unpin,
    {
        let session = Session::new(self.options.clone(), self.device_manager.clone());
        session.run(FramePort { connection }).await;
    }

    /// An in-process connector for a client in the same process: an in-memory pipe of JSON
    /// text frames, served like a remote connection by a task of the server's runtime.
    pub fn in_process_connector(&self) -> InProcessConnector {
        InProcessConnector {
            server: self.clone(),
        }
    }
}

/// Connects a client to a server in the same process through a [`frame_pipe`]: no socket, but
/// the same JSON frames, codec and spec-version handling as a remote client (the client side of
/// the seam is frames only). Every `connect` opens a new session.
#[derive(Debug, Clone)]
pub struct InProcessConnector {
    server: ButtplugServer,
}

#[async_trait]
impl ButtplugConnector for InProcessConnector {
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        let (client, remote) = frame_pipe();
        let server = self.server.clone();
        rt::spawn(async move { server.serve_connection(PipeConnection(remote)).await });
        Ok(Box::pin(client))
    }
}

/// The server's end of an in-process pipe as the session's [`Frame`]s.
struct PipeConnection(FramePipe);

impl Stream for PipeConnection {
    type Item = Frame;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Frame>> {
        // A broken pipe reads as the client closing.
        self.0
            .poll_next_unpin(cx)
            .map(|frame| frame.map(|f| f.map_or(Frame::Close, Frame::Text)))
    }
}

impl Sink<Frame> for PipeConnection {
    type Error = ConnectorError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready_unpin(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, frame: Frame) -> Result<(), Self::Error> {
        match frame {
            Frame::Text(text) => self.0.start_send_unpin(text),
            // The session sends no binary frames; a close is `poll_close`'s business.
            Frame::Binary(_) | Frame::Close => Ok(()),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_flush_unpin(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_close_unpin(cx)
    }
}

//! One connection: the state the handles share, the request path with its timeout, the handshake
//! (with the fallback to spec v3), and the driver loop that owns the connection's frames.

use crate::device::ButtplugClientDevice;
use crate::error::{ClientError, Result};
use crate::event::{ButtplugClientEvent, EventHub};
use crate::link::Link;
use crate::lock;
use buttplug_core::v0::ErrorV0;
use buttplug_core::v3::ServerMessageV3;
use buttplug_core::v4::ServerMessageV4;
use buttplug_core::{
    ButtplugConnector, ClientMessage, ConnectorError, DeviceInfo, ErrorCode, HandshakeError,
    ServerInfo, ServerMessage, SpecVersion,
};
use futures::channel::oneshot;
use futures::future::Either;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::Poll;
use std::time::Duration;

/// Capacity of the queue from the client handles to the driver (requests).
pub(crate) const REQUEST_QUEUE_CAPACITY: usize = 64;

/// Unanswered pings remembered at most (older ones are forgotten).
const MAX_OUTSTANDING_PINGS: usize = 8;

/// Id of the handshake's `RequestServerInfo`.
const HANDSHAKE_ID: u32 = 1;
/// Id of the handshake's `RequestDeviceList`.
const DEVICE_LIST_ID: u32 = 2;

type Reply = oneshot::Sender<Result<ServerMessage>>;

/// What the handles ask of the driver.
pub(crate) enum Command {
    /// Number the messages, send them in one write, and route their replies (several messages
    /// of one call are one change: the server hands outputs that arrive together to the device
    /// at once).
    SendAll(Vec<(ClientMessage, Reply)>),
    /// Close the connection (after the caller stopped the devices).
    Close { done: oneshot::Sender<()> },
}

/// A device as the session knows it.
#[derive(Debug)]
pub(crate) struct DeviceEntry {
    pub(crate) info: DeviceInfo,
    pub(crate) connected: AtomicBool,
}

impl DeviceEntry {
    fn new(info: DeviceInfo) -> Arc<Self> {
        Arc::new(DeviceEntry {
            info,
            connected: AtomicBool::new(true),
        })
    }
}

/// State shared by the client, its device handles and (weakly) the driver.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) version: SpecVersion,
    pub(crate) server: ServerInfo,
    pub(crate) timeout: Duration,
    commands: async_channel::Sender<Command>,
    connected: AtomicBool,
    devices: std::sync::Mutex<BTreeMap<u32, Arc<DeviceEntry>>>,
}

impl Shared {
    pub(crate) fn connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    pub(crate) fn device_entries(&self) -> Vec<Arc<DeviceEntry>> {
        lock(&self.devices).values().cloned().collect()
    }

    pub(crate) fn device_entry(&self, index: u32) -> Option<Arc<DeviceEntry>> {
        lock(&self.devices).get(&index).cloned()
    }

    /// Sends one request and waits for its reply. An `Error` reply becomes
    /// [`ClientError::Server`].
    pub(crate) async fn request(&self, message: ClientMessage) -> Result<ServerMessage> {
        let name = message.name();
        let mut replies = self.request_all(vec![message]).await?;
        replies
            .pop()
            .ok_or(ClientError::ConnectionClosed { request: name })
    }

    /// Sends several requests back to back (in this order) and waits for every reply, all within
    /// one timeout. The first failure is returned.
    pub(crate) async fn request_all(
        &self,
        messages: Vec<ClientMessage>,
    ) -> Result<Vec<ServerMessage>> {
        let Some(first) = messages.first() else {
            return Ok(Vec::new());
        };
        let name = first.name();
        if !self.connected() {
            return Err(ClientError::NotConnected);
        }
        let exchange = async {
            let mut waiting = Vec::with_capacity(messages.len());
            let mut batch = Vec::with_capacity(messages.len());
            for message in messages {
                let request = message.name();
                let (reply, receiver) = oneshot::channel();
                batch.push((message, reply));
                waiting.push((request, receiver));
            }
            // All at once: the driver writes them together.
            self.commands
                .send(Command::SendAll(batch))
                .await
                .map_err(|_| ClientError::NotConnected)?;
            let mut replies = Vec::with_capacity(waiting.len());
            for (request, receiver) in waiting {
                let reply = receiver
                    .await
                    .map_err(|_| ClientError::ConnectionClosed { request })??;
                if let Some(error) = reply.as_error() {
                    return Err(ClientError::Server {
                        request,
                        error: error.clone(),
                    });
                }
                replies.push(reply);
            }
            Ok(replies)
        };
        with_timeout(exchange, self.timeout, name).await
    }

    /// Sends one request that must be answered with `Ok`.
    pub(crate) async fn request_ok(&self, message: ClientMessage) -> Result<()> {
        let name = message.name();
        let reply = self.request(message).await?;
        expect_ok(name, &reply)
    }

    /// Sends requests that must all be answered with `Ok`.
    pub(crate) async fn request_all_ok(&self, messages: Vec<ClientMessage>) -> Result<()> {
        let names: Vec<&'static str> = messages.iter().map(ClientMessage::name).collect();
        let replies = self.request_all(messages).await?;
        names
            .into_iter()
            .zip(&replies)
            .try_for_each(|(name, reply)| expect_ok(name, reply))
    }

    /// Asks the driver to close the connection and waits (within the timeout) until it did.
    pub(crate) async fn close(&self) {
        let (done, finished) = oneshot::channel();
        let closing = async {
            if self.commands.send(Command::Close { done }).await.is_ok() {
                let _ = finished.await;
            }
            Ok(())
        };
        if with_timeout(closing, self.timeout, "Disconnect")
            .await
            .is_err()
        {
            tracing::warn!("the client driver did not confirm the disconnect (is it running?)");
        }
        self.mark_disconnected();
        self.commands.close();
    }

    fn mark_disconnected(&self) {
        self.connected.store(false, Ordering::Release);
        let devices = std::mem::take(&mut *lock(&self.devices));
        for entry in devices.values() {
            entry.connected.store(false, Ordering::Release);
        }
    }
}

/// `Ok` → `()`, anything else → [`ClientError::UnexpectedReply`].
pub(crate) fn expect_ok(request: &'static str, reply: &ServerMessage) -> Result<()> {
    if reply.is_ok() {
        Ok(())
    } else {
        Err(ClientError::UnexpectedReply {
            request,
            reply: reply.name(),
        })
    }
}

/// Runs `future`, failing with [`ClientError::Timeout`] after `timeout`.
pub(crate) async fn with_timeout<T>(
    future: impl Future<Output = Result<T>>,
    timeout: Duration,
    request: &'static str,
) -> Result<T> {
    let future = std::pin::pin!(future);
    match futures::future::select(future, async_io::Timer::after(timeout)).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(ClientError::Timeout { request, timeout }),
    }
}

/// Handshake settings.
pub(crate) struct Handshake<'a> {
    pub(crate) client_name: &'a str,
    /// The version to ask for first.
    pub(crate) version: SpecVersion,
    /// Retry at v3 (on a new connection) when a v4 handshake is refused.
    pub(crate) fallback_to_v3: bool,
    pub(crate) timeout: Duration,
    pub(crate) events: Arc<EventHub>,
}

/// A connection after its handshake.
pub(crate) struct Connected {
    pub(crate) shared: Arc<Shared>,
    pub(crate) driver: Driver,
    /// The server's device list, to announce with [`Driver::replace_devices`].
    pub(crate) devices: Vec<DeviceInfo>,
}

/// Opens a connection, runs the handshake and reads the initial device list; returns the shared
/// state and the driver that must run for anything else to happen.
///
/// A v4 handshake that the server refuses (an `Error`, a `ServerInfo` announcing an older spec,
/// or no reply within [`V4_HANDSHAKE_GRACE`]) is retried at v3 on a new connection when
/// `fallback_to_v3` is set: a server fixes a connection's version with the first message, so
/// the refused connection is not reused.
pub(crate) async fn connect(
    connector: &dyn ButtplugConnector,
    settings: &Handshake<'_>,
) -> Result<Connected> {
    match attempt(connector, settings, settings.version).await {
        Err(e) if settings.version == SpecVersion::V4 && settings.fallback_to_v3 && refused(&e) => {
            tracing::info!("the server refused spec v4 ({e:?}); retrying at v3");
            // Upstream's engine listens for one connection at a time and opens its listener
            // again only after the refused connection ended: a new connection may be refused
            // for a moment, so it is dialled again for a while.
            let deadline = std::time::Instant::now() + FALLBACK_REDIAL;
            loop {
                match attempt(connector, settings, SpecVersion::V3).await {
                    Err(ClientError::Connector(e)) if std::time::Instant::now() < deadline => {
                        tracing::debug!("the v3 connection failed ({e}); dialling again");
                        async_io::Timer::after(FALLBACK_REDIAL_STEP).await;
                    }
                    other => return other,
                }
            }
        }
        other => other,
    }
}

/// How long the v3 connection of a fallback is dialled again while it fails, and how often.
const FALLBACK_REDIAL: Duration = Duration::from_secs(2);
const FALLBACK_REDIAL_STEP: Duration = Duration::from_millis(50);

/// How long a v4 `RequestServerInfo` may go unanswered before a client that may fall back
/// retries at v3. Servers reply within milliseconds; pre-v4 upstream servers never reply.
pub(crate) const V4_HANDSHAKE_GRACE: Duration = Duration::from_secs(2);

/// Whether a handshake failure means "this server does not speak this version".
fn refused(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Handshake(
            HandshakeError::Refused(_)
                | HandshakeError::ServerVersionTooOld { .. }
                | HandshakeError::Unanswered { .. }
        )
    )
}

/// One connection attempt at `version`.
async fn attempt(
    connector: &dyn ButtplugConnector,
    settings: &Handshake<'_>,
    version: SpecVersion,
) -> Result<Connected> {
    let timeout = settings.timeout;
    let frames = with_timeout(
        async { connector.connect().await.map_err(ClientError::from) },
        timeout,
        "connect",
    )
    .await?;
    let mut link = Link::new(frames, version);
    let result = handshake(&mut link, settings, version).await;
    let (server, devices, backlog) = match result {
        Ok(done) => done,
        Err(e) => {
            link.close().await;
            return Err(e);
        }
    };

    tracing::debug!(
        server = %server.server_name,
        max_ping_time_ms = server.max_ping_time_ms,
        %version,
        devices = devices.len(),
        "connected"
    );
    let ping_interval = (server.max_ping_time_ms > 0).then(|| {
        Duration::from_millis(u64::from(server.max_ping_time_ms) / 2).max(Duration::from_millis(1))
    });
    let (commands, command_receiver) = async_channel::bounded(REQUEST_QUEUE_CAPACITY);
    let shared = Arc::new(Shared {
        version,
        server,
        timeout,
        commands,
        connected: AtomicBool::new(true),
        devices: std::sync::Mutex::new(BTreeMap::new()),
    });
    let driver = Driver {
        shared: Arc::downgrade(&shared),
        events: settings.events.clone(),
        version,
        link,
        commands: Box::pin(command_receiver),
        pending: HashMap::new(),
        pings: VecDeque::new(),
        next_id: DEVICE_LIST_ID + 1,
        ping_interval,
        backlog,
    };
    Ok(Connected {
        shared,
        driver,
        devices,
    })
}

/// `RequestServerInfo` / `ServerInfo`, then `RequestDeviceList` / `DeviceList`; returns the
/// server, its devices and the events that arrived meanwhile.
async fn handshake(
    link: &mut Link,
    settings: &Handshake<'_>,
    version: SpecVersion,
) -> Result<(ServerInfo, Vec<DeviceInfo>, Vec<ServerMessage>)> {
    let timeout = settings.timeout;
    let mut backlog = Vec::new();
    let request = ClientMessage::request_server_info(HANDSHAKE_ID, settings.client_name, version);
    // A server older than v4 may say nothing at all to a v4 handshake; with the fallback on,
    // silence is a refusal after a short wait.
    let probing_v4 = version == SpecVersion::V4 && settings.fallback_to_v3;
    let wait = if probing_v4 {
        timeout.min(V4_HANDSHAKE_GRACE)
    } else {
        timeout
    };
    let reply = match exchange(link, request, &mut backlog, wait, true).await {
        Err(ClientError::Timeout { .. }) if probing_v4 => {
            let waited_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            return Err(HandshakeError::Unanswered { waited_ms }.into());
        }
        reply => reply?,
    };
    if let Some(error) = reply.as_error() {
        return Err(HandshakeError::Refused(error.clone()).into());
    }
    let Some((server, announced)) = ServerInfo::from_message(&reply) else {
        return Err(HandshakeError::UnexpectedReply {
            received: reply.name(),
        }
        .into());
    };
    if announced < version as u32 {
        return Err(HandshakeError::ServerVersionTooOld {
            server: announced,
            required: version,
        }
        .into());
    }

    let request = ClientMessage::request_device_list(DEVICE_LIST_ID, version);
    let reply = exchange(link, request, &mut backlog, timeout, false).await?;
    if let Some(error) = reply.as_error() {
        return Err(ClientError::Server {
            request: "RequestDeviceList",
            error: error.clone(),
        });
    }
    let Some(devices) = device_list(&reply) else {
        return Err(ClientError::UnexpectedReply {
            request: "RequestDeviceList",
            reply: reply.name(),
        });
    };
    // Device events that arrived before the list are already reflected in it.
    backlog.retain(|m| !is_device_event(m));
    Ok((server, devices, backlog))
}

/// Sends `request` and reads until its reply, keeping events (Id 0) for later. With
/// `id0_error_answers`, an `Error` with Id 0 is taken as the answer (a server that could not
/// read the request's Id, e.g. one that does not know this spec version's handshake).
async fn exchange(
    link: &mut Link,
    request: ClientMessage,
    backlog: &mut Vec<ServerMessage>,
    timeout: Duration,
    id0_error_answers: bool,
) -> Result<ServerMessage> {
    let name = request.name();
    let id = request.id();
    let work = async {
        link.send(&request).await.map_err(ClientError::Connector)?;
        loop {
            match link.next().await {
                None => return Err(ClientError::Connector(ConnectorError::Closed)),
                Some(m) if m.id() == id => return Ok(m),
                Some(m) if m.id() == 0 && id0_error_answers && m.as_error().is_some() => {
                    return Ok(m);
                }
                Some(m) if m.id() == 0 => backlog.push(m),
                Some(m) => tracing::debug!("ignoring {} with unknown Id {}", m.name(), m.id()),
            }
        }
    };
    with_timeout(work, timeout, name).await
}

fn device_list(message: &ServerMessage) -> Option<Vec<DeviceInfo>> {
    match message {
        ServerMessage::V4(ServerMessageV4::DeviceList(l)) => {
            Some(l.devices.values().map(DeviceInfo::from_v4).collect())
        }
        ServerMessage::V3(ServerMessageV3::DeviceList(l)) => {
            Some(l.devices.iter().map(DeviceInfo::from_v3).collect())
        }
        _ => None,
    }
}

fn is_device_event(message: &ServerMessage) -> bool {
    matches!(
        message,
        ServerMessage::V4(ServerMessageV4::DeviceList(_))
            | ServerMessage::V3(
                ServerMessageV3::DeviceAdded(_) | ServerMessageV3::DeviceRemoved(_)
            )
    )
}

enum Pending {
    /// A request of a client or device handle.
    Request { name: &'static str, reply: Reply },
    /// A request the driver made itself (the rescan after a reconnect); an `Error` reply
    /// becomes an error event.
    Internal { name: &'static str },
}

enum End {
    /// `disconnect()` (with its acknowledgement) or every handle dropped.
    Local(Option<oneshot::Sender<()>>),
    /// The server closed the connection or the transport failed.
    Remote,
}

/// The connection's event loop: numbers and sends requests, matches replies to them by Id,
/// turns server events into client events, and pings.
pub(crate) struct Driver {
    shared: Weak<Shared>,
    events: Arc<EventHub>,
    version: SpecVersion,
    link: Link,
    commands: std::pin::Pin<Box<async_channel::Receiver<Command>>>,
    pending: HashMap<u32, Pending>,
    pings: VecDeque<u32>,
    next_id: u32,
    ping_interval: Option<Duration>,
    backlog: Vec<ServerMessage>,
}

impl Driver {
    /// Runs the connection until it ends; `true` when the server (or the transport) ended it,
    /// `false` when the client did.
    pub(crate) async fn run(mut self) -> bool {
        for message in std::mem::take(&mut self.backlog) {
            self.handle_incoming(message);
        }
        let mut ping: BoxStream<'static, ()> = match self.ping_interval {
            Some(period) => async_io::Timer::interval(period).map(|_| ()).boxed(),
            None => futures::stream::pending().boxed(),
        };
        let end = loop {
            // Replies first, then new requests, then the ping timer. (Polled by hand: `select!`
            // would silently skip the request queue once it is closed, and miss the end.)
            let step = futures::future::poll_fn(|cx| {
                if let Poll::Ready(message) = self.link.poll_next(cx) {
                    return Poll::Ready(Step::Incoming(message));
                }
                if let Poll::Ready(command) = self.commands.as_mut().poll_next(cx) {
                    return Poll::Ready(Step::Command(command));
                }
                if let Poll::Ready(Some(())) = ping.poll_next_unpin(cx) {
                    return Poll::Ready(Step::Ping);
                }
                Poll::Pending
            })
            .await;
            match step {
                Step::Incoming(Some(message)) => self.handle_incoming(message),
                Step::Incoming(None) => break End::Remote,
                Step::Command(Some(first @ Command::SendAll(_))) => {
                    // Every request already waiting goes out in the same write.
                    let mut close = None;
                    let mut next = Some(first);
                    while let Some(command) = next.take().or_else(|| self.commands.try_recv().ok())
                    {
                        match command {
                            Command::SendAll(batch) => {
                                for (message, reply) in batch {
                                    self.feed_request(message, reply).await;
                                }
                            }
                            Command::Close { done } => {
                                close = Some(done);
                                break;
                            }
                        }
                    }
                    if let Err(e) = self.link.flush().await {
                        tracing::debug!("sending failed: {e}");
                    }
                    if let Some(done) = close {
                        break End::Local(Some(done));
                    }
                }
                Step::Command(Some(Command::Close { done })) => break End::Local(Some(done)),
                Step::Command(None) => break End::Local(None),
                Step::Ping => self.send_ping().await,
            }
        };
        let remote = matches!(end, End::Remote);
        self.finish(end).await;
        remote
    }

    fn take_id(&mut self) -> u32 {
        loop {
            let id = self.next_id;
            self.next_id = self.next_id.checked_add(1).unwrap_or(1);
            if id != 0 && !self.pending.contains_key(&id) && !self.pings.contains(&id) {
                return id;
            }
        }
    }

    /// Numbers `message` and queues it (sent at the next flush); its reply will go to `reply`.
    async fn feed_request(&mut self, mut message: ClientMessage, reply: Reply) {
        if reply.is_canceled() {
            return;
        }
        // Forget requests whose caller gave up (timeout or dropped future).
        self.pending.retain(|_, p| match p {
            Pending::Request { reply, .. } => !reply.is_canceled(),
            Pending::Internal { .. } => true,
        });
        let id = self.take_id();
        message.set_id(id);
        let name = message.name();
        tracing::trace!(id, name, "sending");
        if self.link.feed(&message).await.is_err() {
            let _ = reply.send(Err(ClientError::ConnectionClosed { request: name }));
            return;
        }
        self.pending.insert(id, Pending::Request { name, reply });
    }

    /// Sends a request of the driver's own (its reply only matters when it is an `Error`).
    pub(crate) async fn send_internal(&mut self, mut message: ClientMessage) {
        let id = self.take_id();
        message.set_id(id);
        let name = message.name();
        if self.link.send(&message).await.is_ok() {
            self.pending.insert(id, Pending::Internal { name });
        }
    }

    async fn send_ping(&mut self) {
        let id = self.take_id();
        if self
            .link
            .send(&ClientMessage::ping(id, self.version))
            .await
            .is_ok()
        {
            self.pings.push_back(id);
            while self.pings.len() > MAX_OUTSTANDING_PINGS {
                self.pings.pop_front();
            }
        }
    }

    fn emit(&self, event: ButtplugClientEvent) {
        self.events.emit(event);
    }

    fn handle_incoming(&mut self, message: ServerMessage) {
        let id = message.id();
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        if let Some(devices) = device_list(&message) {
            // A DeviceList is both a reply (request Id) and, at v4, the device event (Id 0).
            self.replace_devices(&shared, devices);
        }
        if id != 0 {
            self.handle_reply(id, message);
            return;
        }
        match message {
            ServerMessage::V4(ServerMessageV4::DeviceList(_)) => {}
            ServerMessage::V3(ServerMessageV3::DeviceAdded(added)) => {
                let info = DeviceInfo::from_v3(&added.to_info());
                self.add_device(&shared, info);
            }
            ServerMessage::V3(ServerMessageV3::DeviceRemoved(removed)) => {
                let entry = lock(&shared.devices).remove(&removed.device_index);
                if let Some(entry) = entry {
                    self.remove_device(&shared, entry);
                }
            }
            ServerMessage::V4(ServerMessageV4::ScanningFinished(_))
            | ServerMessage::V3(ServerMessageV3::ScanningFinished(_)) => {
                self.emit(ButtplugClientEvent::ScanningFinished);
            }
            ServerMessage::V4(ServerMessageV4::InputReading(r)) => {
                self.emit(ButtplugClientEvent::InputReading {
                    device_index: r.device_index,
                    feature_index: r.feature_index,
                    input_type: r.reading.input_type(),
                    value: r.reading.value(),
                });
            }
            ServerMessage::V3(ServerMessageV3::SensorReading(r)) => {
                let feature = shared.device_entry(r.device_index).and_then(|entry| {
                    let spaces = entry.info.v3_sensor_subscribe_features();
                    let at = usize::try_from(r.sensor_index).ok()?;
                    spaces.get(at).copied()
                });
                match (feature, r.data.first()) {
                    (Some((feature_index, input_type)), Some(value)) => {
                        self.emit(ButtplugClientEvent::InputReading {
                            device_index: r.device_index,
                            feature_index,
                            input_type,
                            value: *value,
                        });
                    }
                    _ => tracing::debug!(
                        "SensorReading for unknown sensor {} of device {}",
                        r.sensor_index,
                        r.device_index
                    ),
                }
            }
            ServerMessage::V3(ServerMessageV3::RawReading(r)) => {
                self.emit(ButtplugClientEvent::RawReading {
                    device_index: r.device_index,
                    endpoint: r.endpoint,
                    data: r.data,
                });
            }
            other => match other.as_error() {
                Some(error) => self.server_error_event(error.clone()),
                None => {
                    tracing::warn!("unexpected {} event from the server", other.name());
                    self.emit(ButtplugClientEvent::Error(ClientError::UnexpectedReply {
                        request: "(event)",
                        reply: other.name(),
                    }));
                }
            },
        }
    }

    fn server_error_event(&self, error: ErrorV0) {
        if error.error_code == ErrorCode::Ping {
            self.emit(ButtplugClientEvent::PingTimeout);
        } else {
            self.emit(ButtplugClientEvent::Error(ClientError::Server {
                request: "(event)",
                error,
            }));
        }
    }

    fn handle_reply(&mut self, id: u32, message: ServerMessage) {
        match self.pending.remove(&id) {
            Some(Pending::Request { reply, .. }) => {
                let _ = reply.send(Ok(message));
                return;
            }
            Some(Pending::Internal { name }) => {
                if let Some(error) = message.as_error() {
                    self.emit(ButtplugClientEvent::Error(ClientError::Server {
                        request: name,
                        error: error.clone(),
                    }));
                }
                return;
            }
            None => {}
        }
        if let Some(at) = self.pings.iter().position(|p| *p == id) {
            self.pings.remove(at);
            if let Some(error) = message.as_error() {
                self.server_error_event(error.clone());
            }
            return;
        }
        tracing::debug!(
            id,
            "{} answers no waiting request (timed out?)",
            message.name()
        );
    }

    /// Makes `devices` the session's device list: devices that are gone or changed are
    /// announced as removed, new ones as added.
    pub(crate) fn replace_devices(&self, shared: &Arc<Shared>, devices: Vec<DeviceInfo>) {
        let new: BTreeMap<u32, DeviceInfo> = devices.into_iter().map(|d| (d.index, d)).collect();
        let mut removed = Vec::new();
        let mut added = Vec::new();
        {
            let mut map = lock(&shared.devices);
            let gone: Vec<u32> = map
                .iter()
                .filter(|(index, entry)| new.get(index) != Some(&entry.info))
                .map(|(index, _)| *index)
                .collect();
            for index in gone {
                if let Some(entry) = map.remove(&index) {
                    removed.push(entry);
                }
            }
            for (index, info) in new {
                if let std::collections::btree_map::Entry::Vacant(slot) = map.entry(index) {
                    let entry = DeviceEntry::new(info);
                    slot.insert(entry.clone());
                    added.push(entry);
                }
            }
        }
        for entry in removed {
            self.remove_device(shared, entry);
        }
        for entry in added {
            self.emit(ButtplugClientEvent::DeviceAdded(ButtplugClientDevice::new(
                shared.clone(),
                entry,
            )));
        }
    }

    fn add_device(&self, shared: &Arc<Shared>, info: DeviceInfo) {
        let entry = DeviceEntry::new(info);
        let previous = lock(&shared.devices).insert(entry.info.index, entry.clone());
        if let Some(previous) = previous {
            self.remove_device(shared, previous);
        }
        self.emit(ButtplugClientEvent::DeviceAdded(ButtplugClientDevice::new(
            shared.clone(),
            entry,
        )));
    }

    fn remove_device(&self, shared: &Arc<Shared>, entry: Arc<DeviceEntry>) {
        entry.connected.store(false, Ordering::Release);
        self.emit(ButtplugClientEvent::DeviceRemoved(
            ButtplugClientDevice::new(shared.clone(), entry),
        ));
    }

    async fn finish(&mut self, end: End) {
        if let Some(shared) = self.shared.upgrade() {
            shared.mark_disconnected();
        }
        self.commands.close();
        while let Ok(command) = self.commands.try_recv() {
            match command {
                Command::SendAll(batch) => {
                    for (_, reply) in batch {
                        let _ = reply.send(Err(ClientError::NotConnected));
                    }
                }
                Command::Close { done } => {
                    let _ = done.send(());
                }
            }
        }
        for (_, pending) in self.pending.drain() {
            if let Pending::Request { name, reply } = pending {
                let _ = reply.send(Err(ClientError::ConnectionClosed { request: name }));
            }
        }
        self.link.close().await;
        match end {
            End::Local(done) => {
                tracing::debug!("client disconnected");
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
            End::Remote => {
                tracing::debug!("server closed the connection");
                self.emit(ButtplugClientEvent::ServerDisconnect);
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Also covers a driver that is dropped without running to its end.
        if let Some(shared) = self.shared.upgrade() {
            shared.mark_disconnected();
        }
    }
}

// A transient value on the driver's stack; boxing the message would allocate per message.
#[allow(clippy::large_enum_variant)]
enum Step {
    Incoming(Option<ServerMessage>),
    Command(Option<Command>),
    Ping,
}

//! The client handle, its builder and the driver future.

use crate::device::ButtplugClientDevice;
use crate::error::{ClientError, Result};
use crate::event::{ButtplugClientEvent, EVENT_STREAM_CAPACITY, EventHub, EventStream};
use crate::lock;
use crate::reconnect::ReconnectPolicy;
use crate::session::{self, Connected, Driver, Handshake, Shared};
use buttplug_core::v0::StopAllDevicesV0;
use buttplug_core::v3::ClientMessageV3;
use buttplug_core::v4::{ClientMessageV4, StopCmdV4};
use buttplug_core::{ButtplugConnector, ClientMessage, SpecVersion};
use futures::future::BoxFuture;
use futures::future::Either;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

/// Default time a request may wait for its reply.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Builder of a [`ButtplugClient`]; see [`ButtplugClient::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ButtplugClientBuilder {
    name: String,
    spec_version: SpecVersion,
    fallback_to_v3: bool,
    request_timeout: Duration,
    event_capacity: usize,
    reconnect: Option<ReconnectPolicy>,
}

impl ButtplugClientBuilder {
    /// The spec version to ask for: [`SpecVersion::V4`] (default) or [`SpecVersion::V3`] for
    /// servers older than the v4 spec (buttplug-rs before 10, intiface-engine before 4).
    ///
    /// A v4 client falls back to v3 on its own when the server refuses the v4 handshake (see
    /// [`ButtplugClientBuilder::fallback_to_v3`]); [`ButtplugClient::server_spec_version`]
    /// tells which version the connection speaks.
    pub fn spec_version(mut self, version: SpecVersion) -> Self {
        self.spec_version = version;
        self
    }

    /// Whether a refused v4 handshake is retried at v3 (default `true`).
    ///
    /// A server fixes a connection's spec version with its first message, so the retry opens a
    /// new connection through the connector. "Refused" means the server answered
    /// `RequestServerInfo` with an `Error` (with its Id or Id 0) or with a `ServerInfo` that
    /// announces a spec older than v4, or did not answer within 2 s (or the request timeout,
    /// if shorter): upstream's servers before v4 (buttplug-rs 9 and older, the engine of
    /// Intiface Central 2) drop the v4 request without a reply, so connecting to them takes
    /// those 2 s longer; ask for [`SpecVersion::V3`] to skip them. With `false`, such a server
    /// fails the connect with [`ClientError::Handshake`] (or [`ClientError::Timeout`] when it
    /// stays silent).
    pub fn fallback_to_v3(mut self, fallback: bool) -> Self {
        self.fallback_to_v3 = fallback;
        self
    }

    /// Re-dial when the connection is lost (default: off).
    ///
    /// When the server closes the connection or the transport fails, the driver emits
    /// [`ButtplugClientEvent::ServerDisconnect`], then dials again through the same connector
    /// with capped exponential backoff ([`ButtplugClientEvent::Reconnecting`] before each
    /// attempt), runs the handshake again, and on success emits
    /// [`ButtplugClientEvent::Reconnected`] followed by a
    /// [`ButtplugClientEvent::DeviceAdded`] for every device of the server's list (new
    /// handles: the old ones stay disconnected). If the app had started scanning (and not
    /// stopped), scanning is started again so devices that the new server has not found yet
    /// come back. When the policy's attempts run out, the driver emits
    /// [`ButtplugClientEvent::ReconnectFailed`] and ends. [`ButtplugClient::disconnect`] stops
    /// the re-dialing. A connection the client
    /// closes itself is never re-dialed.
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = Some(policy);
        self
    }

    /// How long each request (and the connect and handshake steps) may wait for the server
    /// (default [`DEFAULT_REQUEST_TIMEOUT`]).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Capacity of each [`EventStream`] (default [`EVENT_STREAM_CAPACITY`], at least 1).
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity;
        self
    }

    /// The client.
    pub fn build(self) -> ButtplugClient {
        ButtplugClient {
            inner: Arc::new(Inner {
                events: Arc::new(EventHub::new(self.event_capacity)),
                name: self.name,
                spec_version: self.spec_version,
                fallback_to_v3: self.fallback_to_v3,
                request_timeout: self.request_timeout,
                reconnect: self.reconnect,
                scanning: Arc::new(AtomicBool::new(false)),
                session: Mutex::new(None),
                stop_redial: Mutex::new(None),
            }),
        }
    }
}

struct Inner {
    name: String,
    spec_version: SpecVersion,
    fallback_to_v3: bool,
    request_timeout: Duration,
    reconnect: Option<ReconnectPolicy>,
    events: Arc<EventHub>,
    /// The app started scanning and did not stop: re-sent after a reconnect.
    scanning: Arc<AtomicBool>,
    session: Mutex<Option<Arc<Shared>>>,
    /// Dropping this sender stops the current driver's re-dialing.
    stop_redial: Mutex<Option<async_channel::Sender<()>>>,
}

impl Inner {
    fn handshake(&self) -> Handshake<'_> {
        Handshake {
            client_name: &self.name,
            version: self.spec_version,
            fallback_to_v3: self.fallback_to_v3,
            timeout: self.request_timeout,
            events: self.events.clone(),
        }
    }
}

/// A connection to a Buttplug server.
///
/// Cheap to clone; clones share the connection. See the [crate docs](crate) for the life cycle
/// and the driver future.
#[derive(Clone)]
pub struct ButtplugClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for ButtplugClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ButtplugClient")
            .field("name", &self.inner.name)
            .field("spec_version", &self.inner.spec_version)
            .field("connected", &self.connected())
            .finish()
    }
}

impl ButtplugClient {
    /// A client that introduces itself as `name`, speaks spec v4 and waits
    /// [`DEFAULT_REQUEST_TIMEOUT`] for replies.
    pub fn new(name: impl Into<String>) -> Self {
        Self::builder(name).build()
    }

    /// A builder for a client named `name`.
    pub fn builder(name: impl Into<String>) -> ButtplugClientBuilder {
        ButtplugClientBuilder {
            name: name.into(),
            spec_version: SpecVersion::V4,
            fallback_to_v3: true,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            event_capacity: EVENT_STREAM_CAPACITY,
            reconnect: None,
        }
    }

    /// The name the client introduces itself with.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The spec version the client asks for first (see
    /// [`ButtplugClient::server_spec_version`] for the one a connection speaks).
    pub fn spec_version(&self) -> SpecVersion {
        self.inner.spec_version
    }

    /// The spec version the current connection speaks (after a fallback, [`SpecVersion::V3`]),
    /// while connected.
    pub fn server_spec_version(&self) -> Option<SpecVersion> {
        self.session().ok().map(|s| s.version)
    }

    /// Connects through `connector`, runs the handshake and reads the initial device list.
    ///
    /// Returns the [`ClientDriver`]: the future that runs the connection. **Spawn it** (or poll
    /// it alongside your code); until it runs, requests time out and no events arrive. It ends
    /// when the connection ends.
    ///
    /// A client can connect again after a disconnect. The connector is kept for a v3 retry
    /// (see [`ButtplugClientBuilder::fallback_to_v3`]) and for re-dialing (see
    /// [`ButtplugClientBuilder::reconnect`]).
    ///
    /// # Errors
    ///
    /// [`ClientError::AlreadyConnected`], [`ClientError::UnsupportedSpecVersion`] (below v3),
    /// [`ClientError::Connector`] when connecting fails, [`ClientError::Handshake`] when the
    /// server refuses or answers something else than `ServerInfo` (a server older than the
    /// requested spec gives `HandshakeError::ServerVersionTooOld` or a refusal; after a v3
    /// fallback, the error of the v3 attempt), [`ClientError::Timeout`],
    /// [`ClientError::Server`] when the device list is refused.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes closes whatever connection was opened.
    pub async fn connect(
        &self,
        connector: impl ButtplugConnector + 'static,
    ) -> Result<ClientDriver> {
        self.connect_shared(Arc::new(connector)).await
    }

    /// [`ButtplugClient::connect`] for a connector chosen at run time.
    ///
    /// # Errors
    ///
    /// As [`ButtplugClient::connect`].
    pub async fn connect_boxed(
        &self,
        connector: Box<dyn ButtplugConnector>,
    ) -> Result<ClientDriver> {
        self.connect_shared(Arc::from(connector)).await
    }

    async fn connect_shared(&self, connector: Arc<dyn ButtplugConnector>) -> Result<ClientDriver> {
        let version = self.inner.spec_version;
        if version < SpecVersion::V3 {
            return Err(ClientError::UnsupportedSpecVersion { version });
        }
        if self.connected() {
            return Err(ClientError::AlreadyConnected);
        }
        self.inner.scanning.store(false, Ordering::Release);
        let Connected {
            shared,
            driver,
            devices,
        } = session::connect(&*connector, &self.inner.handshake()).await?;
        let (stop, stopped) = async_channel::bounded::<()>(1);
        {
            let mut slot = lock(&self.inner.session);
            if slot.as_ref().is_some_and(|s| s.connected()) {
                return Err(ClientError::AlreadyConnected);
            }
            *slot = Some(shared.clone());
            // Also stops the re-dialing of an earlier connection's driver, if any.
            *lock(&self.inner.stop_redial) = Some(stop);
        }
        driver.replace_devices(&shared, devices);
        Ok(ClientDriver {
            future: Box::pin(drive(
                Arc::downgrade(&self.inner),
                connector,
                driver,
                stopped,
            )),
        })
    }

    fn session(&self) -> Result<Arc<Shared>> {
        lock(&self.inner.session)
            .as_ref()
            .filter(|s| s.connected())
            .cloned()
            .ok_or(ClientError::NotConnected)
    }

    /// Whether the client is connected.
    pub fn connected(&self) -> bool {
        lock(&self.inner.session)
            .as_ref()
            .is_some_and(|s| s.connected())
    }

    /// The server's name, while connected.
    pub fn server_name(&self) -> Option<String> {
        self.session().ok().map(|s| s.server.server_name.clone())
    }

    /// The server's ping deadline, while connected (`None` when the server needs no ping). The
    /// driver pings at half this interval.
    pub fn max_ping_time(&self) -> Option<Duration> {
        self.session()
            .ok()
            .map(|s| s.server.max_ping_time_ms)
            .filter(|ms| *ms > 0)
            .map(|ms| Duration::from_millis(u64::from(ms)))
    }

    /// A new, independent stream of events. Streams made before `connect` see the initial
    /// devices as `DeviceAdded`; streams survive reconnects.
    pub fn event_stream(&self) -> EventStream {
        self.inner.events.subscribe()
    }

    /// The connected devices, by ascending index (empty when not connected).
    pub fn devices(&self) -> Vec<ButtplugClientDevice> {
        match self.session() {
            Ok(shared) => shared
                .device_entries()
                .into_iter()
                .map(|e| ButtplugClientDevice::new(shared.clone(), e))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The connected device with this index.
    pub fn device(&self, index: u32) -> Option<ButtplugClientDevice> {
        let shared = self.session().ok()?;
        let entry = shared.device_entry(index)?;
        Some(ButtplugClientDevice::new(shared, entry))
    }

    /// Asks the server to look for devices; they arrive as
    /// [`ButtplugClientEvent::DeviceAdded`](crate::ButtplugClientEvent::DeviceAdded).
    ///
    /// # Errors
    ///
    /// [`ClientError::NotConnected`], [`ClientError::Timeout`], [`ClientError::Server`].
    pub async fn start_scanning(&self) -> Result<()> {
        let shared = self.session()?;
        shared
            .request_ok(ClientMessage::start_scanning(0, shared.version))
            .await?;
        self.inner.scanning.store(true, Ordering::Release);
        Ok(())
    }

    /// Asks the server to stop looking for devices.
    ///
    /// # Errors
    ///
    /// As [`ButtplugClient::start_scanning`].
    pub async fn stop_scanning(&self) -> Result<()> {
        let shared = self.session()?;
        self.inner.scanning.store(false, Ordering::Release);
        shared
            .request_ok(ClientMessage::stop_scanning(0, shared.version))
            .await
    }

    /// Stops every device (`StopCmd` without a device at v4, `StopAllDevices` at v3).
    ///
    /// # Errors
    ///
    /// As [`ButtplugClient::start_scanning`].
    pub async fn stop_all_devices(&self) -> Result<()> {
        let shared = self.session()?;
        shared.request_ok(stop_all(shared.version)).await
    }

    /// Sends a `Ping` and waits for the answer. The driver pings on its own when the server asks
    /// for it; this is for checking that the server is alive.
    ///
    /// # Errors
    ///
    /// As [`ButtplugClient::start_scanning`]; a server without a ping timer answers with an
    /// error.
    pub async fn ping(&self) -> Result<()> {
        let shared = self.session()?;
        shared
            .request_ok(ClientMessage::ping(0, shared.version))
            .await
    }

    /// Stops every device, then closes the connection.
    ///
    /// The v4 spec text describes a `Disconnect` message, but servers (the reference server
    /// included) do not implement it and its schema does not list it, so the client sends the
    /// stop-all command of its version (`StopCmd` / `StopAllDevices`) and then closes the
    /// connector; the server then also stops devices on its own. A failing stop is logged and
    /// the connection is closed anyway. No `ServerDisconnect` event is emitted for a disconnect
    /// the client asked for. Also stops re-dialing (see [`ButtplugClientBuilder::reconnect`]).
    ///
    /// # Errors
    ///
    /// [`ClientError::NotConnected`] (unless a re-dial was under way: stopping it is a
    /// success).
    pub async fn disconnect(&self) -> Result<()> {
        let redialing = lock(&self.inner.stop_redial).take().is_some();
        let shared = match self.session() {
            Ok(shared) => shared,
            Err(_) if redialing => return Ok(()),
            Err(e) => return Err(e),
        };
        if let Err(e) = shared.request_ok(stop_all(shared.version)).await {
            tracing::warn!("stopping devices before disconnecting failed: {e}");
        }
        shared.close().await;
        let mut slot = lock(&self.inner.session);
        if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, &shared)) {
            *slot = None;
        }
        Ok(())
    }
}

fn stop_all(version: SpecVersion) -> ClientMessage {
    match version {
        SpecVersion::V4 => ClientMessage::V4(ClientMessageV4::from(StopCmdV4::all(0))),
        _ => ClientMessage::V3(ClientMessageV3::from(StopAllDevicesV0::new(0))),
    }
}

/// The life of a driver: runs the connection, and while the policy allows, re-dials when the
/// server ends it.
async fn drive(
    inner: Weak<Inner>,
    connector: Arc<dyn ButtplugConnector>,
    mut driver: Driver,
    stopped: async_channel::Receiver<()>,
) {
    loop {
        if !driver.run().await {
            return;
        }
        let Some(policy) = inner.upgrade().and_then(|i| i.reconnect.clone()) else {
            return;
        };
        match redial(&inner, &*connector, &policy, &stopped).await {
            Some(next) => driver = next,
            None => return,
        }
    }
}

/// Dials until a connection is back (`Some`, installed in the client, devices announced), the
/// attempts run out, the app disconnects, connects by itself or drops the client (`None`).
async fn redial(
    inner: &Weak<Inner>,
    connector: &dyn ButtplugConnector,
    policy: &ReconnectPolicy,
    stopped: &async_channel::Receiver<()>,
) -> Option<Driver> {
    let mut attempt: u32 = 0;
    loop {
        attempt = attempt.saturating_add(1);
        if policy.max_attempts.is_some_and(|max| attempt > max) {
            let attempts = attempt - 1;
            tracing::info!("giving up re-dialing after {attempts} attempts");
            if let Some(client) = inner.upgrade() {
                client
                    .events
                    .emit(ButtplugClientEvent::ReconnectFailed { attempts });
            }
            return None;
        }
        let delay = policy.delay(attempt);
        inner
            .upgrade()?
            .events
            .emit(ButtplugClientEvent::Reconnecting { attempt, delay });
        let wait = std::pin::pin!(async_io::Timer::after(delay));
        if let Either::Right(_) =
            futures::future::select(wait, std::pin::pin!(stopped.recv())).await
        {
            return None;
        }
        let client = inner.upgrade()?;
        let handshake = client.handshake();
        let dial = std::pin::pin!(session::connect(connector, &handshake));
        let connected = match futures::future::select(dial, std::pin::pin!(stopped.recv())).await {
            Either::Left((Ok(connected), _)) => connected,
            Either::Left((Err(e), _)) => {
                tracing::info!("re-dial attempt {attempt} failed: {e}");
                continue;
            }
            Either::Right(_) => return None,
        };
        let Connected {
            shared,
            mut driver,
            devices,
        } = connected;
        {
            let mut slot = lock(&client.session);
            if stopped.is_closed() || slot.as_ref().is_some_and(|s| s.connected()) {
                // Disconnected, or connected again by the app itself, meanwhile.
                return None;
            }
            *slot = Some(shared.clone());
        }
        tracing::info!(attempt, version = %shared.version, "reconnected");
        client.events.emit(ButtplugClientEvent::Reconnected {
            spec_version: shared.version,
        });
        driver.replace_devices(&shared, devices);
        if client.scanning.load(Ordering::Acquire) {
            driver
                .send_internal(ClientMessage::start_scanning(0, shared.version))
                .await;
        }
        return Some(driver);
    }
}

/// The future that runs a connection: it sends requests, matches replies to them, delivers
/// events and pings the server. Returned by [`ButtplugClient::connect`].
///
/// Spawn it on any executor (`async_std::task::spawn(driver)`, `tokio::spawn(driver)`,
/// `smol::spawn(driver).detach()`, or a thread running `futures::executor::block_on(driver)`),
/// or poll it together with your own code (`futures::join!`). It completes when the connection
/// ends: after [`ButtplugClient::disconnect`], when the server leaves (unless the client
/// re-dials: see [`ButtplugClientBuilder::reconnect`]; then when re-dialing stops), or when
/// every client and device handle is dropped. Dropping it closes the connection.
#[must_use = "the client does nothing unless its driver future is polled; spawn it"]
pub struct ClientDriver {
    future: BoxFuture<'static, ()>,
}

impl fmt::Debug for ClientDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientDriver").finish_non_exhaustive()
    }
}

impl Future for ClientDriver {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.future.as_mut().poll(cx)
    }
}

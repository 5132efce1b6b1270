//! One client session: handshake, ping, the dispatch of every message (translated from its spec
//! version into one command vocabulary by [`crate::translate`]), replies in the client's shape,
//! events, and the stop-everything safety path when the client goes away.
//!
//! Messages are dispatched in arrival order (validation and queueing to the device tasks happen
//! in order), while the replies are awaited concurrently, so a slow battery read never holds up a
//! vibrate command to another device. Every client message gets exactly one reply.

use crate::ServerDevice;
use crate::device::{
    Claimed, OutputBatch, RawCommand, Readable, ReplyTracker, ServerDeviceError, UnitReply,
};
use crate::device_manager::{DeviceManager, DeviceManagerEvent};
use crate::port::{Inbound, Port};
use crate::render;
use crate::rt;
use crate::server::ServerOptions;
use crate::translate::{self, Command, Context, ReadShape, ReadingShape};
use buttplug_core::v0::{ErrorV0, TestV0};
use buttplug_core::v2::{BatteryLevelReadingV2, RawReadingV2};
use buttplug_core::v3::SensorReadingV3;
use buttplug_core::v4::{InputReadingV4, InputValueV4, ReadingValueV4};
use buttplug_core::{
    ClientMessage, ErrorCode, InputType, OutputType, ServerMessage, SpecVersion, v0, v1, v2, v3, v4,
};
use buttplug_devices::{Endpoint, InputReading, OutputCommand};
use futures::Stream;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::Instant;

/// Capacity of a session's outgoing message queue.
pub const SESSION_OUTGOING_CAPACITY: usize = 256;

/// Capacity of a session's incoming message queue.
pub const SESSION_INCOMING_CAPACITY: usize = 256;

/// Most client items (frames or messages) a session takes in one turn before it handles replies
/// and events.
const INPUT_BATCH: usize = 32;

/// Most device-manager events a session handles in one go (see `Session::on_events`).
const EVENT_BATCH: usize = 64;

/// Longest client-provided name written to the log (a frame may be up to 1 MB).
const MAX_LOGGED_NAME: usize = 256;

/// Session ids (what a device claim records), unique in the process.
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// `text` cut to at most `max` bytes at a character boundary.
fn bounded(text: &str, max: usize) -> &str {
    let mut cut = text.len().min(max);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

#[derive(PartialEq, Eq)]
enum State {
    AwaitingHandshake,
    Running { version: SpecVersion },
    Closed,
}

type Reply = BoxFuture<'static, Vec<ServerMessage>>;

/// See [`Session::held`].
struct HeldOutputs {
    device: ServerDevice,
    commands: OutputBatch,
    reply: UnitReply,
}

/// Whether a message only sets outputs (so it may join the held change).
fn sets_outputs(msg: &ClientMessage) -> bool {
    matches!(
        msg,
        ClientMessage::V4(v4::ClientMessageV4::OutputCmd(_))
            | ClientMessage::V3(
                v3::ClientMessageV3::ScalarCmd(_)
                    | v3::ClientMessageV3::RotateCmd(_)
                    | v3::ClientMessageV3::LinearCmd(_)
                    | v3::ClientMessageV3::VibrateCmd(_)
            )
            | ClientMessage::V2(
                v2::ClientMessageV2::VibrateCmd(_)
                    | v2::ClientMessageV2::RotateCmd(_)
                    | v2::ClientMessageV2::LinearCmd(_)
            )
    )
}

/// The device a command drives (claims, in a shared server): outputs, positions, raw writes.
/// Stops are claimed in `Session::stop`; reads and subscriptions are open to every client.
fn drives(command: &Command) -> Option<&ServerDevice> {
    match command {
        Command::Output { device, .. }
        | Command::Outputs { device, .. }
        | Command::LegacyLaunch { device, .. }
        | Command::Raw {
            device,
            command: RawCommand::Write { .. },
        } => Some(device),
        _ => None,
    }
}

/// Result of dispatching one message.
enum Dispatch {
    Now(Vec<ServerMessage>),
    Later(Reply),
    /// Reply, then end the session (Disconnect).
    Close(Vec<ServerMessage>),
    /// The reply comes through the session's [`ReplyTracker`].
    Queued,
}

pub(crate) struct Session {
    options: ServerOptions,
    devices: DeviceManager,
    state: State,
    /// This session's id in device claims.
    id: u64,
    /// The client's name (from `RequestServerInfo`), shown to other clients in claim errors.
    client_name: Arc<str>,
    /// The server is shared by several clients: devices are claimed (see
    /// `ButtplugServerBuilder::max_clients`).
    shared: bool,
    /// This session started scanning and has not stopped it (a shared server's session that
    /// leaves stops only its own scan).
    scanning: bool,
    /// Indexes this session has announced (for v0–v3 DeviceAdded/DeviceRemoved diffs).
    known_devices: BTreeSet<u32>,
    /// Subscriptions this session made: (device, feature, input) → shape.
    subscriptions: HashMap<(u32, u32, InputType), ReadingShape>,
    raw_subscriptions: BTreeSet<(u32, Endpoint)>,
    ping_deadline: Option<Instant>,
    /// A v4 `DeviceList` event is to be sent after the events being handled.
    device_list_due: bool,
    /// Messages whose replies wait on device tasks (outputs and stops).
    replies: ReplyTracker,
    /// Replies settled while dispatching (sent with the turn's batch).
    settled: Vec<ServerMessage>,
    /// Outputs not yet handed to their device: consecutive output messages to one device that
    /// arrive together (one frame, or frames read in the same turn) are one change (one packet
    /// on devices whose packet carries several outputs), sent when another kind of message,
    /// another device or the end of the turn's input comes.
    held: Option<HeldOutputs>,
    /// Whether this session's last device action stopped every device (nothing was driven
    /// since), so leaving need not stop them again.
    all_stopped: bool,
}

fn settled_reply(
    version: SpecVersion,
    id: u32,
    error: Option<&ServerDeviceError>,
) -> ServerMessage {
    match error {
        None => render::ok(version, id),
        Some(e) => device_error(version, id, e),
    }
}

/// An `Error` reply; the text is cut to 1 KiB, so a reply quoting bad input stays bounded.
pub(crate) fn error_message(
    version: SpecVersion,
    id: u32,
    code: ErrorCode,
    text: impl Into<String>,
) -> ServerMessage {
    let mut text: String = text.into();
    if text.len() > 1024 {
        let mut cut = 1024;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    render::error(
        version,
        ErrorV0 {
            id,
            error_message: text,
            error_code: code,
        },
    )
}

fn device_error(version: SpecVersion, id: u32, e: &ServerDeviceError) -> ServerMessage {
    error_message(version, id, translate::device_error_code(e), e.to_string())
}

impl Session {
    pub(crate) fn new(options: ServerOptions, devices: DeviceManager) -> Self {
        Session {
            shared: options.max_clients > 1,
            options,
            devices,
            state: State::AwaitingHandshake,
            id: NEXT_SESSION.fetch_add(1, Ordering::Relaxed),
            client_name: Arc::from(""),
            scanning: false,
            known_devices: BTreeSet::new(),
            subscriptions: HashMap::new(),
            raw_subscriptions: BTreeSet::new(),
            ping_deadline: None,
            device_list_due: false,
            replies: ReplyTracker::new(settled_reply),
            settled: Vec::new(),
            held: None,
            all_stopped: false,
        }
    }

    fn version(&self) -> SpecVersion {
        match self.state {
            State::Running { version } => version,
            _ => SpecVersion::V4,
        }
    }

    /// Run the session on `port` until the client goes away (its input ends), misses its
    /// ping, or disconnects. Every device is stopped at the end.
    ///
    /// Each turn takes everything that is ready (up to [`INPUT_BATCH`] client items, every
    /// finished reply, a device event, the timer) without waiting, handles it in order, and
    /// sends the replies as one batch; it only waits when nothing is ready.
    pub(crate) async fn run<P: Port>(mut self, mut port: P) {
        let mut events = Box::pin(self.devices.event_receiver());
        let mut events_open = true;
        let mut pending: FuturesUnordered<Reply> = FuturesUnordered::new();
        let handshake_deadline = (!self.options.handshake_timeout.is_zero())
            .then(|| Instant::now() + self.options.handshake_timeout);
        let mut timer = rt::DeadlineTimer::default();
        let mut items: Vec<P::Item> = Vec::new();
        let mut decoded: Vec<Inbound> = Vec::new();
        let mut out: Vec<ServerMessage> = Vec::new();
        let mut read_last_turn = false;
        loop {
            if read_last_turn {
                // Let the device tasks run the commands just queued (their answers come back in
                // the next turn) and let more client frames arrive, so the next read takes them
                // in one go instead of one system call per frame.
                rt::yield_now().await;
            }
            let deadline = match self.state {
                State::AwaitingHandshake => handshake_deadline,
                _ => self.ping_deadline,
            };
            timer.set(deadline);
            let mut input_ended = false;
            let mut event = None;
            let mut timed_out = false;
            std::future::poll_fn(|cx| {
                input_ended = rt::take_ready(&mut items, INPUT_BATCH, || port.poll_item(cx));
                let mut ready = input_ended || !items.is_empty();
                while let Poll::Ready(Some(done)) = pending.poll_next_unpin(cx) {
                    out.extend(done);
                    ready = true;
                }
                let before = out.len();
                self.replies.poll_answers(cx, &mut out);
                ready |= out.len() > before;
                if events_open {
                    match events.as_mut().poll_next(cx) {
                        Poll::Ready(Some(ev)) => {
                            event = Some(ev);
                            ready = true;
                        }
                        Poll::Ready(None) => events_open = false,
                        Poll::Pending => {}
                    }
                }
                if timer.poll_expired(cx) {
                    timed_out = true;
                    ready = true;
                }
                if ready {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;

            read_last_turn = !items.is_empty();
            let mut closing = input_ended;
            'items: for item in items.drain(..) {
                let version = match self.state {
                    State::Running { version } => Some(version),
                    _ => None,
                };
                if !port.decode(item, version, &mut decoded) {
                    closing = true;
                }
                for parsed in decoded.drain(..) {
                    let msg = match parsed {
                        Inbound::Message(msg) => msg,
                        Inbound::Reply(reply) => {
                            out.push(reply);
                            continue;
                        }
                    };
                    if !sets_outputs(&msg) {
                        self.send_held().await;
                    }
                    let dispatched = self.dispatch(msg).await;
                    out.append(&mut self.settled);
                    match dispatched {
                        Dispatch::Now(replies) => out.extend(replies),
                        Dispatch::Queued => {}
                        Dispatch::Later(fut) => pending.push(fut),
                        Dispatch::Close(replies) => {
                            out.extend(replies);
                            closing = true;
                            break 'items;
                        }
                    }
                }
                if closing {
                    break;
                }
            }
            self.send_held().await;
            items.clear();
            decoded.clear();
            if let Some(ev) = event {
                out.extend(self.on_events(ev, &mut events));
            }
            if timed_out {
                if matches!(self.state, State::AwaitingHandshake) {
                    // Nothing was started by this session: no device to stop.
                    tracing::info!("client sent no RequestServerInfo in time; closing the session");
                    out.push(error_message(
                        SpecVersion::V4,
                        0,
                        ErrorCode::Init,
                        format!(
                            "no RequestServerInfo within {} ms: closing the connection",
                            self.options.handshake_timeout.as_millis()
                        ),
                    ));
                } else {
                    tracing::warn!(
                        "client missed its ping; stopping devices and closing the session"
                    );
                    self.stop_everything().await;
                    out.push(error_message(
                        self.version(),
                        0,
                        ErrorCode::Ping,
                        "Ping timed out: the client did not ping within MaxPingTime",
                    ));
                }
                port.send(&mut out).await;
                self.state = State::Closed;
                break;
            }
            if !out.is_empty() && !port.send(&mut out).await {
                closing = true;
            }
            if closing {
                // Answer what is still in flight, then stop.
                while let Some(done) = pending.next().await {
                    out.extend(done);
                }
                std::future::poll_fn(|cx| {
                    self.replies.poll_answers(cx, &mut out);
                    if self.replies.is_idle() {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                })
                .await;
                if !out.is_empty() {
                    port.send(&mut out).await;
                }
                self.stop_everything().await;
                self.state = State::Closed;
                break;
            }
        }
        port.close().await;
    }

    /// The safety path: stop scanning, stop every output and subscription of every device.
    /// Stop scanning, every device and every subscription. The devices are not stopped again
    /// when this session's last device action already stopped them all (a v4 Disconnect, or a
    /// client's StopAllDevices before it closes).
    ///
    /// In a shared server only this session's own: the scan it started, and the devices it
    /// holds (which are released).
    async fn stop_everything(&mut self) {
        self.ping_deadline = None;
        if !self.shared {
            self.devices.stop_scanning().await;
            if !std::mem::replace(&mut self.all_stopped, true) {
                self.devices.stop_all().await;
            }
        } else {
            if std::mem::take(&mut self.scanning) {
                self.devices.stop_scanning().await;
            }
            let id = self.id;
            let stops = self
                .devices
                .devices()
                .into_iter()
                .filter(|d| d.is_claimed_by(id))
                .map(|d| async move {
                    // The stop releases the claim once queued; a device that is gone has none.
                    // Inputs are left to `leave_inputs` (other clients may read them).
                    if let Err(e) = d.stop(None, true, false).await {
                        tracing::warn!(device = d.index(), "stop failed: {e}");
                    }
                    d.release(id);
                });
            futures::future::join_all(stops).await;
            self.leave_readings(None, None).await;
        }
        self.subscriptions.clear();
        self.raw_subscriptions.clear();
    }

    /// Handle `first` and the device events already queued behind it (at most
    /// [`EVENT_BATCH`]). A v4 `DeviceList` event carries the whole list, so a burst of devices
    /// coming or going gives one list, rendered once, instead of one per device (which rendered
    /// and queued n lists of up to n devices when many devices connected at once).
    fn on_events(
        &mut self,
        first: DeviceManagerEvent,
        queued: &mut async_broadcast::Receiver<DeviceManagerEvent>,
    ) -> Vec<ServerMessage> {
        let mut out = self.on_event(first);
        for _ in 1..EVENT_BATCH {
            match queued.try_recv() {
                Ok(ev) => out.extend(self.on_event(ev)),
                Err(_) => break,
            }
        }
        if std::mem::take(&mut self.device_list_due) {
            out.push(render::device_list(
                SpecVersion::V4,
                0,
                &self.devices,
                &self.devices.devices(),
                self.options.allow_raw,
            ));
        }
        out
    }

    fn on_event(&mut self, event: DeviceManagerEvent) -> Vec<ServerMessage> {
        let State::Running { version } = self.state else {
            return Vec::new();
        };
        match event {
            DeviceManagerEvent::DeviceAdded(device) => {
                if version == SpecVersion::V4 {
                    self.device_list_due = true;
                    Vec::new()
                } else if self.known_devices.insert(device.index()) {
                    vec![render::device_added(
                        version,
                        &self.devices,
                        &device,
                        self.options.allow_raw,
                    )]
                } else {
                    Vec::new()
                }
            }
            DeviceManagerEvent::DeviceRemoved(index) => {
                self.subscriptions.retain(|(d, _, _), _| *d != index);
                self.raw_subscriptions.retain(|(d, _)| *d != index);
                if version == SpecVersion::V4 {
                    self.device_list_due = true;
                    Vec::new()
                } else if self.known_devices.remove(&index) {
                    vec![render::device_removed(version, index)]
                } else {
                    Vec::new()
                }
            }
            DeviceManagerEvent::ScanningFinished => {
                self.scanning = false;
                vec![render::scanning_finished(version)]
            }
            DeviceManagerEvent::InputReading { index, reading } => {
                match self
                    .subscriptions
                    .get(&(index, reading.feature_index, reading.input_type))
                {
                    Some(shape) => vec![reading_message(0, index, &reading, *shape)],
                    None => Vec::new(),
                }
            }
            DeviceManagerEvent::RawReading(r) => {
                if self.raw_subscriptions.contains(&(r.index, r.endpoint))
                    && version >= SpecVersion::V2
                {
                    vec![render::raw_reading(
                        version,
                        RawReadingV2 {
                            id: 0,
                            device_index: r.index,
                            endpoint: r.endpoint.to_string(),
                            data: r.data,
                        },
                    )]
                } else {
                    Vec::new()
                }
            }
        }
    }

    async fn dispatch(&mut self, msg: ClientMessage) -> Dispatch {
        let id = msg.id();
        match self.state {
            State::Closed => Dispatch::Now(vec![error_message(
                SpecVersion::V4,
                id,
                ErrorCode::Unknown,
                "the session is closed",
            )]),
            State::AwaitingHandshake => self.handshake(msg),
            State::Running { version } => {
                if self.ping_deadline.is_some() && msg.name() == "Ping" {
                    self.ping_deadline = Some(Instant::now() + self.options.max_ping_time);
                }
                self.dispatch_running(version, msg).await
            }
        }
    }

    fn handshake(&mut self, msg: ClientMessage) -> Dispatch {
        let id = msg.id();
        let requested = match &msg {
            ClientMessage::V0(v0::ClientMessageV0::RequestServerInfo(r)) => {
                Some((r.client_name.clone(), 0))
            }
            ClientMessage::V1(v1::ClientMessageV1::RequestServerInfo(r)) => {
                Some((r.client_name.clone(), r.message_version))
            }
            ClientMessage::V2(v2::ClientMessageV2::RequestServerInfo(r)) => {
                Some((r.client_name.clone(), r.message_version))
            }
            ClientMessage::V3(v3::ClientMessageV3::RequestServerInfo(r)) => {
                Some((r.client_name.clone(), r.message_version))
            }
            ClientMessage::V4(v4::ClientMessageV4::RequestServerInfo(r)) => {
                Some((r.client_name.clone(), r.protocol_version_major))
            }
            _ => None,
        };
        let Some((client_name, requested)) = requested else {
            return Dispatch::Now(vec![error_message(
                msg.version(),
                id,
                ErrorCode::Init,
                "RequestServerInfo must be the first message",
            )]);
        };
        let Some(version) = SpecVersion::from_u32(requested) else {
            return Dispatch::Now(vec![error_message(
                SpecVersion::V4,
                id,
                ErrorCode::Init,
                format!(
                    "client asks for spec version {requested}; this server speaks up to {}",
                    SpecVersion::CURRENT as u32
                ),
            )]);
        };
        tracing::info!(
            client = %bounded(&client_name, MAX_LOGGED_NAME),
            version = version as u32,
            "client connected"
        );
        self.state = State::Running { version };
        self.client_name = Arc::from(bounded(&client_name, MAX_LOGGED_NAME));
        if !self.options.max_ping_time.is_zero() {
            self.ping_deadline = Some(Instant::now() + self.options.max_ping_time);
        }
        Dispatch::Now(vec![render::server_info(
            version,
            id,
            &self.options.name,
            u32::try_from(self.options.max_ping_time.as_millis()).unwrap_or(u32::MAX),
        )])
    }

    async fn dispatch_running(&mut self, version: SpecVersion, msg: ClientMessage) -> Dispatch {
        let id = msg.id();
        let context = Context {
            version,
            allow_raw: self.options.allow_raw,
        };
        let command = match translate::translate(context, &self.devices, msg) {
            Ok(c) => c,
            Err(e) => {
                return Dispatch::Now(vec![error_message(version, id, e.code(), e.to_string())]);
            }
        };
        if let Some(device) = drives(&command) {
            if let Err(e) = self.claim(device) {
                return Dispatch::Now(vec![device_error(version, id, &e)]);
            }
        }
        let ok = || Dispatch::Now(vec![render::ok(version, id)]);
        match command {
            Command::Ack => ok(),
            Command::StartScanning => match self.devices.start_scanning().await {
                Ok(()) => {
                    self.scanning = true;
                    ok()
                }
                Err(e) => Dispatch::Now(vec![error_message(
                    version,
                    id,
                    ErrorCode::Unknown,
                    e.to_string(),
                )]),
            },
            Command::StopScanning => {
                self.scanning = false;
                self.devices.stop_scanning().await;
                ok()
            }
            Command::DeviceList => {
                let devices = self.devices.devices();
                self.known_devices = devices.iter().map(ServerDevice::index).collect();
                Dispatch::Now(vec![render::device_list(
                    version,
                    id,
                    &self.devices,
                    &devices,
                    self.options.allow_raw,
                )])
            }
            Command::Test(test_string) => {
                Dispatch::Now(vec![render::test(version, TestV0 { id, test_string })])
            }
            Command::Disconnect => {
                self.stop_everything().await;
                self.state = State::Closed;
                Dispatch::Close(vec![render::ok(version, id)])
            }
            Command::Stop {
                device,
                feature,
                outputs,
                inputs,
            } => {
                self.stop(version, id, device, feature, outputs, inputs)
                    .await
            }
            Command::Output { device, command } => {
                self.outputs(version, id, &device, std::iter::once(command))
                    .await
            }
            Command::Outputs { device, commands } => {
                self.outputs(version, id, &device, commands).await
            }
            Command::LegacyLaunch { device, launch } => {
                let from = self.devices.last_position(device.index(), launch.feature);
                match translate::resolve_launch(&device, &launch, from) {
                    Ok(command) => {
                        self.outputs(version, id, &device, std::iter::once(command))
                            .await
                    }
                    Err(e) => Dispatch::Now(vec![device_error(version, id, &e)]),
                }
            }
            Command::Read {
                device,
                feature,
                input,
                shape,
            } => self.read(version, id, &device, feature, input, shape).await,
            Command::HardwareRssi { device } => {
                let devices = self.devices.clone();
                Dispatch::Later(
                    async move {
                        vec![match devices.rssi(device).await {
                            Ok(dbm) => render::rssi_reading(id, device, i32::from(dbm)),
                            Err(e) => {
                                device_error(version, id, &ServerDeviceError::Device(e.into()))
                            }
                        }]
                    }
                    .boxed(),
                )
            }
            Command::Subscribe {
                device,
                feature,
                input,
                subscribe,
                shape,
            } => {
                self.subscribe(version, id, &device, feature, input, subscribe, shape)
                    .await
            }
            Command::Raw { device, command } => self.raw(version, id, &device, command).await,
        }
    }

    /// In a shared server, claim `device` for this session (see
    /// `ButtplugServerBuilder::max_clients`); otherwise nothing is claimed.
    fn claim(&self, device: &ServerDevice) -> Result<Claimed, ServerDeviceError> {
        if self.shared {
            device.claim(self.id, &self.client_name)
        } else {
            Ok(Claimed::Already)
        }
    }

    /// In a shared server: this session no longer reads the inputs of `device` and `feature`
    /// (`None`: every one), nor, unless one feature is named, the raw endpoints (they belong to
    /// no feature); the hardware subscription of each ends when no other client reads it. The
    /// session's own lists are left to the caller.
    async fn leave_readings(&self, device: Option<u32>, feature: Option<u32>) {
        let inputs = self
            .subscriptions
            .keys()
            .filter(|(d, f, _)| device.is_none_or(|x| x == *d) && feature.is_none_or(|x| x == *f))
            .map(|&(index, feature, input)| (index, Readable::Input(feature, input)));
        let raw = self
            .raw_subscriptions
            .iter()
            .filter(|(d, _)| feature.is_none() && device.is_none_or(|x| x == *d))
            .map(|&(index, endpoint)| (index, Readable::Raw(endpoint)));
        let all: Vec<(u32, Readable)> = inputs.chain(raw).collect();
        for (index, what) in all {
            let Some(device) = self.devices.device(index) else {
                continue;
            };
            if !device.share_reading(self.id, what, false) {
                continue;
            }
            let done = match what {
                Readable::Input(feature, input) => device
                    .queue_subscribe(feature, input, false)
                    .await
                    .map(drop),
                Readable::Raw(endpoint) => device
                    .queue_raw(RawCommand::Unsubscribe { endpoint })
                    .await
                    .map(drop),
            };
            if let Err(e) = done {
                tracing::debug!(device = index, "unsubscribe failed: {e}");
            }
        }
    }

    async fn stop(
        &mut self,
        version: SpecVersion,
        id: u32,
        device: Option<u32>,
        feature: Option<u32>,
        outputs: bool,
        inputs: bool,
    ) -> Dispatch {
        let mut targets: Vec<ServerDevice> = match device {
            Some(d) => self.devices.device(d).into_iter().collect(),
            None => self.devices.devices(),
        };
        // In a shared server a stop of a device another client holds is refused, and a stop of
        // every device leaves those alone. Each target is held by this session while its stop
        // is queued, so no other client's command gets in before it; a stop of the device's
        // outputs releases it, a partial stop keeps the claim only if it was there before.
        let mut release = Vec::new();
        if self.shared {
            let mut refused = None;
            targets.retain(|d| match d.claim(self.id, &self.client_name) {
                Ok(claimed) => {
                    if (feature.is_none() && outputs) || claimed == Claimed::Now {
                        release.push(d.clone());
                    }
                    true
                }
                Err(e) => {
                    refused = Some(e);
                    false
                }
            });
            if let (Some(_), Some(e)) = (device, refused) {
                return Dispatch::Now(vec![device_error(version, id, &e)]);
            }
        }
        if inputs {
            if self.shared {
                // Only this client's own readings end; the hardware subscription stays while
                // another client wants it.
                self.leave_readings(device, feature).await;
            }
            self.subscriptions.retain(|(d, f, _), _| {
                !(device.is_none_or(|x| x == *d) && feature.is_none_or(|x| x == *f))
            });
            if feature.is_none() {
                self.raw_subscriptions
                    .retain(|(d, _)| device.is_some_and(|x| x != *d));
            }
        }
        if device.is_none() && feature.is_none() && outputs {
            self.all_stopped = true;
        }
        let slot = self.replies.open(version, id);
        for d in targets {
            let reply = self.replies.reply_for(slot, d.index());
            // On failure the reply was settled with the error.
            // In a shared server inputs were handled above, reader by reader.
            let device_inputs = inputs && !self.shared;
            if d.queue_stop_tracked(feature, outputs, device_inputs, reply)
                .await
                .is_err()
            {
                break;
            }
        }
        for d in release {
            d.release(self.id);
        }
        self.replies.close(slot, &mut self.settled);
        Dispatch::Queued
    }

    async fn outputs(
        &mut self,
        version: SpecVersion,
        id: u32,
        device: &ServerDevice,
        commands: impl IntoIterator<Item = OutputCommand>,
    ) -> Dispatch {
        let slot = self.replies.open(version, id);
        // The whole change of this message goes to the device task as one request, so the
        // protocol writes it at once. (An empty change is answered Ok at close.)
        let commands = commands.into_iter().inspect(|c| {
            if c.output_type == OutputType::HwPositionWithDuration {
                self.devices
                    .note_position(device.index(), c.feature_index, c.value);
            }
        });
        if let Some(batch) = OutputBatch::collect(commands) {
            let reply = self.replies.reply_for(slot, device.index());
            self.hold(device, batch, reply).await;
        }
        self.replies.close(slot, &mut self.settled);
        Dispatch::Queued
    }

    /// Add one message's outputs to the frame's held change (see [`Session::held`]).
    async fn hold(&mut self, device: &ServerDevice, batch: OutputBatch, reply: UnitReply) {
        self.all_stopped = false;
        if let Some(held) = &mut self.held {
            if held.device.index() == device.index() {
                let merged = held
                    .commands
                    .as_slice()
                    .iter()
                    .chain(batch.as_slice())
                    .copied();
                if let Some(commands) = OutputBatch::collect(merged) {
                    held.commands = commands;
                }
                let previous = std::mem::replace(&mut held.reply, UnitReply::Several(Vec::new()));
                held.reply = match previous {
                    UnitReply::Several(mut replies) => {
                        replies.push(reply);
                        UnitReply::Several(replies)
                    }
                    one => UnitReply::Several(vec![one, reply]),
                };
                return;
            }
            self.send_held().await;
        }
        self.held = Some(HeldOutputs {
            device: device.clone(),
            commands: batch,
            reply,
        });
    }

    /// Hand the held change to its device task.
    async fn send_held(&mut self) {
        if let Some(held) = self.held.take() {
            // On failure the replies were settled with the error.
            let _ = held
                .device
                .queue_outputs_tracked(held.commands, held.reply)
                .await;
        }
    }

    async fn read(
        &mut self,
        version: SpecVersion,
        id: u32,
        device: &ServerDevice,
        feature: u32,
        input_type: InputType,
        shape: ReadShape,
    ) -> Dispatch {
        let pending = match device.queue_read(feature, input_type).await {
            Ok(p) => p,
            Err(e) => return Dispatch::Now(vec![device_error(version, id, &e)]),
        };
        let index = device.index();
        Dispatch::Later(
            async move {
                vec![match pending.wait().await {
                    Ok(value) => match shape {
                        ReadShape::V4 => reading_message(
                            id,
                            index,
                            &InputReading {
                                feature_index: feature,
                                input_type,
                                value,
                            },
                            ReadingShape::V4,
                        ),
                        ReadShape::V3 {
                            sensor_index,
                            sensor_type,
                        } => reading_message(
                            id,
                            index,
                            &InputReading {
                                feature_index: feature,
                                input_type,
                                value,
                            },
                            ReadingShape::V3 {
                                sensor_index,
                                sensor_type,
                            },
                        ),
                        ReadShape::BatteryV2 => ServerMessage::V2(
                            v2::ServerMessageV2::BatteryLevelReading(BatteryLevelReadingV2 {
                                id,
                                device_index: index,
                                battery_level: f64::from(value.clamp(0, 100)) / 100.0,
                            }),
                        ),
                        ReadShape::RssiV2 => render::rssi_reading(id, index, value),
                    },
                    Err(e) => device_error(version, id, &e),
                }]
            }
            .boxed(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    async fn subscribe(
        &mut self,
        version: SpecVersion,
        id: u32,
        device: &ServerDevice,
        feature: u32,
        input_type: InputType,
        subscribe: bool,
        shape: ReadingShape,
    ) -> Dispatch {
        let key = (device.index(), feature, input_type);
        let what = Readable::Input(feature, input_type);
        // In a shared server the hardware subscription is shared by the clients that want it:
        // only the first one in subscribes it, only the last one out unsubscribes it.
        let to_hardware = !self.shared || device.share_reading(self.id, what, subscribe);
        // A subscription that fails leaves this client no reader.
        let undo = (self.shared && subscribe).then(|| (device.clone(), self.id));
        let undo = move || {
            if let Some((device, session)) = &undo {
                device.share_reading(*session, what, false);
            }
        };
        let pending = if to_hardware {
            match device.queue_subscribe(feature, input_type, subscribe).await {
                Ok(p) => Some(p),
                Err(e) => {
                    undo();
                    return Dispatch::Now(vec![device_error(version, id, &e)]);
                }
            }
        } else {
            None
        };
        if subscribe {
            self.subscriptions.insert(key, shape);
        } else {
            self.subscriptions.remove(&key);
        }
        let Some(pending) = pending else {
            return Dispatch::Now(vec![render::ok(version, id)]);
        };
        Dispatch::Later(
            async move {
                vec![match pending.wait().await {
                    Ok(()) => render::ok(version, id),
                    Err(e) => {
                        undo();
                        device_error(version, id, &e)
                    }
                }]
            }
            .boxed(),
        )
    }

    async fn raw(
        &mut self,
        version: SpecVersion,
        id: u32,
        device: &ServerDevice,
        command: RawCommand,
    ) -> Dispatch {
        let index = device.index();
        let (is_read, endpoint) = match &command {
            RawCommand::Read { endpoint, .. } => (true, *endpoint),
            RawCommand::Write { endpoint, .. } => (false, *endpoint),
            RawCommand::Subscribe { endpoint } | RawCommand::Unsubscribe { endpoint } => {
                let subscribe = matches!(command, RawCommand::Subscribe { .. });
                let endpoint = *endpoint;
                if subscribe {
                    self.raw_subscriptions.insert((index, endpoint));
                } else {
                    self.raw_subscriptions.remove(&(index, endpoint));
                }
                // In a shared server the endpoint's subscription is shared like an input's.
                if self.shared && !device.share_reading(self.id, Readable::Raw(endpoint), subscribe)
                {
                    return Dispatch::Now(vec![render::ok(version, id)]);
                }
                (false, endpoint)
            }
        };
        let pending = match device.queue_raw(command).await {
            Ok(p) => p,
            Err(e) => return Dispatch::Now(vec![device_error(version, id, &e)]),
        };
        Dispatch::Later(
            async move {
                vec![match pending.wait().await {
                    Ok(data) if is_read => render::raw_reading(
                        version,
                        RawReadingV2 {
                            id,
                            device_index: index,
                            endpoint: endpoint.to_string(),
                            data,
                        },
                    ),
                    Ok(_) => render::ok(version, id),
                    Err(e) => device_error(version, id, &e),
                }]
            }
            .boxed(),
        )
    }
}

fn reading_message(
    id: u32,
    device_index: u32,
    r: &InputReading,
    shape: ReadingShape,
) -> ServerMessage {
    match shape {
        ReadingShape::V4 => {
            let v = ReadingValueV4 { value: r.value };
            let reading = match r.input_type {
                InputType::Battery => InputValueV4::Battery(v),
                InputType::Rssi => InputValueV4::Rssi(v),
                InputType::Button => InputValueV4::Button(v),
                InputType::Pressure => InputValueV4::Pressure(v),
                InputType::Depth => InputValueV4::Depth(v),
                InputType::Position => InputValueV4::Position(v),
            };
            ServerMessage::V4(v4::ServerMessageV4::InputReading(InputReadingV4 {
                id,
                device_index,
                feature_index: r.feature_index,
                reading,
            }))
        }
        ReadingShape::V3 {
            sensor_index,
            sensor_type,
        } => ServerMessage::V3(v3::ServerMessageV3::SensorReading(SensorReadingV3 {
            id,
            device_index,
            sensor_index,
            sensor_type,
            data: vec![r.value],
        })),
    }
}

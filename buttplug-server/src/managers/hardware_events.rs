//! Building blocks for [`Hardware`] implementations and communication managers, the built-in
//! backends' and your own (always compiled, whatever features are enabled):
//!
//! - [`EventHub`]: the connected flag, the fan-out of [`HardwareEvent`]s to every
//!   [`Hardware::event_stream`] caller, and per-endpoint subscription flags, i.e. everything
//!   behind `subscribe`, `unsubscribe`, `event_stream` and a disconnect;
//! - [`ReadyConnector`]: the [`HardwareConnector`] of hardware that is usable as soon as it is
//!   found (no connect step, fixed endpoints);
//! - [`check_endpoint`] and [`EventHub::check_connected`], the checks every operation makes, and
//!   [`transport_error`];
//! - [`database_specifiers`], for managers that build their scan filter from the database.
//!
//! A minimal out-of-tree manager reports each device it finds as
//! [`CommunicationEvent::DeviceFound`](crate::comm::CommunicationEvent::DeviceFound) with a
//! [`ReadyConnector`]; a polling one wraps a
//! [`RetryScanner`](crate::managers::timed_retry::RetryScanner) in a
//! [`TimedRetryManager`](crate::managers::timed_retry::TimedRetryManager). The
//! `custom_manager` example in `examples/` does the first.

use crate::broadcast::Broadcaster;
use crate::comm::{GenericHardwareSpecializer, HardwareConnector, HardwareSpecializer};
use async_trait::async_trait;
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase};
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::stream::BoxStream;
use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Capacity of each event stream handed out by a hardware object.
pub const HARDWARE_EVENT_CAPACITY: usize = 256;

/// Connected flag, subscriptions and event fan-out of one device: the state behind
/// [`Hardware::subscribe`], [`Hardware::unsubscribe`], [`Hardware::event_stream`] and a
/// disconnect.
///
/// Contract:
/// - a new hub is connected, with nothing subscribed;
/// - [`EventHub::stream`] hands out independent streams (each bounded by
///   [`HARDWARE_EVENT_CAPACITY`]; a stream that is not read loses events instead of blocking the
///   transport); each sees the events sent after it was made;
/// - [`EventHub::disconnected`] is final: its first call sends [`HardwareEvent::Disconnected`]
///   to every stream, later streams yield only `Disconnected`, and
///   [`EventHub::check_connected`] fails from then on;
/// - subscriptions are only recorded here: the transport itself must start and stop sending,
///   and call [`EventHub::notify`] for what arrives.
///
/// ```
/// use buttplug_devices::{Endpoint, HardwareEvent};
/// use buttplug_server::managers::hardware_events::EventHub;
/// use futures::StreamExt;
///
/// let hub = EventHub::default();
/// let mut events = hub.stream();
/// assert!(!hub.notify(Endpoint::Rx, vec![1])); // not subscribed: dropped
/// hub.set_subscribed(Endpoint::Rx, true);
/// assert!(hub.notify(Endpoint::Rx, vec![2]));
/// hub.disconnected();
/// assert!(hub.check_connected().is_err());
/// buttplug_server::block_on(async {
///     assert_eq!(
///         events.next().await,
///         Some(HardwareEvent::Notification { endpoint: Endpoint::Rx, data: vec![2] })
///     );
///     assert_eq!(events.next().await, Some(HardwareEvent::Disconnected));
/// });
/// ```
#[derive(Debug)]
pub struct EventHub {
    connected: AtomicBool,
    subscribed: Mutex<BTreeSet<Endpoint>>,
    events: Broadcaster<HardwareEvent>,
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub {
            connected: AtomicBool::new(true),
            subscribed: Mutex::new(BTreeSet::new()),
            events: Broadcaster::new(HARDWARE_EVENT_CAPACITY),
        }
    }
}

impl EventHub {
    /// Whether the device is still connected.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// `Ok` while the device is connected, [`HardwareError::Disconnected`] after.
    pub fn check_connected(&self) -> Result<(), HardwareError> {
        if self.is_connected() {
            Ok(())
        } else {
            Err(HardwareError::Disconnected)
        }
    }

    /// Mark the device gone; the first call sends [`HardwareEvent::Disconnected`].
    pub fn disconnected(&self) {
        if self.connected.swap(false, Ordering::SeqCst) {
            self.events.send(HardwareEvent::Disconnected);
        }
    }

    /// Send a notification if `endpoint` is subscribed; returns whether it was sent.
    pub fn notify(&self, endpoint: Endpoint, data: Vec<u8>) -> bool {
        if self.is_subscribed(endpoint) {
            self.events
                .send(HardwareEvent::Notification { endpoint, data });
            true
        } else {
            false
        }
    }

    /// Send a notification whatever the subscriptions.
    pub fn notify_always(&self, endpoint: Endpoint, data: Vec<u8>) {
        self.events
            .send(HardwareEvent::Notification { endpoint, data });
    }

    /// Whether `endpoint` is subscribed.
    pub fn is_subscribed(&self, endpoint: Endpoint) -> bool {
        crate::sync::lock(&self.subscribed).contains(&endpoint)
    }

    /// Record a subscription change.
    pub fn set_subscribed(&self, endpoint: Endpoint, on: bool) {
        let mut s = crate::sync::lock(&self.subscribed);
        if on {
            s.insert(endpoint);
        } else {
            s.remove(&endpoint);
        }
    }

    /// A new event stream (already ended with `Disconnected` when the device is gone).
    pub fn stream(&self) -> BoxStream<'static, HardwareEvent> {
        if self.is_connected() {
            Box::pin(self.events.subscribe())
        } else {
            Box::pin(futures::stream::iter([HardwareEvent::Disconnected]))
        }
    }
}

/// Every communication specifier of every protocol in `database` (a manager's scan filter).
pub fn database_specifiers(
    database: &DeviceDatabase,
) -> impl Iterator<Item = &CommunicationSpecifier> {
    database
        .protocol_ids()
        .into_iter()
        .flat_map(|protocol| database.protocol_specifiers(protocol))
}

/// `Ok` when `endpoint` is the one the hardware offers for this operation, otherwise
/// [`HardwareError::NoEndpoint`] naming `endpoint`: the first check of a `write`, `read` or
/// `subscribe` of hardware with one endpoint per operation.
///
/// # Errors
/// [`HardwareError::NoEndpoint`] when `endpoint != offered`.
pub fn check_endpoint(endpoint: Endpoint, offered: Endpoint) -> Result<(), HardwareError> {
    if endpoint == offered {
        Ok(())
    } else {
        Err(HardwareError::NoEndpoint { endpoint })
    }
}

/// A [`HardwareError::Transport`] carrying the transport's message (for `map_err`).
pub fn transport_error(e: impl std::fmt::Display) -> HardwareError {
    HardwareError::Transport {
        message: e.to_string(),
    }
}

/// The connector of hardware that is usable as soon as it is found (HID, USB, Lovense Connect,
/// the dongle's toy, a device of your own): connecting cannot fail and hands the hardware to a
/// [`GenericHardwareSpecializer`], which returns it unchanged whatever protocol matched.
///
/// Contract: [`HardwareConnector::specifier`] returns the `specifier` given here, which the
/// device manager matches against the database (for BLE: the advertised name, manufacturer
/// data and services, as built by `CommunicationSpecifier::btle_advertisement`). The hardware's
/// endpoints must already be the ones the matched protocol writes to (BLE hardware that maps
/// UUIDs to endpoints per protocol needs a specializer of its own).
#[derive(Debug)]
pub struct ReadyConnector<H> {
    specifier: CommunicationSpecifier,
    hardware: H,
}

impl<H> ReadyConnector<H> {
    /// A connector describing `hardware` with `specifier`.
    #[must_use]
    pub fn new(specifier: CommunicationSpecifier, hardware: H) -> Self {
        ReadyConnector {
            specifier,
            hardware,
        }
    }
}

#[async_trait]
impl<H: Hardware + 'static> HardwareConnector for ReadyConnector<H> {
    fn specifier(&self) -> CommunicationSpecifier {
        self.specifier.clone()
    }

    async fn connect(self: Box<Self>) -> Result<Box<dyn HardwareSpecializer>, HardwareError> {
        Ok(Box::new(GenericHardwareSpecializer::new(Arc::new(
            self.hardware,
        ))))
    }
}

// The blocking-input helpers serve the HID and serial backends only; with either one alone,
// or neither, some of them are unused.

/// Largest chunk a [`BlockingInput`] reader reads at once (one HID report, one serial read).
#[cfg_attr(not(all(feature = "hid", feature = "serial")), allow(dead_code))]
const READ_CHUNK: usize = 1024;

/// What a [`BlockingInput`] keeps for [`Hardware::read`] while `rx` is not subscribed.
#[cfg_attr(not(all(feature = "hid", feature = "serial")), allow(dead_code))]
#[derive(Debug)]
pub(crate) enum Backlog {
    /// Whole reports (HID), the latest `limit` of them; a read takes one report.
    Reports {
        /// The reports kept, oldest first.
        reports: VecDeque<Vec<u8>>,
        /// How many are kept.
        limit: usize,
    },
    /// A byte stream (serial), the latest `limit` bytes; a read takes what is there.
    Bytes {
        /// The bytes kept, oldest first.
        bytes: VecDeque<u8>,
        /// How many are kept.
        limit: usize,
    },
}

#[cfg_attr(not(all(feature = "hid", feature = "serial")), allow(dead_code))]
impl Backlog {
    /// Keep the latest `limit` reports.
    pub(crate) fn reports(limit: usize) -> Self {
        Backlog::Reports {
            reports: VecDeque::new(),
            limit,
        }
    }

    /// Keep the latest `limit` bytes.
    pub(crate) fn bytes(limit: usize) -> Self {
        Backlog::Bytes {
            bytes: VecDeque::new(),
            limit,
        }
    }

    /// Keep one chunk, dropping the oldest input over the limit.
    fn keep(&mut self, data: Vec<u8>) {
        match self {
            Backlog::Reports { reports, limit } => {
                reports.push_back(data);
                while reports.len() > *limit {
                    reports.pop_front();
                }
            }
            Backlog::Bytes { bytes, limit } => {
                bytes.extend(data);
                let excess = bytes.len().saturating_sub(*limit);
                bytes.drain(..excess);
            }
        }
    }

    /// Take the oldest report or the bytes kept, cut to `length` (0: no limit); `None` when
    /// nothing is kept.
    fn take(&mut self, length: u32) -> Option<Vec<u8>> {
        match self {
            Backlog::Reports { reports, .. } => reports.pop_front().map(|mut report| {
                if length > 0 {
                    report.truncate(length as usize);
                }
                report
            }),
            Backlog::Bytes { bytes, .. } => {
                let n = if length == 0 {
                    bytes.len()
                } else {
                    bytes.len().min(length as usize)
                };
                (n > 0).then(|| bytes.drain(..n).collect())
            }
        }
    }
}

/// The `rx` endpoint of a device that a blocking thread reads (HID reports, serial bytes), and
/// the device's [`EventHub`]. While `rx` is subscribed each chunk read is a notification;
/// otherwise it goes to the [`Backlog`], where [`BlockingInput::read`] waits for it. The device
/// is disconnected when the reader thread ends.
#[cfg_attr(not(all(feature = "hid", feature = "serial")), allow(dead_code))]
#[derive(Debug)]
pub(crate) struct BlockingInput {
    hub: Arc<EventHub>,
    backlog: Mutex<Backlog>,
    doorbell_tx: async_channel::Sender<()>,
    doorbell: async_channel::Receiver<()>,
    stop: AtomicBool,
}

#[cfg_attr(not(all(feature = "hid", feature = "serial")), allow(dead_code))]
impl BlockingInput {
    /// The input of a connected device, keeping unsubscribed input in `backlog`.
    pub(crate) fn new(backlog: Backlog) -> Self {
        let (doorbell_tx, doorbell) = async_channel::bounded(1);
        BlockingInput {
            hub: Arc::new(EventHub::default()),
            backlog: Mutex::new(backlog),
            doorbell_tx,
            doorbell,
            stop: AtomicBool::new(false),
        }
    }

    /// The device's events.
    pub(crate) fn hub(&self) -> &Arc<EventHub> {
        &self.hub
    }

    /// Ask the reader thread to stop (it disconnects the device within one read poll).
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Start the thread `thread_name` reading the device with `read`, which returns `Ok(0)` when
    /// nothing arrived within its poll time. The thread runs until [`BlockingInput::stop`] or a
    /// failed read; then it drops `read`, hands the read error (if any) to `finished`, and
    /// disconnects the device.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub(crate) fn spawn_reader<E: Send + 'static>(
        self: &Arc<Self>,
        thread_name: String,
        mut read: impl FnMut(&mut [u8]) -> Result<usize, E> + Send + 'static,
        finished: impl FnOnce(Option<E>) + Send + 'static,
    ) -> std::io::Result<()> {
        let input = self.clone();
        std::thread::Builder::new()
            .name(thread_name)
            .spawn(move || {
                let mut chunk = [0u8; READ_CHUNK];
                let mut error = None;
                while !input.stop.load(Ordering::SeqCst) {
                    match read(&mut chunk) {
                        Ok(0) => {}
                        Ok(n) => input.received(chunk[..n].to_vec()),
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
                drop(read);
                finished(error);
                input.hub.disconnected();
                // Wakes a waiting read, which then sees the device disconnected.
                input.doorbell_tx.close();
            })
            .map(|_| ())
    }

    /// One chunk read: a notification while `rx` is subscribed, otherwise kept.
    fn received(&self, data: Vec<u8>) {
        if !self.hub.notify(Endpoint::Rx, data.clone()) {
            let mut backlog = crate::sync::lock(&self.backlog);
            backlog.keep(data);
            let _ = self.doorbell_tx.try_send(());
        }
    }

    /// [`Hardware::read`] of `rx`: input kept (cut to `length`, 0 for all), waiting up to
    /// `timeout` for some to arrive.
    ///
    /// # Errors
    /// [`HardwareError::NoEndpoint`] for another endpoint, [`HardwareError::Disconnected`] once
    /// the device is gone and nothing is kept, [`HardwareError::Timeout`] when nothing arrives.
    pub(crate) async fn read(
        &self,
        endpoint: Endpoint,
        length: u32,
        timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        check_endpoint(endpoint, Endpoint::Rx)?;
        let deadline = Instant::now() + timeout;
        loop {
            let kept = crate::sync::lock(&self.backlog).take(length);
            if let Some(data) = kept {
                return Ok(data);
            }
            self.hub.check_connected()?;
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero()
                || buttplug_devices::with_timeout(left, self.doorbell.recv())
                    .await
                    .is_err()
            {
                return Err(HardwareError::Timeout { after: timeout });
            }
        }
    }

    /// [`Hardware::subscribe`] (`on`) or [`Hardware::unsubscribe`] of `rx`.
    ///
    /// # Errors
    /// [`HardwareError::NoEndpoint`] for another endpoint.
    pub(crate) fn set_subscribed(&self, endpoint: Endpoint, on: bool) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Rx)?;
        self.hub.set_subscribed(endpoint, on);
        Ok(())
    }
}

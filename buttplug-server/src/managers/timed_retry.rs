//! An adapter for managers that find devices by polling (serial ports, USB and HID buses, the
//! Lovense Connect app, or a bus of your own): implement the small [`RetryScanner`] trait and
//! wrap it in a [`TimedRetryManager`], a [`DeviceCommunicationManager`] that calls
//! [`RetryScanner::scan`] once when scanning starts and then every
//! [`RetryScanner::rescan_interval`] until scanning stops. Always compiled, whatever features
//! are enabled.
//!
//! Contract of the adapter:
//! - starting while scanning does nothing; the first pass runs before `start_scanning`
//!   returns, and its [`CommunicationError::Unavailable`] is returned the first time it
//!   happens (the device manager logs it); later "unavailable" passes are logged at debug
//!   level, other failed passes as warnings, and polling goes on in case the transport appears;
//! - `stop_scanning` ends the polling task before it returns: no pass starts after it;
//! - `shutdown` stops scanning, then calls [`RetryScanner::shutdown`] once.
//!
//! Scanners report what they find with [`report_device`]; those that must hand out each
//! device only once keep the devices in use in an [`InUse`] list.

use crate::comm::{
    CommunicationError, CommunicationEvent, CommunicationEventSender, DeviceCommunicationManager,
    HardwareConnector,
};
use crate::managers::hardware_events::EventHub;
use crate::rt;
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// The default polling interval (upstream's `TimedRetryCommunicationManager`: 1 s).
pub const DEFAULT_RESCAN_INTERVAL: Duration = Duration::from_secs(1);

/// One polling pass of a bus: what a polling manager implements (see the module docs for how
/// [`TimedRetryManager`] drives it). Passes never overlap.
#[async_trait]
pub trait RetryScanner: Send + Sync + Debug + 'static {
    /// The manager name (`"serial"`, `"usb"`, ...).
    fn name(&self) -> &'static str;

    /// How long to wait between two passes.
    fn rescan_interval(&self) -> Duration {
        DEFAULT_RESCAN_INTERVAL
    }

    /// Look for devices once and report new ones (with [`report_device`]). Must not block the
    /// thread: blocking bus calls belong on a thread of their own.
    ///
    /// # Errors
    /// [`CommunicationError::Unavailable`] when the transport cannot work here, or
    /// [`CommunicationError::Failed`] for a failed pass (polling goes on either way).
    async fn scan(&self) -> Result<(), CommunicationError>;

    /// Called once when the server shuts down.
    async fn shutdown(&self) {}
}

/// Report a device found by a pass to the device manager, as
/// [`CommunicationEvent::DeviceFound`]; waits while the event channel is full.
///
/// # Errors
/// [`CommunicationError::Stopped`] when the device manager is gone.
pub async fn report_device(
    events: &CommunicationEventSender,
    name: String,
    address: String,
    connector: Box<dyn HardwareConnector>,
) -> Result<(), CommunicationError> {
    let event = CommunicationEvent::DeviceFound {
        name,
        address,
        connector,
    };
    events
        .send(event)
        .await
        .map_err(|_| CommunicationError::Stopped)
}

/// The devices a scanner has handed out, by address, so that later passes skip them until they
/// are gone. Holds their [`EventHub`]s weakly: a device whose hardware was dropped is gone, as
/// is one whose hub was marked disconnected.
#[derive(Debug, Default)]
pub struct InUse {
    hubs: Mutex<BTreeMap<String, Weak<EventHub>>>,
}

impl InUse {
    fn hubs(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Weak<EventHub>>> {
        crate::sync::lock(&self.hubs)
    }

    /// The addresses in use.
    pub fn addresses(&self) -> BTreeSet<String> {
        self.hubs().keys().cloned().collect()
    }

    /// Record a device handed out.
    pub fn insert(&self, address: String, hub: &Arc<EventHub>) {
        self.hubs().insert(address, Arc::downgrade(hub));
    }

    /// Forget the devices that are gone: dropped, disconnected, or no longer `present` (those are
    /// disconnected first).
    pub fn forget_gone(&self, present: impl Fn(&str) -> bool) {
        self.hubs().retain(|address, hub| match hub.upgrade() {
            Some(hub) if present(address) && hub.is_connected() => true,
            Some(hub) => {
                hub.disconnected();
                false
            }
            None => false,
        });
    }
}

#[derive(Debug, Default)]
struct RetryState {
    scanning: AtomicBool,
    reported: AtomicBool,
}

impl RetryState {
    /// Log a pass's error: the first "unavailable" is returned to the caller, repeats are quiet.
    fn note(&self, name: &str, error: &CommunicationError) -> bool {
        match error {
            CommunicationError::Unavailable { .. } => {
                let first = !self.reported.swap(true, Ordering::SeqCst);
                if !first {
                    tracing::debug!("{name}: {error}");
                }
                first
            }
            _ => {
                tracing::warn!("{name}: {error}");
                false
            }
        }
    }
}

/// A [`DeviceCommunicationManager`] that polls a [`RetryScanner`] while scanning.
#[derive(Debug)]
pub struct TimedRetryManager<S: RetryScanner> {
    scanner: Arc<S>,
    state: Arc<RetryState>,
    task: Mutex<Option<rt::Task<()>>>,
}

impl<S: RetryScanner> TimedRetryManager<S> {
    /// Wrap a scanner.
    pub fn new(scanner: S) -> Self {
        TimedRetryManager {
            scanner: Arc::new(scanner),
            state: Arc::new(RetryState::default()),
            task: Mutex::new(None),
        }
    }

    /// The wrapped scanner.
    pub fn scanner(&self) -> &S {
        &self.scanner
    }

    fn take_task(&self) -> Option<rt::Task<()>> {
        crate::sync::lock(&self.task).take()
    }
}

#[async_trait]
impl<S: RetryScanner> DeviceCommunicationManager for TimedRetryManager<S> {
    fn name(&self) -> &'static str {
        self.scanner.name()
    }

    async fn start_scanning(&self) -> Result<(), CommunicationError> {
        if self.state.scanning.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let first = self.scanner.scan().await;
        let scanner = self.scanner.clone();
        let state = self.state.clone();
        let task = rt::spawn(async move {
            loop {
                rt::sleep(scanner.rescan_interval()).await;
                if !state.scanning.load(Ordering::SeqCst) {
                    break;
                }
                if let Err(e) = scanner.scan().await {
                    if state.note(scanner.name(), &e) {
                        tracing::warn!("{}: {e}", scanner.name());
                    }
                }
            }
        });
        let old = crate::sync::lock(&self.task).replace(task);
        if let Some(old) = old {
            old.cancel().await;
        }
        match first {
            Err(e) if self.state.note(self.scanner.name(), &e) => Err(e),
            _ => Ok(()),
        }
    }

    async fn stop_scanning(&self) -> Result<(), CommunicationError> {
        self.state.scanning.store(false, Ordering::SeqCst);
        if let Some(task) = self.take_task() {
            task.cancel().await;
        }
        Ok(())
    }

    fn is_scanning(&self) -> bool {
        self.state.scanning.load(Ordering::SeqCst)
    }

    async fn shutdown(&self) {
        let _ = self.stop_scanning().await;
        self.scanner.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[derive(Debug, Default)]
    struct Counting {
        passes: AtomicU32,
        unavailable: bool,
    }

    #[async_trait]
    impl RetryScanner for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }

        fn rescan_interval(&self) -> Duration {
            Duration::from_millis(10)
        }

        async fn scan(&self) -> Result<(), CommunicationError> {
            self.passes.fetch_add(1, Ordering::SeqCst);
            if self.unavailable {
                Err(CommunicationError::Unavailable {
                    manager: "counting",
                    reason: "nothing here".into(),
                })
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn polls_while_scanning_and_stops() {
        rt::block_on(async {
            let m = TimedRetryManager::new(Counting::default());
            m.start_scanning().await.expect("start");
            assert!(m.is_scanning());
            rt::sleep(Duration::from_millis(100)).await;
            m.stop_scanning().await.expect("stop");
            let n = m.scanner().passes.load(Ordering::SeqCst);
            assert!(n >= 3, "only {n} passes");
            rt::sleep(Duration::from_millis(50)).await;
            assert_eq!(m.scanner().passes.load(Ordering::SeqCst), n);
            assert!(!m.is_scanning());
        });
    }

    #[test]
    fn unavailable_is_reported_once() {
        rt::block_on(async {
            let m = TimedRetryManager::new(Counting {
                unavailable: true,
                ..Counting::default()
            });
            assert!(matches!(
                m.start_scanning().await,
                Err(CommunicationError::Unavailable { .. })
            ));
            m.stop_scanning().await.expect("stop");
            assert!(m.start_scanning().await.is_ok());
            m.shutdown().await;
        });
    }
}

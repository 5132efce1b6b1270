//! Device communication managers: the traits every hardware backend implements, and the task
//! wrapper that runs each manager on its own.
//!
//! The pipeline for one device is: a manager reports [`CommunicationEvent::DeviceFound`] carrying a
//! [`HardwareConnector`] → the device manager checks the connector's specifier against the
//! database → [`HardwareConnector::connect`] → [`HardwareSpecializer::specialize`] with the matching
//! protocols' specifiers → a [`HardwareRef`] the protocol talks to. Each stage consumes the
//! previous one.

use crate::rt;
use async_trait::async_trait;
use buttplug_devices::config::CommunicationSpecifier;
use buttplug_devices::{HardwareError, HardwareRef};
use futures::channel::oneshot;
use std::fmt::Debug;

/// Capacity of the channel that carries manager events to the device manager.
pub const COMMUNICATION_EVENT_CAPACITY: usize = 256;

/// Capacity of each manager task's command channel.
pub const MANAGER_COMMAND_CAPACITY: usize = 16;

/// Errors of a communication manager.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CommunicationError {
    /// The manager cannot work on this machine (no adapter, no permission, ...). Reported once;
    /// the rest of the server runs on.
    #[error("{manager} is unavailable: {reason}")]
    Unavailable {
        /// Manager name.
        manager: &'static str,
        /// Why.
        reason: String,
    },
    /// The manager failed while working.
    #[error("{manager} failed: {reason}")]
    Failed {
        /// Manager name.
        manager: &'static str,
        /// What happened.
        reason: String,
    },
    /// The manager's task has stopped.
    #[error("communication manager task has stopped")]
    Stopped,
}

/// What a manager reports to the device manager.
#[derive(Debug)]
pub enum CommunicationEvent {
    /// A device was found; the connector knows how to reach it.
    DeviceFound {
        /// Advertised name.
        name: String,
        /// Stable address (identity for index reuse and allow/deny).
        address: String,
        /// How to connect.
        connector: Box<dyn HardwareConnector>,
    },
    /// The manager finished scanning on its own (not after an explicit stop).
    ScanningFinished {
        /// Manager name.
        manager: &'static str,
    },
}

/// The sending half managers get for their events.
pub type CommunicationEventSender = async_channel::Sender<CommunicationEvent>;

/// Builds a manager once the device manager knows where events go.
pub trait DeviceCommunicationManagerBuilder: Send {
    /// Build the manager; it reports devices on `events`.
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager>;
}

/// A hardware backend: finds devices of one transport.
#[async_trait]
pub trait DeviceCommunicationManager: Send + Sync + Debug {
    /// A short unique name (`"simulated"`, `"btleplug"`, ...).
    fn name(&self) -> &'static str;

    /// Start looking for devices. Managers whose devices dial in (WebSocket) may do nothing.
    ///
    /// # Errors
    /// [`CommunicationError::Unavailable`] when the transport cannot work here.
    async fn start_scanning(&self) -> Result<(), CommunicationError>;

    /// Stop looking for devices.
    ///
    /// # Errors
    /// As for [`DeviceCommunicationManager::start_scanning`].
    async fn stop_scanning(&self) -> Result<(), CommunicationError>;

    /// Whether the manager is scanning right now.
    fn is_scanning(&self) -> bool {
        false
    }

    /// Whether scanning means anything for this manager.
    fn can_scan(&self) -> bool {
        true
    }

    /// Called once when the server shuts down.
    async fn shutdown(&self) {}
}

/// One discovered device, before connecting.
#[async_trait]
pub trait HardwareConnector: Send + Sync + Debug {
    /// What the device looks like (matched against the database's specifiers).
    fn specifier(&self) -> CommunicationSpecifier;

    /// Connect to the device.
    ///
    /// # Errors
    /// A transport error; the device is then skipped.
    async fn connect(self: Box<Self>) -> Result<Box<dyn HardwareSpecializer>, HardwareError>;
}

/// A connected device that still has to be bound to a protocol's endpoints.
#[async_trait]
pub trait HardwareSpecializer: Send + Sync + Debug {
    /// Bind the transport to the endpoints the candidate protocols' specifiers declare (BLE maps
    /// service/characteristic UUIDs to endpoints) and return the usable hardware.
    ///
    /// # Errors
    /// When none of the specifiers fits the device.
    async fn specialize(
        self: Box<Self>,
        specifiers: &[CommunicationSpecifier],
    ) -> Result<HardwareRef, HardwareError>;
}

/// A specializer for transports whose endpoints are fixed (serial, USB, WebSocket, simulated).
#[derive(Debug)]
pub struct GenericHardwareSpecializer {
    hardware: HardwareRef,
}

impl GenericHardwareSpecializer {
    /// Wrap already-usable hardware.
    pub fn new(hardware: HardwareRef) -> Self {
        GenericHardwareSpecializer { hardware }
    }
}

#[async_trait]
impl HardwareSpecializer for GenericHardwareSpecializer {
    async fn specialize(
        self: Box<Self>,
        _specifiers: &[CommunicationSpecifier],
    ) -> Result<HardwareRef, HardwareError> {
        Ok(self.hardware)
    }
}

enum ManagerCommand {
    Start(oneshot::Sender<Result<(), CommunicationError>>),
    Stop(oneshot::Sender<Result<(), CommunicationError>>),
    Shutdown(oneshot::Sender<()>),
}

/// The device manager's handle to a manager running in its own task.
#[derive(Debug, Clone)]
pub(crate) struct ManagerHandle {
    name: &'static str,
    can_scan: bool,
    commands: async_channel::Sender<ManagerCommand>,
    scanning: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for ManagerCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ManagerCommand::Start(_) => "Start",
            ManagerCommand::Stop(_) => "Stop",
            ManagerCommand::Shutdown(_) => "Shutdown",
        })
    }
}

impl ManagerHandle {
    /// Run `manager` in its own task.
    pub(crate) fn spawn(manager: Box<dyn DeviceCommunicationManager>) -> Self {
        let (tx, rx) = async_channel::bounded::<ManagerCommand>(MANAGER_COMMAND_CAPACITY);
        let name = manager.name();
        let can_scan = manager.can_scan();
        let scanning = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = scanning.clone();
        rt::spawn(async move {
            while let Ok(cmd) = rx.recv().await {
                match cmd {
                    ManagerCommand::Start(reply) => {
                        let r = manager.start_scanning().await;
                        flag.store(manager.is_scanning(), std::sync::atomic::Ordering::SeqCst);
                        let _ = reply.send(r);
                    }
                    ManagerCommand::Stop(reply) => {
                        let r = manager.stop_scanning().await;
                        flag.store(manager.is_scanning(), std::sync::atomic::Ordering::SeqCst);
                        let _ = reply.send(r);
                    }
                    ManagerCommand::Shutdown(reply) => {
                        manager.shutdown().await;
                        let _ = reply.send(());
                        break;
                    }
                }
            }
        });
        ManagerHandle {
            name,
            can_scan,
            commands: tx,
            scanning,
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn can_scan(&self) -> bool {
        self.can_scan
    }

    pub(crate) fn is_scanning(&self) -> bool {
        self.scanning.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The manager reported that it finished scanning on its own.
    pub(crate) fn mark_finished(&self) {
        self.scanning
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }

    async fn request(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<(), CommunicationError>>) -> ManagerCommand,
    ) -> Result<(), CommunicationError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| CommunicationError::Stopped)?;
        rx.await.map_err(|_| CommunicationError::Stopped)?
    }

    pub(crate) async fn start_scanning(&self) -> Result<(), CommunicationError> {
        self.request(ManagerCommand::Start).await
    }

    pub(crate) async fn stop_scanning(&self) -> Result<(), CommunicationError> {
        self.request(ManagerCommand::Stop).await
    }

    pub(crate) async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self
            .commands
            .send(ManagerCommand::Shutdown(tx))
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}

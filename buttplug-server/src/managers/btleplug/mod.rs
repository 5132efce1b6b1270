//! Bluetooth LE devices through btleplug 0.13 (feature `btleplug`).
//!
//! - **Threading:** btleplug needs tokio on Linux (bluez-async, dbus-tokio) and panics when one of
//!   its objects is used or dropped outside a tokio context. This manager therefore owns one OS
//!   thread, `btleplug-tokio`, running a tokio current-thread runtime. Every btleplug object
//!   (manager, adapter, peripherals, event and notification streams) is created, used and dropped
//!   on that thread. The rest of the server talks to it over a bounded command channel
//!   ([`BLE_COMMAND_CAPACITY`]) with one-shot replies; devices are named by their Bluetooth address
//!   string, never by a btleplug value.
//! - **How it finds devices:** while scanning, every advertisement (discovered, updated,
//!   manufacturer data, advertised services) of a peripheral that has a name or advertised
//!   services is turned into a `btle` specifier (its name, manufacturer data and advertised
//!   services) and checked against the database's `btle` specifiers
//!   ([`BtleplugManagerBuilder::from_database`]: names with `*` wildcards, manufacturer data,
//!   advertised services); a match is reported once per scan. A device that disconnects is
//!   offered again when it advertises while scanning, so it reconnects (with the same index).
//! - **Connect and endpoints:** the specializer connects, discovers services and maps the
//!   candidate protocols' `services` tables (service UUID → endpoint → characteristic UUID) onto
//!   what the device has: the first specifier that maps at least one endpoint wins. Writes with or
//!   without response, reads and subscriptions go to the mapped characteristics; notifications
//!   arrive as [`HardwareEvent::Notification`](buttplug_devices::HardwareEvent) on the mapped
//!   endpoint; a disconnect event from the adapter ends the device.
//! - **Message gap:** [`BLE_MESSAGE_GAP`] (75 ms) unless the database says otherwise.
//! - **No adapter:** when there is no system bus, no BlueZ or no adapter, the first
//!   `start_scanning` returns [`CommunicationError::Unavailable`] (logged once by the device
//!   manager); later attempts are quiet, and while scanning is requested the thread looks for an
//!   adapter again every [`BLE_ADAPTER_RETRY`]. The rest of the server is unaffected.
//! - **Limits:** one adapter (the first); no pairing or bonding; no descriptor access; iOS-style
//!   keep-alive is not needed on Linux and is not requested.

mod hardware;
mod thread;

use crate::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use crate::managers::hardware_events::database_specifiers;
use async_trait::async_trait;
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase};
use futures::channel::oneshot;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use thread::BleCommand;

/// The manager name.
pub const BTLEPLUG_MANAGER_NAME: &str = "btleplug";

/// Capacity of the command channel into the btleplug thread.
pub const BLE_COMMAND_CAPACITY: usize = 64;

/// The default gap between two writes to a BLE device.
pub const BLE_MESSAGE_GAP: Duration = Duration::from_millis(75);

/// How often the thread looks for an adapter while scanning is requested and none was found.
pub const BLE_ADAPTER_RETRY: Duration = Duration::from_secs(1);

/// How long connecting (and discovering services) may take.
pub const BLE_CONNECT_TIMEOUT: Duration = Duration::from_secs(8);

/// How long a write, read or subscription may take.
pub const BLE_OPERATION_TIMEOUT: Duration = Duration::from_secs(3);

/// Builder of the btleplug manager.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct BtleplugManagerBuilder {
    filter: Vec<CommunicationSpecifier>,
}

impl BtleplugManagerBuilder {
    /// A manager reporting every named peripheral (the device manager then matches them).
    pub fn new() -> Self {
        Self::default()
    }

    /// A manager reporting only peripherals that match one of the database's `btle` specifiers.
    pub fn from_database(database: &DeviceDatabase) -> Self {
        let filter = database_specifiers(database)
            .filter(|spec| matches!(spec, CommunicationSpecifier::Btle { .. }))
            .cloned()
            .collect();
        BtleplugManagerBuilder { filter }
    }

    /// The `btle` specifiers a peripheral must match to be reported (empty: every named
    /// peripheral is reported).
    pub fn filter(&self) -> &[CommunicationSpecifier] {
        &self.filter
    }
}

impl DeviceCommunicationManagerBuilder for BtleplugManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        let (commands, receiver) = async_channel::bounded(BLE_COMMAND_CAPACITY);
        let started = thread::start(receiver, commands.clone(), events, self.filter);
        if let Err(e) = &started {
            tracing::error!("btleplug: cannot start the Bluetooth thread: {e}");
        }
        Box::new(BtleplugManager {
            commands,
            scanning: AtomicBool::new(false),
            reported: AtomicBool::new(false),
            thread_error: started.err().map(|e| e.to_string()),
        })
    }
}

/// The btleplug manager (a handle to the `btleplug-tokio` thread).
#[derive(Debug)]
pub struct BtleplugManager {
    commands: async_channel::Sender<BleCommand>,
    scanning: AtomicBool,
    reported: AtomicBool,
    thread_error: Option<String>,
}

impl BtleplugManager {
    fn unavailable(&self, reason: String) -> CommunicationError {
        CommunicationError::Unavailable {
            manager: BTLEPLUG_MANAGER_NAME,
            reason,
        }
    }

    async fn request(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<(), String>>) -> BleCommand,
    ) -> Result<(), String> {
        if let Some(e) = &self.thread_error {
            return Err(e.clone());
        }
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| "the Bluetooth thread has stopped".to_string())?;
        rx.await
            .map_err(|_| "the Bluetooth thread has stopped".to_string())?
    }
}

#[async_trait]
impl DeviceCommunicationManager for BtleplugManager {
    fn name(&self) -> &'static str {
        BTLEPLUG_MANAGER_NAME
    }

    async fn start_scanning(&self) -> Result<(), CommunicationError> {
        self.scanning.store(true, Ordering::SeqCst);
        match self.request(BleCommand::StartScan).await {
            Ok(()) => Ok(()),
            Err(reason) => {
                if self.reported.swap(true, Ordering::SeqCst) {
                    tracing::debug!("btleplug: {reason}");
                    Ok(())
                } else {
                    Err(self.unavailable(reason))
                }
            }
        }
    }

    async fn stop_scanning(&self) -> Result<(), CommunicationError> {
        self.scanning.store(false, Ordering::SeqCst);
        if let Err(reason) = self.request(BleCommand::StopScan).await {
            tracing::debug!("btleplug: stop scanning: {reason}");
        }
        Ok(())
    }

    fn is_scanning(&self) -> bool {
        self.scanning.load(Ordering::SeqCst)
    }

    async fn shutdown(&self) {
        let _ = self.request(BleCommand::Shutdown).await;
    }
}

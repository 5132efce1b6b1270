//! The device manager: runs the communication managers, turns discovered hardware into devices
//! (database match → connect → specialize → identify → initialize), assigns indexes that survive
//! reconnects, and fans device events out to sessions. One device manager serves every session.

use crate::broadcast::Broadcaster;
use crate::comm::{
    COMMUNICATION_EVENT_CAPACITY, CommunicationError, CommunicationEvent,
    DeviceCommunicationManagerBuilder, HardwareConnector, ManagerHandle,
};
use crate::device::{
    DEVICE_REQUEST_CAPACITY, DeviceEvent, DeviceTask, Limits, RawReading, ServerDevice, TaskOptions,
};
use crate::rt;
use crate::user_config::UserConfigFile;
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase, OutputLimits};
use buttplug_devices::{
    DeviceError, HardwareError, HardwareRef, InputReading, OutputCommand, Protocol, protocols,
};
use dashmap::DashMap;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Capacity of each session's device-manager event receiver.
pub const DEVICE_MANAGER_EVENT_CAPACITY: usize = 1024;

/// Capacity of the channel from device tasks to the device manager.
pub const DEVICE_EVENT_CAPACITY: usize = 1024;

/// How long identify + initialize of one device may take before the device is skipped.
pub const DEVICE_SETUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors of the device manager.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceManagerError {
    /// Two communication managers have the same name.
    #[error("two communication managers are named {name}")]
    DuplicateManager {
        /// The name.
        name: &'static str,
    },
    /// No communication manager can scan.
    #[error("no communication manager can scan")]
    NoManagers,
    /// A manager failed.
    #[error(transparent)]
    Communication(#[from] CommunicationError),
}

/// Errors of [`DeviceManager::set_device_limits`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetLimitsError {
    /// No device has this index (or it went away meanwhile).
    #[error("device index {index} does not refer to a connected device")]
    NoDevice {
        /// The index asked for.
        index: u32,
    },
    /// The limits apply, but the user config file could not be written.
    #[error(transparent)]
    Save(#[from] crate::user_config::UserConfigError),
}

/// Events sessions receive from the device manager.
#[derive(Debug, Clone)]
pub enum DeviceManagerEvent {
    /// A device was connected and identified.
    DeviceAdded(ServerDevice),
    /// A device went away.
    DeviceRemoved(u32),
    /// Every manager finished scanning on its own.
    ScanningFinished,
    /// A subscribed input produced a reading.
    InputReading {
        /// Device index.
        index: u32,
        /// The reading.
        reading: InputReading,
    },
    /// A raw-subscribed endpoint produced data.
    RawReading(RawReading),
}

/// What the device manager observes besides [`DeviceManagerEvent`]s, for monitors such as the
/// REST API's event stream: outputs written to devices and the scanning state. Produced only
/// while someone subscribes ([`DeviceManager::observe`]); sessions do not see these.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceObservation {
    /// A device task handed an output change to its protocol (exact repeats of the last value
    /// are not written and produce none). `command.value` is the hardware step value, after
    /// the user range mapping.
    Output {
        /// Device index.
        index: u32,
        /// The output as written.
        command: OutputCommand,
    },
    /// Scanning started ([`DeviceManager::start_scanning`]) or stopped (stopped by a caller,
    /// or every manager finished on its own).
    Scanning {
        /// Whether any manager is scanning now.
        scanning: bool,
    },
    /// In a server shared by several clients: the client holding device `index` changed (see
    /// [`ServerDevice::claimed_by`](crate::ServerDevice::claimed_by)).
    Claim {
        /// Device index.
        index: u32,
        /// The holding client's name; `None` when the device became free.
        client: Option<String>,
    },
}

/// Subscribers of [`DeviceObservation`]s: one [`Broadcaster`] behind a relaxed atomic flag, so a
/// device task checks one flag per output it writes and does nothing more while nobody listens.
#[derive(Debug)]
pub(crate) struct Observers {
    active: AtomicBool,
    fan_out: Broadcaster<DeviceObservation>,
    /// Orders subscribing against switching the flag off (see [`Observers::send`]).
    switch: Mutex<()>,
}

impl Default for Observers {
    fn default() -> Self {
        Observers {
            active: AtomicBool::new(false),
            fan_out: Broadcaster::new(DEVICE_MANAGER_EVENT_CAPACITY),
            switch: Mutex::new(()),
        }
    }
}

impl Observers {
    fn subscribe(&self) -> async_broadcast::Receiver<DeviceObservation> {
        let _switch = crate::sync::lock(&self.switch);
        let receiver = self.fan_out.subscribe();
        self.active.store(true, Ordering::Relaxed);
        receiver
    }

    /// Whether anyone listens (may be stale by one event around a subscribe).
    #[inline]
    pub(crate) fn wanted(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Send to every live subscriber (one that fell behind loses its oldest observations).
    pub(crate) fn send(&self, observation: DeviceObservation) {
        if !self.wanted() {
            return;
        }
        self.fan_out.send(observation);
        if self.fan_out.receiver_count() == 0 {
            // Checked again under the lock a subscriber takes, so one that subscribes meanwhile
            // is never left with the flag off.
            let _switch = crate::sync::lock(&self.switch);
            if self.fan_out.receiver_count() == 0 {
                self.active.store(false, Ordering::Relaxed);
            }
        }
    }
}

/// Options of the device manager.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct DeviceManagerOptions {
    /// Force this message gap on every device instead of the configured one (`Some(ZERO)` for
    /// deterministic tests).
    pub message_gap_override: Option<Duration>,
    /// Whether keep-alive and protocol tick timers run (default on).
    pub timers: bool,
    /// Safety limits of every output with a stop value, unless the user config sets the
    /// device's or the output's own (which win, per limit). Enforced in each device task on
    /// every value a protocol receives, whatever the client path; stops are never limited.
    pub limits: OutputLimits,
    /// Dead-man switch: a device that runs (an output away from its stop value) and has had no
    /// output command for this long is stopped. `None` (default): off.
    pub idle_stop: Option<Duration>,
}

impl Default for DeviceManagerOptions {
    fn default() -> Self {
        DeviceManagerOptions {
            message_gap_override: None,
            timers: true,
            limits: OutputLimits::NONE,
            idle_stop: None,
        }
    }
}

/// Builds a [`DeviceManager`].
#[must_use]
pub struct DeviceManagerBuilder {
    database: Arc<DeviceDatabase>,
    managers: Vec<Box<dyn DeviceCommunicationManagerBuilder>>,
    options: DeviceManagerOptions,
    user_config_file: Option<Arc<UserConfigFile>>,
    protocols: Vec<&'static dyn Protocol>,
}

impl std::fmt::Debug for DeviceManagerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceManagerBuilder")
            .field("managers", &self.managers.len())
            .field("options", &self.options)
            .finish()
    }
}

impl DeviceManagerBuilder {
    /// A builder over a device database.
    pub fn new(database: Arc<DeviceDatabase>) -> Self {
        DeviceManagerBuilder {
            database,
            managers: Vec::new(),
            options: DeviceManagerOptions::default(),
            user_config_file: None,
            protocols: Vec::new(),
        }
    }

    /// Use this protocol implementation for devices of its id, before the built-in registry
    /// (`buttplug_devices::protocols::registry`): a new protocol, or a replacement of a built-in
    /// one. Its devices come from the database: add the protocol's entry with
    /// `DeviceDatabase::with_protocol` when it is not a built-in id.
    pub fn protocol(mut self, protocol: &'static dyn Protocol) -> Self {
        self.protocols.retain(|p| p.id() != protocol.id());
        self.protocols.push(protocol);
        self
    }

    /// Write newly seen devices and their indexes to this user config file (load the database
    /// with [`UserConfigFile::load`]), so they keep their indexes after a restart.
    pub fn user_config_file(mut self, file: Arc<UserConfigFile>) -> Self {
        self.user_config_file = Some(file);
        self
    }

    /// Add a communication manager.
    pub fn comm_manager(
        mut self,
        builder: impl DeviceCommunicationManagerBuilder + 'static,
    ) -> Self {
        self.managers.push(Box::new(builder));
        self
    }

    /// Add a boxed communication manager.
    pub fn boxed_comm_manager(
        mut self,
        builder: Box<dyn DeviceCommunicationManagerBuilder>,
    ) -> Self {
        self.managers.push(builder);
        self
    }

    /// Set the options.
    pub fn options(mut self, options: DeviceManagerOptions) -> Self {
        self.options = options;
        self
    }

    /// Force a message gap on every device (see [`DeviceManagerOptions`]).
    pub fn message_gap_override(mut self, gap: Option<Duration>) -> Self {
        self.options.message_gap_override = gap;
        self
    }

    /// Turn keep-alive and protocol tick timers on or off.
    pub fn timers(mut self, on: bool) -> Self {
        self.options.timers = on;
        self
    }

    /// Default safety limits of every output (see [`DeviceManagerOptions::limits`]).
    pub fn limits(mut self, limits: OutputLimits) -> Self {
        self.options.limits = limits;
        self
    }

    /// Stop a running device after this long without an output command from its client (see
    /// [`DeviceManagerOptions::idle_stop`]; `None`: off).
    pub fn idle_stop(mut self, idle: Option<Duration>) -> Self {
        self.options.idle_stop = idle.filter(|d| !d.is_zero());
        self
    }

    /// Start the managers and the device manager's tasks. Must be called inside the runtime.
    ///
    /// # Errors
    /// [`DeviceManagerError::DuplicateManager`].
    pub fn finish(self) -> Result<DeviceManager, DeviceManagerError> {
        let (comm_tx, comm_rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let (dev_tx, dev_rx) = async_channel::bounded(DEVICE_EVENT_CAPACITY);
        let mut handles: Vec<ManagerHandle> = Vec::new();
        for b in self.managers {
            let manager = b.finish(comm_tx.clone());
            let name = manager.name();
            if handles.iter().any(|h| h.name() == name) {
                return Err(DeviceManagerError::DuplicateManager { name });
            }
            handles.push(ManagerHandle::spawn(manager));
        }
        let inner = Arc::new(Inner {
            database: self.database,
            devices: DashMap::new(),
            hardware: DashMap::new(),
            positions: DashMap::new(),
            connecting: DashMap::new(),
            known: Mutex::new(HashMap::new()),
            limits: DashMap::new(),
            managers: handles,
            events: Broadcaster::new(DEVICE_MANAGER_EVENT_CAPACITY),
            observers: Arc::new(Observers::default()),
            options: self.options,
            device_events: dev_tx,
            user_config_file: self.user_config_file,
            protocols: self.protocols,
        });
        let weak = Arc::downgrade(&inner);
        rt::spawn(async move {
            while let Ok(event) = comm_rx.recv().await {
                let Some(inner) = weak.upgrade() else { break };
                inner.on_comm_event(event);
            }
        });
        let weak = Arc::downgrade(&inner);
        rt::spawn(async move {
            while let Ok(event) = dev_rx.recv().await {
                let Some(inner) = weak.upgrade() else { break };
                inner.on_device_event(event);
            }
        });
        Ok(DeviceManager { inner })
    }
}

type IdentityKey = (String, String, Option<String>);

/// The user config key of a connected device: address, protocol, identifier.
fn identity_key(device: &ServerDevice) -> IdentityKey {
    let definition = device.definition();
    (
        device.address().to_string(),
        definition.protocol.clone(),
        definition.identifier.clone(),
    )
}

struct Inner {
    database: Arc<DeviceDatabase>,
    devices: DashMap<u32, ServerDevice>,
    /// The hardware of each connected device, for what the session asks the transport itself
    /// (signal strength) rather than the device's protocol.
    hardware: DashMap<u32, HardwareRef>,
    /// The last hardware position queued per (device, feature) by any session: where a stroker
    /// is heading, which the legacy Launch command needs to turn a speed into a duration.
    positions: DashMap<(u32, u32), i32>,
    connecting: DashMap<String, ()>,
    known: Mutex<HashMap<IdentityKey, u32>>,
    /// Device-wide limits set while running ([`DeviceManager::set_device_limits`]); they win
    /// over the database's for as long as the device manager lives (reconnects included).
    limits: DashMap<IdentityKey, OutputLimits>,
    managers: Vec<ManagerHandle>,
    events: Broadcaster<DeviceManagerEvent>,
    observers: Arc<Observers>,
    options: DeviceManagerOptions,
    device_events: async_channel::Sender<DeviceEvent>,
    user_config_file: Option<Arc<UserConfigFile>>,
    /// Protocols the application registered; looked up before the built-in registry.
    protocols: Vec<&'static dyn Protocol>,
}

/// The device manager. Cheap to clone; shared by every session.
#[derive(Clone)]
pub struct DeviceManager {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for DeviceManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceManager")
            .field("devices", &self.inner.devices.len())
            .field("managers", &self.inner.managers.len())
            .finish()
    }
}

impl DeviceManager {
    /// A new receiver of device events (added, removed, readings, scanning finished), from now
    /// on. Bounded ([`DEVICE_MANAGER_EVENT_CAPACITY`]): a receiver that falls that far behind
    /// loses its oldest unread events instead of slowing devices down.
    pub fn event_receiver(&self) -> async_broadcast::Receiver<DeviceManagerEvent> {
        self.inner.events.subscribe()
    }

    /// A new receiver of [`DeviceObservation`]s (outputs written, scanning state), from now on.
    /// Bounded ([`DEVICE_MANAGER_EVENT_CAPACITY`]): a receiver that falls that far behind loses
    /// its oldest unread observations instead of slowing devices down. Drop it to stop the
    /// observations.
    pub fn observe(&self) -> async_broadcast::Receiver<DeviceObservation> {
        self.inner.observers.subscribe()
    }

    /// The device database in use.
    pub fn database(&self) -> &DeviceDatabase {
        &self.inner.database
    }

    /// Every connected device, by index.
    pub fn devices(&self) -> Vec<ServerDevice> {
        let mut v: Vec<ServerDevice> = self
            .inner
            .devices
            .iter()
            .map(|d| d.value().clone())
            .collect();
        v.sort_by_key(ServerDevice::index);
        v
    }

    /// One device.
    pub fn device(&self, index: u32) -> Option<ServerDevice> {
        self.inner.devices.get(&index).map(|d| d.value().clone())
    }

    /// Whether the hardware of device `index` reports its signal strength.
    pub fn supports_rssi(&self, index: u32) -> bool {
        self.inner
            .hardware
            .get(&index)
            .is_some_and(|h| h.supports_rssi())
    }

    /// The signal strength of device `index` in dBm, read from its transport.
    ///
    /// # Errors
    /// [`HardwareError::Disconnected`] when no such device is connected, else what
    /// [`buttplug_devices::Hardware::rssi`] answers.
    pub async fn rssi(&self, index: u32) -> Result<i16, HardwareError> {
        let hardware = self
            .inner
            .hardware
            .get(&index)
            .map(|h| h.value().clone())
            .ok_or(HardwareError::Disconnected)?;
        hardware.rssi().await
    }

    /// The last hardware position any session queued for (device, feature), if any.
    pub(crate) fn last_position(&self, index: u32, feature: u32) -> Option<i32> {
        self.inner.positions.get(&(index, feature)).map(|p| *p)
    }

    /// Note a queued position command (see [`DeviceManager::last_position`]).
    pub(crate) fn note_position(&self, index: u32, feature: u32, value: i32) {
        self.inner.positions.insert((index, feature), value);
    }

    /// Names of the running communication managers.
    pub fn manager_names(&self) -> Vec<&'static str> {
        self.inner
            .managers
            .iter()
            .map(ManagerHandle::name)
            .collect()
    }

    /// Start scanning on every manager that can scan. A manager that is unavailable here is
    /// logged and skipped; the others scan on.
    ///
    /// # Errors
    /// [`DeviceManagerError::NoManagers`] when no manager can scan.
    pub async fn start_scanning(&self) -> Result<(), DeviceManagerError> {
        let scanners: Vec<&ManagerHandle> = self
            .inner
            .managers
            .iter()
            .filter(|m| m.can_scan())
            .collect();
        if scanners.is_empty() {
            return Err(DeviceManagerError::NoManagers);
        }
        // Announced first, so a manager that finishes at once is seen stopping after it.
        self.inner
            .observers
            .send(DeviceObservation::Scanning { scanning: true });
        let mut started = false;
        for m in scanners {
            match m.start_scanning().await {
                Ok(()) => started = true,
                Err(e) => tracing::warn!("{}: cannot start scanning: {e}", m.name()),
            }
        }
        if !started {
            self.inner
                .observers
                .send(DeviceObservation::Scanning { scanning: false });
        }
        Ok(())
    }

    /// Stop scanning on every manager.
    pub async fn stop_scanning(&self) {
        for m in self.inner.managers.iter().filter(|m| m.can_scan()) {
            if let Err(e) = m.stop_scanning().await {
                tracing::warn!("{}: cannot stop scanning: {e}", m.name());
            }
        }
        self.inner
            .observers
            .send(DeviceObservation::Scanning { scanning: false });
    }

    /// Whether any manager is scanning.
    pub fn is_scanning(&self) -> bool {
        self.inner.managers.iter().any(ManagerHandle::is_scanning)
    }

    /// The device-wide safety limits of device `index` (its user config entry's `max_level` and
    /// `max_ramp`, or what [`DeviceManager::set_device_limits`] set), without the server's
    /// defaults and the per-output limits. `None` when no device has this index.
    pub fn device_limits(&self, index: u32) -> Option<OutputLimits> {
        let device = self.device(index)?;
        let key = identity_key(&device);
        if let Some(l) = self.inner.limits.get(&key) {
            return Some(*l);
        }
        Some(
            self.inner
                .database
                .user_device(&key.0, &key.1, key.2.as_deref())
                .map_or(OutputLimits::NONE, |s| s.limits),
        )
    }

    /// The server's default safety limits ([`DeviceManagerOptions::limits`]: `--max-level`,
    /// `--max-ramp`), in force on every output whose device or output sets none of its own.
    pub fn default_limits(&self) -> OutputLimits {
        self.inner.options.limits
    }

    /// Set the device-wide safety limits of device `index` (`OutputLimits::NONE` removes them):
    /// the device task applies them from the next command on (a ramp in progress ends where it
    /// is), they stay for reconnects, and with a user config file they are saved in the device's
    /// entry (`user_config.max_level`, `max_ramp`), so the next run starts with them. Limits a
    /// user config sets on one output still win for that output, and the server's defaults
    /// ([`DeviceManagerOptions::limits`]) fill in a limit left unset.
    ///
    /// # Errors
    /// [`SetLimitsError::NoDevice`]; [`SetLimitsError::Save`] when the file cannot be written
    /// (the limits are in force anyway).
    pub async fn set_device_limits(
        &self,
        index: u32,
        limits: OutputLimits,
    ) -> Result<(), SetLimitsError> {
        let device = self
            .device(index)
            .ok_or(SetLimitsError::NoDevice { index })?;
        let key = identity_key(&device);
        self.inner.limits.insert(key.clone(), limits);
        let definition = device.definition();
        let gap = Some(Duration::from_millis(u64::from(device.message_gap_ms())))
            .filter(|g| !g.is_zero());
        let own = self
            .inner
            .own_limits(definition, &key.0, &key.1, key.2.as_deref());
        let task_limits = Limits::new(definition, &own, self.inner.options.limits, gap);
        if !device.set_limits(task_limits).await {
            return Err(SetLimitsError::NoDevice { index });
        }
        if let Some(file) = &self.inner.user_config_file {
            file.set_device_limits(&key.0, &key.1, key.2.as_deref(), index, limits)
                .await?;
        }
        Ok(())
    }

    /// Stop every output and input of every device (all at once, not one after the other).
    pub async fn stop_all(&self) {
        let stops = self.devices().into_iter().map(|d| async move {
            if let Err(e) = d.stop(None, true, true).await {
                tracing::warn!(device = d.index(), "stop failed: {e}");
            }
        });
        futures::future::join_all(stops).await;
    }

    /// Add hardware directly (used by managers that are not scanning-driven, and by tests).
    pub fn add_hardware(
        &self,
        name: String,
        address: String,
        connector: Box<dyn HardwareConnector>,
    ) {
        self.inner.on_comm_event(CommunicationEvent::DeviceFound {
            name,
            address,
            connector,
        });
    }

    /// Stop scanning, stop every device, disconnect every device and shut the managers down.
    pub async fn shutdown(&self) {
        self.stop_scanning().await;
        self.stop_all().await;
        for d in self.devices() {
            d.disconnect().await;
        }
        for m in &self.inner.managers {
            m.shutdown().await;
        }
    }
}

struct ConnectingGuard {
    inner: Arc<Inner>,
    address: String,
}

impl Drop for ConnectingGuard {
    fn drop(&mut self) {
        self.inner.connecting.remove(&self.address);
    }
}

impl Inner {
    fn known(&self) -> MutexGuard<'_, HashMap<IdentityKey, u32>> {
        crate::sync::lock(&self.known)
    }

    fn on_comm_event(self: &Arc<Self>, event: CommunicationEvent) {
        match event {
            CommunicationEvent::DeviceFound {
                name,
                address,
                connector,
            } => {
                if !self.database.is_address_allowed(&address) {
                    tracing::info!(%name, %address, "device ignored (deny/allow list)");
                    return;
                }
                if self.devices.iter().any(|d| d.value().address() == address) {
                    tracing::debug!(%address, "device already connected");
                    return;
                }
                if self.connecting.insert(address.clone(), ()).is_some() {
                    tracing::debug!(%address, "device already connecting");
                    return;
                }
                let guard = ConnectingGuard {
                    inner: self.clone(),
                    address: address.clone(),
                };
                let inner = self.clone();
                rt::spawn(async move {
                    let setup = inner.setup_device(&name, &address, connector);
                    match buttplug_devices::with_timeout(DEVICE_SETUP_TIMEOUT, setup).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::info!(%name, %address, "device not added: {e}"),
                        Err(_) => tracing::warn!(%name, %address, "device setup timed out"),
                    }
                    drop(guard);
                });
            }
            CommunicationEvent::ScanningFinished { manager } => {
                tracing::debug!("{manager} finished scanning");
                for m in self.managers.iter().filter(|m| m.name() == manager) {
                    m.mark_finished();
                }
                if !self.managers.iter().any(ManagerHandle::is_scanning) {
                    self.events.send(DeviceManagerEvent::ScanningFinished);
                    self.observers
                        .send(DeviceObservation::Scanning { scanning: false });
                }
            }
        }
    }

    async fn setup_device(
        self: &Arc<Self>,
        name: &str,
        address: &str,
        connector: Box<dyn HardwareConnector>,
    ) -> Result<(), String> {
        let specifier = connector.specifier();
        let mut candidates: Vec<String> = self
            .database
            .matching_protocols(&specifier)
            .into_iter()
            .map(str::to_string)
            .collect();
        // A WebSocket device whose identifier is a protocol id needs no user config.
        if let (true, CommunicationSpecifier::Websocket { name }) =
            (candidates.is_empty(), &specifier)
        {
            if self.database.protocol_ids().contains(&name.as_str()) {
                candidates.push(name.clone());
            }
        }
        if candidates.is_empty() {
            return Err("no protocol in the database matches".into());
        }
        let specifiers: Vec<_> = candidates
            .iter()
            .flat_map(|p| self.database.protocol_specifiers(p))
            .cloned()
            .collect();
        let specializer = connector.connect().await.map_err(|e| e.to_string())?;
        let hardware = specializer
            .specialize(&specifiers)
            .await
            .map_err(|e| e.to_string())?;
        for protocol_id in &candidates {
            let Some(protocol) = self.find_protocol(protocol_id) else {
                tracing::info!(%name, "protocol {protocol_id} has no implementation");
                continue;
            };
            match self.try_protocol(protocol, &hardware, address).await {
                Ok(device) => {
                    tracing::info!(
                        index = device.index(),
                        name = %device.definition().name,
                        protocol = %device.definition().protocol,
                        %address,
                        "device added"
                    );
                    return Ok(());
                }
                Err(e) => tracing::info!(%name, "{protocol_id}: {e}"),
            }
        }
        let _ = hardware.disconnect().await;
        Err("no protocol could take the device".into())
    }

    /// The implementation of a protocol id: the application's, else the built-in one.
    fn find_protocol(&self, id: &str) -> Option<&'static dyn Protocol> {
        self.protocols
            .iter()
            .copied()
            .find(|p| p.id() == id)
            .or_else(|| protocols::find(id))
    }

    async fn try_protocol(
        self: &Arc<Self>,
        protocol: &'static dyn Protocol,
        hardware: &HardwareRef,
        address: &str,
    ) -> Result<ServerDevice, String> {
        let ident = protocol
            .identify(hardware.as_ref())
            .await
            .map_err(|e: DeviceError| e.to_string())?;
        let protocol = match ident.reroute_protocol {
            Some(other) => self
                .find_protocol(other)
                .ok_or_else(|| format!("identify re-routed to unknown protocol {other}"))?,
            None => protocol,
        };
        let identifier = ident.identifier.clone();
        let definition = self
            .database
            .definition(protocol.id(), identifier.as_deref(), address)
            .ok_or_else(|| format!("no definition for {:?}", identifier))?;
        if let Some(user) = self
            .database
            .user_device(address, protocol.id(), identifier.as_deref())
        {
            if user.deny {
                return Err("denied by user config".into());
            }
        }
        let handler = protocol
            .initialize(hardware.as_ref(), &definition)
            .await
            .map_err(|e| e.to_string())?;
        #[cfg(test)]
        let handler = crate::device::probe::wrap(handler, address);
        let gap = self
            .options
            .message_gap_override
            .or_else(|| definition.message_gap())
            .or_else(|| hardware.default_message_gap())
            .filter(|g| !g.is_zero());
        let own_limits =
            self.own_limits(&definition, address, protocol.id(), identifier.as_deref());
        let limits = Limits::new(&definition, &own_limits, self.options.limits, gap);
        let index = self.assign_index(address, protocol.id(), identifier.as_deref());
        let definition = Arc::new(definition);
        let (tx, rx) = async_channel::bounded(DEVICE_REQUEST_CAPACITY);
        let device = ServerDevice::new(
            index,
            address.to_string(),
            definition.clone(),
            tx,
            gap.map_or(0, |g| u32::try_from(g.as_millis()).unwrap_or(u32::MAX)),
            hardware.endpoints(),
            Some(self.observers.clone()),
        );
        let mut task = DeviceTask {
            index,
            hardware: hardware.clone(),
            handler,
            definition,
            options: TaskOptions {
                gap,
                timers: self.options.timers,
                idle_stop: self.options.idle_stop,
            },
            events: self.device_events.clone(),
            observers: self.observers.clone(),
            written: Vec::new(),
            written_at: None,
            limits,
            claim: device.claim_slot(),
        };
        if task.stops_on_connect() {
            task.stop_on_connect()
                .await
                .map_err(|e| format!("stop on connect failed: {e}"))?;
        }
        rt::spawn(task.run(rx));
        self.hardware.insert(index, hardware.clone());
        if let Some(old) = self.devices.insert(index, device.clone()) {
            tracing::warn!(
                index,
                "index taken by a new device; disconnecting the old one"
            );
            old.disconnect().await;
        }
        self.events
            .send(DeviceManagerEvent::DeviceAdded(device.clone()));
        Ok(device)
    }

    /// The user config's limits of a device's outputs, with the device-wide limits set while
    /// running in place of the database's.
    fn own_limits(
        &self,
        definition: &buttplug_devices::DeviceDefinition,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
    ) -> Vec<(u32, buttplug_core::OutputType, OutputLimits)> {
        let key = (
            address.to_string(),
            protocol.to_string(),
            identifier.map(str::to_string),
        );
        let Some(limits) = self.limits.get(&key).map(|l| *l) else {
            return self
                .database
                .output_limits(definition, address, protocol, identifier);
        };
        // Rare (a user changed a limit): a copy of the user layer with the new device setting.
        let mut database = (*self.database).clone();
        let mut settings = database
            .user_device(address, protocol, identifier)
            .cloned()
            .unwrap_or_else(|| buttplug_devices::config::UserDeviceSettings::new(0));
        settings.limits = limits;
        database.set_user_device(address, protocol, identifier, settings);
        database.output_limits(definition, address, protocol, identifier)
    }

    fn assign_index(&self, address: &str, protocol: &str, identifier: Option<&str>) -> u32 {
        let key = (
            address.to_string(),
            protocol.to_string(),
            identifier.map(str::to_string),
        );
        let mut known = self.known();
        if let Some(i) = known.get(&key) {
            return *i;
        }
        let reserved = self
            .database
            .user_device(address, protocol, identifier)
            .map(|u| u.index);
        let index = match reserved {
            Some(i) => i,
            None => {
                let taken: BTreeSet<u32> = known
                    .values()
                    .copied()
                    .chain(self.database.reserved_indexes())
                    .chain(self.devices.iter().map(|d| *d.key()))
                    .collect();
                let index = (0..).find(|i| !taken.contains(i)).unwrap_or(u32::MAX);
                if let Some(file) = &self.user_config_file {
                    file.device_seen(address, protocol, identifier, index);
                }
                index
            }
        };
        known.insert(key, index);
        index
    }

    fn on_device_event(&self, event: DeviceEvent) {
        match event {
            DeviceEvent::Reading { index, reading } => self
                .events
                .send(DeviceManagerEvent::InputReading { index, reading }),
            DeviceEvent::Raw(r) => self.events.send(DeviceManagerEvent::RawReading(r)),
            DeviceEvent::Gone { index } => {
                // Only remove the entry if it is still the task that ended (a replaced device's
                // old task also reports Gone).
                let removed = self
                    .devices
                    .remove_if(&index, |_, d| !d.is_connected())
                    .is_some();
                if removed {
                    self.hardware.remove(&index);
                    self.positions.retain(|(d, _), _| *d != index);
                    tracing::info!(index, "device removed");
                    self.events.send(DeviceManagerEvent::DeviceRemoved(index));
                }
            }
        }
    }
}

#[cfg(test)]
mod observer_tests {
    use super::{DeviceObservation, Observers};

    fn scanning(scanning: bool) -> DeviceObservation {
        DeviceObservation::Scanning { scanning }
    }

    #[test]
    fn observations_flow_only_while_someone_listens() {
        let observers = Observers::default();
        assert!(!observers.wanted());
        observers.send(scanning(true)); // nobody listens: dropped

        let mut first = observers.subscribe();
        let mut second = observers.subscribe();
        assert!(observers.wanted());
        observers.send(scanning(false));
        assert_eq!(first.try_recv(), Ok(scanning(false)));
        assert_eq!(second.try_recv(), Ok(scanning(false)));

        drop(first);
        observers.send(scanning(true));
        assert!(observers.wanted(), "one receiver is still there");
        assert_eq!(second.try_recv(), Ok(scanning(true)));

        drop(second);
        observers.send(scanning(false));
        assert!(
            !observers.wanted(),
            "the last receiver left: the flag goes off"
        );

        let mut again = observers.subscribe();
        assert!(observers.wanted());
        observers.send(scanning(true));
        assert_eq!(again.try_recv(), Ok(scanning(true)));
    }
}

//! The `btleplug-tokio` thread: owns every btleplug object and serves [`BleCommand`]s.

use super::hardware::BtleConnector;
use super::{BLE_ADAPTER_RETRY, BLE_CONNECT_TIMEOUT, BLE_OPERATION_TIMEOUT};
use crate::comm::{CommunicationEvent, CommunicationEventSender};
use crate::managers::hardware_events::EventHub;
use crate::sync::lock;
use ::btleplug::api::{
    Central, CentralEvent, Characteristic, Manager as _, Peripheral as _, PeripheralProperties,
    ScanFilter, WriteType,
};
use ::btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use buttplug_devices::config::{CommunicationSpecifier, ManufacturerData};
use buttplug_devices::{Endpoint, HardwareError};
use futures::channel::oneshot;
use futures::stream::Stream;
use futures::{FutureExt, StreamExt};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Service UUID → characteristic UUIDs of a connected device (lower-case hyphenated strings).
pub(super) type ServiceMap = BTreeMap<String, BTreeSet<String>>;

/// A reply channel.
pub(super) type Reply<T> = oneshot::Sender<Result<T, HardwareError>>;

/// A characteristic of a device: (service UUID, characteristic UUID).
pub(super) type CharKey = (String, String);

/// What the rest of the server asks the thread to do.
pub(super) enum BleCommand {
    /// Find an adapter if needed and start scanning.
    StartScan(oneshot::Sender<Result<(), String>>),
    /// Stop scanning.
    StopScan(oneshot::Sender<Result<(), String>>),
    /// Connect and discover services.
    Connect {
        address: String,
        reply: Reply<ServiceMap>,
    },
    /// Route the device's notifications and disconnect to `hub` (characteristic → endpoint).
    Attach {
        address: String,
        hub: Arc<EventHub>,
        routes: HashMap<String, Endpoint>,
    },
    /// Write a characteristic.
    Write {
        address: String,
        characteristic: CharKey,
        data: Vec<u8>,
        with_response: bool,
        reply: Reply<()>,
    },
    /// Read a characteristic.
    Read {
        address: String,
        characteristic: CharKey,
        reply: Reply<Vec<u8>>,
    },
    /// Subscribe to (or unsubscribe from) a characteristic.
    Subscribe {
        address: String,
        characteristic: CharKey,
        on: bool,
        reply: Reply<()>,
    },
    /// The device's last known signal strength (from its advertisements) in dBm.
    Rssi { address: String, reply: Reply<i16> },
    /// Disconnect a device.
    Disconnect { address: String, reply: Reply<()> },
    /// Stop scanning, disconnect everything and end the thread.
    Shutdown(oneshot::Sender<Result<(), String>>),
}

impl std::fmt::Debug for BleCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, address) = match self {
            BleCommand::StartScan(_) => ("StartScan", None),
            BleCommand::StopScan(_) => ("StopScan", None),
            BleCommand::Connect { address, .. } => ("Connect", Some(address)),
            BleCommand::Attach { address, .. } => ("Attach", Some(address)),
            BleCommand::Write { address, .. } => ("Write", Some(address)),
            BleCommand::Read { address, .. } => ("Read", Some(address)),
            BleCommand::Subscribe { address, .. } => ("Subscribe", Some(address)),
            BleCommand::Rssi { address, .. } => ("Rssi", Some(address)),
            BleCommand::Disconnect { address, .. } => ("Disconnect", Some(address)),
            BleCommand::Shutdown(_) => ("Shutdown", None),
        };
        f.debug_struct(kind).field("address", &address).finish()
    }
}

/// Start the thread.
pub(super) fn start(
    commands: async_channel::Receiver<BleCommand>,
    own: async_channel::Sender<BleCommand>,
    events: CommunicationEventSender,
    filter: Vec<CommunicationSpecifier>,
) -> std::io::Result<()> {
    // The thread keeps only a weak sender (for the connectors it creates), so it ends once the
    // manager and every device handle are gone.
    let own = own.downgrade();
    std::thread::Builder::new()
        .name("btleplug-tokio".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    tracing::error!("btleplug: cannot build the tokio runtime: {e}");
                    return;
                }
            };
            let state = Arc::new(State {
                events,
                filter,
                own,
                ids: Mutex::default(),
                addresses: Mutex::default(),
                devices: Mutex::default(),
                offered: Mutex::default(),
                scanning: std::sync::atomic::AtomicBool::new(false),
            });
            runtime.block_on(run(commands, state));
            tracing::debug!("btleplug thread ends");
        })?;
    Ok(())
}

/// One connected device.
#[derive(Default)]
struct DeviceEntry {
    /// The peripheral whose services were discovered (a fresh handle has none cached).
    peripheral: Option<Peripheral>,
    hub: Option<Arc<EventHub>>,
    notifications: Option<tokio::task::JoinHandle<()>>,
}

/// State shared by the thread's tasks (lives and dies on the thread).
struct State {
    events: CommunicationEventSender,
    filter: Vec<CommunicationSpecifier>,
    own: async_channel::WeakSender<BleCommand>,
    /// Peripheral ids by address.
    ids: Mutex<HashMap<String, PeripheralId>>,
    /// Addresses by peripheral id (its string form).
    addresses: Mutex<HashMap<String, String>>,
    /// Connected (or connecting) devices by address.
    devices: Mutex<HashMap<String, DeviceEntry>>,
    /// Addresses already reported during this scan.
    offered: Mutex<HashSet<String>>,
    scanning: std::sync::atomic::AtomicBool,
}

fn transport(e: impl std::fmt::Display) -> HardwareError {
    HardwareError::Transport {
        message: e.to_string(),
    }
}

type CentralEvents = Pin<Box<dyn Stream<Item = CentralEvent> + Send>>;

/// The adapter side: created lazily, dropped when it goes away.
#[derive(Default)]
struct Bluetooth {
    manager: Option<Manager>,
    adapter: Option<Adapter>,
    events: Option<CentralEvents>,
}

impl Bluetooth {
    async fn ensure_adapter(&mut self) -> Result<Adapter, String> {
        if let Some(a) = &self.adapter {
            return Ok(a.clone());
        }
        if self.manager.is_none() {
            let m = Manager::new()
                .await
                .map_err(|e| format!("no Bluetooth (D-Bus system bus / BlueZ): {e}"))?;
            self.manager = Some(m);
        }
        let Some(manager) = &self.manager else {
            return Err("no Bluetooth manager".into());
        };
        let adapters = manager.adapters().await.map_err(|e| {
            format!("no Bluetooth adapter (BlueZ not reachable on the system bus): {e}")
        })?;
        let adapter = adapters
            .into_iter()
            .next()
            .ok_or_else(|| "no Bluetooth adapter".to_string())?;
        let events = adapter
            .events()
            .await
            .map_err(|e| format!("cannot watch the Bluetooth adapter: {e}"))?;
        tracing::info!(
            "btleplug: using Bluetooth adapter {:?}",
            adapter.adapter_info().await.ok()
        );
        self.events = Some(events);
        self.adapter = Some(adapter.clone());
        Ok(adapter)
    }

    fn lose_adapter(&mut self) {
        self.events = None;
        self.adapter = None;
        self.manager = None;
    }
}

async fn next_event(events: &mut Option<CentralEvents>) -> Option<CentralEvent> {
    match events {
        Some(s) => s.next().await,
        None => futures::future::pending().await,
    }
}

async fn sleep_if(on: bool, duration: Duration) {
    if on {
        tokio::time::sleep(duration).await;
    } else {
        futures::future::pending::<()>().await;
    }
}

enum Next {
    Command(Option<BleCommand>),
    Event(Option<CentralEvent>),
    Retry,
}

async fn run(commands: async_channel::Receiver<BleCommand>, state: Arc<State>) {
    let mut bt = Bluetooth::default();
    let mut want_scan = false;
    loop {
        let retry = want_scan && bt.adapter.is_none();
        let next = {
            let mut event = Box::pin(next_event(&mut bt.events)).fuse();
            let mut command = Box::pin(commands.recv()).fuse();
            let mut tick = Box::pin(sleep_if(retry, BLE_ADAPTER_RETRY)).fuse();
            futures::select! {
                c = command => Next::Command(c.ok()),
                e = event => Next::Event(e),
                () = tick => Next::Retry,
            }
        };
        match next {
            Next::Command(None) => break,
            Next::Command(Some(BleCommand::Shutdown(reply))) => {
                if let Some(a) = &bt.adapter {
                    let _ = a.stop_scan().await;
                }
                disconnect_all(&bt, &state).await;
                let _ = reply.send(Ok(()));
                break;
            }
            Next::Command(Some(cmd)) => handle(cmd, &mut bt, &state, &mut want_scan).await,
            Next::Event(Some(e)) => on_event(e, &bt, &state).await,
            Next::Event(None) => {
                tracing::warn!("btleplug: the adapter's event stream ended; looking again");
                bt.lose_adapter();
            }
            Next::Retry => match bt.ensure_adapter().await {
                Ok(a) => {
                    if let Err(e) = start_scan(&a, &state).await {
                        tracing::debug!("btleplug: {e}");
                    }
                }
                Err(e) => tracing::debug!("btleplug: still {e}"),
            },
        }
    }
    disconnect_all(&bt, &state).await;
}

async fn start_scan(adapter: &Adapter, state: &State) -> Result<(), String> {
    lock(&state.offered).clear();
    adapter
        .start_scan(ScanFilter::default())
        .await
        .map_err(|e| format!("cannot start scanning: {e}"))?;
    state
        .scanning
        .store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

async fn disconnect_all(bt: &Bluetooth, state: &State) {
    let entries: Vec<(String, DeviceEntry)> = lock(&state.devices).drain().collect();
    for (address, entry) in entries {
        if let Some(t) = entry.notifications {
            t.abort();
        }
        if let Some(hub) = entry.hub {
            hub.disconnected();
        }
        if let (Some(adapter), Ok(p)) = (&bt.adapter, peripheral_id(state, &address)) {
            if let Ok(p) = adapter.peripheral(&p).await {
                let _ = p.disconnect().await;
            }
        }
    }
}

fn peripheral_id(state: &State, address: &str) -> Result<PeripheralId, HardwareError> {
    lock(&state.ids)
        .get(address)
        .cloned()
        .ok_or(HardwareError::Disconnected)
}

async fn peripheral(
    adapter: &Adapter,
    state: &State,
    address: &str,
) -> Result<Peripheral, HardwareError> {
    let connected = lock(&state.devices)
        .get(address)
        .and_then(|e| e.peripheral.clone());
    if let Some(p) = connected {
        return Ok(p);
    }
    let id = peripheral_id(state, address)?;
    adapter.peripheral(&id).await.map_err(transport)
}

fn find_characteristic(p: &Peripheral, key: &CharKey) -> Result<Characteristic, HardwareError> {
    p.characteristics()
        .into_iter()
        .find(|c| c.service_uuid.to_string() == key.0 && c.uuid.to_string() == key.1)
        .ok_or_else(|| transport(format!("characteristic {} not found", key.1)))
}

async fn timed<T>(
    duration: Duration,
    f: impl Future<Output = Result<T, ::btleplug::Error>>,
) -> Result<T, HardwareError> {
    match tokio::time::timeout(duration, f).await {
        Ok(r) => r.map_err(transport),
        Err(_) => Err(HardwareError::Timeout { after: duration }),
    }
}

/// Serve one command; slow operations run as tasks so that discovery goes on meanwhile.
async fn handle(cmd: BleCommand, bt: &mut Bluetooth, state: &Arc<State>, want_scan: &mut bool) {
    match cmd {
        BleCommand::StartScan(reply) => {
            *want_scan = true;
            let r = match bt.ensure_adapter().await {
                Ok(a) => start_scan(&a, state).await,
                Err(e) => Err(e),
            };
            let _ = reply.send(r);
        }
        BleCommand::StopScan(reply) => {
            *want_scan = false;
            state
                .scanning
                .store(false, std::sync::atomic::Ordering::SeqCst);
            if let Some(a) = &bt.adapter {
                if let Err(e) = a.stop_scan().await {
                    tracing::debug!("btleplug: stop scan: {e}");
                }
            }
            let _ = reply.send(Ok(()));
        }
        BleCommand::Shutdown(reply) => {
            let _ = reply.send(Ok(()));
        }
        BleCommand::Attach {
            address,
            hub,
            routes,
        } => attach(bt, state, address, hub, routes).await,
        other => {
            let Some(adapter) = bt.adapter.clone() else {
                fail(other, HardwareError::Disconnected);
                return;
            };
            let state = state.clone();
            tokio::spawn(async move { operate(other, adapter, state).await });
        }
    }
}

/// Answer a device command with an error.
fn fail(cmd: BleCommand, error: HardwareError) {
    match cmd {
        BleCommand::Connect { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        BleCommand::Write { reply, .. }
        | BleCommand::Subscribe { reply, .. }
        | BleCommand::Disconnect { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        BleCommand::Read { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        BleCommand::Rssi { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        _ => {}
    }
}

async fn operate(cmd: BleCommand, adapter: Adapter, state: Arc<State>) {
    match cmd {
        BleCommand::Connect { address, reply } => {
            let r = connect(&adapter, &state, &address).await;
            if r.is_err() {
                lock(&state.devices).remove(&address);
                lock(&state.offered).remove(&address);
            }
            let _ = reply.send(r);
        }
        BleCommand::Write {
            address,
            characteristic,
            data,
            with_response,
            reply,
        } => {
            let r = async {
                let p = peripheral(&adapter, &state, &address).await?;
                let c = find_characteristic(&p, &characteristic)?;
                let kind = if with_response {
                    WriteType::WithResponse
                } else {
                    WriteType::WithoutResponse
                };
                timed(BLE_OPERATION_TIMEOUT, p.write(&c, &data, kind)).await
            }
            .await;
            let _ = reply.send(r);
        }
        BleCommand::Read {
            address,
            characteristic,
            reply,
        } => {
            let r = async {
                let p = peripheral(&adapter, &state, &address).await?;
                let c = find_characteristic(&p, &characteristic)?;
                timed(BLE_OPERATION_TIMEOUT, p.read(&c)).await
            }
            .await;
            let _ = reply.send(r);
        }
        BleCommand::Subscribe {
            address,
            characteristic,
            on,
            reply,
        } => {
            let r = async {
                let p = peripheral(&adapter, &state, &address).await?;
                let c = find_characteristic(&p, &characteristic)?;
                if on {
                    timed(BLE_OPERATION_TIMEOUT, p.subscribe(&c)).await
                } else {
                    timed(BLE_OPERATION_TIMEOUT, p.unsubscribe(&c)).await
                }
            }
            .await;
            let _ = reply.send(r);
        }
        BleCommand::Rssi { address, reply } => {
            let r = async {
                let p = peripheral(&adapter, &state, &address).await?;
                // An active read where the platform has one (CoreBluetooth, Android; BlueZ gives
                // its cached value), else the value of the latest advertisement.
                if let Ok(rssi) = timed(BLE_OPERATION_TIMEOUT, p.read_rssi()).await {
                    return Ok(rssi);
                }
                let props = timed(BLE_OPERATION_TIMEOUT, p.properties()).await?;
                props
                    .and_then(|props| props.rssi)
                    .ok_or_else(|| transport("no signal strength known for this device yet"))
            }
            .await;
            let _ = reply.send(r);
        }
        BleCommand::Disconnect { address, reply } => {
            let entry = lock(&state.devices).remove(&address);
            if let Some(entry) = entry {
                if let Some(t) = entry.notifications {
                    t.abort();
                }
                if let Some(hub) = entry.hub {
                    hub.disconnected();
                }
            }
            let r = match peripheral(&adapter, &state, &address).await {
                Ok(p) => timed(BLE_OPERATION_TIMEOUT, p.disconnect()).await,
                Err(e) => Err(e),
            };
            let _ = reply.send(r.or(Ok(())));
        }
        other => fail(other, transport("unexpected command")),
    }
}

async fn connect(
    adapter: &Adapter,
    state: &State,
    address: &str,
) -> Result<ServiceMap, HardwareError> {
    lock(&state.devices).insert(address.to_string(), DeviceEntry::default());
    let p = peripheral(adapter, state, address).await?;
    let connected = p.is_connected().await.unwrap_or(false);
    if !connected {
        timed(BLE_CONNECT_TIMEOUT, p.connect()).await?;
    }
    timed(BLE_CONNECT_TIMEOUT, p.discover_services()).await?;
    if let Some(entry) = lock(&state.devices).get_mut(address) {
        entry.peripheral = Some(p.clone());
    }
    let mut map = ServiceMap::new();
    for s in p.services() {
        map.insert(
            s.uuid.to_string(),
            s.characteristics
                .iter()
                .map(|c| c.uuid.to_string())
                .collect(),
        );
    }
    tracing::info!(%address, services = map.len(), "BLE device connected");
    Ok(map)
}

async fn attach(
    bt: &Bluetooth,
    state: &Arc<State>,
    address: String,
    hub: Arc<EventHub>,
    routes: HashMap<String, Endpoint>,
) {
    let p = match &bt.adapter {
        Some(a) => peripheral(a, state, &address).await.ok(),
        None => None,
    };
    let Some(p) = p else {
        hub.disconnected();
        return;
    };
    let notifications = match p.notifications().await {
        Ok(mut stream) => {
            let hub = hub.clone();
            Some(tokio::spawn(async move {
                while let Some(n) = stream.next().await {
                    match routes.get(&n.uuid.to_string()) {
                        Some(endpoint) => {
                            hub.notify(*endpoint, n.value);
                        }
                        None => tracing::trace!("notification from unmapped {}", n.uuid),
                    }
                }
            }))
        }
        Err(e) => {
            tracing::warn!(%address, "cannot receive notifications: {e}");
            None
        }
    };
    let mut devices = lock(&state.devices);
    let entry = devices.entry(address).or_default();
    entry.hub = Some(hub);
    if let Some(old) = std::mem::replace(&mut entry.notifications, notifications) {
        old.abort();
    }
}

async fn on_event(event: CentralEvent, bt: &Bluetooth, state: &Arc<State>) {
    match event {
        CentralEvent::DeviceDiscovered(id)
        | CentralEvent::DeviceUpdated(id)
        | CentralEvent::ManufacturerDataAdvertisement { id, .. }
        | CentralEvent::ServicesAdvertisement { id, .. }
        | CentralEvent::ServiceDataAdvertisement { id, .. }
        | CentralEvent::RssiUpdate { id, .. } => {
            let scanning = state.scanning.load(std::sync::atomic::Ordering::SeqCst);
            match &bt.adapter {
                Some(adapter) if scanning => offer(adapter, state, id).await,
                _ => {}
            }
        }
        CentralEvent::DeviceDisconnected(id) => {
            let address = lock(&state.addresses).get(&id.to_string()).cloned();
            let Some(address) = address else { return };
            let entry = lock(&state.devices).remove(&address);
            if let Some(entry) = entry {
                tracing::info!(%address, "BLE device disconnected");
                if let Some(t) = entry.notifications {
                    t.abort();
                }
                if let Some(hub) = entry.hub {
                    hub.disconnected();
                }
            }
            // Offer it again when it comes back while scanning.
            lock(&state.offered).remove(&address);
        }
        _ => {}
    }
}

fn advertised_name(props: &PeripheralProperties) -> Option<String> {
    props
        .local_name
        .clone()
        .or_else(|| props.advertisement_name.clone())
        .filter(|n| !n.is_empty())
}

async fn offer(adapter: &Adapter, state: &Arc<State>, id: PeripheralId) {
    let Ok(p) = adapter.peripheral(&id).await else {
        return;
    };
    let Ok(Some(props)) = p.properties().await else {
        return;
    };
    let name = advertised_name(&props);
    let services: Vec<String> = props.services.iter().map(ToString::to_string).collect();
    if name.is_none() && services.is_empty() {
        return;
    }
    let address = props.address.to_string();
    lock(&state.ids).insert(address.clone(), id.clone());
    lock(&state.addresses).insert(id.to_string(), address.clone());
    if lock(&state.devices).contains_key(&address) || lock(&state.offered).contains(&address) {
        return;
    }
    let mut manufacturer_data: Vec<(u16, Vec<u8>)> = props
        .manufacturer_data
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    manufacturer_data.sort();
    let name = name.unwrap_or_default();
    let specifier = CommunicationSpecifier::btle_advertisement(
        name.clone(),
        manufacturer_data
            .iter()
            .map(|(c, d)| ManufacturerData::new(*c, Some(d.clone())))
            .collect(),
        services,
    );
    if !state.filter.is_empty() && !state.filter.iter().any(|f| f.matches(&specifier)) {
        return;
    }
    let Some(commands) = state.own.upgrade() else {
        return;
    };
    lock(&state.offered).insert(address.clone());
    tracing::info!(%name, %address, "BLE device found");
    let connector = BtleConnector {
        name: name.clone(),
        address: address.clone(),
        manufacturer_data,
        specifier,
        commands,
    };
    let event = CommunicationEvent::DeviceFound {
        name,
        address,
        connector: Box::new(connector),
    };
    if state.events.send(event).await.is_err() {
        tracing::debug!("btleplug: device manager is gone");
    }
}

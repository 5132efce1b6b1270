//! A hardware backend of your own: a device communication manager written outside the server
//! crate, registered with `DeviceManagerBuilder::comm_manager`, and driven with the ordinary
//! client.
//!
//! The "transport" here is memory: the toy records every write in a list. It answers to the
//! BLE name `Youcups`, so the built-in database selects the real `youcups` protocol
//! (`$SYS,<speed>?`, speeds 0-8), and the example checks the exact bytes the toy received.
//! A real backend has the same shape: the manager reports what it finds with `report_device`
//! and a connector; the hardware implements `write` (and, if the device talks back,
//! `subscribe`, `unsubscribe` and `event_stream`, with an `EventHub`).
//!
//! Run: `cargo run -p buttplug-examples --example custom_manager`

use async_trait::async_trait;
use buttplug_client::{ButtplugClient, ButtplugClientEvent};
use buttplug_devices::config::CommunicationSpecifier;
use buttplug_devices::{DeviceDatabase, Endpoint, Hardware, HardwareError};
use buttplug_server::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use buttplug_server::managers::hardware_events::{ReadyConnector, check_endpoint};
use buttplug_server::managers::timed_retry::report_device;
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One write the toy received.
pub type Write = (Endpoint, Vec<u8>);

/// The made-up device: every write is kept. Clones share the list, so the example keeps one to
/// look at while the server owns the other.
#[derive(Debug, Clone, Default)]
pub struct MemoryToy {
    writes: Arc<Mutex<Vec<Write>>>,
}

impl MemoryToy {
    /// Every write so far, in order.
    pub fn writes(&self) -> Vec<Write> {
        self.writes.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

// Four methods: everything else (read, subscribe, event stream, disconnect, ...) has a default
// for a write-only device.
#[async_trait]
impl Hardware for MemoryToy {
    fn name(&self) -> &str {
        "Youcups"
    }

    fn address(&self) -> &str {
        "memory:0"
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::Tx]
    }

    async fn write(&self, endpoint: Endpoint, data: &[u8], _: bool) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Tx)?;
        let mut writes = self
            .writes
            .lock()
            .map_err(|_| HardwareError::Disconnected)?;
        writes.push((endpoint, data.to_vec()));
        Ok(())
    }
}

/// The manager: "finds" the toy once, on the first scan.
#[derive(Debug)]
struct MemoryManager {
    toy: MemoryToy,
    events: CommunicationEventSender,
    found: AtomicBool,
}

#[async_trait]
impl DeviceCommunicationManager for MemoryManager {
    fn name(&self) -> &'static str {
        "memory"
    }

    async fn start_scanning(&self) -> Result<(), CommunicationError> {
        if self.found.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        // What the device looks like to the database: a BLE advertisement by name.
        let specifier = CommunicationSpecifier::btle_advertisement("Youcups", vec![], vec![]);
        let connector = ReadyConnector::new(specifier, self.toy.clone());
        let (name, address) = (self.toy.name().into(), self.toy.address().into());
        report_device(&self.events, name, address, Box::new(connector)).await
    }

    async fn stop_scanning(&self) -> Result<(), CommunicationError> {
        Ok(())
    }
}

/// The builder the device manager finishes once it knows where events go.
#[derive(Debug)]
struct MemoryManagerBuilder(MemoryToy);

impl DeviceCommunicationManagerBuilder for MemoryManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        Box::new(MemoryManager {
            toy: self.0,
            events,
            found: AtomicBool::new(false),
        })
    }
}

/// Build the server with the memory manager, vibrate the toy at half speed and stop it; returns
/// what the toy received until then.
pub async fn run() -> Result<Vec<Write>, BoxError> {
    let toy = MemoryToy::default();
    let devices = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(MemoryManagerBuilder(toy.clone()))
        .finish()?;
    let server = ButtplugServerBuilder::new()
        .device_manager(devices)
        .finish();

    let client = ButtplugClient::new("custom manager example");
    let mut events = client.event_stream();
    let driver = client.connect(server.in_process_connector()).await?;
    async_std::task::spawn(driver);
    client.start_scanning().await?;
    let device = loop {
        match events.next().await {
            Some(ButtplugClientEvent::DeviceAdded(d)) => break d,
            Some(_) => {}
            None => return Err("the client closed before the device appeared".into()),
        }
    };
    println!("found {}", device.name());
    device.vibrate(0.5).await?;
    device.stop().await?;
    // Each reply comes after the write, so the list is complete here. (Disconnecting stops the
    // devices once more, after this snapshot.)
    let writes = toy.writes();
    client.disconnect().await?;
    Ok(writes)
}

/// What the youcups protocol writes: half of 8 speeds, then the stop.
pub const EXPECTED: [&str; 2] = ["$SYS,4?", "$SYS,0?"];

#[allow(dead_code)] // the test includes this file and calls `run`
fn main() -> Result<(), BoxError> {
    let writes = async_std::task::block_on(run())?;
    for (endpoint, bytes) in &writes {
        println!(
            "toy received on {endpoint}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
    let texts: Vec<String> = writes
        .iter()
        .map(|(endpoint, bytes)| format!("{endpoint}:{}", String::from_utf8_lossy(bytes)))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|t| format!("tx:{t}")).collect();
    if texts != expected {
        return Err(format!("expected {expected:?}, got {texts:?}").into());
    }
    Ok(())
}

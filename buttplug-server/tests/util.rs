//! Helpers shared by the server tests.

use buttplug_devices::config::DeviceDatabase;
use buttplug_devices::{Endpoint, SimulatedHardware};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// A simulated Lovense Hush that answers identification and battery requests.
pub fn hush(address: &str) -> SimulatedHardware {
    let hw = SimulatedHardware::builder("LVS-Z36D", address).build();
    hw.add_reply(
        Endpoint::Tx,
        b"DeviceType;".to_vec(),
        Endpoint::Rx,
        b"Z:11:0082059AD3BD;".to_vec(),
    );
    hw.add_reply(
        Endpoint::Tx,
        b"Battery;".to_vec(),
        Endpoint::Rx,
        b"85;".to_vec(),
    );
    hw
}

/// A server with the given simulated devices (no message gap unless `gap` says so).
pub fn server_with(
    devices: Vec<SimulatedHardware>,
    gap: Option<Duration>,
    ping: Duration,
) -> ButtplugServer {
    let mut sim = SimulatedCommunicationManagerBuilder::new();
    for d in devices {
        sim = sim.device(SimulatedDevice::ble(d));
    }
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(sim)
        .message_gap_override(gap.or(Some(Duration::ZERO)))
        .finish()
        .expect("device manager");
    ButtplugServerBuilder::new()
        .name("test server")
        .max_ping_time(ping)
        .device_manager(dm)
        .finish()
}

/// A JSON client session for tests.
pub struct Client {
    pub tx: async_channel::Sender<String>,
    pub rx: async_channel::Receiver<String>,
    next_id: u32,
    pub backlog: Vec<Value>,
}

impl Client {
    pub fn new(server: &ButtplugServer) -> Self {
        let (tx, rx) = server.json_connection();
        Client {
            tx,
            rx,
            next_id: 0,
            backlog: Vec::new(),
        }
    }

    pub async fn send_raw(&self, frame: &str) {
        self.tx.send(frame.to_string()).await.expect("send");
    }

    /// Receive the next message (frames may carry several).
    pub async fn recv(&mut self) -> Value {
        if !self.backlog.is_empty() {
            return self.backlog.remove(0);
        }
        let frame = buttplug_devices::with_timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("timed out waiting for a frame")
            .expect("session closed");
        let v: Value = serde_json::from_str(&frame).expect("server sent JSON");
        let mut items = v.as_array().expect("array frame").clone();
        assert!(!items.is_empty(), "empty frame");
        let first = items.remove(0);
        self.backlog.extend(items);
        first
    }

    /// Send one message (Id filled in) and return its reply; events received meanwhile are kept
    /// in `backlog`.
    pub async fn request(&mut self, mut msg: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let body = msg.as_object_mut().unwrap().values_mut().next().unwrap();
        body.as_object_mut().unwrap().insert("Id".into(), json!(id));
        self.send_raw(&Value::Array(vec![msg]).to_string()).await;
        let mut skipped = Vec::new();
        loop {
            let m = self.recv().await;
            if m.as_object().unwrap().values().next().unwrap()["Id"] == json!(id) {
                skipped.extend(std::mem::take(&mut self.backlog));
                self.backlog = skipped;
                return m;
            }
            skipped.push(m);
        }
    }

    pub async fn handshake(&mut self, version: u32) -> Value {
        let msg = match version {
            0 => json!({"RequestServerInfo": {"ClientName": "test"}}),
            1..=3 => {
                json!({"RequestServerInfo": {"ClientName": "test", "MessageVersion": version}})
            }
            v => {
                json!({"RequestServerInfo": {"ClientName": "test", "ProtocolVersionMajor": v, "ProtocolVersionMinor": 0}})
            }
        };
        self.request(msg).await
    }

    /// Start scanning and wait until `count` devices are listed.
    pub async fn wait_for_devices(&mut self, count: usize) -> Value {
        let r = self.request(json!({"StartScanning": {}})).await;
        assert!(r.get("Ok").is_some(), "{r}");
        for _ in 0..500 {
            let list = self.request(json!({"RequestDeviceList": {}})).await;
            let n = match &list["DeviceList"]["Devices"] {
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => 0,
            };
            if n >= count {
                return list;
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        panic!("devices did not appear");
    }
}

pub fn name(m: &Value) -> &str {
    m.as_object()
        .and_then(|o| o.keys().next())
        .map(String::as_str)
        .unwrap_or("")
}

/// A server over a database with a user config, returning the simulated-devices handle too.
pub fn server_with_config(
    devices: Vec<SimulatedHardware>,
    user_config: Option<&str>,
    gap: Option<Duration>,
    allow_raw: bool,
) -> (
    ButtplugServer,
    buttplug_server::managers::simulated::SimulatedDevices,
) {
    let mut db = DeviceDatabase::builtin().clone();
    if let Some(u) = user_config {
        db = db
            .with_user_config(u, "test user config")
            .expect("user config");
    }
    let sim = SimulatedCommunicationManagerBuilder::new();
    let handle = sim.handle();
    for d in devices {
        handle.add(SimulatedDevice::ble(d));
    }
    let dm = DeviceManagerBuilder::new(Arc::new(db))
        .comm_manager(sim)
        .message_gap_override(gap.or(Some(Duration::ZERO)))
        .finish()
        .expect("device manager");
    let server = ButtplugServerBuilder::new()
        .allow_raw(allow_raw)
        .device_manager(dm)
        .finish();
    (server, handle)
}

/// A simulated two-motor Lovense Edge.
pub fn edge(address: &str) -> SimulatedHardware {
    let hw = SimulatedHardware::builder("LVS-P36", address).build();
    hw.add_reply(
        Endpoint::Tx,
        b"DeviceType;".to_vec(),
        Endpoint::Rx,
        b"P:11:0082059AD3BD;".to_vec(),
    );
    hw
}

/// Writes as text.
pub fn texts(hw: &SimulatedHardware) -> Vec<String> {
    hw.take_commands()
        .into_iter()
        .filter_map(|c| match c {
            buttplug_devices::HardwareCommand::Write { data, .. } => {
                Some(String::from_utf8_lossy(&data).to_string())
            }
            _ => None,
        })
        .collect()
}

/// Wait until `n` more commands are recorded, then return them as text.
pub async fn wait_texts(hw: &SimulatedHardware, n: usize) -> Vec<String> {
    assert!(
        hw.wait_for_commands(n, Duration::from_secs(3)).await,
        "only {:?}",
        hw.commands()
    );
    texts(hw)
}

//! Data-driven device tests ("fixtures"): one JSON file describes a device, what its protocol
//! must send while identifying and initializing it, and client messages at any spec version with
//! the exact hardware commands each one must produce. The runner drives the full path: JSON
//! client message → server session → protocol → simulated hardware.
//!
//! The format is documented in `docs/DESIGN.md` (section "Fixtures"); the files live in
//! `buttplug-devices/fixtures/<protocol>/`. Run them all with `cargo test -p buttplug-server`, or
//! some with `buttplug fixture FILE...`.

use crate::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use crate::{ButtplugServerBuilder, DeviceManagerBuilder};
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase, ManufacturerData};
use buttplug_devices::{Endpoint, HardwareCommand, SimulatedHardware};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the runner waits for a reply, an event or the device to appear.
pub const FIXTURE_WAIT: Duration = Duration::from_secs(5);

/// Bytes written either as a string (its UTF-8 bytes) or as an array of numbers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Bytes {
    /// Text.
    Text(String),
    /// Byte values.
    Raw(Vec<u8>),
}

impl Bytes {
    /// The bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            Bytes::Text(s) => s.as_bytes().to_vec(),
            Bytes::Raw(v) => v.clone(),
        }
    }
}

/// An endpoint and bytes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointData {
    /// Endpoint.
    pub endpoint: Endpoint,
    /// Bytes.
    pub data: Bytes,
}

/// An endpoint alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointOnly {
    /// Endpoint.
    pub endpoint: Endpoint,
}

/// A scripted reply: when `on_write` is written (or `on_subscribe` subscribed), the device
/// notifies `notify`. Exactly one trigger must be given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureReply {
    /// The write that triggers the reply.
    #[serde(default)]
    pub on_write: Option<EndpointData>,
    /// The subscription that triggers the reply.
    #[serde(default)]
    pub on_subscribe: Option<EndpointOnly>,
    /// The notification sent back.
    pub notify: EndpointData,
}

/// One expected hardware command.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CommandSpec {
    /// A write.
    Write {
        /// Endpoint.
        endpoint: Endpoint,
        /// Bytes.
        data: Bytes,
        /// Write with response (default false).
        #[serde(default)]
        write_with_response: bool,
    },
    /// A subscription.
    Subscribe {
        /// Endpoint.
        endpoint: Endpoint,
    },
    /// An unsubscription.
    Unsubscribe {
        /// Endpoint.
        endpoint: Endpoint,
    },
}

impl CommandSpec {
    /// The hardware command this spec describes.
    pub fn to_command(&self) -> HardwareCommand {
        match self {
            CommandSpec::Write {
                endpoint,
                data,
                write_with_response,
            } => HardwareCommand::Write {
                endpoint: *endpoint,
                data: data.to_vec(),
                write_with_response: *write_with_response,
            },
            CommandSpec::Subscribe { endpoint } => HardwareCommand::subscribe(*endpoint),
            CommandSpec::Unsubscribe { endpoint } => HardwareCommand::unsubscribe(*endpoint),
        }
    }
}

fn default_address() -> String {
    "SI:MU:LA:TE:D0:00".into()
}

fn default_endpoints() -> Vec<Endpoint> {
    vec![Endpoint::Tx, Endpoint::Rx]
}

/// The simulated device of a fixture.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureDevice {
    /// Advertised name.
    pub name: String,
    /// Address.
    #[serde(default = "default_address")]
    pub address: String,
    /// Endpoints (default `tx`, `rx`).
    #[serde(default = "default_endpoints")]
    pub endpoints: Vec<Endpoint>,
    /// BLE manufacturer data as `[company, bytes]` pairs.
    #[serde(default)]
    pub manufacturer_data: Vec<(u16, Bytes)>,
    /// BLE advertised services.
    #[serde(default)]
    pub advertised_services: Vec<String>,
    /// The protocol the database must match (checked when given).
    #[serde(default)]
    pub protocol: Option<String>,
    /// An explicit discovery specifier in config syntax (e.g. `{"serial": {"port": "/dev/ttyUSB0"}}`).
    #[serde(default)]
    pub specifier: Option<Value>,
}

/// What the added device must look like.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDevice {
    /// Device name.
    #[serde(default)]
    pub name: Option<String>,
    /// Number of features in the v4 device list.
    #[serde(default)]
    pub features: Option<usize>,
}

/// One step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A comment.
    #[serde(default)]
    pub description: Option<String>,
    /// Spec version of the session that sends (default 4).
    #[serde(default)]
    pub version: Option<u32>,
    /// The client message (without `Id`).
    #[serde(default)]
    pub send: Option<Value>,
    /// Expected reply: `"Ok"` (default), `"Error"`, or a message compared field by field.
    #[serde(default)]
    pub reply: Option<Value>,
    /// A notification to inject.
    #[serde(default)]
    pub notify: Option<EndpointData>,
    /// Make the device disconnect.
    #[serde(default)]
    pub disconnect: bool,
    /// Events the session must receive (message names or objects compared field by field).
    #[serde(default)]
    pub events: Vec<Value>,
    /// The exact hardware commands this step produces.
    #[serde(default)]
    pub expect: Vec<CommandSpec>,
}

/// A fixture file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// What the fixture shows.
    #[serde(default)]
    pub description: String,
    /// The device.
    pub device: FixtureDevice,
    /// A user device config document (same format as a user config file).
    #[serde(default)]
    pub user_config: Option<Value>,
    /// Scripted replies.
    #[serde(default)]
    pub replies: Vec<FixtureReply>,
    /// Read answers per endpoint, used in order (the last one repeats).
    #[serde(default)]
    pub reads: BTreeMap<Endpoint, Vec<Bytes>>,
    /// What the added device must look like.
    #[serde(default)]
    pub expect_device: Option<ExpectDevice>,
    /// Exact commands of identify + initialize.
    #[serde(default)]
    pub init: Vec<CommandSpec>,
    /// The steps.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Run keep-alive and protocol timers (default off).
    #[serde(default)]
    pub timers: bool,
}

/// Errors of loading or running a fixture.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid fixture.
    #[error("{path}: {source}")]
    Format {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: serde_json::Error,
    },
    /// The fixture failed.
    #[error("{0}")]
    Failed(String),
}

fn fail<T>(msg: impl Into<String>) -> Result<T, FixtureError> {
    Err(FixtureError::Failed(msg.into()))
}

/// Read a fixture file.
///
/// # Errors
/// The file cannot be read or does not follow the format.
pub fn load_fixture(path: &Path) -> Result<Fixture, FixtureError> {
    let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| FixtureError::Format {
        path: path.to_path_buf(),
        source,
    })
}

/// Every `*.json` below `dir`, sorted.
pub fn discover_fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Session {
    version: u32,
    tx: async_channel::Sender<String>,
    rx: async_channel::Receiver<String>,
    events: VecDeque<Value>,
    next_id: u32,
}

impl Session {
    async fn recv_message(&mut self) -> Result<Value, FixtureError> {
        let frame = match buttplug_devices::with_timeout(FIXTURE_WAIT, self.rx.recv()).await {
            Ok(Ok(f)) => f,
            Ok(Err(_)) => return fail(format!("v{} session closed", self.version)),
            Err(_) => {
                return fail(format!(
                    "v{} session: nothing received in time",
                    self.version
                ));
            }
        };
        let v: Value = serde_json::from_str(&frame)
            .map_err(|e| FixtureError::Failed(format!("server sent invalid JSON {frame}: {e}")))?;
        match v {
            Value::Array(items) if !items.is_empty() => {
                let mut items = items.into_iter();
                let first = items.next().unwrap_or(Value::Null);
                // Several messages in one frame: keep the rest as pending events / replies.
                for rest in items {
                    self.events.push_back(rest);
                }
                Ok(first)
            }
            other => fail(format!("server sent a non-array frame: {other}")),
        }
    }

    /// Send a message (Id added) and return its reply, keeping events aside.
    async fn request(&mut self, mut message: Value) -> Result<Value, FixtureError> {
        self.next_id += 1;
        let id = self.next_id;
        let Some(obj) = message.as_object_mut() else {
            return fail(format!("message is not an object: {message}"));
        };
        let Some((_, body)) = obj.iter_mut().next() else {
            return fail("empty message object");
        };
        if let Some(b) = body.as_object_mut() {
            b.insert("Id".into(), json!(id));
        }
        let what = message_name(&message).unwrap_or("?").to_string();
        let frame = Value::Array(vec![message]).to_string();
        self.tx
            .send(frame)
            .await
            .map_err(|_| FixtureError::Failed("session closed".into()))?;
        loop {
            // A frame may carry several messages: the reply can already sit in the backlog.
            if let Some(pos) = self
                .events
                .iter()
                .position(|m| message_id(m) == Some(u64::from(id)))
            {
                return Ok(self.events.remove(pos).unwrap_or(Value::Null));
            }
            let m = self.recv_message().await.map_err(|e| {
                FixtureError::Failed(format!("waiting for the reply to {what} (Id {id}): {e}"))
            })?;
            if message_id(&m) == Some(u64::from(id)) {
                return Ok(m);
            }
            self.events.push_back(m);
        }
    }

    async fn expect_event(&mut self, want: &Value) -> Result<(), FixtureError> {
        let deadline = Instant::now() + FIXTURE_WAIT;
        loop {
            if let Some(pos) = self
                .events
                .iter()
                .position(|m| message_id(m) == Some(0) && matches_expectation(m, want))
            {
                self.events.remove(pos);
                return Ok(());
            }
            if Instant::now() >= deadline {
                return fail(format!(
                    "v{} session: expected event {want}, have {:?}",
                    self.version, self.events
                ));
            }
            let m = self.recv_message().await?;
            self.events.push_back(m);
        }
    }
}

fn message_id(m: &Value) -> Option<u64> {
    m.as_object()?.values().next()?.get("Id")?.as_u64()
}

fn message_name(m: &Value) -> Option<&str> {
    m.as_object()?.keys().next().map(String::as_str)
}

/// Whether `got` satisfies `want`: a string names the message; an object must have the same
/// message name and every field of `want` equal (recursively, numbers within 1e-9).
fn matches_expectation(got: &Value, want: &Value) -> bool {
    match want {
        Value::String(name) => message_name(got) == Some(name.as_str()),
        Value::Object(_) => subset(want, got),
        _ => false,
    }
}

fn subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, wv)| g.get(k).is_some_and(|gv| subset(wv, gv))),
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(a, b)| subset(a, b))
        }
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            _ => a == b,
        },
        _ => want == got,
    }
}

fn handshake(version: u32) -> Value {
    match version {
        0 => json!({"RequestServerInfo": {"ClientName": "fixture"}}),
        1..=3 => json!({"RequestServerInfo": {"ClientName": "fixture", "MessageVersion": version}}),
        _ => {
            json!({"RequestServerInfo": {"ClientName": "fixture", "ProtocolVersionMajor": 4, "ProtocolVersionMinor": 0}})
        }
    }
}

fn device_count(list: &Value) -> usize {
    match list.get("DeviceList").and_then(|d| d.get("Devices")) {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(o)) => o.len(),
        _ => 0,
    }
}

fn describe(commands: &[HardwareCommand]) -> String {
    let parts: Vec<String> = commands
        .iter()
        .map(|c| match c {
            HardwareCommand::Write {
                endpoint,
                data,
                write_with_response,
            } => {
                let text = std::str::from_utf8(data)
                    .ok()
                    .filter(|s| s.chars().all(|c| !c.is_control()))
                    .map(|s| format!(" {s:?}"))
                    .unwrap_or_default();
                format!(
                    "write {endpoint} {:02x?}{text}{}",
                    data,
                    if *write_with_response { " (wwr)" } else { "" }
                )
            }
            HardwareCommand::Subscribe { endpoint } => format!("subscribe {endpoint}"),
            HardwareCommand::Unsubscribe { endpoint } => format!("unsubscribe {endpoint}"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn check_commands(
    context: &str,
    hardware: &SimulatedHardware,
    expected: &[CommandSpec],
) -> Result<(), FixtureError> {
    let got = hardware.take_commands();
    let want: Vec<HardwareCommand> = expected.iter().map(CommandSpec::to_command).collect();
    if got != want {
        return fail(format!(
            "{context}: hardware commands differ\n  expected {}\n  got      {}",
            describe(&want),
            describe(&got)
        ));
    }
    Ok(())
}

/// Run one fixture against a fresh server built on `database`.
///
/// # Errors
/// [`FixtureError::Failed`] with a description of the first difference.
pub async fn run_fixture(fixture: &Fixture, database: &DeviceDatabase) -> Result<(), FixtureError> {
    let first_version = fixture
        .steps
        .iter()
        .find_map(|s| s.send.as_ref().map(|_| s.version.unwrap_or(4)))
        .unwrap_or(4);
    let mut rig = FixtureRig::open(
        fixture,
        database,
        first_version,
        crate::DeviceManagerOptions::default(),
    )
    .await?;
    let result = run_steps(fixture, &mut rig).await;
    rig.shutdown().await;
    result
}

/// A fixture's device on a running server (the fixture's `device`, `user_config`, `replies`,
/// `reads` and `timers`; not its steps), for tests that drive it beyond the fixture's own steps,
/// e.g. registry-wide properties of every protocol. Message gap 0, like a fixture run.
pub struct FixtureRig {
    server: crate::ButtplugServer,
    device_manager: crate::DeviceManager,
    hardware: SimulatedHardware,
    sessions: BTreeMap<u32, Session>,
}

impl std::fmt::Debug for FixtureRig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureRig")
            .field("hardware", &self.hardware)
            .finish_non_exhaustive()
    }
}

impl FixtureRig {
    /// Start a server with the fixture's device and wait until it is added (a v4 session
    /// scans for it). The hardware commands of identify and initialize stay recorded.
    ///
    /// # Errors
    /// The fixture's device section is unusable or the device was not added in time.
    pub async fn start(fixture: &Fixture, database: &DeviceDatabase) -> Result<Self, FixtureError> {
        Self::open(fixture, database, 4, crate::DeviceManagerOptions::default()).await
    }

    /// [`FixtureRig::start`] with device manager options (limits, idle stop); the message gap
    /// stays 0 and the timers follow the fixture.
    ///
    /// # Errors
    /// As for [`FixtureRig::start`].
    pub async fn start_with_options(
        fixture: &Fixture,
        database: &DeviceDatabase,
        options: crate::DeviceManagerOptions,
    ) -> Result<Self, FixtureError> {
        Self::open(fixture, database, 4, options).await
    }

    async fn open(
        fixture: &Fixture,
        database: &DeviceDatabase,
        first_version: u32,
        options: crate::DeviceManagerOptions,
    ) -> Result<Self, FixtureError> {
        let mut database = database.clone();
        if let Some(user) = &fixture.user_config {
            database = database
                .with_user_config(&user.to_string(), "fixture user_config")
                .map_err(|e| FixtureError::Failed(format!("user_config: {e}")))?;
        }
        let dev = &fixture.device;
        let mut builder = SimulatedHardware::builder(&dev.name, &dev.address)
            .endpoints(dev.endpoints.iter().copied());
        for (company, data) in &dev.manufacturer_data {
            builder = builder.manufacturer_data(*company, data.to_vec());
        }
        let hardware = builder.build();
        for r in &fixture.replies {
            match (&r.on_write, &r.on_subscribe) {
                (Some(w), None) => hardware.add_reply(
                    w.endpoint,
                    w.data.to_vec(),
                    r.notify.endpoint,
                    r.notify.data.to_vec(),
                ),
                (None, Some(s)) => hardware.add_subscribe_reply(
                    s.endpoint,
                    r.notify.endpoint,
                    r.notify.data.to_vec(),
                ),
                _ => return fail("a reply needs exactly one of on_write and on_subscribe"),
            }
        }
        for (endpoint, answers) in &fixture.reads {
            let mut answers = answers.iter().peekable();
            while let Some(a) = answers.next() {
                if answers.peek().is_some() {
                    hardware.push_read(*endpoint, a.to_vec());
                } else {
                    hardware.set_read_value(*endpoint, a.to_vec());
                }
            }
        }
        let specifier = match &dev.specifier {
            Some(v) => match v.pointer("/serial/port").and_then(Value::as_str) {
                Some(port) => {
                    database = serial_user_config(database, dev.protocol.as_deref(), port)?;
                    CommunicationSpecifier::serial_port(port)
                }
                None => serde_json::from_value::<CommunicationSpecifier>(v.clone())
                    .map_err(|e| FixtureError::Failed(format!("device.specifier: {e}")))?,
            },
            None => CommunicationSpecifier::btle_advertisement(
                dev.name.clone(),
                hardware_mfg(dev),
                dev.advertised_services.clone(),
            ),
        };
        if let Some(p) = &dev.protocol {
            let matched = database.matching_protocols(&specifier);
            if !matched.iter().any(|m| m == p) {
                return fail(format!(
                    "device {:?} does not match protocol {p} (matches {matched:?})",
                    dev.name
                ));
            }
        }
        let simulated = SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice {
            hardware: hardware.clone(),
            specifier,
        });
        let device_manager = DeviceManagerBuilder::new(Arc::new(database))
            .comm_manager(simulated)
            .options(options)
            .message_gap_override(Some(Duration::ZERO))
            .timers(fixture.timers)
            .finish()
            .map_err(|e| FixtureError::Failed(e.to_string()))?;
        let server = ButtplugServerBuilder::new()
            .name("fixture server")
            .device_manager(device_manager.clone())
            .finish();
        let mut rig = FixtureRig {
            server,
            device_manager,
            hardware,
            sessions: BTreeMap::new(),
        };
        let s = open_session(&rig.server, first_version, true).await?;
        rig.sessions.insert(first_version, s);
        Ok(rig)
    }

    /// The simulated hardware (what the protocol wrote, scripted replies).
    pub fn hardware(&self) -> &SimulatedHardware {
        &self.hardware
    }

    /// The fixture's device (index 0) as the server sees it.
    pub fn device(&self) -> Option<crate::ServerDevice> {
        self.device_manager.devices().into_iter().next()
    }

    /// Send a client message (without `Id`) at a spec version and return its reply.
    ///
    /// # Errors
    /// The session closed or no reply came in time.
    pub async fn request(&mut self, version: u32, message: Value) -> Result<Value, FixtureError> {
        let s = ensure_session(&self.server, &mut self.sessions, version).await?;
        s.request(message).await
    }

    /// Close the sessions and shut the device manager down.
    pub async fn shutdown(mut self) {
        self.sessions.clear();
        self.device_manager.shutdown().await;
    }
}

/// A serial device matches only the ports named in the user config (the database says
/// "default"): add the fixture's port for its protocol, with the protocol's line settings.
fn serial_user_config(
    database: DeviceDatabase,
    protocol: Option<&str>,
    port: &str,
) -> Result<DeviceDatabase, FixtureError> {
    let Some(protocol) = protocol else {
        return fail("a serial fixture must name its device.protocol");
    };
    let base = database
        .protocol_specifiers(protocol)
        .into_iter()
        .find_map(|s| match s {
            CommunicationSpecifier::Serial {
                baud_rate,
                data_bits,
                stop_bits,
                parity,
                ..
            } => Some((*baud_rate, *data_bits, *stop_bits, *parity)),
            _ => None,
        });
    let Some((baud_rate, data_bits, stop_bits, parity)) = base else {
        return fail(format!("protocol {protocol} has no serial specifier"));
    };
    let user = json!({
        "version": {"major": 4, "minor": 0},
        "user_configs": {"protocols": {protocol: {"communication": [{"serial": {
            "port": port, "baud_rate": baud_rate, "data_bits": data_bits,
            "stop_bits": stop_bits, "parity": parity.to_string()
        }}]}}}
    });
    database
        .with_user_config(&user.to_string(), "fixture serial port")
        .map_err(|e| FixtureError::Failed(format!("serial user config: {e}")))
}

fn hardware_mfg(dev: &FixtureDevice) -> Vec<ManufacturerData> {
    dev.manufacturer_data
        .iter()
        .map(|(c, d)| ManufacturerData::new(*c, Some(d.to_vec())))
        .collect()
}

async fn open_session(
    server: &crate::ButtplugServer,
    version: u32,
    first: bool,
) -> Result<Session, FixtureError> {
    let (tx, rx) = server.json_connection();
    let mut s = Session {
        version,
        tx,
        rx,
        events: VecDeque::new(),
        next_id: 0,
    };
    let info = s.request(handshake(version)).await?;
    if message_name(&info) != Some("ServerInfo") {
        return fail(format!("v{version} handshake failed: {info}"));
    }
    if first {
        let r = s.request(json!({"StartScanning": {}})).await?;
        if message_name(&r) != Some("Ok") {
            return fail(format!("StartScanning failed: {r}"));
        }
        let deadline = Instant::now() + FIXTURE_WAIT;
        loop {
            let list = s.request(json!({"RequestDeviceList": {}})).await?;
            if device_count(&list) > 0 {
                break;
            }
            if Instant::now() >= deadline {
                return fail("the device was not added (identify/initialize failed?)");
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        let _ = s.request(json!({"StopScanning": {}})).await?;
        // Device-added events are not part of any step.
        s.events.clear();
    }
    Ok(s)
}

async fn run_steps(fixture: &Fixture, rig: &mut FixtureRig) -> Result<(), FixtureError> {
    let server = &rig.server;
    let hardware = &rig.hardware;
    let sessions = &mut rig.sessions;
    check_commands("init", hardware, &fixture.init)?;
    if let Some(expect) = &fixture.expect_device {
        let s = ensure_session(server, sessions, 4).await?;
        let list = s.request(json!({"RequestDeviceList": {}})).await?;
        let device = list
            .pointer("/DeviceList/Devices/0")
            .cloned()
            .unwrap_or(Value::Null);
        if let Some(name) = &expect.name {
            if device.get("DeviceName").and_then(Value::as_str) != Some(name.as_str()) {
                return fail(format!("expected device {name:?}, got {device}"));
            }
        }
        if let Some(n) = expect.features {
            let got = device
                .get("DeviceFeatures")
                .and_then(Value::as_object)
                .map_or(0, Map::len);
            if got != n {
                return fail(format!("expected {n} features, got {got}: {device}"));
            }
        }
    }
    for (i, step) in fixture.steps.iter().enumerate() {
        let context = format!(
            "step {i}{}",
            step.description
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        );
        let version = step.version.unwrap_or(4);
        if let Some(message) = &step.send {
            let s = ensure_session(server, sessions, version).await?;
            let reply = s
                .request(message.clone())
                .await
                .map_err(|e| FixtureError::Failed(format!("{context}: sending {message}: {e}")))?;
            let want = step.reply.clone().unwrap_or_else(|| json!("Ok"));
            if !matches_expectation(&reply, &want) {
                return fail(format!("{context}: expected reply {want}, got {reply}"));
            }
        }
        if let Some(n) = &step.notify {
            hardware.notify(n.endpoint, n.data.to_vec());
        }
        if step.disconnect {
            hardware.simulate_disconnect();
        }
        for e in &step.events {
            let s = ensure_session(server, sessions, version).await?;
            s.expect_event(e)
                .await
                .map_err(|err| FixtureError::Failed(format!("{context}: {err}")))?;
        }
        if step.send.is_none() && !step.expect.is_empty() {
            // Commands caused by notifications or timers: give them time to land.
            hardware
                .wait_for_commands(step.expect.len(), FIXTURE_WAIT)
                .await;
        }
        check_commands(&context, hardware, &step.expect)?;
    }
    // Nothing else may arrive afterwards.
    buttplug_devices::sleep(Duration::from_millis(20)).await;
    check_commands("after the last step", hardware, &[])?;
    Ok(())
}

async fn ensure_session<'a>(
    server: &crate::ButtplugServer,
    sessions: &'a mut BTreeMap<u32, Session>,
    version: u32,
) -> Result<&'a mut Session, FixtureError> {
    match sessions.entry(version) {
        std::collections::btree_map::Entry::Occupied(e) => Ok(e.into_mut()),
        std::collections::btree_map::Entry::Vacant(e) => {
            Ok(e.insert(open_session(server, version, false).await?))
        }
    }
}

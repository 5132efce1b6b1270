//! The btleplug manager against a fake BlueZ (python3-dbusmock's bluez5 template) on a private
//! D-Bus, and without any system bus.
//!
//! btleplug reads the bus address from `DBUS_SYSTEM_BUS_ADDRESS`, which must not be changed in a
//! running multi-threaded test binary; so each scenario runs this test binary again as a child
//! process (one `#[ignore]`d `inner_*` test) with the variable set for it alone.
//!
//! The fake-BlueZ scenario needs outside tools and is `#[ignore]`d with the reason (run it with
//! `cargo test --workspace -- --ignored tool_`); the one without a system bus always runs.
#![cfg(all(feature = "btleplug", feature = "simulated"))]

use crate::util::{Client, hush};
use buttplug_devices::config::DeviceDatabase;
use buttplug_devices::{Endpoint, HardwareEvent};
use buttplug_server::comm::{
    COMMUNICATION_EVENT_CAPACITY, CommunicationError, CommunicationEvent,
    DeviceCommunicationManagerBuilder,
};
use buttplug_server::managers::btleplug::BtleplugManagerBuilder;
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Set in the child process: the directory of the fake BlueZ helper.
const CHILD_MARKER: &str = "BUTTPLUG_TEST_FAKE_BLUEZ";

fn helper() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_bluez.py")
}

/// Run one `inner_*` test of this binary in a child process with `env` set; returns its output.
fn run_child(test: &str, env: &[(&str, String)]) -> (bool, String) {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args([
        test,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ran = text.contains("1 passed");
    (out.status.success() && ran, text)
}

/// Why the fake BlueZ cannot run here, if it cannot.
fn fake_bluez_missing() -> Option<String> {
    let daemon = Command::new("dbus-daemon")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(daemon, Ok(s) if s.success()) {
        return Some("dbus-daemon is not installed".into());
    }
    let mock = Command::new("/usr/bin/python3")
        .args(["-c", "import dbus, dbusmock"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(mock, Ok(s) if s.success()) {
        return Some(
            "python3-dbusmock (and python3-dbus) are not installed for /usr/bin/python3".into(),
        );
    }
    None
}

/// A private bus with the bluez5 mock on it; both processes end on drop.
struct FakeBluez {
    daemon: Child,
    mock: Child,
    dir: PathBuf,
    address: String,
}

impl FakeBluez {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "bp-bluez-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("bus.sock");
        let address = format!("unix:path={}", socket.display());
        let daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "dbus-daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mock = Command::new("/usr/bin/python3")
            .args(["-m", "dbusmock", "--system", "--template", "bluez5"])
            .env("DBUS_SYSTEM_BUS_ADDRESS", &address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let fake = FakeBluez {
            daemon,
            mock,
            dir,
            address,
        };
        fake.call(&["wait"]);
        fake.call(&["adapter"]);
        fake
    }

    fn call(&self, args: &[&str]) -> String {
        bluez_call(&self.address, args)
    }
}

fn bluez_call(address: &str, args: &[&str]) -> String {
    let out = Command::new("/usr/bin/python3")
        .arg(helper())
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", address)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fake_bluez.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Drop for FakeBluez {
    fn drop(&mut self) {
        let _ = self.mock.kill();
        let _ = self.mock.wait();
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Needs `dbus-daemon` and python3-dbusmock, so `cargo test` lists it as ignored; `.ci/run`
/// installs them (`.ci/install-test-deps`) and runs it with `-- --ignored tool_`. Run by hand
/// without them, it fails: it never passes without talking to the fake BlueZ.
#[test]
#[ignore = "needs dbus-daemon and python3-dbusmock (.ci/install-test-deps); .ci/run runs it"]
fn tool_btleplug_against_fake_bluez() {
    if let Some(why) = fake_bluez_missing() {
        panic!(
            "btleplug against a fake BlueZ cannot run: {why}; .ci/install-test-deps installs it"
        );
    }
    for test in [
        "btleplug::inner_manager_finds_connects_and_talks",
        "btleplug::inner_server_session_and_reconnect",
    ] {
        // A fresh fake BlueZ per scenario (BlueZ reports known devices to every new scan).
        let fake = FakeBluez::start();
        let (ok, output) = run_child(
            test,
            &[
                ("DBUS_SYSTEM_BUS_ADDRESS", fake.address.clone()),
                (CHILD_MARKER, fake.address.clone()),
            ],
        );
        assert!(ok, "{test} failed:\n{output}");
    }
}

#[test]
fn btleplug_without_system_bus() {
    let (ok, output) = run_child(
        "btleplug::inner_no_system_bus",
        &[
            (
                "DBUS_SYSTEM_BUS_ADDRESS",
                "unix:path=/nonexistent/buttplug-test/system_bus_socket".to_string(),
            ),
            (CHILD_MARKER, "none".to_string()),
        ],
    );
    assert!(ok, "inner_no_system_bus failed:\n{output}");
}

/// The bus address in a child, or `None` when run directly (then the test does nothing).
fn child_bus() -> Option<String> {
    std::env::var(CHILD_MARKER).ok()
}

async fn hex_writes(address: &str, device: &str) -> Vec<String> {
    let address = address.to_string();
    let device = device.to_string();
    let out = buttplug_devices::with_timeout(Duration::from_secs(10), async move {
        blocking(move || bluez_call(&address, &["writes", &device])).await
    })
    .await
    .unwrap();
    out.lines()
        .map(|l| {
            let bytes: Vec<u8> = (0..l.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&l[i..i + 2], 16).unwrap())
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect()
}

/// Run blocking work (the python helper) without stalling the executor.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.await.unwrap()
}

async fn helper_call(bus: &str, args: &[&str]) -> String {
    let bus = bus.to_string();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        bluez_call(&bus, &refs)
    })
    .await
}

#[test]
#[ignore = "run by tool_btleplug_against_fake_bluez in a child process"]
fn inner_manager_finds_connects_and_talks() {
    let Some(bus) = child_bus() else { return };
    buttplug_server::block_on(async {
        let db = DeviceDatabase::builtin();
        let (tx, rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let manager = Box::new(BtleplugManagerBuilder::from_database(db)).finish(tx);
        manager.start_scanning().await.expect("adapter found");
        assert!(manager.is_scanning());
        helper_call(&bus, &["device", "AA:BB:CC:DD:EE:01", "LVS-Z36D"]).await;
        // A device that is not a toy is not reported.
        helper_call(&bus, &["device", "AA:BB:CC:DD:EE:09", "Some Headphones"]).await;
        let event = buttplug_devices::with_timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("no DeviceFound")
            .unwrap();
        let CommunicationEvent::DeviceFound {
            name,
            address,
            connector,
        } = event
        else {
            panic!("expected DeviceFound, got {event:?}");
        };
        assert_eq!(name, "LVS-Z36D");
        assert_eq!(address, "AA:BB:CC:DD:EE:01");
        let specifiers: Vec<_> = db
            .protocol_specifiers("lovense")
            .into_iter()
            .cloned()
            .collect();
        assert!(specifiers.iter().any(|s| s.matches(&connector.specifier())));
        let specializer = connector.connect().await.expect("connect");
        let hw = specializer
            .specialize(&specifiers)
            .await
            .expect("endpoints");
        assert_eq!(hw.endpoints(), vec![Endpoint::Rx, Endpoint::Tx]);
        assert_eq!(hw.default_message_gap(), Some(Duration::from_millis(75)));
        let mut events = hw.event_stream();
        hw.subscribe(Endpoint::Rx).await.expect("subscribe");
        hw.write(Endpoint::Tx, b"DeviceType;", false)
            .await
            .expect("write without response");
        let note = buttplug_devices::with_timeout(Duration::from_secs(5), events.next())
            .await
            .expect("no notification");
        assert_eq!(
            note,
            Some(HardwareEvent::Notification {
                endpoint: Endpoint::Rx,
                data: b"Z:11:0082059AD3BD;".to_vec()
            })
        );
        hw.write(Endpoint::Tx, b"Vibrate:3;", true)
            .await
            .expect("write with response");
        assert_eq!(
            hw.read(Endpoint::Rx, 1, Duration::from_secs(3))
                .await
                .expect("read"),
            vec![85]
        );
        assert_eq!(
            hex_writes(&bus, "AA:BB:CC:DD:EE:01").await,
            ["DeviceType;", "Vibrate:3;"]
        );
        // The toy goes away: the hardware says so.
        helper_call(&bus, &["disconnect", "AA:BB:CC:DD:EE:01"]).await;
        let gone = buttplug_devices::with_timeout(Duration::from_secs(5), async {
            while let Some(e) = events.next().await {
                if e == HardwareEvent::Disconnected {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(matches!(gone, Ok(true)), "no Disconnected event");
        assert!(matches!(
            hw.write(Endpoint::Tx, b"Vibrate:0;", false).await,
            Err(buttplug_devices::HardwareError::Disconnected)
        ));
        // Only the toy was reported.
        assert!(rx.try_recv().is_err());
        manager.stop_scanning().await.unwrap();
        manager.shutdown().await;
    });
}

fn count(list: &Value) -> usize {
    match &list["DeviceList"]["Devices"] {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    }
}

#[test]
#[ignore = "run by tool_btleplug_against_fake_bluez in a child process"]
fn inner_server_session_and_reconnect() {
    let Some(bus) = child_bus() else { return };
    buttplug_server::block_on(async {
        let db = Arc::new(DeviceDatabase::builtin().clone());
        let dm = DeviceManagerBuilder::new(db.clone())
            .comm_manager(BtleplugManagerBuilder::from_database(&db))
            .message_gap_override(Some(Duration::ZERO))
            .finish()
            .unwrap();
        let server = ButtplugServerBuilder::new().device_manager(dm).finish();
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let r = client.request(json!({"StartScanning": {}})).await;
        assert!(r.get("Ok").is_some(), "{r}");
        helper_call(&bus, &["device", "AA:BB:CC:DD:EE:02", "LVS-Z36D"]).await;
        let list = client.wait_for_devices(1).await;
        // Identified through the notification answer to DeviceType; (Z = Hush).
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        let r = client
            .request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0,
                "Command": {"Vibrate": {"Value": 10}}}}))
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let writes = hex_writes(&bus, "AA:BB:CC:DD:EE:02").await;
            if writes.last().map(String::as_str) == Some("Vibrate:10;") {
                assert_eq!(writes[0], "DeviceType;");
                break;
            }
            assert!(Instant::now() < deadline, "writes: {writes:?}");
            buttplug_devices::sleep(Duration::from_millis(50)).await;
        }

        // The toy drops out: removed. It advertises again while scanning: added again.
        helper_call(&bus, &["disconnect", "AA:BB:CC:DD:EE:02"]).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let list = client.request(json!({"RequestDeviceList": {}})).await;
            if count(&list) == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "not removed: {list}");
            buttplug_devices::sleep(Duration::from_millis(50)).await;
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            helper_call(&bus, &["advertise", "AA:BB:CC:DD:EE:02"]).await;
            let list = client.request(json!({"RequestDeviceList": {}})).await;
            if count(&list) == 1 {
                assert!(list.to_string().contains("\"DeviceIndex\":0"), "{list}");
                break;
            }
            assert!(Instant::now() < deadline, "not reconnected: {list}");
            buttplug_devices::sleep(Duration::from_millis(200)).await;
        }
        let r = client.request(json!({"StopScanning": {}})).await;
        assert!(r.get("Ok").is_some(), "{r}");
    });
}

#[test]
#[ignore = "run by btleplug_without_system_bus in a child process"]
fn inner_no_system_bus() {
    if child_bus().is_none() {
        return;
    }
    buttplug_server::block_on(async {
        // The manager alone: unavailable, said once.
        let (tx, _rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let manager = Box::new(BtleplugManagerBuilder::new()).finish(tx);
        match manager.start_scanning().await {
            Err(CommunicationError::Unavailable { manager, reason }) => {
                assert_eq!(manager, "btleplug");
                println!("first start_scanning: {reason}");
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
        manager.stop_scanning().await.unwrap();
        assert!(manager.start_scanning().await.is_ok(), "reported twice");
        manager.stop_scanning().await.unwrap();
        manager.shutdown().await;

        // In a server: other devices are served normally.
        let db = Arc::new(DeviceDatabase::builtin().clone());
        let dm = DeviceManagerBuilder::new(db.clone())
            .comm_manager(BtleplugManagerBuilder::from_database(&db))
            .comm_manager(
                SimulatedCommunicationManagerBuilder::new()
                    .device(SimulatedDevice::ble(hush("sim-1"))),
            )
            .message_gap_override(Some(Duration::ZERO))
            .finish()
            .unwrap();
        let server = ButtplugServerBuilder::new().device_manager(dm).finish();
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        let r = client
            .request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0,
                "Command": {"Vibrate": {"Value": 4}}}}))
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
    });
}

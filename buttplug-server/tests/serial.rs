//! The serial manager end to end on pseudo-terminal pairs: a simulated device on the master end,
//! the manager on the slave path named in a user config, a real server session in between.
#![cfg(feature = "serial")]

use crate::util::Client;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::managers::serial::{SerialManagerBuilder, SerialPortSettings};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::{Value, json};
use serialport::{SerialPort, TTYPort};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A device on the master end of a pty: records every byte it receives.
struct PtyDevice {
    received: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<TTYPort>>,
    /// The test's own handle on the slave (kept open so the master never sees EIO; its termios
    /// are the port settings the manager applied).
    slave: TTYPort,
    path: String,
}

impl PtyDevice {
    fn new() -> Self {
        let (mut master, slave) = TTYPort::pair().expect("pty pair");
        let path = slave.name().expect("slave path");
        master
            .set_timeout(Duration::from_millis(20))
            .expect("timeout");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            while !s.load(Ordering::SeqCst) {
                match master.read(&mut buf) {
                    Ok(n) => r.lock().unwrap().extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            master
        });
        PtyDevice {
            received,
            stop,
            thread: Some(thread),
            slave,
            path,
        }
    }

    /// Wait until `expected` bytes arrived after the ones already taken, and take them.
    fn expect(&self, expected: &[u8]) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            {
                let mut r = self.received.lock().unwrap();
                if r.len() >= expected.len() {
                    let got: Vec<u8> = r.drain(..).collect();
                    assert_eq!(
                        got,
                        expected,
                        "device received {:?}, expected {:?}",
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(expected)
                    );
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "device received only {:?}, expected {:?}",
                String::from_utf8_lossy(&self.received.lock().unwrap()),
                String::from_utf8_lossy(expected)
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Stop the device thread and close the master end (the slave then hangs up).
    fn close(mut self) -> TTYPort {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for PtyDevice {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn user_config(protocol: &str, port: &str, baud: u32, bits: u8, parity: &str, stop: u8) -> String {
    json!({
        "version": {"major": 4, "minor": 0},
        "user_configs": {"protocols": {protocol: {"communication": [
            {"serial": {"port": port, "baud_rate": baud, "data_bits": bits, "parity": parity, "stop_bits": stop}}
        ]}}}
    })
    .to_string()
}

fn server_for(config: &str) -> ButtplugServer {
    let db = DeviceDatabase::builtin()
        .with_user_config(config, "user-config.json")
        .expect("user config");
    let serial =
        SerialManagerBuilder::from_database(&db).rescan_interval(Duration::from_millis(50));
    let dm = DeviceManagerBuilder::new(Arc::new(db))
        .comm_manager(serial)
        .message_gap_override(Some(Duration::ZERO))
        .finish()
        .expect("device manager");
    ButtplugServerBuilder::new()
        .name("serial test")
        .device_manager(dm)
        .finish()
}

fn output(feature: u32, command: Value) -> Value {
    json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": feature, "Command": command}})
}

fn device_names(list: &Value) -> Vec<String> {
    let devices = &list["DeviceList"]["Devices"];
    let items: Vec<&Value> = match devices {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => o.values().collect(),
        _ => Vec::new(),
    };
    items
        .iter()
        .map(|d| d["DeviceName"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn tcode_receives_exact_lines() {
    buttplug_server::block_on(async {
        let device = PtyDevice::new();
        let server = server_for(&user_config("tcode-v03", &device.path, 115_200, 8, "N", 1));
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let list = client.wait_for_devices(1).await;
        assert_eq!(device_names(&list), ["TCode v0.3 (Single Linear Axis)"]);
        let r = client
            .request(output(0, json!({"Position": {"Value": 500}})))
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
        device.expect(b"L0500\nR0500\n");
        let r = client
            .request(output(
                0,
                json!({"HwPositionWithDuration": {"Value": 250, "Duration": 1000}}),
            ))
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
        device.expect(b"L0250I1000\n");
    });
}

#[test]
fn nobra_at_19200_receives_exact_bytes() {
    buttplug_server::block_on(async {
        let device = PtyDevice::new();
        let server = server_for(&user_config("nobra", &device.path, 19_200, 8, "N", 1));
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let list = client.wait_for_devices(1).await;
        assert_eq!(device_names(&list), ["Nobra's Silicone Dreams Toy"]);
        // Initialize sends the stop byte.
        device.expect(&[0x70]);
        let r = client
            .request(output(0, json!({"Vibrate": {"Value": 5}})))
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
        device.expect(&[0x65]);
        let r = client.request(json!({"StopCmd": {"DeviceIndex": 0}})).await;
        assert!(r.get("Ok").is_some(), "{r}");
        device.expect(&[0x70]);
        // The port runs at the database's 19200 baud, 8-N-1 (the slave's termios, read back).
        let port = &device.slave;
        assert_eq!(port.baud_rate().unwrap(), 19_200);
        assert_eq!(port.data_bits().unwrap(), serialport::DataBits::Eight);
        assert_eq!(port.parity().unwrap(), serialport::Parity::None);
        assert_eq!(port.stop_bits().unwrap(), serialport::StopBits::One);
    });
}

#[test]
fn every_setting_is_applied() {
    buttplug_server::block_on(async {
        let device = PtyDevice::new();
        let server = server_for(&user_config("tcode-v03", &device.path, 9600, 7, "E", 2));
        let mut client = Client::new(&server);
        client.handshake(4).await;
        client.wait_for_devices(1).await;
        // Linux ptys keep baud rate and stop bits but force 8 data bits without parity
        // (pty_set_termios), so those two are checked on the builder below.
        let port = &device.slave;
        assert_eq!(port.baud_rate().unwrap(), 9600);
        assert_eq!(port.stop_bits().unwrap(), serialport::StopBits::Two);
    });
}

#[test]
fn settings_map_to_the_port_builder() {
    use serialport::{DataBits, FlowControl, Parity, StopBits};
    let mut settings = SerialPortSettings::new("/dev/ttyUSB7", 9600);
    settings.data_bits = 7;
    settings.parity = 'E';
    settings.stop_bits = 2;
    let expected = serialport::new("/dev/ttyUSB7", 9600)
        .data_bits(DataBits::Seven)
        .parity(Parity::Even)
        .stop_bits(StopBits::Two)
        .flow_control(FlowControl::None)
        .timeout(buttplug_server::managers::serial::SERIAL_POLL_TIMEOUT);
    assert_eq!(settings.builder().unwrap(), expected);
    settings.parity = 'o';
    settings.data_bits = 5;
    settings.stop_bits = 1;
    let expected = expected
        .data_bits(DataBits::Five)
        .parity(Parity::Odd)
        .stop_bits(StopBits::One);
    assert_eq!(settings.builder().unwrap(), expected);
    for (bits, parity, stop) in [(9, 'N', 1), (8, 'M', 1), (8, 'N', 3)] {
        settings.data_bits = bits;
        settings.parity = parity;
        settings.stop_bits = stop;
        assert!(settings.builder().is_err(), "{bits}{parity}{stop} accepted");
    }
}

#[test]
fn port_that_comes_back_is_reconnected() {
    buttplug_server::block_on(async {
        let dir = std::env::temp_dir().join(format!("bp-serial-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join("ttyTOY");
        let _ = std::fs::remove_file(&link);
        let first = PtyDevice::new();
        std::os::unix::fs::symlink(&first.path, &link).unwrap();
        let link_path = link.to_str().unwrap().to_string();
        let server = server_for(&user_config("tcode-v03", &link_path, 115_200, 8, "N", 1));
        let mut client = Client::new(&server);
        client.handshake(4).await;
        client.wait_for_devices(1).await;
        client
            .request(output(0, json!({"Position": {"Value": 100}})))
            .await;
        first.expect(b"L0100\nR0100\n");

        // The port goes away: the device is removed.
        drop(first.close());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let list = client.request(json!({"RequestDeviceList": {}})).await;
            if device_names(&list).is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "device was not removed");
            buttplug_devices::sleep(Duration::from_millis(20)).await;
        }

        // The port comes back (a new pty behind the same path) while scanning: reconnected.
        let second = PtyDevice::new();
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&second.path, &link).unwrap();
        client.wait_for_devices(1).await;
        let r = client
            .request(output(0, json!({"Position": {"Value": 900}})))
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
        second.expect(b"L0900\nR0900\n");
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn missing_port_is_not_an_error() {
    buttplug_server::block_on(async {
        let server = server_for(&user_config(
            "tcode-v03",
            "/nonexistent/ttyMISSING",
            115_200,
            8,
            "N",
            1,
        ));
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let r = client.request(json!({"StartScanning": {}})).await;
        assert!(r.get("Ok").is_some(), "{r}");
        buttplug_devices::sleep(Duration::from_millis(200)).await;
        let list = client.request(json!({"RequestDeviceList": {}})).await;
        assert!(device_names(&list).is_empty());
        let r = client.request(json!({"StopScanning": {}})).await;
        assert!(r.get("Ok").is_some(), "{r}");
    });
}

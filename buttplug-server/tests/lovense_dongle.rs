//! The Lovense dongle manager against simulated dongles: the serial variant on a pseudo-terminal
//! pair, the HID variant as an in-memory report device; both speak the dongle's JSON protocol.
#![cfg(feature = "lovense-dongle")]

use crate::util::Client;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::comm::{
    COMMUNICATION_EVENT_CAPACITY, CommunicationEvent, DeviceCommunicationManagerBuilder,
};
use buttplug_server::managers::lovense_dongle::LovenseDongleManagerBuilder;
use buttplug_server::managers::lovense_dongle::link::{HID_REPORT_LEN, HidReportIo};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::{Value, json};
use serialport::{SerialPort, TTYPort};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOY: &str = "c44a0b1e5f3d";

/// What a dongle answers (shared by both fakes).
#[derive(Default)]
struct DongleLogic {
    /// Whether a search finds the toy.
    toy_in_range: bool,
    /// Every line received, as JSON.
    received: Vec<Value>,
}

impl DongleLogic {
    fn handle(&mut self, line: &str) -> Vec<Value> {
        let Ok(m) = serde_json::from_str::<Value>(line) else {
            return Vec::new();
        };
        self.received.push(m.clone());
        match m["func"].as_str().unwrap_or("") {
            "search" => {
                let mut out = vec![json!({"type": "toy", "func": "search", "result": 205})];
                if self.toy_in_range {
                    out.push(json!({"type": "toy", "func": "toyData", "data": {"id": TOY}}));
                }
                out
            }
            "stopSearch" => vec![
                json!({"type": "usb", "func": "stopSearch", "result": 200}),
                json!({"type": "toy", "func": "search", "result": 206}),
            ],
            "connect" => {
                vec![
                    json!({"type": "toy", "func": "status", "data": {"id": m["id"], "status": 202}}),
                ]
            }
            "command" => {
                let answer = match m["cmd"].as_str().unwrap_or("") {
                    "DeviceType;" => "Z:11:0082059AD3BD;",
                    "Battery;" => "85;",
                    _ => "OK;",
                };
                vec![
                    json!({"type": "toy", "func": "toyData", "data": {"id": m["id"], "data": answer}}),
                ]
            }
            _ => Vec::new(),
        }
    }

    fn commands(&self) -> Vec<String> {
        self.received
            .iter()
            .filter(|m| m["func"] == "command")
            .map(|m| m["cmd"].as_str().unwrap_or("").to_string())
            .collect()
    }

    fn funcs(&self) -> Vec<String> {
        self.received
            .iter()
            .map(|m| m["func"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

/// The serial dongle on the master end of a pty.
struct SerialDongle {
    logic: Arc<Mutex<DongleLogic>>,
    /// Lines to push unasked (e.g. a toy disconnect).
    push: Arc<Mutex<Vec<Value>>>,
    stop: Arc<AtomicBool>,
    _slave: TTYPort,
    path: String,
}

impl SerialDongle {
    fn start() -> Self {
        let (mut master, slave) = TTYPort::pair().unwrap();
        let path = slave.name().unwrap();
        master.set_timeout(Duration::from_millis(10)).unwrap();
        let logic = Arc::new(Mutex::new(DongleLogic {
            toy_in_range: true,
            ..DongleLogic::default()
        }));
        let push = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (l, p, s) = (logic.clone(), push.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buf = [0u8; 512];
            while !s.load(Ordering::SeqCst) {
                let mut out: Vec<Value> = p.lock().unwrap().drain(..).collect();
                match master.read(&mut buf) {
                    Ok(n) => pending.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
                while let Some(end) = pending.windows(2).position(|w| w == b"\r\n") {
                    let line: Vec<u8> = pending.drain(..end + 2).collect();
                    let text = String::from_utf8_lossy(&line[..end]).to_string();
                    out.extend(l.lock().unwrap().handle(&text));
                }
                for m in out {
                    let _ = master.write_all(format!("{m}\n").as_bytes());
                }
            }
        });
        SerialDongle {
            logic,
            push,
            stop,
            _slave: slave,
            path,
        }
    }
}

impl Drop for SerialDongle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// The HID dongle in memory: reports in, reports out.
#[derive(Default)]
struct HidDongle {
    logic: Mutex<DongleLogic>,
    written: Mutex<Vec<u8>>,
    reports: Mutex<VecDeque<Vec<u8>>>,
    /// Raw reports as written (to check the framing).
    raw: Mutex<Vec<Vec<u8>>>,
}

impl HidDongle {
    fn with_toy(toy_in_range: bool) -> Arc<Self> {
        let d = HidDongle::default();
        d.logic.lock().unwrap().toy_in_range = toy_in_range;
        Arc::new(d)
    }

    /// Queue a message as input reports (text, zero padded, 64 bytes per report).
    fn push(&self, m: &Value) {
        let line = format!("{m}\n").into_bytes();
        let mut reports = self.reports.lock().unwrap();
        for chunk in line.chunks(HID_REPORT_LEN - 1) {
            let mut r = vec![0u8; HID_REPORT_LEN - 1];
            r[..chunk.len()].copy_from_slice(chunk);
            reports.push_back(r);
        }
    }
}

impl HidReportIo for HidDongle {
    fn write_report(&self, report: &[u8]) -> std::io::Result<usize> {
        assert_eq!(report.len(), HID_REPORT_LEN, "reports are 65 bytes");
        assert_eq!(report[0], 0, "report id 0");
        self.raw.lock().unwrap().push(report.to_vec());
        let text: Vec<u8> = report[1..].iter().copied().filter(|b| *b != 0).collect();
        let mut written = self.written.lock().unwrap();
        written.extend(text);
        let mut replies = Vec::new();
        while let Some(end) = written.windows(2).position(|w| w == b"\r\n") {
            let line: Vec<u8> = written.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&line[..end]).to_string();
            replies.extend(self.logic.lock().unwrap().handle(&text));
        }
        drop(written);
        for r in replies {
            self.push(&r);
        }
        Ok(report.len())
    }

    fn read_report(&self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(r) = self.reports.lock().unwrap().pop_front() {
                buf[..r.len()].copy_from_slice(&r);
                return Ok(r.len());
            }
            if Instant::now() >= deadline {
                return Ok(0);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

fn server_with(builder: LovenseDongleManagerBuilder) -> ButtplugServer {
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(builder)
        .message_gap_override(Some(Duration::ZERO))
        .finish()
        .unwrap();
    ButtplugServerBuilder::new().device_manager(dm).finish()
}

fn count(list: &Value) -> usize {
    match &list["DeviceList"]["Devices"] {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    }
}

fn wait_for(mut check: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

async fn vibrate(client: &mut Client, value: u32) {
    let r = client
        .request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0,
            "Command": {"Vibrate": {"Value": value}}}}))
        .await;
    assert!(r.get("Ok").is_some(), "{r}");
}

#[test]
fn serial_dongle_finds_connects_and_forwards() {
    let dongle = SerialDongle::start();
    buttplug_server::block_on(async {
        let server = server_with(
            LovenseDongleManagerBuilder::new()
                .hid(false)
                .serial_port(dongle.path.clone()),
        );
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let list = client.wait_for_devices(1).await;
        // Identified through the dongle: DeviceType; → Z → Hush.
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        let funcs = dongle.logic.lock().unwrap().funcs();
        assert_eq!(
            funcs[..5],
            ["statuss", "search", "stopSearch", "connect", "command"],
            "{funcs:?}"
        );
        vibrate(&mut client, 10).await;
        wait_for(
            || {
                dongle
                    .logic
                    .lock()
                    .unwrap()
                    .commands()
                    .last()
                    .map(String::as_str)
                    == Some("Vibrate:10;")
            },
            "Vibrate:10; at the dongle",
        );
        let connect = dongle.logic.lock().unwrap().received[3].clone();
        assert_eq!(
            connect,
            json!({"type": "toy", "func": "connect", "id": TOY})
        );

        // The toy goes away: removed.
        dongle
            .push
            .lock()
            .unwrap()
            .push(json!({"type": "toy", "func": "status", "data": {"id": TOY, "status": 403}}));
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let list = client.request(json!({"RequestDeviceList": {}})).await;
            if count(&list) == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "not removed: {list}");
            buttplug_devices::sleep(Duration::from_millis(20)).await;
        }
    });
}

#[test]
fn hid_dongle_finds_connects_and_forwards() {
    let dongle = HidDongle::with_toy(true);
    buttplug_server::block_on(async {
        let server = server_with(
            LovenseDongleManagerBuilder::new()
                .hid(false)
                .serial(false)
                .hid_transport(dongle.clone(), dongle.clone()),
        );
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        vibrate(&mut client, 7).await;
        wait_for(
            || {
                dongle
                    .logic
                    .lock()
                    .unwrap()
                    .commands()
                    .last()
                    .map(String::as_str)
                    == Some("Vibrate:7;")
            },
            "Vibrate:7; at the dongle",
        );
        // The search line went out as one report: id 0, the JSON text, zero padding.
        let raw = dongle.raw.lock().unwrap();
        let search = b"{\"type\":\"toy\",\"func\":\"search\"}\r\n";
        assert!(
            raw.iter()
                .any(|r| &r[1..=search.len()] == search
                    && r[search.len() + 1..].iter().all(|b| *b == 0)),
            "no search report"
        );
    });
}

#[test]
fn hid_dongle_keeps_searching_then_times_out() {
    let dongle = HidDongle::with_toy(false);
    buttplug_server::block_on(async {
        let (tx, rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let manager = Box::new(
            LovenseDongleManagerBuilder::new()
                .hid(false)
                .serial(false)
                .hid_transport(dongle.clone(), dongle.clone())
                .scan_timeout(Some(Duration::from_millis(600))),
        )
        .finish(tx);
        manager.start_scanning().await.unwrap();
        assert!(manager.is_scanning());
        // The dongle stops its own search: the manager searches again.
        buttplug_devices::sleep(Duration::from_millis(300)).await;
        dongle.push(&json!({"type": "toy", "func": "search", "result": 206}));
        let event = buttplug_devices::with_timeout(Duration::from_secs(3), rx.recv())
            .await
            .expect("no ScanningFinished")
            .unwrap();
        assert!(
            matches!(
                event,
                CommunicationEvent::ScanningFinished {
                    manager: "lovense-dongle"
                }
            ),
            "{event:?}"
        );
        assert!(!manager.is_scanning());
        wait_for(
            || dongle.logic.lock().unwrap().funcs().len() == 4,
            "the search stop",
        );
        let funcs = dongle.logic.lock().unwrap().funcs();
        assert_eq!(funcs, ["statuss", "search", "search", "stopSearch"]);
        manager.shutdown().await;
    });
}

#[test]
fn no_dongle_is_reported_once() {
    buttplug_server::block_on(async {
        let (tx, _rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let manager = Box::new(
            LovenseDongleManagerBuilder::new()
                .hid(false)
                .serial_port("/nonexistent/ttyDONGLE")
                .search_interval(Duration::from_millis(20)),
        )
        .finish(tx);
        let first = manager.start_scanning().await;
        assert!(
            matches!(
                first,
                Err(buttplug_server::comm::CommunicationError::Unavailable { .. })
            ),
            "{first:?}"
        );
        manager.stop_scanning().await.unwrap();
        assert!(manager.start_scanning().await.is_ok());
        manager.shutdown().await;
    });
}

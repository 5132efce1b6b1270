//! The Lovense Connect manager against a local HTTP server that behaves like the app (and like
//! the lookup service). Only 127.0.0.1 is contacted.
#![cfg(feature = "lovense-connect")]

use crate::util::Client;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::comm::{
    COMMUNICATION_EVENT_CAPACITY, CommunicationError, DeviceCommunicationManagerBuilder,
};
use buttplug_server::managers::lovense_connect::LovenseConnectManagerBuilder;
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fake Lovense Connect app (and lookup service) on 127.0.0.1:<free port>.
struct FakeApp {
    port: u16,
    /// Every request path, in order.
    requests: Arc<Mutex<Vec<String>>>,
    /// Whether the toy is connected to the app.
    toy_connected: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl FakeApp {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let toy_connected = Arc::new(AtomicBool::new(true));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, t, s) = (requests.clone(), toy_connected.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let (stream, _) = match listener.accept() {
                    Ok(c) => c,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                };
                stream.set_nonblocking(false).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                // Skip the headers.
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                r.lock().unwrap().push(path.clone());
                let body = if path == "/GetToys" {
                    let status = if t.load(Ordering::SeqCst) { "1" } else { "0" };
                    json!({"code": 200, "type": "OK", "data": {"ab12cd34": {
                        "id": "ab12cd34", "name": "hush", "nickName": "", "status": status,
                        "version": "", "battery": 85}}})
                    .to_string()
                } else if path == "/api/lan/getToys" {
                    json!({"127-0-0-1.lovense.club": {"domain": "127-0-0-1.lovense.club",
                        "httpPort": port.to_string(), "wsPort": "0", "httpsPort": "0",
                        "wssPort": "0", "toys": {}}})
                    .to_string()
                } else {
                    json!({"code": 200, "type": "ok"}).to_string()
                };
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    body.len(),
                    body
                );
            }
        });
        FakeApp {
            port,
            requests,
            toy_connected,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Wait for a request with this path.
    fn expect_request(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.requests.lock().unwrap().iter().any(|p| p == path) {
            assert!(
                Instant::now() < deadline,
                "no request {path}; got {:?}",
                self.requests.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for FakeApp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn server_with(builder: LovenseConnectManagerBuilder) -> ButtplugServer {
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(
            builder
                .rescan_interval(Duration::from_millis(50))
                .poll_interval(Duration::from_millis(50)),
        )
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

#[test]
fn app_toy_is_found_driven_and_removed() {
    let app = FakeApp::start();
    buttplug_server::block_on(async {
        let server = server_with(LovenseConnectManagerBuilder::new().app_address(app.url()));
        let mut client = Client::new(&server);
        client.handshake(2).await;
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        let r = client
            .request(
                json!({"VibrateCmd": {"DeviceIndex": 0, "Speeds": [{"Index": 0, "Speed": 0.5}]}}),
            )
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
        app.expect_request("/Vibrate1?v=10&t=ab12cd34");
        let r = client
            .request(json!({"BatteryLevelCmd": {"DeviceIndex": 0}}))
            .await;
        assert_eq!(r["BatteryLevelReading"]["BatteryLevel"], json!(0.85), "{r}");

        // The app loses the toy: the device is removed.
        app.toy_connected.store(false, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let list = client.request(json!({"RequestDeviceList": {}})).await;
            if count(&list) == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "not removed: {list}");
            buttplug_devices::sleep(Duration::from_millis(20)).await;
        }
        // And comes back while scanning: added again at the same index.
        app.toy_connected.store(true, Ordering::SeqCst);
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("\"DeviceIndex\":0"), "{list}");
    });
}

#[test]
fn apps_are_found_through_a_lookup_url() {
    let app = FakeApp::start();
    buttplug_server::block_on(async {
        let lookup = format!("{}/api/lan/getToys", app.url());
        let server = server_with(LovenseConnectManagerBuilder::new().lookup_url(lookup));
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        app.expect_request("/api/lan/getToys");
        app.expect_request("/GetToys");
    });
}

#[test]
fn https_lookup_is_reported_once_without_network() {
    buttplug_server::block_on(async {
        let (tx, rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let manager = Box::new(
            LovenseConnectManagerBuilder::new()
                .public_lookup()
                .rescan_interval(Duration::from_millis(20)),
        )
        .finish(tx);
        match manager.start_scanning().await {
            Err(CommunicationError::Unavailable { reason, .. }) => {
                assert!(reason.contains("https is not supported"), "{reason}");
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
        buttplug_devices::sleep(Duration::from_millis(60)).await;
        manager.stop_scanning().await.unwrap();
        assert!(manager.start_scanning().await.is_ok());
        manager.shutdown().await;
        assert!(rx.is_empty());
    });
}

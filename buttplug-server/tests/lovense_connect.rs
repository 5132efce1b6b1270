//! The Lovense Connect manager against local HTTP(S) servers that behave like the app (and like
//! the lookup service, over TLS with a certificate made in the test). Only 127.0.0.1 and ::1 are
//! contacted.
#![cfg(feature = "lovense-connect")]

use crate::util::Client;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::comm::{
    COMMUNICATION_EVENT_CAPACITY, CommunicationError, DeviceCommunicationManagerBuilder,
};
use buttplug_server::managers::lovense_connect::LovenseConnectManagerBuilder;
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fake Lovense Connect app (and lookup service) on a free local port, over plain http or
/// https.
struct FakeApp {
    port: u16,
    /// `http://127.0.0.1:<port>`, `http://[::1]:<port>` or `https://127.0.0.1:<port>`.
    base: String,
    /// Every request path, in order.
    requests: Arc<Mutex<Vec<String>>>,
    /// Every request's `Host` header, in order.
    hosts: Arc<Mutex<Vec<String>>>,
    /// Whether the toy is connected to the app.
    toy_connected: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

/// A certificate authority and a server certificate for 127.0.0.1 signed by it, made here.
struct TestPki {
    ca_der: Vec<u8>,
    server: Arc<rustls::ServerConfig>,
}

impl TestPki {
    fn new() -> Self {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "buttplug test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &ca, &ca_key)
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone(), ca.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
        TestPki {
            ca_der: ca.der().to_vec(),
            server: Arc::new(server),
        }
    }
}

impl FakeApp {
    /// Plain http on 127.0.0.1; its lookup answer points at itself.
    fn start() -> Self {
        Self::start_on("127.0.0.1", None, None)
    }

    /// On `host` (`127.0.0.1` or `[::1]`), over TLS with `tls`; its lookup answer points at
    /// `127.0.0.1:<lookup_port>` (its own port by default).
    fn start_on(
        host: &str,
        tls: Option<Arc<rustls::ServerConfig>>,
        lookup_port: Option<u16>,
    ) -> Self {
        let listener = TcpListener::bind(format!("{host}:0"))
            .unwrap_or_else(|e| panic!("cannot listen on {host}: {e}"));
        let port = listener.local_addr().unwrap().port();
        let lookup_port = lookup_port.unwrap_or(port);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base = format!("{scheme}://{host}:{port}");
        listener.set_nonblocking(true).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let hosts = Arc::new(Mutex::new(Vec::new()));
        let toy_connected = Arc::new(AtomicBool::new(true));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, h, t, s) = (
            requests.clone(),
            hosts.clone(),
            toy_connected.clone(),
            stop.clone(),
        );
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
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                match &tls {
                    None => answer(stream, &r, &h, &t, lookup_port),
                    Some(config) => {
                        let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                        let mut tls_stream = rustls::StreamOwned::new(conn, stream);
                        answer(&mut tls_stream, &r, &h, &t, lookup_port);
                        tls_stream.conn.send_close_notify();
                        let _ = tls_stream.flush();
                    }
                }
            }
        });
        FakeApp {
            port,
            base,
            requests,
            hosts,
            toy_connected,
            stop,
        }
    }

    fn url(&self) -> String {
        self.base.clone()
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

/// Read one request from `stream`, record its path and answer it as the app (or the lookup).
fn answer(
    mut stream: impl Read + Write,
    requests: &Mutex<Vec<String>>,
    hosts: &Mutex<Vec<String>>,
    toy_connected: &AtomicBool,
    lookup_port: u16,
) {
    let mut reader = BufReader::new(&mut stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        // Includes a TLS handshake the client gave up on.
        return;
    }
    // The headers: only `Host` is kept.
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            if name.eq_ignore_ascii_case("host") {
                hosts.lock().unwrap().push(value.trim().to_string());
            }
        }
    }
    drop(reader);
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    requests.lock().unwrap().push(path.clone());
    let body = if path == "/GetToys" {
        let status = if toy_connected.load(Ordering::SeqCst) {
            "1"
        } else {
            "0"
        };
        json!({"code": 200, "type": "OK", "data": {"ab12cd34": {
            "id": "ab12cd34", "name": "hush", "nickName": "", "status": status,
            "version": "", "battery": 85}}})
        .to_string()
    } else if path == "/api/lan/getToys" {
        json!({"127-0-0-1.lovense.club": {"domain": "127-0-0-1.lovense.club",
            "httpPort": lookup_port.to_string(), "wsPort": "0", "httpsPort": "0",
            "wssPort": "0", "toys": {}}})
        .to_string()
    } else {
        json!({"code": 200, "type": "ok"}).to_string()
    };
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        body
    );
    let _ = stream.flush();
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

/// Drive the toy once and check the app got the command.
async fn vibrate_reaches(client: &mut Client, app: &FakeApp) {
    let r = client
        .request(json!({"VibrateCmd": {"DeviceIndex": 0, "Speeds": [{"Index": 0, "Speed": 0.5}]}}))
        .await;
    assert!(r.get("Ok").is_some(), "{r}");
    app.expect_request("/Vibrate1?v=10&t=ab12cd34");
}

#[test]
fn https_lookup_finds_the_listed_apps_toys() {
    let app = FakeApp::start();
    let pki = TestPki::new();
    let lookup = FakeApp::start_on("127.0.0.1", Some(pki.server.clone()), Some(app.port));
    buttplug_server::block_on(async {
        let server = server_with(
            LovenseConnectManagerBuilder::new()
                .lookup_url(format!("{}/api/lan/getToys", lookup.url()))
                .tls_roots(vec![pki.ca_der.clone()]),
        );
        let mut client = Client::new(&server);
        client.handshake(2).await;
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        lookup.expect_request("/api/lan/getToys");
        app.expect_request("/GetToys");
        vibrate_reaches(&mut client, &app).await;
        // The lookup pointed at the plain app: nothing but the lookup went to the TLS server.
        assert!(
            lookup
                .requests
                .lock()
                .unwrap()
                .iter()
                .all(|p| p == "/api/lan/getToys"),
            "{:?}",
            lookup.requests.lock().unwrap()
        );
    });
}

#[test]
fn https_lookup_with_an_unknown_root_is_reported_once() {
    let pki = TestPki::new();
    let lookup = FakeApp::start_on("127.0.0.1", Some(pki.server.clone()), None);
    buttplug_server::block_on(async {
        let (tx, rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        // The bundled webpki roots, as `buttplug serve` uses: the test CA is not among them.
        let manager = Box::new(
            LovenseConnectManagerBuilder::new()
                .lookup_url(format!("{}/api/lan/getToys", lookup.url()))
                .rescan_interval(Duration::from_millis(20)),
        )
        .finish(tx);
        match manager.start_scanning().await {
            Err(CommunicationError::Unavailable { reason, .. }) => {
                assert!(reason.contains("app lookup failed"), "{reason}");
                assert!(
                    reason.to_lowercase().contains("certificate"),
                    "not a certificate error: {reason}"
                );
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
        buttplug_devices::sleep(Duration::from_millis(60)).await;
        manager.stop_scanning().await.unwrap();
        assert!(manager.start_scanning().await.is_ok());
        manager.shutdown().await;
        assert!(rx.is_empty());
        // The handshake failed before any request was sent.
        assert!(lookup.requests.lock().unwrap().is_empty());
    });
}

#[test]
fn app_on_an_ipv6_literal_is_found_and_driven() {
    let app = FakeApp::start_on("[::1]", None, None);
    assert!(app.url().starts_with("http://[::1]:"), "{}", app.url());
    buttplug_server::block_on(async {
        let server = server_with(LovenseConnectManagerBuilder::new().app_address(app.url()));
        let mut client = Client::new(&server);
        client.handshake(2).await;
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        vibrate_reaches(&mut client, &app).await;
        // A valid request: the literal stays bracketed in the Host header (RFC 3986 3.2.2).
        let host = format!("[::1]:{}", app.port);
        let hosts = app.hosts.lock().unwrap().clone();
        assert!(
            !hosts.is_empty() && hosts.iter().all(|h| *h == host),
            "{hosts:?}"
        );
    });
}

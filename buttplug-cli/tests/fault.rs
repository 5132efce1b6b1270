//! Fault and load tests of the real `buttplug serve` process over WebSocket on loopback (port 0):
//! the one-client slot under many clients, silent and half-open connections, missed pings, and
//! the stop latency seen by a device when the client goes away.
//!
//! Bounded in count and time; timing bounds carry a generous margin (a loaded 2-core machine must
//! pass). The precise figures come from `examples/bench_serve.rs`; the stop-latency test prints
//! what it measured.

use async_std::net::TcpStream;
use async_tungstenite::tungstenite::Message;
use futures::StreamExt;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

type Ws = async_tungstenite::WebSocketStream<TcpStream>;

/// Margin added to the issue's latency bounds in assertions.
const MARGIN: Duration = Duration::from_millis(250);

/// The server's default wait for `RequestServerInfo` (`buttplug_server::DEFAULT_HANDSHAKE_TIMEOUT`).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// A `buttplug serve` on free ports, with its pid.
struct Serve {
    child: Child,
    client_url: String,
    device_url: Option<String>,
    _lines: mpsc::Receiver<String>,
}

impl Serve {
    fn start(extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_buttplug"))
            .args([
                "serve",
                "--websocket-port",
                "0",
                "--device-websocket-server-port",
                "0",
                "--log",
                "warn",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start buttplug serve");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let wants_devices = extra.contains(&"--use-device-websocket-server");
        let mut client_url = String::new();
        let mut device_url = None;
        let deadline = Instant::now() + Duration::from_secs(20);
        while client_url.is_empty() || (wants_devices && device_url.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).expect("server did not start");
            if let Some(u) = line.strip_prefix("client websocket listening on ") {
                client_url = u.trim().to_string();
            }
            if let Some(u) = line.strip_prefix("device websocket server listening on ") {
                device_url = Some(u.trim().to_string());
            }
        }
        Serve {
            child,
            client_url,
            device_url,
            _lines: rx,
        }
    }

    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn dial(url: &str) -> Ws {
    let addr = url.strip_prefix("ws://").unwrap();
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let (ws, _) = async_tungstenite::client_async(url, tcp).await.unwrap();
    ws
}

/// The next text frame's messages; `None` when the connection closed.
async fn next(ws: &mut Ws, within: Duration) -> Option<Vec<Value>> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match async_std::future::timeout(left, ws.next()).await {
            Err(_) => panic!("nothing within {within:?}"),
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                return Some(v.as_array().unwrap().clone());
            }
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return None,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// Send one message and wait for the reply with its Id (events are skipped).
async fn request(ws: &mut Ws, id: u32, name: &str, mut body: Value) -> Value {
    body.as_object_mut().unwrap().insert("Id".into(), json!(id));
    let frame = json!([{ name: body }]).to_string();
    ws.send(Message::Text(frame.into())).await.unwrap();
    for _ in 0..100 {
        let msgs = next(ws, Duration::from_secs(5))
            .await
            .expect("closed while waiting for a reply");
        for m in msgs {
            if m.as_object().unwrap().values().next().unwrap()["Id"] == json!(id) {
                return m;
            }
        }
    }
    panic!("no reply to {id}");
}

fn key(m: &Value) -> &str {
    m.as_object().unwrap().keys().next().unwrap()
}

/// A session: connect and handshake, retrying while the previous one is still being torn down
/// (the slot is freed once the server has seen the old connection end).
async fn session(url: &str) -> Ws {
    for _ in 0..200 {
        let mut ws = dial(url).await;
        let frame = json!([{"RequestServerInfo": {"Id": 1, "ClientName": "fault test", "ProtocolVersionMajor": 4, "ProtocolVersionMinor": 0}}]);
        ws.send(Message::Text(frame.to_string().into()))
            .await
            .unwrap();
        if let Some(msgs) = next(&mut ws, Duration::from_secs(5)).await {
            if msgs.iter().any(|m| key(m) == "ServerInfo") {
                return ws;
            }
            assert!(
                msgs.iter().all(|m| m["Error"]["ErrorCode"] == json!(1)),
                "unexpected {msgs:?}"
            );
        }
        async_std::task::sleep(Duration::from_millis(5)).await;
    }
    panic!("no session after 200 tries");
}

/// Wait for `count` devices (after StartScanning); returns the first index.
async fn wait_devices(ws: &mut Ws, count: usize) -> u32 {
    let r = request(ws, 2, "StartScanning", json!({})).await;
    assert_eq!(key(&r), "Ok", "{r}");
    for i in 0..500 {
        let list = request(ws, 10 + i, "RequestDeviceList", json!({})).await;
        let devices = list["DeviceList"]["Devices"].as_object().unwrap();
        if devices.len() >= count {
            return devices.keys().next().unwrap().parse().unwrap();
        }
        async_std::task::sleep(Duration::from_millis(10)).await;
    }
    panic!("devices did not appear");
}

fn vibrate(device: u32, value: u32) -> Value {
    json!({"DeviceIndex": device, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": value}}})
}

/// After the close, the connection ends (a close frame or EOF) within `within`.
async fn closes_within(ws: &mut Ws, within: Duration) -> Vec<Value> {
    let mut got = Vec::new();
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match next(ws, left.max(Duration::from_millis(1))).await {
            Some(m) => got.extend(m),
            None => return got,
        }
    }
}

#[test]
fn extra_clients_get_a_clear_error_and_memory_stays_bounded() {
    let serve = Serve::start(&["--simulate", "Lovense Hush"]);
    async_std::task::block_on(async {
        let url = serve.client_url.clone();
        let mut holder = session(&url).await;
        let device = wait_devices(&mut holder, 1).await;
        let r = request(&mut holder, 50, "OutputCmd", vibrate(device, 5)).await;
        assert_eq!(key(&r), "Ok", "{r}");
        // 20 at once while the slot is held: each gets a busy Error and is closed.
        let extras = (0..20).map(|_| {
            let url = url.clone();
            async_std::task::spawn(async move {
                let mut ws = dial(&url).await;
                let got = closes_within(&mut ws, Duration::from_secs(5)).await;
                assert_eq!(got.len(), 1, "{got:?}");
                assert_eq!(got[0]["Error"]["ErrorCode"], json!(1), "{got:?}");
                assert_eq!(got[0]["Error"]["Id"], json!(0), "{got:?}");
                let text = got[0]["Error"]["ErrorMessage"].as_str().unwrap();
                assert!(text.contains("another client"), "{text}");
            })
        });
        futures::future::join_all(extras).await;
        // The holder is unaffected.
        let r = request(&mut holder, 51, "Ping", json!({})).await;
        assert_eq!(key(&r), "Ok", "{r}");
        holder.close(None).await.unwrap();
        closes_within(&mut holder, Duration::from_secs(5)).await;

        // 200 sessions in sequence.
        let mut warm = 0;
        for i in 0..200u32 {
            let mut ws = session(&url).await;
            let r = request(&mut ws, 2, "OutputCmd", vibrate(device, i % 20 + 1)).await;
            assert_eq!(key(&r), "Ok", "{r}");
            ws.close(None).await.unwrap();
            closes_within(&mut ws, Duration::from_secs(5)).await;
            if i == 19 {
                warm = serve.rss_kb();
            }
        }
        let after = serve.rss_kb();
        println!("RSS after 20 sessions {warm} kB, after 200 sessions {after} kB");
        assert!(
            after <= warm + 4096,
            "RSS grew from {warm} kB to {after} kB over 180 sessions"
        );
        // The next real session works.
        let mut ws = session(&url).await;
        let list = request(&mut ws, 2, "RequestDeviceList", json!({})).await;
        assert_eq!(list["DeviceList"]["Devices"].as_object().unwrap().len(), 1);
        let r = request(&mut ws, 3, "OutputCmd", vibrate(device, 7)).await;
        assert_eq!(key(&r), "Ok", "{r}");
    });
}

#[test]
fn a_client_that_never_sends_request_server_info_loses_the_slot() {
    let serve = Serve::start(&[]);
    async_std::task::block_on(async {
        let url = serve.client_url.clone();
        let start = Instant::now();
        let mut silent = dial(&url).await;
        // It holds the slot meanwhile.
        async_std::task::sleep(Duration::from_millis(100)).await;
        let mut other = dial(&url).await;
        let got = closes_within(&mut other, Duration::from_secs(5)).await;
        assert_eq!(got[0]["Error"]["ErrorCode"], json!(1), "{got:?}");
        // Dropped after the handshake timeout with an ERROR_INIT.
        let got = closes_within(&mut silent, HANDSHAKE_TIMEOUT + Duration::from_secs(5)).await;
        let took = start.elapsed();
        println!("silent client closed after {took:?}");
        assert!(
            took >= HANDSHAKE_TIMEOUT - Duration::from_millis(100),
            "{took:?}"
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["Error"]["ErrorCode"], json!(1), "{got:?}");
        assert_eq!(got[0]["Error"]["Id"], json!(0), "{got:?}");
        // The slot is free again.
        let mut ws = session(&url).await;
        let r = request(&mut ws, 2, "Ping", json!({})).await;
        assert_eq!(key(&r), "Ok", "{r}");
    });
}

#[test]
fn a_socket_that_never_finishes_the_upgrade_holds_nothing_and_is_dropped() {
    let serve = Serve::start(&[]);
    async_std::task::block_on(async {
        use futures::{AsyncReadExt, AsyncWriteExt};
        let url = serve.client_url.clone();
        let addr = url.strip_prefix("ws://").unwrap();
        let start = Instant::now();
        let mut raw = TcpStream::connect(addr).await.unwrap();
        raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        // A real client gets the slot meanwhile.
        let mut ws = session(&url).await;
        let r = request(&mut ws, 2, "Ping", json!({})).await;
        assert_eq!(key(&r), "Ok", "{r}");
        // The half-upgraded socket is closed by the server (EOF or reset).
        let mut buf = [0u8; 64];
        let read = async_std::future::timeout(Duration::from_secs(15), raw.read(&mut buf)).await;
        let took = start.elapsed();
        println!("socket without upgrade dropped after {took:?}");
        match read {
            Ok(Ok(0)) | Ok(Err(_)) => {}
            other => panic!("socket was not closed: {other:?}"),
        }
        assert!(took < Duration::from_secs(15));
    });
}

/// A WebSocket Lovense device on the server's device port that records what it receives.
struct Device {
    received: async_channel::Receiver<(Instant, Vec<u8>)>,
}

/// Capacity of the test device's record channel.
const DEVICE_RECORD_CAPACITY: usize = 1024;

async fn ws_device(url: &str, address: &str) -> Device {
    let mut ws = dial(url).await;
    ws.send(Message::Text(
        format!(r#"{{"identifier":"lovense","address":"{address}","version":0}}"#).into(),
    ))
    .await
    .unwrap();
    let (tx, rx) = async_channel::bounded(DEVICE_RECORD_CAPACITY);
    async_std::task::spawn(async move {
        while let Some(Ok(m)) = ws.next().await {
            if let Message::Binary(b) = m {
                if &b[..] == b"DeviceType;" {
                    let _ = ws.send(Message::Text("Z:11:0082059AD3BD;".into())).await;
                }
                if tx.send((Instant::now(), b.to_vec())).await.is_err() {
                    break;
                }
            }
        }
    });
    Device { received: rx }
}

impl Device {
    /// Time at which `bytes` arrived, skipping other writes.
    async fn wait_for(&self, bytes: &[u8]) -> Instant {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (at, got) = async_std::future::timeout(left, self.received.recv())
                .await
                .unwrap_or_else(|_| panic!("device never got {bytes:?}"))
                .unwrap();
            if got == bytes {
                return at;
            }
        }
    }
}

#[test]
fn stop_latency_after_close_abrupt_drop_and_missed_ping() {
    let ping = Duration::from_millis(400);
    let serve = Serve::start(&[
        "--use-device-websocket-server",
        "--max-ping-time",
        &ping.as_millis().to_string(),
    ]);
    async_std::task::block_on(async {
        let url = serve.client_url.clone();
        let device = ws_device(serve.device_url.as_ref().unwrap(), "fa:ul:t0").await;
        device.wait_for(b"DeviceType;").await;
        let mut measured = Vec::new();
        for case in ["graceful close", "abrupt drop", "missed ping"] {
            let mut ws = session(&url).await;
            let index = wait_devices(&mut ws, 1).await;
            let r = request(&mut ws, 60, "OutputCmd", vibrate(index, 9)).await;
            assert_eq!(key(&r), "Ok", "{r}");
            device.wait_for(b"Vibrate:9;").await;
            let (event, bound) = match case {
                "graceful close" => {
                    let t = Instant::now();
                    ws.close(None).await.unwrap();
                    (t, Duration::from_millis(50))
                }
                "abrupt drop" => {
                    let t = Instant::now();
                    drop(ws);
                    (t, Duration::from_millis(50))
                }
                _ => {
                    let r = request(&mut ws, 61, "Ping", json!({})).await;
                    assert_eq!(key(&r), "Ok", "{r}");
                    let t = Instant::now();
                    let got = closes_within(&mut ws, ping * 3).await;
                    let noticed = t.elapsed();
                    let e = got.iter().find(|m| key(m) == "Error").expect("ping Error");
                    assert_eq!(e["Error"]["ErrorCode"], json!(2), "{e}");
                    println!("missed ping noticed after {noticed:?} (MaxPingTime {ping:?})");
                    assert!(noticed <= ping.mul_f64(1.1) + MARGIN, "{noticed:?}");
                    (t, ping.mul_f64(1.1) + Duration::from_millis(50))
                }
            };
            let stopped = device.wait_for(b"Vibrate:0;").await - event;
            println!("{case}: stop bytes {stopped:?} after the event (bound {bound:?})");
            measured.push((case, stopped));
            assert!(stopped <= bound + MARGIN, "{case}: stop after {stopped:?}");
        }
        println!("stop latency: {measured:?}");
    });
}

#[test]
fn a_client_that_misses_its_ping_gets_an_error_and_frees_the_slot() {
    let ping = Duration::from_millis(300);
    let serve = Serve::start(&["--max-ping-time", &ping.as_millis().to_string()]);
    async_std::task::block_on(async {
        let url = serve.client_url.clone();
        let mut ws = session(&url).await;
        let handshook = Instant::now();
        let got = closes_within(&mut ws, ping * 5).await;
        let took = handshook.elapsed();
        let e = got.iter().find(|m| key(m) == "Error").expect("ping Error");
        assert_eq!(e["Error"]["ErrorCode"], json!(2), "{e}");
        assert_eq!(e["Error"]["Id"], json!(0), "{e}");
        assert!(took <= ping.mul_f64(1.1) + MARGIN, "{took:?}");
        // The slot is free: the next client gets a session at once.
        let mut next_ws = session(&url).await;
        let r = request(&mut next_ws, 2, "Ping", json!({})).await;
        assert_eq!(key(&r), "Ok", "{r}");
    });
}

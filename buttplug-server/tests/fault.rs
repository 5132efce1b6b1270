//! Fault tests: malformed frames, silent clients, missed pings, devices that vanish, flood or never
//! answer their init, many sessions. Bounded in time and count; sockets on loopback, port 0.
//!
//! Timing bounds are generous (a loaded 2-core machine must pass); the precise figures come from
//! `examples/bench_*`. The stop-latency tests assert the issue's bounds with a margin and print
//! what they measured.

use crate::util::{Client, hush, name, server_with, texts};
use async_tungstenite::tungstenite::Message;
use buttplug_core::Frame;
use buttplug_devices::config::DeviceDatabase;
use buttplug_devices::{Endpoint, HardwareCommand, SimulatedHardware};
use buttplug_server::managers::websocket_devices::WebsocketDeviceServerBuilder;
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

fn run<F: std::future::Future>(f: F) -> F::Output {
    buttplug_server::block_on(f)
}

/// Margin added to the issue's latency bounds in assertions (scheduling on a loaded machine).
const MARGIN: Duration = Duration::from_millis(200);

/// Text that marks the log lines these tests cause.
const MARK: &str = "FAULT-MARK";

/// Largest log line the server may write about a bad frame or a client-provided value.
const MAX_LOG_LINE: usize = 1024;

// ---------------------------------------------------------------------------------------------
// Log capture: a process-wide subscriber that keeps the lines containing MARK.

#[derive(Default)]
struct Captured {
    lines: Vec<String>,
}

static CAPTURED: OnceLock<Option<Arc<Mutex<Captured>>>> = OnceLock::new();

struct Capture(Arc<Mutex<Captured>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push(' ');
        self.0.push_str(field.name());
        self.0.push('=');
        self.0.push_str(value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut f = Fields(format!(
            "{} {}:",
            event.metadata().level(),
            event.metadata().target()
        ));
        event.record(&mut f);
        if f.0.contains(MARK) {
            let mut c = self.0.lock().unwrap();
            if c.lines.len() < 10_000 {
                c.lines.push(f.0);
            }
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// The capture, when this process let us install it.
fn capture() -> Option<Arc<Mutex<Captured>>> {
    CAPTURED
        .get_or_init(|| {
            let c = Arc::new(Mutex::new(Captured::default()));
            tracing::subscriber::set_global_default(Capture(c.clone()))
                .ok()
                .map(|()| c)
        })
        .clone()
}

fn assert_log_lines_bounded(cap: &Option<Arc<Mutex<Captured>>>) {
    let Some(cap) = cap else {
        eprintln!("log capture unavailable (another subscriber is installed); not checked");
        return;
    };
    let c = cap.lock().unwrap();
    for l in &c.lines {
        assert!(
            l.len() <= MAX_LOG_LINE,
            "a log line of {} bytes: {}...",
            l.len(),
            &l[..200]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A connection over serve_frames, so binary frames can be sent too.

struct FrameClient {
    tx: async_channel::Sender<Frame>,
    rx: async_channel::Receiver<String>,
}

/// Capacity of the test's frame channels.
const FRAME_CAPACITY: usize = 16;

impl FrameClient {
    fn new(server: &ButtplugServer) -> Self {
        let (tx, incoming) = async_channel::bounded::<Frame>(FRAME_CAPACITY);
        let (out_tx, rx) = async_channel::bounded::<String>(FRAME_CAPACITY);
        let server = server.clone();
        async_std::task::spawn(async move {
            let outgoing = futures::sink::unfold(out_tx, |tx, frame: Frame| async move {
                if let Frame::Text(t) = frame {
                    tx.send(t).await.map_err(|_| ())?;
                }
                Ok::<_, ()>(tx)
            });
            server
                .serve_frames(Box::pin(incoming), Box::pin(outgoing))
                .await;
        });
        FrameClient { tx, rx }
    }

    async fn send(&self, frame: Frame) {
        self.tx.send(frame).await.unwrap();
    }

    /// The next frame's messages.
    async fn recv(&self) -> Vec<Value> {
        let text = buttplug_devices::with_timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("no reply within 5 s")
            .expect("connection closed");
        assert!(
            text.len() <= 2 * MAX_LOG_LINE,
            "reply of {} bytes",
            text.len()
        );
        let v: Value = serde_json::from_str(&text).expect("server sent JSON");
        v.as_array().expect("array frame").clone()
    }

    /// Skip events until a message with `id` arrives.
    async fn reply(&self, id: u32) -> Value {
        for _ in 0..100 {
            for m in self.recv().await {
                let body = m.as_object().unwrap().values().next().unwrap();
                if body["Id"] == json!(id) {
                    return m;
                }
            }
        }
        panic!("no reply with Id {id}");
    }
}

/// The malformed frames of the issue: (what, frame, Id the Error must carry).
fn malformed_frames() -> Vec<(&'static str, Frame, u32)> {
    let text = |s: String| Frame::Text(s);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_in_message = format!(
        r#"[{{"Ping":{{"Id":13,"X":{}1{}}}}}]"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let big = format!(
        r#"[{{"Ping":{{"Id":14,"Pad":"{}{}"}}}}]"#,
        MARK,
        "x".repeat(2 << 20)
    );
    vec![
        ("empty", text(String::new()), 0),
        ("not JSON", text(format!("hello {MARK}")), 0),
        ("truncated", text(format!(r#"[{{"Ping":{{"Id":1,"{MARK}""#)), 0),
        ("not an array (number)", text("42".into()), 0),
        ("not an array (object)", text(r#"{"Ping":{"Id":5}}"#.into()), 5),
        ("empty array", text("[]".into()), 0),
        (
            "unknown message",
            text(format!(r#"[{{"{MARK}{}":{{"Id":6}}}}]"#, "N".repeat(5000))),
            6,
        ),
        (
            "unknown field",
            text(format!(r#"[{{"Ping":{{"Id":7,"{MARK}{}":1}}}}]"#, "F".repeat(5000))),
            7,
        ),
        (
            "bad field type",
            text(r#"[{"OutputCmd":{"Id":8,"DeviceIndex":"0","FeatureIndex":0,"Command":{"Vibrate":{"Value":1}}}}]"#.into()),
            8,
        ),
        ("Id 0", text(r#"[{"Ping":{"Id":0}}]"#.into()), 0),
        (
            "NaN",
            text(r#"[{"OutputCmd":{"Id":9,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":NaN}}}}]"#.into()),
            0,
        ),
        (
            "number out of range",
            text(r#"[{"OutputCmd":{"Id":10,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":1e400}}}}]"#.into()),
            0,
        ),
        ("10k-deep nesting", text(deep), 0),
        ("10k-deep nesting inside a message", text(deep_in_message), 0),
        ("a 2 MB frame", text(big), 0),
        (
            "binary frame",
            Frame::Binary(br#"[{"Ping":{"Id":15}}]"#.to_vec()),
            0,
        ),
        ("invalid UTF-8 as binary", Frame::Binary(vec![0xff, 0xfe, b'[']), 0),
    ]
}

#[test]
fn every_malformed_frame_gets_an_error_before_and_after_the_handshake() {
    let cap = capture();
    run(async {
        // No handshake deadline: the frames before the handshake may take a while in a debug
        // build on a loaded machine.
        let server = server_with_timeouts(vec![], Duration::ZERO, Duration::ZERO);
        let c = FrameClient::new(&server);
        for phase in ["before the handshake", "after the handshake"] {
            for (what, frame, id) in malformed_frames() {
                println!("{phase}: {what}");
                c.send(frame).await;
                let reply = c.recv().await;
                assert_eq!(reply.len(), 1, "{phase}, {what}: {reply:?}");
                let e = &reply[0]["Error"];
                assert!(e.is_object(), "{phase}, {what}: {reply:?}");
                assert_eq!(e["Id"], json!(id), "{phase}, {what}: {e}");
                assert_eq!(e["ErrorCode"], json!(3), "{phase}, {what}: {e}");
                assert!(
                    e["ErrorMessage"].as_str().unwrap().len() <= MAX_LOG_LINE,
                    "{phase}, {what}: error text not bounded"
                );
            }
            if phase == "before the handshake" {
                // Still usable: the handshake works after every bad frame.
                c.send(Frame::Text(
                    format!(r#"[{{"RequestServerInfo":{{"Id":1,"ClientName":"{MARK}","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}}}]"#),
                ))
                .await;
                assert_eq!(name(&c.reply(1).await), "ServerInfo");
            }
        }
        c.send(Frame::Text(r#"[{"Ping":{"Id":2}}]"#.into())).await;
        assert_eq!(name(&c.reply(2).await), "Ok");
        // A frame mixing good and bad messages: each gets its own reply, in one or more frames.
        c.send(Frame::Text(
            r#"[{"Ping":{"Id":3}},{"Nope":{"Id":4}},{"Ping":{"Id":0}},{"Ping":{"Id":5}}]"#.into(),
        ))
        .await;
        let mut got = Vec::new();
        while got.len() < 4 {
            got.extend(c.recv().await);
        }
        let names: Vec<(String, Value)> = got
            .iter()
            .map(|m| {
                let (k, v) = m.as_object().unwrap().iter().next().unwrap();
                (k.clone(), v["Id"].clone())
            })
            .collect();
        for expected in [
            ("Ok", json!(3)),
            ("Error", json!(4)),
            ("Error", json!(0)),
            ("Ok", json!(5)),
        ] {
            assert!(
                names.contains(&(expected.0.to_string(), expected.1.clone())),
                "{expected:?} missing in {names:?}"
            );
        }
    });
    assert_log_lines_bounded(&cap);
}

#[test]
fn a_huge_client_name_is_not_logged_in_full() {
    let cap = capture();
    run(async {
        let server = server_with(vec![], None, Duration::ZERO);
        let mut c = Client::new(&server);
        let client_name = format!("{MARK}{}", "n".repeat(500_000));
        let r = c
            .request(json!({"RequestServerInfo": {"ClientName": client_name, "ProtocolVersionMajor": 4, "ProtocolVersionMinor": 0}}))
            .await;
        assert_eq!(name(&r), "ServerInfo", "{r}");
        assert_eq!(name(&c.request(json!({"Ping": {}})).await), "Ok");
    });
    assert_log_lines_bounded(&cap);
}

#[test]
fn a_flood_of_bad_frames_leaves_the_session_usable() {
    run(async {
        let server = server_with(vec![], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        for i in 0..2_000 {
            c.send_raw(&format!("not json {i}")).await;
            let r = c.recv().await;
            assert_eq!(r["Error"]["ErrorCode"], json!(3));
        }
        assert_eq!(name(&c.request(json!({"Ping": {}})).await), "Ok");
    });
}

// ---------------------------------------------------------------------------------------------
// Silent clients and missed pings.

fn server_with_timeouts(
    devices: Vec<SimulatedHardware>,
    handshake: Duration,
    ping: Duration,
) -> ButtplugServer {
    let mut sim = buttplug_server::managers::simulated::SimulatedCommunicationManagerBuilder::new();
    for d in devices {
        sim = sim.device(buttplug_server::managers::simulated::SimulatedDevice::ble(
            d,
        ));
    }
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(sim)
        .message_gap_override(Some(Duration::ZERO))
        .finish()
        .unwrap();
    ButtplugServerBuilder::new()
        .handshake_timeout(handshake)
        .max_ping_time(ping)
        .device_manager(dm)
        .finish()
}

/// Wait for the connection to close, collecting what arrives meanwhile.
async fn until_closed(rx: &async_channel::Receiver<String>, within: Duration) -> Vec<Value> {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match buttplug_devices::with_timeout(left, rx.recv()).await {
            Ok(Ok(frame)) => {
                let v: Value = serde_json::from_str(&frame).unwrap();
                got.extend(v.as_array().unwrap().iter().cloned());
            }
            Ok(Err(_)) => return got,
            Err(_) => panic!("connection still open after {within:?}; got {got:?}"),
        }
    }
}

#[test]
fn a_client_that_never_sends_request_server_info_is_closed() {
    run(async {
        let timeout = Duration::from_millis(300);
        let server = server_with_timeouts(vec![], timeout, Duration::ZERO);
        // Silent.
        let (_tx, rx) = server.json_connection();
        let start = Instant::now();
        let got = until_closed(&rx, Duration::from_secs(5)).await;
        let elapsed = start.elapsed();
        assert!(
            elapsed >= timeout - Duration::from_millis(20),
            "{elapsed:?}"
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["Error"]["ErrorCode"], json!(1), "{got:?}");
        assert_eq!(got[0]["Error"]["Id"], json!(0), "{got:?}");
        // Talking without a handshake does not extend the deadline.
        let mut c = Client::new(&server);
        let r = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(r["Error"]["ErrorCode"], json!(1));
        let got = until_closed(&c.rx, Duration::from_secs(5)).await;
        assert_eq!(got.last().unwrap()["Error"]["ErrorCode"], json!(1));
        // A handshake in time keeps the session past the deadline.
        let mut c = Client::new(&server);
        c.handshake(4).await;
        buttplug_devices::sleep(timeout * 2).await;
        assert_eq!(name(&c.request(json!({"Ping": {}})).await), "Ok");
    });
}

fn vibrate(value: i32) -> Value {
    json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": value}}}})
}

/// Time of the first recorded write equal to `bytes` at or after `after`.
async fn stop_written_at(hw: &SimulatedHardware, bytes: &[u8], after: Instant) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(r) = hw.recorded().into_iter().find(|r| {
            r.at >= after && r.command == HardwareCommand::write(Endpoint::Tx, bytes.to_vec())
        }) {
            return r.at;
        }
        assert!(Instant::now() < deadline, "no {bytes:?} written");
        buttplug_devices::sleep(Duration::from_millis(1)).await;
    }
}

#[test]
fn stop_latency_after_disconnect_and_missed_ping() {
    run(async {
        // Disconnect: the client's end of the connection goes away.
        let hw = hush("fa:01");
        let server = server_with_timeouts(vec![hw.clone()], Duration::ZERO, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        assert_eq!(name(&c.request(vibrate(7)).await), "Ok");
        let closed_at = Instant::now();
        drop(c);
        let stopped = stop_written_at(&hw, b"Vibrate:0;", closed_at).await - closed_at;
        println!("stop after disconnect: {stopped:?}");
        assert!(
            stopped <= Duration::from_millis(50) + MARGIN,
            "stop {stopped:?} after disconnect"
        );

        // Missed ping: noticed within 1.1 x MaxPingTime, stop written at once.
        let ping = Duration::from_millis(300);
        let hw = hush("fa:02");
        let server = server_with_timeouts(vec![hw.clone()], Duration::ZERO, ping);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        assert_eq!(name(&c.request(vibrate(7)).await), "Ok");
        assert_eq!(name(&c.request(json!({"Ping": {}})).await), "Ok");
        let last_ping = Instant::now();
        let got = until_closed(&c.rx, Duration::from_secs(5)).await;
        let noticed = last_ping.elapsed();
        let e = got.iter().find(|m| name(m) == "Error").expect("ping Error");
        assert_eq!(e["Error"]["ErrorCode"], json!(2), "{e}");
        assert_eq!(e["Error"]["Id"], json!(0), "{e}");
        let stopped = stop_written_at(&hw, b"Vibrate:0;", last_ping).await - last_ping;
        println!(
            "missed ping (MaxPingTime {ping:?}): Error after {noticed:?}, stop after {stopped:?}"
        );
        assert!(
            stopped <= ping.mul_f64(1.1) + Duration::from_millis(50) + MARGIN,
            "stop {stopped:?} after the last ping"
        );
        assert!(
            stopped >= ping - Duration::from_millis(5),
            "stopped early: {stopped:?}"
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Many sessions.

#[test]
fn sessions_in_sequence_and_at_once_leave_the_server_working() {
    run(async {
        let hw = hush("fa:10");
        let server = server_with(vec![hw.clone()], None, Duration::ZERO);
        let mut first = Client::new(&server);
        first.handshake(4).await;
        first.wait_for_devices(1).await;
        drop(first);
        for i in 0..200 {
            let mut c = Client::new(&server);
            c.handshake(if i % 2 == 0 { 4 } else { 3 }).await;
            if i % 2 == 0 {
                assert_eq!(name(&c.request(vibrate(i % 20 + 1)).await), "Ok");
            }
            drop(c);
        }
        // 20 at once.
        let mut clients = Vec::new();
        for _ in 0..20 {
            let mut c = Client::new(&server);
            c.handshake(4).await;
            clients.push(c);
        }
        for (i, c) in clients.iter_mut().enumerate() {
            let r = c.request(vibrate(i as i32 % 20 + 1)).await;
            assert_eq!(name(&r), "Ok", "{r}");
        }
        drop(clients);
        // The device was stopped, and the next session works.
        buttplug_devices::sleep(Duration::from_millis(50)).await;
        assert_eq!(texts(&hw).last().map(String::as_str), Some("Vibrate:0;"));
        let mut c = Client::new(&server);
        c.handshake(4).await;
        let list = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(list["DeviceList"]["Devices"].as_object().unwrap().len(), 1);
        assert_eq!(name(&c.request(vibrate(3)).await), "Ok");
        assert_eq!(texts(&hw), vec!["Vibrate:3;"]);
    });
}

// ---------------------------------------------------------------------------------------------
// Devices that flood, never answer, or vanish.

#[test]
fn a_notification_flood_does_not_break_battery_reads() {
    run(async {
        let hw = hush("fa:20");
        let server = server_with(vec![hw.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        // Subscribed inputs see the flood too.
        let r = c
            .request(json!({"InputCmd": {"DeviceIndex": 0, "FeatureIndex": 1, "Type": "Battery", "Command": "Subscribe"}}))
            .await;
        assert!(
            name(&r) == "Ok" || r["Error"]["ErrorCode"] == json!(4),
            "{r}"
        );
        let flooder = hw.clone();
        let flood = async_std::task::spawn(async move {
            for i in 0..20_000u32 {
                let data: Vec<u8> = match i % 4 {
                    0 => b"OK;".to_vec(),
                    1 => b"garbage".to_vec(),
                    2 => vec![0xff, 0x00, (i % 251) as u8],
                    _ => format!("{};", i % 100).into_bytes(),
                };
                flooder.notify(Endpoint::Rx, data);
                if i % 64 == 0 {
                    async_std::task::yield_now().await;
                }
            }
        });
        let mut reads = 0;
        while reads < 20 {
            let r = c
                .request(json!({"InputCmd": {"DeviceIndex": 0, "FeatureIndex": 1, "Type": "Battery", "Command": "Read"}}))
                .await;
            assert_eq!(name(&r), "InputReading", "{r}");
            reads += 1;
            assert_eq!(name(&c.request(vibrate(reads % 20 + 1)).await), "Ok");
        }
        flood.await;
        // After the flood: exact battery value, commands, pings.
        let r = c
            .request(json!({"InputCmd": {"DeviceIndex": 0, "FeatureIndex": 1, "Type": "Battery", "Command": "Read"}}))
            .await;
        assert_eq!(
            r["InputReading"]["Reading"]["Battery"]["Value"],
            json!(85),
            "{r}"
        );
        assert_eq!(name(&c.request(json!({"Ping": {}})).await), "Ok");
        texts(&hw);
        assert_eq!(name(&c.request(vibrate(4)).await), "Ok");
        assert_eq!(texts(&hw), vec!["Vibrate:4;"]);
    });
}

#[test]
fn a_device_whose_init_never_answers_does_not_hold_up_others() {
    run(async {
        // A Lovense that never answers DeviceType (Lovense asks 6 times, 500 ms each, then
        // identifies by its BLE name) next to one that answers.
        let silent = SimulatedHardware::builder("LVS-Z36D", "fa:30").build();
        let good = hush("fa:31");
        let server = server_with(vec![silent.clone(), good.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        let start = Instant::now();
        c.wait_for_devices(1).await;
        let first = start.elapsed();
        let list = c.request(json!({"RequestDeviceList": {}})).await;
        let devices = list["DeviceList"]["Devices"].as_object().unwrap().clone();
        assert_eq!(devices.len(), 1, "{list}");
        let (index, _) = devices.iter().next().unwrap();
        let index: u32 = index.parse().unwrap();
        assert!(first < Duration::from_secs(2), "good device took {first:?}");
        texts(&good);
        let r = c
            .request(json!({"OutputCmd": {"DeviceIndex": index, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 5}}}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(texts(&good), vec!["Vibrate:5;"]);
        // The silent one is added with the identity its name gives, after its retries.
        let mut list = Value::Null;
        while start.elapsed() < Duration::from_secs(15) {
            list = c.request(json!({"RequestDeviceList": {}})).await;
            if list["DeviceList"]["Devices"].as_object().unwrap().len() == 2 {
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(10)).await;
        }
        let added = start.elapsed();
        println!("answering device after {first:?}, silent device after {added:?}");
        assert!(added >= Duration::from_millis(2500), "{added:?}");
        assert!(added < Duration::from_secs(10), "{added:?}");
        assert_eq!(list["DeviceList"]["Devices"].as_object().unwrap().len(), 2);
        let asked = texts(&silent)
            .iter()
            .filter(|t| t.as_str() == "DeviceType;")
            .count();
        assert_eq!(asked, 6, "DeviceType asked once plus 5 retries");
    });
}

type Ws = async_tungstenite::WebSocketStream<async_std::net::TcpStream>;

async fn ws_device_server(ping: Duration) -> (ButtplugServer, SocketAddr) {
    let wsdm = WebsocketDeviceServerBuilder::new()
        .listen_address(SocketAddr::from(([127, 0, 0, 1], 0)))
        .ping_interval(ping);
    let bound = wsdm.bound_address();
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(wsdm)
        .message_gap_override(Some(Duration::ZERO))
        .finish()
        .unwrap();
    let addr = bound.await.unwrap();
    (
        ButtplugServerBuilder::new().device_manager(dm).finish(),
        addr,
    )
}

/// A WebSocket Lovense device that answers DeviceType and is then added.
async fn ws_lovense(addr: SocketAddr, address: &str) -> Ws {
    let tcp = async_std::net::TcpStream::connect(addr).await.unwrap();
    let (mut ws, _) = async_tungstenite::client_async(format!("ws://{addr}"), tcp)
        .await
        .unwrap();
    ws.send(Message::Text(
        format!(r#"{{"identifier":"lovense","address":"{address}","version":0}}"#).into(),
    ))
    .await
    .unwrap();
    match ws.next().await {
        Some(Ok(Message::Binary(b))) => assert_eq!(&b[..], b"DeviceType;"),
        other => panic!("expected DeviceType;, got {other:?}"),
    }
    ws.send(Message::Text("Z:11:0082059AD3BD;".into()))
        .await
        .unwrap();
    ws
}

#[test]
fn a_websocket_device_that_drops_without_close_is_removed_and_commands_fail() {
    run(async {
        let ping = Duration::from_millis(500);
        let (server, addr) = ws_device_server(ping).await;
        let ws = ws_lovense(addr, "fa:40").await;
        let mut c = Client::new(&server);
        c.handshake(3).await;
        c.wait_for_devices(1).await;
        let scalar = |v: f64| json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [{"Index": 0, "Scalar": v, "ActuatorType": "Vibrate"}]}});
        assert_eq!(name(&c.request(scalar(0.5)).await), "Ok");
        // Drop the TCP connection without a WebSocket close frame.
        let dropped = Instant::now();
        drop(ws);
        let mut removed = None;
        for i in 0..400 {
            let r = c
                .request(scalar(if i % 2 == 0 { 0.25 } else { 0.75 }))
                .await;
            if removed.is_some() {
                assert_eq!(r["Error"]["ErrorCode"], json!(4), "after removal: {r}");
            }
            if removed.is_none() && c.backlog.iter().any(|m| name(m) == "DeviceRemoved") {
                removed = Some(dropped.elapsed());
            }
            if removed.is_some() && i > 20 {
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        let removed = removed.expect("device was not removed");
        println!("device removed {removed:?} after its TCP connection dropped");
        assert!(removed <= ping + MARGIN, "{removed:?}");
        // Every later command to that index gets ERROR_DEVICE.
        for _ in 0..20 {
            let r = c.request(scalar(0.5)).await;
            assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
        }
        assert_eq!(name(&c.request(json!({"Ping": {}})).await), "Ok");
    });
}

#[test]
fn a_websocket_device_that_goes_silent_is_removed_within_the_liveness_interval() {
    run(async {
        let ping = Duration::from_millis(200);
        let (server, addr) = ws_device_server(ping).await;
        // Added, then never read again: the connection stays open but pings go unanswered
        // (as for a peer that vanished without closing).
        let ws = ws_lovense(addr, "fa:50").await;
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        let silent_from = Instant::now();
        let mut removed = None;
        for _ in 0..400 {
            let list = c.request(json!({"RequestDeviceList": {}})).await;
            if list["DeviceList"]["Devices"]
                .as_object()
                .unwrap()
                .is_empty()
            {
                removed = Some(silent_from.elapsed());
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        let removed = removed.expect("device was not removed");
        println!("silent device removed after {removed:?} (ping interval {ping:?})");
        // Unanswered ping noticed at the next ping: at most two intervals.
        assert!(removed <= ping * 2 + MARGIN, "{removed:?}");
        let r = c.request(vibrate(3)).await;
        assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
        drop(ws);
    });
}

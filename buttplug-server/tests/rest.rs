//! The REST API and the mDNS advertisement over real loopback sockets (blocking std clients;
//! the server runs on the runtime's threads).

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
mod util;

use buttplug_devices::SimulatedHardware;
use buttplug_server::rest::{self, RestLimits, RestOptions, RestServer};
use buttplug_server::{ButtplugServer, DeviceManager};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A status line, the headers (lowercase names) and the body.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

/// Send one request on a fresh connection with `Connection: close` and read the whole reply.
fn request(addr: SocketAddr, method: &str, path: &str) -> Reply {
    request_with(addr, method, path, "")
}

fn request_with(addr: SocketAddr, method: &str, path: &str, extra: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn hush() -> SimulatedHardware {
    util::hush("AA:BB:CC:DD:EE:01")
}

struct Setup {
    server: ButtplugServer,
    rest: Option<RestServer>,
    addr: SocketAddr,
}

impl Setup {
    fn new(devices: Vec<SimulatedHardware>, options: RestOptions, ping: Duration) -> Self {
        Setup::serving(util::server_with(devices, None, ping), options)
    }

    /// The REST API over a server the test built.
    fn serving(server: ButtplugServer, options: RestOptions) -> Self {
        let dm = server.device_manager().clone();
        let rest = buttplug_server::block_on(rest::serve(dm, options)).unwrap();
        let addr = rest.local_addr();
        Setup {
            server,
            rest: Some(rest),
            addr,
        }
    }

    fn dm(&self) -> &DeviceManager {
        self.server.device_manager()
    }

    fn rest(&self) -> &RestServer {
        self.rest.as_ref().unwrap()
    }

    /// Start scanning over REST and wait for `n` devices.
    fn scan(&self, n: usize) {
        assert_eq!(
            request(self.addr, "GET", "/api/v1/start-scanning").status,
            200
        );
        wait_until(|| self.dm().devices().len() >= n);
    }

    fn stop(mut self) {
        if let Some(rest) = self.rest.take() {
            buttplug_server::block_on(rest.stop());
        }
    }
}

fn wait_until(mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !ok() {
        assert!(Instant::now() < deadline, "condition not met in 5 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn writes(hw: &SimulatedHardware) -> Vec<String> {
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

fn no_ping() -> Duration {
    Duration::ZERO
}

#[test]
fn binds_loopback_unless_told_otherwise() {
    assert!(RestOptions::default().bind_address().ip().is_loopback());
    let mut all = RestOptions::port(0);
    all.all_interfaces = true;
    assert!(all.bind_address().ip().is_unspecified());
    let s = Setup::new(vec![], RestOptions::default(), no_ping());
    assert!(s.addr.ip().is_loopback());
    assert_ne!(s.addr.port(), 0, "the real port is reported");
    // A port in use is a bind error the caller can recognise.
    let taken = buttplug_server::block_on(rest::serve(
        s.dm().clone(),
        RestOptions::port(s.addr.port()),
    ));
    match taken {
        Err(rest::RestError::Bind { source, .. }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse);
        }
        other => panic!("expected a bind error, got {other:?}"),
    }
    s.stop();
}

/// One request written as is (its own `Host` line or none), on a fresh connection.
fn raw_request(addr: SocketAddr, head: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

#[test]
fn a_loopback_server_refuses_requests_for_other_host_names() {
    let mut options = RestOptions::default();
    options.panel = true;
    let s = Setup::new(vec![], options, no_ping());
    let port = s.addr.port();
    for path in ["/api/v1/devices", "/", "/api/v1/devices/stop"] {
        let method = if path.ends_with("stop") { "PUT" } else { "GET" };
        let refused = raw_request(
            s.addr,
            &format!(
                "{method} {path} HTTP/1.1\r\nHost: rebound.example:{port}\r\nConnection: close\r\n\r\n"
            ),
        );
        assert_eq!(refused.status, 403, "{path}");
        assert!(
            refused.body.starts_with("Forbidden: "),
            "{:?}",
            refused.body
        );
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "[::1]".into(),
    ] {
        let served = raw_request(
            s.addr,
            &format!("GET /api/v1/devices HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(served.status, 200, "{host}");
    }
    // HTTP/1.0 without a Host line.
    let served = raw_request(s.addr, "GET /api/v1/devices HTTP/1.0\r\n\r\n");
    assert_eq!(served.status, 200);
    s.stop();

    // On every interface the machine is reached by whatever name it has.
    let mut all = RestOptions::default();
    all.all_interfaces = true;
    let s = Setup::new(vec![], all, no_ping());
    let local = SocketAddr::from(([127, 0, 0, 1], s.addr.port()));
    let served = raw_request(
        local,
        "GET /api/v1/devices HTTP/1.1\r\nHost: my-pc.lan\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(served.status, 200);
    s.stop();
}

#[test]
fn device_routes_answer_the_engine_json() {
    let s = Setup::new(vec![hush()], RestOptions::default(), no_ping());
    let empty = request(s.addr, "GET", "/api/v1/devices");
    assert_eq!((empty.status, empty.body.as_str()), (200, "{}"));
    assert_eq!(empty.header("content-type"), Some("application/json"));
    s.scan(1);

    let all = request(s.addr, "GET", "/api/v1/devices").json();
    let hush = json!({
        "index": 0,
        "name": "Lovense Hush",
        "display_name": null,
        "features": {
            "0": {"FeatureIndex": 0, "FeatureDescription": "", "Output": {"Vibrate": {"Value": [0, 20]}}},
            "1": {"FeatureIndex": 1, "FeatureDescription": "battery Level",
                  "Input": {"Battery": {"Value": [[0, 100]], "Command": ["Read"]}}}
        }
    });
    assert_eq!(all, json!({ "0": hush.clone() }));
    // Keys in the engine's order, not alphabetical.
    let text = request(s.addr, "GET", "/api/v1/devices/0").body;
    assert!(text.starts_with(r#"{"index":0,"name":"Lovense Hush","display_name":null,"features":{"0":{"FeatureIndex":0,"#), "{text}");
    assert_eq!(request(s.addr, "GET", "/api/v1/devices/0").json(), hush);
    assert_eq!(
        request(s.addr, "GET", "/api/v1/devices/0/features").json(),
        hush["features"]
    );
    let feature = request(s.addr, "PUT", "/api/v1/devices/0/features/1/");
    assert_eq!(feature.json(), hush["features"]["1"]);
    // The engine's quirks: the feature route is PUT with a trailing slash only.
    let get = request(s.addr, "GET", "/api/v1/devices/0/features/1/");
    assert_eq!((get.status, get.header("allow")), (405, Some("PUT")));
    assert_eq!(
        request(s.addr, "PUT", "/api/v1/devices/0/features/1").status,
        404
    );
    // HEAD on a GET route: headers only.
    let head = request(s.addr, "HEAD", "/api/v1/devices");
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    s.stop();
}

#[test]
fn outputs_and_stops_reach_the_device() {
    let hw = hush();
    let s = Setup::new(vec![hw.clone()], RestOptions::default(), no_ping());
    s.scan(1);
    writes(&hw);
    let r = request(s.addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/0.5");
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    assert_eq!(writes(&hw), ["Vibrate:10;"]);
    // ceil: 0.01 of 20 steps is 1 step.
    let r = request(
        s.addr,
        "PUT",
        "/api/v1/devices/0/features/0/outputs/Vibrate/0.01",
    );
    assert_eq!(r.status, 200);
    assert_eq!(writes(&hw), ["Vibrate:1;"]);
    assert_eq!(request(s.addr, "PUT", "/api/v1/devices/0/stop").status, 200);
    assert_eq!(writes(&hw), ["Vibrate:0;"]);
    request(s.addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/1");
    assert_eq!(writes(&hw), ["Vibrate:20;"]);
    assert_eq!(request(s.addr, "PUT", "/api/v1/devices/stop").status, 200);
    assert_eq!(writes(&hw), ["Vibrate:0;"]);
    // A device-level output the device lacks: 200 and nothing written (as the engine).
    assert_eq!(
        request(s.addr, "PUT", "/api/v1/devices/0/outputs/Rotate/0.5").status,
        200
    );
    assert!(writes(&hw).is_empty());
    assert_eq!(request(s.addr, "GET", "/api/v1/stop-scanning").status, 200);
    s.stop();
}

#[test]
fn errors_have_the_engine_texts_and_404_for_unknown_things() {
    let s = Setup::new(vec![hush()], RestOptions::default(), no_ping());
    s.scan(1);
    let check = |method: &str, path: &str, status: u16, body: &str| {
        let r = request(s.addr, method, path);
        assert_eq!(
            (r.status, r.body.as_str()),
            (status, body),
            "{method} {path}"
        );
        if !body.is_empty() {
            assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
        }
    };
    let no_device = "Device index 5 does not refer to a currently connected device.";
    check("GET", "/api/v1/devices/5", 404, no_device);
    check("PUT", "/api/v1/devices/5/stop", 404, no_device);
    check(
        "PUT",
        "/api/v1/devices/5/outputs/Vibrate/0.5",
        404,
        no_device,
    );
    check("GET", "/api/v1/devices/5/battery", 404, no_device);
    let no_feature = "Device index 0 feature index 7 does not refer to a valid device feature.";
    check("PUT", "/api/v1/devices/0/features/7/", 404, no_feature);
    check(
        "PUT",
        "/api/v1/devices/0/features/7/outputs/Vibrate/0.5",
        404,
        no_feature,
    );
    check(
        "GET",
        "/api/v1/devices/0/features/7/inputs/Battery",
        404,
        no_feature,
    );
    check(
        "PUT",
        "/api/v1/devices/0/features/0/outputs/Vibrate/2",
        500,
        "Library Error: Error converting output command: Float values must be between 0.0 and 1.0, received value was 2",
    );
    check(
        "PUT",
        "/api/v1/devices/0/features/0/outputs/Rotate/0.5",
        500,
        "Library Error: Error converting output command: Device feature does not support output type Rotate",
    );
    check(
        "PUT",
        "/api/v1/devices/0/features/0/outputs/HwPositionWithDuration/0.5",
        500,
        "Library Error: Error converting output command: Cannot use HwPositionWithDuration with this method",
    );
    // A negative level on an unsigned range: refused by the range check.
    let r = request(s.addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/-0.5");
    assert_eq!(r.status, 500);
    assert!(r.body.starts_with("Library Error: "), "{}", r.body);
    check(
        "GET",
        "/api/v1/devices/-1",
        400,
        "Invalid URL: Cannot parse `-1` to a `u32`",
    );
    check(
        "PUT",
        "/api/v1/devices/0/outputs/vibrate/0.5",
        400,
        "Invalid URL: unknown variant `vibrate`, expected one of `Vibrate`, `Rotate`, `Oscillate`, `Constrict`, `Temperature`, `Led`, `Position`, `HwPositionWithDuration`, `Spray`",
    );
    check(
        "PUT",
        "/api/v1/devices/0/outputs/Vibrate/lots",
        400,
        "Invalid URL: Cannot parse `lots` to a `f64`",
    );
    check("GET", "/api/v1/nothing", 404, "");
    check("GET", "/api/v1/devices/", 404, "");
    check("GET", "/", 404, "");
    let wrong = request(s.addr, "PUT", "/api/v1/devices");
    assert_eq!(
        (wrong.status, wrong.header("allow")),
        (405, Some("GET,HEAD"))
    );
    let wrong = request(s.addr, "GET", "/api/v1/devices/stop");
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("PUT")));
    s.stop();
}

#[test]
fn inputs_are_readable() {
    let s = Setup::new(vec![hush()], RestOptions::default(), no_ping());
    s.scan(1);
    let reading = json!({"index": 0, "feature_index": 1, "input_type": "Battery", "value": 85});
    assert_eq!(
        request(s.addr, "GET", "/api/v1/devices/0/battery").json(),
        reading
    );
    assert_eq!(
        request(s.addr, "GET", "/api/v1/devices/0/features/1/inputs/Battery").json(),
        reading
    );
    let r = request(s.addr, "GET", "/api/v1/devices/0/features/0/inputs/Battery");
    assert_eq!(r.status, 404, "{}", r.body);
    let r = request(s.addr, "GET", "/api/v1/devices/0/features/1/inputs/battery");
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("expected one of `Battery`, `Rssi`"),
        "{}",
        r.body
    );
    // The Hush's battery is read-only: subscribing is refused by the device's description.
    let r = request(
        s.addr,
        "PUT",
        "/api/v1/devices/0/features/1/inputs/Battery/subscribe",
    );
    assert_eq!(r.status, 500, "{}", r.body);
    s.stop();
}

#[test]
fn rest_keeps_working_when_sessions_are_pinged_out() {
    let hw = hush();
    let s = Setup::new(
        vec![hw.clone()],
        RestOptions::default(),
        Duration::from_millis(50),
    );
    // A client that handshakes and never pings is cut off after 50 ms...
    let mut client = util::Client::new(&s.server);
    buttplug_server::block_on(client.handshake(4));
    s.scan(1);
    std::thread::sleep(Duration::from_millis(300));
    // ...while REST, which holds no session, goes on.
    writes(&hw);
    assert_eq!(
        request(s.addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/0.5").status,
        200
    );
    assert_eq!(writes(&hw), ["Vibrate:10;"]);
    s.stop();
}

/// An SSE reader on a raw socket.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(addr: SocketAddr, last_id: Option<u64>) -> (Self, Reply) {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let extra = last_id.map_or(String::new(), |id| format!("Last-Event-ID: {id}\r\n"));
        write!(
            &s,
            "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(s);
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.extend_from_slice(line.as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        (Events { reader }, parse(&head))
    }

    /// The next event: (id, JSON). Chunk-size lines and comments are skipped.
    fn next(&mut self) -> Option<(Option<u64>, Value)> {
        let mut id = None;
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if let Some(v) = line.strip_prefix("id: ") {
                id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("data: ") {
                return Some((id, serde_json::from_str(v.trim()).unwrap()));
            }
        }
    }

    fn next_of(&mut self, kind: &str) -> (Option<u64>, Value) {
        loop {
            let (id, v) = self
                .next()
                .unwrap_or_else(|| panic!("stream ended before {kind}"));
            if v["type"] == kind {
                return (id, v);
            }
        }
    }
}

#[test]
fn events_are_json_with_ids_and_resume() {
    let hw = hush();
    let mut options = RestOptions::default();
    options.event_history = 4;
    let s = Setup::new(vec![hw.clone()], options, no_ping());
    let (mut events, head) = Events::open(s.addr, None);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    assert_eq!(head.header("cache-control"), Some("no-cache"));
    s.scan(1);
    let (first, started) = events.next().unwrap();
    assert_eq!(started, json!({"type": "ScanningStarted"}));
    let (added_id, added) = events.next_of("DeviceAdded");
    assert_eq!(added["index"], 0);
    assert_eq!(added["name"], "Lovense Hush");
    assert_eq!(
        added["features"]["0"]["Output"]["Vibrate"]["Value"],
        json!([0, 20])
    );
    request(s.addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/0.5");
    let (out_id, out) = events.next_of("OutputChanged");
    assert_eq!(
        out,
        json!({"type": "OutputChanged", "index": 0, "feature_index": 0, "output_type": "Vibrate", "value": 10})
    );
    let (first, added_id, out_id) = (first.unwrap(), added_id.unwrap(), out_id.unwrap());
    assert!(first < added_id && added_id < out_id);

    // Resuming after the first event replays the rest, ids and all.
    let (mut resumed, _) = Events::open(s.addr, Some(first));
    assert_eq!(resumed.next().unwrap().0, Some(added_id));
    assert_eq!(resumed.next_of("OutputChanged").0, Some(out_id));
    drop(resumed);

    // Push the first events out of the 4-event history: resuming from them says so.
    for level in ["0.1", "0.2", "0.3", "0.4"] {
        request(
            s.addr,
            "PUT",
            &format!("/api/v1/devices/0/outputs/Vibrate/{level}"),
        );
        events.next_of("OutputChanged");
    }
    let (mut gap, _) = Events::open(s.addr, Some(first));
    let (id, missed) = gap.next().unwrap();
    assert_eq!(id, None);
    assert_eq!(missed["type"], "EventsMissed");
    assert_eq!(missed["last_event_id"], first);
    let oldest = missed["first_available_id"].as_u64().unwrap();
    assert_eq!(gap.next().unwrap().0, Some(oldest));
    drop(gap);

    // A device going away.
    hw.simulate_disconnect();
    assert_eq!(
        events.next_of("DeviceRemoved").1,
        json!({"type": "DeviceRemoved", "index": 0})
    );

    // Stopping the server ends the stream.
    s.stop();
    assert!(events.next().is_none());
}

#[test]
fn keepalive_comments_flow_when_idle() {
    let mut options = RestOptions::default();
    options.keepalive = Duration::from_millis(100);
    let s = Setup::new(vec![], options, no_ping());
    let (events, _) = Events::open(s.addr, None);
    let mut reader = events.reader;
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !seen.contains(":\n\n") {
        assert!(Instant::now() < deadline, "no keep-alive: {seen:?}");
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        seen.push_str(&line);
    }
    s.stop();
}

fn limited() -> RestOptions {
    let mut limits = RestLimits::default();
    limits.max_connections = 8;
    limits.header_timeout = Duration::from_millis(300);
    limits.max_body_bytes = 1024;
    let mut options = RestOptions::default();
    options.limits = limits;
    options
}

/// Whether the server closed `s` (EOF or reset) within `within`.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
}

#[test]
fn oversized_requests_are_refused() {
    let s = Setup::new(vec![], limited(), no_ping());
    // Over the path limit but within the head buffer: 414.
    let long = format!("/api/v1/{}", "a".repeat(2000));
    assert_eq!(request(s.addr, "GET", &long).status, 414);
    // Over the head buffer: hyper refuses before any handler runs.
    let huge = format!("/api/v1/{}", "a".repeat(200_000));
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = write!(c, "GET {huge} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let status = parse(&raw).status;
    assert!(status == 414 || status == 431, "status {status}");
    // Too many headers: 431.
    let many: String = (0..64).map(|i| format!("X-H{i}: v\r\n")).collect();
    assert_eq!(
        request_with(s.addr, "GET", "/api/v1/devices", &many).status,
        431
    );
    // A declared body over the limit: 413.
    let r = request_with(
        s.addr,
        "PUT",
        "/api/v1/devices/stop",
        "Content-Length: 1000000000000\r\n",
    );
    assert_eq!(r.status, 413);
    // The server is still fine.
    assert_eq!(request(s.addr, "GET", "/api/v1/devices").status, 200);
    s.stop();
}

#[test]
fn a_never_ending_body_is_not_read() {
    let s = Setup::new(vec![], limited(), no_ping());
    let mut c = TcpStream::connect(s.addr).unwrap();
    write!(
        c,
        "PUT /api/v1/devices/stop HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let mut reader = c.try_clone().unwrap();
    reader
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let writer = std::thread::spawn(move || {
        // Keep sending chunks until the server stops taking them.
        let chunk = format!("{:x}\r\n{}\r\n", 4096, "x".repeat(4096));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if c.write_all(chunk.as_bytes()).is_err() {
                return true;
            }
        }
        false
    });
    let mut status = [0u8; 12];
    reader.read_exact(&mut status).unwrap();
    assert_eq!(&status, b"HTTP/1.1 200");
    assert!(writer.join().unwrap(), "the server kept reading the body");
    assert_eq!(request(s.addr, "GET", "/api/v1/devices").status, 200);
    s.stop();
}

#[test]
fn idle_and_slow_connections_are_bounded() {
    let s = Setup::new(vec![], limited(), no_ping());
    // Fill every slot with idle connections.
    let mut idle: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(s.addr).unwrap())
        .collect();
    wait_until(|| s.rest().connection_count() == 8);
    // One more is closed at once.
    let mut extra = TcpStream::connect(s.addr).unwrap();
    assert!(closed_within(&mut extra, Duration::from_secs(2)));
    // A slow client dribbling its head is cut off at the header timeout, as are the idle ones.
    let mut slow = idle.pop().unwrap();
    let started = Instant::now();
    for b in b"GET /api/v1/dev" {
        if slow.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    assert!(closed_within(&mut slow, Duration::from_secs(3)));
    assert!(started.elapsed() < Duration::from_secs(3));
    for c in &mut idle {
        assert!(closed_within(c, Duration::from_secs(3)));
    }
    wait_until(|| s.rest().connection_count() == 0);
    assert_eq!(request(s.addr, "GET", "/api/v1/devices").status, 200);
    s.stop();
}

#[test]
fn stop_closes_the_listener() {
    let s = Setup::new(vec![], RestOptions::default(), no_ping());
    let addr = s.addr;
    s.stop();
    assert!(TcpStream::connect(addr).is_err());
}

/// Whether this machine has an up, multicast-capable interface other than loopback (Linux:
/// from /sys/class/net flags; elsewhere assumed).
fn multicast_interface() -> bool {
    let Ok(dir) = std::fs::read_dir("/sys/class/net") else {
        return true;
    };
    dir.flatten().any(|e| {
        let flags = std::fs::read_to_string(e.path().join("flags")).unwrap_or_default();
        let flags = u32::from_str_radix(flags.trim().trim_start_matches("0x"), 16).unwrap_or(0);
        let (up, loopback, multicast) = (flags & 0x1 != 0, flags & 0x8 != 0, flags & 0x1000 != 0);
        up && multicast && !loopback
    })
}

/// The mDNS check with multicast required: fails when the advertisement cannot be resolved.
#[test]
#[ignore = "needs multicast on a network interface; .ci/run runs it"]
fn tool_mdns_advertisement_resolves() {
    assert!(
        multicast_interface(),
        "cannot run: no multicast network interface is up"
    );
    let ad = buttplug_server::mdns::advertise(45_678, Some("test box")).unwrap();
    assert!(ad.instance_name().starts_with("Intiface "));
    assert!(ad.instance_name().ends_with(" test box"));
    let browser = mdns_sd::ServiceDaemon::new().unwrap();
    let events = browser.browse("_intiface_engine._tcp.local.").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let resolved = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(mdns_sd::ServiceEvent::ServiceResolved(info))
                if info.fullname.starts_with(ad.instance_name()) =>
            {
                break Some(info);
            }
            Ok(_) => continue,
            Err(_) => break None,
        }
    };
    let _ = browser.shutdown();
    let Some(info) = resolved else {
        panic!("the advertisement did not resolve in 10 s");
    };
    assert_eq!(info.port, 45_678);
    assert_eq!(info.get_property_val_str("path"), Some("/"));
    assert!(
        info.get_addresses()
            .iter()
            .all(|a| !a.to_ip_addr().is_loopback()),
        "loopback advertised: {:?}",
        info.get_addresses()
    );
    ad.stop();
}

/// A device manager over a user config file with `devices`. The file lives in a fresh temporary
/// directory that is removed when the returned `TempDir` drops.
fn with_user_file(
    name: &str,
    devices: Vec<SimulatedHardware>,
    text: Option<&str>,
) -> (
    DeviceManager,
    std::path::PathBuf,
    buttplug_server::managers::simulated::SimulatedDevices,
    tempfile::TempDir,
) {
    use buttplug_server::managers::simulated::{
        SimulatedCommunicationManagerBuilder, SimulatedDevice,
    };
    let dir = tempfile::Builder::new()
        .prefix(&format!("buttplug-rest-{name}-"))
        .tempdir()
        .unwrap();
    let path = dir.path().join("user.json");
    if let Some(text) = text {
        std::fs::write(&path, text).unwrap();
    }
    let base = buttplug_devices::DeviceDatabase::builtin().clone();
    let (file, db) = buttplug_server::user_config::UserConfigFile::load(&path, &base).unwrap();
    let sim = SimulatedCommunicationManagerBuilder::new();
    let handle = sim.handle();
    for d in devices {
        handle.add(SimulatedDevice::ble(d));
    }
    let dm = buttplug_server::DeviceManagerBuilder::new(std::sync::Arc::new(db))
        .comm_manager(sim)
        .message_gap_override(Some(Duration::ZERO))
        .user_config_file(file)
        .finish()
        .unwrap();
    (dm, path, handle, dir)
}

fn user_config_of(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_cap_set_over_rest_limits_the_next_command_and_is_saved() {
    let hw = hush();
    let (dm, path, _sim, _dir) = with_user_file("cap", vec![hw.clone()], None);
    let rest = buttplug_server::block_on(rest::serve(dm.clone(), RestOptions::default())).unwrap();
    let addr = rest.local_addr();
    assert_eq!(request(addr, "GET", "/api/v1/start-scanning").status, 200);
    wait_until(|| dm.devices().len() == 1);
    let limits = request(addr, "GET", "/api/v1/devices/0/limits");
    assert_eq!(
        limits.json(),
        json!({"max_level": null, "max_ramp": null, "defaults": {"max_level": null, "max_ramp": null}})
    );
    writes(&hw);

    request(addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/1");
    assert_eq!(writes(&hw), ["Vibrate:20;"]);
    let set = request(addr, "PUT", "/api/v1/devices/0/limits/max_level/0.25");
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        set.json(),
        json!({"max_level": 0.25, "max_ramp": null, "defaults": {"max_level": null, "max_ramp": null}})
    );
    // From the next command on: 0.25 of 20 steps.
    request(addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/1");
    assert_eq!(writes(&hw), ["Vibrate:5;"]);
    // Below the cap: unchanged.
    request(addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/0.1");
    assert_eq!(writes(&hw), ["Vibrate:2;"]);
    assert_eq!(
        request(addr, "GET", "/api/v1/devices/0/limits").json(),
        json!({"max_level": 0.25, "max_ramp": null, "defaults": {"max_level": null, "max_ramp": null}})
    );
    // Saved in the device's entry of the user config file (written before the answer).
    let saved = user_config_of(&path);
    let entry = &saved["user_configs"]["devices"][0];
    assert_eq!(entry["identifier"]["address"], json!("AA:BB:CC:DD:EE:01"));
    assert_eq!(entry["config"]["user_config"]["max_level"], json!(0.25));
    assert_eq!(entry["config"]["user_config"]["index"], json!(0));

    // And the next run starts with it.
    let base = buttplug_devices::DeviceDatabase::builtin().clone();
    let (_, reloaded) = buttplug_server::user_config::UserConfigFile::load(&path, &base).unwrap();
    let settings = reloaded
        .user_device("AA:BB:CC:DD:EE:01", "lovense", Some("Z"))
        .expect("the device's entry");
    assert_eq!(settings.limits.max_level(), Some(0.25));

    // `none` removes it, from the device and the file.
    let cleared = request(addr, "PUT", "/api/v1/devices/0/limits/max_level/none");
    assert_eq!(
        cleared.json(),
        json!({"max_level": null, "max_ramp": null, "defaults": {"max_level": null, "max_ramp": null}})
    );
    request(addr, "PUT", "/api/v1/devices/0/outputs/Vibrate/1");
    assert_eq!(writes(&hw), ["Vibrate:20;"]);
    let saved = user_config_of(&path);
    assert!(
        saved["user_configs"]["devices"][0]["config"]["user_config"]
            .get("max_level")
            .is_none(),
        "{saved}"
    );
    buttplug_server::block_on(rest.stop());
    buttplug_server::block_on(dm.shutdown());
}

#[test]
fn a_cap_keeps_what_else_the_user_config_says_and_survives_a_reconnect() {
    let hw = hush();
    let user = r#"{"version":{"major":4,"minor":0},"user_configs":{"devices":[
        {"identifier":{"protocol":"lovense","identifier":"Z","address":"AA:BB:CC:DD:EE:01"},
         "config":{"id":"u1","base_id":"lovense-z","name":"Lovense Hush",
                   "user_config":{"index":4,"display_name":"Bedroom"}}}]}}"#;
    let (dm, path, sim, _dir) = with_user_file("keep", vec![hw.clone()], Some(user));
    let rest = buttplug_server::block_on(rest::serve(dm.clone(), RestOptions::default())).unwrap();
    let addr = rest.local_addr();
    buttplug_server::block_on(dm.start_scanning()).unwrap();
    wait_until(|| dm.device(4).is_some());
    let set = request(addr, "PUT", "/api/v1/devices/4/limits/max_level/0.5");
    assert_eq!(set.status, 200, "{}", set.body);
    let saved = user_config_of(&path);
    let config = &saved["user_configs"]["devices"][0]["config"]["user_config"];
    assert_eq!(
        *config,
        json!({"index": 4, "display_name": "Bedroom", "max_level": 0.5})
    );
    // The device comes back: the cap set while running holds.
    buttplug_server::block_on(dm.device(4).unwrap().disconnect());
    wait_until(|| dm.device(4).is_none());
    let hw = hush();
    sim.add(buttplug_server::managers::simulated::SimulatedDevice::ble(
        hw.clone(),
    ));
    wait_until(|| dm.device(4).is_some());
    writes(&hw);
    request(addr, "PUT", "/api/v1/devices/4/outputs/Vibrate/1");
    assert_eq!(writes(&hw), ["Vibrate:10;"]);
    buttplug_server::block_on(rest.stop());
    buttplug_server::block_on(dm.shutdown());
}

#[test]
fn limit_routes_check_their_values() {
    let s = Setup::new(vec![hush()], RestOptions::default(), no_ping());
    s.scan(1);
    let check = |path: &str, status: u16, body: &str| {
        let r = request(s.addr, "PUT", path);
        assert_eq!((r.status, r.body.as_str()), (status, body), "{path}");
    };
    check(
        "/api/v1/devices/0/limits/max_level/1.5",
        400,
        "Invalid URL: max_level must be a fraction of the output's range between 0 and 1, got 1.5",
    );
    check(
        "/api/v1/devices/0/limits/loudness/0.5",
        400,
        "Invalid URL: unknown limit `loudness`, expected one of `max_level`, `max_ramp`",
    );
    check(
        "/api/v1/devices/9/limits/max_level/0.5",
        404,
        "Device index 9 does not refer to a currently connected device.",
    );
    // Without a user config file the limit applies to the running device only.
    check(
        "/api/v1/devices/0/limits/max_ramp/2",
        200,
        r#"{"defaults":{"max_level":null,"max_ramp":null},"max_level":null,"max_ramp":2.0}"#,
    );
    let get = request(s.addr, "GET", "/api/v1/devices/0/limits");
    assert_eq!(
        get.json(),
        json!({"max_level": null, "max_ramp": 2.0, "defaults": {"max_level": null, "max_ramp": null}})
    );
    s.stop();
}

#[test]
fn the_panel_is_served_only_when_asked_with_clients_and_scanning() {
    let clients = rest::Clients::new();
    let mut options = RestOptions::default();
    options.panel = true;
    options.clients = Some(clients.clone());
    let s = Setup::new(vec![hush()], options, no_ping());
    let page = request(s.addr, "GET", "/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(
        page.body.contains(r#"<script src="/panel.js""#),
        "{}",
        page.body
    );
    let js = request(s.addr, "GET", "/panel.js");
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(js.body.contains("new EventSource"));
    assert_eq!(request(s.addr, "GET", "/panel.css").status, 200);
    assert_eq!(request(s.addr, "GET", "/other.js").status, 404);
    assert_eq!(request(s.addr, "HEAD", "/").body, "");

    assert_eq!(request(s.addr, "GET", "/api/v1/clients").json(), json!([]));
    let mut events = TcpStream::connect(s.addr).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        events,
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    let mut events = BufReader::new(events);
    let mut line = String::new();
    while line != "\r\n" {
        line.clear();
        events.read_line(&mut line).unwrap();
    }
    let game = clients.connected("Game");
    assert_eq!(
        request(s.addr, "GET", "/api/v1/clients").json(),
        json!([{"id": game.id(), "name": "Game"}])
    );
    drop(game);
    assert_eq!(request(s.addr, "GET", "/api/v1/clients").json(), json!([]));
    let mut data = Vec::new();
    while data.len() < 2 {
        line.clear();
        events.read_line(&mut line).unwrap();
        if let Some(d) = line.strip_prefix("data: ") {
            data.push(serde_json::from_str::<Value>(d).unwrap());
        }
    }
    assert_eq!(
        data[0],
        json!({"type": "ClientConnected", "id": 1, "name": "Game"})
    );
    assert_eq!(data[1], json!({"type": "ClientDisconnected", "id": 1}));

    assert_eq!(
        request(s.addr, "GET", "/api/v1/scanning").json(),
        json!({"scanning": false})
    );
    s.scan(1);
    assert_eq!(
        request(s.addr, "GET", "/api/v1/scanning").json(),
        json!({"scanning": true})
    );
    s.stop();

    // Without `panel`, `/` is not found (the REST API alone).
    let plain = Setup::new(vec![], RestOptions::default(), no_ping());
    assert_eq!(request(plain.addr, "GET", "/").status, 404);
    assert_eq!(
        request(plain.addr, "GET", "/api/v1/clients").json(),
        json!([])
    );
    plain.stop();
}

#[test]
fn limits_show_the_server_defaults_that_apply_where_the_device_sets_none() {
    let limits = buttplug_devices::config::OutputLimits::new(Some(0.6), None).unwrap();
    let server = buttplug_server::ButtplugServerBuilder::new()
        .device_manager(hush_manager(limits))
        .finish();
    let s = Setup::serving(server, RestOptions::default());
    s.scan(1);
    let get = request(s.addr, "GET", "/api/v1/devices/0/limits");
    assert_eq!(
        get.json(),
        json!({"max_level": null, "max_ramp": null, "defaults": {"max_level": 0.6, "max_ramp": null}})
    );
    let set = request(s.addr, "PUT", "/api/v1/devices/0/limits/max_level/0.3");
    assert_eq!(
        set.json(),
        json!({"max_level": 0.3, "max_ramp": null, "defaults": {"max_level": 0.6, "max_ramp": null}})
    );
    s.stop();
}

/// A device manager of one simulated Hush (no message gap) with these default limits.
fn hush_manager(limits: buttplug_devices::config::OutputLimits) -> DeviceManager {
    use buttplug_server::managers::simulated::{
        SimulatedCommunicationManagerBuilder, SimulatedDevice,
    };
    buttplug_server::DeviceManagerBuilder::new(std::sync::Arc::new(
        buttplug_devices::DeviceDatabase::builtin().clone(),
    ))
    .comm_manager(SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice::ble(hush())))
    .message_gap_override(Some(Duration::ZERO))
    .limits(limits)
    .finish()
    .unwrap()
}

#[test]
fn claims_of_a_shared_server_are_listed_and_streamed() {
    let server = buttplug_server::ButtplugServerBuilder::new()
        .max_clients(2)
        .device_manager(hush_manager(buttplug_devices::config::OutputLimits::NONE))
        .finish();
    let s = Setup::serving(server, RestOptions::default());
    let addr = s.addr;
    let (mut events, _) = Events::open(addr, None);
    s.scan(1);
    assert_eq!(request(addr, "GET", "/api/v1/claims").json(), json!({}));

    let vibrate = json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 10}}}});
    let mut alice = util::Client::new(&s.server);
    buttplug_server::block_on(async {
        let r = alice
            .request(json!({"RequestServerInfo": {"ClientName": "alice", "ProtocolVersionMajor": 4, "ProtocolVersionMinor": 0}}))
            .await;
        assert_eq!(util::name(&r), "ServerInfo", "{r}");
        let r = alice.request(vibrate.clone()).await;
        assert_eq!(util::name(&r), "Ok", "{r}");
    });
    let (_, held) = events.next_of("ClaimChanged");
    assert_eq!(
        held,
        json!({"type": "ClaimChanged", "index": 0, "client": "alice"})
    );
    assert_eq!(
        request(addr, "GET", "/api/v1/claims").json(),
        json!({"0": "alice"})
    );

    // The operator's stop (here over REST) frees it.
    assert_eq!(request(addr, "PUT", "/api/v1/devices/0/stop").status, 200);
    let (_, free) = events.next_of("ClaimChanged");
    assert_eq!(
        free,
        json!({"type": "ClaimChanged", "index": 0, "client": null})
    );
    assert_eq!(request(addr, "GET", "/api/v1/claims").json(), json!({}));

    // So does the holder's own stop.
    buttplug_server::block_on(async {
        assert_eq!(util::name(&alice.request(vibrate.clone()).await), "Ok");
    });
    assert_eq!(events.next_of("ClaimChanged").1["client"], json!("alice"));
    buttplug_server::block_on(async {
        let r = alice.request(json!({"StopCmd": {"DeviceIndex": 0}})).await;
        assert_eq!(util::name(&r), "Ok", "{r}");
    });
    assert_eq!(events.next_of("ClaimChanged").1["client"], Value::Null);
    s.stop();
}

//! `buttplug` with intiface-engine's command line (no subcommand): each flag's effect, checked
//! on the real binary.

use crate::cli::Simulator;
use async_tungstenite::tungstenite::Message;
use futures::StreamExt;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(20);

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_buttplug")
}

/// Run to completion (must exit within 20 s).
fn run(args: &[&str]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + WITHIN;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("buttplug {args:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// A running `buttplug` with its output lines (stderr prefixed with `stderr: `).
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(bin())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx2.send(format!("stderr: {l}"));
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The rest of the first line starting with `prefix` (lines already seen included: the
    /// listeners report in any order).
    fn wait_for(&mut self, prefix: &str) -> String {
        if let Some(rest) = self.seen.iter().find_map(|l| l.strip_prefix(prefix)) {
            return rest.trim().to_string();
        }
        let deadline = Instant::now() + WITHIN;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no line {prefix:?}; saw {:?}", self.seen));
            self.seen.push(line.clone());
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_string();
            }
        }
    }

    /// The client URL it listens on.
    fn client_url(&mut self) -> String {
        self.wait_for("client websocket listening on ")
    }

    /// Every line that arrives within `wait`.
    fn lines_for(&mut self, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        while let Ok(l) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(l);
        }
        self.seen.clone()
    }

    fn signal(mut self, signal: nix::sys::signal::Signal) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        nix::sys::signal::kill(pid, signal).unwrap();
        let deadline = Instant::now() + WITHIN;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit on {signal}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Ws = async_tungstenite::WebSocketStream<async_std::net::TcpStream>;

async fn dial(url: &str) -> Ws {
    let tcp = async_std::net::TcpStream::connect(url.trim_start_matches("ws://"))
        .await
        .unwrap();
    async_tungstenite::client_async(url, tcp).await.unwrap().0
}

/// Send `RequestServerInfo` (v4) and return the `ServerInfo` body.
async fn handshake(ws: &mut Ws) -> Value {
    ws.send(Message::Text(
        r#"[{"RequestServerInfo":{"Id":1,"ClientName":"cli test","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#.into(),
    ))
    .await
    .unwrap();
    loop {
        let m = async_std::future::timeout(WITHIN, ws.next())
            .await
            .expect("no reply")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(&t).unwrap();
            return v[0]["ServerInfo"].clone();
        }
    }
}

fn server_info(url: &str) -> Value {
    async_std::task::block_on(async {
        let mut ws = dial(url).await;
        handshake(&mut ws).await
    })
}

#[test]
fn version_and_server_version() {
    let out = run(&["--version"]);
    assert!(out.status.success());
    let line = text(&out.stdout);
    assert!(
        line.starts_with(&format!(
            "Buttplug CLI (Rust Edition) Version {}, Commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{line}"
    );
    let out = run(&["--server-version"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "5.0.5\n");
    // --server-version wins, as in intiface-engine.
    assert_eq!(
        text(&run(&["--version", "--server-version"]).stdout),
        "5.0.5\n"
    );
}

#[test]
fn help_and_the_help_word_list_every_engine_flag_and_say_what_is_a_no_op() {
    for args in [&["--help"][..], &["help"][..]] {
        let out = run(args);
        assert!(out.status.success(), "{args:?}");
        let help = text(&out.stdout);
        for flag in [
            "--version",
            "--server-version",
            "--websocket-port",
            "--websocket-use-all-interfaces",
            "--websocket-listen-address",
            "--websocket-client-address",
            "--frontend-websocket-port",
            "--server-name",
            "--device-config-file",
            "--user-device-config-file",
            "--max-ping-time",
            "--log",
            "--use-bluetooth-le",
            "--use-serial",
            "--use-lovense-dongle-serial",
            "--use-lovense-dongle-hid",
            "--use-sdl-gamepad",
            "--use-lovense-connect",
            "--use-device-websocket-server",
            "--device-websocket-server-port",
            "--broadcast-server-mdns",
            "--mdns-suffix",
            "--repeater",
            "--repeater-port",
            "--rest-api-port",
            "--crash-reporting",
            "serve",
            "devices",
            "simulate",
            "fixture",
        ] {
            assert!(help.contains(flag), "{args:?}: help lacks {flag}");
        }
        assert!(help.contains("No-op"), "{help}");
        assert!(help.contains("an alias of --use-sdl-gamepad"), "{help}");
    }
}

#[test]
fn usage_errors_exit_1_and_switches_may_repeat() {
    for args in [
        &["--bogus"][..],
        &["--websocket-port"][..],
        &["--websocket-port", "70000"][..],
        &["--websocket-port", "1", "--websocket-port", "2"][..],
        &["--websocket-port", "1", "serve"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(text(&out.stderr).contains("error"), "{args:?}");
    }
    let out = run(&["--use-serial", "--use-serial", "--server-version"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn start_up_errors_exit_1_with_a_clear_message() {
    for (args, message) in [
        (
            &[][..],
            "no websocket port: give --websocket-port, --websocket-listen-address or --websocket-client-address",
        ),
        (
            &[
                "--websocket-listen-address",
                "127.0.0.1:1",
                "--websocket-use-all-interfaces",
            ][..],
            "--websocket-listen-address conflicts with --websocket-use-all-interfaces",
        ),
        (
            &[
                "--websocket-listen-address",
                "127.0.0.1:1",
                "--websocket-port",
                "2",
            ][..],
            "--websocket-listen-address conflicts with --websocket-port",
        ),
        (
            &[
                "--websocket-listen-address",
                "127.0.0.1:1",
                "--websocket-port",
                "2",
                "--websocket-use-all-interfaces",
            ][..],
            "--websocket-listen-address conflicts with --websocket-port and --websocket-use-all-interfaces",
        ),
        (
            &["--websocket-listen-address", "localhost:12345"][..],
            "--websocket-listen-address \"localhost:12345\": not an ip:port socket address",
        ),
        (
            &[
                "--websocket-port",
                "0",
                "--device-config-file",
                "/nonexistent/devices.json",
            ][..],
            "/nonexistent/devices.json: No such file",
        ),
        (
            &["--websocket-client-address", "127.0.0.1:9"][..],
            "--websocket-client-address: bad websocket url",
        ),
        (
            &["--repeater", "--repeater-port", "0"][..],
            "--repeater needs",
        ),
        (
            &["--websocket-port", "0", "--log", "loud"][..],
            "--log \"loud\"",
        ),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("buttplug: {message}")),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_port_in_use_exits_non_zero_saying_so() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(&["--websocket-port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "the client websocket server cannot listen on 127.0.0.1:{port}: the port is already in use"
        )),
        "{err}"
    );
}

#[test]
fn websocket_port_server_name_and_max_ping_time_reach_the_client() {
    let mut server = Running::start(&[
        "--websocket-port",
        "0",
        "--server-name",
        "Engine CLI",
        "--max-ping-time",
        "2500",
    ]);
    assert_eq!(
        server.wait_for("Intiface Server, starting up"),
        "with stdout output."
    );
    let url = server.client_url();
    assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
    let info = server_info(&url);
    assert_eq!(info["ServerName"], "Engine CLI", "{info}");
    assert_eq!(info["MaxPingTime"], 2500, "{info}");
}

#[test]
fn use_all_interfaces_and_listen_address_pick_the_listen_address() {
    let mut all = Running::start(&["--websocket-port", "0", "--websocket-use-all-interfaces"]);
    let url = all.client_url();
    assert!(url.starts_with("ws://0.0.0.0:"), "{url}");
    let port = url.rsplit(':').next().unwrap();
    assert_eq!(
        server_info(&format!("ws://127.0.0.1:{port}"))["ServerName"],
        "Buttplug Server"
    );
    let mut listen = Running::start(&["--websocket-listen-address", "127.0.0.1:0"]);
    let url = listen.client_url();
    assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
    assert_eq!(server_info(&url)["ServerName"], "Buttplug Server");
}

#[test]
fn websocket_client_address_dials_out_and_serves_there() {
    async_std::task::block_on(async {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let _server = Running::start(&[
            "--websocket-client-address",
            &url,
            "--server-name",
            "Dialer",
            "--max-ping-time",
            "1000",
        ]);
        let (tcp, _) = async_std::future::timeout(WITHIN, listener.accept())
            .await
            .expect("the server did not dial")
            .unwrap();
        let mut ws = async_tungstenite::accept_async(tcp).await.unwrap();
        let info = handshake(&mut ws).await;
        assert_eq!(info["ServerName"], "Dialer", "{info}");
        assert_eq!(info["MaxPingTime"], 1000, "{info}");
    });
}

#[test]
fn log_sets_the_level_by_name_or_number() {
    let mut quiet = Running::start(&["--websocket-port", "0", "--log", "1"]);
    quiet.client_url();
    let lines = quiet.lines_for(Duration::from_millis(300));
    assert!(
        !lines.iter().any(|l| l.contains(" INFO ")),
        "--log 1 let info through: {lines:?}"
    );
    let mut chatty = Running::start(&["--websocket-port", "0", "--log", "DEBUG"]);
    chatty.client_url();
    let lines = chatty.lines_for(Duration::from_millis(300));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("DEBUG") && l.contains(r#"{"EngineStarted":{}}"#)),
        "{lines:?}"
    );
}

#[test]
fn gamepad_flags_start_the_gamepad_manager() {
    let input_nodes = std::path::Path::new("/dev/input").exists();
    for flag in ["--use-sdl-gamepad", "--use-xinput"] {
        let mut server = Running::start(&["--websocket-port", "0", flag]);
        let url = server.client_url();
        async_std::task::block_on(async {
            let mut ws = dial(&url).await;
            assert_eq!(handshake(&mut ws).await["ServerName"], "Buttplug Server");
            ws.send(Message::Text(r#"[{"StartScanning":{"Id":2}}]"#.into()))
                .await
                .unwrap();
            let reply = async_std::future::timeout(WITHIN, ws.next())
                .await
                .expect("no reply")
                .unwrap()
                .unwrap();
            assert!(reply.to_string().contains(r#""Ok":{"Id":2}"#), "{reply}");
        });
        let lines = server.lines_for(Duration::from_millis(300));
        assert!(
            !lines.iter().any(|l| l.contains("not built")),
            "{flag}: {lines:?}"
        );
        if input_nodes {
            println!("NOTE: this machine has /dev/input; only checking that scanning works");
        } else {
            // The gamepad manager ran its first pass and said why it finds nothing here.
            assert!(
                lines.iter().any(|l| l.starts_with("stderr: ")
                    && l.contains("gamepad is unavailable")
                    && l.contains("/dev/input")),
                "{flag}: {lines:?}"
            );
        }
    }
}

#[test]
fn no_op_flags_are_accepted_and_open_nothing() {
    let frontend = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let frontend_port = frontend.local_addr().unwrap().port();
    drop(frontend);
    let frontend_port = frontend_port.to_string();
    let mut server = Running::start(&[
        "--websocket-port",
        "0",
        "--frontend-websocket-port",
        &frontend_port,
        "--crash-reporting",
        "--crash-main-thread",
        "--crash-task-thread",
        "--mdns-suffix",
        "den",
    ]);
    let url = server.client_url();
    assert_eq!(server_info(&url)["ServerName"], "Buttplug Server");
    // The frontend port is still free.
    std::net::TcpListener::bind(format!("127.0.0.1:{frontend_port}"))
        .expect("--frontend-websocket-port opened something");
}

#[test]
fn repeater_relays_to_the_server_at_the_client_address() {
    let mut server = Running::start(&["--websocket-port", "0", "--server-name", "Far away"]);
    let server_url = server.client_url();
    let remote = server_url.trim_start_matches("ws://").to_string();
    let mut repeater = Running::start(&[
        "--repeater",
        "--repeater-port",
        "0",
        "--websocket-client-address",
        &remote,
    ]);
    let local = repeater.wait_for("repeater listening on ");
    assert!(local.starts_with("ws://127.0.0.1:"), "{local}");
    assert_eq!(server_info(&local)["ServerName"], "Far away");
}

#[test]
fn sigint_stops_every_device_then_exits_0() {
    let mut server = Running::start(&[
        "--websocket-port",
        "0",
        "--use-device-websocket-server",
        "--device-websocket-server-port",
        "0",
    ]);
    let device_url = server.wait_for("device websocket server listening on ");
    let client_url = server.client_url();
    let sim = Simulator::start("Lovense Hush", &device_url);
    assert_eq!(sim.wait_for_lines(1), vec!["\"DeviceType;\"".to_string()]);
    async_std::task::block_on(async {
        let mut ws = dial(&client_url).await;
        handshake(&mut ws).await;
        let deadline = Instant::now() + WITHIN;
        let mut id = 2;
        // The device is listed once identified; vibrate it.
        loop {
            assert!(Instant::now() < deadline, "no device listed");
            ws.send(Message::Text(format!(r#"[{{"OutputCmd":{{"Id":{id},"DeviceIndex":0,"FeatureIndex":0,"Command":{{"Vibrate":{{"Value":10}}}}}}}}]"#).into()))
                .await
                .unwrap();
            let reply = async_std::future::timeout(WITHIN, ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if reply.to_string().contains(r#""Ok""#) {
                break;
            }
            id += 1;
            async_std::task::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:10;\"".to_string()]);
        let status = server.signal(nix::sys::signal::Signal::SIGINT);
        assert!(status.success(), "{status:?}");
        assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:0;\"".to_string()]);
    });
}

/// The `--use-*` flags of the binary are the engine's (each wired to its manager, checked in
/// `buttplug-engine`).
#[test]
fn every_use_flag_of_the_engine_is_accepted() {
    let help = text(&run(&["--help"]).stdout);
    let mut ours: Vec<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--use-"))
        .collect();
    ours.sort_unstable();
    ours.dedup();
    let mut engine: Vec<&str> = buttplug_engine::managers::USE_FLAGS.to_vec();
    engine.sort_unstable();
    assert_eq!(ours, engine);
}

/// One HTTP/1.1 GET over a plain socket (the test's own client: the server side is hyper).
fn http_get(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut socket = std::net::TcpStream::connect(address).expect("connect to the REST API");
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer);
    answer
}

#[test]
fn rest_api_port_serves_the_devices_next_to_the_websocket_server() {
    let mut server = Running::start(&[
        "--websocket-port",
        "0",
        "--rest-api-port",
        "0",
        "--simulate",
        "Lovense Hush",
    ]);
    let _ = server.client_url();
    let rest = server.wait_for("REST API listening on http://");
    let scan = http_get(&rest, "/api/v1/start-scanning");
    assert!(scan.starts_with("HTTP/1.1 200"), "{scan}");
    let deadline = Instant::now() + WITHIN;
    let answer = loop {
        let answer = http_get(&rest, "/api/v1/devices");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        if answer.contains("Lovense Hush") || Instant::now() > deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(answer.contains("Lovense Hush"), "{answer}");
    let missing = http_get(&rest, "/api/v1/devices/7");
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
}

#[test]
fn broadcast_server_mdns_advertises_the_bound_port_with_the_suffix() {
    let mut server = Running::start(&[
        "--websocket-port",
        "0",
        "--broadcast-server-mdns",
        "--mdns-suffix",
        "bedroom",
    ]);
    let url = server.client_url();
    let port = url.rsplit(':').next().unwrap_or_default().to_string();
    let advertised = server.wait_for("advertised over mDNS as ");
    assert!(advertised.contains("bedroom"), "{advertised}");
    assert!(
        advertised.ends_with(&format!("on port {port}")),
        "{advertised} / {url}"
    );
}

/// The body of an HTTP answer.
fn body(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

#[test]
fn web_port_serves_the_panel_and_the_api_next_to_the_rest_port_with_the_clients() {
    let mut server = Running::start(&[
        "--websocket-port",
        "0",
        "--rest-api-port",
        "0",
        "--web-port",
        "0",
        "--simulate",
        "Lovense Hush",
    ]);
    let url = server.client_url();
    let web = server.wait_for("web panel listening on http://");
    let web = web.trim_end_matches('/').to_string();
    let rest = server.wait_for("REST API listening on http://");
    assert!(web.starts_with("127.0.0.1:"), "{web}");
    assert_ne!(web, rest);
    let page = http_get(&web, "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.contains("<title>Buttplug control panel</title>"),
        "{page}"
    );
    // The REST port alone has no panel; both have the API.
    assert!(http_get(&rest, "/").starts_with("HTTP/1.1 404"));
    for address in [&web, &rest] {
        assert_eq!(body(&http_get(address, "/api/v1/clients")), "[]");
    }
    async_std::task::block_on(async {
        let mut ws = dial(&url).await;
        handshake(&mut ws).await;
        for address in [&web, &rest] {
            let clients: Value =
                serde_json::from_str(body(&http_get(address, "/api/v1/clients"))).unwrap();
            assert_eq!(clients[0]["name"], "cli test", "{clients}");
        }
        ws.close(None).await.unwrap();
        let deadline = Instant::now() + WITHIN;
        while body(&http_get(&web, "/api/v1/clients")) != "[]" {
            assert!(Instant::now() < deadline, "the client stayed on the list");
            async_std::task::sleep(Duration::from_millis(20)).await;
        }
    });
}

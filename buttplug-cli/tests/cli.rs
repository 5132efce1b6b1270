//! Helpers that run the `buttplug` binary, and tests of its subcommands.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_buttplug")
}

/// Lines of a child's stdout (and stderr, prefixed), read on threads.
fn line_reader(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    if let Some(err) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(format!("stderr: {line}"));
            }
        });
    }
    rx
}

/// A running `buttplug serve` on free ports.
pub struct ServerProcess {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub client_url: String,
    pub device_url: Option<String>,
    pub log: Vec<String>,
}

impl ServerProcess {
    /// `buttplug serve --websocket-port 0 --device-websocket-server-port 0 EXTRA...`.
    pub fn start(extra: &[&str]) -> Self {
        let mut args = vec![
            "serve",
            "--websocket-port",
            "0",
            "--device-websocket-server-port",
            "0",
        ];
        args.extend_from_slice(extra);
        Self::start_args(&args)
    }

    /// `buttplug ARGS...` exactly (e.g. intiface-engine's command line, without a subcommand).
    pub fn start_args(args: &[&str]) -> Self {
        let mut child = Command::new(bin())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start buttplug serve");
        let lines = line_reader(&mut child);
        let mut server = ServerProcess {
            child,
            lines,
            client_url: String::new(),
            device_url: None,
            log: Vec::new(),
        };
        let wants_devices = args.contains(&"--use-device-websocket-server");
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.client_url.is_empty() || (wants_devices && server.device_url.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = server
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("server did not start: {:?}", server.log));
            if let Some(url) = line.strip_prefix("client websocket listening on ") {
                server.client_url = url.trim().to_string();
            }
            if let Some(url) = line.strip_prefix("device websocket server listening on ") {
                server.device_url = Some(url.trim().to_string());
            }
            server.log.push(line);
        }
        server
    }

    /// `buttplug simulate` playing a Lovense Hush to this server's device WebSocket server,
    /// once the server has added it.
    pub fn simulate_hush(&self) -> Simulator {
        let device_url = self
            .device_url
            .as_deref()
            .expect("the server runs the device websocket server");
        let sim = Simulator::start("Lovense Hush", device_url);
        self.wait_for_device_log();
        sim
    }

    /// Wait until the server log says a device was added.
    pub fn wait_for_device_log(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(l) if l.contains("device added") => return,
                _ => {}
            }
        }
        panic!("no device was added");
    }

    /// The rest of the first output line starting with `prefix` (start-up lines included).
    pub fn wait_for_line(&mut self, prefix: &str) -> String {
        if let Some(rest) = self.log.iter().find_map(|l| l.strip_prefix(prefix)) {
            return rest.trim().to_string();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no line {prefix:?} in {:?}", self.log));
            self.log.push(line.clone());
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_string();
            }
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).expect("pid fits in pid_t")
    }

    /// Send SIGTERM (through the C library, not a `kill` program a minimal image may lack) and
    /// wait for the process.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = i32::try_from(self.child.id()).expect("pid fits in pid_t");
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        )
        .expect("send SIGTERM to the server");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not exit on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `buttplug simulate`.
pub struct Simulator {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Simulator {
    pub fn start(device: &str, server: &str) -> Self {
        let mut child = Command::new(bin())
            .args(["simulate", device, "--server", server])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start buttplug simulate");
        let lines = line_reader(&mut child);
        Simulator { child, lines }
    }

    /// The payloads of the next `count` "received ..." lines.
    pub fn wait_for_lines(&self, count: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut got = Vec::new();
        while got.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    if let Some(p) = l.strip_prefix("received ") {
                        got.push(p.to_string());
                    }
                }
                Err(_) => panic!("simulator received only {got:?}"),
            }
        }
        got
    }
}

impl Simulator {
    /// The payloads of every "received ..." line until none came for `quiet`.
    pub fn received_until_quiet(&self, quiet: Duration) -> Vec<String> {
        let mut got = Vec::new();
        while let Ok(l) = self.lines.recv_timeout(quiet) {
            if let Some(p) = l.strip_prefix("received ") {
                got.push(p.to_string());
            }
        }
        got
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn devices_searches_the_database() {
    let out = Command::new(bin())
        .args(["devices", "hush"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Lovense Hush  [lovense; btle"), "{text}");
    assert!(text.contains("feature 0: Vibrate [0, 20]"), "{text}");
}

#[test]
fn serve_flags_match_intiface_engine() {
    let out = Command::new(bin())
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--websocket-port",
        "--websocket-use-all-interfaces",
        "--websocket-listen-address",
        "--websocket-client-address",
        "--server-name",
        "--device-config-file",
        "--user-device-config-file",
        "--max-ping-time",
        "--log",
        "--use-bluetooth-le",
        "--use-serial",
        "--use-hid",
        "--use-lovense-dongle-serial",
        "--use-lovense-dongle-hid",
        "--use-lovense-connect",
        "--use-device-websocket-server",
        "--device-websocket-server-port",
        "--simulate",
    ] {
        assert!(help.contains(flag), "serve --help lacks {flag}");
    }
}

#[test]
fn sigterm_stops_the_device_then_exits() {
    let server = ServerProcess::start(&["--use-device-websocket-server"]);
    let sim = server.simulate_hush();
    assert_eq!(sim.wait_for_lines(1), vec!["\"DeviceType;\"".to_string()]);
    // A client makes the toy vibrate and stays connected.
    let client_url = server.client_url.clone();
    let (client_done_tx, client_done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        async_std::task::block_on(async move {
            let client = buttplug_client::ButtplugClient::new("sigterm test");
            let driver = client
                .connect(buttplug_transport_ws::WebsocketClientConnector::new(
                    client_url,
                ))
                .await
                .unwrap();
            async_std::task::spawn(driver);
            let device = client.devices().into_iter().next().expect("device listed");
            device.vibrate(0.5).await.unwrap();
            client_done_tx.send(()).unwrap();
            // Keep the connection open until the server goes away.
            async_std::task::sleep(Duration::from_secs(30)).await;
        });
    });
    client_done_rx
        .recv_timeout(Duration::from_secs(10))
        .unwrap();
    assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:10;\"".to_string()]);
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    // SIGTERM: every device stops before the process exits.
    assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:0;\"".to_string()]);
}

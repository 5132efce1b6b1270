//! Interoperability with the real JavaScript client (npm package `buttplug` at 3.2.2, spec v3,
//! and 5.0.2, spec v4): `buttplug serve` with the device WebSocket server, `buttplug simulate`
//! playing a Lovense Hush, and a Node script that connects, scans, vibrates at 0.5, reads the
//! battery, stops and disconnects. The device must receive exactly the expected bytes.
//!
//! Needs `node`, `npm` and the npm registry (the npm packages are installed by the test into
//! the target folder), so `cargo test` lists these tests as ignored, with that reason; `.ci/run`
//! installs node and npm and runs them with `cargo test --workspace -- --ignored tool_`. Run
//! without the tools, they fail: they never pass without talking to the JavaScript client.

use crate::cli::{ServerProcess, Simulator, have};
use std::path::PathBuf;
use std::process::Command;

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("interop-js")
}

/// Install both client versions once (npm aliases `bp3` and `bp5`); tests in parallel wait for
/// the one install.
fn install_clients() -> Result<PathBuf, String> {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = js_dir();
    if dir.join("node_modules/bp3/package.json").exists()
        && dir.join("node_modules/bp5/package.json").exists()
    {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"buttplug-interop","private":true,"version":"0.0.0"}"#,
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent"])
        .args(["bp3@npm:buttplug@3.2.2", "bp5@npm:buttplug@5.0.2"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("npm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "npm install failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir)
}

/// `battery` is what the client reports for the 85 % the device says: spec v3 clients give a
/// fraction, buttplug-js 5 the v4 percent value.
fn run_js_client(package: &str, battery_expected: f64, extra_flags: &[&str]) {
    let mut flags = vec!["--use-device-websocket-server"];
    flags.extend_from_slice(extra_flags);
    run_js_client_against(package, battery_expected, ServerProcess::start(&flags));
}

fn run_js_client_against(package: &str, battery_expected: f64, server: ServerProcess) {
    for tool in ["node", "npm"] {
        assert!(
            have(tool),
            "interop with buttplug-js ({package}) cannot run: {tool} is not installed"
        );
    }
    let dir = install_clients()
        .unwrap_or_else(|e| panic!("interop with buttplug-js ({package}) cannot run: {e}"));
    let device_url = server
        .device_url
        .clone()
        .expect("device websocket server address");
    let sim = Simulator::start("Lovense Hush", &device_url);
    server.wait_for_device_log();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/client.js");
    let out = Command::new("node")
        .arg(&script)
        .arg(package)
        .arg(&server.client_url)
        .current_dir(&dir)
        .env("NODE_PATH", dir.join("node_modules"))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "node client failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("client output");
    assert_eq!(seen["name"], serde_json::json!("Lovense Hush"), "{seen}");
    let battery = seen["battery"].as_f64().expect("battery number");
    assert!(
        (battery - battery_expected).abs() < 1e-9,
        "battery {battery}"
    );
    // Exactly what the toy received, in order.
    let received = sim.wait_for_lines(4);
    assert_eq!(
        received,
        vec![
            "\"DeviceType;\"".to_string(),
            "\"Vibrate:10;\"".to_string(),
            "\"Battery;\"".to_string(),
            "\"Vibrate:0;\"".to_string(),
        ]
    );
}

#[test]
#[ignore = "needs node, npm and the npm registry; .ci/run runs it"]
fn tool_buttplug_js_3_2_2_spec_v3() {
    run_js_client("bp3", 0.85, &[]);
}

/// Also proves that every hardware backend switched on, on a machine without any hardware,
/// leaves the server serving WebSocket devices normally.
#[test]
#[ignore = "needs node, npm and the npm registry; .ci/run runs it"]
fn tool_buttplug_js_5_0_2_spec_v4_with_every_backend_on() {
    run_js_client(
        "bp5",
        85.0,
        &[
            "--use-bluetooth-le",
            "--use-serial",
            "--use-hid",
            "--use-usb",
            "--use-lovense-dongle-serial",
            "--use-lovense-dongle-hid",
            "--use-lovense-connect",
        ],
    );
}

/// The server started with intiface-engine's command line, no subcommand, the flags Intiface
/// Central's engine settings produce (every manager it offers on Linux, the device WebSocket
/// server); port 0 instead of 12345 so that tests can run side by side.
#[test]
#[ignore = "needs node, npm and the npm registry; .ci/run runs it"]
fn tool_buttplug_js_5_0_2_engine_command_line() {
    let server = ServerProcess::start_args(&[
        "--websocket-port",
        "0",
        "--server-name",
        "Intiface Server",
        "--max-ping-time",
        "0",
        "--log",
        "info",
        "--use-bluetooth-le",
        "--use-serial",
        "--use-lovense-dongle-serial",
        "--use-lovense-dongle-hid",
        "--use-lovense-connect",
        "--use-device-websocket-server",
        "--device-websocket-server-port",
        "0",
    ]);
    run_js_client_against("bp5", 85.0, server);
}

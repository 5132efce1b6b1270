//! Real browsers: headless Chromium (Debian's `chromium`) driven from Node with
//! `puppeteer-core`, against `buttplug serve` with a simulated Lovense Hush (`buttplug
//! simulate`, which prints every write it receives).
//!
//! - The web panel (`--web-port`): the device appears with its battery; an app's command (the
//!   npm `buttplug` client in Node) moves the level on the chart; a cap set in the panel limits
//!   the app's next command and is saved to the user config file; Stop All stops the device; with
//!   the app gone the panel's slider drives the device.
//! - buttplug-js's browser build (npm `buttplug`, `dist/web/buttplug.js`) in a page served from
//!   loopback connects with the browser's WebSocket, scans, vibrates and stops.
//!
//! Needs `node`, `npm`, the npm registry (the test installs `buttplug` and `puppeteer-core` into
//! the target folder) and `/usr/bin/chromium` (or `$CHROMIUM`); `.ci/install-test-deps` installs
//! them and `.ci/run` runs these tests. Without the tools they fail, never pass.
//!
//! `PANEL_SCREENSHOTS=dir` makes the panel test also save `panel-light.png` and
//! `panel-dark.png` there (the README's screenshots), after its checks, with an app playing a
//! pattern on the device.

use crate::cli::{ServerProcess, Simulator, have};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BUTTPLUG_JS: &str = "buttplug@5.0.2";
const PUPPETEER_CORE: &str = "puppeteer-core@24.43.1";

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Check the tools and install the npm packages once (tests in parallel wait for the one
/// install).
fn node_modules() -> PathBuf {
    for tool in ["node", "npm"] {
        assert!(
            have(tool),
            "browser tests cannot run: {tool} is not installed"
        );
    }
    assert!(
        chromium().exists(),
        "browser tests cannot run: no Chromium at {} (apt-get install chromium, or set CHROMIUM)",
        chromium().display()
    );
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-js");
    let stamp = dir.join("installed");
    let want = format!("{BUTTPLUG_JS} {PUPPETEER_CORE}");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == want) {
        return dir.join("node_modules");
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"buttplug-browser-tests","private":true,"version":"0.0.0"}"#,
    )
    .unwrap();
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent"])
        .args([BUTTPLUG_JS, PUPPETEER_CORE])
        // puppeteer-core downloads no browser; the Chromium under test is the system's.
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .current_dir(&dir)
        .output()
        .expect("run npm");
    assert!(
        out.status.success(),
        "npm install failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&stamp, want).unwrap();
    dir.join("node_modules")
}

/// Run one of the scripts in `tests/browser`; its last stdout line is JSON.
fn node(script: &str, args: &[&str]) -> serde_json::Value {
    let modules = node_modules();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser")
        .join(script);
    let mut command = Command::new("node");
    command
        .arg(&path)
        .args(args)
        .env("NODE_PATH", &modules)
        .env("CHROMIUM", chromium());
    let out = command.output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{script} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {stdout}"))
}

/// What the device received, without the battery reads (the panel reads the battery when the
/// device appears, at a time of its own).
fn received_without_battery(sim: &Simulator) -> Vec<String> {
    sim.received_until_quiet(Duration::from_millis(700))
        .into_iter()
        .filter(|l| l != "\"Battery;\"")
        .collect()
}

/// Our server with the web panel on a free port and `extra` flags, a simulated Lovense Hush
/// connected to it, and the panel's URL.
fn panel_server(extra: &[&str]) -> (ServerProcess, String, Simulator) {
    let mut args = vec!["--use-device-websocket-server", "--web-port", "0"];
    args.extend_from_slice(extra);
    let mut server = ServerProcess::start(&args);
    let panel = format!(
        "http://{}",
        server.wait_for_line("web panel listening on http://")
    );
    let sim = server.simulate_hush();
    (server, panel, sim)
}

#[test]
#[ignore = "needs node, npm, the npm registry and chromium; .ci/run runs it"]
fn tool_web_panel_in_chromium() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-panel");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let user_config = dir.join("user.json");
    let user_config_arg = user_config.display().to_string();
    let modules = node_modules();
    let (server, panel, sim) = panel_server(&[
        "--user-device-config-file",
        &user_config_arg,
        // A server-wide cap above every level the test drives: the panel shows it as the
        // default until it sets the device's own.
        "--max-level",
        "0.9",
    ]);
    let screenshots = std::env::var("PANEL_SCREENSHOTS").unwrap_or_default();
    let mut args = vec![panel.as_str(), server.client_url.as_str()];
    if !screenshots.is_empty() {
        args.push(&screenshots);
    }
    assert!(modules.join("buttplug").exists());
    let seen = node("panel.js", &args);
    assert_eq!(seen["ok"], true, "{seen}");
    let mut received = received_without_battery(&sim);
    if !screenshots.is_empty() {
        // The pattern played for the screenshots comes after the checked part.
        received.truncate(7);
    }
    assert_eq!(
        received,
        [
            "\"DeviceType;\"",
            // The app at 0.5.
            "\"Vibrate:10;\"",
            // The app at 1.0 after the panel's 25 % cap.
            "\"Vibrate:5;\"",
            // Stop All.
            "\"Vibrate:0;\"",
            // The app disconnects: the server stops what it used.
            "\"Vibrate:0;\"",
            // The panel's slider at 20 % with the app gone.
            "\"Vibrate:4;\"",
            // Stop All again.
            "\"Vibrate:0;\"",
        ]
    );
    // The cap is in the user config file, for the next run.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&user_config).unwrap()).unwrap();
    let entry = &saved["user_configs"]["devices"][0];
    assert_eq!(entry["identifier"]["identifier"], "Z", "{saved}");
    // (The screenshots are taken with a cap of 80 %.)
    let cap = if screenshots.is_empty() { 0.25 } else { 0.8 };
    assert_eq!(entry["config"]["user_config"]["max_level"], cap, "{saved}");
}

#[test]
#[ignore = "needs node, npm, the npm registry and chromium; .ci/run runs it"]
fn tool_web_panel_shows_who_holds_a_device_of_a_shared_server() {
    let modules = node_modules();
    let (server, panel, sim) = panel_server(&["--max-clients", "2"]);
    assert!(modules.join("buttplug").exists());
    let seen = node(
        "panel_shared.js",
        &[panel.as_str(), server.client_url.as_str()],
    );
    assert_eq!(seen["ok"], true, "{seen}");
    assert!(
        seen["refused"]
            .as_str()
            .is_some_and(|m| m.contains("is in use by another client (\"alice\")")),
        "{seen}"
    );
    assert_eq!(
        received_without_battery(&sim),
        [
            "\"DeviceType;\"",
            // Alice at 0.5; Bob's 1.0 is refused.
            "\"Vibrate:10;\"",
            // Alice's stop.
            "\"Vibrate:0;\"",
            // Bob at 0.25.
            "\"Vibrate:5;\"",
            // The panel's Stop all.
            "\"Vibrate:0;\"",
            // Each app sends StopAllDevices as it disconnects (buttplug-js does): in a shared
            // server that stops every device no other app holds, this free one included.
            "\"Vibrate:0;\"",
            "\"Vibrate:0;\"",
        ]
    );
}

#[test]
#[ignore = "needs node, npm, the npm registry and chromium; .ci/run runs it"]
fn tool_buttplug_js_browser_build_in_chromium() {
    let server = ServerProcess::start(&["--use-device-websocket-server"]);
    let sim = server.simulate_hush();
    let seen = node("buttplug_js.js", &[&server.client_url]);
    assert_eq!(seen["name"], "Lovense Hush", "{seen}");
    assert_eq!(seen["websocket"], "function", "{seen}");
    assert_eq!(
        sim.wait_for_lines(3),
        ["\"DeviceType;\"", "\"Vibrate:10;\"", "\"Vibrate:0;\""]
    );
}

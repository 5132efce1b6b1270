//! `serve` and the user device config file: a file that does not load stops the server with a
//! compiler-style message, `simulated_devices` entries are served, and newly seen devices are
//! written back with their indexes.

use crate::cli::ServerProcess;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_buttplug")
}

/// A fresh directory for one test, removed when it drops.
fn dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("buttplug-cli-user-{name}-"))
        .tempdir()
        .unwrap()
}

/// Run `serve` with this user config; it must exit on its own within 10 s. Exit status and
/// stderr.
fn serve_expecting_exit(user_config: &Path) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(bin())
        .args([
            "serve",
            "--websocket-port",
            "0",
            "--user-device-config-file",
        ])
        .arg(user_config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started with a user config that does not load");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status, stderr)
}

#[test]
fn a_user_config_with_a_typo_stops_the_server_naming_file_line_column_and_expectation() {
    let d = dir("typo");
    let path = d.path().join("user.json");
    // Line 6, column 19: `denny` is not a field.
    std::fs::write(
        &path,
        r#"{
  "version": {"major": 5, "minor": 0},
  "user_configs": {
    "devices": [{
      "identifier": {"protocol": "lovense", "identifier": "Z", "address": "AA"},
      "config": {"id": "a", "base_id": "b", "user_config": {"denny": true, "index": 0}}
    }]
  }
}"#,
    )
    .unwrap();
    let (status, stderr) = serve_expecting_exit(&path);
    assert!(!status.success(), "{status:?} {stderr}");
    let place = format!("{}:6:", path.display());
    assert!(stderr.contains(&place), "{stderr}");
    assert!(
        stderr.contains("unknown field `denny`, expected one of `allow`, `deny`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("user_configs.devices[0].config.user_config"),
        "{stderr}"
    );
}

#[test]
fn a_user_config_that_is_not_json_stops_the_server() {
    let d = dir("syntax");
    let path = d.path().join("user.json");
    std::fs::write(&path, "{\n  \"version\": {\"major\": 5 \"minor\": 0}\n}").unwrap();
    let (status, stderr) = serve_expecting_exit(&path);
    assert!(!status.success(), "{status:?} {stderr}");
    assert!(
        stderr.contains(&format!("{}:2:26:", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("expected `,` or `}`"), "{stderr}");
    // The file is left as it was.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\n  \"version\": {\"major\": 5 \"minor\": 0}\n}"
    );
}

/// Connect a client, scan, and return the devices it sees as `(index, name)` once there are
/// `count`.
fn scan(client_url: &str, count: usize) -> Vec<(u32, String)> {
    let url = client_url.to_string();
    async_std::task::block_on(async move {
        let client = buttplug_client::ButtplugClient::new("user config test");
        let driver = client
            .connect(buttplug_transport_ws::WebsocketClientConnector::new(url))
            .await
            .unwrap();
        async_std::task::spawn(driver);
        client.start_scanning().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while client.devices().len() < count {
            assert!(Instant::now() < deadline, "devices: {:?}", client.devices());
            async_std::task::sleep(Duration::from_millis(20)).await;
        }
        let mut found: Vec<_> = client
            .devices()
            .iter()
            .map(|d| (d.index(), d.name().to_string()))
            .collect();
        found.sort();
        let _ = client.disconnect().await;
        found
    })
}

#[test]
fn simulated_devices_of_the_user_config_are_served_and_new_devices_are_written_back() {
    let d = dir("simulated");
    let path = d.path().join("user.json");
    let original = r#"{
  "version": {"major": 5, "minor": 0},
  "user_configs": {
    "simulated_devices": [
      {"identifier": "simulated-2vibe", "address": "sim-two"},
      {"identifier": "simulated-1vibe", "address": "sim-one"}
    ]
  }
}"#;
    std::fs::write(&path, original).unwrap();
    let user = path.to_str().unwrap();
    let server = ServerProcess::start(&["--user-device-config-file", user]);
    let found = scan(&server.client_url, 2);
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        vec!["Simulated 1-Motor Vibrator", "Simulated 2-Motor Vibrator"],
        "{found:?}"
    );
    let status = server.terminate();
    assert!(status.success(), "{status:?}");

    // Both devices and their indexes are in the file now; the user's entries are kept.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let before: serde_json::Value = serde_json::from_str(original).unwrap();
    assert_eq!(
        saved["user_configs"]["simulated_devices"],
        before["user_configs"]["simulated_devices"]
    );
    let mut saved_indexes: Vec<(String, u64)> = saved["user_configs"]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["identifier"]["address"].as_str().unwrap().to_string(),
                e["config"]["user_config"]["index"].as_u64().unwrap(),
            )
        })
        .collect();
    saved_indexes.sort();
    let first_run: Vec<u32> = found.iter().map(|(i, _)| *i).collect();
    assert_eq!(first_run, vec![0, 1]);
    assert_eq!(saved_indexes.len(), 2, "{saved_indexes:?}");

    // A restart keeps them: same index for the same device, whatever order they come in.
    let server = ServerProcess::start(&["--user-device-config-file", user]);
    let again = scan(&server.client_url, 2);
    assert_eq!(again, found);
    drop(server);
    let by_name: Vec<(String, u32)> = found.into_iter().map(|(i, n)| (n, i)).collect();
    let one = by_name
        .iter()
        .find(|(n, _)| n.contains("1-Motor"))
        .unwrap()
        .1;
    assert_eq!(
        saved_indexes
            .iter()
            .find(|(a, _)| a == "sim-one")
            .map(|(_, i)| *i),
        Some(u64::from(one))
    );
}

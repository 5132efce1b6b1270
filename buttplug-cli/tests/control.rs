//! `serve --max-level` on the wire, and the emergency stop from outside the app: `buttplug stop`
//! through the control socket and SIGUSR1, while a client keeps its connection open.

use crate::cli::{ServerProcess, bin};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn buttplug_stop_and_sigusr1_stop_every_device_while_the_client_stays() {
    let dir = std::env::temp_dir().join(format!("buttplug-control-{}", std::process::id()));
    let socket = dir.join("control.sock");
    let socket_arg = socket.to_str().unwrap().to_string();
    let server = ServerProcess::start(&[
        "--use-device-websocket-server",
        "--max-level",
        "0.6",
        "--control-socket",
        &socket_arg,
    ]);
    let sim = server.simulate_hush();
    assert_eq!(sim.wait_for_lines(1), vec!["\"DeviceType;\"".to_string()]);
    // A client drives the toy on request and stays connected (it hangs, as far as the server
    // knows).
    let client_url = server.client_url.clone();
    let (go_tx, go_rx) = mpsc::channel::<f64>();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        async_std::task::block_on(async move {
            let client = buttplug_client::ButtplugClient::new("control test");
            let driver = client
                .connect(buttplug_transport_ws::WebsocketClientConnector::new(
                    client_url,
                ))
                .await
                .unwrap();
            async_std::task::spawn(driver);
            let device = client.devices().into_iter().next().expect("device listed");
            while let Ok(level) = go_rx.recv() {
                device.vibrate(level).await.unwrap();
                done_tx.send(()).unwrap();
            }
        });
    });
    let drive = |level: f64| {
        go_tx.send(level).unwrap();
        done_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    };
    // Full speed is capped by --max-level: 12 of 20.
    drive(1.0);
    assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:12;\"".to_string()]);

    let out = Command::new(bin())
        .args(["stop", "--control-socket", &socket_arg])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "stopped 1");
    assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:0;\"".to_string()]);

    drive(0.5);
    assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:10;\"".to_string()]);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.pid()),
        nix::sys::signal::Signal::SIGUSR1,
    )
    .unwrap();
    assert_eq!(sim.wait_for_lines(1), vec!["\"Vibrate:0;\"".to_string()]);

    // Without a server, `buttplug stop` fails and says where it looked.
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(bin())
        .args(["stop", "--control-socket", &socket_arg])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no server at"),
        "{out:?}"
    );
}

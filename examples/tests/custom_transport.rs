//! Runs the `custom_transport` example (a Unix socket transport of a few dozen lines) and checks
//! what the simulated toy received through it.
#![cfg(unix)]
#![allow(clippy::unwrap_used)] // tests unwrap: a panic is the failure report

#[path = "../custom_transport.rs"]
mod custom_transport;

#[test]
fn the_unix_socket_transport_drives_a_simulated_device() {
    let path = std::env::temp_dir().join(format!(
        "buttplug-custom-transport-test-{}.sock",
        std::process::id()
    ));
    let writes = async_std::task::block_on(custom_transport::run(&path)).unwrap();
    let texts: Vec<String> = writes
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    // Half speed of 20 steps, then the stop.
    assert!(
        texts.iter().any(|t| t == "Vibrate:10;"),
        "the toy received {texts:?}"
    );
    assert_eq!(
        texts.last().map(String::as_str),
        Some("Vibrate:0;"),
        "{texts:?}"
    );
    assert!(!path.exists(), "the example cleans up its socket");
}

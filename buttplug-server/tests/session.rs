//! Session behaviour over the JSON path: handshake, versions, errors, stop semantics, safety.

use crate::util::{Client, hush, name, server_with};
use buttplug_devices::{Endpoint, HardwareCommand};
use serde_json::json;
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    buttplug_server::block_on(f)
}

#[test]
fn handshake_answers_in_the_clients_shape() {
    run(async {
        let server = server_with(vec![], None, Duration::ZERO);
        for (version, key) in [
            (0, "MajorVersion"),
            (2, "MessageVersion"),
            (3, "MessageVersion"),
            (4, "ProtocolVersionMajor"),
        ] {
            let mut c = Client::new(&server);
            let r = c.handshake(version).await;
            assert_eq!(name(&r), "ServerInfo", "{r}");
            assert!(r["ServerInfo"].get(key).is_some(), "v{version}: {r}");
            if version == 2 || version == 3 {
                assert_eq!(r["ServerInfo"]["MessageVersion"], json!(version));
            }
        }
    });
}

#[test]
fn newer_major_than_ours_is_an_init_error() {
    run(async {
        let server = server_with(vec![], None, Duration::ZERO);
        let mut c = Client::new(&server);
        let r = c.handshake(5).await;
        assert_eq!(r["Error"]["ErrorCode"], json!(1), "{r}");
    });
}

#[test]
fn messages_before_handshake_get_init_error_and_session_lives_on() {
    run(async {
        let server = server_with(vec![], None, Duration::ZERO);
        let mut c = Client::new(&server);
        let r = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(r["Error"]["ErrorCode"], json!(1), "{r}");
        let r = c.handshake(4).await;
        assert_eq!(name(&r), "ServerInfo");
    });
}

#[test]
fn bad_frames_get_error_replies_and_the_session_lives_on() {
    run(async {
        let server = server_with(vec![], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        for bad in [
            "not json",
            "{}",
            "[]",
            "[{\"Nope\":{\"Id\":3}}]",
            "[{\"Ping\":{\"Id\":0}}]",
        ] {
            c.send_raw(bad).await;
            let r = c.recv().await;
            assert_eq!(name(&r), "Error", "{bad} -> {r}");
            assert_eq!(r["Error"]["ErrorCode"], json!(3), "{bad} -> {r}");
        }
        let r = c.request(json!({"Ping": {}})).await;
        assert_eq!(name(&r), "Ok");
    });
}

#[test]
fn v4_vibrate_reaches_the_hush_and_disconnect_stops_it() {
    run(async {
        let hw = hush("aa:01");
        let server = server_with(vec![hw.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        let list = c.wait_for_devices(1).await;
        assert_eq!(
            list["DeviceList"]["Devices"]["0"]["DeviceName"],
            json!("Lovense Hush"),
            "{list}"
        );
        hw.take_commands();
        let r = c.request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 10}}}})).await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                b"Vibrate:10;".to_vec()
            )]
        );
        // Identical repeat: Ok, nothing written.
        let r = c.request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 10}}}})).await;
        assert_eq!(name(&r), "Ok");
        assert!(hw.take_commands().is_empty());
        // Out of range.
        let r = c.request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 25}}}})).await;
        assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
        drop(c);
        assert!(hw.wait_for_commands(1, Duration::from_secs(2)).await);
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::write(Endpoint::Tx, b"Vibrate:0;".to_vec())]
        );
    });
}

#[test]
fn missed_ping_stops_devices_and_sends_ping_error() {
    run(async {
        let hw = hush("aa:02");
        let server = server_with(vec![hw.clone()], None, Duration::from_millis(150));
        let mut c = Client::new(&server);
        let r = c.handshake(3).await;
        assert_eq!(r["ServerInfo"]["MaxPingTime"], json!(150));
        c.wait_for_devices(1).await;
        let r = c.request(json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [{"Index": 0, "Scalar": 0.5, "ActuatorType": "Vibrate"}]}})).await;
        assert_eq!(name(&r), "Ok", "{r}");
        hw.take_commands();
        // No ping: within ~150 ms the session ends with a ping error and the stop bytes.
        let mut got_error = false;
        for _ in 0..10 {
            let m = c.recv().await;
            if name(&m) == "Error" {
                assert_eq!(m["Error"]["ErrorCode"], json!(2), "{m}");
                assert_eq!(m["Error"]["Id"], json!(0));
                got_error = true;
                break;
            }
        }
        assert!(got_error);
        assert!(hw.wait_for_commands(1, Duration::from_secs(1)).await);
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::write(Endpoint::Tx, b"Vibrate:0;".to_vec())]
        );
    });
}

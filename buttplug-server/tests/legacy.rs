//! Legacy (v0–v2) paths the fixture format cannot express: RSSI from the transport and raw
//! endpoint access, each with the exact hardware commands; and the v0/v1 device lists agreeing
//! with what the server accepts.

use crate::util::{Client, hush, name, server_with, server_with_config};
use buttplug_devices::{Endpoint, Hardware, HardwareCommand, SimulatedHardware};
use serde_json::{Value, json};
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    buttplug_server::block_on(f)
}

/// A simulated Lovense Hush whose transport reports `rssi` dBm.
fn hush_with_rssi(address: &str, rssi: i16) -> SimulatedHardware {
    let hw = SimulatedHardware::builder("LVS-Z36D", address)
        .rssi(rssi)
        .build();
    hw.add_reply(
        Endpoint::Tx,
        b"DeviceType;".to_vec(),
        Endpoint::Rx,
        b"Z:11:0082059AD3BD;".to_vec(),
    );
    hw
}

#[test]
fn rssi_level_is_read_from_the_transport() {
    run(async {
        let hw = hush_with_rssi("aa:01", -57);
        let server = server_with(vec![hw.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(2).await;
        let list = c.wait_for_devices(1).await;
        assert_eq!(
            list["DeviceList"]["Devices"][0]["DeviceMessages"]["RSSILevelCmd"],
            json!({}),
            "{list}"
        );
        hw.take_commands();
        let r = c.request(json!({"RSSILevelCmd": {"DeviceIndex": 0}})).await;
        assert_eq!(
            r,
            json!({"RSSILevelReading": {"Id": 3 + list_requests(&list), "DeviceIndex": 0, "RSSILevel": -57}})
        );
        hw.set_rssi(Some(-81));
        let r = c.request(json!({"RSSILevelCmd": {"DeviceIndex": 0}})).await;
        assert_eq!(r["RSSILevelReading"]["RSSILevel"], json!(-81), "{r}");
        // The transport answers; nothing is written to the device.
        assert_eq!(hw.take_commands(), vec![]);
    });
}

/// Requests `wait_for_devices` made before the list (its reply Id minus the handshake and
/// StartScanning).
fn list_requests(list: &Value) -> u64 {
    list["DeviceList"]["Id"].as_u64().unwrap() - 2
}

#[test]
fn rssi_level_without_a_source_is_a_device_error() {
    run(async {
        let server = server_with(vec![hush("aa:02")], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(2).await;
        let list = c.wait_for_devices(1).await;
        assert!(
            list["DeviceList"]["Devices"][0]["DeviceMessages"]
                .get("RSSILevelCmd")
                .is_none(),
            "{list}"
        );
        let r = c.request(json!({"RSSILevelCmd": {"DeviceIndex": 0}})).await;
        assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
    });
}

#[test]
fn raw_commands_reach_the_hardware_exactly() {
    for version in [2, 3] {
        run(async {
            let hw = hush(&format!("aa:1{version}"));
            let (server, _) = server_with_config(vec![hw.clone()], None, None, true);
            let mut c = Client::new(&server);
            c.handshake(version).await;
            c.wait_for_devices(1).await;
            hw.take_commands();

            let r = c
                .request(json!({"RawWriteCmd": {"DeviceIndex": 0, "Endpoint": "tx", "Data": [1, 2, 255], "WriteWithResponse": true}}))
                .await;
            assert_eq!(name(&r), "Ok", "{r}");
            assert_eq!(
                hw.take_commands(),
                vec![HardwareCommand::write_with_response(
                    Endpoint::Tx,
                    vec![1, 2, 255]
                )]
            );

            hw.push_read(Endpoint::Rx, vec![9, 8, 7]);
            let r = c
                .request(json!({"RawReadCmd": {"DeviceIndex": 0, "Endpoint": "rx", "Length": 3, "WaitForData": false}}))
                .await;
            assert_eq!(r["RawReading"]["Data"], json!([9, 8, 7]), "{r}");
            assert_eq!(r["RawReading"]["Endpoint"], json!("rx"), "{r}");
            assert_eq!(hw.take_commands(), vec![], "a read writes nothing");

            let r = c
                .request(json!({"RawSubscribeCmd": {"DeviceIndex": 0, "Endpoint": "rx"}}))
                .await;
            assert_eq!(name(&r), "Ok", "{r}");
            assert_eq!(
                hw.take_commands(),
                vec![HardwareCommand::subscribe(Endpoint::Rx)]
            );
            hw.notify(Endpoint::Rx, b"ab".to_vec());
            let mut event = c.recv().await;
            while name(&event) == "DeviceAdded" {
                event = c.recv().await;
            }
            assert_eq!(
                event,
                json!({"RawReading": {"Id": 0, "DeviceIndex": 0, "Endpoint": "rx", "Data": [97, 98]}})
            );

            let r = c
                .request(json!({"RawUnsubscribeCmd": {"DeviceIndex": 0, "Endpoint": "rx"}}))
                .await;
            assert_eq!(name(&r), "Ok", "{r}");
            assert_eq!(
                hw.take_commands(),
                vec![HardwareCommand::unsubscribe(Endpoint::Rx)]
            );
            // Unsubscribing again changes nothing (the protocol's own subscription stays).
            let r = c
                .request(json!({"RawUnsubscribeCmd": {"DeviceIndex": 0, "Endpoint": "rx"}}))
                .await;
            assert_eq!(name(&r), "Ok", "{r}");
            assert_eq!(hw.take_commands(), vec![]);
            let r = c
                .request(json!({"RawWriteCmd": {"DeviceIndex": 0, "Endpoint": "txvibrate", "Data": [1], "WriteWithResponse": false}}))
                .await;
            assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
            assert_eq!(hw.take_commands(), vec![]);
        });
    }
}

fn with_reply(name: &str, endpoints: &[Endpoint], device_type: Option<&str>) -> SimulatedHardware {
    let hw = SimulatedHardware::builder(name, format!("bb:{name}"))
        .endpoints(endpoints.iter().copied())
        .build();
    if let Some(reply) = device_type {
        hw.add_reply(
            Endpoint::Tx,
            b"DeviceType;".to_vec(),
            Endpoint::Rx,
            reply.as_bytes().to_vec(),
        );
    }
    hw
}

/// The v0 and v1 device lists name exactly the legacy commands the server accepts: for a
/// stroker, a rotator, a vibrator and a Lovense rotator+vibrator, each command is answered `Ok`
/// if and only if the list names it.
#[test]
fn v0_v1_lists_name_exactly_what_is_accepted() {
    let devices = [
        with_reply(
            "Launch",
            &[Endpoint::Tx, Endpoint::Rx, Endpoint::Firmware],
            None,
        ),
        with_reply("CycSA", &[Endpoint::Tx], None),
        with_reply(
            "LVS-Z36D",
            &[Endpoint::Tx, Endpoint::Rx],
            Some("Z:11:0082059AD3BD;"),
        ),
        with_reply(
            "LVS-A011",
            &[Endpoint::Tx, Endpoint::Rx],
            Some("A:240:C44F33112233;"),
        ),
    ];
    let commands = [
        json!({"SingleMotorVibrateCmd": {"DeviceIndex": 0, "Speed": 0.5}}),
        json!({"FleshlightLaunchFW12Cmd": {"DeviceIndex": 0, "Position": 50, "Speed": 50}}),
        json!({"KiirooCmd": {"DeviceIndex": 0, "Command": "2"}}),
        json!({"LovenseCmd": {"DeviceIndex": 0, "Command": "Vibrate:1;"}}),
        json!({"VorzeA10CycloneCmd": {"DeviceIndex": 0, "Speed": 10, "Clockwise": true}}),
    ];
    for hw in devices {
        run(async {
            let server = server_with(vec![hw.clone()], None, Duration::ZERO);
            for version in [0, 1] {
                let mut c = Client::new(&server);
                c.handshake(version).await;
                let list = c.wait_for_devices(1).await;
                let messages = &list["DeviceList"]["Devices"][0]["DeviceMessages"];
                let listed: Vec<String> = match messages {
                    Value::Array(a) => a.iter().map(|m| m.as_str().unwrap().into()).collect(),
                    Value::Object(o) => o.keys().cloned().collect(),
                    other => panic!("bad DeviceMessages {other}"),
                };
                let mut accepted = 0;
                for command in &commands {
                    let what = name(command).to_string();
                    let r = c.request(command.clone()).await;
                    let ok = name(&r) == "Ok";
                    accepted += usize::from(ok);
                    assert_eq!(
                        ok,
                        listed.contains(&what),
                        "{} v{version}: {what} answered {r}, list {listed:?}",
                        hw.name()
                    );
                }
                assert!(accepted > 0, "{}: nothing accepted", hw.name());
            }
        });
    }
}

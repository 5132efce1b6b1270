//! Server behaviour the issue list asks for: stop semantics, index reuse, allow/deny, the output
//! pipeline under a flood, devices that vanish, raw commands, Disconnect.

use crate::util::{Client, edge, hush, name, server_with, server_with_config, texts, wait_texts};
use buttplug_server::managers::simulated::SimulatedDevice;
use serde_json::json;
use std::time::{Duration, Instant};

fn run<F: std::future::Future>(f: F) -> F::Output {
    buttplug_server::block_on(f)
}

/// A server with one simulated device of the database, a client at `version` that saw it added.
async fn database_device(
    name: &str,
    address: &str,
    gap: Option<Duration>,
    version: u32,
) -> (
    buttplug_server::ButtplugServer,
    buttplug_devices::SimulatedHardware,
    Client,
) {
    let db = buttplug_devices::DeviceDatabase::builtin();
    let plan = buttplug_devices::simulated_device(db, name, address).unwrap();
    let hw = plan.hardware.clone();
    let server = server_with(vec![plan.hardware], gap, Duration::ZERO);
    let mut c = Client::new(&server);
    c.handshake(version).await;
    c.wait_for_devices(1).await;
    (server, hw, c)
}

fn vibrate(device: u32, feature: u32, value: i32) -> serde_json::Value {
    json!({"OutputCmd": {"DeviceIndex": device, "FeatureIndex": feature, "Command": {"Vibrate": {"Value": value}}}})
}

#[test]
fn stop_cmd_honours_device_feature_inputs_and_outputs() {
    run(async {
        let a = edge("aa:10");
        let b = hush("aa:11");
        let server = server_with(vec![a.clone(), b.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(2).await;
        let (ia, ib) = {
            let list = c.request(json!({"RequestDeviceList": {}})).await;
            let devices = list["DeviceList"]["Devices"].as_object().unwrap().clone();
            let index_of = |n: &str| {
                devices
                    .values()
                    .find(|d| d["DeviceName"] == json!(n))
                    .map(|d| d["DeviceIndex"].as_u64().unwrap() as u32)
                    .unwrap()
            };
            (index_of("Lovense Edge"), index_of("Lovense Hush"))
        };
        texts(&a);
        texts(&b);
        for (d, f, v) in [(ia, 0, 5), (ia, 1, 6), (ib, 0, 7)] {
            assert_eq!(name(&c.request(vibrate(d, f, v)).await), "Ok");
        }
        assert_eq!(texts(&a), vec!["Vibrate1:5;", "Vibrate2:6;"]);
        assert_eq!(texts(&b), vec!["Vibrate:7;"]);

        // One feature of one device.
        let r = c
            .request(json!({"StopCmd": {"DeviceIndex": ia, "FeatureIndex": 1}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(texts(&a), vec!["Vibrate2:0;"]);
        assert!(texts(&b).is_empty());

        // Outputs false: nothing stops.
        let r = c
            .request(json!({"StopCmd": {"DeviceIndex": ia, "Outputs": false}}))
            .await;
        assert_eq!(name(&r), "Ok");
        assert!(texts(&a).is_empty());

        // One device.
        let r = c.request(json!({"StopCmd": {"DeviceIndex": ib}})).await;
        assert_eq!(name(&r), "Ok");
        assert_eq!(texts(&b), vec!["Vibrate:0;"]);
        assert!(texts(&a).is_empty());

        // Everything: every output gets its stop, also those already at rest.
        let r = c.request(json!({"StopCmd": {}})).await;
        assert_eq!(name(&r), "Ok");
        assert_eq!(texts(&a), vec!["Vibrate1:0;", "Vibrate2:0;"]);
        assert_eq!(texts(&b), vec!["Vibrate:0;"]);

        // Unknown device / feature.
        let r = c.request(json!({"StopCmd": {"DeviceIndex": 9}})).await;
        assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
        let r = c
            .request(json!({"StopCmd": {"DeviceIndex": ia, "FeatureIndex": 9}}))
            .await;
        assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
    });
}

#[test]
fn stop_device_cmd_stops_only_that_device_at_v1() {
    run(async {
        let a = hush("aa:20");
        let b = hush("aa:21");
        let server = server_with(vec![a.clone(), b.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(1).await;
        c.wait_for_devices(2).await;
        texts(&a);
        texts(&b);
        for d in [0, 1] {
            let r = c
                .request(json!({"VibrateCmd": {"DeviceIndex": d, "Speeds": [{"Index": 0, "Speed": 0.5}]}}))
                .await;
            assert_eq!(name(&r), "Ok", "{r}");
        }
        let r = c
            .request(json!({"StopDeviceCmd": {"DeviceIndex": 1}}))
            .await;
        assert_eq!(name(&r), "Ok");
        let (sa, sb) = (texts(&a), texts(&b));
        let stopped: Vec<&Vec<String>> = [&sa, &sb]
            .into_iter()
            .filter(|t| t.last().map(String::as_str) == Some("Vibrate:0;"))
            .collect();
        assert_eq!(stopped.len(), 1, "{sa:?} {sb:?}");
        // A stop does not depend on what was driven: the device may be running from before
        // this session (another app, its own button), so both get theirs.
        let r = c.request(json!({"StopAllDevices": {}})).await;
        assert_eq!(name(&r), "Ok");
        assert_eq!(texts(&a), vec!["Vibrate:0;"]);
        assert_eq!(texts(&b), vec!["Vibrate:0;"]);
    });
}

#[test]
fn a_device_that_returns_gets_its_old_index() {
    run(async {
        let first = hush("aa:30");
        let other = edge("aa:31");
        let (server, sim) = server_with_config(vec![first.clone()], None, None, false);
        let mut c = Client::new(&server);
        c.handshake(3).await;
        let list = c.wait_for_devices(1).await;
        assert_eq!(list["DeviceList"]["Devices"][0]["DeviceIndex"], json!(0));
        first.simulate_disconnect();
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let m = c.recv().await;
            if name(&m) == "DeviceRemoved" {
                assert_eq!(m["DeviceRemoved"]["DeviceIndex"], json!(0));
                break;
            }
            assert!(Instant::now() < deadline);
        }
        // A different device arrives first and must not take index 0.
        sim.add(SimulatedDevice::ble(other));
        sim.add(SimulatedDevice::ble(hush("aa:30")));
        let r = c.request(json!({"StartScanning": {}})).await;
        assert_eq!(name(&r), "Ok");
        let mut indexes = std::collections::BTreeMap::new();
        while indexes.len() < 2 {
            let m = c.recv().await;
            if name(&m) == "DeviceAdded" {
                indexes.insert(
                    m["DeviceAdded"]["DeviceName"].as_str().unwrap().to_string(),
                    m["DeviceAdded"]["DeviceIndex"].as_u64().unwrap(),
                );
            }
        }
        assert_eq!(indexes["Lovense Hush"], 0);
        assert_eq!(indexes["Lovense Edge"], 1);
    });
}

#[test]
fn deny_and_allow_lists_are_honoured() {
    run(async {
        let deny = r#"{"version":{"major":4,"minor":0},"user_configs":{"devices":[
            {"identifier":{"protocol":"lovense","identifier":"Z","address":"aa:40"},
             "config":{"id":"00000000-0000-0000-0000-000000000001","base_id":"00000000-0000-0000-0000-000000000000","user_config":{"deny":true,"index":5}}}]}}"#;
        let (server, _) =
            server_with_config(vec![hush("aa:40"), hush("aa:41")], Some(deny), None, false);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        let list = c.wait_for_devices(1).await;
        buttplug_devices::sleep(Duration::from_millis(100)).await;
        let list2 = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(list["DeviceList"]["Devices"].as_object().unwrap().len(), 1);
        assert_eq!(
            list2["DeviceList"]["Devices"].as_object().unwrap().len(),
            1,
            "{list2}"
        );

        let allow = deny.replace("\"deny\":true", "\"allow\":true");
        let (server, _) = server_with_config(
            vec![hush("aa:40"), hush("aa:41")],
            Some(&allow),
            None,
            false,
        );
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        buttplug_devices::sleep(Duration::from_millis(100)).await;
        let list = c.request(json!({"RequestDeviceList": {}})).await;
        let devices = list["DeviceList"]["Devices"].as_object().unwrap();
        assert_eq!(devices.len(), 1, "{list}");
        // The allowed device got its reserved index.
        assert!(devices.contains_key("5"), "{list}");
    });
}

#[test]
fn a_flood_is_coalesced_to_the_gap_and_ends_on_the_last_value() {
    run(async {
        let hw = hush("aa:50");
        let gap = Duration::from_millis(100);
        let server = server_with(vec![hw.clone()], Some(gap), Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        hw.take_commands();
        let start = Instant::now();
        let mut last = 0;
        for i in 0..10_000u32 {
            last = (i % 20 + 1) as i32;
            let r = c.request(vibrate(0, 0, last)).await;
            assert_eq!(name(&r), "Ok", "{r}");
        }
        let elapsed = start.elapsed();
        // Let the final queued value land.
        buttplug_devices::sleep(gap * 2).await;
        let writes = texts(&hw);
        let allowed = (elapsed.as_millis() / gap.as_millis()) as usize + 2;
        assert!(
            writes.len() <= allowed,
            "{} writes in {elapsed:?} with a {gap:?} gap",
            writes.len()
        );
        assert_eq!(writes.last().cloned(), Some(format!("Vibrate:{last};")));
        // And the gap really is kept between writes.
        let times: Vec<Instant> = hw.recorded().iter().map(|r| r.at).collect();
        assert!(
            times
                .windows(2)
                .all(|w| w[1] - w[0] >= gap - Duration::from_millis(5))
        );
        // The device reports the gap it enforces.
        let list = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(
            list["DeviceList"]["Devices"]["0"]["DeviceMessageTimingGap"],
            json!(100)
        );
    });
}

#[test]
fn a_device_that_vanishes_mid_command_is_removed_without_panic() {
    run(async {
        let hw = hush("aa:60");
        let server = server_with(vec![hw.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(3).await;
        c.wait_for_devices(1).await;
        let r = c
            .request(json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [{"Index": 0, "Scalar": 0.5, "ActuatorType": "Vibrate"}]}}))
            .await;
        assert_eq!(name(&r), "Ok");
        hw.simulate_disconnect();
        // Commands after the drop get ERROR_DEVICE, never Ok.
        let mut removed = false;
        for _ in 0..50 {
            let r = c
                .request(json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [{"Index": 0, "Scalar": 0.2, "ActuatorType": "Vibrate"}]}}))
                .await;
            assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
            if c.backlog.iter().any(|m| name(m) == "DeviceRemoved") {
                removed = true;
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(10)).await;
        }
        assert!(removed, "no DeviceRemoved event");
        // The session is still usable.
        assert_eq!(name(&c.request(json!({"Ping": {}})).await), "Ok");
    });
}

#[test]
fn raw_commands_only_when_enabled() {
    run(async {
        let (server, _) = server_with_config(vec![hush("aa:70")], None, None, false);
        let mut c = Client::new(&server);
        c.handshake(2).await;
        c.wait_for_devices(1).await;
        let r = c
            .request(json!({"RawWriteCmd": {"DeviceIndex": 0, "Endpoint": "tx", "Data": [1, 2], "WriteWithResponse": false}}))
            .await;
        assert_eq!(r["Error"]["ErrorCode"], json!(3), "{r}");

        let hw = hush("aa:71");
        let (server, _) = server_with_config(vec![hw.clone()], None, None, true);
        let mut c = Client::new(&server);
        c.handshake(2).await;
        let list = c.wait_for_devices(1).await;
        assert!(
            list["DeviceList"]["Devices"][0]["DeviceMessages"]["RawWriteCmd"].is_object(),
            "{list}"
        );
        texts(&hw);
        let r = c
            .request(json!({"RawWriteCmd": {"DeviceIndex": 0, "Endpoint": "tx", "Data": [65, 59], "WriteWithResponse": false}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(wait_texts(&hw, 1).await, vec!["A;"]);
    });
}

#[test]
fn v4_disconnect_answers_ok_stops_and_closes() {
    run(async {
        let hw = hush("aa:80");
        let server = server_with(vec![hw.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        assert_eq!(name(&c.request(vibrate(0, 0, 3)).await), "Ok");
        texts(&hw);
        let r = c.request(json!({"Disconnect": {}})).await;
        assert_eq!(name(&r), "Ok");
        assert_eq!(wait_texts(&hw, 1).await, vec!["Vibrate:0;"]);
        let closed = buttplug_devices::with_timeout(Duration::from_secs(2), c.rx.recv()).await;
        assert!(matches!(closed, Ok(Err(_))), "connection should be closed");
    });
}

#[test]
fn v3_battery_and_sensor_read_round_trip() {
    run(async {
        let hw = hush("aa:90");
        let server = server_with(vec![hw.clone()], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(2).await;
        c.wait_for_devices(1).await;
        let r = c
            .request(json!({"BatteryLevelCmd": {"DeviceIndex": 0}}))
            .await;
        assert_eq!(r["BatteryLevelReading"]["BatteryLevel"], json!(0.85), "{r}");
        let mut c3 = Client::new(&server);
        c3.handshake(3).await;
        let r = c3
            .request(json!({"SensorReadCmd": {"DeviceIndex": 0, "SensorIndex": 0, "SensorType": "Battery"}}))
            .await;
        assert_eq!(r["SensorReading"]["Data"], json!([85]), "{r}");
        let mut c4 = Client::new(&server);
        c4.handshake(4).await;
        let r = c4
            .request(json!({"InputCmd": {"DeviceIndex": 0, "FeatureIndex": 1, "Type": "Battery", "Command": "Read"}}))
            .await;
        assert_eq!(
            r["InputReading"]["Reading"]["Battery"]["Value"],
            json!(85),
            "{r}"
        );
    });
}

#[test]
fn keepalive_repeats_while_active_and_never_after_a_stop() {
    run(async {
        let (_server, hw, mut c) = database_device("MysteryVibe Crescendo", "aa:a0", None, 4).await;
        hw.take_commands();
        assert_eq!(name(&c.request(vibrate(0, 0, 30)).await), "Ok");
        // T(93 ms): the last packet is repeated while nothing else is written.
        buttplug_devices::sleep(Duration::from_millis(500)).await;
        let active = hw.take_commands();
        assert!(active.len() >= 4, "expected repeats, got {}", active.len());
        assert!(
            active.windows(2).all(|w| w[0] == w[1]),
            "repeats replay the last packet"
        );
        assert_eq!(
            name(&c.request(json!({"StopCmd": {"DeviceIndex": 0}})).await),
            "Ok"
        );
        buttplug_devices::sleep(Duration::from_millis(50)).await;
        let stop = hw.take_commands();
        assert_eq!(stop.len(), 1, "one stop packet: {stop:?}");
        buttplug_devices::sleep(Duration::from_millis(400)).await;
        assert!(hw.take_commands().is_empty(), "no keep-alive after a stop");
    });
}

#[test]
fn scanning_finished_only_when_managers_finish_on_their_own() {
    run(async {
        use buttplug_server::managers::simulated::SimulatedCommunicationManagerBuilder;
        let make = |duration: Option<Duration>| {
            let mut sim = SimulatedCommunicationManagerBuilder::new();
            if let Some(d) = duration {
                sim = sim.scan_duration(d);
            }
            let dm = buttplug_server::DeviceManagerBuilder::new(std::sync::Arc::new(
                buttplug_devices::DeviceDatabase::builtin().clone(),
            ))
            .comm_manager(sim)
            .finish()
            .unwrap();
            buttplug_server::ButtplugServerBuilder::new()
                .device_manager(dm)
                .finish()
        };
        // Finishes on its own after 50 ms: ScanningFinished (Id 0) arrives.
        let server = make(Some(Duration::from_millis(50)));
        let mut c = Client::new(&server);
        c.handshake(3).await;
        assert_eq!(name(&c.request(json!({"StartScanning": {}})).await), "Ok");
        let m = c.recv().await;
        assert_eq!(name(&m), "ScanningFinished", "{m}");
        assert_eq!(m["ScanningFinished"]["Id"], json!(0));
        // Stopped explicitly: no ScanningFinished.
        let server = make(None);
        let mut c = Client::new(&server);
        c.handshake(4).await;
        assert_eq!(name(&c.request(json!({"StartScanning": {}})).await), "Ok");
        assert_eq!(name(&c.request(json!({"StopScanning": {}})).await), "Ok");
        buttplug_devices::sleep(Duration::from_millis(100)).await;
        assert!(c.backlog.is_empty(), "{:?}", c.backlog);
        let r = buttplug_devices::with_timeout(Duration::from_millis(100), c.rx.recv()).await;
        assert!(r.is_err(), "unexpected message {r:?}");
    });
}

#[test]
fn v3_sensor_subscription_streams_readings_until_unsubscribed() {
    run(async {
        let db = buttplug_devices::DeviceDatabase::builtin();
        let plan = buttplug_devices::simulated_device(db, "kgoal-boost:", "aa:b0").unwrap();
        let hw = plan.hardware.clone();
        let server = server_with(vec![plan.hardware], None, Duration::ZERO);
        let mut c = Client::new(&server);
        c.handshake(3).await;
        let list = c.wait_for_devices(1).await;
        let sensors = &list["DeviceList"]["Devices"][0]["DeviceMessages"]["SensorSubscribeCmd"];
        assert_eq!(sensors[0]["SensorType"], json!("Pressure"), "{list}");
        let subscribe = json!({"SensorSubscribeCmd": {"DeviceIndex": 0, "SensorIndex": 0, "SensorType": "Pressure"}});
        assert_eq!(name(&c.request(subscribe).await), "Ok");
        hw.notify(
            buttplug_devices::Endpoint::RxPressure,
            vec![0, 0, 0, 1, 44, 2, 88],
        );
        let reading = loop {
            let m = c.recv().await;
            if name(&m) == "SensorReading" {
                break m;
            }
        };
        assert_eq!(reading["SensorReading"]["Id"], json!(0), "{reading}");
        assert_eq!(reading["SensorReading"]["Data"], json!([300]), "{reading}");
        let unsubscribe = json!({"SensorUnsubscribeCmd": {"DeviceIndex": 0, "SensorIndex": 0, "SensorType": "Pressure"}});
        assert_eq!(name(&c.request(unsubscribe).await), "Ok");
        hw.notify(
            buttplug_devices::Endpoint::RxPressure,
            vec![0, 0, 0, 2, 0, 4, 0],
        );
        buttplug_devices::sleep(Duration::from_millis(100)).await;
        assert!(
            !c.backlog.iter().any(|m| name(m) == "SensorReading"),
            "{:?}",
            c.backlog
        );
        let r = buttplug_devices::with_timeout(Duration::from_millis(100), c.rx.recv()).await;
        assert!(r.is_err(), "no reading after unsubscribe: {r:?}");
    });
}

#[test]
fn one_message_setting_two_motors_is_one_packet_and_a_gap_coalesces_into_one_change() {
    run(async {
        // Satisfyer Double Desire: one packet carries both motors, each value four times.
        let (_server, hw, mut c) =
            database_device("Satisfyer Double Desire", "aa:b0", None, 3).await;
        // The protocol repeats its last packet, so the device was stopped on connect, right
        // after the protocol's start byte.
        assert_eq!(
            hw.take_commands(),
            vec![
                buttplug_devices::HardwareCommand::write_with_response(
                    buttplug_devices::Endpoint::Command,
                    vec![1]
                ),
                buttplug_devices::HardwareCommand::write(
                    buttplug_devices::Endpoint::Tx,
                    vec![0; 8]
                )
            ]
        );
        let r = c
            .request(json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [
                {"Index": 0, "Scalar": 0.5, "ActuatorType": "Vibrate"},
                {"Index": 1, "Scalar": 0.25, "ActuatorType": "Vibrate"}]}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(
            hw.take_commands(),
            vec![buttplug_devices::HardwareCommand::write(
                buttplug_devices::Endpoint::Tx,
                vec![50, 50, 50, 50, 25, 25, 25, 25]
            )],
            "one packet with both motors"
        );
        // A stop is one packet too, and so is a stop of a device this session never drove.
        let r = c
            .request(json!({"StopDeviceCmd": {"DeviceIndex": 0}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        let r = c
            .request(json!({"StopDeviceCmd": {"DeviceIndex": 0}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        let stop =
            buttplug_devices::HardwareCommand::write(buttplug_devices::Endpoint::Tx, vec![0; 8]);
        assert_eq!(hw.take_commands(), vec![stop.clone(), stop]);
    });
}

#[test]
fn outputs_pending_under_the_message_gap_are_written_as_one_change() {
    run(async {
        let gap = Duration::from_millis(200);
        let (_server, hw, mut c) =
            database_device("Satisfyer Double Desire", "aa:b1", Some(gap), 4).await;
        // The stop on connect opened a gap: both commands wait for its end, then land together.
        hw.take_commands();
        for (f, v) in [(0, 10), (1, 20), (0, 30)] {
            assert_eq!(name(&c.request(vibrate(0, f, v)).await), "Ok");
        }
        buttplug_devices::sleep(gap * 2).await;
        assert_eq!(
            hw.take_commands(),
            vec![buttplug_devices::HardwareCommand::write(
                buttplug_devices::Endpoint::Tx,
                vec![30, 30, 30, 30, 20, 20, 20, 20]
            )]
        );
    });
}

#[test]
fn output_messages_of_one_frame_to_one_device_are_one_change() {
    run(async {
        let (_server, hw, mut c) =
            database_device("Satisfyer Double Desire", "aa:b2", None, 4).await;
        hw.take_commands();
        // Two OutputCmds in one frame (as a v4 client sends "vibrate every motor"): one packet,
        // and each message gets its own Ok.
        let frame = json!([
            {"OutputCmd": {"Id": 101, "DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 40}}}},
            {"OutputCmd": {"Id": 102, "DeviceIndex": 0, "FeatureIndex": 1, "Command": {"Vibrate": {"Value": 60}}}}
        ]);
        c.send_raw(&frame.to_string()).await;
        let mut oks = Vec::new();
        while oks.len() < 2 {
            let m = c.recv().await;
            if let Some(ok) = m.get("Ok") {
                oks.push(ok["Id"].as_u64().unwrap());
            }
        }
        oks.sort_unstable();
        assert_eq!(oks, vec![101, 102]);
        assert_eq!(
            hw.take_commands(),
            vec![buttplug_devices::HardwareCommand::write(
                buttplug_devices::Endpoint::Tx,
                vec![40, 40, 40, 40, 60, 60, 60, 60]
            )]
        );
        // A stop in the same frame ends the change: the outputs land, then the stop.
        let frame = json!([
            {"OutputCmd": {"Id": 103, "DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 10}}}},
            {"StopCmd": {"Id": 104, "DeviceIndex": 0}}
        ]);
        c.send_raw(&frame.to_string()).await;
        let mut replies = 0;
        while replies < 2 {
            if c.recv().await.get("Ok").is_some() {
                replies += 1;
            }
        }
        assert_eq!(
            hw.take_commands(),
            vec![
                buttplug_devices::HardwareCommand::write(
                    buttplug_devices::Endpoint::Tx,
                    vec![10, 10, 10, 10, 60, 60, 60, 60]
                ),
                buttplug_devices::HardwareCommand::write(
                    buttplug_devices::Endpoint::Tx,
                    vec![0; 8]
                )
            ]
        );
    });
}

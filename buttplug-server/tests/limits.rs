//! Safety limits on real bytes: level caps on every client path (Lovense `Vibrate:12;` for a
//! 0.6 cap of 20), the user config overriding the server's defaults, ramps, stops during a ramp,
//! and the idle stop.

use crate::util::{Client, edge, hush, texts, wait_texts};
use buttplug_devices::config::{DeviceDatabase, OutputLimits};
use buttplug_devices::{HardwareCommand, SimulatedHardware};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn run<F: std::future::Future>(f: F) -> F::Output {
    buttplug_server::block_on(f)
}

fn limits(level: Option<f64>, ramp: Option<f64>) -> OutputLimits {
    OutputLimits::new(level, ramp).unwrap()
}

fn server(
    devices: Vec<SimulatedHardware>,
    user_config: Option<&str>,
    defaults: OutputLimits,
    idle_stop: Option<Duration>,
) -> ButtplugServer {
    let mut db = DeviceDatabase::builtin().clone();
    if let Some(u) = user_config {
        db = db.with_user_config(u, "test user config").unwrap();
    }
    let mut sim = SimulatedCommunicationManagerBuilder::new();
    for d in devices {
        sim = sim.device(SimulatedDevice::ble(d));
    }
    let dm = DeviceManagerBuilder::new(Arc::new(db))
        .comm_manager(sim)
        .message_gap_override(Some(Duration::ZERO))
        .limits(defaults)
        .idle_stop(idle_stop)
        .finish()
        .unwrap();
    ButtplugServerBuilder::new().device_manager(dm).finish()
}

fn vibrate(feature: u32, value: i64) -> serde_json::Value {
    json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": feature,
        "Command": {"Vibrate": {"Value": value}}}})
}

/// A client of `version` that has seen the device list.
async fn client(server: &ButtplugServer, version: u32, devices: usize) -> Client {
    let mut c = Client::new(server);
    c.handshake(version).await;
    c.wait_for_devices(devices).await;
    c
}

async fn ok(c: &mut Client, msg: serde_json::Value) {
    let r = c.request(msg).await;
    assert!(r.get("Ok").is_some(), "{r}");
}

/// The Vibrate levels written, with when they arrived.
fn levels(hw: &SimulatedHardware) -> Vec<(Instant, i64)> {
    hw.recorded()
        .into_iter()
        .filter_map(|r| match r.command {
            HardwareCommand::Write { data, .. } => {
                let text = String::from_utf8_lossy(&data).to_string();
                let level = text
                    .strip_prefix("Vibrate:")?
                    .strip_suffix(';')?
                    .parse()
                    .ok()?;
                Some((r.at, level))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_level_cap_holds_on_every_client_path() {
    run(async {
        let hw = hush("aa:l1");
        let server = server(vec![hw.clone()], None, limits(Some(0.6), None), None);
        let mut v4 = client(&server, 4, 1).await;
        hw.take_commands();
        ok(&mut v4, vibrate(0, 20)).await;
        assert_eq!(texts(&hw), ["Vibrate:12;"]);
        ok(&mut v4, vibrate(0, 5)).await;
        assert_eq!(texts(&hw), ["Vibrate:5;"]);

        let mut v3 = client(&server, 3, 1).await;
        let scalar = json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [
            {"Index": 0, "Scalar": 1.0, "ActuatorType": "Vibrate"}]}});
        ok(&mut v3, scalar).await;
        assert_eq!(texts(&hw), ["Vibrate:12;"]);
        // Below the cap, values pass unchanged.
        let half =
            json!({"VibrateCmd": {"DeviceIndex": 0, "Speeds": [{"Index": 0, "Speed": 0.5}]}});
        let mut v1 = client(&server, 1, 1).await;
        ok(&mut v1, half).await;
        assert_eq!(texts(&hw), ["Vibrate:10;"]);

        let mut v0 = client(&server, 0, 1).await;
        ok(
            &mut v0,
            json!({"SingleMotorVibrateCmd": {"DeviceIndex": 0, "Speed": 1.0}}),
        )
        .await;
        assert_eq!(texts(&hw), ["Vibrate:12;"]);
        ok(&mut v0, json!({"StopDeviceCmd": {"DeviceIndex": 0}})).await;
        assert_eq!(texts(&hw), ["Vibrate:0;"]);
        ok(
            &mut v0,
            json!({"LovenseCmd": {"DeviceIndex": 0, "Command": "Vibrate:20;"}}),
        )
        .await;
        assert_eq!(texts(&hw), ["Vibrate:12;"]);
    });
}

#[test]
fn without_limits_the_full_range_is_written() {
    run(async {
        let hw = hush("aa:l2");
        let server = server(vec![hw.clone()], None, OutputLimits::NONE, None);
        let mut c = client(&server, 4, 1).await;
        hw.take_commands();
        ok(&mut c, vibrate(0, 20)).await;
        assert_eq!(texts(&hw), ["Vibrate:20;"]);
    });
}

#[test]
fn the_user_config_overrides_the_default_per_device_and_per_output() {
    run(async {
        let db = DeviceDatabase::builtin();
        let hush_def = db.definition("lovense", Some("Z"), "aa:l3").unwrap();
        let vibe = &hush_def.features[0].id;
        // Device level 0.3 on the Hush (the server's default is 0.6), 0.9 on its vibrator's own
        // entry in a second config; the Edge has no entry and keeps the default.
        let user = |output: serde_json::Value| {
            json!({"version": {"major": 4, "minor": 0}, "user_configs": {"devices": [
                {"identifier": {"protocol": "lovense", "identifier": "Z", "address": "aa:l3"},
                 "config": {"id": "00000000-0000-0000-0000-000000000001", "base_id": "x",
                    "features": [{"id": "f", "base_id": vibe, "output": output}],
                    "user_config": {"index": 0, "max_level": 0.3}}}]}})
            .to_string()
        };
        for (output, expect) in [
            (json!({}), "Vibrate:6;"),
            (json!({"vibrate": {"max_level": 0.9}}), "Vibrate:18;"),
        ] {
            let hw = hush("aa:l3");
            let other = edge("aa:l4");
            let server = server(
                vec![hw.clone(), other.clone()],
                Some(&user(output)),
                limits(Some(0.6), None),
                None,
            );
            let mut c = client(&server, 4, 2).await;
            hw.take_commands();
            other.take_commands();
            ok(&mut c, vibrate(0, 20)).await;
            assert_eq!(texts(&hw), [expect]);
            let r = c
                .request(json!({"OutputCmd": {"DeviceIndex": 1, "FeatureIndex": 0,
                    "Command": {"Vibrate": {"Value": 20}}}}))
                .await;
            assert!(r.get("Ok").is_some(), "{r}");
            assert_eq!(texts(&other), ["Vibrate1:12;"]);
        }
    });
}

#[test]
fn a_rise_beyond_the_ramp_is_written_in_steps_and_a_fall_at_once() {
    run(async {
        let hw = hush("aa:l5");
        // 2 full ranges per second: 40 steps/s on the Hush's 0-20.
        let server = server(vec![hw.clone()], None, limits(None, Some(2.0)), None);
        let mut c = client(&server, 4, 1).await;
        hw.take_commands();
        let start = Instant::now();
        ok(&mut c, vibrate(0, 20)).await;
        let deadline = Instant::now() + Duration::from_secs(3);
        while levels(&hw).last().map(|(_, l)| *l) != Some(20) {
            assert!(Instant::now() < deadline, "{:?}", levels(&hw));
            buttplug_devices::sleep(Duration::from_millis(20)).await;
        }
        let steps = levels(&hw);
        assert!(steps.len() >= 5, "{steps:?}");
        let mut previous = 0;
        for (at, level) in &steps {
            assert!(*level > previous, "{steps:?}");
            let allowed = 40.0 * at.duration_since(start).as_secs_f64() + 1.0;
            assert!(
                (*level as f64) <= allowed,
                "{level} after {:?}",
                *at - start
            );
            previous = *level;
        }
        hw.take_commands();
        ok(&mut c, vibrate(0, 4)).await;
        assert_eq!(texts(&hw), ["Vibrate:4;"], "a fall is not ramped");

        // A stop in the middle of a ramp ends it: 0 at once, no step after it.
        ok(&mut c, vibrate(0, 20)).await;
        wait_texts(&hw, 1).await;
        ok(&mut c, json!({"StopCmd": {"DeviceIndex": 0}})).await;
        assert_eq!(texts(&hw), ["Vibrate:0;"]);
        buttplug_devices::sleep(Duration::from_millis(300)).await;
        assert_eq!(texts(&hw), Vec::<String>::new());
    });
}

#[test]
fn a_running_device_without_commands_is_stopped_after_the_idle_time() {
    run(async {
        let hw = hush("aa:l6");
        let idle = Duration::from_millis(300);
        let server = server(vec![hw.clone()], None, OutputLimits::NONE, Some(idle));
        let mut c = client(&server, 4, 1).await;
        hw.take_commands();
        // Commands keep it running (repeats count, though they write nothing).
        let mut last = Instant::now();
        for _ in 0..6 {
            last = Instant::now();
            ok(&mut c, vibrate(0, 10)).await;
            buttplug_devices::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(texts(&hw), ["Vibrate:10;"]);
        assert!(hw.wait_for_commands(1, Duration::from_secs(3)).await);
        let stop = hw.recorded();
        assert_eq!(texts(&hw), ["Vibrate:0;"]);
        assert!(stop[0].at.duration_since(last) >= idle, "{stop:?}");
        // A stopped device is not stopped again.
        buttplug_devices::sleep(Duration::from_millis(500)).await;
        assert_eq!(texts(&hw), Vec::<String>::new());
    });
}

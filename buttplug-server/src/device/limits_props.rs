//! Property: with a level cap configured, no sequence of client messages (v4 `OutputCmd`, v3
//! `ScalarCmd`/`RotateCmd`, v1 `VibrateCmd`, v0 legacy commands, stops; random values) makes a
//! protocol receive a value above the cap, on the device of every fixture file (so every
//! protocol with a fixture). "Above" is judged on the hardware value handed to the protocol
//! handler (recorded by [`super::probe`]), not on the protocol-specific bytes.

use super::probe;
use crate::DeviceManagerOptions;
use crate::fixture::{FixtureRig, discover_fixtures, load_fixture};
use buttplug_core::OutputType;
use buttplug_devices::DeviceDefinition;
use buttplug_devices::config::{DeviceDatabase, OutputLimits};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

/// One client message, with its numbers still abstract (bound to the device when sent).
#[derive(Debug, Clone)]
enum Msg {
    V4Output {
        slot: usize,
        frac: f64,
        negative: bool,
    },
    V3Scalar {
        index: u32,
        frac: f64,
        actuator: usize,
    },
    V3Rotate {
        index: u32,
        frac: f64,
        clockwise: bool,
    },
    V1Vibrate {
        index: u32,
        frac: f64,
    },
    V0SingleMotor {
        frac: f64,
    },
    V0Vorze {
        speed: i64,
        clockwise: bool,
    },
    V0Kiiroo {
        n: u8,
    },
    V0Lovense {
        motor: u8,
        level: i64,
    },
    Stop,
}

fn fraction() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), Just(0.0), 0.0..=1.0f64]
}

fn message() -> impl Strategy<Value = Msg> {
    prop_oneof![
        4 => (any::<usize>(), fraction(), any::<bool>())
            .prop_map(|(slot, frac, negative)| Msg::V4Output { slot, frac, negative }),
        3 => (0u32..4, fraction(), 0usize..6)
            .prop_map(|(index, frac, actuator)| Msg::V3Scalar { index, frac, actuator }),
        1 => (0u32..2, fraction(), any::<bool>())
            .prop_map(|(index, frac, clockwise)| Msg::V3Rotate { index, frac, clockwise }),
        2 => (0u32..3, fraction()).prop_map(|(index, frac)| Msg::V1Vibrate { index, frac }),
        1 => fraction().prop_map(|frac| Msg::V0SingleMotor { frac }),
        1 => (0i64..=99, any::<bool>())
            .prop_map(|(speed, clockwise)| Msg::V0Vorze { speed, clockwise }),
        1 => (0u8..=4).prop_map(|n| Msg::V0Kiiroo { n }),
        1 => (0u8..=3, 0i64..=20).prop_map(|(motor, level)| Msg::V0Lovense { motor, level }),
        1 => Just(Msg::Stop),
    ]
}

/// The enabled outputs with a stop value: (feature, type, client range).
fn stoppable(def: &DeviceDefinition) -> Vec<(u32, OutputType, i32, i32)> {
    def.features
        .iter()
        .flat_map(|f| {
            f.outputs
                .iter()
                .filter(|o| o.output_type.has_stop_value() && !o.disabled)
                .map(move |o| {
                    let r = o.client_range();
                    (f.index, o.output_type, r.start, r.end)
                })
        })
        .collect()
}

/// The cap of 0.6, worked out here in integers, independently of the code under test.
fn expected_cap(def: &DeviceDefinition, feature: u32, t: OutputType) -> Option<i64> {
    let o = def.feature(feature)?.output(t)?;
    let (s, e) = (i64::from(o.value.start), i64::from(o.value.end));
    let hi = s.abs().max(e.abs());
    let lo = if s > 0 { s } else { 0 };
    Some(lo + (hi - lo) * 6 / 10)
}

/// The JSON message and its spec version.
fn render(msg: &Msg, outputs: &[(u32, OutputType, i32, i32)]) -> (u32, Value) {
    const ACTUATORS: [&str; 6] = [
        "Vibrate",
        "Rotate",
        "Oscillate",
        "Constrict",
        "Inflate",
        "Position",
    ];
    match msg {
        Msg::V4Output {
            slot,
            frac,
            negative,
        } => {
            let Some((f, t, lo, hi)) = outputs.get(slot % outputs.len().max(1)) else {
                return (4, json!({"StopCmd": {"DeviceIndex": 0}}));
            };
            let mut v = (frac * f64::from(*hi)).round() as i64;
            if *negative && *lo < 0 {
                v = -v;
            }
            let command = json!({ t.as_str(): {"Value": v} });
            (
                4,
                json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": f, "Command": command}}),
            )
        }
        Msg::V3Scalar {
            index,
            frac,
            actuator,
        } => (
            3,
            json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [
                {"Index": index, "Scalar": frac, "ActuatorType": ACTUATORS[*actuator]}
            ]}}),
        ),
        Msg::V3Rotate {
            index,
            frac,
            clockwise,
        } => (
            3,
            json!({"RotateCmd": {"DeviceIndex": 0, "Rotations": [
                {"Index": index, "Speed": frac, "Clockwise": clockwise}
            ]}}),
        ),
        Msg::V1Vibrate { index, frac } => (
            1,
            json!({"VibrateCmd": {"DeviceIndex": 0, "Speeds": [{"Index": index, "Speed": frac}]}}),
        ),
        Msg::V0SingleMotor { frac } => (
            0,
            json!({"SingleMotorVibrateCmd": {"DeviceIndex": 0, "Speed": frac}}),
        ),
        Msg::V0Vorze { speed, clockwise } => (
            0,
            json!({"VorzeA10CycloneCmd": {"DeviceIndex": 0, "Speed": speed, "Clockwise": clockwise}}),
        ),
        Msg::V0Kiiroo { n } => (
            0,
            json!({"KiirooCmd": {"DeviceIndex": 0, "Command": n.to_string()}}),
        ),
        Msg::V0Lovense { motor, level } => {
            let command = match motor {
                0 => format!("Vibrate:{level};"),
                m => format!("Vibrate{m}:{level};"),
            };
            (
                0,
                json!({"LovenseCmd": {"DeviceIndex": 0, "Command": command}}),
            )
        }
        Msg::Stop => (4, json!({"StopCmd": {"DeviceIndex": 0}})),
    }
}

#[test]
fn no_client_message_sequence_exceeds_the_level_cap() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../buttplug-devices/fixtures");
    let cases: u32 = std::env::var("LIMITS_PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(12);
    let mut protocols = BTreeSet::new();
    let hit_cap = std::cell::Cell::new(0usize);
    let checked = std::cell::Cell::new(0usize);
    for (n, path) in discover_fixtures(&dir).into_iter().enumerate() {
        let name = path.display().to_string();
        let fixture = load_fixture(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        // (No other test of this binary sets up fixture devices; the address stays as the
        // fixture has it, since some handshakes depend on it.)
        let seen = probe::watch(&fixture.device.address);
        // Every other fixture also ramps (fast enough to finish within the run).
        let ramp = (n % 2 == 0).then_some(20.0);
        let options = DeviceManagerOptions {
            limits: OutputLimits::new(Some(0.6), ramp).unwrap_or_default(),
            ..DeviceManagerOptions::default()
        };
        let rig = crate::block_on(FixtureRig::start_with_options(
            &fixture,
            DeviceDatabase::builtin(),
            options,
        ))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(device) = rig.device() else {
            panic!("{name}: no device");
        };
        let def = device.definition().clone();
        let outputs = stoppable(&def);
        if outputs.is_empty() {
            crate::block_on(rig.shutdown());
            probe::unwatch(&fixture.device.address);
            continue;
        }
        protocols.insert(def.protocol.clone());
        let rig = RefCell::new(Some(rig));
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&proptest::collection::vec(message(), 1..10), |msgs| {
            let mut guard = rig.borrow_mut();
            let Some(rig) = guard.as_mut() else {
                return Err(TestCaseError::fail("rig gone"));
            };
            crate::block_on(async {
                for m in &msgs {
                    let (version, json) = render(m, &outputs);
                    // Errors (a message this device cannot take) are part of the property.
                    let _ = rig.request(version, json).await;
                }
            });
            let received: Vec<_> = std::mem::take(&mut *crate::sync::lock(&seen));
            for c in received {
                let Some(cap) = expected_cap(&def, c.feature_index, c.output_type) else {
                    continue;
                };
                if !c.output_type.has_stop_value() {
                    continue;
                }
                checked.set(checked.get() + 1);
                if i64::from(c.value).abs() == cap && cap > 0 {
                    hit_cap.set(hit_cap.get() + 1);
                }
                prop_assert!(
                    i64::from(c.value).abs() <= cap,
                    "{name}: {c:?} exceeds the cap {cap} after {msgs:?}"
                );
            }
            Ok(())
        });
        if let Some(rig) = rig.borrow_mut().take() {
            crate::block_on(rig.shutdown());
        }
        probe::unwatch(&fixture.device.address);
        if let Err(e) = result {
            panic!("{e}");
        }
    }
    // The property ran against many protocols and the cap was reached (not only low values).
    assert!(protocols.len() > 100, "{protocols:?}");
    let (checked, hit_cap) = (checked.get(), hit_cap.get());
    eprintln!(
        "{} protocols, {checked} values checked, {hit_cap} at the cap",
        protocols.len()
    );
    assert!(checked > 1000 && hit_cap > 100, "{checked} {hit_cap}");
}

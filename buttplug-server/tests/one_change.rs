//! Registry-wide properties of the output path ("one client command, one change"), checked on
//! the device of every fixture file, so every protocol is covered by the devices its fixtures
//! describe:
//!
//! - A change of two outputs at once writes no packet that reflects only one of them: either
//!   exactly what the two single changes write one after the other (protocols whose packets
//!   carry one output each), or no more writes than one single change, none of them a packet
//!   that only one of the single changes writes (protocols whose packet carries both).
//! - A stop writes the same bytes whether or not the outputs were driven before: it stops every
//!   output, not only those this session set.
//! - Every protocol whose database has a device with two or more stoppable outputs has a
//!   fixture with such a device, a step that sets two outputs in one message and a stop step.

use buttplug_core::OutputType;
use buttplug_devices::HardwareCommand;
use buttplug_devices::OutputCommand;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::fixture::{Fixture, FixtureRig, discover_fixtures, load_fixture};
use buttplug_server::{OutputBatch, ServerDevice};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn fixtures_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../buttplug-devices/fixtures")
}

/// Every fixture file, by its path relative to the fixtures folder (`FIXTURE` filters).
fn fixtures() -> Vec<(String, Fixture)> {
    fixtures_matching(std::env::var("FIXTURE").ok())
}

/// The fixture files whose relative path contains `only` (all for `None`).
fn fixtures_matching(only: Option<String>) -> Vec<(String, Fixture)> {
    let dir = fixtures_dir();
    discover_fixtures(&dir)
        .into_iter()
        .map(|f| {
            let name = f.strip_prefix(&dir).unwrap_or(&f).display().to_string();
            let fixture = load_fixture(&f).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, fixture)
        })
        .filter(|(name, _)| only.as_deref().is_none_or(|o| name.contains(o)))
        .collect()
}

/// The enabled outputs that have a stop value, as `(feature, type, highest client value)`.
fn stoppable(device: &ServerDevice) -> Vec<(u32, OutputType, i64)> {
    device
        .definition()
        .features
        .iter()
        .flat_map(|f| {
            f.outputs
                .iter()
                .filter(|o| o.output_type.has_stop_value() && !o.disabled)
                .map(move |o| (f.index, o.output_type, i64::from(o.client_range().end)))
        })
        .collect()
}

/// Start the fixture's device on a fresh server, forget what identify and initialize wrote,
/// run `act` on it and return what it wrote.
async fn writes_of<F, Fut>(fixture: &Fixture, act: F) -> Result<Vec<HardwareCommand>, String>
where
    F: FnOnce(ServerDevice) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let rig = FixtureRig::start(fixture, DeviceDatabase::builtin())
        .await
        .map_err(|e| e.to_string())?;
    rig.hardware().take_commands();
    let device = rig.device().ok_or("no device")?;
    let result = act(device).await;
    let written = rig.hardware().take_commands();
    rig.shutdown().await;
    result.map(|()| written)
}

async fn set(
    fixture: &Fixture,
    outputs: &[(u32, OutputType, i64)],
) -> Result<Vec<HardwareCommand>, String> {
    writes_of(
        fixture,
        |device| async move { drive(&device, outputs).await },
    )
    .await
}

/// Set `outputs` to their values in one change.
async fn drive(device: &ServerDevice, outputs: &[(u32, OutputType, i64)]) -> Result<(), String> {
    let commands = outputs
        .iter()
        .map(|(f, t, v)| device.check_output(*f, *t, *v, None))
        .collect::<Result<Vec<OutputCommand>, _>>()
        .map_err(|e| e.to_string())?;
    let batch = OutputBatch::collect(commands).ok_or("no outputs")?;
    device.outputs(batch).await.map_err(|e| e.to_string())
}

/// The pairs of outputs a client can change in one message: two of one kind where the device
/// has them (two motors), else its first two outputs.
fn pairs(outputs: &[(u32, OutputType, i64)]) -> Vec<[(u32, OutputType, i64); 2]> {
    let mut by_type: BTreeMap<String, Vec<(u32, OutputType, i64)>> = BTreeMap::new();
    for o in outputs {
        by_type.entry(o.1.to_string()).or_default().push(*o);
    }
    let same_kind: Vec<_> = by_type
        .values()
        .filter(|v| v.len() >= 2)
        .map(|v| [v[0], v[1]])
        .collect();
    match (same_kind.is_empty(), outputs) {
        (false, _) => same_kind,
        (true, [a, b, ..]) => vec![[*a, *b]],
        _ => Vec::new(),
    }
}

/// Whether the writes of a two-output change are one of the two acceptable shapes.
fn one_change_ok(a: &[HardwareCommand], b: &[HardwareCommand], ab: &[HardwareCommand]) -> bool {
    let per_output: Vec<HardwareCommand> = a.iter().chain(b).cloned().collect();
    if ab == per_output.as_slice() {
        return true;
    }
    let only_one = |w: &HardwareCommand| a.contains(w) != b.contains(w);
    ab.len() <= a.len().max(b.len()) && !ab.iter().any(only_one)
}

#[test]
fn a_change_of_two_outputs_is_one_change() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, fixture) in fixtures() {
        let r: Result<(), String> = buttplug_server::block_on(async {
            let outputs = outputs_of(&fixture).await?;
            let protocol = name.split('/').next().unwrap_or_default();
            if ONE_SPEED.contains(&protocol) {
                return Ok(());
            }
            for [x, y] in pairs(&outputs) {
                let a = without_counter(protocol, set(&fixture, &[x]).await?);
                let b = without_counter(protocol, set(&fixture, &[y]).await?);
                let ab = without_counter(protocol, set(&fixture, &[x, y]).await?);
                checked += 1;
                let ok = if STATE_PAIR.contains(&protocol) {
                    state_pair_ok(&a, &b, &ab)
                } else {
                    one_change_ok(&a, &b, &ab)
                };
                if !ok {
                    return Err(format!(
                        "setting {x:?} and {y:?} in one message wrote\n    {ab:?}\n  alone they write\n    {a:?}\n    {b:?}"
                    ));
                }
            }
            Ok(())
        });
        if let Err(e) = r {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(checked > 0, "no fixture device with two outputs");
    assert!(
        failures.is_empty(),
        "{} fixture devices write partial packets:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_stop_stops_every_output_driven_or_not() {
    let mut failures = Vec::new();
    for (name, fixture) in fixtures() {
        let r: Result<(), String> = buttplug_server::block_on(async {
            let stop = |device: ServerDevice| async move {
                device
                    .stop(None, true, false)
                    .await
                    .map_err(|e| e.to_string())
            };
            let fresh = writes_of(&fixture, stop).await?;
            let outputs = outputs_of(&fixture).await?;
            if outputs.is_empty() {
                return Ok(());
            }
            let after = writes_after_driving_then_stop(&fixture, &outputs).await?;
            let protocol = name.split('/').next().unwrap_or_default();
            if MODAL_STOP.contains(&protocol) {
                return Ok(());
            }
            let same = if COUNTED.contains(&protocol) {
                shape(&after) == shape(&fresh)
            } else {
                after == fresh
            };
            if !same {
                return Err(format!(
                    "a stop wrote\n    {after:?}\n  after driving every output, but\n    {fresh:?}\n  on a device never driven"
                ));
            }
            Ok(())
        });
        if let Err(e) = r {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture devices stop differently depending on history:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The stoppable outputs of the fixture's device.
async fn outputs_of(fixture: &Fixture) -> Result<Vec<(u32, OutputType, i64)>, String> {
    let rig = FixtureRig::start(fixture, DeviceDatabase::builtin())
        .await
        .map_err(|e| e.to_string())?;
    let outputs = rig.device().map(|d| stoppable(&d)).ok_or("no device");
    rig.shutdown().await;
    Ok(outputs?)
}

/// Protocols whose packet carries one speed for several motors, so a change of two motors
/// is rightly one packet equal to one of the single changes. `cueme`: the device runs one motor
/// at a time (the handler's loop alternates between the motors that are on). `jejoue`: `[pattern
/// speed]` where the speed is motor 0's whenever it runs (the bytes the reference implementation
/// sends; pattern 01 "both" is never chosen while motor 0 runs). `patoo`: `[speed]` + `[mode]`
/// where the speed is motor 0's while it runs and motor 1's only when motor 0 is off.
const ONE_SPEED: [&str; 3] = ["cueme", "jejoue", "patoo"];

/// Protocols whose stop depends on the device's mode by design. `ossm`: the speed stop
/// (`set:speed:0`) is written only in stroke-engine mode; in streaming mode it would stall the
/// position stream (its speed is configured when the machine enters streaming), and positions
/// have no stop value.
const MODAL_STOP: [&str; 1] = ["ossm"];

/// Protocols whose packets carry a message counter, so two stops differ in that byte: their
/// stops are compared by shape (endpoints and lengths, in order). `tryfun-blackhole` and
/// `tryfun-meta2` number every frame (byte 0); `umove` numbers every state packet (bytes 8-11).
const COUNTED: [&str; 6] = [
    "honeyplaybox",
    "thehandy-v3",
    "youou",
    "tryfun-blackhole",
    "tryfun-meta2",
    "umove",
];

/// One-output-per-packet protocols whose packets start with a packet counter. Each single
/// change runs on a fresh device (counter 0), so the two-output check compares the writes with
/// that first byte cleared.
const COUNTER_FIRST: [&str; 2] = ["tryfun-blackhole", "tryfun-meta2"];

fn without_counter(protocol: &str, mut writes: Vec<HardwareCommand>) -> Vec<HardwareCommand> {
    if COUNTER_FIRST.contains(&protocol) {
        for w in &mut writes {
            if let HardwareCommand::Write { data, .. } = w
                && let Some(first) = data.first_mut()
            {
                *first = 0;
            }
        }
    }
    writes
}

/// Protocols that write their whole state as one packet per motor, motor 0's always first:
/// `svakom-iker` writes `[55 03 03 00 01 v0]`, then `[55 07 00 00 v1 00]` while motor 1 runs.
/// Setting motor 1 alone therefore also writes motor 0's packet (at 0), so the generic rule
/// cannot tell the combined state from a partial one. A change of both must write motor 0's
/// packet as setting motor 0 alone writes it, then motor 1's as setting motor 1 alone writes
/// it last, and nothing else.
const STATE_PAIR: [&str; 1] = ["svakom-iker"];

fn state_pair_ok(a: &[HardwareCommand], b: &[HardwareCommand], ab: &[HardwareCommand]) -> bool {
    matches!(ab, [first, second] if a.first() == Some(first) && b.last() == Some(second))
}

fn shape(writes: &[HardwareCommand]) -> Vec<(String, usize)> {
    writes
        .iter()
        .map(|w| match w {
            HardwareCommand::Write { endpoint, data, .. } => (endpoint.to_string(), data.len()),
            other => (format!("{other:?}"), 0),
        })
        .collect()
}

/// Drive every output to its highest value in one change, then stop: the stop's writes.
async fn writes_after_driving_then_stop(
    fixture: &Fixture,
    outputs: &[(u32, OutputType, i64)],
) -> Result<Vec<HardwareCommand>, String> {
    let rig = FixtureRig::start(fixture, DeviceDatabase::builtin())
        .await
        .map_err(|e| e.to_string())?;
    let device = rig.device().ok_or("no device")?;
    drive(&device, outputs).await?;
    rig.hardware().take_commands();
    let r = device
        .stop(None, true, false)
        .await
        .map_err(|e| e.to_string());
    let written = rig.hardware().take_commands();
    rig.shutdown().await;
    r.map(|()| written)
}

/// Messages that set two or more outputs at once.
fn sets_several(step: &serde_json::Value) -> bool {
    [
        "/ScalarCmd/Scalars",
        "/VibrateCmd/Speeds",
        "/RotateCmd/Rotations",
        "/LinearCmd/Vectors",
    ]
    .iter()
    .any(|p| {
        step.pointer(p)
            .and_then(|v| v.as_array())
            .is_some_and(|a| a.len() >= 2)
    })
}

fn is_stop(step: &serde_json::Value) -> bool {
    ["StopDeviceCmd", "StopCmd", "StopAllDevices"]
        .iter()
        .any(|m| step.get(m).is_some())
}

#[test]
fn every_multi_output_protocol_has_a_fixture_with_a_two_output_change_and_a_stop() {
    let database = DeviceDatabase::builtin();
    let multi: BTreeSet<String> = database
        .search("")
        .into_iter()
        .filter(|s| {
            s.features
                .iter()
                .flat_map(|f| &f.outputs)
                .filter(|o| o.output_type.has_stop_value())
                .count()
                >= 2
        })
        .map(|s| s.protocol)
        .collect();
    let mut covered = BTreeSet::new();
    // Coverage is a property of the whole set: `FIXTURE` does not filter it.
    for (name, fixture) in fixtures_matching(None) {
        let Some(protocol) = name.split('/').next() else {
            continue;
        };
        let sends: Vec<&serde_json::Value> = fixture
            .steps
            .iter()
            .filter_map(|s| s.send.as_ref())
            .collect();
        if sends.iter().any(|s| sets_several(s)) && sends.iter().any(|s| is_stop(s)) {
            covered.insert(protocol.to_string());
        }
    }
    let missing: Vec<&String> = multi.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "{} protocols with multi-output devices lack a fixture step that sets two outputs in one message plus a stop step: {missing:?}",
        missing.len()
    );
}

//! Load-time benchmark of the device database (no harness; prints milliseconds).
//!
//! `cargo bench -p buttplug-devices --bench database` (release profile). Target: parsing the
//! built-in database takes at most 10 ms.

use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase};
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

const USER_CONFIG: &str = r#"{"version":{"major":5,"minor":0},"user_configs":{
  "protocols":{"lovense":{"communication":[{"websocket":{"name":"LVSDevice"}}]}},
  "devices":[{"identifier":{"protocol":"lovense","identifier":"Z","address":"AA"},
    "config":{"id":"37642e1c-a416-44d3-bada-76b6d9e245c9","base_id":"37642e1c-a416-44d3-bada-76b6d9e245c9",
      "features":[],"user_config":{"allow":false,"deny":false,"index":0}}}]}}"#;

/// Run `f` `RUNS` times; return (min, median).
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    samples.sort();
    (samples[0], samples[RUNS / 2])
}

fn report(name: &str, (min, median): (Duration, Duration)) {
    println!(
        "{name:<40} min {:>8.3} ms   median {:>8.3} ms",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
}

fn main() {
    report(
        "parse built-in database",
        time(|| DeviceDatabase::load_builtin().map(|db| db.protocol_ids().len())),
    );
    let db = DeviceDatabase::builtin();
    report(
        "apply a small user config",
        time(|| db.with_user_config(USER_CONFIG, "bench-user.json").is_ok()),
    );
    let seen = CommunicationSpecifier::btle_advertisement("LVS-Z36D", vec![], vec![]);
    report(
        "matching_protocols (BLE name)",
        time(|| db.matching_protocols(&seen).len()),
    );
    report(
        "definition(lovense, Z)",
        time(|| {
            db.definition("lovense", Some("Z"), "AA")
                .map(|d| d.features.len())
        }),
    );
    report("search(\"\") (all devices)", time(|| db.search("").len()));
}

//! Runs every device fixture (`buttplug-devices/fixtures/**.json`) over the full path: JSON client
//! message at the fixture's spec version → session → protocol → simulated hardware.

use buttplug_devices::config::DeviceDatabase;
use buttplug_server::fixture::{discover_fixtures, load_fixture, run_fixture};
use std::path::Path;

#[test]
fn every_fixture_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../buttplug-devices/fixtures");
    let files = discover_fixtures(&dir);
    assert!(!files.is_empty(), "no fixtures found in {}", dir.display());
    let only = std::env::var("FIXTURE").ok();
    let database = DeviceDatabase::builtin();
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in &files {
        let name = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .display()
            .to_string();
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        ran += 1;
        let result = load_fixture(file)
            .and_then(|f| buttplug_server::block_on(async { run_fixture(&f, database).await }));
        if let Err(e) = result {
            failures.push(format!("{name}: {e}"));
        }
    }
    println!("{ran} fixtures run, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {ran} fixtures failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
#[ignore = "stress helper: run by hand"]
fn fixture_stress() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../buttplug-devices/fixtures");
    let name = std::env::var("FIXTURE").unwrap_or_else(|_| "luvmazer".into());
    let files: Vec<_> = discover_fixtures(&dir)
        .into_iter()
        .filter(|f| f.display().to_string().contains(&name))
        .collect();
    let database = DeviceDatabase::builtin();
    let mut failed = 0;
    let runs: usize = std::env::var("STRESS_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    for i in 0..runs {
        for file in &files {
            let t = std::time::Instant::now();
            let r = load_fixture(file)
                .and_then(|f| buttplug_server::block_on(async { run_fixture(&f, database).await }));
            if let Err(e) = r {
                failed += 1;
                println!("run {i}: {}: {e} after {:?}", file.display(), t.elapsed());
            }
        }
    }
    assert_eq!(failed, 0);
}

//! Runs every device fixture (`crates/devices/fixtures/**.json`) over the full path: JSON client
//! message at the fixture's spec version → session → protocol → simulated hardware.

use buttplug_devices::config::DeviceDatabase;
use buttplug_server::fixture::{discover_fixtures, load_fixture, run_fixture};
use std::path::Path;

#[test]
fn every_fixture_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../devices/fixtures");
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

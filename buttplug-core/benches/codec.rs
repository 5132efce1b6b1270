//! Codec benchmarks (run with `cargo bench -p buttplug-core`): parse and validate one `OutputCmd`
//! frame, and render a 100-device `DeviceList` at v3 and v4. Times with `std::time::Instant`
//! over many iterations and prints nanoseconds per iteration (no benchmark framework).

use buttplug_core::{
    DeviceInfo, FeatureInfo, InputCommandType, InputInfo, InputType, OutputInfo, OutputType,
    SpecVersion, StepRange, device_list_message, parse_client_frame, render_server_frame,
};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` repeatedly for about `budget` (after a warm-up) and returns ns per iteration, the best
/// of five rounds.
fn measure(budget: Duration, mut f: impl FnMut()) -> f64 {
    let warm = Instant::now();
    let mut iters: u64 = 0;
    while warm.elapsed() < budget / 10 {
        f();
        iters += 1;
    }
    let per_round = (iters * 2).max(10);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..per_round {
            f();
        }
        let ns = start.elapsed().as_nanos() as f64 / per_round as f64;
        best = best.min(ns);
    }
    best
}

fn device(index: u32) -> DeviceInfo {
    DeviceInfo::new(index, format!("Device {index}"))
        .with_feature(
            FeatureInfo::new(0, "vibrator")
                .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20))),
        )
        .with_feature(
            FeatureInfo::new(1, "rotator")
                .with_output(OutputInfo::new(OutputType::Rotate, StepRange::new(-20, 20))),
        )
        .with_feature(FeatureInfo::new(2, "battery").with_input(InputInfo::new(
            InputType::Battery,
            vec![StepRange::new(0, 100)],
            vec![InputCommandType::Read],
        )))
}

fn main() {
    let budget = Duration::from_millis(
        std::env::var("BENCH_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1000),
    );
    let frame = r#"[{"OutputCmd":{"Id":4,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":10}}}}]"#;
    assert!(parse_client_frame(frame, SpecVersion::V4)[0].is_ok());
    let ns = measure(budget, || {
        let r = parse_client_frame(black_box(frame), SpecVersion::V4);
        black_box(r);
    });
    println!("parse+validate OutputCmd frame (v4):        {ns:>10.0} ns/iter");

    let bad = r#"[{"OutputCmd":{"Id":4,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":10}},"X":1}}]"#;
    let ns = measure(budget, || {
        let r = parse_client_frame(black_box(bad), SpecVersion::V4);
        black_box(r);
    });
    println!("parse bad OutputCmd frame (slow path, v4):  {ns:>10.0} ns/iter");

    let devices: Vec<DeviceInfo> = (0..100).map(device).collect();
    for version in [SpecVersion::V3, SpecVersion::V4] {
        let ns = measure(budget, || {
            let m = device_list_message(1, black_box(&devices), version);
            black_box(render_server_frame(&[m]));
        });
        println!("render 100-device DeviceList ({version}):       {ns:>10.0} ns/iter");
    }
}

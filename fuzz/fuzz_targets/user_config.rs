//! libFuzzer driver: `cargo +nightly fuzz run user_config`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    buttplug_fuzz::user_config(data);
});

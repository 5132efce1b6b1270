//! libFuzzer driver: `cargo +nightly fuzz run codec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    buttplug_fuzz::codec(data);
});

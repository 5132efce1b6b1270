//! libFuzzer driver: `cargo +nightly fuzz run device_handshake`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    buttplug_fuzz::device_handshake(data);
});

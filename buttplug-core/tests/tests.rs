//! Integration tests of buttplug-core: one binary, one module per area.

mod bad_frames;
mod conformance;
mod connector;
mod convert;
mod device;
mod fuzz;
mod handshake;
mod round_trip;
mod util;

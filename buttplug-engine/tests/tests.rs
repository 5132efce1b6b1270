//! Tests of the engine library: event JSON shapes, runs over loopback, the repeater.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod events;
mod run;
mod shared;

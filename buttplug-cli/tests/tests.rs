//! Tests of the `buttplug` binary: one binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is how a test fails

mod browser;
mod cli;
#[cfg(unix)]
mod control;
mod engine_cli;
mod fault;
mod interop;
mod user_config;

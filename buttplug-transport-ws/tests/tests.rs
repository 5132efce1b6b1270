//! Transport tests over loopback (every listener binds port 0).
#![allow(clippy::unwrap_used)] // tests unwrap: a panic is the failure report

mod util;

mod client;
mod server;

//! Integration tests of the client: against a scripted fake server (most modules) and end to end
//! against the real server with simulated devices, in-process and over WebSocket (`real_server`).
#![allow(clippy::unwrap_used)] // tests unwrap: a panic is the failure report

mod util;

mod devices;
mod events;
mod handshake;
mod real_server;
mod reconnect;
mod requests;

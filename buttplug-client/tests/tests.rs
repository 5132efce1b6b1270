//! Integration tests of the client against a scripted fake server.
#![allow(clippy::unwrap_used)] // tests unwrap: a panic is the failure report

mod util;

mod devices;
mod events;
mod handshake;
mod requests;

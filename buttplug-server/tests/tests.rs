//! Integration tests of the server: one binary, one module per area.
#![allow(clippy::unwrap_used)] // test helpers: a panic is how a test fails

mod all_backends;
mod behaviour;
mod btleplug;
mod claims;
mod custom_protocol;
mod fault;
mod fixtures;
mod gamepad;
mod legacy;
mod limits;
mod lovense_connect;
mod lovense_dongle;
mod one_change;
mod serial;
mod session;
mod usb_hid;
mod util;
mod websocket_devices;

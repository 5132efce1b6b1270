//! The communication managers, each behind its own cargo feature, and the building blocks
//! they share with managers written outside this crate ([`hardware_events`], [`timed_retry`]),
//! which are always compiled.

#[cfg(feature = "simulated")]
pub mod simulated;
#[cfg(feature = "websocket-devices")]
pub mod websocket_devices;

// The building blocks of hardware and managers, built-in or out of tree: always compiled.
pub mod hardware_events;
pub mod timed_retry;

#[cfg(feature = "btleplug")]
pub mod btleplug;
#[cfg(feature = "gamepad")]
pub mod gamepad;
#[cfg(feature = "hid")]
pub mod hid;
#[cfg(feature = "lovense-connect")]
pub mod lovense_connect;
#[cfg(feature = "lovense-dongle")]
pub mod lovense_dongle;
#[cfg(feature = "serial")]
pub mod serial;
#[cfg(feature = "usb")]
pub mod usb;

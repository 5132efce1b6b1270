//! The communication managers, each behind its own cargo feature.

#[cfg(feature = "simulated")]
pub mod simulated;
#[cfg(feature = "websocket-devices")]
pub mod websocket_devices;

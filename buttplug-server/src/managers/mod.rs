//! The communication managers, each behind its own cargo feature.

#[cfg(feature = "simulated")]
pub mod simulated;
#[cfg(feature = "websocket-devices")]
pub mod websocket_devices;

#[cfg(any(
    feature = "websocket-devices",
    feature = "btleplug",
    feature = "serial",
    feature = "usb",
    feature = "hid",
    feature = "lovense-dongle",
    feature = "lovense-connect"
))]
pub mod hardware_events;
#[cfg(any(
    feature = "serial",
    feature = "usb",
    feature = "hid",
    feature = "lovense-connect"
))]
pub mod timed_retry;

#[cfg(feature = "btleplug")]
pub mod btleplug;
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

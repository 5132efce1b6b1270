//! Buttplug server: sessions for every spec version, the device manager and the communication
//! managers that find hardware.
//!
//! (Crate documentation is being written; see docs/DESIGN.md.)

mod broadcast;
pub mod comm;
mod device;
mod device_manager;
#[cfg(feature = "simulated")]
pub mod fixture;
pub mod managers;
mod render;
mod rt;
mod server;
mod session;

pub use device::{
    DEVICE_REQUEST_CAPACITY, PendingReply, RawCommand, RawReading, ServerDevice, ServerDeviceError,
    TRANSPORT_KEEPALIVE_INTERVAL,
};
pub use device_manager::{
    DEVICE_MANAGER_EVENT_CAPACITY, DEVICE_SETUP_TIMEOUT, DeviceManager, DeviceManagerBuilder,
    DeviceManagerError, DeviceManagerEvent, DeviceManagerOptions,
};
pub use rt::block_on;
pub use server::{
    ButtplugServer, ButtplugServerBuilder, InProcessConnector, MAX_CLIENT_FRAME, ServerOptions,
};
pub use session::{SESSION_INCOMING_CAPACITY, SESSION_OUTGOING_CAPACITY};

//! Buttplug server: a session per client connection, every spec version (v0–v4) served, one
//! device manager shared by all sessions, and the communication managers that find hardware.
//!
//! # Lifetime of a session
//!
//! 1. **Handshake**: the first message must be `RequestServerInfo`; its version fields fix the
//!    session's spec version (never answered with a higher one; a newer major is `ERROR_INIT`).
//!    A session that gets no `RequestServerInfo` within the handshake timeout (default 5 s) is
//!    sent `ERROR_INIT` (Id 0) and closed.
//! 2. **Running**: every client message gets exactly one reply. Commands of v0–v3 are translated
//!    against the device's features into checked per-feature outputs (float → steps with
//!    `ceil`), v4 commands are range-checked as they are. Replies and events are rendered in the
//!    client's shape (v0–v3 get `DeviceAdded`/`DeviceRemoved`, v4 `DeviceList` events).
//! 3. **End**: when the client disconnects, misses its ping (`ERROR_PING`, Id 0) or sends v4
//!    `Disconnect`, scanning stops, every output stops and every subscription ends. Devices stay
//!    connected for the next client.
//!
//! # Output pipeline (per device, one task each)
//!
//! Identical repeats are answered `Ok` and not written; within the device's message gap a newer
//! value replaces a queued one, so the device always gets the latest value and no queue grows;
//! keep-alives run only while an output is active; stops skip the gap. Devices never wait on each
//! other.
//!
//! # Runtime
//!
//! async-std, used only through the private `rt` module (swap it for smol in one file). Hardware
//! libraries that need tokio (btleplug) run on their own thread behind bounded channels. All
//! channels are bounded; their capacities are the `*_CAPACITY` constants.
//!
//! # Features
//!
//! - `simulated` (default): simulated devices ([`managers::simulated`]).
//! - `websocket-devices` (default): devices that dial in over WebSocket
//!   ([`managers::websocket_devices`]).
//! - `btleplug`, `serial`, `usb`, `hid`, `gamepad`, `lovense-dongle`, `lovense-connect`:
//!   hardware backends (`gamepad`: rumble gamepads, Linux evdev).
//! - `rest`: the REST API with its event stream (module `rest`) and the mDNS advertisement
//!   (module `mdns`).
//!
//! # Writing a communication manager of your own
//!
//! The traits are in [`comm`]; register the builder with [`DeviceManagerBuilder::comm_manager`].
//! The building blocks the built-in backends use are public and compiled without any feature:
//! [`managers::hardware_events`] ([`EventHub`](managers::hardware_events::EventHub),
//! [`ReadyConnector`](managers::hardware_events::ReadyConnector),
//! [`check_endpoint`](managers::hardware_events::check_endpoint)) and
//! [`managers::timed_retry`] (a polling manager from a
//! [`RetryScanner`](managers::timed_retry::RetryScanner)). A write-only device implements four
//! [`Hardware`](buttplug_devices::Hardware) methods. The `custom_manager` example in
//! `examples/` is a complete one.
//!
//! # Example: a server with a simulated Lovense Hush, driven over the JSON path
//!
//! ```
//! use buttplug_devices::{DeviceDatabase, Endpoint, HardwareCommand, simulated_device};
//! use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
//! use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
//! use std::sync::Arc;
//!
//! buttplug_server::block_on(async {
//!     let db = DeviceDatabase::builtin();
//!     let hush = simulated_device(db, "Lovense Hush", "AA:BB:CC:DD:EE:01")?;
//!     let toy = hush.hardware.clone();
//!     let devices = DeviceManagerBuilder::new(Arc::new(db.clone()))
//!         .comm_manager(SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice {
//!             hardware: hush.hardware,
//!             specifier: hush.specifier,
//!         }))
//!         .finish()?;
//!     let server = ButtplugServerBuilder::new().device_manager(devices).finish();
//!
//!     let (to_server, from_server) = server.json_connection();
//!     to_server.send(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"doc","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#.into()).await?;
//!     assert!(from_server.recv().await?.contains("ServerInfo"));
//!     to_server.send(r#"[{"StartScanning":{"Id":2}}]"#.into()).await?;
//!     while server.device_manager().devices().is_empty() {
//!         buttplug_devices::sleep(std::time::Duration::from_millis(5)).await;
//!     }
//!     toy.take_commands();
//!     to_server.send(r#"[{"OutputCmd":{"Id":3,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":10}}}}]"#.into()).await?;
//!     while !from_server.recv().await?.contains(r#""Id":3"#) {}
//!     assert_eq!(toy.take_commands(), vec![HardwareCommand::write(Endpoint::Tx, b"Vibrate:10;".to_vec())]);
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![doc(test(attr(deny(warnings))))]

mod broadcast;
pub mod comm;
mod device;
mod device_manager;
#[cfg(feature = "simulated")]
pub mod fixture;
pub mod managers;
#[cfg(feature = "rest")]
pub mod mdns;
mod port;
mod render;
#[cfg(feature = "rest")]
pub mod rest;
mod rt;
mod server;
mod session;
mod sync;
mod translate;
pub mod user_config;

pub use device::{
    DEVICE_REQUEST_CAPACITY, OutputBatch, PendingReply, RAMP_STEP_INTERVAL, RawCommand, RawReading,
    ServerDevice, ServerDeviceError, TRANSPORT_KEEPALIVE_INTERVAL,
};
pub use device_manager::{
    DEVICE_MANAGER_EVENT_CAPACITY, DEVICE_SETUP_TIMEOUT, DeviceManager, DeviceManagerBuilder,
    DeviceManagerError, DeviceManagerEvent, DeviceManagerOptions, DeviceObservation,
    SetLimitsError,
};
pub use rt::block_on;
pub use server::{
    ButtplugServer, ButtplugServerBuilder, DEFAULT_HANDSHAKE_TIMEOUT, InProcessConnector,
    MAX_CLIENT_FRAME, ServerOptions,
};
pub use session::{SESSION_INCOMING_CAPACITY, SESSION_OUTGOING_CAPACITY};

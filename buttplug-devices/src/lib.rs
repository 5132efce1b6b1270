//! Buttplug devices: the device database, the hardware model, one file per device protocol, and
//! simulated hardware. No runtime: `futures` plus `async-io`'s timer only.
//!
//! # Layers
//!
//! - [`config`]: the device database in upstream's JSON format (v4 and v5) plus user device
//!   configs (extra specifiers, allow/deny, reserved indexes, display names, message gaps,
//!   per-feature ranges). [`DeviceDatabase::builtin`] ships every protocol of the v5 database.
//! - [`Hardware`] and [`Endpoint`]: what a protocol may do with a connected device (write, read,
//!   subscribe, notifications, disconnect). Every transport implements it; so does
//!   [`SimulatedHardware`], which records every command.
//! - [`Protocol`] and [`ProtocolHandler`]: per protocol, async identify/initialize hooks and a
//!   **pure** output handler: a checked command in, the exact [`HardwareCommand`]s out. That is what
//!   makes every protocol testable byte for byte. [`protocols::registry`] lists them all;
//!   [`protocols::EXCEPTIONS`] names the database ids without an implementation, with the reason.
//!
//! # Example: what a Lovense Hush receives
//!
//! ```
//! use buttplug_core::OutputType;
//! use buttplug_devices::{
//!     DeviceDatabase, Endpoint, HardwareCommand, OutputCommand, SimulatedHardware, protocols,
//! };
//!
//! let db = DeviceDatabase::builtin();
//! let definition = db.definition("lovense", Some("Z"), "AA:BB").ok_or("no Hush")?;
//! assert_eq!(definition.name, "Lovense Hush");
//!
//! let hardware = SimulatedHardware::builder("LVS-Z36D", "AA:BB").build();
//! let lovense = protocols::find("lovense").ok_or("no lovense protocol")?;
//! let mut handler =
//!     futures::executor::block_on(lovense.initialize(&hardware, &definition))?;
//! let bytes = handler.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 10))?;
//! assert_eq!(bytes, vec![HardwareCommand::write(Endpoint::Tx, b"Vibrate:10;".to_vec())]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Fixtures: data-driven protocol tests
//!
//! Every protocol has fixture files in `buttplug-devices/fixtures/<protocol-id>/*.json`. A fixture
//! describes a simulated device (name, address, endpoints, manufacturer data or an explicit
//! specifier), scripted replies (`on_write` or `on_subscribe` → `notify`), read answers, the
//! exact commands of identify + initialize (`init`), and steps: a client message at any spec
//! version (`send`, without `Id`) with the expected reply and the exact hardware commands it must
//! produce (`expect`), injected notifications, disconnects and the events they cause. Unknown
//! fields are rejected. The runner (`buttplug_server::fixture`) drives the full path, client
//! message → server session → protocol → simulated hardware; `cargo test -p buttplug-server` runs
//! them all and `buttplug fixture FILE...` runs some. The format in detail, with an example:
//! `docs/DESIGN.md`, section "Fixtures". To add a device: add a file.
#![doc(test(attr(deny(warnings))))]

pub mod config;
mod definition;
mod endpoint;
mod hardware;
pub mod legacy;
mod protocol;
pub mod protocols;
mod simulated;
mod simulation;

pub use config::{CommunicationSpecifier, ConfigError, DeviceDatabase};
pub use definition::{DeviceDefinition, FeatureDefinition, InputDefinition, OutputDefinition};
pub use endpoint::{Endpoint, UnknownEndpoint};
pub use hardware::{Hardware, HardwareCommand, HardwareError, HardwareEvent, HardwareRef};
pub use protocol::{
    DEFAULT_READ_TIMEOUT, DeviceError, Identification, InputReading, KeepaliveStrategy,
    OutputCommand, Protocol, ProtocolHandler, SimpleProtocol, sleep, with_timeout,
};
pub use simulated::{RecordedCommand, SimulatedHardware, SimulatedHardwareBuilder};
pub use simulation::{SIMULATED_BATTERY, SimulatedDevicePlan, SimulationError, simulated_device};

//! Buttplug devices: the device database, the hardware abstraction, one file per device protocol
//! and simulated hardware. No runtime: futures only.
//!
//! (Crate documentation is being written; see docs/DESIGN.md.)

pub mod config;
mod definition;
mod endpoint;
mod hardware;
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

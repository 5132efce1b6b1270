//! The device database: which protocol a discovered device speaks, and what the device is.
//!
//! - [`DeviceDatabase::builtin`] is the database shipped in this crate (configuration format v5,
//!   one file per protocol under `buttplug-devices/database/protocols/`, embedded at build time;
//!   the data derives from the upstream Buttplug device database, see `NOTICE`).
//!   [`DeviceDatabase::from_json`] loads any base file in format v4 or v5.
//! - [`DeviceDatabase::with_user_config`] layers a user device config file on top (extra
//!   communication specifiers and configurations, per-device settings and per-feature overrides)
//!   and returns a new database; a bad file gives a [`ConfigError`] that names the file, the JSON
//!   path and line:column inside it, and the database it was applied to stays as it was.
//! - Discovery describes a found device as a [`CommunicationSpecifier`];
//!   [`DeviceDatabase::matching_protocols`] lists the protocols that may handle it, and after the
//!   protocol identified the device, [`DeviceDatabase::definition`] gives its
//!   [`crate::DeviceDefinition`] with the user's settings merged in.
//! - Safety limits per device and per output ([`OutputLimits`]: `max_level`, `max_ramp`):
//!   [`DeviceDatabase::output_limits`].
//! - Allow/deny lists and reserved device indexes: [`DeviceDatabase::is_address_allowed`],
//!   [`DeviceDatabase::reserved_indexes`], [`DeviceDatabase::remember_device`] and
//!   [`DeviceDatabase::to_user_config_json`] to persist them.
//!
//! Loading is strict about the format (unknown keys are errors, so typos surface) and lenient
//! about references: entries that name a protocol, feature or transport this database does not
//! have are skipped with a [`ConfigWarning`], so that a user file written for a newer database
//! still loads.

mod builtin;
mod database;
mod error;
mod file;
mod limits;
mod specifier;
mod summary;
mod user;

pub use database::{DatabaseVersion, DeviceDatabase, builtin_json};
pub use error::{ConfigError, ConfigWarning};
pub use limits::{LimitError, OutputLimits};
pub use specifier::{CommunicationSpecifier, ManufacturerData, VidPid};
pub use summary::DeviceSummary;
pub use user::{SimulatedDevice, UserDeviceKey, UserDeviceSettings};

//! Per-device user settings (`user_configs.devices[].config.user_config`) and their key.

use super::OutputLimits;
use std::time::Duration;

/// Identity of a physical device in the user config: `(protocol, identifier?, address)`.
///
/// The address is the transport's stable address (BLE peripheral id, serial port, WebSocket
/// device address); the identifier is what the protocol's identification found (`"Z"` for a
/// Lovense Hush), if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserDeviceKey {
    /// Protocol id.
    pub protocol: String,
    /// Configuration identifier, if the protocol identified one.
    pub identifier: Option<String>,
    /// Stable device address.
    pub address: String,
}

impl UserDeviceKey {
    /// A key from its parts.
    pub fn new(protocol: &str, identifier: Option<&str>, address: &str) -> Self {
        UserDeviceKey {
            protocol: protocol.to_string(),
            identifier: identifier.map(str::to_string),
            address: address.to_string(),
        }
    }
}

/// What a user configured for one device: allow/deny, reserved device index, display name,
/// message gap and the safety limits of all its outputs. (Per-feature overrides are merged into
/// [`crate::DeviceDefinition`] by [`crate::config::DeviceDatabase::definition`].)
///
/// Build one with [`UserDeviceSettings::new`] and the consuming setters:
///
/// ```
/// use buttplug_devices::config::UserDeviceSettings;
/// use std::time::Duration;
///
/// let s = UserDeviceSettings::new(3)
///     .display_name("Bedroom")
///     .message_gap(Duration::from_millis(50));
/// assert_eq!(s.index, 3);
/// assert!(!s.deny);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserDeviceSettings {
    /// Allow-listed: when any device is allow-listed, only allow-listed addresses connect.
    pub allow: bool,
    /// Deny-listed: this address never connects (deny wins over allow).
    pub deny: bool,
    /// The device index reserved for this device.
    pub index: u32,
    /// A name the user chose.
    pub display_name: Option<String>,
    /// Minimum gap between writes, overriding the database's.
    pub message_gap: Option<Duration>,
    /// Safety limits of every output with a stop value (`user_config.max_level` and
    /// `max_ramp`); a feature override's limits win for its output.
    pub limits: OutputLimits,
}

impl UserDeviceSettings {
    /// Settings that only reserve a device index.
    #[must_use]
    pub fn new(index: u32) -> Self {
        UserDeviceSettings {
            allow: false,
            deny: false,
            index,
            display_name: None,
            message_gap: None,
            limits: OutputLimits::NONE,
        }
    }

    /// Set `allow`.
    #[must_use]
    pub fn allow(mut self, allow: bool) -> Self {
        self.allow = allow;
        self
    }

    /// Set `deny`.
    #[must_use]
    pub fn deny(mut self, deny: bool) -> Self {
        self.deny = deny;
        self
    }

    /// Set the reserved index.
    #[must_use]
    pub fn index(mut self, index: u32) -> Self {
        self.index = index;
        self
    }

    /// Set the display name.
    #[must_use]
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Set the message gap (stored in whole milliseconds).
    #[must_use]
    pub fn message_gap(mut self, gap: Duration) -> Self {
        self.message_gap = Some(gap);
        self
    }

    /// Set the safety limits of every output.
    #[must_use]
    pub fn limits(mut self, limits: OutputLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The message gap in whole milliseconds, as the file and [`crate::DeviceDefinition`] keep it.
    pub(crate) fn message_gap_ms(&self) -> Option<u32> {
        self.message_gap
            .map(|d| u32::try_from(d.as_millis()).unwrap_or(u32::MAX))
    }
}

/// A simulated device the user config asks for (`user_configs.simulated_devices`, format v5), to
/// be offered by the simulated device manager.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimulatedDevice {
    /// Archetype name, matched by the `simulated` specifier (`"simulated-1vibe"`).
    pub identifier: String,
    /// Optional display name.
    pub display_name: Option<String>,
    /// Stable address of the simulated device.
    pub address: String,
}

//! [`DeviceSummary`]: one row of `buttplug devices [FILTER]`.

use crate::FeatureDefinition;

/// One known device configuration, for listing (the CLI's `buttplug devices`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceSummary {
    /// Device name (`"Lovense Hush"`; for protocol defaults e.g. `"Lovense Device"`).
    pub name: String,
    /// Protocol id.
    pub protocol: String,
    /// Configuration UUID.
    pub id: String,
    /// Whether this is the protocol's `defaults` entry (used for unknown identifiers).
    pub is_protocol_default: bool,
    /// Identifiers that select this configuration (empty for defaults).
    pub identifiers: Vec<String>,
    /// Transports the protocol is found on (`"btle"`, `"serial"`, ...; base and user specifiers).
    pub transports: Vec<&'static str>,
    /// Features with their output and input types and ranges, in index order.
    pub features: Vec<FeatureDefinition>,
}

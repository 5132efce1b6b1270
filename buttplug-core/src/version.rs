//! Protocol spec versions.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A Buttplug protocol spec version (the message-set major version).
///
/// Versions are ordered (`V0 < V4`) and convert to their number with `as u32`. A connection's
/// version is fixed by the client's first `RequestServerInfo`; see
/// [`handshake_version`](crate::handshake_version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum SpecVersion {
    /// Spec v0 (2017): per-brand commands, message-name device lists.
    V0 = 0,
    /// Spec v1: generic VibrateCmd/RotateCmd/LinearCmd, `FeatureCount`.
    V1 = 1,
    /// Spec v2: raw endpoint access, battery and RSSI, `StepCount`.
    V2 = 2,
    /// Spec v3: ScalarCmd and sensors, per-feature attribute arrays.
    V3 = 3,
    /// Spec v4: integer steps, `OutputCmd`/`InputCmd`/`StopCmd`, feature maps.
    V4 = 4,
}

impl SpecVersion {
    /// The newest version this crate speaks.
    pub const CURRENT: SpecVersion = SpecVersion::V4;

    /// Every version, oldest first.
    pub const ALL: [SpecVersion; 5] = [
        SpecVersion::V0,
        SpecVersion::V1,
        SpecVersion::V2,
        SpecVersion::V3,
        SpecVersion::V4,
    ];

    /// The version with this number, if there is one.
    pub const fn from_u32(n: u32) -> Option<SpecVersion> {
        match n {
            0 => Some(SpecVersion::V0),
            1 => Some(SpecVersion::V1),
            2 => Some(SpecVersion::V2),
            3 => Some(SpecVersion::V3),
            4 => Some(SpecVersion::V4),
            _ => None,
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", *self as u32)
    }
}

impl From<SpecVersion> for u32 {
    fn from(v: SpecVersion) -> u32 {
        v as u32
    }
}

/// The number is not a known spec version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a known Buttplug spec version (0-4)")]
pub struct UnknownSpecVersion(pub u32);

impl TryFrom<u32> for SpecVersion {
    type Error = UnknownSpecVersion;

    fn try_from(n: u32) -> Result<Self, Self::Error> {
        SpecVersion::from_u32(n).ok_or(UnknownSpecVersion(n))
    }
}

impl Serialize for SpecVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(*self as u32)
    }
}

impl<'de> Deserialize<'de> for SpecVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u32::deserialize(d)?;
        SpecVersion::from_u32(n).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Unsigned(u64::from(n)),
                &"a spec version 0-4",
            )
        })
    }
}

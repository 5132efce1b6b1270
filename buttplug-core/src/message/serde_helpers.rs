//! Serde helpers for optional wire fields.

use serde::{Deserialize, Deserializer};

/// Deserializes an optional field that, when present, must hold a value: `null` is rejected
/// (the schema never allows it), a missing field becomes `None` through `#[serde(default)]`.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Default for boolean fields that default to `true` (v4 `StopCmd` `Inputs`/`Outputs`).
pub(crate) fn yes() -> bool {
    true
}

/// Whether a boolean equals its default `true` (omitted when rendering).
pub(crate) fn is_true(b: &bool) -> bool {
    *b
}

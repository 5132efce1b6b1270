//! Every device protocol, one file each, and the registry.
//!
//! To add a protocol: add `<id>.rs` (module name = id with `-` replaced by `_`) exporting
//! `pub static PROTOCOL`, declare the module below and list it in [`registry`].

use crate::Protocol;

#[cfg(test)]
pub(crate) mod testing;

// --- batch A (issue 3) ---
// --- batch B (issue 7, part 1) ---
// --- batch C (issue 7, part 2) ---

/// Every protocol implementation, one per database protocol id.
pub fn registry() -> &'static [&'static dyn Protocol] {
    static PROTOCOLS: &[&dyn Protocol] = &[
        // --- batch A ---
        // --- batch B ---
        // --- batch C ---
    ];
    PROTOCOLS
}

/// Look up a protocol by id.
pub fn find(id: &str) -> Option<&'static dyn Protocol> {
    registry().iter().copied().find(|p| p.id() == id)
}

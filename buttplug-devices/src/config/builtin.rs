//! The built-in database as the build script embeds it: split so that start-up reads only the
//! version and every protocol's communication specifiers, and a protocol's devices (`defaults`,
//! `configurations`) are parsed when one of them is first looked up.
//!
//! Measured on `buttplug serve` (no devices): parsing the whole document eagerly left about
//! 1.25 MB of definitions and 2.4 MB peak heap, resident for the life of the process; the
//! communication part alone is about 40 kB of the 265 kB of JSON.

use std::sync::OnceLock;

/// The `version` object.
pub(super) const VERSION_JSON: &str =
    include_str!(concat!(env!("OUT_DIR"), "/device-database-version.json"));

/// A JSON array with each protocol's `communication` list (or `null`), in [`BUILTIN_PROTOCOLS`]
/// order.
const COMMUNICATION_JSON: &str = include_str!(concat!(
    env!("OUT_DIR"),
    "/device-database-communication.json"
));

/// Each protocol's other keys (`defaults`, `configurations`) as one JSON object, concatenated; a
/// protocol's object is `DEVICES_JSON[start..end]` of its [`BUILTIN_PROTOCOLS`] entry.
const DEVICES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/device-database-devices.json"));

// `const BUILTIN_PROTOCOLS: &[(&str, u32, u32, u32, u32)]`: protocol id, span of its
// communication value in `COMMUNICATION_JSON`, span of its object in `DEVICES_JSON`; sorted by id.
include!(concat!(env!("OUT_DIR"), "/device-database-index.rs"));

/// One protocol of the built-in database, as embedded.
#[derive(Debug, Clone, Copy)]
pub(super) struct BuiltinProtocol {
    /// Protocol id.
    pub id: &'static str,
    /// The `communication` list's JSON (`"null"` when the protocol has none).
    pub communication: Option<&'static str>,
    /// The JSON object with the protocol's `defaults` and `configurations`.
    pub devices: Option<&'static str>,
}

/// The protocols, sorted by id. A text is `None` if the build script's span does not fit, which
/// the crate's tests rule out.
pub(super) fn protocols() -> impl ExactSizeIterator<Item = BuiltinProtocol> {
    BUILTIN_PROTOCOLS
        .iter()
        .map(|&(id, comm_start, comm_end, start, end)| BuiltinProtocol {
            id,
            communication: span(COMMUNICATION_JSON, comm_start, comm_end),
            devices: span(DEVICES_JSON, start, end),
        })
}

/// `text[start..end]`, if that is a valid span.
fn span(text: &'static str, start: u32, end: u32) -> Option<&'static str> {
    text.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)
}

/// The whole built-in database as one format-v5 document, assembled from the parts on first call
/// and kept.
pub(super) fn whole_document() -> &'static str {
    static WHOLE: OnceLock<String> = OnceLock::new();
    WHOLE.get_or_init(|| {
        let mut out = String::with_capacity(
            VERSION_JSON.len() + COMMUNICATION_JSON.len() + DEVICES_JSON.len() + 64,
        );
        out.push_str("{\"version\":");
        out.push_str(VERSION_JSON);
        out.push_str(",\"protocols\":{");
        for (i, protocol) in protocols().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(protocol.id);
            out.push_str("\":{");
            let mut empty = true;
            if let Some(comm) = protocol.communication.filter(|c| *c != "null") {
                out.push_str("\"communication\":");
                out.push_str(comm);
                empty = false;
            }
            let members = protocol
                .devices
                .and_then(|d| d.strip_prefix('{'))
                .and_then(|d| d.strip_suffix('}'))
                .unwrap_or("");
            if !members.is_empty() {
                if !empty {
                    out.push(',');
                }
                out.push_str(members);
            }
            out.push('}');
        }
        out.push_str("}}");
        out
    })
}

#[cfg(test)]
mod tests {
    /// Every span of the build script's index is valid JSON of the right part.
    #[test]
    fn every_protocol_has_its_texts() {
        let files = std::fs::read_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("database/protocols"),
        )
        .map(|d| d.count())
        .unwrap_or(0);
        assert_eq!(super::protocols().len(), files);
        for p in super::protocols() {
            let comm = p.communication.unwrap_or_default();
            let devices = p.devices.unwrap_or_default();
            assert!(comm.starts_with('[') || comm == "null", "{}: {comm}", p.id);
            assert!(
                devices.starts_with('{') && devices.ends_with('}'),
                "{}",
                p.id
            );
        }
    }
}

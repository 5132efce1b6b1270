//! Prepares the shipped device database (`database/version.json` and one
//! `database/protocols/<protocol-id>.json` per protocol) for embedding by `src/config/builtin.rs`,
//! split so that a server only reads (and only has in memory) what it uses:
//!
//! - `OUT_DIR/device-database-version.json`: the version object.
//! - `OUT_DIR/device-database-communication.json`: one JSON array with each protocol's
//!   `communication` list (or `null`), in protocol id order. Parsed at start-up: discovery needs
//!   every protocol's specifiers.
//! - `OUT_DIR/device-database-devices.json`: each protocol's other keys (`defaults`,
//!   `configurations`) as one JSON object per protocol, concatenated. A protocol's object is
//!   parsed when a device of that protocol is first looked up.
//! - `OUT_DIR/device-database-index.rs`: the protocol ids, and the byte spans of each protocol's
//!   `communication` value and of its object in the devices file.
//!
//! Only files inside this crate are read. Whitespace outside strings is dropped and each
//! protocol's `communication` key is moved out of its object, nothing else is changed; the JSON
//! itself is checked by the crate's tests (which also compare the reassembled whole document with
//! the upstream reference).

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=database");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let database = manifest_dir.join("database");

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in fs::read_dir(database.join("protocols"))? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let id = protocol_id(&path)?;
        files.push((id, path));
    }
    files.sort();

    let mut version = String::new();
    push_compact(
        &mut version,
        &fs::read_to_string(database.join("version.json"))?,
    );
    let mut communication = String::from("[");
    let mut devices = String::with_capacity(1 << 18);
    let mut index = String::from("const BUILTIN_PROTOCOLS: &[(&str, u32, u32, u32, u32)] = &[\n");
    for (i, (id, path)) in files.iter().enumerate() {
        let mut compact = String::new();
        push_compact(&mut compact, &fs::read_to_string(path)?);
        let members = object_members(&compact)
            .ok_or_else(|| format!("{}: not a JSON object", path.display()))?;
        if i > 0 {
            communication.push(',');
        }
        let comm_start = communication.len();
        let start = devices.len();
        devices.push('{');
        for (key, value) in members {
            if key == "\"communication\"" {
                communication.push_str(value);
            } else {
                if !devices.ends_with('{') {
                    devices.push(',');
                }
                write!(devices, "{key}:{value}")?;
            }
        }
        devices.push('}');
        if communication.len() == comm_start {
            communication.push_str("null");
        }
        writeln!(
            index,
            "    ({id:?}, {comm_start}, {}, {start}, {}),",
            communication.len(),
            devices.len()
        )?;
    }
    communication.push(']');
    index.push_str("];\n");
    if u32::try_from(devices.len().max(communication.len())).is_err() {
        return Err("device database too large for u32 offsets".into());
    }

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    fs::write(out_dir.join("device-database-version.json"), version)?;
    fs::write(
        out_dir.join("device-database-communication.json"),
        communication,
    )?;
    fs::write(out_dir.join("device-database-devices.json"), devices)?;
    fs::write(out_dir.join("device-database-index.rs"), index)?;
    Ok(())
}

/// The members of a compact JSON object (`{"a":1,"b":[2]}`) as `(key, value)` texts, the key with
/// its quotes. `None` when `json` is not an object.
fn object_members(json: &str) -> Option<Vec<(&str, &str)>> {
    let inner = json.strip_prefix('{')?.strip_suffix('}')?;
    let mut members = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() {
        let key_end = token_end(rest)?;
        let (key, after) = rest.split_at(key_end);
        let after = after.strip_prefix(':')?;
        let value_end = token_end(after)?;
        let (value, after) = after.split_at(value_end);
        members.push((key, value));
        rest = match after.strip_prefix(',') {
            Some(next) => next,
            None if after.is_empty() => after,
            None => return None,
        };
    }
    Some(members)
}

/// The length of the JSON value (or key) at the start of compact `json`: up to the first `,`, `:`
/// or closing bracket outside strings and nested brackets.
fn token_end(json: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut strings = Strings::default();
    for (i, c) in json.char_indices() {
        if strings.feed(c) {
            continue;
        }
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' if depth == 0 => return Some(i),
            '}' | ']' => depth -= 1,
            ',' | ':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    (depth == 0 && !strings.inside && !json.is_empty()).then_some(json.len())
}

/// Where a character-by-character scan of JSON text is relative to string literals.
#[derive(Default)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Takes the next character; whether it belongs to a string literal (its quotes included).
    fn feed(&mut self, c: char) -> bool {
        if self.inside {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.inside = false;
            }
            true
        } else {
            self.inside = c == '"';
            self.inside
        }
    }
}

/// The protocol id of a file: its stem, which must be a plain id (it is written into JSON as is).
fn protocol_id(path: &Path) -> Result<String, Box<dyn Error>> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| format!("{}: file name is not UTF-8", path.display()))?;
    let plain = !stem.is_empty()
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if plain {
        Ok(stem.to_string())
    } else {
        Err(format!(
            "{}: protocol file names use only a-z, 0-9, '-' and '_'",
            path.display()
        )
        .into())
    }
}

/// Append `json` without the whitespace between tokens (string contents are kept as they are).
fn push_compact(out: &mut String, json: &str) {
    let mut strings = Strings::default();
    for c in json.chars() {
        if strings.feed(c) || !matches!(c, ' ' | '\n' | '\r' | '\t') {
            out.push(c);
        }
    }
}

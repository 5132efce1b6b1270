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
//! Only files inside this crate are read. Each file is parsed with serde_json and written back
//! compact, its `communication` key moved out of its object; the JSON itself is checked by the
//! crate's tests (which also compare the reassembled whole document with the upstream reference).

use serde_json::{Map, Value};
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

    let version: Value = serde_json::from_str(&fs::read_to_string(database.join("version.json"))?)?;
    let mut communication = String::from("[");
    let mut devices = String::with_capacity(1 << 18);
    let mut index = String::from("const BUILTIN_PROTOCOLS: &[(&str, u32, u32, u32, u32)] = &[\n");
    for (i, (id, path)) in files.iter().enumerate() {
        let mut object: Map<String, Value> = serde_json::from_str(&fs::read_to_string(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if i > 0 {
            communication.push(',');
        }
        let comm_start = communication.len();
        let comm = object.remove("communication").unwrap_or(Value::Null);
        communication.push_str(&serde_json::to_string(&comm)?);
        let start = devices.len();
        devices.push_str(&serde_json::to_string(&object)?);
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
    fs::write(
        out_dir.join("device-database-version.json"),
        serde_json::to_string(&version)?,
    )?;
    fs::write(
        out_dir.join("device-database-communication.json"),
        communication,
    )?;
    fs::write(out_dir.join("device-database-devices.json"), devices)?;
    fs::write(out_dir.join("device-database-index.rs"), index)?;
    Ok(())
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

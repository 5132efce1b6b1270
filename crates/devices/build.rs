//! Joins the shipped device database (`database/version.json` and one
//! `database/protocols/<protocol-id>.json` per protocol) into one format-v5 JSON document in
//! `OUT_DIR/device-database.json`, which `src/config/database.rs` embeds with `include_str!`.
//!
//! Only files inside this crate are read. Whitespace outside strings is dropped, nothing else is
//! changed; the JSON itself is checked by the crate's tests.

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

    let mut out = String::with_capacity(1 << 20);
    out.push_str("{\"version\":");
    push_compact(
        &mut out,
        &fs::read_to_string(database.join("version.json"))?,
    );
    out.push_str(",\"protocols\":{");
    for (i, (id, path)) in files.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write!(out, "\"{id}\":")?;
        push_compact(&mut out, &fs::read_to_string(path)?);
    }
    out.push_str("}}");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    fs::write(out_dir.join("device-database.json"), out)?;
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

/// Append `json` without the whitespace between tokens (string contents are kept as they are).
fn push_compact(out: &mut String, json: &str) {
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            out.push(c);
            in_string = c == '"';
        }
    }
}

//! Fuzz targets shared by the libFuzzer drivers (`fuzz_targets/`, run with
//! `cargo +nightly fuzz run <target>`) and the stable replay/mutation harness
//! (`src/bin/fuzz-replay.rs`, run by `.ci/fuzz-smoke`).
//!
//! Every target takes arbitrary bytes, must never panic, and checks the contracts the crates
//! document:
//!
//! - [`codec`]: client and server frames at every spec version (v0–v4) parse totally (one
//!   result per message, at least one per frame), error texts stay bounded, and every message
//!   that parses renders back to text that parses to the same message. The handshake reader and
//!   the bytes entry point run on the same input.
//! - [`device_config`]: a base device database file (format v4/v5) either loads or gives an
//!   error; a loaded database answers matching, definitions and search, and its user layer
//!   exported with `to_user_config_json` loads again.
//! - [`user_config`]: a user device config applied to the built-in database; its export loads
//!   again on the built-in database and exports the same text (the documented round trip).
//! - [`device_handshake`]: the first frame of a WebSocket device (`DeviceHandshake::parse`);
//!   a parsed handshake renders back to the same handshake and its identifier can be matched
//!   against the database.
//!
//! Each target returns a small score (0 = rejected at the first check, higher = got further) that
//! the stable harness uses to keep interesting mutants; libFuzzer ignores it.
#![forbid(unsafe_code)]

use buttplug_core::{
    ClientMessage, ServerMessage, SpecVersion, handshake_version, parse_client_bytes,
    parse_client_frame, parse_server_frame, render_client_frame, render_server_frame,
};
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase};
use buttplug_server::managers::websocket_devices::DeviceHandshake;

/// A fuzz target: arbitrary bytes in, a score out (panics are findings).
pub type Target = fn(&[u8]) -> u32;

/// The targets by name, for the harness.
pub const TARGETS: &[(&str, Target)] = &[
    ("codec", codec),
    ("device_config", device_config),
    ("user_config", user_config),
    ("device_handshake", device_handshake),
];

/// Longest error text the codec may produce for any input: the fixed wording plus at most
/// `MAX_ECHO_BYTES` of echoed input per echoed item (a message name and a serde message).
pub const MAX_ERROR_TEXT: usize = 1024;

/// Codec target: see the crate docs.
pub fn codec(data: &[u8]) -> u32 {
    let mut score = 0;
    for version in SpecVersion::ALL {
        // The bytes entry point (WebSocket binary frames) never panics and gives at least one
        // entry.
        let parsed = parse_client_bytes(data, version);
        assert!(!parsed.is_empty(), "parse_client_bytes gave no entry");
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return score;
    };
    score += 1;
    let _ = handshake_version(text);
    for version in SpecVersion::ALL {
        let parsed = parse_client_frame(text, version);
        assert!(
            !parsed.is_empty(),
            "a client frame gave no entry at {version:?}"
        );
        for entry in parsed {
            match entry {
                Ok(m) => {
                    score += 2;
                    client_round_trip(&m, version);
                }
                Err(e) => {
                    score += u32::from(e.id != 0);
                    assert!(
                        e.error_message.len() <= MAX_ERROR_TEXT,
                        "error text of {} bytes at {version:?}: {:?}",
                        e.error_message.len(),
                        &e.error_message[..e.error_message.floor_char_boundary(200)]
                    );
                }
            }
        }
        let parsed = parse_server_frame(text, version);
        assert!(
            !parsed.is_empty(),
            "a server frame gave no entry at {version:?}"
        );
        for m in parsed.into_iter().flatten() {
            score += 2;
            server_round_trip(&m, version);
        }
    }
    score
}

fn client_round_trip(m: &ClientMessage, version: SpecVersion) {
    let text = render_client_frame(std::slice::from_ref(m));
    let again = parse_client_frame(&text, version);
    assert_eq!(again.len(), 1, "re-parse of {text} gave {again:?}");
    match &again[0] {
        Ok(back) => assert_eq!(back, m, "client round trip changed the message: {text}"),
        Err(e) => {
            panic!("rendered client message does not parse back at {version:?}: {text} -> {e:?}")
        }
    }
}

fn server_round_trip(m: &ServerMessage, version: SpecVersion) {
    let text = render_server_frame(std::slice::from_ref(m));
    let again = parse_server_frame(&text, version);
    assert_eq!(again.len(), 1, "re-parse of {text} gave {again:?}");
    match &again[0] {
        Ok(back) => assert_eq!(back, m, "server round trip changed the message: {text}"),
        Err(e) => {
            panic!("rendered server message does not parse back at {version:?}: {text} -> {e:?}")
        }
    }
}

/// Exercise a loaded database: matching, definitions, search, simulated devices.
fn exercise(db: &DeviceDatabase) -> u32 {
    let mut score = 0;
    for protocol in db.protocol_ids() {
        score += 1;
        for spec in db.protocol_specifiers(protocol) {
            let _ = spec.transport();
            let _ = db.matching_protocols(spec);
        }
        if let Some(d) = db.definition(protocol, None, "fu:zz") {
            let _ = d.message_gap();
            for f in &d.features {
                let _ = f.index;
            }
        }
    }
    let _ = db.search("");
    let _ = db.search("a");
    let _ = db.reserved_indexes();
    let _ = db.is_address_allowed("fu:zz");
    for (key, _) in db.user_devices() {
        let _ = db.definition(&key.protocol, key.identifier.as_deref(), &key.address);
        let _ = db.is_address_allowed(&key.address);
    }
    for s in db.simulated_devices() {
        let _ = buttplug_devices::simulated_device(db, &s.identifier, "SI:MU:LA:TE:00:00");
    }
    let seen = CommunicationSpecifier::btle_advertisement("LVS-Z36D", vec![], vec![]);
    let _ = db.matching_protocols(&seen);
    for w in db.warnings() {
        let _ = w.to_string();
    }
    score
}

/// Device-config (base database file) target: see the crate docs.
pub fn device_config(data: &[u8]) -> u32 {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    match DeviceDatabase::from_json(text, "fuzz-device-config.json") {
        Err(e) => {
            let _ = e.to_string();
            1
        }
        Ok(db) => {
            let score = 2 + exercise(&db);
            let exported = db.to_user_config_json();
            if let Err(e) = db.with_user_config(&exported, "fuzz-export.json") {
                panic!("exported user layer does not load again: {e}\n{exported}");
            }
            score
        }
    }
}

/// User-config target: see the crate docs.
pub fn user_config(data: &[u8]) -> u32 {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let base = DeviceDatabase::builtin();
    match base.with_user_config(text, "fuzz-user-config.json") {
        Err(e) => {
            let _ = e.to_string();
            1
        }
        Ok(db) => {
            let score = 2 + exercise(&db);
            let exported = db.to_user_config_json();
            match base.with_user_config(&exported, "fuzz-export.json") {
                Ok(again) => assert_eq!(
                    again.to_user_config_json(),
                    exported,
                    "the user config round trip changed the state"
                ),
                Err(e) => panic!("exported user config does not load again: {e}\n{exported}"),
            }
            score
        }
    }
}

/// WebSocket device handshake target: see the crate docs.
pub fn device_handshake(data: &[u8]) -> u32 {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    match DeviceHandshake::parse(text) {
        Err(e) => {
            let _ = e.to_string();
            1
        }
        Ok(h) => {
            let rendered = serde_json::json!({
                "identifier": h.identifier,
                "address": h.address,
                "version": h.version,
            })
            .to_string();
            match DeviceHandshake::parse(&rendered) {
                Ok(back) => assert_eq!(back, h, "handshake round trip: {rendered}"),
                Err(e) => panic!("rendered handshake does not parse: {rendered}: {e}"),
            }
            let spec = CommunicationSpecifier::Websocket {
                name: h.identifier.clone(),
            };
            let _ = DeviceDatabase::builtin().matching_protocols(&spec);
            2
        }
    }
}

//! Every message the codec emits, at every version, validates against the published JSON schema
//! (`reference/buttplug-schema.json` at the top of the repository, draft-07, all versions in
//! one file).
//!
//! Two checks per message: against the schema's root (any of spec v4..v0, which is what the
//! reference implementation validates), and against the message's own version
//! (`#/specs/MessageSpecVn`). Documented deviations are listed below; anything else fails.

use crate::util::*;
use buttplug_core::*;
use serde_json::Value;
use std::path::PathBuf;

/// Messages this crate speaks that the schema does not define at all.
const NOT_IN_SCHEMA: &[(SpecVersion, &str, &str)] = &[
    (
        SpecVersion::V0,
        "LovenseCmd",
        "in the v0 spec text, missing from the schema",
    ),
    (
        SpecVersion::V1,
        "LovenseCmd",
        "in the v0 spec text, missing from the schema",
    ),
    (
        SpecVersion::V4,
        "Disconnect",
        "in the v4 spec text, missing from the schema",
    ),
];

/// Messages valid under the root schema but missing from their own version's list.
const NOT_IN_VERSION_LIST: &[(SpecVersion, &str, &str)] = &[
    (
        SpecVersion::V0,
        "ScanningFinished",
        "the schema's v0 list omits it; the spec text and servers send it",
    ),
    (
        SpecVersion::V1,
        "ScanningFinished",
        "the schema's v1 list omits it; the spec text and servers send it",
    ),
    (
        SpecVersion::V1,
        "SingleMotorVibrateCmd",
        "deprecated in v1 but still part of it; the schema's v1 list omits it",
    ),
    (
        SpecVersion::V3,
        "VibrateCmd",
        "dropped by v3, still accepted as the reference server does",
    ),
];

/// A file of the repository's `reference/` folder, parsed. It is part of the repository, so a
/// missing or broken file fails the test.
fn reference(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../reference")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (part of the repository)", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The newest message schema (spec v0 to v4).
fn load_schema() -> Value {
    reference("buttplug-schema.json")
}

struct Validators {
    root: jsonschema::Validator,
    per_version: Vec<(SpecVersion, jsonschema::Validator)>,
}

impl Validators {
    fn new(schema: &Value) -> Self {
        let root = jsonschema::draft7::new(schema).expect("schema compiles");
        let per_version = SpecVersion::ALL
            .into_iter()
            .map(|v| {
                let mut s = schema.clone();
                s["anyOf"] =
                    serde_json::json!([{ "$ref": format!("#/specs/MessageSpecV{}", v as u32) }]);
                (
                    v,
                    jsonschema::draft7::new(&s).expect("version schema compiles"),
                )
            })
            .collect();
        Validators { root, per_version }
    }

    /// Checks one rendered message; returns a failure description, if any.
    fn check(&self, version: SpecVersion, name: &str, frame: &str) -> Option<String> {
        let instance: Value = serde_json::from_str(frame).expect("rendered JSON parses");
        let listed = |list: &[(SpecVersion, &str, &str)]| {
            list.iter().any(|(v, n, _)| *v == version && *n == name)
        };
        let root_ok = self.root.is_valid(&instance);
        if listed(NOT_IN_SCHEMA) {
            return root_ok.then(|| {
                format!("{version} {name}: listed as absent but validates; update NOT_IN_SCHEMA")
            });
        }
        if !root_ok {
            let errors: Vec<String> = self
                .root
                .iter_errors(&instance)
                .take(3)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            return Some(format!("{version} {name}: {frame}\n  {errors:?}"));
        }
        let (_, own) = self
            .per_version
            .iter()
            .find(|(v, _)| *v == version)
            .expect("every version");
        let own_ok = own.is_valid(&instance);
        match (own_ok, listed(NOT_IN_VERSION_LIST)) {
            (true, false) | (false, true) => None,
            (true, true) => Some(format!(
                "{version} {name}: listed as missing from its version but validates"
            )),
            (false, false) => Some(format!(
                "{version} {name}: valid for another version only: {frame}"
            )),
        }
    }
}

#[test]
fn schema_itself_is_valid_draft7() {
    let schema = load_schema();
    assert!(jsonschema::meta::is_valid(&schema));
}

#[test]
fn every_emitted_server_message_validates() {
    let schema = load_schema();
    let validators = Validators::new(&schema);
    let mut failures = Vec::new();
    let mut checked = 0;
    for v in SpecVersion::ALL {
        for m in server_samples(v) {
            checked += 1;
            let frame = render_server_frame(std::slice::from_ref(&m));
            failures.extend(validators.check(v, m.name(), &frame));
        }
    }
    assert!(
        failures.is_empty(),
        "{checked} checked:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_emitted_client_message_validates() {
    let schema = load_schema();
    let validators = Validators::new(&schema);
    let mut failures = Vec::new();
    for v in SpecVersion::ALL {
        for m in client_samples(v) {
            let frame = render_client_frame(std::slice::from_ref(&m));
            failures.extend(validators.check(v, m.name(), &frame));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Codec errors (what the server sends back for bad frames) validate too.
#[test]
fn error_replies_validate() {
    let schema = load_schema();
    let validators = Validators::new(&schema);
    for text in [
        "",
        "[]",
        "{",
        r#"[{"Nope":{"Id":3}}]"#,
        r#"[{"Ping":{"Id":0}}]"#,
    ] {
        for v in SpecVersion::ALL {
            for r in parse_client_frame(text, v) {
                let e = r.expect_err("bad frame");
                let frame = render_server_frame(&[ServerMessage::error(e, v)]);
                assert_eq!(validators.check(v, "Error", &frame), None);
            }
        }
    }
}

/// The schema also rejects what this crate documents as schema defects, so the deviations stay
/// visible: a real (negative) RSSI reading does not validate.
#[test]
fn documented_schema_defects() {
    let schema = load_schema();
    let root = jsonschema::draft7::new(&schema).expect("compiles");
    let rssi: Value =
        serde_json::from_str(r#"[{"RSSILevelReading":{"Id":3,"DeviceIndex":0,"RSSILevel":-60}}]"#)
            .expect("json");
    assert!(!root.is_valid(&rssi));
    for data in ["[512]", "[-40]"] {
        let reading: Value = serde_json::from_str(&format!(
            r#"[{{"SensorReading":{{"Id":0,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Pressure","Data":{data}}}}}]"#
        ))
        .expect("json");
        assert!(!root.is_valid(&reading), "{data}");
    }
}

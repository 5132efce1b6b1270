//! Device database tests: the shipped data against the upstream reference files (the
//! repository's `reference/` folder), matching, definitions, user configs, errors.

use buttplug_core::{InputCommandType, InputType, OutputType, StepRange};
use buttplug_devices::config::{
    CommunicationSpecifier, ConfigError, DeviceDatabase, ManufacturerData, UserDeviceSettings,
    VidPid,
};
use buttplug_devices::{DeviceDefinition, FeatureDefinition};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped protocol files (`database/protocols/*.json`).
fn protocol_files() -> Vec<PathBuf> {
    std::fs::read_dir(manifest_dir().join("database/protocols"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// A file of the repository's `reference/` folder. It is part of the repository, so a missing
/// file fails the test.
fn reference(name: &str) -> String {
    let path = manifest_dir().join("../reference").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (part of the repository)", path.display()))
}

fn db() -> &'static DeviceDatabase {
    DeviceDatabase::builtin()
}

fn btle(name: &str) -> CommunicationSpecifier {
    CommunicationSpecifier::btle_advertisement(name, vec![], vec![])
}

fn feature(def: &DeviceDefinition, index: u32) -> &FeatureDefinition {
    def.feature(index)
        .unwrap_or_else(|| panic!("{} has no feature {index}", def.name))
}

/// A user config file with one device entry.
fn user_file(
    protocol: &str,
    identifier: &str,
    address: &str,
    features: Value,
    user_config: Value,
) -> String {
    let def = db()
        .definition(protocol, Some(identifier), address)
        .unwrap_or_else(|| panic!("no {protocol}/{identifier}"));
    json!({
        "version": {"major": 5, "minor": 0},
        "user_configs": {
            "devices": [{
                "identifier": {"protocol": protocol, "identifier": identifier, "address": address},
                "config": {"id": def.id, "base_id": def.id, "features": features, "user_config": user_config}
            }]
        }
    })
    .to_string()
}

// ---- the shipped data ----------------------------------------------------------------------------

#[test]
fn builtin_loads_without_warnings() {
    let db = db();
    assert_eq!(db.version().major, 5);
    assert_eq!(db.version().minor, 57);
    assert_eq!(db.protocol_ids().len(), protocol_files().len());
    assert!(db.warnings().is_empty(), "{:?}", db.warnings());
}

#[test]
fn shipped_files_are_canonical() -> TestResult {
    // Pretty-printed with sorted keys, so that the files stay diffable and regenerable.
    let dir = manifest_dir().join("database/protocols");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let text = std::fs::read_to_string(&path)?;
        let value: Value = serde_json::from_str(&text)?;
        assert_eq!(
            text,
            serde_json::to_string_pretty(&value)? + "\n",
            "{} is not pretty-printed with sorted keys",
            path.display()
        );
        count += 1;
    }
    assert_eq!(count, db().protocol_ids().len());
    let version: Value = serde_json::from_str(&std::fs::read_to_string(
        manifest_dir().join("database/version.json"),
    )?)?;
    assert_eq!(version, json!({"major": 5, "minor": 57}));
    Ok(())
}

#[test]
fn builtin_equals_v5_reference() -> TestResult {
    let text = reference("buttplug-device-config-v5.json");
    let reference: Value = serde_json::from_str(&text)?;
    let protocols = reference["protocols"].as_object().ok_or("no protocols")?;
    assert!(!protocols.is_empty());
    // Protocol by protocol: the shipped file equals the reference entry.
    for (name, entry) in protocols {
        let path = manifest_dir().join(format!("database/protocols/{name}.json"));
        let ours: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        assert_eq!(&ours, entry, "protocol {name} differs from the reference");
    }
    // And the embedded document (build script output) equals the whole reference file, apart
    // from protocols this project adds on top of it.
    let mut embedded: Value = serde_json::from_str(buttplug_devices::config::builtin_json())?;
    if let Some(ours) = embedded["protocols"].as_object_mut() {
        ours.retain(|name, _| protocols.contains_key(name));
    }
    assert_eq!(embedded, reference);
    Ok(())
}

/// The reference's configurations as (protocol, name, features-or-defaults, identifiers).
fn reference_configs(reference: &Value) -> Vec<(String, Value, Vec<String>)> {
    let mut out = Vec::new();
    for (name, p) in reference["protocols"].as_object().into_iter().flatten() {
        let configs = p
            .get("configurations")
            .or_else(|| p.get("configuration"))
            .and_then(Value::as_array);
        for c in configs.into_iter().flatten() {
            let ids = c["identifier"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            out.push((name.clone(), c.clone(), ids));
        }
    }
    out
}

/// A feature list of the reference as comparable text: index, id, description, outputs, inputs.
fn reference_features(features: &Value) -> Vec<String> {
    let mut out: Vec<(u64, String)> = features
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let index = f["index"].as_u64().unwrap_or(u64::MAX);
            let mut outputs: Vec<String> = f["output"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, o)| {
                    format!(
                        "{k}:{}:{}",
                        o["value"],
                        o.get("duration").unwrap_or(&Value::Null)
                    )
                })
                .collect();
            outputs.sort();
            let mut inputs: Vec<String> = f["input"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, i)| format!("{k}:{}:{}", i["value"], i["command"]))
                .collect();
            inputs.sort();
            let description = f["description"].as_str().unwrap_or("");
            (
                index,
                format!(
                    "{index} {} {description:?} {outputs:?} {inputs:?}",
                    f["id"].as_str().unwrap_or("")
                ),
            )
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, s)| s).collect()
}

fn our_features(features: &[FeatureDefinition]) -> Vec<String> {
    features
        .iter()
        .map(|f| {
            let mut outputs: Vec<String> = f
                .outputs
                .iter()
                .map(|o| {
                    let duration = o
                        .duration
                        .map(|d| json!([d.start, d.end]))
                        .unwrap_or(Value::Null);
                    format!(
                        "{}:{}:{duration}",
                        o.output_type.config_name(),
                        json!([o.value.start, o.value.end])
                    )
                })
                .collect();
            outputs.sort();
            let mut inputs: Vec<String> = f
                .inputs
                .iter()
                .map(|i| {
                    let ranges: Vec<[i32; 2]> = i.value.iter().map(|r| [r.start, r.end]).collect();
                    format!(
                        "{}:{}:{}",
                        i.input_type.config_name(),
                        json!(ranges),
                        json!(i.commands)
                    )
                })
                .collect();
            inputs.sort();
            format!(
                "{} {} {:?} {outputs:?} {inputs:?}",
                f.index, f.id, f.description
            )
        })
        .collect()
}

/// Every (protocol, identifier) of a reference file resolves to the same name, protocol variant,
/// message gap and features as the reference says (defaults inherited; the last configuration
/// listing an identifier wins). Returns (configurations, identifiers).
fn check_definitions_against(db: &DeviceDatabase, reference: &Value) -> (usize, usize) {
    let configs = reference_configs(reference);
    let mut last: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, (protocol, _, ids)) in configs.iter().enumerate() {
        for id in ids {
            last.insert((protocol.clone(), id.clone()), i);
        }
    }
    for ((protocol, id), &i) in &last {
        let config = &configs[i].1;
        let defaults = &reference["protocols"][protocol]["defaults"];
        let def = db
            .definition(protocol, Some(id), "addr")
            .unwrap_or_else(|| panic!("{protocol}/{id} does not resolve"));
        assert_eq!(def.name, config["name"], "{protocol}/{id}");
        assert_eq!(def.id, config["id"], "{protocol}/{id}");
        assert_eq!(def.identifier.as_deref(), Some(id.as_str()));
        let variant = config
            .get("protocol_variant")
            .or_else(|| defaults.get("protocol_variant"));
        assert_eq!(
            def.protocol_variant.as_ref().map(|v| json!(v)).as_ref(),
            variant,
            "{protocol}/{id}"
        );
        let gap = config
            .get("message_gap_ms")
            .or_else(|| defaults.get("message_gap_ms"));
        assert_eq!(
            def.message_gap_ms.map(|g| json!(g)).as_ref(),
            gap,
            "{protocol}/{id}"
        );
        let features = config.get("features").unwrap_or(&defaults["features"]);
        assert_eq!(
            our_features(&def.features),
            reference_features(features),
            "{protocol}/{id}"
        );
    }
    for (protocol, p) in reference["protocols"].as_object().into_iter().flatten() {
        let def = db
            .definition(protocol, None, "addr")
            .unwrap_or_else(|| panic!("{protocol} has no defaults"));
        assert_eq!(def.name, p["defaults"]["name"]);
        assert_eq!(def.identifier, None);
        assert_eq!(
            our_features(&def.features),
            reference_features(&p["defaults"]["features"])
        );
    }
    let identifiers = configs.iter().map(|c| c.2.len()).sum();
    (configs.len(), identifiers)
}

#[test]
fn builtin_definitions_equal_v5_reference() -> TestResult {
    let text = reference("buttplug-device-config-v5.json");
    let reference: Value = serde_json::from_str(&text)?;
    let (configs, identifiers) = check_definitions_against(db(), &reference);
    assert_eq!((configs, identifiers), (806, 952));
    // The listing sees what the shipped files hold: one default per protocol, every
    // configuration and every identifier.
    let (mut file_configs, mut file_identifiers) = (0, 0);
    for path in protocol_files() {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        for c in v["configurations"].as_array().into_iter().flatten() {
            file_configs += 1;
            file_identifiers += c["identifier"].as_array().map_or(0, Vec::len);
        }
    }
    let all = db().search("");
    assert_eq!(
        all.iter().filter(|s| s.is_protocol_default).count(),
        db().protocol_ids().len()
    );
    assert_eq!(
        all.iter().filter(|s| !s.is_protocol_default).count(),
        file_configs
    );
    assert_eq!(
        all.iter().map(|s| s.identifiers.len()).sum::<usize>(),
        file_identifiers
    );
    Ok(())
}

#[test]
fn v4_reference_loads_completely() -> TestResult {
    let text = reference("buttplug-device-config-v4.json");
    let v4 = DeviceDatabase::from_json(&text, "buttplug-device-config-v4.json")?;
    assert_eq!(v4.version().major, 4);
    assert_eq!(v4.protocol_ids().len(), 139);
    assert!(v4.warnings().is_empty(), "{:?}", v4.warnings());
    let reference: Value = serde_json::from_str(&text)?;
    // 733 `configurations` + the one under sexverse-v5's singular `configuration` key.
    assert_eq!(check_definitions_against(&v4, &reference), (734, 874));
    let kona = v4
        .definition("sexverse-v5", Some("CB-WXW03"), "a")
        .ok_or("no Kona")?;
    assert_eq!(kona.name, "Hannibal Kona");
    assert_eq!(
        v4.matching_protocols(&CommunicationSpecifier::Xinput),
        vec!["xinput"]
    );
    assert!(v4.protocol_ids().contains(&"nintendo-joycon"));
    Ok(())
}

#[test]
fn files_validate_against_upstream_schemas() -> TestResult {
    let v5_schema = reference("buttplug-device-config-schema-v5.json");
    let v4_schema = reference("buttplug-device-config-schema-v4.json");
    let example = reference("buttplug-user-device-config-v4.example.json");
    let v5 = jsonschema::validator_for(&serde_json::from_str(&v5_schema)?)?;
    let v4 = jsonschema::validator_for(&serde_json::from_str(&v4_schema)?)?;
    let check = |validator: &jsonschema::Validator, text: &str, what: &str| -> TestResult {
        let value: Value = serde_json::from_str(text)?;
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:?}");
        Ok(())
    };
    check(
        &v5,
        buttplug_devices::config::builtin_json(),
        "built-in database vs v5 schema",
    )?;
    check(&v4, &example, "user example vs v4 schema")?;
    check(&v5, &example, "user example vs v5 schema")?;
    // What we write validates too.
    let mut with_user = db().with_user_config(&example, "example.json")?;
    with_user.remember_device("new-device", "lovense", Some("Z"));
    with_user.set_user_device(
        "ws-device",
        "tcode-v03",
        None,
        UserDeviceSettings::new(9)
            .display_name("Stroker")
            .message_gap(Duration::from_millis(30)),
    );
    check(
        &v5,
        &with_user.to_user_config_json(),
        "written user config vs v5 schema",
    )?;
    Ok(())
}

// ---- matching ------------------------------------------------------------------------------------

#[test]
fn matching_by_ble_name_wildcard() {
    assert_eq!(db().matching_protocols(&btle("LVS-Z36D")), vec!["lovense"]);
    assert_eq!(db().matching_protocols(&btle("LOVE-abc")), vec!["lovense"]);
    // Case-sensitive, as upstream.
    assert!(db().matching_protocols(&btle("lvs-z36d")).is_empty());
    assert!(db().matching_protocols(&btle("Unheard-Of Toy")).is_empty());
}

#[test]
fn matching_by_manufacturer_data_and_advertised_service() {
    let lovense_data = CommunicationSpecifier::btle_advertisement(
        "nameless",
        vec![ManufacturerData::new(620, Some(vec![7, 255, 33, 1]))],
        vec![],
    );
    assert_eq!(db().matching_protocols(&lovense_data), vec!["lovense"]);
    let wrong_data = CommunicationSpecifier::btle_advertisement(
        "nameless",
        vec![ManufacturerData::new(620, Some(vec![255, 34]))],
        vec![],
    );
    assert!(db().matching_protocols(&wrong_data).is_empty());
    // fluffer lists its company without data: any payload matches.
    let fluffer = CommunicationSpecifier::btle_advertisement(
        "nameless",
        vec![ManufacturerData::new(26698, Some(vec![1, 2, 3]))],
        vec![],
    );
    assert_eq!(db().matching_protocols(&fluffer), vec!["fluffer"]);
    let service = CommunicationSpecifier::btle_advertisement(
        "nameless",
        vec![],
        vec!["5A300001-0024-4BD4-BBD5-A6920E4C5653".to_string()],
    );
    assert_eq!(db().matching_protocols(&service), vec!["lovense"]);
}

#[test]
fn matching_other_transports() -> TestResult {
    let db = db();
    // The shipped serial specifiers name the port "default": real ports need a user entry.
    assert_eq!(
        db.matching_protocols(&CommunicationSpecifier::serial_port("default")),
        vec!["kizuna", "nextlevelracing", "nobra", "tcode-v03"]
    );
    assert!(
        db.matching_protocols(&CommunicationSpecifier::serial_port("/dev/ttyUSB0"))
            .is_empty()
    );
    let hid = CommunicationSpecifier::Hid {
        pairs: vec![VidPid::new(1155, 22352)],
    };
    assert_eq!(db.matching_protocols(&hid), vec!["vorze-cyclone-x"]);
    let usb_same_ids_as_hid = CommunicationSpecifier::Usb {
        pairs: vec![VidPid::new(1155, 22352)],
    };
    assert!(db.matching_protocols(&usb_same_ids_as_hid).is_empty());
    let usb = CommunicationSpecifier::Usb {
        pairs: vec![VidPid::new(1, 1), VidPid::new(2889, 1615)],
    };
    assert_eq!(db.matching_protocols(&usb), vec!["rez-trancevibrator"]);
    assert_eq!(
        db.matching_protocols(&CommunicationSpecifier::Xinput),
        vec!["xinput"]
    );
    assert_eq!(
        db.matching_protocols(&CommunicationSpecifier::SdlGamepad),
        vec!["sdl-gamepad"]
    );
    assert_eq!(
        db.matching_protocols(&CommunicationSpecifier::LovenseConnectService),
        vec!["lovense-connect-service"]
    );
    let sim = CommunicationSpecifier::Simulated {
        names: vec!["simulated-2vibe".into()],
    };
    assert_eq!(db.matching_protocols(&sim), vec!["simulated"]);
    let ws = CommunicationSpecifier::Websocket {
        name: "LVSDevice".into(),
    };
    assert!(db.matching_protocols(&ws).is_empty());

    // User specifiers: a websocket name and a real serial port.
    let user = json!({
        "version": {"major": 4, "minor": 0},
        "user_configs": {"protocols": {
            "lovense": {"communication": [{"websocket": {"name": "LVSDevice"}}]},
            "tcode-v03": {"communication": [{"serial": {"port": "/dev/ttyUSB0", "baud_rate": 115200, "data_bits": 8, "stop_bits": 1, "parity": "N"}}]}
        }}
    });
    let with_user = db.with_user_config(&user.to_string(), "user.json")?;
    assert_eq!(with_user.matching_protocols(&ws), vec!["lovense"]);
    let other_ws = CommunicationSpecifier::Websocket {
        name: "LVSDevice2".into(),
    };
    assert!(with_user.matching_protocols(&other_ws).is_empty());
    assert_eq!(
        with_user.matching_protocols(&CommunicationSpecifier::serial_port("/dev/ttyUSB0")),
        vec!["tcode-v03"]
    );
    assert_eq!(with_user.protocol_specifiers("tcode-v03").len(), 2);
    assert_eq!(db.protocol_specifiers("tcode-v03").len(), 1);
    // The database it came from is unchanged.
    assert!(db.matching_protocols(&ws).is_empty());
    Ok(())
}

// ---- definitions ---------------------------------------------------------------------------------

#[test]
fn lovense_hush_definition() -> TestResult {
    let hush = db()
        .definition("lovense", Some("Z"), "AA:BB")
        .ok_or("no Hush")?;
    assert_eq!(hush.name, "Lovense Hush");
    assert_eq!(hush.protocol, "lovense");
    assert_eq!(hush.identifier.as_deref(), Some("Z"));
    assert_eq!(hush.features.len(), 2);
    let vibe = feature(&hush, 0)
        .output(OutputType::Vibrate)
        .ok_or("no vibrate")?;
    assert_eq!(vibe.value, StepRange::new(0, 20));
    assert_eq!(vibe.user_range, None);
    let battery = feature(&hush, 1)
        .input(InputType::Battery)
        .ok_or("no battery")?;
    assert_eq!(battery.value, vec![StepRange::new(0, 100)]);
    assert_eq!(battery.commands, vec![InputCommandType::Read]);
    assert_eq!(hush.display_name, None);
    Ok(())
}

#[test]
fn unknown_identifier_gives_defaults() -> TestResult {
    let def = db()
        .definition("lovense", Some("no-such-toy"), "AA")
        .ok_or("no defaults")?;
    assert_eq!(def.name, "Lovense Device");
    assert_eq!(def.identifier, None);
    // Exact, case-sensitive identifiers.
    assert_eq!(
        db().definition("lovense", Some("z"), "AA")
            .ok_or("none")?
            .name,
        "Lovense Device"
    );
    assert!(db().definition("no-such-protocol", None, "AA").is_none());
    Ok(())
}

#[test]
fn configurations_inherit_from_defaults() -> TestResult {
    // From the data: thehandy-v3 sets message_gap_ms only in its defaults.
    let handy = db()
        .definition("thehandy-v3", Some("hw4"), "a")
        .ok_or("no Handy")?;
    assert_eq!(handy.name, "The Handy 2 Pro");
    assert_eq!(handy.message_gap(), Some(Duration::from_millis(50)));
    let text = json!({
        "version": {"major": 5, "minor": 1},
        "protocols": {"p": {
            "communication": [{"btle": {"names": ["P-*"], "services": {}}}],
            "defaults": {"name": "P Device", "id": "d", "protocol_variant": "v-default", "message_gap_ms": 20,
                "features": [{"id": "f0", "index": 0, "output": {"vibrate": {"value": [0, 10]}}}]},
            "configurations": [
                {"name": "Bare", "id": "c1", "identifier": ["B"]},
                {"name": "Own", "id": "c2", "identifier": ["O"], "protocol_variant": "v-own", "message_gap_ms": 5,
                    "features": [
                        {"id": "f2", "index": 2, "output": {"rotate": {"value": [-5, 5]}}},
                        {"id": "f1", "index": 1, "description": "nothing here"}
                    ]}
            ]
        }}
    });
    let db = DeviceDatabase::from_json(&text.to_string(), "small.json")?;
    let bare = db.definition("p", Some("B"), "x").ok_or("no B")?;
    assert_eq!(bare.name, "Bare");
    assert_eq!(bare.protocol_variant.as_deref(), Some("v-default"));
    assert_eq!(bare.message_gap_ms, Some(20));
    assert_eq!(bare.features_with_output(OutputType::Vibrate), vec![0]);
    let own = db.definition("p", Some("O"), "x").ok_or("no O")?;
    assert_eq!(own.protocol_variant.as_deref(), Some("v-own"));
    assert_eq!(own.message_gap_ms, Some(5));
    // Features in index order; a feature with neither output nor input is kept.
    let indexes: Vec<u32> = own.features.iter().map(|f| f.index).collect();
    assert_eq!(indexes, vec![1, 2]);
    assert!(feature(&own, 1).outputs.is_empty() && feature(&own, 1).inputs.is_empty());
    assert_eq!(own.output_feature_count(), 1);
    Ok(())
}

#[test]
fn duplicate_identifiers_last_configuration_wins() -> TestResult {
    // sexverse-v4 lists BC1847 under "Black Knight" and later under "Dark Knight".
    let def = db()
        .definition("sexverse-v4", Some("BC1847"), "a")
        .ok_or("none")?;
    assert_eq!(def.name, "Sexverse Dark Knight");
    Ok(())
}

// ---- user config ---------------------------------------------------------------------------------

#[test]
fn upstream_user_example_loads_and_applies() -> TestResult {
    let example = reference("buttplug-user-device-config-v4.example.json");
    let address = "PeripheralId(81b8f016-ba95-e1ae-3a71-a2e6b1d83b21)";
    let db = db().with_user_config(&example, "buttplug-user-device-config-v4.json")?;
    assert!(db.warnings().is_empty(), "{:?}", db.warnings());
    let settings = db
        .user_device(address, "lovense", Some("EL"))
        .ok_or("no entry")?;
    assert_eq!(settings.index, 0);
    assert!(!settings.allow && !settings.deny);
    assert!(db.user_device(address, "lovense", None).is_none());
    assert_eq!(
        db.reserved_indexes().into_iter().collect::<Vec<_>>(),
        vec![0]
    );
    assert!(db.is_address_allowed(address));
    assert!(db.is_address_allowed("anyone else"));
    let ridge = db
        .definition("lovense", Some("EL"), address)
        .ok_or("no Ridge")?;
    assert_eq!(ridge.name, "Lovense Ridge");
    let vibe = feature(&ridge, 0)
        .output(OutputType::Vibrate)
        .ok_or("no vibrate")?;
    assert!(!vibe.disabled);
    assert_eq!(vibe.client_range(), StepRange::new(0, 20));
    // The built-in database has no user entries.
    assert!(
        DeviceDatabase::builtin()
            .user_device(address, "lovense", Some("EL"))
            .is_none()
    );
    Ok(())
}

#[test]
fn user_range_maps_through_output_definition() -> TestResult {
    let ridge = db()
        .definition("lovense", Some("EL"), "r")
        .ok_or("no Ridge")?;
    let (vibe_id, rotate_id) = (feature(&ridge, 0).id.clone(), feature(&ridge, 1).id.clone());
    let text = user_file(
        "lovense",
        "EL",
        "r",
        json!([
            {"id": "u0", "base_id": vibe_id, "output": {"vibrate": {"value": [5, 15]}}},
            {"id": "u1", "base_id": rotate_id, "output": {"rotate": {"value": [2, 12], "disabled": true}}}
        ]),
        json!({"allow": false, "deny": false, "index": 4, "display_name": "Ridge", "message_gap_ms": 120}),
    );
    let db = db().with_user_config(&text, "ranges.json")?;
    let def = db
        .definition("lovense", Some("EL"), "r")
        .ok_or("no Ridge")?;
    assert_eq!(def.display_name.as_deref(), Some("Ridge"));
    assert_eq!(def.message_gap(), Some(Duration::from_millis(120)));
    let vibe = feature(&def, 0)
        .output(OutputType::Vibrate)
        .ok_or("no vibrate")?;
    assert_eq!(vibe.user_range, Some(StepRange::new(5, 15)));
    assert_eq!(vibe.client_range(), StepRange::new(0, 10));
    assert_eq!(vibe.to_hardware(0), 0);
    assert_eq!(vibe.to_hardware(1), 6);
    assert_eq!(vibe.to_hardware(10), 15);
    let rotate = feature(&def, 1)
        .output(OutputType::Rotate)
        .ok_or("no rotate")?;
    assert!(rotate.disabled);
    assert_eq!(rotate.client_range(), StepRange::new(-10, 10));
    assert_eq!(rotate.to_hardware(-3), -5);
    // Only that address gets the overrides.
    let other = db
        .definition("lovense", Some("EL"), "someone else")
        .ok_or("no Ridge")?;
    assert_eq!(feature(&other, 0).outputs[0].user_range, None);
    assert_eq!(other.display_name, None);
    Ok(())
}

#[test]
fn position_reverse_and_duration_overrides() -> TestResult {
    let stroker = db()
        .definition("simulated", Some("simulated-stroker"), "s")
        .ok_or("none")?;
    let id = feature(&stroker, 0).id.clone();
    let text = user_file(
        "simulated",
        "simulated-stroker",
        "s",
        json!([{"id": "u", "base_id": id, "output": {
            "position": {"value": [100, 900], "reverse": true},
            "hw_position_with_duration": {"duration": [200, 5000], "reverse": false}
        }}]),
        json!({"allow": false, "deny": false, "index": 1}),
    );
    let db = db().with_user_config(&text, "stroker.json")?;
    let def = db
        .definition("simulated", Some("simulated-stroker"), "s")
        .ok_or("none")?;
    let position = feature(&def, 0)
        .output(OutputType::Position)
        .ok_or("no position")?;
    assert!(position.reverse);
    assert_eq!(position.client_range(), StepRange::new(0, 800));
    // Reversed inside the user range. (Client 0 is not checked here: `to_hardware` keeps 0 as 0
    // before mirroring, which suits value outputs but not positions; reported, not ours.)
    assert_eq!(position.to_hardware(1), 899);
    assert_eq!(position.to_hardware(800), 100);
    let hw = feature(&def, 0)
        .output(OutputType::HwPositionWithDuration)
        .ok_or("no hw position")?;
    assert!(!hw.reverse);
    assert_eq!(hw.duration, Some(StepRange::new(200, 5000)));
    assert_eq!(hw.user_range, None);
    Ok(())
}

fn invalid(err: &ConfigError) -> (&str, &str, &str) {
    match err {
        ConfigError::Invalid {
            source_name,
            path,
            message,
        } => (source_name, path, message),
        other => panic!("expected ConfigError::Invalid, got {other:?}"),
    }
}

#[test]
fn user_range_outside_base_range_is_rejected() -> TestResult {
    let ridge = db()
        .definition("lovense", Some("EL"), "r")
        .ok_or("no Ridge")?;
    let (vibe_id, rotate_id) = (feature(&ridge, 0).id.clone(), feature(&ridge, 1).id.clone());
    let user = json!({"allow": false, "deny": false, "index": 0});
    let cases = [
        (
            json!([{"id": "u", "base_id": vibe_id, "output": {"vibrate": {"value": [0, 30]}}}]),
            ".output.vibrate.value",
            "[0, 30] is outside [0, 20]",
        ),
        (
            json!([{"id": "u", "base_id": rotate_id, "output": {"rotate": {"value": [-5, 5]}}}]),
            ".output.rotate.value",
            "[-5, 5] is outside [0, 20], the allowed part of the base range [-20, 20]",
        ),
        (
            json!([{"id": "u", "base_id": vibe_id, "output": {"vibrate": {"value": [9, 3]}}}]),
            ".output.vibrate.value",
            "starts above its end",
        ),
        (
            json!([{"id": "u", "base_id": vibe_id, "output": {"vibrate": {"reverse": true}}}]),
            ".output.vibrate.reverse",
            "reverse applies only to position",
        ),
        (
            json!([{"id": "u", "base_id": vibe_id, "output": {"vibrate": {"duration": [0, 1]}}}]),
            ".output.vibrate.duration",
            "duration range applies only",
        ),
    ];
    for (features, path_end, message_part) in cases {
        let text = user_file("lovense", "EL", "r", features, user.clone());
        let err = match db().with_user_config(&text, "bad-range.json") {
            Err(e) => e,
            Ok(_) => panic!("{path_end}: accepted"),
        };
        let (source, path, message) = invalid(&err);
        assert_eq!(source, "bad-range.json");
        assert_eq!(
            path,
            format!("user_configs.devices[0].config.features[0]{path_end}")
        );
        assert!(message.contains(message_part), "{message}");
        assert!(
            err.to_string()
                .starts_with("bad-range.json: at `user_configs.devices[0]"),
            "{err}"
        );
    }
    // Duration range outside the base duration.
    let stroker = db()
        .definition("simulated", Some("simulated-stroker"), "s")
        .ok_or("none")?;
    let text = user_file(
        "simulated",
        "simulated-stroker",
        "s",
        json!([{"id": "u", "base_id": feature(&stroker, 0).id,
            "output": {"hw_position_with_duration": {"duration": [0, 100001]}}}]),
        user,
    );
    let err = db()
        .with_user_config(&text, "dur.json")
        .err()
        .ok_or("accepted")?;
    assert!(
        invalid(&err)
            .2
            .contains("duration range [0, 100001] is outside [0, 100000]"),
        "{err}"
    );
    Ok(())
}

fn format_error(err: &ConfigError) -> (&str, &str, usize, usize) {
    match err {
        ConfigError::Format {
            source_name,
            path,
            line,
            column,
            ..
        } => (source_name, path, *line, *column),
        other => panic!("expected ConfigError::Format, got {other:?}"),
    }
}

#[test]
fn broken_user_files_name_file_and_place() -> TestResult {
    let base = db().with_user_config(
        &user_file(
            "lovense",
            "Z",
            "keep",
            json!([]),
            json!({"allow": false, "deny": false, "index": 7}),
        ),
        "good.json",
    )?;
    let broken = [
        // Not JSON at all / truncated.
        (
            "{\"version\": {\"major\": 5, \"minor\": 0}, \"user_configs\": {",
            "",
            1,
        ),
        // A wrong type deep inside.
        (
            r#"{"version": {"major": 5, "minor": 0}, "user_configs": {"devices": [
  {"identifier": {"protocol": "lovense", "identifier": "Z", "address": "x"},
   "config": {"id": "a", "base_id": "b", "features": [],
     "user_config": {"allow": false, "deny": false, "index": "zero"}}}]}}"#,
            "user_configs.devices[0].config.user_config.index",
            4,
        ),
        // An unknown output type.
        (
            r#"{"version": {"major": 5, "minor": 0}, "user_configs": {"devices": [
  {"identifier": {"protocol": "lovense", "address": "x"},
   "config": {"id": "a", "base_id": "b", "user_config": {"index": 1},
     "features": [{"id": "c", "base_id": "d", "output": {"vibrat": {}}}]}}]}}"#,
            "user_configs.devices[0].config.features[0].output",
            4,
        ),
        // A misspelt key of a specifier.
        (
            r#"{"version": {"major": 5, "minor": 0}, "user_configs": {"protocols": {"lovense":
  {"communication": [{"websocket": {"nmae": "x"}}]}}}}"#,
            "user_configs.protocols.lovense.communication[0]",
            2,
        ),
        // Two transports in one specifier.
        (
            r#"{"version": {"major": 5, "minor": 0}, "user_configs": {"protocols": {"lovense":
  {"communication": [{"websocket": {"name": "x"}, "xinput": {}}]}}}}"#,
            "user_configs.protocols.lovense.communication[0]",
            2,
        ),
        // Trailing garbage.
        (r#"{"version": {"major": 5, "minor": 0}} x"#, ".", 1),
    ];
    for (text, want_path, want_line) in broken {
        let err = base
            .with_user_config(text, "/home/u/.config/buttplug/user.json")
            .err()
            .ok_or("accepted")?;
        let (source, path, line, column) = format_error(&err);
        assert_eq!(source, "/home/u/.config/buttplug/user.json");
        if !want_path.is_empty() {
            assert!(path.starts_with(want_path), "path {path} for {text}");
        }
        assert_eq!(line, want_line, "{err}");
        assert!(column > 0);
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!(
                "/home/u/.config/buttplug/user.json:{line}:{column}: at `"
            )),
            "{shown}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }
    let err = base
        .with_user_config(r#"{"version": {"major": 3, "minor": 0}}"#, "old.json")
        .err()
        .ok_or("accepted")?;
    assert!(
        matches!(err, ConfigError::UnsupportedVersion { major: 3, .. }),
        "{err:?}"
    );
    // The database is as it was: the earlier entry is still there, nothing new was added.
    assert_eq!(
        base.user_device("keep", "lovense", Some("Z"))
            .map(|s| s.index),
        Some(7)
    );
    assert_eq!(base.user_devices().count(), 1);
    assert_eq!(
        base.definition("lovense", Some("Z"), "keep")
            .ok_or("none")?
            .name,
        "Lovense Hush"
    );
    Ok(())
}

#[test]
fn broken_base_file_names_json_path() -> TestResult {
    let mut doc: Value = serde_json::from_str(buttplug_devices::config::builtin_json())?;
    doc["protocols"]["lovense"]["defaults"]["features"][1]["output"] =
        json!({"vibrate": {"value": [0, "high"]}});
    let text = serde_json::to_string_pretty(&doc)?;
    let err = DeviceDatabase::from_json(&text, "custom-database.json")
        .err()
        .ok_or("accepted")?;
    let (source, path, line, _) = format_error(&err);
    assert_eq!(source, "custom-database.json");
    assert_eq!(
        path,
        "protocols.lovense.defaults.features[1].output.vibrate.value[1]"
    );
    assert!(line > 1);
    assert!(
        err.to_string().contains("invalid type: string \"high\""),
        "{err}"
    );

    doc["protocols"]["lovense"]["defaults"]["features"][1]["output"] =
        json!({"vibrate": {"value": [20, 0]}});
    let err = DeviceDatabase::from_json(&doc.to_string(), "custom-database.json")
        .err()
        .ok_or("accepted")?;
    let (_, path, message) = invalid(&err);
    assert_eq!(
        path,
        "protocols.lovense.defaults.features[1].output.vibrate.value"
    );
    assert!(message.contains("[20, 0] starts above its end"));
    Ok(())
}

#[test]
fn unknown_references_are_skipped_with_warnings() -> TestResult {
    let ridge = db()
        .definition("lovense", Some("EL"), "r")
        .ok_or("no Ridge")?;
    let text = json!({
        "version": {"major": 5, "minor": 0},
        "user_configs": {
            "protocols": {
                "protocol-from-the-future": {"communication": [{"websocket": {"name": "x"}}]},
                "lovense": {"communication": [{"teleport": {"x": 1}}, {"websocket": {"name": "ok"}}],
                            "configurations": [{"name": "My Custom Lovense", "id": "11111111-2222-3333-4444-555555555555", "identifier": ["CUSTOM"]}]}
            },
            "devices": [
                {"identifier": {"protocol": "lovense", "identifier": "EL", "address": "r"},
                 "config": {"id": "a", "base_id": ridge.id, "user_config": {"index": 2},
                   "features": [
                     {"id": "b", "base_id": "not-a-feature-of-this-device", "output": {"vibrate": {"value": [0, 1]}}},
                     {"id": "c", "base_id": feature(&ridge, 0).id, "output": {"rotate": {"value": [0, 1]}, "vibrate": {"value": [1, 2]}}}
                   ]}},
                {"identifier": {"protocol": "gone", "address": "g"},
                 "config": {"id": "a", "base_id": "b", "features": [], "user_config": {"index": 3, "deny": true}}}
            ]
        }
    });
    let db = db().with_user_config(&text.to_string(), "future.json")?;
    let paths: Vec<&str> = db.warnings().iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "user_configs.protocols.lovense.communication[0].teleport",
            "user_configs.protocols.protocol-from-the-future",
            "user_configs.devices[0].config.features[0].base_id",
            "user_configs.devices[0].config.features[1].output.rotate",
            "user_configs.devices[1].identifier.protocol",
        ]
    );
    assert!(db.warnings().iter().all(|w| w.source_name == "future.json"));
    // What could be applied was.
    let def = db.definition("lovense", Some("EL"), "r").ok_or("none")?;
    assert_eq!(
        feature(&def, 0).outputs[0].user_range,
        Some(StepRange::new(1, 2))
    );
    assert_eq!(
        db.matching_protocols(&CommunicationSpecifier::Websocket { name: "ok".into() }),
        vec!["lovense"]
    );
    // A user configuration inherits the protocol defaults' features.
    let custom = db
        .definition("lovense", Some("CUSTOM"), "c")
        .ok_or("none")?;
    assert_eq!(custom.name, "My Custom Lovense");
    assert_eq!(custom.features.len(), 2);
    assert!(
        db.search("my custom")
            .iter()
            .any(|s| s.identifiers == ["CUSTOM"])
    );
    // The entry for an unknown protocol still denies its address.
    assert!(!db.is_address_allowed("g"));
    Ok(())
}

#[test]
fn allow_and_deny_lists() -> TestResult {
    let entry = |address: &str, index: u32, allow: bool, deny: bool| {
        json!({"identifier": {"protocol": "lovense", "identifier": "Z", "address": address},
               "config": {"id": "a", "base_id": "b", "features": [],
                          "user_config": {"allow": allow, "deny": deny, "index": index}}})
    };
    let file = |devices: Vec<Value>| {
        json!({"version": {"major": 5, "minor": 0}, "user_configs": {"devices": devices}})
            .to_string()
    };
    // Nothing configured: everyone connects.
    assert!(db().is_address_allowed("anyone"));
    // Deny only: everyone but the denied address.
    let deny_only = db().with_user_config(
        &file(vec![
            entry("B", 0, false, true),
            entry("C", 1, false, false),
        ]),
        "u.json",
    )?;
    assert!(!deny_only.is_address_allowed("B"));
    assert!(deny_only.is_address_allowed("C"));
    assert!(deny_only.is_address_allowed("unknown"));
    // Any allow entry switches to allow-list mode; deny still wins.
    let allow_list = db().with_user_config(
        &file(vec![
            entry("A", 0, true, false),
            entry("B", 1, false, true),
            entry("C", 2, false, false),
            entry("D", 3, true, true),
        ]),
        "u.json",
    )?;
    assert!(allow_list.is_address_allowed("A"));
    assert!(!allow_list.is_address_allowed("B"));
    assert!(!allow_list.is_address_allowed("C"));
    assert!(!allow_list.is_address_allowed("D"));
    assert!(!allow_list.is_address_allowed("unknown"));
    assert_eq!(
        allow_list
            .reserved_indexes()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    Ok(())
}

#[test]
fn remembered_devices_keep_their_index_across_save_and_load() -> TestResult {
    let mut db = db().with_user_config(
        &user_file(
            "lovense",
            "Z",
            "first",
            json!([]),
            json!({"allow": false, "deny": false, "index": 0}),
        ),
        "u.json",
    )?;
    assert_eq!(db.remember_device("first", "lovense", Some("Z")), 0);
    assert_eq!(db.remember_device("second", "lovense", Some("Z")), 1);
    assert_eq!(db.remember_device("third", "tcode-v03", None), 2);
    assert_eq!(db.remember_device("second", "lovense", Some("Z")), 1);
    db.set_user_device(
        "second",
        "lovense",
        Some("Z"),
        UserDeviceSettings::new(5)
            .display_name("Kitchen")
            .message_gap(Duration::from_millis(40)),
    );
    assert!(db.forget_device("third", "tcode-v03", None));
    assert!(!db.forget_device("third", "tcode-v03", None));
    assert_eq!(db.remember_device("fourth", "no-such-protocol", None), 1);

    let saved = db.to_user_config_json();
    let loaded = DeviceDatabase::builtin().with_user_config(&saved, "saved.json")?;
    assert!(loaded.warnings().len() == 1, "{:?}", loaded.warnings()); // the unknown protocol
    let all: Vec<_> = loaded
        .user_devices()
        .map(|(k, s)| (k.address.clone(), s.index))
        .collect();
    assert_eq!(
        all,
        vec![
            ("first".into(), 0),
            ("second".into(), 5),
            ("fourth".into(), 1)
        ]
    );
    let second = loaded
        .user_device("second", "lovense", Some("Z"))
        .ok_or("lost")?;
    assert_eq!(second.display_name.as_deref(), Some("Kitchen"));
    assert_eq!(second.message_gap, Some(Duration::from_millis(40)));
    let def = loaded
        .definition("lovense", Some("Z"), "second")
        .ok_or("none")?;
    assert_eq!(def.display_name.as_deref(), Some("Kitchen"));
    assert_eq!(def.message_gap_ms, Some(40));
    // Saving again gives the same text.
    assert_eq!(loaded.to_user_config_json(), saved);
    Ok(())
}

#[test]
fn search_for_the_cli() {
    let hush: Vec<_> = db().search("HUSH");
    let first = hush.iter().find(|s| s.name == "Lovense Hush").map(|s| {
        (
            s.protocol.as_str(),
            s.identifiers.clone(),
            s.transports.clone(),
            s.features.len(),
        )
    });
    assert_eq!(
        first,
        Some(("lovense", vec!["Z".to_string()], vec!["btle"], 2))
    );
    // By protocol id and by transport.
    assert!(
        db().search("tcode-v03")
            .iter()
            .all(|s| s.protocol == "tcode-v03")
    );
    let serial: Vec<_> = db()
        .search("Serial")
        .into_iter()
        .map(|s| s.protocol)
        .collect();
    assert!(serial.contains(&"nobra".to_string()) && serial.contains(&"kizuna".to_string()));
    assert!(db().search("no device is called this").is_empty());
    let all = db().search("");
    assert!(
        all.windows(2)
            .all(|w| w[0].name.to_lowercase() <= w[1].name.to_lowercase())
    );
}

#[test]
fn builtin_is_parsed_once_and_shared() {
    assert!(std::ptr::eq(
        DeviceDatabase::builtin(),
        DeviceDatabase::builtin()
    ));
    let fresh = DeviceDatabase::load_builtin().map(|d| d.protocol_ids().len());
    assert_eq!(fresh.ok(), Some(protocol_files().len()));
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("database/version.json")
            .exists()
    );
}

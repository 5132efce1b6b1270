//! Property tests: arbitrary input never panics the codec, at every version, and every message of
//! a JSON array gets exactly one result.

use crate::util::*;
use buttplug_core::*;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ -~]{0,12}".prop_map(Value::String),
        prop::sample::select(vec!["Vibrate", "Battery", "Read", "RSSI", "tx", "Id"])
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Field names that the messages use, plus noise, so generated objects get past the first checks.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Id",
            "DeviceIndex",
            "FeatureIndex",
            "Command",
            "Speeds",
            "Index",
            "Speed",
            "Value",
            "Duration",
            "Type",
            "Scalars",
            "Scalar",
            "ActuatorType",
            "ClientName",
            "MessageVersion",
            "ProtocolVersionMajor",
            "ProtocolVersionMinor",
            "Inputs",
            "Outputs",
            "Endpoint",
            "Data",
            "Vibrate",
            "Devices",
            "DeviceName",
            "DeviceMessages",
        ])
        .prop_map(String::from),
        "[A-Za-z]{1,8}",
    ]
}

/// A frame of single-key objects named after real messages of some version, with arbitrary bodies.
fn arb_frame() -> impl Strategy<Value = Value> {
    let names: Vec<&'static str> = SpecVersion::ALL
        .into_iter()
        .flat_map(|v| client_names(v).iter().chain(server_names(v)).copied())
        .collect();
    let element = (
        prop::sample::select(names),
        arb_json(),
        any::<Option<u32>>(),
    )
        .prop_map(|(name, body, id)| {
            let body = match (body, id) {
                (Value::Object(mut m), Some(id)) => {
                    m.insert("Id".into(), id.into());
                    Value::Object(m)
                }
                (b, _) => b,
            };
            let mut m = Map::new();
            m.insert(name.to_string(), body);
            Value::Object(m)
        });
    prop::collection::vec(prop_oneof![4 => element, 1 => arb_json()], 0..5).prop_map(Value::Array)
}

fn check_text(text: &str) {
    for v in SpecVersion::ALL {
        let client = parse_client_frame(text, v);
        assert!(!client.is_empty());
        for r in &client {
            if let Err(e) = r {
                assert!(e.error_message.len() < 2048);
                assert_eq!(e.error_code, ErrorCode::Msg);
            }
        }
        assert!(!parse_server_frame(text, v).is_empty());
    }
    let _ = handshake_version(text);
}

fn expected_count(value: &Value) -> Option<usize> {
    match value {
        Value::Array(items) if !items.is_empty() => Some(items.len()),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        check_text(&text);
        for v in SpecVersion::ALL {
            prop_assert!(!parse_client_bytes(&bytes, v).is_empty());
        }
    }

    #[test]
    fn json_looking_text_never_panics(text in r#"[\[\]{}",:0-9a-zA-Z \-.]{0,64}"#) {
        check_text(&text);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let text = value.to_string();
        check_text(&text);
        if let Some(n) = expected_count(&value) {
            for v in SpecVersion::ALL {
                prop_assert_eq!(parse_client_frame(&text, v).len(), n);
                prop_assert_eq!(parse_server_frame(&text, v).len(), n);
            }
        }
    }

    #[test]
    fn message_shaped_frames_give_one_result_each(frame in arb_frame()) {
        let text = frame.to_string();
        check_text(&text);
        if let Some(n) = expected_count(&frame) {
            for v in SpecVersion::ALL {
                let results = parse_client_frame(&text, v);
                prop_assert_eq!(results.len(), n);
                for m in results.into_iter().flatten() {
                    prop_assert!(m.validate().is_ok());
                    prop_assert_ne!(m.id(), 0);
                    // Whatever parsed renders and parses back to itself.
                    let again = render_client_frame(std::slice::from_ref(&m));
                    let back = parse_client_frame(&again, v);
                    prop_assert_eq!(back[0].as_ref().ok(), Some(&m));
                }
                prop_assert_eq!(parse_server_frame(&text, v).len(), n);
            }
        }
    }

    #[test]
    fn samples_round_trip_with_any_id(id in 1u32.., which in any::<prop::sample::Index>()) {
        for v in SpecVersion::ALL {
            let samples = client_samples(v);
            let mut m = samples[which.index(samples.len())].clone();
            m.set_id(id);
            let text = render_client_frame(std::slice::from_ref(&m));
            let back = parse_client_frame(&text, v);
            prop_assert_eq!(back[0].as_ref().ok(), Some(&m));
        }
    }
}

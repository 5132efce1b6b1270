//! The JSON form of engine events against intiface-engine 5.0.5's `EngineMessage` examples
//! (ENGINE-NOTES §2.3): every example of a variant we send serialises to exactly that text,
//! and parses back to the same event.

use buttplug_engine::{DeviceIdentifier, EngineEvent, ErrorDetail};

fn same_json(event: &EngineEvent, expected: &str) {
    let text = event.to_json();
    let got: serde_json::Value = serde_json::from_str(&text).unwrap();
    let want: serde_json::Value = serde_json::from_str(expected).unwrap();
    assert_eq!(got, want, "{text}");
    // Byte for byte, key order included (the examples are in the engine's field order).
    assert_eq!(text, expected);
    let back: EngineEvent = serde_json::from_str(expected).unwrap();
    assert_eq!(&back, event);
}

#[test]
fn every_example_of_section_2_3_that_we_send() {
    same_json(&EngineEvent::EngineStarted {}, r#"{"EngineStarted":{}}"#);
    same_json(&EngineEvent::EngineStopped {}, r#"{"EngineStopped":{}}"#);
    same_json(
        &EngineEvent::EngineError {
            error: "Process Error: ConnectorError(...)".into(),
            detail: None,
        },
        r#"{"EngineError":{"error":"Process Error: ConnectorError(...)"}}"#,
    );
    same_json(
        &EngineEvent::EngineError {
            error: "Process Error: ConnectorError(TransportSpecificError(SocketBindError { ... }))"
                .into(),
            detail: Some(ErrorDetail::PortInUse {
                address: "0.0.0.0".into(),
                port: 12345,
            }),
        },
        r#"{"EngineError":{"error":"Process Error: ConnectorError(TransportSpecificError(SocketBindError { ... }))","detail":{"code":"port_in_use","address":"0.0.0.0","port":12345}}}"#,
    );
    same_json(
        &EngineEvent::EngineServerCreated {
            service_type: None,
            instance_name: None,
            port: None,
            txt_records: None,
        },
        r#"{"EngineServerCreated":{}}"#,
    );
    same_json(
        &EngineEvent::EngineServerCreated {
            service_type: Some("_intiface_engine._tcp".into()),
            instance_name: Some("Intiface q7Rz2K den".into()),
            port: Some(12345),
            txt_records: Some(vec!["path=/".into()]),
        },
        r#"{"EngineServerCreated":{"service_type":"_intiface_engine._tcp","instance_name":"Intiface q7Rz2K den","port":12345,"txt_records":["path=/"]}}"#,
    );
    same_json(
        &EngineEvent::ClientConnected {
            client_name: "Example Game".into(),
        },
        r#"{"ClientConnected":{"client_name":"Example Game"}}"#,
    );
    same_json(
        &EngineEvent::ClientDisconnected {},
        r#"{"ClientDisconnected":{}}"#,
    );
    same_json(
        &EngineEvent::DeviceConnected {
            name: "Lovense Hush".into(),
            index: 0,
            identifier: DeviceIdentifier {
                protocol: "lovense".into(),
                identifier: Some("Z".into()),
                address: "C4:2A:11:00:9B:01".into(),
            },
            display_name: Some("Blue one".into()),
            needs_keepalive: false,
        },
        r#"{"DeviceConnected":{"name":"Lovense Hush","index":0,"identifier":{"protocol":"lovense","identifier":"Z","address":"C4:2A:11:00:9B:01"},"display_name":"Blue one","needs_keepalive":false}}"#,
    );
    same_json(
        &EngineEvent::DeviceConnected {
            name: "Realov Device".into(),
            index: 1,
            identifier: DeviceIdentifier {
                protocol: "realov".into(),
                identifier: None,
                address: "sim-realov-7".into(),
            },
            display_name: None,
            needs_keepalive: false,
        },
        r#"{"DeviceConnected":{"name":"Realov Device","index":1,"identifier":{"protocol":"realov","identifier":null,"address":"sim-realov-7"},"needs_keepalive":false}}"#,
    );
    same_json(
        &EngineEvent::DeviceDisconnected { index: 1 },
        r#"{"DeviceDisconnected":{"index":1}}"#,
    );
    same_json(
        &EngineEvent::DeviceOutputObservation {
            device_index: 0,
            feature_index: 0,
            output_type: "Vibrate".into(),
            value: 10.0,
        },
        r#"{"DeviceOutputObservation":{"device_index":0,"feature_index":0,"output_type":"Vibrate","value":10.0}}"#,
    );
}

#[test]
fn readers_get_defaults_for_missing_optional_fields() {
    let partial: EngineEvent =
        serde_json::from_str(r#"{"EngineServerCreated":{"port":7}}"#).unwrap();
    assert_eq!(
        partial,
        EngineEvent::EngineServerCreated {
            service_type: None,
            instance_name: None,
            port: Some(7),
            txt_records: None,
        }
    );
    // `null` for a field-less variant is not the engine's form.
    assert!(serde_json::from_str::<EngineEvent>(r#"{"EngineStopped":null}"#).is_err());
}

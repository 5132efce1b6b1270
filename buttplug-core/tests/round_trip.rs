//! parse(render(x)) == x for every message of every version, and exact wire text for a few.

use crate::util::*;
use buttplug_core::v0::*;
use buttplug_core::v2::*;
use buttplug_core::v3::*;
use buttplug_core::v4::*;
use buttplug_core::*;

#[test]
fn samples_cover_every_message_of_every_version() {
    for v in SpecVersion::ALL {
        let client: Vec<&str> = client_samples(v).iter().map(ClientMessage::name).collect();
        let server: Vec<&str> = server_samples(v).iter().map(ServerMessage::name).collect();
        assert_eq!(
            names_of(client),
            names_of(client_names(v).iter().copied()),
            "client {v}"
        );
        assert_eq!(
            names_of(server),
            names_of(server_names(v).iter().copied()),
            "server {v}"
        );
    }
}

#[test]
fn every_sample_is_valid_and_of_its_version() {
    for v in SpecVersion::ALL {
        for m in client_samples(v) {
            assert_eq!(m.version(), v);
            m.validate().unwrap_or_else(|e| panic!("{m:?}: {e}"));
        }
        for m in server_samples(v) {
            assert_eq!(m.version(), v);
            m.validate().unwrap_or_else(|e| panic!("{m:?}: {e}"));
        }
    }
}

#[test]
fn client_messages_round_trip_one_by_one() {
    for v in SpecVersion::ALL {
        for m in client_samples(v) {
            let text = render_client_frame(std::slice::from_ref(&m));
            let parsed = parse_client_frame(&text, v);
            assert_eq!(parsed.len(), 1, "{text}");
            assert_eq!(
                parsed[0].as_ref().ok(),
                Some(&m),
                "{v}: {text} -> {parsed:?}"
            );
        }
    }
}

#[test]
fn server_messages_round_trip_one_by_one() {
    for v in SpecVersion::ALL {
        for m in server_samples(v) {
            let text = render_server_frame(std::slice::from_ref(&m));
            let parsed = parse_server_frame(&text, v);
            assert_eq!(parsed.len(), 1, "{text}");
            assert_eq!(
                parsed[0].as_ref().ok(),
                Some(&m),
                "{v}: {text} -> {parsed:?}"
            );
        }
    }
}

#[test]
fn whole_frames_round_trip() {
    for v in SpecVersion::ALL {
        let client = client_samples(v);
        let text = render_client_frame(&client);
        let parsed: Vec<ClientMessage> = parse_client_frame(&text, v)
            .into_iter()
            .map(|r| r.expect("valid"))
            .collect();
        assert_eq!(parsed, client);

        let server = server_samples(v);
        let text = render_server_frame(&server);
        let parsed: Vec<ServerMessage> = parse_server_frame(&text, v)
            .into_iter()
            .map(|r| r.expect("valid"))
            .collect();
        assert_eq!(parsed, server);
    }
}

#[track_caller]
fn client_text(m: impl Into<ClientMessage>, expected: &str) {
    let m = m.into();
    let text = render_client_frame(std::slice::from_ref(&m));
    assert_eq!(text, expected);
    let parsed = parse_client_frame(expected, m.version());
    assert_eq!(parsed[0].as_ref().ok(), Some(&m));
}

#[track_caller]
fn server_text(m: impl Into<ServerMessage>, expected: &str) {
    let m = m.into();
    let text = render_server_frame(std::slice::from_ref(&m));
    assert_eq!(text, expected);
    let parsed = parse_server_frame(expected, m.version());
    assert_eq!(parsed[0].as_ref().ok(), Some(&m));
}

#[test]
fn exact_client_texts() {
    client_text(
        ClientMessageV4::from(OutputCmdV4::new(
            4,
            0,
            0,
            OutputCommandV4::new(OutputType::Vibrate, 10),
        )),
        r#"[{"OutputCmd":{"Id":4,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":10}}}}]"#,
    );
    client_text(
        ClientMessageV4::from(OutputCmdV4::new(
            9,
            1,
            2,
            OutputCommandV4::position_with_duration(80, 300),
        )),
        r#"[{"OutputCmd":{"Id":9,"DeviceIndex":1,"FeatureIndex":2,"Command":{"HwPositionWithDuration":{"Value":80,"Duration":300}}}}]"#,
    );
    client_text(
        ClientMessageV4::from(InputCmdV4 {
            id: 6,
            device_index: 0,
            feature_index: 2,
            input_type: InputType::Battery,
            command: InputCommandType::Read,
        }),
        r#"[{"InputCmd":{"Id":6,"DeviceIndex":0,"FeatureIndex":2,"Type":"Battery","Command":"Read"}}]"#,
    );
    client_text(
        ClientMessageV4::from(StopCmdV4::all(8)),
        r#"[{"StopCmd":{"Id":8}}]"#,
    );
    client_text(
        ClientMessageV4::from(StopCmdV4 {
            id: 8,
            device_index: Some(1),
            feature_index: Some(0),
            inputs: false,
            outputs: true,
        }),
        r#"[{"StopCmd":{"Id":8,"DeviceIndex":1,"FeatureIndex":0,"Inputs":false}}]"#,
    );
    client_text(
        ClientMessageV3::from(ScalarCmdV3 {
            id: 3,
            device_index: 0,
            scalars: vec![ScalarSubcommandV3 {
                index: 0,
                scalar: 0.25,
                actuator_type: OutputType::Vibrate,
            }],
        }),
        r#"[{"ScalarCmd":{"Id":3,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":0.25,"ActuatorType":"Vibrate"}]}}]"#,
    );
    client_text(
        ClientMessageV3::from(SensorReadCmdV3 {
            id: 2,
            device_index: 0,
            sensor_index: 0,
            sensor_type: SensorTypeV3::Rssi,
        }),
        r#"[{"SensorReadCmd":{"Id":2,"DeviceIndex":0,"SensorIndex":0,"SensorType":"RSSI"}}]"#,
    );
    client_text(
        ClientMessageV2::from(RSSILevelCmdV2 {
            id: 5,
            device_index: 1,
        }),
        r#"[{"RSSILevelCmd":{"Id":5,"DeviceIndex":1}}]"#,
    );
    client_text(
        ClientMessage::request_server_info(1, "Demo", SpecVersion::V2),
        r#"[{"RequestServerInfo":{"Id":1,"ClientName":"Demo","MessageVersion":2}}]"#,
    );
    client_text(
        ClientMessage::request_server_info(1, "Demo", SpecVersion::V0),
        r#"[{"RequestServerInfo":{"Id":1,"ClientName":"Demo"}}]"#,
    );
    client_text(
        ClientMessageV0::from(FleshlightLaunchFW12CmdV0 {
            id: 1,
            device_index: 0,
            position: 10,
            speed: 20,
        }),
        r#"[{"FleshlightLaunchFW12Cmd":{"Id":1,"DeviceIndex":0,"Position":10,"Speed":20}}]"#,
    );
}

#[test]
fn exact_server_texts() {
    server_text(
        ServerMessage::error(
            ErrorV0::new(0, ErrorCode::Ping, "ping timeout"),
            SpecVersion::V1,
        ),
        r#"[{"Error":{"Id":0,"ErrorMessage":"ping timeout","ErrorCode":2}}]"#,
    );
    server_text(
        ServerMessage::ok(4, SpecVersion::V3),
        r#"[{"Ok":{"Id":4}}]"#,
    );
    server_text(
        ServerMessage::scanning_finished(SpecVersion::V0),
        r#"[{"ScanningFinished":{"Id":0}}]"#,
    );
    server_text(
        ServerInfo::new("S", 500).to_message(1, SpecVersion::V1),
        r#"[{"ServerInfo":{"Id":1,"ServerName":"S","MajorVersion":0,"MinorVersion":0,"BuildVersion":0,"MessageVersion":1,"MaxPingTime":500}}]"#,
    );
    server_text(
        ServerInfo::new("S", 500).to_message(1, SpecVersion::V3),
        r#"[{"ServerInfo":{"Id":1,"ServerName":"S","MessageVersion":3,"MaxPingTime":500}}]"#,
    );
    server_text(
        ServerMessageV2::from(RSSILevelReadingV2 {
            id: 3,
            device_index: 0,
            rssi_level: -60,
        }),
        r#"[{"RSSILevelReading":{"Id":3,"DeviceIndex":0,"RSSILevel":-60}}]"#,
    );
    server_text(
        ServerMessageV4::from(InputReadingV4 {
            id: 6,
            device_index: 0,
            feature_index: 2,
            reading: InputValueV4::new(InputType::Battery, 87),
        }),
        r#"[{"InputReading":{"Id":6,"DeviceIndex":0,"FeatureIndex":2,"Reading":{"Battery":{"Value":87}}}}]"#,
    );
    server_text(
        device_removed_message(3, SpecVersion::V2).expect("v2 has DeviceRemoved"),
        r#"[{"DeviceRemoved":{"Id":0,"DeviceIndex":3}}]"#,
    );
}

/// The worked v4 session of SPEC-NOTES §2.8: the DeviceList event, byte for byte.
#[test]
fn spec_notes_v4_device_list_event() {
    let expected = concat!(
        r#"[{"DeviceList":{"Id":0,"Devices":{"0":{"DeviceIndex":0,"DeviceName":"Lovense Nora","DeviceMessageTimingGap":100,"#,
        r#""DeviceFeatures":{"0":{"FeatureIndex":0,"FeatureDescription":"","Output":{"Vibrate":{"Value":[0,20]}}},"#,
        r#""1":{"FeatureIndex":1,"FeatureDescription":"","Output":{"Rotate":{"Value":[-20,20]}}},"#,
        r#""2":{"FeatureIndex":2,"FeatureDescription":"battery Level","Input":{"Battery":{"Value":[[0,100]],"Command":["Read"]}}}}}}}}]"#
    );
    server_text(device_list_message(0, &[nora()], SpecVersion::V4), expected);
}

/// The v3 rendering of the same device, as SPEC-NOTES §2.8 describes it.
#[test]
fn spec_notes_v3_device_added() {
    let added = nora()
        .device_added(SpecVersion::V3)
        .expect("v3 has DeviceAdded");
    let text = render_server_frame(&[added]);
    assert_eq!(
        text,
        concat!(
            r#"[{"DeviceAdded":{"Id":0,"DeviceName":"Lovense Nora","DeviceIndex":0,"DeviceMessageTimingGap":100,"DeviceMessages":{"#,
            r#""StopDeviceCmd":{},"#,
            r#""ScalarCmd":[{"FeatureDescriptor":"","StepCount":20,"ActuatorType":"Vibrate"},{"FeatureDescriptor":"","StepCount":20,"ActuatorType":"Rotate"}],"#,
            r#""RotateCmd":[{"FeatureDescriptor":"","StepCount":20,"ActuatorType":"Rotate"}],"#,
            r#""SensorReadCmd":[{"FeatureDescriptor":"battery Level","SensorType":"Battery","SensorRange":[[0,100]]}]}}}]"#
        )
    );
}

#[test]
fn lenient_inputs_are_read() {
    // v3 still accepts VibrateCmd.
    let r = parse_client_frame(
        r#"[{"VibrateCmd":{"Id":1,"DeviceIndex":0,"Speeds":[{"Index":0,"Speed":0.5}]}}]"#,
        SpecVersion::V3,
    );
    assert!(matches!(
        &r[0],
        Ok(ClientMessage::V3(ClientMessageV3::VibrateCmd(_)))
    ));
    // v4 InputCmd accepts the docs' "RSSI" spelling; v3 accepts "Rssi".
    let r = parse_client_frame(
        r#"[{"InputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":0,"Type":"RSSI","Command":"Read"}}]"#,
        SpecVersion::V4,
    );
    assert!(
        matches!(&r[0], Ok(ClientMessage::V4(ClientMessageV4::InputCmd(c))) if c.input_type == InputType::Rssi)
    );
    let r = parse_client_frame(
        r#"[{"SensorReadCmd":{"Id":1,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Rssi"}}]"#,
        SpecVersion::V3,
    );
    assert!(r[0].is_ok());
    // "Inflate" is read as Constrict.
    let r = parse_client_frame(
        r#"[{"ScalarCmd":{"Id":1,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":0.5,"ActuatorType":"Inflate"}]}}]"#,
        SpecVersion::V3,
    );
    assert!(
        matches!(&r[0], Ok(ClientMessage::V3(ClientMessageV3::ScalarCmd(s))) if s.scalars[0].actuator_type == OutputType::Constrict)
    );
    // Concatenated arrays in one text frame.
    let r = parse_client_frame(
        r#"[{"Ping":{"Id":1}}] [{"Ping":{"Id":2}},{"Ping":{"Id":3}}]"#,
        SpecVersion::V4,
    );
    let ids: Vec<u32> = r.iter().map(|m| m.as_ref().expect("ok").id()).collect();
    assert_eq!(ids, [1, 2, 3]);
    // StopCmd's booleans default to true.
    let r = parse_client_frame(r#"[{"StopCmd":{"Id":1,"DeviceIndex":2}}]"#, SpecVersion::V4);
    assert_eq!(
        r[0].as_ref().ok(),
        Some(&ClientMessage::from(ClientMessageV4::from(
            StopCmdV4::device(1, 2)
        )))
    );
}

#[test]
fn client_skips_unknown_v4_types() {
    let text = r#"[{"DeviceList":{"Id":1,"Devices":{"0":{"DeviceIndex":0,"DeviceName":"X","DeviceMessageTimingGap":0,"DeviceFeatures":{"0":{"FeatureIndex":0,"FeatureDescription":"","Output":{"Vibrate":{"Value":[0,5]},"Zap":{"Value":[0,3],"Whatever":true}},"Input":{"Smell":{"Value":[[0,1]],"Command":["Read"]}}}}}}}}]"#;
    let r = parse_server_frame(text, SpecVersion::V4);
    let Ok(ServerMessage::V4(ServerMessageV4::DeviceList(list))) = &r[0] else {
        panic!("{r:?}")
    };
    let f = &list.devices[&0].device_features[&0];
    assert_eq!(f.output.as_ref().map(|o| o.len()), Some(1));
    assert_eq!(f.input.as_ref().map(|i| i.len()), Some(0));
}

//! A corpus of bad frames: each yields the expected Error (code and Id), never a panic, never a
//! silent drop.

use crate::util::*;
use buttplug_core::*;

const V0: SpecVersion = SpecVersion::V0;
const V2: SpecVersion = SpecVersion::V2;
const V3: SpecVersion = SpecVersion::V3;
const V4: SpecVersion = SpecVersion::V4;

/// (what, frame, version, expected Id)
const CORPUS: &[(&str, &str, SpecVersion, u32)] = &[
    ("empty text", "", V4, 0),
    ("whitespace", " \n\t ", V4, 0),
    ("not JSON", "hello", V4, 0),
    ("truncated", r#"[{"Ping":{"Id":1}"#, V4, 0),
    ("bare object (Id readable)", r#"{"Ping":{"Id":5}}"#, V4, 5),
    ("bare string", r#""Ping""#, V4, 0),
    ("number", "42", V4, 0),
    ("null", "null", V4, 0),
    ("empty array", "[]", V4, 0),
    ("element not an object", "[1]", V4, 0),
    ("element is an array", r#"[[{"Ping":{"Id":1}}]]"#, V4, 0),
    ("empty object", "[{}]", V4, 0),
    ("two keys", r#"[{"Ping":{"Id":1},"Ok":{"Id":2}}]"#, V4, 0),
    ("unknown message", r#"[{"Vibrate":{"Id":5}}]"#, V4, 5),
    (
        "message of another version",
        r#"[{"ScalarCmd":{"Id":6,"DeviceIndex":0,"Scalars":[]}}]"#,
        V4,
        6,
    ),
    ("v4 message at v3", r#"[{"StopCmd":{"Id":7}}]"#, V3, 7),
    ("server message from client", r#"[{"Ok":{"Id":8}}]"#, V4, 8),
    ("extra field", r#"[{"Ping":{"Id":9,"Extra":true}}]"#, V4, 9),
    ("missing Id", r#"[{"Ping":{}}]"#, V4, 0),
    ("missing field", r#"[{"StopDeviceCmd":{"Id":10}}]"#, V2, 10),
    ("Id 0", r#"[{"Ping":{"Id":0}}]"#, V4, 0),
    (
        "Id 0 on a command",
        r#"[{"OutputCmd":{"Id":0,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":1}}}}]"#,
        V4,
        0,
    ),
    ("negative Id", r#"[{"Ping":{"Id":-1}}]"#, V4, 0),
    ("Id above u32", r#"[{"Ping":{"Id":4294967296}}]"#, V4, 0),
    ("Id as string", r#"[{"Ping":{"Id":"5"}}]"#, V4, 0),
    ("Id as float", r#"[{"Ping":{"Id":5.0}}]"#, V4, 0),
    ("body not an object", r#"[{"Ping":5}]"#, V4, 0),
    ("body as positional array", r#"[{"Ping":[5]}]"#, V4, 0),
    (
        "nested struct as array",
        r#"[{"VibrateCmd":{"Id":11,"DeviceIndex":0,"Speeds":[[0,0.5]]}}]"#,
        V2,
        11,
    ),
    (
        "DeviceIndex as string",
        r#"[{"StopDeviceCmd":{"Id":12,"DeviceIndex":"0"}}]"#,
        V2,
        12,
    ),
    (
        "DeviceIndex negative",
        r#"[{"StopDeviceCmd":{"Id":13,"DeviceIndex":-1}}]"#,
        V2,
        13,
    ),
    (
        "DeviceIndex huge",
        r#"[{"StopDeviceCmd":{"Id":14,"DeviceIndex":99999999999}}]"#,
        V2,
        14,
    ),
    (
        "Speeds not an array",
        r#"[{"VibrateCmd":{"Id":15,"DeviceIndex":0,"Speeds":{}}}]"#,
        V2,
        15,
    ),
    (
        "empty Speeds",
        r#"[{"VibrateCmd":{"Id":16,"DeviceIndex":0,"Speeds":[]}}]"#,
        V2,
        16,
    ),
    (
        "Speed above 1",
        r#"[{"VibrateCmd":{"Id":17,"DeviceIndex":0,"Speeds":[{"Index":0,"Speed":1.5}]}}]"#,
        V2,
        17,
    ),
    (
        "Speed below 0",
        r#"[{"SingleMotorVibrateCmd":{"Id":18,"DeviceIndex":0,"Speed":-0.1}}]"#,
        V0,
        18,
    ),
    (
        "huge float",
        r#"[{"SingleMotorVibrateCmd":{"Id":19,"DeviceIndex":0,"Speed":1e308}}]"#,
        V0,
        19,
    ),
    (
        "float overflow",
        r#"[{"SingleMotorVibrateCmd":{"Id":20,"DeviceIndex":0,"Speed":1e400}}]"#,
        V0,
        0,
    ),
    (
        "NaN literal",
        r#"[{"SingleMotorVibrateCmd":{"Id":21,"DeviceIndex":0,"Speed":NaN}}]"#,
        V0,
        0,
    ),
    (
        "Infinity literal",
        r#"[{"SingleMotorVibrateCmd":{"Id":22,"DeviceIndex":0,"Speed":Infinity}}]"#,
        V0,
        0,
    ),
    (
        "empty Scalars",
        r#"[{"ScalarCmd":{"Id":23,"DeviceIndex":0,"Scalars":[]}}]"#,
        V3,
        23,
    ),
    (
        "empty Rotations",
        r#"[{"RotateCmd":{"Id":24,"DeviceIndex":0,"Rotations":[]}}]"#,
        V3,
        24,
    ),
    (
        "empty Vectors",
        r#"[{"LinearCmd":{"Id":25,"DeviceIndex":0,"Vectors":[]}}]"#,
        V3,
        25,
    ),
    (
        "empty raw Data",
        r#"[{"RawWriteCmd":{"Id":26,"DeviceIndex":0,"Endpoint":"tx","Data":[],"WriteWithResponse":false}}]"#,
        V3,
        26,
    ),
    (
        "raw byte above 255",
        r#"[{"RawWriteCmd":{"Id":27,"DeviceIndex":0,"Endpoint":"tx","Data":[256],"WriteWithResponse":false}}]"#,
        V3,
        27,
    ),
    (
        "Fleshlight Position 100",
        r#"[{"FleshlightLaunchFW12Cmd":{"Id":28,"DeviceIndex":0,"Position":100,"Speed":0}}]"#,
        V0,
        28,
    ),
    (
        "Fleshlight Speed 100",
        r#"[{"FleshlightLaunchFW12Cmd":{"Id":29,"DeviceIndex":0,"Position":0,"Speed":100}}]"#,
        V0,
        29,
    ),
    (
        "Vorze Speed 101",
        r#"[{"VorzeA10CycloneCmd":{"Id":30,"DeviceIndex":0,"Speed":101,"Clockwise":true}}]"#,
        V0,
        30,
    ),
    (
        "unknown log level",
        r#"[{"RequestLog":{"Id":31,"LogLevel":"Loud"}}]"#,
        V0,
        31,
    ),
    (
        "LinearCmd Position above 1",
        r#"[{"LinearCmd":{"Id":32,"DeviceIndex":0,"Vectors":[{"Index":0,"Duration":10,"Position":2}]}}]"#,
        V3,
        32,
    ),
    (
        "ScalarCmd with HwPositionWithDuration",
        r#"[{"ScalarCmd":{"Id":33,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":0.5,"ActuatorType":"HwPositionWithDuration"}]}}]"#,
        V3,
        33,
    ),
    (
        "unknown actuator type",
        r#"[{"ScalarCmd":{"Id":34,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":0.5,"ActuatorType":"Zap"}]}}]"#,
        V3,
        34,
    ),
    (
        "unknown output type",
        r#"[{"OutputCmd":{"Id":35,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Zap":{"Value":1}}}}]"#,
        V4,
        35,
    ),
    (
        "two output types",
        r#"[{"OutputCmd":{"Id":36,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":1},"Rotate":{"Value":1}}}}]"#,
        V4,
        36,
    ),
    (
        "output value float",
        r#"[{"OutputCmd":{"Id":37,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":0.5}}}}]"#,
        V4,
        37,
    ),
    (
        "negative position",
        r#"[{"OutputCmd":{"Id":38,"DeviceIndex":0,"FeatureIndex":0,"Command":{"HwPositionWithDuration":{"Value":-1,"Duration":10}}}}]"#,
        V4,
        38,
    ),
    (
        "negative duration",
        r#"[{"OutputCmd":{"Id":39,"DeviceIndex":0,"FeatureIndex":0,"Command":{"HwPositionWithDuration":{"Value":1,"Duration":-10}}}}]"#,
        V4,
        39,
    ),
    (
        "missing duration",
        r#"[{"OutputCmd":{"Id":40,"DeviceIndex":0,"FeatureIndex":0,"Command":{"HwPositionWithDuration":{"Value":1}}}}]"#,
        V4,
        40,
    ),
    (
        "unknown input command",
        r#"[{"InputCmd":{"Id":41,"DeviceIndex":0,"FeatureIndex":0,"Type":"Battery","Command":"Poke"}}]"#,
        V4,
        41,
    ),
    (
        "StopCmd null DeviceIndex",
        r#"[{"StopCmd":{"Id":42,"DeviceIndex":null}}]"#,
        V4,
        42,
    ),
    (
        "StopCmd feature without device",
        r#"[{"StopCmd":{"Id":43,"FeatureIndex":1}}]"#,
        V4,
        43,
    ),
    (
        "StopCmd Inputs not bool",
        r#"[{"StopCmd":{"Id":44,"Inputs":1}}]"#,
        V4,
        44,
    ),
    ("duplicate field", r#"[{"Ping":{"Id":45,"Id":45}}]"#, V4, 45),
    (
        "v1 handshake shape at v4",
        r#"[{"RequestServerInfo":{"Id":46,"ClientName":"A","MessageVersion":3}}]"#,
        V4,
        46,
    ),
    (
        "v4 handshake shape at v3",
        r#"[{"RequestServerInfo":{"Id":47,"ClientName":"A","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#,
        V3,
        47,
    ),
];

#[test]
fn corpus() {
    for (what, text, version, id) in CORPUS {
        let results = parse_client_frame(text, *version);
        assert_eq!(results.len(), 1, "{what}: {results:?}");
        match &results[0] {
            Err(e) => {
                assert_eq!((e.id, e.error_code), (*id, ErrorCode::Msg), "{what}: {e:?}");
                assert!(!e.error_message.is_empty());
            }
            Ok(m) => panic!("{what}: accepted as {m:?}"),
        }
    }
}

#[test]
fn typed_errors_name_the_problem() {
    let typed = |text: &str, v| {
        parse_client_frame_typed(text, v)
            .into_iter()
            .next()
            .expect("one result")
            .expect_err("bad")
    };
    assert!(matches!(typed("[]", V4), MessageError::EmptyFrame));
    assert!(matches!(typed("{", V4), MessageError::InvalidJson { .. }));
    assert!(matches!(
        typed(r#"{"Ping":{"Id":5}}"#, V4),
        MessageError::NotAnArray { id: Some(5), .. }
    ));
    assert!(matches!(
        typed("[3]", V4),
        MessageError::NotSingleKeyObject { position: 0, .. }
    ));
    assert!(matches!(
        typed(r#"[{"Foo":{"Id":5}}]"#, V4),
        MessageError::UnknownMessage { id: Some(5), ref name, version: V4 } if name == "Foo"
    ));
    assert!(matches!(
        typed(r#"[{"Ping":{"Id":5,"X":1}}]"#, V4),
        MessageError::InvalidFields {
            id: Some(5),
            name: "Ping",
            ..
        }
    ));
    assert!(matches!(
        typed(r#"[{"Ping":{"Id":0}}]"#, V4),
        MessageError::ReservedId { name: "Ping" }
    ));
    assert!(matches!(
        typed(r#"[{"VibrateCmd":{"Id":3,"DeviceIndex":0,"Speeds":[{"Index":1,"Speed":2}]}}]"#, V2),
        MessageError::OutOfRange { id: 3, name: "VibrateCmd", ref field, .. } if field == "Speeds[0].Speed"
    ));
    assert!(matches!(
        typed(
            r#"[{"ScalarCmd":{"Id":3,"DeviceIndex":0,"Scalars":[]}}]"#,
            V3
        ),
        MessageError::EmptyArray {
            id: 3,
            field: "Scalars",
            ..
        }
    ));
    let e = typed(r#"[{"Ping":{"Id":5,"X":1}}]"#, V4);
    assert!(
        std::error::Error::source(&e).is_some(),
        "keeps the parser error as source"
    );
}

#[test]
fn one_result_per_message_in_order() {
    let text = r#"[{"Ping":{"Id":1}},{"Ping":{"Id":0}},{"Nope":{"Id":3}},7,{"Ping":{"Id":5}},{"StopCmd":{"Id":6,"X":1}}]"#;
    let results = parse_client_frame(text, V4);
    let summary: Vec<Result<u32, (u32, ErrorCode)>> = results
        .iter()
        .map(|r| match r {
            Ok(m) => Ok(m.id()),
            Err(e) => Err((e.id, e.error_code)),
        })
        .collect();
    assert_eq!(
        summary,
        [
            Ok(1),
            Err((0, ErrorCode::Msg)),
            Err((3, ErrorCode::Msg)),
            Err((0, ErrorCode::Msg)),
            Ok(5),
            Err((6, ErrorCode::Msg)),
        ]
    );
}

#[test]
fn garbage_after_a_good_array_is_reported_not_dropped() {
    let results = parse_client_frame(r#"[{"Ping":{"Id":1}}] trailing"#, V4);
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(matches!(&results[1], Err(e) if e.id == 0));
    let results = parse_client_frame(r#"[{"Ping":{"Id":1}}][]"#, V4);
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok() && results[1].is_err());
}

fn deep(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    assert_single_error(&deep(10_000), V4, 0, ErrorCode::Msg);
    assert_single_error(&"[".repeat(10_000), V4, 0, ErrorCode::Msg);
    let inside = format!(r#"[{{"Ping":{{"Id":4,"X":{}}}}}]"#, deep(10_000));
    assert_single_error(&inside, V4, 0, ErrorCode::Msg);
    let objects = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
    assert_single_error(&format!("[{objects}]"), V4, 0, ErrorCode::Msg);
    // Also on the client side and in the handshake.
    assert!(parse_server_frame(&deep(10_000), V4)[0].is_err());
    assert!(handshake_version(&deep(10_000)).is_err());
    // Nesting within the limit is fine (a legal but useless value in an unknown field).
    assert_single_error(
        &format!(r#"[{{"Ping":{{"Id":4,"X":{}}}}}]"#, deep(100)),
        V4,
        4,
        ErrorCode::Msg,
    );
}

#[test]
fn ten_megabyte_strings_give_short_errors() {
    let big = "a".repeat(10 * 1024 * 1024);
    let e = assert_single_error(
        &format!(r#"[{{"Ping":{{"Id":9,"X":"{big}"}}}}]"#),
        V4,
        9,
        ErrorCode::Msg,
    );
    assert!(e.error_message.len() < 1024);
    let e = assert_single_error(
        &format!(r#"[{{"{big}":{{"Id":9}}}}]"#),
        V4,
        9,
        ErrorCode::Msg,
    );
    assert!(e.error_message.len() < 1024);
    let e = assert_single_error(
        &format!(
            r#"[{{"InputCmd":{{"Id":9,"DeviceIndex":0,"FeatureIndex":0,"Type":"{big}","Command":"Read"}}}}]"#
        ),
        V4,
        9,
        ErrorCode::Msg,
    );
    assert!(e.error_message.len() < 1024);
    let e = assert_single_error(&format!(r#"[{{"{big}":1,"b":2}}]"#), V4, 0, ErrorCode::Msg);
    assert!(e.error_message.len() < 1024);
    // A 10 MB string where a string belongs is simply accepted.
    let ok = parse_client_frame(
        &format!(
            r#"[{{"RequestServerInfo":{{"Id":1,"ClientName":"{big}","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}}}]"#
        ),
        V4,
    );
    assert!(ok[0].is_ok());
    // Unterminated huge string.
    assert_single_error(
        &format!(r#"[{{"Ping":{{"Id":1,"X":"{big}"#),
        V4,
        0,
        ErrorCode::Msg,
    );
}

#[test]
fn binary_garbage() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let results = parse_client_bytes(&garbage, V4);
    assert!(matches!(results.as_slice(), [Err(e)] if e.id == 0 && e.error_code == ErrorCode::Msg));
    let lossy = String::from_utf8_lossy(&garbage);
    for v in SpecVersion::ALL {
        let results = parse_client_frame(&lossy, v);
        assert!(matches!(results.as_slice(), [Err(e)] if e.id == 0));
    }
    // Valid UTF-8 JSON in a binary frame parses like text.
    let ok = parse_client_bytes(br#"[{"Ping":{"Id":2}}]"#, V4);
    assert!(ok[0].is_ok());
    // A NUL byte inside the text.
    assert_single_error("[\0]", V4, 0, ErrorCode::Msg);
}

#[test]
fn bad_server_frames_on_the_client_side() {
    let bad = [
        ("[]", None),
        (r#"[{"Ok":{"Id":0}}]"#, Some(0)),
        (
            r#"[{"DeviceAdded":{"Id":3,"DeviceName":"x","DeviceIndex":0,"DeviceMessages":["StopDeviceCmd"]}}]"#,
            Some(3),
        ),
        (r#"[{"ScanningFinished":{"Id":1}}]"#, Some(1)),
        (
            r#"[{"Error":{"Id":1,"ErrorMessage":"x","ErrorCode":9}}]"#,
            Some(1),
        ),
        (r#"[{"Ping":{"Id":1}}]"#, Some(1)),
    ];
    let versions = [V0, V4, V0, V4, V4, V4];
    for ((text, id), v) in bad.iter().zip(versions) {
        let r = parse_server_frame(text, v);
        assert_eq!(r.len(), 1);
        let e = r[0].as_ref().expect_err(text);
        assert_eq!(e.id(), *id, "{text}: {e}");
    }
    // A v4 DeviceList whose map keys disagree with the indexes inside.
    let text = r#"[{"DeviceList":{"Id":1,"Devices":{"1":{"DeviceIndex":0,"DeviceName":"X","DeviceMessageTimingGap":0,"DeviceFeatures":{}}}}}]"#;
    assert!(parse_server_frame(text, V4)[0].is_err());
}

//! Shared fixtures: sample messages covering every message of every version, built through the
//! crate's own constructors and renderers where it has them (so the samples are what the codec
//! actually emits).

use buttplug_core::v0::*;
use buttplug_core::v1::*;
use buttplug_core::v2::*;
use buttplug_core::v3::*;
use buttplug_core::v4::*;
use buttplug_core::*;
use std::collections::BTreeSet;

/// A device with every kind of output and input, and raw endpoints.
pub fn rich_device(index: u32) -> DeviceInfo {
    DeviceInfo {
        index,
        name: "Test Device".into(),
        display_name: Some("My Toy".into()),
        message_timing_gap_ms: 75,
        raw_endpoints: Some(vec!["tx".into(), "rx".into()]),
        lovense_cmd: false,
        hardware_rssi: false,
        features: vec![
            FeatureInfo::new(0, "Vibrator")
                .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20))),
            FeatureInfo::new(1, "Rotator")
                .with_output(OutputInfo::new(OutputType::Rotate, StepRange::new(-20, 20))),
            FeatureInfo::new(2, "Stroker")
                .with_output(OutputInfo::position_with_duration(
                    StepRange::new(0, 99),
                    StepRange::new(0, 100_000),
                ))
                .with_output(OutputInfo::new(OutputType::Position, StepRange::new(0, 99))),
            FeatureInfo::new(3, "Battery").with_input(InputInfo::new(
                InputType::Battery,
                vec![StepRange::new(0, 100)],
                vec![InputCommandType::Read],
            )),
            FeatureInfo::new(4, "Pressure").with_input(InputInfo::new(
                InputType::Pressure,
                vec![StepRange::new(0, 1000)],
                vec![InputCommandType::Read, InputCommandType::Subscribe],
            )),
            FeatureInfo::new(5, "Signal").with_input(InputInfo::new(
                InputType::Rssi,
                vec![StepRange::new(-100, 0)],
                vec![InputCommandType::Read],
            )),
            FeatureInfo::new(6, "Pump")
                .with_output(OutputInfo::new(OutputType::Constrict, StepRange::new(0, 3)))
                .with_output(OutputInfo::new(
                    OutputType::Oscillate,
                    StepRange::new(0, 10),
                )),
            FeatureInfo::new(7, "Misc")
                .with_output(OutputInfo::new(
                    OutputType::Temperature,
                    StepRange::new(-5, 5),
                ))
                .with_output(OutputInfo::new(OutputType::Led, StepRange::new(0, 255)))
                .with_output(OutputInfo::new(OutputType::Spray, StepRange::new(0, 1)))
                .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 10))),
            FeatureInfo::new(8, "Unused"),
        ],
    }
}

/// A one-vibrator device without extras.
pub fn plain_device(index: u32) -> DeviceInfo {
    DeviceInfo::new(index, "Plain Vibe").with_feature(
        FeatureInfo::new(0, "")
            .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 10))),
    )
}

/// A device without any feature.
pub fn empty_device(index: u32) -> DeviceInfo {
    DeviceInfo::new(index, "Nothing")
}

/// The Lovense Nora of SPEC-NOTES §2.8.
pub fn nora() -> DeviceInfo {
    DeviceInfo {
        index: 0,
        name: "Lovense Nora".into(),
        display_name: None,
        message_timing_gap_ms: 100,
        raw_endpoints: None,
        lovense_cmd: false,
        hardware_rssi: false,
        features: vec![
            FeatureInfo::new(0, "")
                .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20))),
            FeatureInfo::new(1, "")
                .with_output(OutputInfo::new(OutputType::Rotate, StepRange::new(-20, 20))),
            FeatureInfo::new(2, "battery Level").with_input(InputInfo::new(
                InputType::Battery,
                vec![StepRange::new(0, 100)],
                vec![InputCommandType::Read],
            )),
        ],
    }
}

pub fn devices() -> Vec<DeviceInfo> {
    vec![rich_device(0), plain_device(1), empty_device(2)]
}

fn server_common(version: SpecVersion) -> Vec<ServerMessage> {
    let mut out = vec![
        ServerMessage::ok(1, version),
        ServerMessage::error(ErrorV0::new(2, ErrorCode::Device, "device gone"), version),
        ServerMessage::error(MessageError::EmptyFrame.to_wire(), version),
        ServerMessage::scanning_finished(version),
        ServerInfo::new("Buttplug Server", 0).to_message(3, version),
        ServerInfo::new("", 10_000).to_message(4, version),
        device_list_message(5, &devices(), version),
        device_list_message(6, &[], version),
    ];
    for d in devices() {
        out.extend(d.device_added(version));
    }
    out.extend(device_removed_message(7, version));
    out
}

fn reading(id: u32, t: InputType, value: i32) -> InputReadingV4 {
    InputReadingV4 {
        id,
        device_index: 0,
        feature_index: 3,
        reading: InputValueV4::new(t, value),
    }
}

/// Server messages of `version`, covering every message of its set.
pub fn server_samples(version: SpecVersion) -> Vec<ServerMessage> {
    let mut out = server_common(version);
    let test = TestV0::new(8, "hello");
    let log = LogV0 {
        id: 0,
        log_level: LogLevel::Info,
        log_message: "started".into(),
    };
    let raw = RawReadingV2 {
        id: 9,
        device_index: 0,
        endpoint: "rx".into(),
        data: vec![1, 2, 255],
    };
    match version {
        SpecVersion::V0 => {
            out.push(ServerMessageV0::from(test).into());
            out.push(ServerMessageV0::from(log).into());
        }
        SpecVersion::V1 => {
            out.push(ServerMessageV1::from(test).into());
            out.push(ServerMessageV1::from(log).into());
        }
        SpecVersion::V2 => {
            out.push(ServerMessageV2::from(raw.clone()).into());
            out.push(ServerMessageV2::from(RawReadingV2 { id: 0, ..raw }).into());
            let battery = BatteryLevelReadingV2::try_from(&reading(10, InputType::Battery, 87))
                .expect("battery converts");
            out.push(ServerMessageV2::from(battery).into());
            out.push(
                ServerMessageV2::from(RSSILevelReadingV2 {
                    id: 11,
                    device_index: 0,
                    // The schema bounds RSSILevel to 0..1 (a schema defect; real dBm readings
                    // are negative), so the conformance sample uses 0.
                    rssi_level: 0,
                })
                .into(),
            );
        }
        SpecVersion::V3 => {
            out.push(ServerMessageV3::from(raw).into());
            let sensor =
                SensorReadingV3::from_input_reading(&reading(12, InputType::Battery, 87), 0)
                    .expect("battery converts");
            out.push(ServerMessageV3::from(sensor).into());
            let event =
                // The schema bounds Data to 0..255 (see conformance::documented_schema_defects).
                SensorReadingV3::from_input_reading(&reading(0, InputType::Pressure, 200), 1)
                    .expect("pressure converts");
            out.push(ServerMessageV3::from(event).into());
        }
        SpecVersion::V4 => {
            out.push(device_list_message(0, &devices(), version));
            for (i, t) in InputType::ALL.into_iter().enumerate() {
                let id = u32::try_from(i).expect("small");
                out.push(ServerMessageV4::from(reading(id, t, 1)).into());
            }
        }
    }
    out
}

/// Client messages of `version`, covering every message of its set.
pub fn client_samples(version: SpecVersion) -> Vec<ClientMessage> {
    let mut out = vec![
        ClientMessage::request_server_info(1, "Demo", version),
        ClientMessage::ping(2, version),
        ClientMessage::request_device_list(3, version),
        ClientMessage::start_scanning(4, version),
        ClientMessage::stop_scanning(u32::MAX, version),
    ];
    let stop_device = StopDeviceCmdV0::new(5, 0);
    let stop_all = StopAllDevicesV0::new(6);
    let vibrate = VibrateCmdV1 {
        id: 7,
        device_index: 0,
        speeds: vec![
            VibrateSubcommandV1 {
                index: 0,
                speed: 0.5,
            },
            VibrateSubcommandV1 {
                index: 1,
                speed: 1.0,
            },
        ],
    };
    let rotate = RotateCmdV1 {
        id: 8,
        device_index: 0,
        rotations: vec![RotationSubcommandV1 {
            index: 0,
            speed: 0.25,
            clockwise: false,
        }],
    };
    let linear = LinearCmdV1 {
        id: 9,
        device_index: 0,
        vectors: vec![VectorSubcommandV1 {
            index: 0,
            duration: 500,
            position: 0.0,
        }],
    };
    let raw_write = RawWriteCmdV2 {
        id: 10,
        device_index: 0,
        endpoint: "tx".into(),
        data: vec![0, 128, 255],
        write_with_response: true,
    };
    let raw_read = RawReadCmdV2 {
        id: 11,
        device_index: 0,
        endpoint: "rx".into(),
        length: 0,
        wait_for_data: false,
    };
    let raw_sub = RawSubscribeCmdV2 {
        id: 12,
        device_index: 0,
        endpoint: "rx".into(),
    };
    let raw_unsub = RawUnsubscribeCmdV2 {
        id: 13,
        device_index: 0,
        endpoint: "rx".into(),
    };
    let request_log = RequestLogV0 {
        id: 14,
        log_level: LogLevel::Trace,
    };
    let test = TestV0::new(15, "echo");
    let single = SingleMotorVibrateCmdV0 {
        id: 16,
        device_index: 0,
        speed: 0.75,
    };
    let fleshlight = FleshlightLaunchFW12CmdV0 {
        id: 17,
        device_index: 0,
        position: 99,
        speed: 0,
    };
    let lovense = LovenseCmdV0 {
        id: 18,
        device_index: 0,
        command: "Vibrate:5;".into(),
    };
    let kiiroo = KiirooCmdV0 {
        id: 19,
        device_index: 0,
        command: "4".into(),
    };
    let vorze = VorzeA10CycloneCmdV0 {
        id: 20,
        device_index: 0,
        speed: 100,
        clockwise: true,
    };
    match version {
        SpecVersion::V0 | SpecVersion::V1 => {
            let wrap = |m: ClientMessageV0| -> ClientMessage {
                if version == SpecVersion::V0 {
                    m.into()
                } else {
                    up_v0(m).into()
                }
            };
            out.push(wrap(stop_device.into()));
            out.push(wrap(stop_all.into()));
            out.push(wrap(request_log.into()));
            out.push(wrap(test.into()));
            out.push(wrap(single.into()));
            out.push(wrap(fleshlight.into()));
            out.push(wrap(lovense.into()));
            out.push(wrap(kiiroo.into()));
            out.push(wrap(vorze.into()));
            if version == SpecVersion::V1 {
                out.push(ClientMessageV1::from(vibrate).into());
                out.push(ClientMessageV1::from(rotate).into());
                out.push(ClientMessageV1::from(linear).into());
            }
        }
        SpecVersion::V2 => {
            let v: Vec<ClientMessageV2> = vec![
                stop_device.into(),
                stop_all.into(),
                request_log.into(),
                vibrate.into(),
                rotate.into(),
                linear.into(),
                raw_write.into(),
                raw_read.into(),
                raw_sub.into(),
                raw_unsub.into(),
                BatteryLevelCmdV2 {
                    id: 21,
                    device_index: 0,
                }
                .into(),
                RSSILevelCmdV2 {
                    id: 22,
                    device_index: 0,
                }
                .into(),
            ];
            out.extend(v.into_iter().map(ClientMessage::from));
        }
        SpecVersion::V3 => {
            let scalar = ScalarCmdV3 {
                id: 23,
                device_index: 0,
                scalars: vec![
                    ScalarSubcommandV3 {
                        index: 0,
                        scalar: 0.5,
                        actuator_type: OutputType::Vibrate,
                    },
                    ScalarSubcommandV3 {
                        index: 3,
                        scalar: 1.0,
                        actuator_type: OutputType::Constrict,
                    },
                ],
            };
            let sensor = |id| (id, 0u32, 1u32, SensorTypeV3::Pressure);
            let (id, d, s, t) = sensor(24);
            let v: Vec<ClientMessageV3> = vec![
                stop_device.into(),
                stop_all.into(),
                vibrate.into(),
                rotate.into(),
                linear.into(),
                raw_write.into(),
                raw_read.into(),
                raw_sub.into(),
                raw_unsub.into(),
                scalar.into(),
                SensorReadCmdV3 {
                    id,
                    device_index: d,
                    sensor_index: s,
                    sensor_type: SensorTypeV3::Rssi,
                }
                .into(),
                SensorSubscribeCmdV3 {
                    id: 25,
                    device_index: d,
                    sensor_index: s,
                    sensor_type: t,
                }
                .into(),
                SensorUnsubscribeCmdV3 {
                    id: 26,
                    device_index: d,
                    sensor_index: s,
                    sensor_type: t,
                }
                .into(),
            ];
            out.extend(v.into_iter().map(ClientMessage::from));
        }
        SpecVersion::V4 => {
            let mut v: Vec<ClientMessageV4> = Vec::new();
            for (i, t) in OutputType::ALL.into_iter().enumerate() {
                let id = 30 + u32::try_from(i).expect("small");
                let command = match t {
                    OutputType::HwPositionWithDuration => {
                        OutputCommandV4::position_with_duration(50, 1500)
                    }
                    OutputType::Rotate | OutputType::Temperature => OutputCommandV4::new(t, -3),
                    _ => OutputCommandV4::new(t, 10),
                };
                v.push(OutputCmdV4::new(id, 0, 1, command).into());
            }
            for (i, t) in InputType::ALL.into_iter().enumerate() {
                for (j, c) in [
                    InputCommandType::Read,
                    InputCommandType::Subscribe,
                    InputCommandType::Unsubscribe,
                ]
                .into_iter()
                .enumerate()
                {
                    let id = 50 + u32::try_from(i * 3 + j).expect("small");
                    v.push(
                        InputCmdV4 {
                            id,
                            device_index: 0,
                            feature_index: 3,
                            input_type: t,
                            command: c,
                        }
                        .into(),
                    );
                }
            }
            v.push(StopCmdV4::all(80).into());
            v.push(StopCmdV4::device(81, 2).into());
            v.push(
                StopCmdV4 {
                    id: 82,
                    device_index: Some(0),
                    feature_index: Some(1),
                    inputs: false,
                    outputs: true,
                }
                .into(),
            );
            v.push(DisconnectV4::new(83).into());
            out.extend(v.into_iter().map(ClientMessage::from));
        }
    }
    out
}

/// The v1 message of a v0 message that v1 keeps unchanged.
fn up_v0(m: ClientMessageV0) -> ClientMessageV1 {
    match m {
        ClientMessageV0::StopDeviceCmd(m) => m.into(),
        ClientMessageV0::StopAllDevices(m) => m.into(),
        ClientMessageV0::RequestLog(m) => m.into(),
        ClientMessageV0::Test(m) => m.into(),
        ClientMessageV0::SingleMotorVibrateCmd(m) => m.into(),
        ClientMessageV0::FleshlightLaunchFW12Cmd(m) => m.into(),
        ClientMessageV0::LovenseCmd(m) => m.into(),
        ClientMessageV0::KiirooCmd(m) => m.into(),
        ClientMessageV0::VorzeA10CycloneCmd(m) => m.into(),
        ClientMessageV0::Ping(m) => m.into(),
        ClientMessageV0::StartScanning(m) => m.into(),
        ClientMessageV0::StopScanning(m) => m.into(),
        ClientMessageV0::RequestDeviceList(m) => m.into(),
        ClientMessageV0::RequestServerInfo(m) => RequestServerInfoV1 {
            id: m.id,
            client_name: m.client_name,
            message_version: 1,
        }
        .into(),
    }
}

/// The message names of each version's client set.
pub fn client_names(version: SpecVersion) -> &'static [&'static str] {
    match version {
        SpecVersion::V0 => ClientMessageV0::NAMES,
        SpecVersion::V1 => ClientMessageV1::NAMES,
        SpecVersion::V2 => ClientMessageV2::NAMES,
        SpecVersion::V3 => ClientMessageV3::NAMES,
        SpecVersion::V4 => ClientMessageV4::NAMES,
    }
}

/// The message names of each version's server set.
pub fn server_names(version: SpecVersion) -> &'static [&'static str] {
    match version {
        SpecVersion::V0 => ServerMessageV0::NAMES,
        SpecVersion::V1 => ServerMessageV1::NAMES,
        SpecVersion::V2 => ServerMessageV2::NAMES,
        SpecVersion::V3 => ServerMessageV3::NAMES,
        SpecVersion::V4 => ServerMessageV4::NAMES,
    }
}

pub fn names_of<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
    names.into_iter().collect()
}

/// Parses `text` at `version` and asserts a single error with this Id and code.
#[track_caller]
pub fn assert_single_error(text: &str, version: SpecVersion, id: u32, code: ErrorCode) -> ErrorV0 {
    let results = parse_client_frame(text, version);
    assert_eq!(results.len(), 1, "{}: {results:?}", preview(text));
    match &results[0] {
        Err(e) => {
            assert_eq!((e.id, e.error_code), (id, code), "{}: {e:?}", preview(text));
            assert!(e.error_message.len() < 1024, "error text too long");
            e.clone()
        }
        Ok(m) => panic!("{}: expected an error, got {m:?}", preview(text)),
    }
}

pub fn preview(text: &str) -> String {
    text.chars().take(120).collect()
}

//! Device commands produce exactly the expected messages at v4 and v3.

use crate::util::*;
use buttplug_client::{
    ButtplugClient, ClientError, InputType, Level, OutputCommand, OutputType, SpecVersion,
};
use buttplug_core::v0::StopDeviceCmdV0;
use buttplug_core::v1::{LinearCmdV1, RotateCmdV1, RotationSubcommandV1, VectorSubcommandV1};
use buttplug_core::v2::{RawReadCmdV2, RawReadingV2, RawWriteCmdV2};
use buttplug_core::v3::{
    ScalarCmdV3, ScalarSubcommandV3, SensorReadCmdV3, SensorReadingV3, SensorSubscribeCmdV3,
    SensorTypeV3, ServerMessageV3,
};
use buttplug_core::v4::{
    InputCmdV4, InputReadingV4, InputValueV4, OutputCmdV4, OutputCommandV4, ServerMessageV4,
    StopCmdV4,
};
use buttplug_core::{
    DeviceInfo, FeatureInfo, InputCommandType, InputInfo, OutputInfo, ServerMessage, StepRange,
};
use std::time::Duration;

fn one_vibrator() -> DeviceInfo {
    DeviceInfo::new(0, "Vibrator").with_feature(
        FeatureInfo::new(0, "")
            .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20))),
    )
}

fn output(id: u32, feature: u32, command: OutputCommandV4) -> buttplug_core::ClientMessage {
    v4(OutputCmdV4::new(id, 0, feature, command))
}

#[test]
fn v4_vibrate_half_on_twenty_steps_is_value_ten() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[one_vibrator()]).await;
        let device = client.device(0).unwrap();
        let (result, m) = futures::join!(device.vibrate(0.5), async {
            let m = remote.recv().await;
            remote.ok(&m).await;
            remote.expect_silence(Duration::from_millis(50)).await;
            m
        });
        result.unwrap();
        assert_eq!(
            m,
            output(m.id(), 0, OutputCommandV4::new(OutputType::Vibrate, 10))
        );
    });
}

#[test]
fn v4_commands_on_every_feature_of_a_type() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let device = client.device(0).unwrap();
        let (result, (a, b)) = futures::join!(device.vibrate(0.5), async {
            let a = remote.recv_ok().await;
            let b = remote.recv_ok().await;
            remote.expect_silence(Duration::from_millis(50)).await;
            (a, b)
        });
        result.unwrap();
        assert_eq!(
            a,
            output(a.id(), 0, OutputCommandV4::new(OutputType::Vibrate, 10))
        );
        assert_eq!(
            b,
            output(b.id(), 4, OutputCommandV4::new(OutputType::Vibrate, 5))
        );
    });
}

#[test]
fn v4_every_output_kind() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let device = client.device(0).unwrap();

        let (r, m) = futures::join!(device.rotate_with_direction(0.5, false), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            output(m.id(), 1, OutputCommandV4::new(OutputType::Rotate, -10))
        );

        let (r, m) = futures::join!(device.rotate(Level::Steps(20)), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            output(m.id(), 1, OutputCommandV4::new(OutputType::Rotate, 20))
        );

        let (r, m) = futures::join!(
            device.position_with_duration(Level::Steps(50), Duration::from_millis(500)),
            remote.recv_ok()
        );
        r.unwrap();
        assert_eq!(
            m,
            output(m.id(), 2, OutputCommandV4::position_with_duration(50, 500))
        );

        let feature = device.feature(4).unwrap();
        let (r, m) = futures::join!(
            feature.run_output(OutputCommand::Vibrate(Level::Steps(3))),
            remote.recv_ok()
        );
        r.unwrap();
        assert_eq!(
            m,
            output(m.id(), 4, OutputCommandV4::new(OutputType::Vibrate, 3))
        );

        let (r, m) = futures::join!(device.stop(), remote.recv_ok());
        r.unwrap();
        assert_eq!(m, v4(StopCmdV4::device(m.id(), 0)));

        let rotator = device.feature(1).unwrap();
        let (r, m) = futures::join!(rotator.stop(), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            v4(StopCmdV4 {
                id: m.id(),
                device_index: Some(0),
                feature_index: Some(1),
                inputs: true,
                outputs: true
            })
        );
    });
}

#[test]
fn other_output_types_map_to_their_commands() {
    let all = [
        OutputType::Oscillate,
        OutputType::Constrict,
        OutputType::Spray,
        OutputType::Temperature,
        OutputType::Led,
        OutputType::Position,
    ];
    let mut device = DeviceInfo::new(0, "Everything");
    for (i, t) in all.iter().enumerate() {
        device = device.with_feature(
            FeatureInfo::new(i as u32, "").with_output(OutputInfo::new(*t, StepRange::new(0, 4))),
        );
    }
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[device]).await;
        let device = client.device(0).unwrap();
        for (i, t) in all.iter().enumerate() {
            let call = async {
                match t {
                    OutputType::Oscillate => device.oscillate(0.5).await,
                    OutputType::Constrict => device.constrict(0.5).await,
                    OutputType::Spray => device.spray(0.5).await,
                    OutputType::Temperature => device.temperature(0.5).await,
                    OutputType::Led => device.led(0.5).await,
                    _ => device.position(0.5).await,
                }
            };
            let (r, m) = futures::join!(call, remote.recv_ok());
            r.unwrap();
            assert_eq!(m, output(m.id(), i as u32, OutputCommandV4::new(*t, 2)));
        }
    });
}

#[test]
fn v4_inputs() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let device = client.device(0).unwrap();
        let (battery, m) = futures::join!(device.battery(), async {
            let m = remote.recv().await;
            remote
                .send(ServerMessage::V4(ServerMessageV4::InputReading(
                    InputReadingV4 {
                        id: m.id(),
                        device_index: 0,
                        feature_index: 3,
                        reading: InputValueV4::new(InputType::Battery, 87),
                    },
                )))
                .await;
            m
        });
        assert_eq!(battery.unwrap(), 87);
        let read = InputCmdV4 {
            id: m.id(),
            device_index: 0,
            feature_index: 3,
            input_type: InputType::Battery,
            command: InputCommandType::Read,
        };
        assert_eq!(m, v4(read));

        let (r, m) = futures::join!(device.subscribe_input(InputType::Battery), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            v4(InputCmdV4 {
                id: m.id(),
                command: InputCommandType::Subscribe,
                ..read
            })
        );
        let (r, m) = futures::join!(
            device.unsubscribe_input(InputType::Battery),
            remote.recv_ok()
        );
        r.unwrap();
        assert_eq!(
            m,
            v4(InputCmdV4 {
                id: m.id(),
                command: InputCommandType::Unsubscribe,
                ..read
            })
        );

        assert!(matches!(
            device.rssi().await,
            Err(ClientError::InputNotSupported {
                input_type: InputType::Rssi,
                ..
            })
        ));
        remote.expect_silence(Duration::from_millis(50)).await;
    });
}

#[test]
fn several_inputs_of_a_type_need_a_feature() {
    let battery = || {
        InputInfo::new(
            InputType::Battery,
            vec![StepRange::new(0, 100)],
            vec![InputCommandType::Read],
        )
    };
    let device = DeviceInfo::new(0, "Two batteries")
        .with_feature(FeatureInfo::new(0, "").with_input(battery()))
        .with_feature(FeatureInfo::new(1, "").with_input(battery()));
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[device]).await;
        let device = client.device(0).unwrap();
        assert!(matches!(
            device.read_input(InputType::Battery).await,
            Err(ClientError::AmbiguousInput { count: 2, .. })
        ));
        let feature = device.feature(1).unwrap();
        let (value, ()) = futures::join!(feature.read_input(InputType::Battery), async {
            let m = remote.recv().await;
            remote
                .send(ServerMessage::V4(ServerMessageV4::InputReading(
                    InputReadingV4 {
                        id: m.id(),
                        device_index: 0,
                        feature_index: 1,
                        reading: InputValueV4::new(InputType::Battery, 5),
                    },
                )))
                .await;
        });
        assert_eq!(value.unwrap(), 5);
    });
}

#[test]
fn out_of_range_values_are_rejected_before_sending() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let device = client.device(0).unwrap();
        let e = device.vibrate(Level::Steps(21)).await.unwrap_err();
        assert!(
            matches!(
                e,
                ClientError::StepsOutOfRange {
                    value: 21,
                    feature_index: 0,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(matches!(
            device.vibrate(1.5).await,
            Err(ClientError::FractionOutOfRange { .. })
        ));
        assert!(matches!(
            device.vibrate(-0.5).await,
            Err(ClientError::FractionOutOfRange {
                allowed: "0.0..=1.0",
                ..
            })
        ));
        assert!(matches!(
            device.vibrate(f64::NAN).await,
            Err(ClientError::FractionOutOfRange { .. })
        ));
        assert!(matches!(
            device.rotate(-1.5).await,
            Err(ClientError::FractionOutOfRange {
                allowed: "-1.0..=1.0",
                ..
            })
        ));
        assert!(matches!(
            device.rotate(Level::Steps(-21)).await,
            Err(ClientError::StepsOutOfRange { .. })
        ));
        assert!(matches!(
            device
                .position_with_duration(0.5, Duration::from_secs(20))
                .await,
            Err(ClientError::DurationOutOfRange { .. })
        ));
        assert!(matches!(
            device.oscillate(0.5).await,
            Err(ClientError::OutputNotSupported {
                output_type: OutputType::Oscillate,
                feature_index: None,
                ..
            })
        ));
        assert!(matches!(
            device
                .feature(0)
                .unwrap()
                .run_output(OutputCommand::Rotate(Level::Fraction(0.5)))
                .await,
            Err(ClientError::OutputNotSupported {
                feature_index: Some(0),
                ..
            })
        ));
        assert!(device.feature(9).is_none());
        assert!(matches!(
            device.raw_write("tx", &[1], false).await,
            Err(ClientError::NotSupported {
                version: SpecVersion::V4,
                ..
            })
        ));
        remote.expect_silence(Duration::from_millis(100)).await;
    });
}

#[test]
fn v3_vibrate_half_is_scalar_half() {
    block_on(async {
        let client = v3_client("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[one_vibrator()]).await;
        let device = client.device(0).unwrap();
        let (r, m) = futures::join!(device.vibrate(0.5), async {
            let m = remote.recv_ok().await;
            remote.expect_silence(Duration::from_millis(50)).await;
            m
        });
        r.unwrap();
        let expected = ScalarCmdV3 {
            id: m.id(),
            device_index: 0,
            scalars: vec![ScalarSubcommandV3 {
                index: 0,
                scalar: 0.5,
                actuator_type: OutputType::Vibrate,
            }],
        };
        assert_eq!(m, v3(expected));
    });
}

#[test]
fn v3_commands_use_the_v3_index_spaces() {
    block_on(async {
        let client = v3_client("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let device = client.device(0).unwrap();

        // Both vibrators in one ScalarCmd (indexes 0 and 2 of the ScalarCmd array).
        let (r, m) = futures::join!(device.vibrate(0.5), remote.recv_ok());
        r.unwrap();
        let scalar = |index, scalar| ScalarSubcommandV3 {
            index,
            scalar,
            actuator_type: OutputType::Vibrate,
        };
        assert_eq!(
            m,
            v3(ScalarCmdV3 {
                id: m.id(),
                device_index: 0,
                scalars: vec![scalar(0, 0.5), scalar(2, 0.5)]
            })
        );

        // Steps become the fraction the server turns back into the same steps.
        let (r, m) = futures::join!(device.vibrate(Level::Steps(5)), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            v3(ScalarCmdV3 {
                id: m.id(),
                device_index: 0,
                scalars: vec![scalar(0, 0.25), scalar(2, 0.5)]
            })
        );

        let (r, m) = futures::join!(device.rotate_with_direction(0.5, false), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            v3(RotateCmdV1 {
                id: m.id(),
                device_index: 0,
                rotations: vec![RotationSubcommandV1 {
                    index: 0,
                    speed: 0.5,
                    clockwise: false
                }]
            })
        );

        let (r, m) = futures::join!(
            device.position_with_duration(0.25, Duration::from_millis(500)),
            remote.recv_ok()
        );
        r.unwrap();
        assert_eq!(
            m,
            v3(LinearCmdV1 {
                id: m.id(),
                device_index: 0,
                vectors: vec![VectorSubcommandV1 {
                    index: 0,
                    duration: 500,
                    position: 0.25
                }]
            })
        );

        let (battery, m) = futures::join!(device.battery(), async {
            let m = remote.recv().await;
            remote
                .send(ServerMessage::V3(ServerMessageV3::SensorReading(
                    SensorReadingV3 {
                        id: m.id(),
                        device_index: 0,
                        sensor_index: 0,
                        sensor_type: SensorTypeV3::Battery,
                        data: vec![55],
                    },
                )))
                .await;
            m
        });
        assert_eq!(battery.unwrap(), 55);
        assert_eq!(
            m,
            v3(SensorReadCmdV3 {
                id: m.id(),
                device_index: 0,
                sensor_index: 0,
                sensor_type: SensorTypeV3::Battery
            })
        );

        let (r, m) = futures::join!(device.subscribe_input(InputType::Battery), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            v3(SensorSubscribeCmdV3 {
                id: m.id(),
                device_index: 0,
                sensor_index: 0,
                sensor_type: SensorTypeV3::Battery
            })
        );

        let (r, m) = futures::join!(device.stop(), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            v3(StopDeviceCmdV0 {
                id: m.id(),
                device_index: 0
            })
        );

        // Out of range at v3 too, before anything is sent.
        assert!(matches!(
            device.vibrate(Level::Steps(30)).await,
            Err(ClientError::StepsOutOfRange { .. })
        ));
        remote.expect_silence(Duration::from_millis(50)).await;
    });
}

#[test]
fn v3_raw_commands_when_offered() {
    let mut device = one_vibrator();
    device.raw_endpoints = Some(vec!["tx".into(), "rx".into()]);
    block_on(async {
        let client = v3_client("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[device]).await;
        let device = client.device(0).unwrap();
        assert_eq!(device.raw_endpoints(), ["tx", "rx"]);

        let (r, m) = futures::join!(device.raw_write("tx", &[1, 2, 3], true), remote.recv_ok());
        r.unwrap();
        assert_eq!(
            m,
            v3(RawWriteCmdV2 {
                id: m.id(),
                device_index: 0,
                endpoint: "tx".into(),
                data: vec![1, 2, 3],
                write_with_response: true
            })
        );

        let (data, m) = futures::join!(device.raw_read("rx", 2, false), async {
            let m = remote.recv().await;
            remote
                .send(ServerMessage::V3(ServerMessageV3::RawReading(
                    RawReadingV2 {
                        id: m.id(),
                        device_index: 0,
                        endpoint: "rx".into(),
                        data: vec![9, 8],
                    },
                )))
                .await;
            m
        });
        assert_eq!(data.unwrap(), vec![9, 8]);
        assert_eq!(
            m,
            v3(RawReadCmdV2 {
                id: m.id(),
                device_index: 0,
                endpoint: "rx".into(),
                length: 2,
                wait_for_data: false
            })
        );

        assert!(matches!(
            device.raw_write("firmware", &[1], false).await,
            Err(ClientError::RawEndpointNotFound { .. })
        ));
        remote.expect_silence(Duration::from_millis(50)).await;
    });
}

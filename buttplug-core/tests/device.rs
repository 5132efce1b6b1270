//! DeviceInfo rendering per version, index spaces, and parsing back.

use crate::util::*;
use InputType as I;
use OutputType as O;
use buttplug_core::v3::*;
use buttplug_core::*;

#[test]
fn index_spaces_of_the_rich_device() {
    let d = rich_device(0);
    assert_eq!(d.v2_vibrate_features(), [(0, O::Vibrate), (7, O::Vibrate)]);
    assert_eq!(
        d.v3_scalar_features(),
        [
            (0, O::Vibrate),
            (1, O::Rotate),
            (2, O::Position),
            (6, O::Oscillate),
            (6, O::Constrict),
            (7, O::Vibrate),
            (7, O::Spray),
            (7, O::Temperature),
            (7, O::Led),
        ]
    );
    assert_eq!(d.v3_rotate_features(), [(1, O::Rotate)]);
    assert_eq!(d.v3_linear_features(), [(2, O::HwPositionWithDuration)]);
    assert_eq!(
        d.v3_sensor_features(),
        [(3, I::Battery), (4, I::Pressure), (5, I::Rssi)]
    );
    assert_eq!(d.v3_sensor_subscribe_features(), [(4, I::Pressure)]);
    assert_eq!(d.v2_battery_feature(), Some(3));
    assert_eq!(d.v2_rssi_feature(), Some(5));
}

#[test]
fn renderers_agree_with_index_spaces() {
    for d in [rich_device(0), plain_device(1), empty_device(2), nora()] {
        let v3 = d.to_v3().device_messages;
        let scalar: Vec<OutputType> = v3
            .scalar_cmd
            .iter()
            .flatten()
            .map(|a| a.actuator_type)
            .collect();
        let expected: Vec<OutputType> = d.v3_scalar_features().iter().map(|(_, t)| *t).collect();
        assert_eq!(scalar, expected);
        assert_eq!(
            v3.rotate_cmd.iter().flatten().count(),
            d.v3_rotate_features().len()
        );
        assert_eq!(
            v3.linear_cmd.iter().flatten().count(),
            d.v3_linear_features().len()
        );
        let sensors: Vec<InputType> = v3
            .sensor_read_cmd
            .iter()
            .flatten()
            .map(|s| s.sensor_type.into())
            .collect();
        let expected: Vec<InputType> = d.v3_sensor_features().iter().map(|(_, t)| *t).collect();
        assert_eq!(sensors, expected);
        let v2 = d.to_v2().device_messages;
        assert_eq!(
            v2.vibrate_cmd
                .map(|a| a.feature_count as usize)
                .unwrap_or(0),
            d.v2_vibrate_features().len()
        );
        let v1 = d.to_v1().device_messages;
        assert_eq!(
            v1.rotate_cmd.map(|a| a.feature_count as usize).unwrap_or(0),
            d.v3_rotate_features().len()
        );
    }
}

#[test]
fn older_shapes() {
    let d = rich_device(0);
    assert_eq!(
        d.to_v0().device_messages,
        [
            "SingleMotorVibrateCmd",
            "FleshlightLaunchFW12Cmd",
            "KiirooCmd",
            "VorzeA10CycloneCmd",
            "StopDeviceCmd"
        ]
    );
    assert_eq!(empty_device(0).to_v0().device_messages, ["StopDeviceCmd"]);
    let v1 = d.to_v1().device_messages;
    assert_eq!(v1.vibrate_cmd.map(|a| a.feature_count), Some(2));
    assert!(v1.single_motor_vibrate_cmd.is_some());
    assert_eq!(v1.linear_cmd.map(|a| a.feature_count), Some(1));
    assert!(v1.fleshlight_launch_fw12_cmd.is_some() && v1.vorze_a10_cyclone_cmd.is_some());
    assert!(v1.kiiroo_cmd.is_some() && v1.lovense_cmd.is_none());
    let v2 = d.to_v2().device_messages;
    assert_eq!(v2.vibrate_cmd.expect("vibrates").step_count, [20, 10]);
    assert_eq!(v2.rotate_cmd.expect("rotates").step_count, [20]);
    assert!(v2.battery_level_cmd.is_some() && v2.rssi_level_cmd.is_some());
    assert_eq!(
        v2.raw_unsubscribe_cmd.expect("raw").endpoints,
        ["tx".to_string(), "rx".to_string()]
    );
    let plain = plain_device(0).to_v2().device_messages;
    assert!(plain.raw_write_cmd.is_none() && plain.battery_level_cmd.is_none());
    let v3 = d.to_v3();
    assert_eq!(v3.device_display_name.as_deref(), Some("My Toy"));
    assert_eq!(v3.device_message_timing_gap, Some(75));
    let linear = &v3.device_messages.linear_cmd.expect("linear")[0];
    assert_eq!((linear.actuator_type, linear.step_count), (O::Position, 99));
}

/// Each v0/v1 legacy command is advertised exactly where the device can do it (SPEC-NOTES
/// §2.7): a stroker gets the Launch and Kiiroo commands, a bidirectional rotator the Vorze
/// command, a one-way rotator none, a Lovense device `LovenseCmd`.
#[test]
fn legacy_commands_follow_the_features() {
    let stroker = DeviceInfo::new(0, "Launch").with_feature(FeatureInfo::new(0, "").with_output(
        OutputInfo::position_with_duration(StepRange::new(0, 99), StepRange::new(0, 100_000)),
    ));
    assert_eq!(
        stroker.to_v0().device_messages,
        ["FleshlightLaunchFW12Cmd", "KiirooCmd", "StopDeviceCmd"]
    );
    let v1 = stroker.to_v1().device_messages;
    assert!(v1.fleshlight_launch_fw12_cmd.is_some() && v1.kiiroo_cmd.is_some());
    assert!(v1.single_motor_vibrate_cmd.is_none() && v1.vorze_a10_cyclone_cmd.is_none());

    let rotator = DeviceInfo::new(0, "Cyclone").with_feature(
        FeatureInfo::new(0, "").with_output(OutputInfo::new(O::Rotate, StepRange::new(-99, 99))),
    );
    assert_eq!(
        rotator.to_v0().device_messages,
        ["VorzeA10CycloneCmd", "StopDeviceCmd"]
    );
    assert!(
        rotator
            .to_v1()
            .device_messages
            .vorze_a10_cyclone_cmd
            .is_some()
    );
    let one_way = DeviceInfo::new(0, "Spinner").with_feature(
        FeatureInfo::new(0, "").with_output(OutputInfo::new(O::Rotate, StepRange::new(0, 20))),
    );
    assert_eq!(one_way.legacy_commands(), LegacyCommands::default());
    assert_eq!(one_way.to_v0().device_messages, ["StopDeviceCmd"]);

    let mut lovense = plain_device(0);
    lovense.lovense_cmd = true;
    assert_eq!(
        lovense.to_v0().device_messages,
        [
            "SingleMotorVibrateCmd",
            "KiirooCmd",
            "LovenseCmd",
            "StopDeviceCmd"
        ]
    );
    assert!(lovense.to_v1().device_messages.lovense_cmd.is_some());
    // v2 dropped every one of them.
    let v2 = serde_json::to_value(lovense.to_v2()).expect("json");
    assert_eq!(
        v2["DeviceMessages"]
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["StopDeviceCmd".to_string(), "VibrateCmd".to_string()])
    );
}

/// v2 `RSSILevelCmd` is listed for a readable Rssi input or for hardware that reports RSSI.
#[test]
fn rssi_level_from_input_or_hardware() {
    let mut d = plain_device(0);
    assert!(!d.v2_rssi_level());
    assert!(d.to_v2().device_messages.rssi_level_cmd.is_none());
    d.hardware_rssi = true;
    assert!(d.v2_rssi_level());
    assert!(d.to_v2().device_messages.rssi_level_cmd.is_some());
    assert!(rich_device(0).v2_rssi_level());
}

#[test]
fn step_count_is_at_least_one() {
    let d = DeviceInfo::new(0, "Zero").with_feature(
        FeatureInfo::new(0, "").with_output(OutputInfo::new(O::Vibrate, StepRange::new(0, 0))),
    );
    assert_eq!(
        d.to_v2()
            .device_messages
            .vibrate_cmd
            .expect("vibrate")
            .step_count,
        [1]
    );
    let added = d.device_added(SpecVersion::V3).expect("v3");
    assert!(added.validate().is_ok());
}

fn normalized(d: &DeviceInfo) -> DeviceInfo {
    let mut d = d.clone();
    d.raw_endpoints = None;
    d.features
        .retain(|f| !f.outputs.is_empty() || !f.inputs.is_empty());
    d.features.sort_by_key(|f| f.index);
    for f in &mut d.features {
        f.outputs.sort_by_key(|o| o.output_type);
        f.inputs.sort_by_key(|i| i.input_type);
    }
    d
}

#[test]
fn v4_parses_back_exactly() {
    for d in [rich_device(3), plain_device(1), empty_device(2), nora()] {
        let back = DeviceInfo::from_v4(&d.to_v4());
        assert_eq!(back, normalized(&d));
    }
    // Through the wire.
    let text = render_server_frame(&[device_list_message(1, &devices(), SpecVersion::V4)]);
    let parsed = parse_server_frame(&text, SpecVersion::V4);
    let Ok(ServerMessage::V4(v4::ServerMessageV4::DeviceList(list))) = &parsed[0] else {
        panic!("{parsed:?}")
    };
    let back: Vec<DeviceInfo> = list.devices.values().map(DeviceInfo::from_v4).collect();
    assert_eq!(back, devices().iter().map(normalized).collect::<Vec<_>>());
}

#[test]
fn v3_parses_back_with_the_same_index_spaces() {
    for d in [rich_device(0), plain_device(1), empty_device(2), nora()] {
        let v3 = d.to_v3();
        let back = DeviceInfo::from_v3(&v3);
        assert_eq!(back.to_v3(), v3, "{}", d.name);
        assert_eq!(back.raw_endpoints, d.raw_endpoints);
    }
}

#[test]
fn v3_unpaired_rotations_keep_existing_indexes() {
    // A 9.x-style device: RotateCmd entries with no ScalarCmd counterpart.
    let v3 = DeviceMessageInfoV3 {
        device_name: "Vorze".into(),
        device_index: 0,
        device_display_name: None,
        device_message_timing_gap: None,
        device_messages: DeviceMessagesV3 {
            scalar_cmd: Some(vec![GenericAttributesV3 {
                feature_descriptor: "".into(),
                step_count: 10,
                actuator_type: O::Vibrate,
            }]),
            rotate_cmd: Some(vec![GenericAttributesV3 {
                feature_descriptor: "spin".into(),
                step_count: 99,
                actuator_type: O::Rotate,
            }]),
            ..DeviceMessagesV3::default()
        },
    };
    let back = DeviceInfo::from_v3(&v3);
    assert_eq!(back.v3_rotate_features(), [(1, O::Rotate)]);
    let scalar = back.v3_scalar_features();
    assert_eq!(
        scalar[0],
        (0, O::Vibrate),
        "earlier ScalarCmd indexes unchanged"
    );
    assert_eq!(
        back.to_v3().device_messages.rotate_cmd,
        v3.device_messages.rotate_cmd
    );
}

#[test]
fn v3_sensor_arrays_that_do_not_pair_up() {
    let sensor = |t, r: i32| SensorAttributesV3 {
        feature_descriptor: "".into(),
        sensor_type: t,
        sensor_range: vec![StepRange::new(0, r)],
    };
    let v3 = DeviceMessageInfoV3 {
        device_name: "Sensors".into(),
        device_index: 4,
        device_display_name: Some("S".into()),
        device_message_timing_gap: Some(0),
        device_messages: DeviceMessagesV3 {
            sensor_read_cmd: Some(vec![
                sensor(SensorTypeV3::Battery, 100),
                sensor(SensorTypeV3::Pressure, 10),
            ]),
            sensor_subscribe_cmd: Some(vec![
                sensor(SensorTypeV3::Pressure, 10),
                sensor(SensorTypeV3::Battery, 100),
            ]),
            stop_device_cmd: Some(v1::NullAttributesV1 {}),
            ..DeviceMessagesV3::default()
        },
    };
    let back = DeviceInfo::from_v3(&v3);
    assert_eq!(back.to_v3(), v3);
    assert_eq!(
        back.v3_sensor_subscribe_features(),
        [(2, I::Pressure), (3, I::Battery)]
    );
}

#[test]
fn events_per_version() {
    let d = plain_device(5);
    for v in SpecVersion::ALL {
        let added = d.device_added(v);
        let removed = device_removed_message(5, v);
        if v == SpecVersion::V4 {
            assert!(added.is_none() && removed.is_none());
        } else {
            let added = added.expect("added");
            assert_eq!(
                (added.name(), added.id(), added.version()),
                ("DeviceAdded", 0, v)
            );
            assert_eq!(removed.expect("removed").name(), "DeviceRemoved");
        }
        let list = device_list_message(9, std::slice::from_ref(&d), v);
        assert_eq!(
            (list.name(), list.id(), list.version()),
            ("DeviceList", 9, v)
        );
    }
    // The v4 event form: Id 0 is valid for v4 only.
    assert!(
        device_list_message(0, &[], SpecVersion::V4)
            .validate()
            .is_ok()
    );
    assert!(
        device_list_message(0, &[], SpecVersion::V3)
            .validate()
            .is_err()
    );
}

#[test]
fn hw_position_without_duration_gets_the_default_range() {
    let d = DeviceInfo::new(0, "Stroker").with_feature(FeatureInfo::new(0, "").with_output(
        OutputInfo::new(O::HwPositionWithDuration, StepRange::new(0, 100)),
    ));
    let f = &d.to_v4().device_features[&0];
    let out = &f.output.as_ref().expect("output")[&O::HwPositionWithDuration];
    assert_eq!(out.duration, Some(DEFAULT_DURATION_RANGE));
}

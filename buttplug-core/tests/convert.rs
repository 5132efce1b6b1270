//! Conversions without device knowledge, and error conversions.

use buttplug_core::v0::*;
use buttplug_core::v2::*;
use buttplug_core::v3::*;
use buttplug_core::v4::*;
use buttplug_core::*;

#[test]
fn stop_commands_become_stop_cmd() {
    assert_eq!(
        StopCmdV4::from(&StopDeviceCmdV0::new(3, 7)),
        StopCmdV4::device(3, 7)
    );
    assert_eq!(
        StopCmdV4::from(&StopAllDevicesV0::new(4)),
        StopCmdV4::all(4)
    );
    let s = StopCmdV4::device(3, 7);
    assert!(s.inputs && s.outputs && s.feature_index.is_none());
}

fn reading(t: InputType, value: i32) -> InputReadingV4 {
    InputReadingV4 {
        id: 5,
        device_index: 1,
        feature_index: 2,
        reading: InputValueV4::new(t, value),
    }
}

#[test]
fn readings_convert_down() {
    let b = BatteryLevelReadingV2::try_from(&reading(InputType::Battery, 87)).expect("battery");
    assert_eq!((b.id, b.device_index, b.battery_level), (5, 1, 0.87));
    assert_eq!(
        BatteryLevelReadingV2::from_percent(1, 0, 150).battery_level,
        1.0
    );
    assert_eq!(
        BatteryLevelReadingV2::from_percent(1, 0, -3).battery_level,
        0.0
    );
    assert!(matches!(
        BatteryLevelReadingV2::try_from(&reading(InputType::Rssi, -40)),
        Err(MessageError::Unconvertible { id: 5, .. })
    ));
    let s = SensorReadingV3::from_input_reading(&reading(InputType::Rssi, -40), 3).expect("rssi");
    assert_eq!(
        (s.sensor_index, s.sensor_type, s.data.as_slice()),
        (3, SensorTypeV3::Rssi, &[-40][..])
    );
    assert!(SensorReadingV3::from_input_reading(&reading(InputType::Depth, 1), 0).is_err());
    for t in InputType::ALL {
        let r = reading(t, 9);
        assert_eq!((r.reading.input_type(), r.reading.value()), (t, 9));
    }
    for t in OutputType::ALL {
        let c = OutputCommandV4::new(t, 4);
        assert_eq!((c.output_type(), c.value()), (t, 4));
        assert_eq!(
            c.duration().is_some(),
            t == OutputType::HwPositionWithDuration
        );
    }
}

#[test]
fn common_messages_convert_across_versions() {
    for from in SpecVersion::ALL {
        for to in SpecVersion::ALL {
            let ok = ServerMessage::ok(3, from).convert_common(to).expect("ok");
            assert_eq!(ok, ServerMessage::ok(3, to));
            let e = ErrorV0::new(4, ErrorCode::Device, "gone");
            let err = ServerMessage::error(e.clone(), from)
                .convert_common(to)
                .expect("error");
            assert_eq!(err.as_error(), Some(&e));
            assert_eq!(err.version(), to);
            let sf = ServerMessage::scanning_finished(from)
                .convert_common(to)
                .expect("sf");
            assert_eq!(sf, ServerMessage::scanning_finished(to));
        }
        let info = ServerInfo::new("S", 0).to_message(1, from);
        assert!(info.convert_common(SpecVersion::V4).is_none());
    }
}

#[test]
fn errors_map_to_wire_codes() {
    let e = MessageError::ReservedId { name: "Ping" };
    let wire: ErrorV0 = (&e).into();
    assert_eq!((wire.id, wire.error_code), (0, ErrorCode::Msg));
    let h = HandshakeError::VersionMismatch {
        id: 3,
        client: 5,
        server: SpecVersion::V4,
    };
    let wire = h.to_wire();
    assert_eq!((wire.id, wire.error_code), (3, ErrorCode::Init));
    let h = HandshakeError::from(MessageError::EmptyFrame);
    assert_eq!(h.to_wire().error_code, ErrorCode::Msg);
    let refused = HandshakeError::Refused(ErrorV0::new(1, ErrorCode::Init, "no"));
    assert!(std::error::Error::source(&refused).is_some());
    let wire = ErrorV0::new(2, ErrorCode::Device, "device 3 is gone");
    assert_eq!(wire.to_string(), "ERROR_DEVICE: device 3 is gone");
    let boxed: Box<dyn std::error::Error> = Box::new(wire);
    assert!(boxed.to_string().contains("gone"));
}

#[test]
fn ids_can_be_read_and_set_on_every_variant() {
    for v in SpecVersion::ALL {
        for mut m in crate::util::client_samples(v) {
            m.set_id(77);
            assert_eq!(m.id(), 77);
        }
        for mut m in crate::util::server_samples(v) {
            m.set_id(78);
            assert_eq!(m.id(), 78);
        }
    }
}

#[test]
fn spec_version_numbers() {
    for (n, v) in SpecVersion::ALL.into_iter().enumerate() {
        let n = u32::try_from(n).expect("small");
        assert_eq!(v as u32, n);
        assert_eq!(SpecVersion::try_from(n), Ok(v));
        assert_eq!(serde_json::to_string(&v).expect("json"), n.to_string());
    }
    assert!(SpecVersion::try_from(5).is_err());
    assert!(SpecVersion::V0 < SpecVersion::V4);
    assert_eq!(SpecVersion::CURRENT, SpecVersion::V4);
}

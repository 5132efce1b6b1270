//! Server-side rendering: connected devices as core's [`DeviceInfo`], every message in the
//! client's version, and the v1–v3 index spaces with their step counts (taken from the same
//! [`DeviceInfo`] helpers the rendering uses, so they can never disagree).

use crate::ServerDevice;
use crate::device_manager::DeviceManager;
use buttplug_core::v0::{ErrorV0, TestV0};
use buttplug_core::v2::{RSSILevelReadingV2, RawReadingV2};
use buttplug_core::{
    DeviceInfo, FeatureInfo, InputInfo, InputType, LegacyCommands, OutputInfo, OutputType,
    ServerInfo, ServerMessage, SpecVersion, device_list_message, device_removed_message, v0, v1,
    v2, v3,
};

/// The description clients see: client ranges (user-narrowed), disabled outputs hidden, the
/// legacy commands the protocol accepts, and whether the hardware reports its signal strength.
pub(crate) fn device_info(
    device: &ServerDevice,
    allow_raw: bool,
    hardware_rssi: bool,
) -> DeviceInfo {
    let def = device.definition();
    let mut info = DeviceInfo::new(device.index(), def.name.clone());
    info.display_name = def.display_name.clone();
    info.message_timing_gap_ms = device.message_gap_ms();
    info.lovense_cmd = def.protocol == "lovense";
    info.hardware_rssi = hardware_rssi;
    for f in &def.features {
        let mut feature = FeatureInfo::new(f.index, f.description.clone());
        for o in f.outputs.iter().filter(|o| !o.disabled) {
            feature = feature.with_output(OutputInfo {
                output_type: o.output_type,
                value: o.client_range(),
                duration: o.duration,
            });
        }
        for i in &f.inputs {
            feature = feature.with_input(InputInfo::new(
                i.input_type,
                i.value.clone(),
                i.commands.clone(),
            ));
        }
        if !feature.outputs.is_empty() || !feature.inputs.is_empty() {
            info = info.with_feature(feature);
        }
    }
    if allow_raw {
        info.raw_endpoints = Some(device.endpoints().iter().map(ToString::to_string).collect());
    }
    info
}

pub(crate) fn device_list(
    version: SpecVersion,
    id: u32,
    manager: &DeviceManager,
    devices: &[ServerDevice],
    allow_raw: bool,
) -> ServerMessage {
    let infos: Vec<DeviceInfo> = devices
        .iter()
        .map(|d| device_info(d, allow_raw, manager.supports_rssi(d.index())))
        .collect();
    device_list_message(id, &infos, version)
}

pub(crate) fn device_added(
    version: SpecVersion,
    manager: &DeviceManager,
    device: &ServerDevice,
    allow_raw: bool,
) -> ServerMessage {
    let info = device_info(device, allow_raw, manager.supports_rssi(device.index()));
    info.device_added(version)
        .unwrap_or_else(|| device_list_message(0, &[info], version))
}

pub(crate) fn device_removed(version: SpecVersion, index: u32) -> ServerMessage {
    device_removed_message(index, version).unwrap_or_else(|| device_list_message(0, &[], version))
}

pub(crate) fn ok(version: SpecVersion, id: u32) -> ServerMessage {
    ServerMessage::ok(id, version)
}

pub(crate) fn error(version: SpecVersion, error: ErrorV0) -> ServerMessage {
    ServerMessage::error(error, version)
}

pub(crate) fn scanning_finished(version: SpecVersion) -> ServerMessage {
    ServerMessage::scanning_finished(version)
}

pub(crate) fn server_info(
    version: SpecVersion,
    id: u32,
    name: &str,
    max_ping_ms: u32,
) -> ServerMessage {
    ServerInfo::new(name, max_ping_ms).to_message(id, version)
}

pub(crate) fn test(version: SpecVersion, test: TestV0) -> ServerMessage {
    match version {
        SpecVersion::V0 => ServerMessage::V0(v0::ServerMessageV0::Test(test)),
        _ => ServerMessage::V1(v1::ServerMessageV1::Test(test)),
    }
}

pub(crate) fn raw_reading(version: SpecVersion, reading: RawReadingV2) -> ServerMessage {
    match version {
        SpecVersion::V2 => ServerMessage::V2(v2::ServerMessageV2::RawReading(reading)),
        _ => ServerMessage::V3(v3::ServerMessageV3::RawReading(reading)),
    }
}

pub(crate) fn rssi_reading(id: u32, device_index: u32, value: i32) -> ServerMessage {
    ServerMessage::V2(v2::ServerMessageV2::RSSILevelReading(RSSILevelReadingV2 {
        id,
        device_index,
        rssi_level: value,
    }))
}

fn steps(device: &ServerDevice, feature: u32, output: OutputType) -> u32 {
    device
        .definition()
        .feature(feature)
        .and_then(|f| f.output(output))
        .map_or(0, |o| o.client_range().step_count())
}

fn info(device: &ServerDevice) -> DeviceInfo {
    device_info(device, false, false)
}

/// The v0/v1 commands the device accepts besides `StopDeviceCmd` (what its v0/v1 shapes list).
pub(crate) fn legacy_commands(device: &ServerDevice) -> LegacyCommands {
    info(device).legacy_commands()
}

/// `VibrateCmd`/`SingleMotorVibrateCmd` index space: (feature, step count).
pub(crate) fn vibrate_features(device: &ServerDevice) -> Vec<(u32, u32)> {
    info(device)
        .v2_vibrate_features()
        .into_iter()
        .map(|(f, t)| (f, steps(device, f, t)))
        .collect()
}

/// `ScalarCmd` index space: (feature, type, step count).
pub(crate) fn scalar_features(device: &ServerDevice) -> Vec<(u32, OutputType, u32)> {
    info(device)
        .v3_scalar_features()
        .into_iter()
        .map(|(f, t)| (f, t, steps(device, f, t)))
        .collect()
}

/// `RotateCmd` index space: (feature, step count).
pub(crate) fn rotate_features(device: &ServerDevice) -> Vec<(u32, u32)> {
    info(device)
        .v3_rotate_features()
        .into_iter()
        .map(|(f, t)| (f, steps(device, f, t)))
        .collect()
}

/// `LinearCmd` index space: (feature, step count).
pub(crate) fn linear_features(device: &ServerDevice) -> Vec<(u32, u32)> {
    info(device)
        .v3_linear_features()
        .into_iter()
        .map(|(f, t)| (f, steps(device, f, t)))
        .collect()
}

/// `SensorReadCmd` index space.
pub(crate) fn sensor_features(device: &ServerDevice) -> Vec<(u32, InputType)> {
    info(device).v3_sensor_features()
}

/// `SensorSubscribeCmd` index space.
pub(crate) fn sensor_subscribe_features(device: &ServerDevice) -> Vec<(u32, InputType)> {
    info(device).v3_sensor_subscribe_features()
}

/// The feature v2 `BatteryLevelCmd`/`RSSILevelCmd` reads, if the device has one.
pub(crate) fn input_feature(device: &ServerDevice, input: InputType) -> Option<u32> {
    let info = info(device);
    match input {
        InputType::Battery => info.v2_battery_feature(),
        InputType::Rssi => info.v2_rssi_feature(),
        _ => None,
    }
}

//! The one vocabulary a session dispatches: every client message of every spec version (v0–v4)
//! translated into a [`Command`], or into a [`TranslateError`] that is the message's `Error`
//! reply.
//!
//! The translation is pure: no I/O and nothing async. It reads the message and the devices it
//! names through [`DeviceLookup`] (the device's definition and index space, never its task), and
//! checks every output against the device's ranges, in the message's order, so the first bad
//! entry of a list is the one the error reports. The v0–v3 index spaces (`VibrateCmd`,
//! `ScalarCmd`, `RotateCmd`, `LinearCmd`, `SensorReadCmd`, ...) are resolved here, once, from the
//! same [`render`] helpers the device lists are rendered with.
//!
//! The one thing it cannot know is where a stroker is heading (the session keeps that), so a
//! `FleshlightLaunchFW12Cmd` becomes a [`Command::LegacyLaunch`] that [`resolve_launch`] finishes
//! once the session supplies the last position.

use crate::ServerDevice;
use crate::device::{RawCommand, ServerDeviceError};
use crate::device_manager::DeviceManager;
use crate::render;
use buttplug_core::v3::SensorTypeV3;
use buttplug_core::{
    ClientMessage, ErrorCode, InputCommandType, InputType, OutputType, SpecVersion, v0, v1, v2, v3,
    v4,
};
use buttplug_devices::{Endpoint, OutputCommand, UnknownEndpoint, legacy};
use std::time::Duration;

/// Read-only access to the connected devices, all the translation needs.
pub(crate) trait DeviceLookup {
    /// The device with this index, if connected.
    fn device(&self, index: u32) -> Option<ServerDevice>;
    /// Whether the device's hardware reports its signal strength itself (v2 `RSSILevelCmd`
    /// without an RSSI feature).
    fn hardware_rssi(&self, index: u32) -> bool;
}

impl DeviceLookup for DeviceManager {
    fn device(&self, index: u32) -> Option<ServerDevice> {
        DeviceManager::device(self, index)
    }

    fn hardware_rssi(&self, index: u32) -> bool {
        self.supports_rssi(index)
    }
}

/// What the translation of a message depends on besides the message and the devices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    /// The session's spec version.
    pub(crate) version: SpecVersion,
    /// Whether raw endpoint commands are enabled.
    pub(crate) allow_raw: bool,
}

/// How a subscribed reading is rendered for the session that subscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadingShape {
    /// v4 `InputReading`.
    V4,
    /// v3 `SensorReading` with the index and type the client used.
    V3 {
        sensor_index: u32,
        sensor_type: SensorTypeV3,
    },
}

/// How the answer to a one-off read is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadShape {
    /// v4 `InputReading`.
    V4,
    /// v3 `SensorReading`.
    V3 {
        sensor_index: u32,
        sensor_type: SensorTypeV3,
    },
    /// v2 `BatteryLevelReading`.
    BatteryV2,
    /// v2 `RSSILevelReading`.
    RssiV2,
}

/// A `FleshlightLaunchFW12Cmd` checked against the device, waiting for the stroker's last
/// position to turn its speed into a duration (see [`resolve_launch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Launch {
    /// The position feature.
    pub(crate) feature: u32,
    /// Target position in the client range.
    pub(crate) position: i64,
    /// Target position as the hardware sees it.
    pub(crate) target: i32,
    /// Top of the hardware position range.
    pub(crate) max: i32,
    /// Launch speed (0–99).
    pub(crate) speed: u32,
}

/// A client message in the session's one vocabulary.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    /// Nothing to do but answer `Ok` (`Ping`, `RequestLog`).
    Ack,
    /// Start scanning for devices.
    StartScanning,
    /// Stop scanning.
    StopScanning,
    /// Answer with the device list.
    DeviceList,
    /// Echo a v0/v1 `Test` string.
    Test(String),
    /// Stop everything and end the session (v4 `Disconnect`).
    Disconnect,
    /// Stop the outputs and/or inputs of one feature, one device or every device.
    Stop {
        device: Option<u32>,
        feature: Option<u32>,
        outputs: bool,
        inputs: bool,
    },
    /// One checked output (every v4 `OutputCmd`: no allocation).
    Output {
        device: ServerDevice,
        command: OutputCommand,
    },
    /// The checked outputs of one message, in message order (the session sends them as one
    /// batch; an empty list is answered `Ok`).
    Outputs {
        device: ServerDevice,
        commands: Vec<OutputCommand>,
    },
    /// A `FleshlightLaunchFW12Cmd`, finished by [`resolve_launch`].
    LegacyLaunch {
        device: ServerDevice,
        launch: Launch,
    },
    /// Read an input once.
    Read {
        device: ServerDevice,
        feature: u32,
        input: InputType,
        shape: ReadShape,
    },
    /// v2 `RSSILevelCmd` on a device whose transport reports the signal strength.
    HardwareRssi { device: u32 },
    /// Subscribe to (or unsubscribe from) an input.
    Subscribe {
        device: ServerDevice,
        feature: u32,
        input: InputType,
        subscribe: bool,
        shape: ReadingShape,
    },
    /// A raw endpoint command (raw commands are enabled).
    Raw {
        device: ServerDevice,
        command: RawCommand,
    },
}

/// Why a message cannot be served; rendered as its `Error` reply ([`TranslateError::code`] and
/// the text of [`std::fmt::Display`]).
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum TranslateError {
    /// `RequestServerInfo` after the handshake.
    #[error("handshake already happened")]
    AlreadyHandshaken,
    /// v4 `StopCmd` naming a feature but no device.
    #[error("StopCmd with FeatureIndex needs a DeviceIndex")]
    StopFeatureWithoutDevice,
    /// `KiirooCmd` with a command other than `"0"`–`"4"`.
    #[error("KiirooCmd Command must be \"0\" to \"4\"")]
    KiirooCommand,
    /// v0/v1 `Test` with the string `"Error"`.
    #[error("Test asked for an error")]
    TestError,
    /// A raw command naming an endpoint that does not exist.
    #[error("{0}")]
    Endpoint(#[from] UnknownEndpoint),
    /// A message this server does not serve at the session's version.
    #[error("{name} is not served at spec v{}", *.version as u32)]
    NotServed {
        /// Message name.
        name: &'static str,
        /// Session version.
        version: SpecVersion,
    },
    /// No such device, feature or output, a value out of range, raw commands disabled, ...
    #[error(transparent)]
    Device(#[from] ServerDeviceError),
}

impl TranslateError {
    /// The error code of the reply.
    pub(crate) fn code(&self) -> ErrorCode {
        match self {
            TranslateError::AlreadyHandshaken => ErrorCode::Init,
            TranslateError::StopFeatureWithoutDevice
            | TranslateError::KiirooCommand
            | TranslateError::TestError
            | TranslateError::NotServed { .. }
            | TranslateError::Device(ServerDeviceError::RawDisabled) => ErrorCode::Msg,
            TranslateError::Endpoint(_) | TranslateError::Device(_) => ErrorCode::Device,
        }
    }
}

/// float (0..=1) → steps: ceil(step_count × value); values below 1e-6 count as 0.
fn float_to_steps(value: f64, step_count: u32) -> i64 {
    if value.abs() < 1e-6 {
        0
    } else {
        (f64::from(step_count) * value).ceil() as i64
    }
}

/// A position (0..=1) → steps, truncated (positions do not round up).
fn position_to_steps(position: f64, step_count: u32) -> i64 {
    (f64::from(step_count) * position).floor() as i64
}

fn signed(value: i64, clockwise: bool) -> i64 {
    if clockwise { value } else { -value }
}

/// Entry `index` of a v1–v3 index space.
fn entry<T: Copy>(device: &ServerDevice, space: &[T], index: u32) -> Result<T, ServerDeviceError> {
    space
        .get(index as usize)
        .copied()
        .ok_or(ServerDeviceError::NoFeature {
            device: device.index(),
            feature: index,
        })
}

fn not_on_feature(device: &ServerDevice, feature: u32, what: impl Into<String>) -> TranslateError {
    TranslateError::Device(ServerDeviceError::NotOnFeature {
        device: device.index(),
        feature,
        what: what.into(),
    })
}

/// Every vibrator at `level` (0..=1); a device without one cannot take `what`.
fn vibrate_all(device: &ServerDevice, level: f64, what: &str) -> Result<Command, TranslateError> {
    let commands = render::vibrate_features(device)
        .into_iter()
        .map(|(f, steps)| {
            device.check_output(f, OutputType::Vibrate, float_to_steps(level, steps), None)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if commands.is_empty() {
        return Err(not_on_feature(device, 0, what));
    }
    Ok(outputs(device, commands))
}

fn outputs(device: &ServerDevice, commands: Vec<OutputCommand>) -> Command {
    Command::Outputs {
        device: device.clone(),
        commands,
    }
}

/// Translate one message of a running session.
///
/// # Errors
/// The message's `Error` reply, as a [`TranslateError`].
pub(crate) fn translate(
    context: Context,
    devices: &impl DeviceLookup,
    msg: ClientMessage,
) -> Result<Command, TranslateError> {
    use ClientMessage as C;
    let device = |index: u32| {
        devices
            .device(index)
            .ok_or(TranslateError::Device(ServerDeviceError::NoDevice {
                index,
            }))
    };
    Ok(match msg {
        // ---- messages every version shares ----
        C::V0(v0::ClientMessageV0::RequestServerInfo(_))
        | C::V1(v1::ClientMessageV1::RequestServerInfo(_))
        | C::V2(v2::ClientMessageV2::RequestServerInfo(_))
        | C::V3(v3::ClientMessageV3::RequestServerInfo(_))
        | C::V4(v4::ClientMessageV4::RequestServerInfo(_)) => {
            return Err(TranslateError::AlreadyHandshaken);
        }
        C::V0(v0::ClientMessageV0::Ping(_))
        | C::V1(v1::ClientMessageV1::Ping(_))
        | C::V2(v2::ClientMessageV2::Ping(_))
        | C::V3(v3::ClientMessageV3::Ping(_))
        | C::V4(v4::ClientMessageV4::Ping(_)) => Command::Ack,
        // Accepted for compatibility; the server does not forward its log to clients.
        C::V0(v0::ClientMessageV0::RequestLog(_))
        | C::V1(v1::ClientMessageV1::RequestLog(_))
        | C::V2(v2::ClientMessageV2::RequestLog(_)) => Command::Ack,
        C::V0(v0::ClientMessageV0::StartScanning(_))
        | C::V1(v1::ClientMessageV1::StartScanning(_))
        | C::V2(v2::ClientMessageV2::StartScanning(_))
        | C::V3(v3::ClientMessageV3::StartScanning(_))
        | C::V4(v4::ClientMessageV4::StartScanning(_)) => Command::StartScanning,
        C::V0(v0::ClientMessageV0::StopScanning(_))
        | C::V1(v1::ClientMessageV1::StopScanning(_))
        | C::V2(v2::ClientMessageV2::StopScanning(_))
        | C::V3(v3::ClientMessageV3::StopScanning(_))
        | C::V4(v4::ClientMessageV4::StopScanning(_)) => Command::StopScanning,
        C::V0(v0::ClientMessageV0::RequestDeviceList(_))
        | C::V1(v1::ClientMessageV1::RequestDeviceList(_))
        | C::V2(v2::ClientMessageV2::RequestDeviceList(_))
        | C::V3(v3::ClientMessageV3::RequestDeviceList(_))
        | C::V4(v4::ClientMessageV4::RequestDeviceList(_)) => Command::DeviceList,
        C::V0(v0::ClientMessageV0::Test(m)) | C::V1(v1::ClientMessageV1::Test(m)) => {
            if m.test_string == "Error" {
                return Err(TranslateError::TestError);
            }
            Command::Test(m.test_string)
        }

        // ---- stops ----
        C::V0(v0::ClientMessageV0::StopAllDevices(_))
        | C::V1(v1::ClientMessageV1::StopAllDevices(_))
        | C::V2(v2::ClientMessageV2::StopAllDevices(_))
        | C::V3(v3::ClientMessageV3::StopAllDevices(_)) => Command::Stop {
            device: None,
            feature: None,
            outputs: true,
            inputs: true,
        },
        C::V0(v0::ClientMessageV0::StopDeviceCmd(m))
        | C::V1(v1::ClientMessageV1::StopDeviceCmd(m))
        | C::V2(v2::ClientMessageV2::StopDeviceCmd(m))
        | C::V3(v3::ClientMessageV3::StopDeviceCmd(m)) => {
            device(m.device_index)?;
            Command::Stop {
                device: Some(m.device_index),
                feature: None,
                outputs: true,
                inputs: true,
            }
        }
        C::V4(v4::ClientMessageV4::StopCmd(m)) => {
            if m.feature_index.is_some() && m.device_index.is_none() {
                return Err(TranslateError::StopFeatureWithoutDevice);
            }
            if let Some(d) = m.device_index {
                device(d)?;
            }
            Command::Stop {
                device: m.device_index,
                feature: m.feature_index,
                outputs: m.outputs,
                inputs: m.inputs,
            }
        }

        // ---- v4 ----
        C::V4(v4::ClientMessageV4::OutputCmd(m)) => {
            let device = device(m.device_index)?;
            let c = m.command;
            let command = device.check_output(
                m.feature_index,
                c.output_type(),
                i64::from(c.value()),
                c.duration(),
            )?;
            Command::Output { device, command }
        }
        C::V4(v4::ClientMessageV4::InputCmd(m)) => {
            let device = device(m.device_index)?;
            match m.command {
                InputCommandType::Read => Command::Read {
                    device,
                    feature: m.feature_index,
                    input: m.input_type,
                    shape: ReadShape::V4,
                },
                InputCommandType::Subscribe | InputCommandType::Unsubscribe => Command::Subscribe {
                    device,
                    feature: m.feature_index,
                    input: m.input_type,
                    subscribe: m.command == InputCommandType::Subscribe,
                    shape: ReadingShape::V4,
                },
            }
        }
        C::V4(v4::ClientMessageV4::Disconnect(_)) => Command::Disconnect,

        // ---- v0–v3 outputs ----
        C::V0(v0::ClientMessageV0::SingleMotorVibrateCmd(m))
        | C::V1(v1::ClientMessageV1::SingleMotorVibrateCmd(m)) => {
            vibrate_all(&device(m.device_index)?, m.speed, "vibrate")?
        }
        C::V1(v1::ClientMessageV1::VibrateCmd(m))
        | C::V2(v2::ClientMessageV2::VibrateCmd(m))
        | C::V3(v3::ClientMessageV3::VibrateCmd(m)) => {
            let device = device(m.device_index)?;
            let space = render::vibrate_features(&device);
            let commands = m
                .speeds
                .iter()
                .map(|s| {
                    let (f, steps) = entry(&device, &space, s.index)?;
                    let value = float_to_steps(s.speed, steps);
                    device.check_output(f, OutputType::Vibrate, value, None)
                })
                .collect::<Result<_, _>>()?;
            outputs(&device, commands)
        }
        C::V3(v3::ClientMessageV3::ScalarCmd(m)) => {
            let device = device(m.device_index)?;
            let space = render::scalar_features(&device);
            let commands = m
                .scalars
                .iter()
                .map(|s| {
                    let (f, t, steps) = entry(&device, &space, s.index)?;
                    if t != s.actuator_type {
                        return Err(ServerDeviceError::NotOnFeature {
                            device: device.index(),
                            feature: s.index,
                            what: s.actuator_type.to_string(),
                        });
                    }
                    device.check_output(f, t, float_to_steps(s.scalar, steps), None)
                })
                .collect::<Result<_, _>>()?;
            outputs(&device, commands)
        }
        C::V1(v1::ClientMessageV1::RotateCmd(m))
        | C::V2(v2::ClientMessageV2::RotateCmd(m))
        | C::V3(v3::ClientMessageV3::RotateCmd(m)) => {
            let device = device(m.device_index)?;
            let space = render::rotate_features(&device);
            let commands = m
                .rotations
                .iter()
                .map(|r| {
                    let (f, steps) = entry(&device, &space, r.index)?;
                    let value = signed(float_to_steps(r.speed, steps), r.clockwise);
                    device.check_output(f, OutputType::Rotate, value, None)
                })
                .collect::<Result<_, _>>()?;
            outputs(&device, commands)
        }
        C::V1(v1::ClientMessageV1::LinearCmd(m))
        | C::V2(v2::ClientMessageV2::LinearCmd(m))
        | C::V3(v3::ClientMessageV3::LinearCmd(m)) => {
            let device = device(m.device_index)?;
            let space = render::linear_features(&device);
            let commands = m
                .vectors
                .iter()
                .map(|v| {
                    let (f, steps) = entry(&device, &space, v.index)?;
                    let position = position_to_steps(v.position, steps);
                    device.check_output(
                        f,
                        OutputType::HwPositionWithDuration,
                        position,
                        Some(v.duration),
                    )
                })
                .collect::<Result<_, _>>()?;
            outputs(&device, commands)
        }
        C::V0(v0::ClientMessageV0::FleshlightLaunchFW12Cmd(m))
        | C::V1(v1::ClientMessageV1::FleshlightLaunchFW12Cmd(m)) => {
            let device = device(m.device_index)?;
            let Some(&(f, steps)) = render::linear_features(&device).first() else {
                return Err(not_on_feature(
                    &device,
                    0,
                    "FleshlightLaunchFW12Cmd (no position output)",
                ));
            };
            let position = (f64::from(steps) * f64::from(m.position) / 99.0).floor() as i64;
            let max = device
                .definition()
                .feature(f)
                .and_then(|d| d.output(OutputType::HwPositionWithDuration))
                .map_or(0, |o| o.value.end);
            // Checked with no duration first: the target position (in hardware terms) is what
            // the duration is worked out from.
            let target =
                device.check_output(f, OutputType::HwPositionWithDuration, position, Some(0))?;
            Command::LegacyLaunch {
                device,
                launch: Launch {
                    feature: f,
                    position,
                    target: target.value,
                    max,
                    speed: m.speed,
                },
            }
        }
        C::V0(v0::ClientMessageV0::VorzeA10CycloneCmd(m))
        | C::V1(v1::ClientMessageV1::VorzeA10CycloneCmd(m)) => {
            let device = device(m.device_index)?;
            let Some(&(f, steps)) = render::rotate_features(&device).first() else {
                return Err(not_on_feature(
                    &device,
                    0,
                    "VorzeA10CycloneCmd (no bidirectional rotation)",
                ));
            };
            let value = signed(
                float_to_steps(legacy::vorze_speed(m.speed), steps),
                m.clockwise,
            );
            let command = device.check_output(f, OutputType::Rotate, value, None)?;
            outputs(&device, vec![command])
        }
        C::V0(v0::ClientMessageV0::KiirooCmd(m)) | C::V1(v1::ClientMessageV1::KiirooCmd(m)) => {
            let device = device(m.device_index)?;
            let level = legacy::kiiroo_level(&m.command).ok_or(TranslateError::KiirooCommand)?;
            match render::linear_features(&device).first() {
                Some(&(f, steps)) => {
                    let command = device.check_output(
                        f,
                        OutputType::HwPositionWithDuration,
                        position_to_steps(level, steps),
                        Some(legacy::LEGACY_MOVE_MS),
                    )?;
                    outputs(&device, vec![command])
                }
                None => vibrate_all(&device, level, "KiirooCmd (no position or vibrate output)")?,
            }
        }
        C::V0(v0::ClientMessageV0::LovenseCmd(m)) | C::V1(v1::ClientMessageV1::LovenseCmd(m)) => {
            let device = device(m.device_index)?;
            let commands = lovense_command(&device, &m.command)?;
            outputs(&device, commands)
        }

        // ---- v2/v3 inputs ----
        C::V2(v2::ClientMessageV2::BatteryLevelCmd(m)) => {
            level_read(devices, &device(m.device_index)?, InputType::Battery)?
        }
        C::V2(v2::ClientMessageV2::RSSILevelCmd(m)) => {
            level_read(devices, &device(m.device_index)?, InputType::Rssi)?
        }
        C::V3(v3::ClientMessageV3::SensorReadCmd(m)) => {
            let device = device(m.device_index)?;
            let feature = sensor_feature(&device, m.sensor_index, m.sensor_type, false)?;
            Command::Read {
                device,
                feature,
                input: m.sensor_type.into(),
                shape: ReadShape::V3 {
                    sensor_index: m.sensor_index,
                    sensor_type: m.sensor_type,
                },
            }
        }
        C::V3(v3::ClientMessageV3::SensorSubscribeCmd(m)) => {
            sensor_subscription(device(m.device_index)?, m.sensor_index, m.sensor_type, true)?
        }
        C::V3(v3::ClientMessageV3::SensorUnsubscribeCmd(m)) => sensor_subscription(
            device(m.device_index)?,
            m.sensor_index,
            m.sensor_type,
            false,
        )?,

        // ---- raw ----
        C::V2(v2::ClientMessageV2::RawWriteCmd(m)) | C::V3(v3::ClientMessageV3::RawWriteCmd(m)) => {
            let device = device(m.device_index)?;
            let endpoint = raw_endpoint(context, &m.endpoint)?;
            Command::Raw {
                device,
                command: RawCommand::Write {
                    endpoint,
                    data: m.data,
                    write_with_response: m.write_with_response,
                },
            }
        }
        C::V2(v2::ClientMessageV2::RawReadCmd(m)) | C::V3(v3::ClientMessageV3::RawReadCmd(m)) => {
            let device = device(m.device_index)?;
            let endpoint = raw_endpoint(context, &m.endpoint)?;
            Command::Raw {
                device,
                command: RawCommand::Read {
                    endpoint,
                    length: m.length,
                    timeout: if m.wait_for_data {
                        Duration::from_secs(5)
                    } else {
                        Duration::from_millis(500)
                    },
                },
            }
        }
        C::V2(v2::ClientMessageV2::RawSubscribeCmd(m))
        | C::V3(v3::ClientMessageV3::RawSubscribeCmd(m)) => {
            let device = device(m.device_index)?;
            let endpoint = raw_endpoint(context, &m.endpoint)?;
            Command::Raw {
                device,
                command: RawCommand::Subscribe { endpoint },
            }
        }
        C::V2(v2::ClientMessageV2::RawUnsubscribeCmd(m))
        | C::V3(v3::ClientMessageV3::RawUnsubscribeCmd(m)) => {
            let device = device(m.device_index)?;
            let endpoint = raw_endpoint(context, &m.endpoint)?;
            Command::Raw {
                device,
                command: RawCommand::Unsubscribe { endpoint },
            }
        }
        #[allow(unreachable_patterns)] // future messages
        other => {
            return Err(TranslateError::NotServed {
                name: other.name(),
                version: context.version,
            });
        }
    })
}

/// Finish a [`Command::LegacyLaunch`]: the move to the target at the Launch speed, from `from`
/// (the last position sent to that feature; 0 when none was).
///
/// # Errors
/// The duration falls outside the output's duration range.
pub(crate) fn resolve_launch(
    device: &ServerDevice,
    launch: &Launch,
    from: Option<i32>,
) -> Result<OutputCommand, ServerDeviceError> {
    // The Launch moves at a speed; the output takes a duration: the one that gives that speed
    // over the distance from where the stroker is heading.
    let duration =
        legacy::launch_duration(from.unwrap_or(0), launch.target, launch.max, launch.speed);
    device.check_output(
        launch.feature,
        OutputType::HwPositionWithDuration,
        launch.position,
        Some(duration),
    )
}

/// v2 `BatteryLevelCmd` / `RSSILevelCmd`: the device's first readable input of that type.
fn level_read(
    devices: &impl DeviceLookup,
    device: &ServerDevice,
    input: InputType,
) -> Result<Command, TranslateError> {
    match render::input_feature(device, input) {
        Some(feature) => Ok(Command::Read {
            device: device.clone(),
            feature,
            input,
            shape: if input == InputType::Battery {
                ReadShape::BatteryV2
            } else {
                ReadShape::RssiV2
            },
        }),
        // No RSSI feature: the transport reports the signal strength itself.
        None if input == InputType::Rssi && devices.hardware_rssi(device.index()) => {
            Ok(Command::HardwareRssi {
                device: device.index(),
            })
        }
        None => Err(not_on_feature(device, 0, input.to_string())),
    }
}

/// v3 `SensorSubscribeCmd` / `SensorUnsubscribeCmd`.
fn sensor_subscription(
    device: ServerDevice,
    sensor_index: u32,
    sensor_type: SensorTypeV3,
    subscribe: bool,
) -> Result<Command, TranslateError> {
    let feature = sensor_feature(&device, sensor_index, sensor_type, true)?;
    Ok(Command::Subscribe {
        device,
        feature,
        input: sensor_type.into(),
        subscribe,
        shape: ReadingShape::V3 {
            sensor_index,
            sensor_type,
        },
    })
}

/// Entry `sensor_index` of the v3 sensor index space (read or subscribe), if it has that type.
fn sensor_feature(
    device: &ServerDevice,
    sensor_index: u32,
    sensor_type: SensorTypeV3,
    subscribe: bool,
) -> Result<u32, TranslateError> {
    let space = if subscribe {
        render::sensor_subscribe_features(device)
    } else {
        render::sensor_features(device)
    };
    match space.get(sensor_index as usize) {
        Some((f, t)) if *t == InputType::from(sensor_type) => Ok(*f),
        _ => Err(not_on_feature(
            device,
            sensor_index,
            format!("sensor {sensor_index} of type {sensor_type:?}"),
        )),
    }
}

/// The endpoint of a raw command, when raw commands are enabled.
fn raw_endpoint(context: Context, endpoint: &str) -> Result<Endpoint, TranslateError> {
    if !context.allow_raw {
        return Err(ServerDeviceError::RawDisabled.into());
    }
    Ok(endpoint.parse()?)
}

/// `LovenseCmd` for devices whose protocol takes it: the Lovense protocol's reading of the text
/// ([`legacy::parse_lovense`]) as outputs.
fn lovense_command(
    device: &ServerDevice,
    command: &str,
) -> Result<Vec<OutputCommand>, TranslateError> {
    use legacy::LovenseLegacyCommand as L;
    let unsupported = || not_on_feature(device, 0, format!("LovenseCmd {command:?}"));
    if !render::legacy_commands(device).lovense {
        return Err(unsupported());
    }
    let parsed = legacy::parse_lovense(command).ok_or_else(unsupported)?;
    let one = |f: u32, output: OutputType, level: i64| {
        Ok(vec![device.check_output(f, output, level, None)?])
    };
    match parsed {
        L::VibrateAll(level) => Ok(render::vibrate_features(device)
            .iter()
            .map(|(f, _)| device.check_output(*f, OutputType::Vibrate, level, None))
            .collect::<Result<_, _>>()?),
        L::Vibrate { motor, level } => {
            let vibes = render::vibrate_features(device);
            let (f, _) = vibes.get(motor.wrapping_sub(1)).ok_or_else(unsupported)?;
            one(*f, OutputType::Vibrate, level)
        }
        L::Rotate(level) => {
            let (f, _) = *render::rotate_features(device)
                .first()
                .ok_or_else(unsupported)?;
            one(f, OutputType::Rotate, level)
        }
        L::Air(level) => {
            let f = device
                .definition()
                .features_with_output(OutputType::Constrict);
            let f = *f.first().ok_or_else(unsupported)?;
            one(f, OutputType::Constrict, level)
        }
    }
}

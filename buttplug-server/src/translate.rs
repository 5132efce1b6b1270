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
            | TranslateError::NotServed { .. } => ErrorCode::Msg,
            TranslateError::Endpoint(_) => ErrorCode::Device,
            TranslateError::Device(e) => device_error_code(e),
        }
    }
}

/// The error code of a device error's reply: raw commands being off is the message's fault,
/// everything else the device's.
pub(crate) fn device_error_code(e: &ServerDeviceError) -> ErrorCode {
    match e {
        ServerDeviceError::RawDisabled => ErrorCode::Msg,
        _ => ErrorCode::Device,
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

/// Two commands are the same when they name the same device (by index) and say the same.
#[cfg(test)]
impl PartialEq for Command {
    fn eq(&self, other: &Self) -> bool {
        use Command as C;
        let same = |a: &ServerDevice, b: &ServerDevice| a.index() == b.index();
        match (self, other) {
            (C::Ack, C::Ack)
            | (C::StartScanning, C::StartScanning)
            | (C::StopScanning, C::StopScanning)
            | (C::DeviceList, C::DeviceList)
            | (C::Disconnect, C::Disconnect) => true,
            (C::Test(a), C::Test(b)) => a == b,
            (
                C::Stop {
                    device: d1,
                    feature: f1,
                    outputs: o1,
                    inputs: i1,
                },
                C::Stop {
                    device: d2,
                    feature: f2,
                    outputs: o2,
                    inputs: i2,
                },
            ) => (d1, f1, o1, i1) == (d2, f2, o2, i2),
            (
                C::Output {
                    device: d1,
                    command: c1,
                },
                C::Output {
                    device: d2,
                    command: c2,
                },
            ) => same(d1, d2) && c1 == c2,
            (
                C::Outputs {
                    device: d1,
                    commands: c1,
                },
                C::Outputs {
                    device: d2,
                    commands: c2,
                },
            ) => same(d1, d2) && c1 == c2,
            (
                C::LegacyLaunch {
                    device: d1,
                    launch: l1,
                },
                C::LegacyLaunch {
                    device: d2,
                    launch: l2,
                },
            ) => same(d1, d2) && l1 == l2,
            (
                C::Read {
                    device: d1,
                    feature: f1,
                    input: i1,
                    shape: s1,
                },
                C::Read {
                    device: d2,
                    feature: f2,
                    input: i2,
                    shape: s2,
                },
            ) => same(d1, d2) && (f1, i1, s1) == (f2, i2, s2),
            (C::HardwareRssi { device: a }, C::HardwareRssi { device: b }) => a == b,
            (
                C::Subscribe {
                    device: d1,
                    feature: f1,
                    input: i1,
                    subscribe: u1,
                    shape: s1,
                },
                C::Subscribe {
                    device: d2,
                    feature: f2,
                    input: i2,
                    subscribe: u2,
                    shape: s2,
                },
            ) => same(d1, d2) && (f1, i1, u1, s1) == (f2, i2, u2, s2),
            (
                C::Raw {
                    device: d1,
                    command: c1,
                },
                C::Raw {
                    device: d2,
                    command: c2,
                },
            ) => same(d1, d2) && c1 == c2,
            _ => false,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a panic is how a test fails
mod tests {
    use super::*;
    use buttplug_core::{StepRange, parse_client_frame};
    use buttplug_devices::{
        DeviceDefinition, FeatureDefinition, InputDefinition, OutputDefinition,
    };
    use std::sync::Arc;

    /// Devices 0–2 (see [`full`], [`one_vibrator`], [`battery_only`]); device 1's transport
    /// reports its signal strength.
    struct Devices(Vec<ServerDevice>);

    impl DeviceLookup for Devices {
        fn device(&self, index: u32) -> Option<ServerDevice> {
            self.0.iter().find(|d| d.index() == index).cloned()
        }

        fn hardware_rssi(&self, index: u32) -> bool {
            index == 1
        }
    }

    fn output(output_type: OutputType, range: [i32; 2]) -> OutputDefinition {
        OutputDefinition::new(output_type, StepRange::from(range))
    }

    fn input(
        input_type: InputType,
        range: [i32; 2],
        commands: &[InputCommandType],
    ) -> InputDefinition {
        InputDefinition {
            input_type,
            value: vec![StepRange::from(range)],
            commands: commands.to_vec(),
        }
    }

    fn feature(
        index: u32,
        outputs: Vec<OutputDefinition>,
        inputs: Vec<InputDefinition>,
    ) -> FeatureDefinition {
        FeatureDefinition {
            index,
            id: format!("f{index}"),
            description: String::new(),
            outputs,
            inputs,
            alt_protocol_index: None,
        }
    }

    fn device(index: u32, protocol: &str, features: Vec<FeatureDefinition>) -> ServerDevice {
        let definition = DeviceDefinition {
            protocol: protocol.into(),
            identifier: None,
            id: "test".into(),
            name: format!("device {index}"),
            display_name: None,
            protocol_variant: None,
            message_gap_ms: None,
            features,
        };
        // No task behind it: the translation never talks to the device.
        let (requests, _) = async_channel::bounded(1);
        ServerDevice::new(
            index,
            "addr".into(),
            Arc::new(definition),
            requests,
            0,
            Vec::new(),
            None,
        )
    }

    /// Device 0, a Lovense-protocol device with one of everything:
    ///
    /// | feature | output / input |
    /// |---|---|
    /// | 0 | Vibrate 0–20 |
    /// | 1 | Vibrate 0–20, user range 5–15 (client 0–10) |
    /// | 2 | Rotate −20–20 |
    /// | 3 | HwPositionWithDuration 0–99, duration 0–10000 |
    /// | 4 | Constrict 0–3 |
    /// | 5 | Oscillate 0–10 |
    /// | 6 | Battery 0–100, read |
    /// | 7 | RSSI −100–0, read |
    /// | 8 | Button 0–1, subscribe |
    ///
    /// Index spaces: vibrate [0, 1]; scalar [0 Vibrate, 1 Vibrate, 2 Rotate, 4 Constrict,
    /// 5 Oscillate]; rotate [2]; linear [3]; sensor read [6 Battery, 7 RSSI]; sensor subscribe
    /// [8 Button].
    fn full() -> ServerDevice {
        use InputCommandType::{Read, Subscribe};
        let mut narrowed = output(OutputType::Vibrate, [0, 20]);
        narrowed.user_range = Some(StepRange::new(5, 15));
        let mut stroke = output(OutputType::HwPositionWithDuration, [0, 99]);
        stroke.duration = Some(StepRange::new(0, 10000));
        device(
            0,
            "lovense",
            vec![
                feature(0, vec![output(OutputType::Vibrate, [0, 20])], vec![]),
                feature(1, vec![narrowed], vec![]),
                feature(2, vec![output(OutputType::Rotate, [-20, 20])], vec![]),
                feature(3, vec![stroke], vec![]),
                feature(4, vec![output(OutputType::Constrict, [0, 3])], vec![]),
                feature(5, vec![output(OutputType::Oscillate, [0, 10])], vec![]),
                feature(
                    6,
                    vec![],
                    vec![input(InputType::Battery, [0, 100], &[Read])],
                ),
                feature(7, vec![], vec![input(InputType::Rssi, [-100, 0], &[Read])]),
                feature(
                    8,
                    vec![],
                    vec![input(InputType::Button, [0, 1], &[Subscribe])],
                ),
            ],
        )
    }

    /// Device 1: one vibrator (0–10), not Lovense; its transport reports RSSI.
    fn one_vibrator() -> ServerDevice {
        device(
            1,
            "test",
            vec![feature(
                0,
                vec![output(OutputType::Vibrate, [0, 10])],
                vec![],
            )],
        )
    }

    /// Device 2: a battery and nothing else.
    fn battery_only() -> ServerDevice {
        device(
            2,
            "test",
            vec![feature(
                0,
                vec![],
                vec![input(
                    InputType::Battery,
                    [0, 100],
                    &[InputCommandType::Read],
                )],
            )],
        )
    }

    fn devices() -> Devices {
        Devices(vec![full(), one_vibrator(), battery_only()])
    }

    fn msg(version: SpecVersion, json: &str) -> ClientMessage {
        parse_client_frame(&format!("[{json}]"), version)
            .remove(0)
            .unwrap()
    }

    fn run_with(
        allow_raw: bool,
        version: SpecVersion,
        json: &str,
    ) -> Result<Command, TranslateError> {
        let context = Context { version, allow_raw };
        translate(context, &devices(), msg(version, json))
    }

    fn run(version: SpecVersion, json: &str) -> Result<Command, TranslateError> {
        run_with(true, version, json)
    }

    /// The `Error` reply's code and text.
    fn fails(version: SpecVersion, json: &str) -> (ErrorCode, String) {
        let e = run(version, json).unwrap_err();
        (e.code(), e.to_string())
    }

    fn cmd(
        feature_index: u32,
        output_type: OutputType,
        value: i32,
        duration_ms: u32,
    ) -> OutputCommand {
        OutputCommand {
            feature_index,
            output_type,
            value,
            duration_ms,
        }
    }

    fn on(device: ServerDevice, commands: Vec<OutputCommand>) -> Command {
        Command::Outputs { device, commands }
    }

    use OutputType::{Constrict, HwPositionWithDuration as Hw, Oscillate, Rotate, Vibrate};
    use SpecVersion::{V0, V1, V2, V3, V4};

    fn no_device(index: u32) -> (ErrorCode, String) {
        (ErrorCode::Device, format!("no device with index {index}"))
    }

    fn no_feature(device: u32, feature: u32) -> (ErrorCode, String) {
        (
            ErrorCode::Device,
            format!("device {device} has no feature {feature}"),
        )
    }

    fn not_on(device: u32, feature: u32, what: &str) -> (ErrorCode, String) {
        (
            ErrorCode::Device,
            format!("feature {feature} of device {device} has no {what}"),
        )
    }

    fn out_of_range(feature: u32, value: i64, min: i32, max: i32) -> (ErrorCode, String) {
        (
            ErrorCode::Device,
            format!("value {value} is outside the range [{min}, {max}] of feature {feature}"),
        )
    }

    #[test]
    fn messages_without_a_device() {
        for v in [V0, V1, V2, V3, V4] {
            assert_eq!(run(v, r#"{"Ping":{"Id":1}}"#).unwrap(), Command::Ack);
            assert_eq!(
                run(v, r#"{"StartScanning":{"Id":1}}"#).unwrap(),
                Command::StartScanning
            );
            assert_eq!(
                run(v, r#"{"StopScanning":{"Id":1}}"#).unwrap(),
                Command::StopScanning
            );
            assert_eq!(
                run(v, r#"{"RequestDeviceList":{"Id":1}}"#).unwrap(),
                Command::DeviceList
            );
        }
        for v in [V0, V1, V2] {
            assert_eq!(
                run(v, r#"{"RequestLog":{"Id":1,"LogLevel":"Debug"}}"#).unwrap(),
                Command::Ack
            );
        }
        for v in [V0, V1] {
            assert_eq!(
                run(v, r#"{"Test":{"Id":1,"TestString":"hello"}}"#).unwrap(),
                Command::Test("hello".into())
            );
            assert_eq!(
                fails(v, r#"{"Test":{"Id":1,"TestString":"Error"}}"#),
                (ErrorCode::Msg, "Test asked for an error".into())
            );
        }
        assert_eq!(
            run(V4, r#"{"Disconnect":{"Id":1}}"#).unwrap(),
            Command::Disconnect
        );
        let again = [
            (V0, r#"{"RequestServerInfo":{"Id":1,"ClientName":"c"}}"#),
            (
                V1,
                r#"{"RequestServerInfo":{"Id":1,"ClientName":"c","MessageVersion":1}}"#,
            ),
            (
                V2,
                r#"{"RequestServerInfo":{"Id":1,"ClientName":"c","MessageVersion":2}}"#,
            ),
            (
                V3,
                r#"{"RequestServerInfo":{"Id":1,"ClientName":"c","MessageVersion":3}}"#,
            ),
            (
                V4,
                r#"{"RequestServerInfo":{"Id":1,"ClientName":"c","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}"#,
            ),
        ];
        for (v, json) in again {
            assert_eq!(
                fails(v, json),
                (ErrorCode::Init, "handshake already happened".into())
            );
        }
    }

    #[test]
    fn stops() {
        let all = Command::Stop {
            device: None,
            feature: None,
            outputs: true,
            inputs: true,
        };
        let device_1 = Command::Stop {
            device: Some(1),
            feature: None,
            outputs: true,
            inputs: true,
        };
        for v in [V0, V1, V2, V3] {
            assert_eq!(run(v, r#"{"StopAllDevices":{"Id":1}}"#).unwrap(), all);
            assert_eq!(
                run(v, r#"{"StopDeviceCmd":{"Id":1,"DeviceIndex":1}}"#).unwrap(),
                device_1
            );
            assert_eq!(
                fails(v, r#"{"StopDeviceCmd":{"Id":1,"DeviceIndex":7}}"#),
                no_device(7)
            );
        }
        assert_eq!(run(V4, r#"{"StopCmd":{"Id":1}}"#).unwrap(), all);
        assert_eq!(
            run(
                V4,
                r#"{"StopCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":3,"Outputs":true,"Inputs":false}}"#
            )
            .unwrap(),
            Command::Stop {
                device: Some(0),
                feature: Some(3),
                outputs: true,
                inputs: false,
            }
        );
        // The codec rejects this too; a message that gets here anyway is refused the same way.
        let m = ClientMessage::V4(v4::ClientMessageV4::StopCmd(v4::StopCmdV4 {
            id: 1,
            device_index: None,
            feature_index: Some(3),
            outputs: true,
            inputs: true,
        }));
        let context = Context {
            version: V4,
            allow_raw: false,
        };
        let e = translate(context, &devices(), m).unwrap_err();
        assert_eq!(
            (e.code(), e.to_string()),
            (
                ErrorCode::Msg,
                "StopCmd with FeatureIndex needs a DeviceIndex".into()
            )
        );
        assert_eq!(
            fails(V4, r#"{"StopCmd":{"Id":1,"DeviceIndex":9}}"#),
            no_device(9)
        );
    }

    #[test]
    fn v4_output_is_one_checked_command() {
        assert_eq!(
            run(
                V4,
                r#"{"OutputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":1,"Command":{"Vibrate":{"Value":4}}}}"#
            )
            .unwrap(),
            // Client 4 under the user range 5–15 is hardware 9.
            Command::Output {
                device: full(),
                command: cmd(1, Vibrate, 9, 0),
            }
        );
        assert_eq!(
            run(
                V4,
                r#"{"OutputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":3,"Command":{"HwPositionWithDuration":{"Value":80,"Duration":300}}}}"#
            )
            .unwrap(),
            Command::Output {
                device: full(),
                command: cmd(3, Hw, 80, 300),
            }
        );
        assert_eq!(
            fails(
                V4,
                r#"{"OutputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":1,"Command":{"Vibrate":{"Value":11}}}}"#
            ),
            out_of_range(1, 11, 0, 10)
        );
        assert_eq!(
            fails(
                V4,
                r#"{"OutputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":9,"Command":{"Vibrate":{"Value":1}}}}"#
            ),
            no_feature(0, 9)
        );
        assert_eq!(
            fails(
                V4,
                r#"{"OutputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Rotate":{"Value":1}}}}"#
            ),
            not_on(0, 0, "Rotate")
        );
        assert_eq!(
            fails(
                V4,
                r#"{"OutputCmd":{"Id":1,"DeviceIndex":5,"FeatureIndex":0,"Command":{"Vibrate":{"Value":1}}}}"#
            ),
            no_device(5)
        );
    }

    #[test]
    fn v4_inputs() {
        assert_eq!(
            run(
                V4,
                r#"{"InputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":6,"Type":"Battery","Command":"Read"}}"#
            )
            .unwrap(),
            Command::Read {
                device: full(),
                feature: 6,
                input: InputType::Battery,
                shape: ReadShape::V4,
            }
        );
        for (command, subscribe) in [("Subscribe", true), ("Unsubscribe", false)] {
            let json = format!(
                r#"{{"InputCmd":{{"Id":1,"DeviceIndex":0,"FeatureIndex":8,"Type":"Button","Command":"{command}"}}}}"#
            );
            assert_eq!(
                run(V4, &json).unwrap(),
                Command::Subscribe {
                    device: full(),
                    feature: 8,
                    input: InputType::Button,
                    subscribe,
                    shape: ReadingShape::V4,
                }
            );
        }
        // Whether the feature has that input is the device task's check (as before).
        assert_eq!(
            fails(
                V4,
                r#"{"InputCmd":{"Id":1,"DeviceIndex":3,"FeatureIndex":6,"Type":"Battery","Command":"Read"}}"#
            ),
            no_device(3)
        );
    }

    #[test]
    fn single_motor_vibrate_sets_every_vibrator() {
        for v in [V0, V1] {
            assert_eq!(
                run(
                    v,
                    r#"{"SingleMotorVibrateCmd":{"Id":1,"DeviceIndex":0,"Speed":0.5}}"#
                )
                .unwrap(),
                // ceil(20 × 0.5) = 10; ceil(10 × 0.5) = 5 → hardware 5 + 5.
                on(full(), vec![cmd(0, Vibrate, 10, 0), cmd(1, Vibrate, 10, 0)])
            );
            assert_eq!(
                run(
                    v,
                    r#"{"SingleMotorVibrateCmd":{"Id":1,"DeviceIndex":0,"Speed":0.0}}"#
                )
                .unwrap(),
                on(full(), vec![cmd(0, Vibrate, 0, 0), cmd(1, Vibrate, 0, 0)])
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"SingleMotorVibrateCmd":{"Id":1,"DeviceIndex":2,"Speed":0.5}}"#
                ),
                not_on(2, 0, "vibrate")
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"SingleMotorVibrateCmd":{"Id":1,"DeviceIndex":4,"Speed":0.5}}"#
                ),
                no_device(4)
            );
        }
    }

    #[test]
    fn vibrate_cmd_addresses_the_vibrate_index_space() {
        for v in [V1, V2, V3] {
            assert_eq!(
                run(
                    v,
                    r#"{"VibrateCmd":{"Id":1,"DeviceIndex":0,"Speeds":[{"Index":1,"Speed":0.25},{"Index":0,"Speed":1.0}]}}"#
                )
                .unwrap(),
                // Message order; ceil(10 × 0.25) = 3 → hardware 8; ceil(20 × 1) = 20.
                on(full(), vec![cmd(1, Vibrate, 8, 0), cmd(0, Vibrate, 20, 0)])
            );
            // The first bad entry is the one reported. (Speeds outside 0..=1 never get here:
            // the codec rejects them.)
            assert_eq!(
                fails(
                    v,
                    r#"{"VibrateCmd":{"Id":1,"DeviceIndex":0,"Speeds":[{"Index":0,"Speed":0.5},{"Index":5,"Speed":0.5},{"Index":2,"Speed":0.5}]}}"#
                ),
                no_feature(0, 5)
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"VibrateCmd":{"Id":1,"DeviceIndex":1,"Speeds":[{"Index":1,"Speed":0.5}]}}"#
                ),
                no_feature(1, 1)
            );
        }
    }

    #[test]
    fn scalar_cmd_addresses_the_scalar_index_space() {
        assert_eq!(
            run(
                V3,
                r#"{"ScalarCmd":{"Id":1,"DeviceIndex":0,"Scalars":[
                    {"Index":0,"Scalar":0.1,"ActuatorType":"Vibrate"},
                    {"Index":2,"Scalar":0.5,"ActuatorType":"Rotate"},
                    {"Index":3,"Scalar":1.0,"ActuatorType":"Constrict"},
                    {"Index":4,"Scalar":0.35,"ActuatorType":"Oscillate"}]}}"#
            )
            .unwrap(),
            on(
                full(),
                vec![
                    cmd(0, Vibrate, 2, 0),
                    cmd(2, Rotate, 10, 0),
                    cmd(4, Constrict, 3, 0),
                    cmd(5, Oscillate, 4, 0),
                ]
            )
        );
        // Index 3 is the Constrict output: Vibrate is not there.
        assert_eq!(
            fails(
                V3,
                r#"{"ScalarCmd":{"Id":1,"DeviceIndex":0,"Scalars":[{"Index":3,"Scalar":0.5,"ActuatorType":"Vibrate"}]}}"#
            ),
            not_on(0, 3, "Vibrate")
        );
        assert_eq!(
            fails(
                V3,
                r#"{"ScalarCmd":{"Id":1,"DeviceIndex":0,"Scalars":[{"Index":5,"Scalar":0.5,"ActuatorType":"Vibrate"}]}}"#
            ),
            no_feature(0, 5)
        );
    }

    #[test]
    fn rotate_cmd_addresses_the_bidirectional_rotators() {
        for v in [V1, V2, V3] {
            assert_eq!(
                run(
                    v,
                    r#"{"RotateCmd":{"Id":1,"DeviceIndex":0,"Rotations":[{"Index":0,"Speed":0.5,"Clockwise":false}]}}"#
                )
                .unwrap(),
                on(full(), vec![cmd(2, Rotate, -10, 0)])
            );
            assert_eq!(
                run(
                    v,
                    r#"{"RotateCmd":{"Id":1,"DeviceIndex":0,"Rotations":[{"Index":0,"Speed":0.01,"Clockwise":true}]}}"#
                )
                .unwrap(),
                on(full(), vec![cmd(2, Rotate, 1, 0)])
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"RotateCmd":{"Id":1,"DeviceIndex":0,"Rotations":[{"Index":1,"Speed":0.5,"Clockwise":true}]}}"#
                ),
                no_feature(0, 1)
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"RotateCmd":{"Id":1,"DeviceIndex":1,"Rotations":[{"Index":0,"Speed":0.5,"Clockwise":true}]}}"#
                ),
                no_feature(1, 0)
            );
        }
    }

    #[test]
    fn linear_cmd_addresses_the_position_outputs() {
        for v in [V1, V2, V3] {
            assert_eq!(
                run(
                    v,
                    r#"{"LinearCmd":{"Id":1,"DeviceIndex":0,"Vectors":[{"Index":0,"Duration":500,"Position":0.999}]}}"#
                )
                .unwrap(),
                // Positions truncate: floor(99 × 0.999) = 98.
                on(full(), vec![cmd(3, Hw, 98, 500)])
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"LinearCmd":{"Id":1,"DeviceIndex":0,"Vectors":[{"Index":0,"Duration":20000,"Position":0.5}]}}"#
                ),
                out_of_range(3, 20000, 0, 10000)
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"LinearCmd":{"Id":1,"DeviceIndex":0,"Vectors":[{"Index":1,"Duration":100,"Position":0.5}]}}"#
                ),
                no_feature(0, 1)
            );
        }
    }

    #[test]
    fn empty_lists_change_nothing() {
        // The codec rejects empty lists; a message that gets here anyway is answered `Ok` with
        // nothing sent.
        let m = ClientMessage::V3(v3::ClientMessageV3::VibrateCmd(v1::VibrateCmdV1 {
            id: 1,
            device_index: 0,
            speeds: vec![],
        }));
        let context = Context {
            version: V3,
            allow_raw: false,
        };
        assert_eq!(
            translate(context, &devices(), m).unwrap(),
            on(full(), vec![])
        );
    }

    #[test]
    fn fleshlight_launch_waits_for_the_last_position() {
        for v in [V0, V1] {
            let launch = run(
                v,
                r#"{"FleshlightLaunchFW12Cmd":{"Id":1,"DeviceIndex":0,"Position":50,"Speed":40}}"#,
            )
            .unwrap();
            let expected = Launch {
                feature: 3,
                position: 50,
                target: 50,
                max: 99,
                speed: 40,
            };
            assert_eq!(
                launch,
                Command::LegacyLaunch {
                    device: full(),
                    launch: expected,
                }
            );
            let duration = |from: i32| legacy::launch_duration(from, 50, 99, 40);
            assert_eq!(
                resolve_launch(&full(), &expected, None).unwrap(),
                cmd(3, Hw, 50, duration(0))
            );
            assert_eq!(
                resolve_launch(&full(), &expected, Some(90)).unwrap(),
                cmd(3, Hw, 50, duration(90))
            );
            assert_ne!(duration(0), duration(40));
            assert_eq!(
                fails(
                    v,
                    r#"{"FleshlightLaunchFW12Cmd":{"Id":1,"DeviceIndex":1,"Position":50,"Speed":40}}"#
                ),
                not_on(1, 0, "FleshlightLaunchFW12Cmd (no position output)")
            );
        }
    }

    #[test]
    fn vorze_turns_the_first_rotator() {
        for v in [V0, V1] {
            assert_eq!(
                run(
                    v,
                    r#"{"VorzeA10CycloneCmd":{"Id":1,"DeviceIndex":0,"Speed":99,"Clockwise":false}}"#
                )
                .unwrap(),
                on(full(), vec![cmd(2, Rotate, -20, 0)])
            );
            assert_eq!(
                fails(
                    v,
                    r#"{"VorzeA10CycloneCmd":{"Id":1,"DeviceIndex":1,"Speed":50,"Clockwise":true}}"#
                ),
                not_on(1, 0, "VorzeA10CycloneCmd (no bidirectional rotation)")
            );
        }
    }

    #[test]
    fn kiiroo_strokes_or_vibrates() {
        for v in [V0, V1] {
            assert_eq!(
                run(v, r#"{"KiirooCmd":{"Id":1,"DeviceIndex":0,"Command":"3"}}"#).unwrap(),
                // floor(99 × 0.75) = 74, over the legacy move time.
                on(full(), vec![cmd(3, Hw, 74, legacy::LEGACY_MOVE_MS)])
            );
            assert_eq!(
                run(v, r#"{"KiirooCmd":{"Id":1,"DeviceIndex":1,"Command":"1"}}"#).unwrap(),
                // No position output: every vibrator, ceil(10 × 0.25) = 3.
                on(one_vibrator(), vec![cmd(0, Vibrate, 3, 0)])
            );
            assert_eq!(
                fails(v, r#"{"KiirooCmd":{"Id":1,"DeviceIndex":0,"Command":"5"}}"#),
                (
                    ErrorCode::Msg,
                    "KiirooCmd Command must be \"0\" to \"4\"".into()
                )
            );
            // The device is looked up before the command is read.
            assert_eq!(
                fails(v, r#"{"KiirooCmd":{"Id":1,"DeviceIndex":6,"Command":"5"}}"#),
                no_device(6)
            );
            assert_eq!(
                fails(v, r#"{"KiirooCmd":{"Id":1,"DeviceIndex":2,"Command":"2"}}"#),
                not_on(2, 0, "KiirooCmd (no position or vibrate output)")
            );
        }
    }

    #[test]
    fn lovense_commands_on_lovense_devices() {
        let lovense = |command: &str| {
            run(
                V1,
                &format!(r#"{{"LovenseCmd":{{"Id":1,"DeviceIndex":0,"Command":"{command}"}}}}"#),
            )
        };
        assert_eq!(
            lovense("Vibrate:7;").unwrap(),
            on(full(), vec![cmd(0, Vibrate, 7, 0), cmd(1, Vibrate, 12, 0)])
        );
        assert_eq!(
            lovense("Vibrate2:3;").unwrap(),
            on(full(), vec![cmd(1, Vibrate, 8, 0)])
        );
        assert_eq!(
            lovense("Rotate:4;").unwrap(),
            on(full(), vec![cmd(2, Rotate, 4, 0)])
        );
        assert_eq!(
            lovense("AirAuto:2;").unwrap(),
            on(full(), vec![cmd(4, Constrict, 2, 0)])
        );
        let e = lovense("Vibrate3:3;").unwrap_err();
        assert_eq!(
            (e.code(), e.to_string()),
            not_on(0, 0, "LovenseCmd \"Vibrate3:3;\"")
        );
        let e = lovense("Vibrate:11;").unwrap_err();
        assert_eq!((e.code(), e.to_string()), out_of_range(1, 11, 0, 10));
        let e = lovense("Dance;").unwrap_err();
        assert_eq!(
            (e.code(), e.to_string()),
            not_on(0, 0, "LovenseCmd \"Dance;\"")
        );
        assert_eq!(
            fails(
                V0,
                r#"{"LovenseCmd":{"Id":1,"DeviceIndex":1,"Command":"Vibrate:1;"}}"#
            ),
            not_on(1, 0, "LovenseCmd \"Vibrate:1;\"")
        );
    }

    #[test]
    fn v2_level_reads() {
        assert_eq!(
            run(V2, r#"{"BatteryLevelCmd":{"Id":1,"DeviceIndex":0}}"#).unwrap(),
            Command::Read {
                device: full(),
                feature: 6,
                input: InputType::Battery,
                shape: ReadShape::BatteryV2,
            }
        );
        assert_eq!(
            run(V2, r#"{"RSSILevelCmd":{"Id":1,"DeviceIndex":0}}"#).unwrap(),
            Command::Read {
                device: full(),
                feature: 7,
                input: InputType::Rssi,
                shape: ReadShape::RssiV2,
            }
        );
        // No RSSI input, but the transport reports it.
        assert_eq!(
            run(V2, r#"{"RSSILevelCmd":{"Id":1,"DeviceIndex":1}}"#).unwrap(),
            Command::HardwareRssi { device: 1 }
        );
        assert_eq!(
            fails(V2, r#"{"RSSILevelCmd":{"Id":1,"DeviceIndex":2}}"#),
            not_on(2, 0, "Rssi")
        );
        assert_eq!(
            fails(V2, r#"{"BatteryLevelCmd":{"Id":1,"DeviceIndex":1}}"#),
            not_on(1, 0, "Battery")
        );
        assert_eq!(
            fails(V2, r#"{"BatteryLevelCmd":{"Id":1,"DeviceIndex":8}}"#),
            no_device(8)
        );
    }

    #[test]
    fn v3_sensors_address_their_index_spaces() {
        assert_eq!(
            run(
                V3,
                r#"{"SensorReadCmd":{"Id":1,"DeviceIndex":0,"SensorIndex":1,"SensorType":"RSSI"}}"#
            )
            .unwrap(),
            Command::Read {
                device: full(),
                feature: 7,
                input: InputType::Rssi,
                shape: ReadShape::V3 {
                    sensor_index: 1,
                    sensor_type: SensorTypeV3::Rssi,
                },
            }
        );
        assert_eq!(
            fails(
                V3,
                r#"{"SensorReadCmd":{"Id":1,"DeviceIndex":0,"SensorIndex":1,"SensorType":"Battery"}}"#
            ),
            not_on(0, 1, "sensor 1 of type Battery")
        );
        assert_eq!(
            fails(
                V3,
                r#"{"SensorReadCmd":{"Id":1,"DeviceIndex":0,"SensorIndex":2,"SensorType":"Button"}}"#
            ),
            not_on(0, 2, "sensor 2 of type Button")
        );
        for (name, subscribe) in [
            ("SensorSubscribeCmd", true),
            ("SensorUnsubscribeCmd", false),
        ] {
            let json = format!(
                r#"{{"{name}":{{"Id":1,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Button"}}}}"#
            );
            assert_eq!(
                run(V3, &json).unwrap(),
                Command::Subscribe {
                    device: full(),
                    feature: 8,
                    input: InputType::Button,
                    subscribe,
                    shape: ReadingShape::V3 {
                        sensor_index: 0,
                        sensor_type: SensorTypeV3::Button,
                    },
                }
            );
            // Battery is readable, not subscribable: not in this index space.
            let json = format!(
                r#"{{"{name}":{{"Id":1,"DeviceIndex":2,"SensorIndex":0,"SensorType":"Battery"}}}}"#
            );
            assert_eq!(fails(V3, &json), not_on(2, 0, "sensor 0 of type Battery"));
        }
    }

    #[test]
    fn raw_commands() {
        for v in [V2, V3] {
            assert_eq!(
                run(
                    v,
                    r#"{"RawWriteCmd":{"Id":1,"DeviceIndex":1,"Endpoint":"tx","Data":[1,2],"WriteWithResponse":true}}"#
                )
                .unwrap(),
                Command::Raw {
                    device: one_vibrator(),
                    command: RawCommand::Write {
                        endpoint: Endpoint::Tx,
                        data: vec![1, 2],
                        write_with_response: true,
                    },
                }
            );
            for (wait, timeout) in [
                (true, Duration::from_secs(5)),
                (false, Duration::from_millis(500)),
            ] {
                let json = format!(
                    r#"{{"RawReadCmd":{{"Id":1,"DeviceIndex":1,"Endpoint":"rx","Length":4,"WaitForData":{wait}}}}}"#
                );
                assert_eq!(
                    run(v, &json).unwrap(),
                    Command::Raw {
                        device: one_vibrator(),
                        command: RawCommand::Read {
                            endpoint: Endpoint::Rx,
                            length: 4,
                            timeout,
                        },
                    }
                );
            }
            assert_eq!(
                run(
                    v,
                    r#"{"RawSubscribeCmd":{"Id":1,"DeviceIndex":1,"Endpoint":"rx"}}"#
                )
                .unwrap(),
                Command::Raw {
                    device: one_vibrator(),
                    command: RawCommand::Subscribe {
                        endpoint: Endpoint::Rx
                    },
                }
            );
            assert_eq!(
                run(
                    v,
                    r#"{"RawUnsubscribeCmd":{"Id":1,"DeviceIndex":1,"Endpoint":"rx"}}"#
                )
                .unwrap(),
                Command::Raw {
                    device: one_vibrator(),
                    command: RawCommand::Unsubscribe {
                        endpoint: Endpoint::Rx
                    },
                }
            );
            let e = run(
                v,
                r#"{"RawSubscribeCmd":{"Id":1,"DeviceIndex":1,"Endpoint":"nowhere"}}"#,
            )
            .unwrap_err();
            assert_eq!(e.code(), ErrorCode::Device);
            assert_eq!(
                e.to_string(),
                "nowhere".parse::<Endpoint>().unwrap_err().to_string()
            );
            let e = run_with(
                false,
                v,
                r#"{"RawSubscribeCmd":{"Id":1,"DeviceIndex":1,"Endpoint":"nowhere"}}"#,
            )
            .unwrap_err();
            assert_eq!(
                (e.code(), e.to_string()),
                (
                    ErrorCode::Msg,
                    "raw commands are not enabled on this server".into()
                )
            );
            // The device is looked up first.
            let e = run_with(
                false,
                v,
                r#"{"RawSubscribeCmd":{"Id":1,"DeviceIndex":5,"Endpoint":"rx"}}"#,
            )
            .unwrap_err();
            assert_eq!((e.code(), e.to_string()), no_device(5));
        }
    }
}

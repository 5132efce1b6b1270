//! Device handles: outputs, inputs, raw access, stop; and the translation of one device command
//! into the messages of the connection's spec version.

use crate::error::{ClientError, Result};
use crate::session::{DeviceEntry, Shared};
use buttplug_core::v0::StopDeviceCmdV0;
use buttplug_core::v1::{LinearCmdV1, RotateCmdV1, RotationSubcommandV1, VectorSubcommandV1};
use buttplug_core::v2::{RawReadCmdV2, RawSubscribeCmdV2, RawUnsubscribeCmdV2, RawWriteCmdV2};
use buttplug_core::v3::{
    ClientMessageV3, ScalarCmdV3, ScalarSubcommandV3, SensorReadCmdV3, SensorSubscribeCmdV3,
    SensorTypeV3, SensorUnsubscribeCmdV3, ServerMessageV3,
};
use buttplug_core::v4::{
    ClientMessageV4, InputCmdV4, OutputCmdV4, OutputCommandV4, ServerMessageV4, StopCmdV4,
};
use buttplug_core::{
    ClientMessage, DeviceInfo, FeatureInfo, InputCommandType, InputType, OutputInfo, OutputType,
    ServerMessage, SpecVersion, StepRange,
};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How strong an output should be: in the feature's own steps, or as a fraction of its range.
///
/// A fraction `f` becomes `ceil(f × max)` steps for `f ≥ 0` (and `-ceil(|f| × |min|)` for
/// negative `f` on signed outputs), as the reference client computes it, so any non-zero fraction
/// turns the output on. Fractions must lie in `0.0..=1.0`, or `-1.0..=1.0` when the feature's
/// range is signed (bidirectional rotation, heating/cooling).
///
/// `f64` and `f32` convert into [`Level::Fraction`]; steps are always spelled out
/// (`Level::Steps(10)`) so that `1` and `1.0` cannot be confused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    /// A step value inside the feature's range.
    Steps(i32),
    /// A fraction of the feature's range.
    Fraction(f64),
}

impl From<f64> for Level {
    fn from(f: f64) -> Self {
        Level::Fraction(f)
    }
}

impl From<f32> for Level {
    fn from(f: f32) -> Self {
        Level::Fraction(f64::from(f))
    }
}

/// One output command, applied to one feature or to every feature that has the output type.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum OutputCommand {
    /// Vibration.
    Vibrate(Level),
    /// Rotation; a negative level turns counter-clockwise where the range is signed.
    Rotate(Level),
    /// Oscillation.
    Oscillate(Level),
    /// Constriction / suction.
    Constrict(Level),
    /// Spray.
    Spray(Level),
    /// Temperature; negative cools where the range is signed.
    Temperature(Level),
    /// Light.
    Led(Level),
    /// Move to a position as fast as possible.
    Position(Level),
    /// Move to a position over a duration.
    PositionWithDuration {
        /// Target position.
        position: Level,
        /// Movement time (whole milliseconds are sent).
        duration: Duration,
    },
}

impl OutputCommand {
    /// The output type this command drives.
    pub fn output_type(&self) -> OutputType {
        match self {
            OutputCommand::Vibrate(_) => OutputType::Vibrate,
            OutputCommand::Rotate(_) => OutputType::Rotate,
            OutputCommand::Oscillate(_) => OutputType::Oscillate,
            OutputCommand::Constrict(_) => OutputType::Constrict,
            OutputCommand::Spray(_) => OutputType::Spray,
            OutputCommand::Temperature(_) => OutputType::Temperature,
            OutputCommand::Led(_) => OutputType::Led,
            OutputCommand::Position(_) => OutputType::Position,
            OutputCommand::PositionWithDuration { .. } => OutputType::HwPositionWithDuration,
        }
    }

    /// The level.
    pub fn level(&self) -> Level {
        match self {
            OutputCommand::Vibrate(l)
            | OutputCommand::Rotate(l)
            | OutputCommand::Oscillate(l)
            | OutputCommand::Constrict(l)
            | OutputCommand::Spray(l)
            | OutputCommand::Temperature(l)
            | OutputCommand::Led(l)
            | OutputCommand::Position(l) => *l,
            OutputCommand::PositionWithDuration { position, .. } => *position,
        }
    }

    fn duration(&self) -> Option<Duration> {
        match self {
            OutputCommand::PositionWithDuration { duration, .. } => Some(*duration),
            _ => None,
        }
    }
}

/// A device on the server.
///
/// Handles are cheap to clone and stay valid after the device leaves: commands then fail with
/// [`ClientError::DeviceNotConnected`]. Every output command checks the value against the
/// feature's range before anything is sent.
#[derive(Clone)]
pub struct ButtplugClientDevice {
    shared: Arc<Shared>,
    entry: Arc<DeviceEntry>,
}

impl fmt::Debug for ButtplugClientDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ButtplugClientDevice")
            .field("index", &self.index())
            .field("name", &self.name())
            .field("connected", &self.connected())
            .finish()
    }
}

impl PartialEq for ButtplugClientDevice {
    /// The same device of the same connection.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.entry, &other.entry)
    }
}

impl ButtplugClientDevice {
    pub(crate) fn new(shared: Arc<Shared>, entry: Arc<DeviceEntry>) -> Self {
        ButtplugClientDevice { shared, entry }
    }

    /// The full description the server gave (features with ranges, timing gap...).
    pub fn info(&self) -> &DeviceInfo {
        &self.entry.info
    }

    /// Device index (the server's identifier for this device).
    pub fn index(&self) -> u32 {
        self.entry.info.index
    }

    /// Device name as the server's device database knows it.
    pub fn name(&self) -> &str {
        &self.entry.info.name
    }

    /// Name the user gave the device in the server's configuration, if any.
    pub fn display_name(&self) -> Option<&str> {
        self.entry.info.display_name.as_deref()
    }

    /// The smallest time between two commands the device handles; the server drops older
    /// commands sent faster than this and only sends the latest.
    pub fn message_timing_gap(&self) -> Duration {
        Duration::from_millis(u64::from(self.entry.info.message_timing_gap_ms))
    }

    /// Feature descriptions. At spec v3 they are synthesised from the v3 device shape (see
    /// [`DeviceInfo::from_v3`]).
    pub fn features(&self) -> &[FeatureInfo] {
        &self.entry.info.features
    }

    /// A handle for one feature.
    pub fn feature(&self, index: u32) -> Option<ClientDeviceFeature> {
        self.entry.info.feature(index).map(|_| ClientDeviceFeature {
            device: self.clone(),
            index,
        })
    }

    /// Whether the device is still connected to the server (and the client to the server).
    pub fn connected(&self) -> bool {
        self.entry.connected.load(Ordering::Acquire) && self.shared.connected()
    }

    /// Whether any feature has this output type.
    pub fn has_output(&self, output_type: OutputType) -> bool {
        self.features()
            .iter()
            .any(|f| f.output(output_type).is_some())
    }

    /// Whether any feature has this input type with this command.
    pub fn has_input(&self, input_type: InputType, command: InputCommandType) -> bool {
        !self.input_features(input_type, command).is_empty()
    }

    /// The features that have this output type.
    pub fn output_features(&self, output_type: OutputType) -> Vec<ClientDeviceFeature> {
        self.features()
            .iter()
            .filter(|f| f.output(output_type).is_some())
            .map(|f| ClientDeviceFeature {
                device: self.clone(),
                index: f.index,
            })
            .collect()
    }

    fn input_features(
        &self,
        input_type: InputType,
        command: InputCommandType,
    ) -> Vec<&FeatureInfo> {
        self.features()
            .iter()
            .filter(|f| f.input(input_type).is_some_and(|i| i.supports(command)))
            .collect()
    }

    fn check_connected(&self) -> Result<()> {
        if !self.shared.connected() {
            return Err(ClientError::NotConnected);
        }
        if !self.entry.connected.load(Ordering::Acquire) {
            return Err(ClientError::DeviceNotConnected {
                device_index: self.index(),
            });
        }
        Ok(())
    }

    /// Runs `command` on every feature that has its output type, in one go (one `OutputCmd` per
    /// feature at v4; one `ScalarCmd` / `RotateCmd` / `LinearCmd` at v3).
    ///
    /// # Errors
    ///
    /// [`ClientError::OutputNotSupported`] when no feature has the output type; the range errors
    /// ([`ClientError::StepsOutOfRange`], [`ClientError::FractionOutOfRange`],
    /// [`ClientError::DurationOutOfRange`]) before anything is sent; connection, timeout and
    /// server errors.
    pub async fn run_output(&self, command: OutputCommand) -> Result<()> {
        let output_type = command.output_type();
        let targets: Vec<(&FeatureInfo, &OutputInfo)> = self
            .features()
            .iter()
            .filter_map(|f| f.output(output_type).map(|o| (f, o)))
            .collect();
        if targets.is_empty() {
            return Err(ClientError::OutputNotSupported {
                device_index: self.index(),
                feature_index: None,
                output_type,
            });
        }
        self.run_planned(&targets, &command).await
    }

    async fn run_planned(
        &self,
        targets: &[(&FeatureInfo, &OutputInfo)],
        command: &OutputCommand,
    ) -> Result<()> {
        let planned = targets
            .iter()
            .map(|(f, o)| plan(self.index(), f, o, command))
            .collect::<Result<Vec<_>>>()?;
        self.check_connected()?;
        let messages = self.output_messages(&planned)?;
        self.shared.request_all_ok(messages).await
    }

    fn output_messages(&self, planned: &[Planned]) -> Result<Vec<ClientMessage>> {
        match self.shared.version {
            SpecVersion::V4 => Ok(planned
                .iter()
                .map(|p| {
                    let command = match p.duration_ms {
                        Some(ms) => OutputCommandV4::position_with_duration(p.steps, ms),
                        None => OutputCommandV4::new(p.output_type, p.steps),
                    };
                    v4(OutputCmdV4::new(0, self.index(), p.feature, command))
                })
                .collect()),
            version => self.v3_output_messages(planned, version),
        }
    }

    fn v3_output_messages(
        &self,
        planned: &[Planned],
        version: SpecVersion,
    ) -> Result<Vec<ClientMessage>> {
        let info = &self.entry.info;
        let scalar_space = info.v3_scalar_features();
        let rotate_space = info.v3_rotate_features();
        let linear_space = info.v3_linear_features();
        let position = |space: &[(u32, OutputType)], p: &Planned| {
            space
                .iter()
                .position(|e| *e == (p.feature, p.output_type))
                .and_then(|i| u32::try_from(i).ok())
        };
        let mut scalars = Vec::new();
        let mut rotations = Vec::new();
        let mut vectors = Vec::new();
        for p in planned {
            if let (Some(duration), Some(index)) = (p.duration_ms, position(&linear_space, p)) {
                vectors.push(VectorSubcommandV1 {
                    index,
                    duration,
                    position: p.unit,
                });
            } else if let Some(index) = position(&rotate_space, p) {
                rotations.push(RotationSubcommandV1 {
                    index,
                    speed: p.unit.abs(),
                    clockwise: p.steps >= 0,
                });
            } else if let Some(index) = position(&scalar_space, p) {
                if p.unit < 0.0 {
                    return Err(ClientError::NotSupported {
                        operation: "negative levels outside RotateCmd",
                        version,
                    });
                }
                scalars.push(ScalarSubcommandV3 {
                    index,
                    scalar: p.unit,
                    actuator_type: p.output_type,
                });
            } else {
                return Err(ClientError::OutputNotSupported {
                    device_index: self.index(),
                    feature_index: Some(p.feature),
                    output_type: p.output_type,
                });
            }
        }
        let device_index = self.index();
        let mut messages = Vec::new();
        if !scalars.is_empty() {
            messages.push(v3(ScalarCmdV3 {
                id: 0,
                device_index,
                scalars,
            }));
        }
        if !rotations.is_empty() {
            messages.push(v3(RotateCmdV1 {
                id: 0,
                device_index,
                rotations,
            }));
        }
        if !vectors.is_empty() {
            messages.push(v3(LinearCmdV1 {
                id: 0,
                device_index,
                vectors,
            }));
        }
        Ok(messages)
    }

    /// Vibrates every vibrator.
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn vibrate(&self, level: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Vibrate(level.into())).await
    }

    /// Rotates every rotator (a negative level turns counter-clockwise on signed ranges).
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn rotate(&self, level: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Rotate(level.into())).await
    }

    /// Rotates every rotator at `speed` (0..=1 or steps ≥ 0) in the given direction.
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`]; counter-clockwise needs a signed range.
    pub async fn rotate_with_direction(
        &self,
        speed: impl Into<Level>,
        clockwise: bool,
    ) -> Result<()> {
        let level = match speed.into() {
            Level::Steps(s) if !clockwise => Level::Steps(s.saturating_neg()),
            Level::Fraction(f) if !clockwise => Level::Fraction(-f),
            level => level,
        };
        self.rotate(level).await
    }

    /// Sets every oscillator.
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn oscillate(&self, level: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Oscillate(level.into()))
            .await
    }

    /// Sets every constrictor / pump.
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn constrict(&self, level: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Constrict(level.into()))
            .await
    }

    /// Sets every sprayer.
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn spray(&self, level: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Spray(level.into())).await
    }

    /// Sets every temperature output (negative cools on signed ranges).
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn temperature(&self, level: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Temperature(level.into()))
            .await
    }

    /// Sets every light.
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn led(&self, level: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Led(level.into())).await
    }

    /// Moves every `Position` output as fast as it can.
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn position(&self, position: impl Into<Level>) -> Result<()> {
        self.run_output(OutputCommand::Position(position.into()))
            .await
    }

    /// Moves every `HwPositionWithDuration` output to `position` over `duration`
    /// (`LinearCmd` at spec v3).
    ///
    /// # Errors
    ///
    /// See [`ButtplugClientDevice::run_output`].
    pub async fn position_with_duration(
        &self,
        position: impl Into<Level>,
        duration: Duration,
    ) -> Result<()> {
        self.run_output(OutputCommand::PositionWithDuration {
            position: position.into(),
            duration,
        })
        .await
    }

    /// Stops every output of the device and ends its input subscriptions (`StopCmd` for the
    /// device at v4, `StopDeviceCmd` at v3).
    ///
    /// # Errors
    ///
    /// Connection, timeout and server errors.
    pub async fn stop(&self) -> Result<()> {
        self.check_connected()?;
        let message = match self.shared.version {
            SpecVersion::V4 => v4(StopCmdV4::device(0, self.index())),
            _ => v3(StopDeviceCmdV0 {
                id: 0,
                device_index: self.index(),
            }),
        };
        self.shared.request_ok(message).await
    }

    fn single_input(&self, input_type: InputType, command: InputCommandType) -> Result<u32> {
        match self.input_features(input_type, command).as_slice() {
            [] => Err(ClientError::InputNotSupported {
                device_index: self.index(),
                feature_index: None,
                input_type,
                command,
            }),
            [one] => Ok(one.index),
            many => Err(ClientError::AmbiguousInput {
                device_index: self.index(),
                input_type,
                count: many.len(),
            }),
        }
    }

    fn first_input(&self, input_type: InputType) -> Result<u32> {
        self.input_features(input_type, InputCommandType::Read)
            .first()
            .map(|f| f.index)
            .ok_or(ClientError::InputNotSupported {
                device_index: self.index(),
                feature_index: None,
                input_type,
                command: InputCommandType::Read,
            })
    }

    /// Battery level in percent (0-100), from the first feature with a readable battery.
    ///
    /// # Errors
    ///
    /// [`ClientError::InputNotSupported`] without a battery; connection, timeout and server
    /// errors.
    pub async fn battery(&self) -> Result<u32> {
        let feature = self.first_input(InputType::Battery)?;
        let value = self.read_feature_input(feature, InputType::Battery).await?;
        Ok(u32::try_from(value.clamp(0, 100)).unwrap_or(0))
    }

    /// Signal strength in dBm (negative), from the first feature with a readable RSSI input.
    ///
    /// # Errors
    ///
    /// [`ClientError::InputNotSupported`] without one (no server reads RSSI today);
    /// connection, timeout and server errors.
    pub async fn rssi(&self) -> Result<i32> {
        let feature = self.first_input(InputType::Rssi)?;
        self.read_feature_input(feature, InputType::Rssi).await
    }

    /// Reads the one feature with a readable input of this type.
    ///
    /// # Errors
    ///
    /// [`ClientError::InputNotSupported`], [`ClientError::AmbiguousInput`] (use
    /// [`ClientDeviceFeature::read_input`]); connection, timeout and server errors.
    pub async fn read_input(&self, input_type: InputType) -> Result<i32> {
        let feature = self.single_input(input_type, InputCommandType::Read)?;
        self.read_feature_input(feature, input_type).await
    }

    /// Subscribes to the one feature with a subscribable input of this type; readings arrive as
    /// [`ButtplugClientEvent::InputReading`](crate::ButtplugClientEvent::InputReading).
    ///
    /// # Errors
    ///
    /// As [`ButtplugClientDevice::read_input`].
    pub async fn subscribe_input(&self, input_type: InputType) -> Result<()> {
        let feature = self.single_input(input_type, InputCommandType::Subscribe)?;
        self.input_subscription(feature, input_type, InputCommandType::Subscribe)
            .await
    }

    /// Ends the subscription started by [`ButtplugClientDevice::subscribe_input`].
    ///
    /// # Errors
    ///
    /// As [`ButtplugClientDevice::read_input`].
    pub async fn unsubscribe_input(&self, input_type: InputType) -> Result<()> {
        let feature = self.single_input(input_type, InputCommandType::Subscribe)?;
        self.input_subscription(feature, input_type, InputCommandType::Unsubscribe)
            .await
    }

    fn v3_sensor(
        &self,
        feature: u32,
        input_type: InputType,
        command: InputCommandType,
    ) -> Result<(u32, SensorTypeV3)> {
        let space = match command {
            InputCommandType::Read => self.entry.info.v3_sensor_features(),
            _ => self.entry.info.v3_sensor_subscribe_features(),
        };
        let index = space
            .iter()
            .position(|e| *e == (feature, input_type))
            .and_then(|i| u32::try_from(i).ok());
        match (index, SensorTypeV3::from_input_type(input_type)) {
            (Some(index), Some(sensor_type)) => Ok((index, sensor_type)),
            _ => Err(ClientError::InputNotSupported {
                device_index: self.index(),
                feature_index: Some(feature),
                input_type,
                command,
            }),
        }
    }

    async fn read_feature_input(&self, feature: u32, input_type: InputType) -> Result<i32> {
        self.check_connected()?;
        let device_index = self.index();
        match self.shared.version {
            SpecVersion::V4 => {
                let reply = self
                    .shared
                    .request(v4(InputCmdV4 {
                        id: 0,
                        device_index,
                        feature_index: feature,
                        input_type,
                        command: InputCommandType::Read,
                    }))
                    .await?;
                match reply {
                    ServerMessage::V4(ServerMessageV4::InputReading(r)) => Ok(r.reading.value()),
                    other => Err(unexpected("InputCmd", &other)),
                }
            }
            _ => {
                let (sensor_index, sensor_type) =
                    self.v3_sensor(feature, input_type, InputCommandType::Read)?;
                let reply = self
                    .shared
                    .request(v3(SensorReadCmdV3 {
                        id: 0,
                        device_index,
                        sensor_index,
                        sensor_type,
                    }))
                    .await?;
                match &reply {
                    ServerMessage::V3(ServerMessageV3::SensorReading(r)) => r
                        .data
                        .first()
                        .copied()
                        .ok_or_else(|| unexpected("SensorReadCmd", &reply)),
                    other => Err(unexpected("SensorReadCmd", other)),
                }
            }
        }
    }

    async fn input_subscription(
        &self,
        feature: u32,
        input_type: InputType,
        command: InputCommandType,
    ) -> Result<()> {
        self.check_connected()?;
        let device_index = self.index();
        let message = match self.shared.version {
            SpecVersion::V4 => v4(InputCmdV4 {
                id: 0,
                device_index,
                feature_index: feature,
                input_type,
                command,
            }),
            _ => {
                let (sensor_index, sensor_type) = self.v3_sensor(feature, input_type, command)?;
                if command == InputCommandType::Subscribe {
                    v3(SensorSubscribeCmdV3 {
                        id: 0,
                        device_index,
                        sensor_index,
                        sensor_type,
                    })
                } else {
                    v3(SensorUnsubscribeCmdV3 {
                        id: 0,
                        device_index,
                        sensor_index,
                        sensor_type,
                    })
                }
            }
        };
        self.shared.request_ok(message).await
    }

    fn check_raw(&self, operation: &'static str, endpoint: &str) -> Result<()> {
        if self.shared.version != SpecVersion::V3 {
            return Err(ClientError::NotSupported {
                operation,
                version: self.shared.version,
            });
        }
        let offered = self
            .entry
            .info
            .raw_endpoints
            .as_ref()
            .is_some_and(|e| e.iter().any(|e| e == endpoint));
        if !offered {
            return Err(ClientError::RawEndpointNotFound {
                device_index: self.index(),
                endpoint: endpoint.to_string(),
            });
        }
        self.check_connected()
    }

    /// Endpoints the server opens to raw commands for this device (spec v3 connections to
    /// servers started with raw access allowed; spec v4 has no raw messages).
    pub fn raw_endpoints(&self) -> &[String] {
        self.entry.info.raw_endpoints.as_deref().unwrap_or_default()
    }

    /// Writes bytes to an endpoint (`RawWriteCmd`; spec v3 only).
    ///
    /// # Errors
    ///
    /// [`ClientError::NotSupported`] at v4, [`ClientError::RawEndpointNotFound`]; connection,
    /// timeout and server errors.
    pub async fn raw_write(
        &self,
        endpoint: &str,
        data: &[u8],
        write_with_response: bool,
    ) -> Result<()> {
        self.check_raw("RawWriteCmd", endpoint)?;
        self.shared
            .request_ok(v3(RawWriteCmdV2 {
                id: 0,
                device_index: self.index(),
                endpoint: endpoint.to_string(),
                data: data.to_vec(),
                write_with_response,
            }))
            .await
    }

    /// Reads bytes from an endpoint (`RawReadCmd`; spec v3 only).
    ///
    /// # Errors
    ///
    /// As [`ButtplugClientDevice::raw_write`].
    pub async fn raw_read(
        &self,
        endpoint: &str,
        length: u32,
        wait_for_data: bool,
    ) -> Result<Vec<u8>> {
        self.check_raw("RawReadCmd", endpoint)?;
        let reply = self
            .shared
            .request(v3(RawReadCmdV2 {
                id: 0,
                device_index: self.index(),
                endpoint: endpoint.to_string(),
                length,
                wait_for_data,
            }))
            .await?;
        match reply {
            ServerMessage::V3(ServerMessageV3::RawReading(r)) => Ok(r.data),
            other => Err(unexpected("RawReadCmd", &other)),
        }
    }

    /// Subscribes to an endpoint's notifications (`RawSubscribeCmd`; spec v3 only); data arrives
    /// as [`ButtplugClientEvent::RawReading`](crate::ButtplugClientEvent::RawReading).
    ///
    /// # Errors
    ///
    /// As [`ButtplugClientDevice::raw_write`].
    pub async fn raw_subscribe(&self, endpoint: &str) -> Result<()> {
        self.check_raw("RawSubscribeCmd", endpoint)?;
        self.shared
            .request_ok(v3(RawSubscribeCmdV2 {
                id: 0,
                device_index: self.index(),
                endpoint: endpoint.to_string(),
            }))
            .await
    }

    /// Ends a raw subscription (`RawUnsubscribeCmd`; spec v3 only).
    ///
    /// # Errors
    ///
    /// As [`ButtplugClientDevice::raw_write`].
    pub async fn raw_unsubscribe(&self, endpoint: &str) -> Result<()> {
        self.check_raw("RawUnsubscribeCmd", endpoint)?;
        self.shared
            .request_ok(v3(RawUnsubscribeCmdV2 {
                id: 0,
                device_index: self.index(),
                endpoint: endpoint.to_string(),
            }))
            .await
    }
}

/// One feature of a device.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientDeviceFeature {
    device: ButtplugClientDevice,
    index: u32,
}

impl ClientDeviceFeature {
    /// Feature index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The device this feature belongs to.
    pub fn device(&self) -> &ButtplugClientDevice {
        &self.device
    }

    /// The feature's description (outputs with ranges, inputs with commands).
    pub fn info(&self) -> &FeatureInfo {
        // The feature existed when the handle was made and device descriptions never change.
        match self.device.entry.info.feature(self.index) {
            Some(f) => f,
            None => unreachable_feature(),
        }
    }

    /// Runs `command` on this feature.
    ///
    /// # Errors
    ///
    /// [`ClientError::OutputNotSupported`] when the feature lacks the output type; otherwise as
    /// [`ButtplugClientDevice::run_output`].
    pub async fn run_output(&self, command: OutputCommand) -> Result<()> {
        let info = self.info();
        let output_type = command.output_type();
        let Some(output) = info.output(output_type) else {
            return Err(ClientError::OutputNotSupported {
                device_index: self.device.index(),
                feature_index: Some(self.index),
                output_type,
            });
        };
        self.device.run_planned(&[(info, output)], &command).await
    }

    /// Stops this feature's outputs and input subscriptions (`StopCmd` with `FeatureIndex` at v4;
    /// at v3, which cannot stop one feature, a zero level for each of its outputs that has a stop
    /// value).
    ///
    /// # Errors
    ///
    /// Connection, timeout and server errors.
    pub async fn stop(&self) -> Result<()> {
        self.device.check_connected()?;
        let device_index = self.device.index();
        match self.device.shared.version {
            SpecVersion::V4 => {
                self.device
                    .shared
                    .request_ok(v4(StopCmdV4 {
                        id: 0,
                        device_index: Some(device_index),
                        feature_index: Some(self.index),
                        inputs: true,
                        outputs: true,
                    }))
                    .await
            }
            _ => {
                let info = self.info();
                let planned: Vec<Planned> = info
                    .outputs
                    .iter()
                    .filter(|o| o.output_type.has_stop_value())
                    .map(|o| Planned {
                        feature: self.index,
                        output_type: o.output_type,
                        steps: 0,
                        unit: 0.0,
                        duration_ms: None,
                    })
                    .collect();
                let messages = self.device.output_messages(&planned)?;
                self.device.shared.request_all_ok(messages).await
            }
        }
    }

    /// Reads an input of this feature.
    ///
    /// # Errors
    ///
    /// [`ClientError::InputNotSupported`]; connection, timeout and server errors.
    pub async fn read_input(&self, input_type: InputType) -> Result<i32> {
        self.check_input(input_type, InputCommandType::Read)?;
        self.device.read_feature_input(self.index, input_type).await
    }

    /// Subscribes to an input of this feature.
    ///
    /// # Errors
    ///
    /// As [`ClientDeviceFeature::read_input`].
    pub async fn subscribe_input(&self, input_type: InputType) -> Result<()> {
        self.check_input(input_type, InputCommandType::Subscribe)?;
        self.device
            .input_subscription(self.index, input_type, InputCommandType::Subscribe)
            .await
    }

    /// Ends a subscription to an input of this feature.
    ///
    /// # Errors
    ///
    /// As [`ClientDeviceFeature::read_input`].
    pub async fn unsubscribe_input(&self, input_type: InputType) -> Result<()> {
        self.check_input(input_type, InputCommandType::Subscribe)?;
        self.device
            .input_subscription(self.index, input_type, InputCommandType::Unsubscribe)
            .await
    }

    fn check_input(&self, input_type: InputType, command: InputCommandType) -> Result<()> {
        let supported = self
            .info()
            .input(input_type)
            .is_some_and(|i| i.supports(command));
        if supported {
            Ok(())
        } else {
            Err(ClientError::InputNotSupported {
                device_index: self.device.index(),
                feature_index: Some(self.index),
                input_type,
                command,
            })
        }
    }
}

#[cold]
fn unreachable_feature() -> &'static FeatureInfo {
    static EMPTY: FeatureInfo = FeatureInfo {
        index: 0,
        description: String::new(),
        outputs: Vec::new(),
        inputs: Vec::new(),
    };
    &EMPTY
}

/// One output of one feature, checked and converted.
#[derive(Debug, Clone, Copy)]
struct Planned {
    feature: u32,
    output_type: OutputType,
    /// Steps for v4.
    steps: i32,
    /// The level as a fraction of the range, for v3 (negative for counter-clockwise).
    unit: f64,
    /// Duration for `HwPositionWithDuration`.
    duration_ms: Option<u32>,
}

fn plan(
    device_index: u32,
    feature: &FeatureInfo,
    output: &OutputInfo,
    command: &OutputCommand,
) -> Result<Planned> {
    let output_type = output.output_type;
    let range = output.value;
    let (steps, unit) = match command.level() {
        Level::Steps(steps) => {
            if !range.contains(steps) {
                return Err(ClientError::StepsOutOfRange {
                    device_index,
                    feature_index: feature.index,
                    output_type,
                    value: steps,
                    range,
                });
            }
            (steps, unit_of_steps(steps, range))
        }
        Level::Fraction(f) => {
            let (low, allowed) = if range.is_signed() {
                (-1.0, "-1.0..=1.0")
            } else {
                (0.0, "0.0..=1.0")
            };
            if !f.is_finite() || f < low || f > 1.0 {
                return Err(ClientError::FractionOutOfRange {
                    output_type,
                    value: f,
                    allowed,
                });
            }
            let steps = steps_of_fraction(f, range);
            if !range.contains(steps) {
                return Err(ClientError::StepsOutOfRange {
                    device_index,
                    feature_index: feature.index,
                    output_type,
                    value: steps,
                    range,
                });
            }
            (steps, f)
        }
    };
    let duration_ms = match command.duration() {
        None => None,
        Some(duration) => {
            let ms = u32::try_from(duration.as_millis()).ok();
            let allowed = output.duration.unwrap_or(StepRange::new(0, i32::MAX));
            match ms {
                Some(ms)
                    if i64::from(ms) >= i64::from(allowed.start)
                        && i64::from(ms) <= i64::from(allowed.end) =>
                {
                    Some(ms)
                }
                _ => {
                    return Err(ClientError::DurationOutOfRange {
                        device_index,
                        feature_index: feature.index,
                        duration,
                        range: allowed,
                    });
                }
            }
        }
    };
    Ok(Planned {
        feature: feature.index,
        output_type,
        steps,
        unit,
        duration_ms,
    })
}

/// `ceil(f × max)` for `f ≥ 0`, `-ceil(|f| × |min|)` below zero.
fn steps_of_fraction(f: f64, range: StepRange) -> i32 {
    let scaled = if f >= 0.0 {
        (f * f64::from(range.end.max(0))).ceil()
    } else {
        -(-f * -f64::from(range.start.min(0))).ceil()
    };
    // In range by construction (|f| ≤ 1); the cast saturates anyway.
    scaled as i32
}

/// The fraction a step value stands for, chosen so that a server computing `ceil(u × n)` (or
/// rounding) gets exactly `steps` back.
fn unit_of_steps(steps: i32, range: StepRange) -> f64 {
    let n = if steps >= 0 {
        range.end
    } else {
        range.start.saturating_neg()
    };
    let sign = if steps < 0 { -1.0 } else { 1.0 };
    sign * exact_unit(steps.unsigned_abs(), n.max(0).unsigned_abs())
}

fn exact_unit(steps: u32, count: u32) -> f64 {
    if steps == 0 || count == 0 {
        return 0.0;
    }
    let (s, n) = (f64::from(steps), f64::from(count));
    let mut unit = (s / n).min(1.0);
    for _ in 0..4 {
        if (unit * n).ceil() <= s {
            break;
        }
        unit = f64::from_bits(unit.to_bits() - 1);
    }
    unit
}

fn unexpected(request: &'static str, reply: &ServerMessage) -> ClientError {
    ClientError::UnexpectedReply {
        request,
        reply: reply.name(),
    }
}

fn v4(m: impl Into<ClientMessageV4>) -> ClientMessage {
    ClientMessage::V4(m.into())
}

fn v3(m: impl Into<ClientMessageV3>) -> ClientMessage {
    ClientMessage::V3(m.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_to_steps_rounds_up() {
        let r = StepRange::new(0, 20);
        assert_eq!(steps_of_fraction(0.5, r), 10);
        assert_eq!(steps_of_fraction(0.01, r), 1);
        assert_eq!(steps_of_fraction(0.0, r), 0);
        assert_eq!(steps_of_fraction(1.0, r), 20);
        let s = StepRange::new(-20, 20);
        assert_eq!(steps_of_fraction(-0.5, s), -10);
        assert_eq!(steps_of_fraction(-0.01, s), -1);
    }

    #[test]
    fn steps_to_unit_survives_ceil() {
        for n in 1..=1000u32 {
            for s in 0..=n {
                let u = exact_unit(s, n);
                assert!((0.0..=1.0).contains(&u));
                assert_eq!((u * f64::from(n)).ceil() as u32, s, "{s}/{n}");
                assert_eq!((u * f64::from(n)).round() as u32, s, "{s}/{n}");
            }
        }
    }
}

//! Device description: one internal model ([`DeviceInfo`]) rendered as every spec version's
//! shape, and the per-version index spaces that v1-v3 commands address.
//!
//! Rendering and index spaces share the same helpers, so a server that renders a device with
//! [`DeviceInfo::to_v3`] and translates `ScalarCmd` indexes with
//! [`DeviceInfo::v3_scalar_features`] can never disagree with itself.
//!
//! Order rules (all index spaces): features by ascending feature index; within a feature,
//! outputs and inputs in the declaration order of [`OutputType`] / [`InputType`] (one entry per
//! type; a repeated type in the same feature is ignored after its first occurrence).

use crate::v0::ServerMessageV0;
use crate::v0::{
    DEVICE_MESSAGE_NAMES_V0, DeviceAddedV0, DeviceListV0, DeviceMessageInfoV0, DeviceRemovedV0,
};
use crate::v1::ServerMessageV1;
use crate::v1::{
    DeviceAddedV1, DeviceListV1, DeviceMessageInfoV1, DeviceMessagesV1, GenericAttributesV1,
    NullAttributesV1,
};
use crate::v2::ServerMessageV2;
use crate::v2::{
    DeviceAddedV2, DeviceListV2, DeviceMessageInfoV2, DeviceMessagesV2, GenericAttributesV2,
    RawAttributesV2,
};
use crate::v3::ServerMessageV3;
use crate::v3::{
    DeviceAddedV3, DeviceListV3, DeviceMessageInfoV3, DeviceMessagesV3, GenericAttributesV3,
    SensorAttributesV3, SensorTypeV3,
};
use crate::v4::ServerMessageV4;
use crate::v4::{
    DeviceFeatureInputV4, DeviceFeatureOutputV4, DeviceFeatureV4, DeviceListV4, DeviceMessageInfoV4,
};
use crate::{InputCommandType, InputType, OutputType, ServerMessage, SpecVersion, StepRange};
use std::collections::BTreeMap;

/// Duration range rendered for a `HwPositionWithDuration` output that has none (the v4 shape
/// requires one): 0 to 100 000 ms, what the device database uses for every stroker.
pub const DEFAULT_DURATION_RANGE: StepRange = StepRange::new(0, 100_000);

/// One output of a feature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutputInfo {
    /// Output type.
    pub output_type: OutputType,
    /// Inclusive step range the client may send (negative start = bidirectional).
    pub value: StepRange,
    /// Inclusive duration range in ms, for `HwPositionWithDuration`.
    pub duration: Option<StepRange>,
}

impl OutputInfo {
    /// An output without a duration range.
    pub const fn new(output_type: OutputType, value: StepRange) -> Self {
        OutputInfo {
            output_type,
            value,
            duration: None,
        }
    }

    /// A `HwPositionWithDuration` output.
    pub const fn position_with_duration(value: StepRange, duration: StepRange) -> Self {
        OutputInfo {
            output_type: OutputType::HwPositionWithDuration,
            value,
            duration: Some(duration),
        }
    }
}

/// One input of a feature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InputInfo {
    /// Input type.
    pub input_type: InputType,
    /// Inclusive range of each reading element.
    pub value: Vec<StepRange>,
    /// Supported commands.
    pub commands: Vec<InputCommandType>,
}

impl InputInfo {
    /// An input.
    pub fn new(
        input_type: InputType,
        value: Vec<StepRange>,
        commands: Vec<InputCommandType>,
    ) -> Self {
        InputInfo {
            input_type,
            value,
            commands,
        }
    }

    /// Whether the input supports `command`.
    pub fn supports(&self, command: InputCommandType) -> bool {
        self.commands.contains(&command)
    }
}

/// One feature of a device: a set of outputs and inputs under one index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FeatureInfo {
    /// Feature index (unique within the device).
    pub index: u32,
    /// Description (may be empty).
    pub description: String,
    /// Outputs.
    pub outputs: Vec<OutputInfo>,
    /// Inputs.
    pub inputs: Vec<InputInfo>,
}

impl FeatureInfo {
    /// A feature without outputs or inputs.
    pub fn new(index: u32, description: impl Into<String>) -> Self {
        FeatureInfo {
            index,
            description: description.into(),
            outputs: Vec::new(),
            inputs: Vec::new(),
        }
    }

    /// Adds an output.
    #[must_use]
    pub fn with_output(mut self, output: OutputInfo) -> Self {
        self.outputs.push(output);
        self
    }

    /// Adds an input.
    #[must_use]
    pub fn with_input(mut self, input: InputInfo) -> Self {
        self.inputs.push(input);
        self
    }

    /// The output of this type, if any.
    pub fn output(&self, output_type: OutputType) -> Option<&OutputInfo> {
        self.outputs.iter().find(|o| o.output_type == output_type)
    }

    /// The input of this type, if any.
    pub fn input(&self, input_type: InputType) -> Option<&InputInfo> {
        self.inputs.iter().find(|i| i.input_type == input_type)
    }

    /// Outputs in type order, one per type.
    fn sorted_outputs(&self) -> Vec<&OutputInfo> {
        let mut v: Vec<&OutputInfo> = self.outputs.iter().collect();
        v.sort_by_key(|o| o.output_type);
        v.dedup_by_key(|o| o.output_type);
        v
    }

    /// Inputs in type order, one per type.
    fn sorted_inputs(&self) -> Vec<&InputInfo> {
        let mut v: Vec<&InputInfo> = self.inputs.iter().collect();
        v.sort_by_key(|i| i.input_type);
        v.dedup_by_key(|i| i.input_type);
        v
    }
}

/// A device as every layer describes it to clients.
///
/// ```
/// use buttplug_core::{DeviceInfo, FeatureInfo, OutputInfo, OutputType, StepRange};
///
/// let device = DeviceInfo::new(0, "Lovense Nora")
///     .with_feature(
///         FeatureInfo::new(0, "")
///             .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20))),
///     )
///     .with_feature(
///         FeatureInfo::new(1, "")
///             .with_output(OutputInfo::new(OutputType::Rotate, StepRange::new(-20, 20))),
///     );
/// // v3 clients address outputs by their position in these lists.
/// assert_eq!(
///     device.v3_scalar_features(),
///     [(0, OutputType::Vibrate), (1, OutputType::Rotate)]
/// );
/// assert_eq!(device.v3_rotate_features(), [(1, OutputType::Rotate)]);
/// let v3 = device.to_v3();
/// assert_eq!(v3.device_messages.scalar_cmd.map(|s| s.len()), Some(2));
/// // v4 clients see the feature map and can rebuild the same description.
/// assert_eq!(DeviceInfo::from_v4(&device.to_v4()), device);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DeviceInfo {
    /// Device index.
    pub index: u32,
    /// Device name.
    pub name: String,
    /// User-given display name.
    pub display_name: Option<String>,
    /// Minimum time between commands in milliseconds (v3 `DeviceMessageTimingGap`, v4 required).
    pub message_timing_gap_ms: u32,
    /// Features.
    pub features: Vec<FeatureInfo>,
    /// Endpoints open to raw commands. When set (and not empty), the v2/v3 shapes list
    /// `RawReadCmd`, `RawWriteCmd`, `RawSubscribeCmd` (and in v2 `RawUnsubscribeCmd`) with these
    /// endpoints; otherwise raw commands are not advertised.
    pub raw_endpoints: Option<Vec<String>>,
    /// The device's protocol accepts the v0/v1 `LovenseCmd` text commands (the server sets this
    /// from the protocol layer; nothing in the features implies it).
    pub lovense_cmd: bool,
    /// The hardware reports its signal strength, so v2 `RSSILevelCmd` is served even without an
    /// `Rssi` input feature.
    pub hardware_rssi: bool,
}

/// The v0/v1 commands a device accepts besides `StopDeviceCmd` (see
/// [`DeviceInfo::legacy_commands`]). The v0 and v1 device lists advertise exactly these, and a
/// server accepts exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LegacyCommands {
    /// `SingleMotorVibrateCmd`: the device has a `Vibrate` output (drives every one).
    pub single_motor_vibrate: bool,
    /// `FleshlightLaunchFW12Cmd`: the device has a `HwPositionWithDuration` output (drives the
    /// first of the `LinearCmd` index space).
    pub fleshlight_launch_fw12: bool,
    /// `KiirooCmd`: the device has a `HwPositionWithDuration` output (levels are positions) or a
    /// `Vibrate` output (levels are speeds).
    pub kiiroo: bool,
    /// `LovenseCmd`: see [`DeviceInfo::lovense_cmd`].
    pub lovense: bool,
    /// `VorzeA10CycloneCmd`: the device has a bidirectional `Rotate` output (drives the first of
    /// the `RotateCmd` index space).
    pub vorze_a10_cyclone: bool,
}

/// A feature index and the output or input type that an index-space entry stands for.
pub type IndexEntry<T> = (u32, T);

impl DeviceInfo {
    /// A device without features.
    pub fn new(index: u32, name: impl Into<String>) -> Self {
        DeviceInfo {
            index,
            name: name.into(),
            ..DeviceInfo::default()
        }
    }

    /// Adds a feature.
    #[must_use]
    pub fn with_feature(mut self, feature: FeatureInfo) -> Self {
        self.features.push(feature);
        self
    }

    /// The feature with this index, if any.
    pub fn feature(&self, index: u32) -> Option<&FeatureInfo> {
        self.features.iter().find(|f| f.index == index)
    }

    fn sorted_features(&self) -> Vec<&FeatureInfo> {
        let mut v: Vec<&FeatureInfo> = self.features.iter().collect();
        v.sort_by_key(|f| f.index);
        v
    }

    fn outputs_where(
        &self,
        keep: impl Fn(&OutputInfo) -> bool,
    ) -> Vec<(&FeatureInfo, &OutputInfo)> {
        let mut out = Vec::new();
        for f in self.sorted_features() {
            for o in f.sorted_outputs() {
                if keep(o) {
                    out.push((f, o));
                }
            }
        }
        out
    }

    fn inputs_where(&self, keep: impl Fn(&InputInfo) -> bool) -> Vec<(&FeatureInfo, &InputInfo)> {
        let mut out = Vec::new();
        for f in self.sorted_features() {
            for i in f.sorted_inputs() {
                if keep(i) {
                    out.push((f, i));
                }
            }
        }
        out
    }

    fn vibrate_entries(&self) -> Vec<(&FeatureInfo, &OutputInfo)> {
        self.outputs_where(|o| o.output_type == OutputType::Vibrate)
    }

    fn scalar_entries(&self) -> Vec<(&FeatureInfo, &OutputInfo)> {
        self.outputs_where(|o| o.output_type != OutputType::HwPositionWithDuration)
    }

    fn rotate_entries(&self) -> Vec<(&FeatureInfo, &OutputInfo)> {
        self.outputs_where(|o| o.output_type == OutputType::Rotate && o.value.is_signed())
    }

    fn linear_entries(&self) -> Vec<(&FeatureInfo, &OutputInfo)> {
        self.outputs_where(|o| o.output_type == OutputType::HwPositionWithDuration)
    }

    fn sensor_entries(&self, command: InputCommandType) -> Vec<(&FeatureInfo, &InputInfo)> {
        self.inputs_where(|i| {
            SensorTypeV3::from_input_type(i.input_type).is_some()
                && !i.value.is_empty()
                && i.supports(command)
        })
    }

    /// The v1/v2/v3 `VibrateCmd` (and `SingleMotorVibrateCmd`) index space: every `Vibrate`
    /// output. Entry `i` is what `Speeds[].Index == i` addresses.
    pub fn v2_vibrate_features(&self) -> Vec<IndexEntry<OutputType>> {
        entries(self.vibrate_entries())
    }

    /// The v3 `ScalarCmd` index space: every output except `HwPositionWithDuration`.
    pub fn v3_scalar_features(&self) -> Vec<IndexEntry<OutputType>> {
        entries(self.scalar_entries())
    }

    /// The v1-v3 `RotateCmd` index space: `Rotate` outputs with a signed (bidirectional) range.
    pub fn v3_rotate_features(&self) -> Vec<IndexEntry<OutputType>> {
        entries(self.rotate_entries())
    }

    /// The v1-v3 `LinearCmd` index space: `HwPositionWithDuration` outputs.
    pub fn v3_linear_features(&self) -> Vec<IndexEntry<OutputType>> {
        entries(self.linear_entries())
    }

    /// The v3 `SensorReadCmd` index space: inputs with a v3 sensor type (Battery, RSSI, Button,
    /// Pressure), at least one value range and the `Read` command.
    pub fn v3_sensor_features(&self) -> Vec<IndexEntry<InputType>> {
        input_entries(self.sensor_entries(InputCommandType::Read))
    }

    /// The v3 `SensorSubscribeCmd` / `SensorUnsubscribeCmd` index space: like
    /// [`DeviceInfo::v3_sensor_features`] with the `Subscribe` command instead of `Read`.
    pub fn v3_sensor_subscribe_features(&self) -> Vec<IndexEntry<InputType>> {
        input_entries(self.sensor_entries(InputCommandType::Subscribe))
    }

    /// The feature v2 `BatteryLevelCmd` reads: the first readable `Battery` input.
    pub fn v2_battery_feature(&self) -> Option<u32> {
        self.readable_input(InputType::Battery)
    }

    /// The feature v2 `RSSILevelCmd` reads: the first readable `Rssi` input.
    pub fn v2_rssi_feature(&self) -> Option<u32> {
        self.readable_input(InputType::Rssi)
    }

    /// Whether v2 `RSSILevelCmd` is served: a readable `Rssi` input, or hardware that reports
    /// its signal strength ([`DeviceInfo::hardware_rssi`]).
    pub fn v2_rssi_level(&self) -> bool {
        self.hardware_rssi || self.v2_rssi_feature().is_some()
    }

    /// The v0/v1 commands this device accepts (besides `StopDeviceCmd`), derived from its
    /// features and [`DeviceInfo::lovense_cmd`].
    pub fn legacy_commands(&self) -> LegacyCommands {
        let vibrates = !self.vibrate_entries().is_empty();
        let strokes = !self.linear_entries().is_empty();
        LegacyCommands {
            single_motor_vibrate: vibrates,
            fleshlight_launch_fw12: strokes,
            kiiroo: strokes || vibrates,
            lovense: self.lovense_cmd,
            vorze_a10_cyclone: !self.rotate_entries().is_empty(),
        }
    }

    fn readable_input(&self, t: InputType) -> Option<u32> {
        self.inputs_where(|i| i.input_type == t && i.supports(InputCommandType::Read))
            .first()
            .map(|(f, _)| f.index)
    }

    fn raw(&self) -> Option<RawAttributesV2> {
        match &self.raw_endpoints {
            Some(e) if !e.is_empty() => Some(RawAttributesV2 {
                endpoints: e.clone(),
            }),
            _ => None,
        }
    }

    /// The v0 shape: the names of [`DeviceInfo::legacy_commands`] (in the order
    /// `SingleMotorVibrateCmd`, `FleshlightLaunchFW12Cmd`, `KiirooCmd`, `LovenseCmd`,
    /// `VorzeA10CycloneCmd`), then `StopDeviceCmd`.
    pub fn to_v0(&self) -> DeviceMessageInfoV0 {
        let legacy = self.legacy_commands();
        let [launch, single, stop, kiiroo, lovense, vorze] = DEVICE_MESSAGE_NAMES_V0;
        let messages = [
            (legacy.single_motor_vibrate, single),
            (legacy.fleshlight_launch_fw12, launch),
            (legacy.kiiroo, kiiroo),
            (legacy.lovense, lovense),
            (legacy.vorze_a10_cyclone, vorze),
            (true, stop),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| name.to_string())
        .collect();
        DeviceMessageInfoV0 {
            device_name: self.name.clone(),
            device_index: self.index,
            device_messages: messages,
        }
    }

    /// The v1 shape: `VibrateCmd`/`RotateCmd`/`LinearCmd` with `FeatureCount`, the commands of
    /// [`DeviceInfo::legacy_commands`] (`SingleMotorVibrateCmd` whenever `VibrateCmd` is listed),
    /// and `StopDeviceCmd`.
    pub fn to_v1(&self) -> DeviceMessageInfoV1 {
        let count = |n: usize| {
            (n > 0).then(|| GenericAttributesV1 {
                feature_count: len32(n),
            })
        };
        let legacy = self.legacy_commands();
        let null = |on: bool| on.then_some(NullAttributesV1 {});
        DeviceMessageInfoV1 {
            device_name: self.name.clone(),
            device_index: self.index,
            device_messages: DeviceMessagesV1 {
                stop_device_cmd: Some(NullAttributesV1 {}),
                single_motor_vibrate_cmd: null(legacy.single_motor_vibrate),
                vibrate_cmd: count(self.vibrate_entries().len()),
                rotate_cmd: count(self.rotate_entries().len()),
                linear_cmd: count(self.linear_entries().len()),
                fleshlight_launch_fw12_cmd: null(legacy.fleshlight_launch_fw12),
                kiiroo_cmd: null(legacy.kiiroo),
                lovense_cmd: null(legacy.lovense),
                vorze_a10_cyclone_cmd: null(legacy.vorze_a10_cyclone),
            },
        }
    }

    /// The v2 shape: generic commands with `FeatureCount` and `StepCount`, `BatteryLevelCmd` for
    /// a readable battery input, `RSSILevelCmd` when [`DeviceInfo::v2_rssi_level`], raw commands when
    /// [`DeviceInfo::raw_endpoints`] is set, and `StopDeviceCmd`.
    pub fn to_v2(&self) -> DeviceMessageInfoV2 {
        let generic = |e: Vec<(&FeatureInfo, &OutputInfo)>| {
            (!e.is_empty()).then(|| GenericAttributesV2 {
                feature_count: len32(e.len()),
                step_count: e.iter().map(|(_, o)| steps(o.value)).collect(),
            })
        };
        let raw = self.raw();
        DeviceMessageInfoV2 {
            device_name: self.name.clone(),
            device_index: self.index,
            device_messages: DeviceMessagesV2 {
                stop_device_cmd: Some(NullAttributesV1 {}),
                vibrate_cmd: generic(self.vibrate_entries()),
                linear_cmd: generic(self.linear_entries()),
                rotate_cmd: generic(self.rotate_entries()),
                battery_level_cmd: self.v2_battery_feature().map(|_| NullAttributesV1 {}),
                rssi_level_cmd: self.v2_rssi_level().then_some(NullAttributesV1 {}),
                raw_read_cmd: raw.clone(),
                raw_write_cmd: raw.clone(),
                raw_subscribe_cmd: raw.clone(),
                raw_unsubscribe_cmd: raw,
            },
        }
    }

    /// The v3 shape: per-feature arrays for `ScalarCmd`, `RotateCmd`, `LinearCmd`
    /// (`ActuatorType` `"Position"`), `SensorReadCmd`, `SensorSubscribeCmd` (empty arrays
    /// omitted), raw commands when [`DeviceInfo::raw_endpoints`] is set, `StopDeviceCmd`,
    /// `DeviceDisplayName` and `DeviceMessageTimingGap`.
    pub fn to_v3(&self) -> DeviceMessageInfoV3 {
        let generic = |e: Vec<(&FeatureInfo, &OutputInfo)>, fixed: Option<OutputType>| {
            let list: Vec<GenericAttributesV3> = e
                .iter()
                .map(|(f, o)| GenericAttributesV3 {
                    feature_descriptor: f.description.clone(),
                    step_count: steps(o.value),
                    actuator_type: fixed.unwrap_or(o.output_type),
                })
                .collect();
            (!list.is_empty()).then_some(list)
        };
        let sensors = |e: Vec<(&FeatureInfo, &InputInfo)>| {
            let list: Vec<SensorAttributesV3> = e
                .iter()
                .filter_map(|(f, i)| {
                    Some(SensorAttributesV3 {
                        feature_descriptor: f.description.clone(),
                        sensor_type: SensorTypeV3::from_input_type(i.input_type)?,
                        sensor_range: i.value.clone(),
                    })
                })
                .collect();
            (!list.is_empty()).then_some(list)
        };
        let raw = self.raw();
        DeviceMessageInfoV3 {
            device_name: self.name.clone(),
            device_index: self.index,
            device_display_name: self.display_name.clone(),
            device_message_timing_gap: Some(self.message_timing_gap_ms),
            device_messages: DeviceMessagesV3 {
                stop_device_cmd: Some(NullAttributesV1 {}),
                scalar_cmd: generic(self.scalar_entries(), None),
                rotate_cmd: generic(self.rotate_entries(), None),
                linear_cmd: generic(self.linear_entries(), Some(OutputType::Position)),
                sensor_read_cmd: sensors(self.sensor_entries(InputCommandType::Read)),
                sensor_subscribe_cmd: sensors(self.sensor_entries(InputCommandType::Subscribe)),
                raw_read_cmd: raw.clone(),
                raw_write_cmd: raw.clone(),
                raw_subscribe_cmd: raw,
            },
        }
    }

    /// The v4 shape: features keyed by index with `Output` / `Input` maps; features with neither
    /// are omitted. A `HwPositionWithDuration` output without a duration range gets
    /// [`DEFAULT_DURATION_RANGE`].
    pub fn to_v4(&self) -> DeviceMessageInfoV4 {
        let mut features = BTreeMap::new();
        for f in self.sorted_features() {
            if f.outputs.is_empty() && f.inputs.is_empty() {
                continue;
            }
            let output: BTreeMap<OutputType, DeviceFeatureOutputV4> = f
                .sorted_outputs()
                .into_iter()
                .map(|o| {
                    let duration = match o.output_type {
                        OutputType::HwPositionWithDuration => {
                            Some(o.duration.unwrap_or(DEFAULT_DURATION_RANGE))
                        }
                        _ => o.duration,
                    };
                    (
                        o.output_type,
                        DeviceFeatureOutputV4 {
                            value: o.value,
                            duration,
                        },
                    )
                })
                .collect();
            let input: BTreeMap<InputType, DeviceFeatureInputV4> = f
                .sorted_inputs()
                .into_iter()
                .map(|i| {
                    (
                        i.input_type,
                        DeviceFeatureInputV4 {
                            value: i.value.clone(),
                            command: i.commands.clone(),
                        },
                    )
                })
                .collect();
            features.entry(f.index).or_insert(DeviceFeatureV4 {
                feature_index: f.index,
                feature_description: f.description.clone(),
                output: (!output.is_empty()).then_some(output),
                input: (!input.is_empty()).then_some(input),
            });
        }
        DeviceMessageInfoV4 {
            device_index: self.index,
            device_name: self.name.clone(),
            device_display_name: self.display_name.clone(),
            device_message_timing_gap: self.message_timing_gap_ms,
            device_features: features,
        }
    }

    /// The device of a v4 `DeviceList` entry (client side). Exact inverse of
    /// [`DeviceInfo::to_v4`] for devices in normal form (features sorted, none empty).
    pub fn from_v4(d: &DeviceMessageInfoV4) -> Self {
        let features = d
            .device_features
            .values()
            .map(|f| FeatureInfo {
                index: f.feature_index,
                description: f.feature_description.clone(),
                outputs: f
                    .output
                    .iter()
                    .flatten()
                    .map(|(t, o)| OutputInfo {
                        output_type: *t,
                        value: o.value,
                        duration: o.duration,
                    })
                    .collect(),
                inputs: f
                    .input
                    .iter()
                    .flatten()
                    .map(|(t, i)| InputInfo::new(*t, i.value.clone(), i.command.clone()))
                    .collect(),
            })
            .collect();
        DeviceInfo {
            index: d.device_index,
            name: d.device_name.clone(),
            display_name: d.device_display_name.clone(),
            message_timing_gap_ms: d.device_message_timing_gap,
            features,
            raw_endpoints: None,
            lovense_cmd: false,
            hardware_rssi: false,
        }
    }

    /// The device of a v3 `DeviceList` / `DeviceAdded` entry (client side).
    ///
    /// v3 has no feature identity, so features are synthesised so that the v3 index spaces of
    /// the result reproduce the original arrays:
    /// * one feature per `ScalarCmd` entry, in order (range `[0, StepCount]`);
    /// * `RotateCmd` entries are merged into the `ScalarCmd` `Rotate` entries (range becomes
    ///   `[-StepCount, StepCount]`) when they pair up one to one with equal step counts, as a
    ///   v4-era server renders them; otherwise each becomes a new signed `Rotate` feature (which
    ///   then also appears at the end of the `ScalarCmd` space: earlier indexes are unchanged);
    /// * one `HwPositionWithDuration` feature per `LinearCmd` entry (duration range
    ///   [`DEFAULT_DURATION_RANGE`], v3 does not state one);
    /// * one feature per `SensorReadCmd` entry (command `Read`), plus `Subscribe` when the
    ///   `SensorSubscribeCmd` array is an in-order subsequence of the read array; otherwise one
    ///   more feature per `SensorSubscribeCmd` entry (command `Subscribe`);
    /// * `raw_endpoints` is the union of the raw commands' endpoints.
    pub fn from_v3(d: &DeviceMessageInfoV3) -> Self {
        let m = &d.device_messages;
        let mut features: Vec<FeatureInfo> = Vec::new();
        let push = |features: &mut Vec<FeatureInfo>, description: &str| -> usize {
            let index = len32(features.len());
            features.push(FeatureInfo::new(index, description));
            features.len() - 1
        };

        let scalars = m.scalar_cmd.as_deref().unwrap_or_default();
        let mut scalar_rotates = Vec::new();
        for a in scalars {
            let at = push(&mut features, &a.feature_descriptor);
            let t = match a.actuator_type {
                OutputType::HwPositionWithDuration => OutputType::Position,
                t => t,
            };
            if t == OutputType::Rotate {
                scalar_rotates.push((at, a.step_count));
            }
            features[at]
                .outputs
                .push(OutputInfo::new(t, range_to(a.step_count)));
        }

        let rotates = m.rotate_cmd.as_deref().unwrap_or_default();
        let mergeable = rotates.len() == scalar_rotates.len()
            && rotates
                .iter()
                .zip(&scalar_rotates)
                .all(|(r, (_, steps))| r.step_count == *steps);
        if mergeable {
            for (at, steps) in scalar_rotates {
                features[at].outputs[0].value = signed_range(steps);
            }
        } else {
            for r in rotates {
                let at = push(&mut features, &r.feature_descriptor);
                features[at].outputs.push(OutputInfo::new(
                    OutputType::Rotate,
                    signed_range(r.step_count),
                ));
            }
        }

        for l in m.linear_cmd.as_deref().unwrap_or_default() {
            let at = push(&mut features, &l.feature_descriptor);
            features[at]
                .outputs
                .push(OutputInfo::position_with_duration(
                    range_to(l.step_count),
                    DEFAULT_DURATION_RANGE,
                ));
        }

        let reads = m.sensor_read_cmd.as_deref().unwrap_or_default();
        let subscribes = m.sensor_subscribe_cmd.as_deref().unwrap_or_default();
        let matched = subsequence(subscribes, reads);
        for (k, s) in reads.iter().enumerate() {
            let at = push(&mut features, &s.feature_descriptor);
            let mut commands = vec![InputCommandType::Read];
            if matched.as_ref().is_some_and(|m| m.contains(&k)) {
                commands.push(InputCommandType::Subscribe);
            }
            features[at].inputs.push(InputInfo::new(
                s.sensor_type.into(),
                s.sensor_range.clone(),
                commands,
            ));
        }
        if matched.is_none() {
            for s in subscribes {
                let at = push(&mut features, &s.feature_descriptor);
                features[at].inputs.push(InputInfo::new(
                    s.sensor_type.into(),
                    s.sensor_range.clone(),
                    vec![InputCommandType::Subscribe],
                ));
            }
        }

        let mut endpoints: Vec<String> = Vec::new();
        for raw in [&m.raw_read_cmd, &m.raw_write_cmd, &m.raw_subscribe_cmd]
            .into_iter()
            .flatten()
        {
            for e in &raw.endpoints {
                if !endpoints.contains(e) {
                    endpoints.push(e.clone());
                }
            }
        }

        DeviceInfo {
            index: d.device_index,
            name: d.device_name.clone(),
            display_name: d.device_display_name.clone(),
            message_timing_gap_ms: d.device_message_timing_gap.unwrap_or(0),
            features,
            raw_endpoints: (!endpoints.is_empty()).then_some(endpoints),
            lovense_cmd: false,
            hardware_rssi: false,
        }
    }

    /// The `DeviceAdded` event for this device at `version` (`None` at v4, which announces
    /// devices with a `DeviceList` event instead; see [`device_list_message`]).
    pub fn device_added(&self, version: SpecVersion) -> Option<ServerMessage> {
        Some(match version {
            SpecVersion::V0 => ServerMessageV0::from(DeviceAddedV0::from_info(self.to_v0())).into(),
            SpecVersion::V1 => ServerMessageV1::from(DeviceAddedV1::from_info(self.to_v1())).into(),
            SpecVersion::V2 => ServerMessageV2::from(DeviceAddedV2::from_info(self.to_v2())).into(),
            SpecVersion::V3 => ServerMessageV3::from(DeviceAddedV3::from_info(self.to_v3())).into(),
            SpecVersion::V4 => return None,
        })
    }
}

/// The `DeviceRemoved` event for a device index at `version` (`None` at v4, which sends a
/// `DeviceList` event instead).
pub fn device_removed_message(device_index: u32, version: SpecVersion) -> Option<ServerMessage> {
    let m = DeviceRemovedV0::new(device_index);
    Some(match version {
        SpecVersion::V0 => ServerMessageV0::from(m).into(),
        SpecVersion::V1 => ServerMessageV1::from(m).into(),
        SpecVersion::V2 => ServerMessageV2::from(m).into(),
        SpecVersion::V3 => ServerMessageV3::from(m).into(),
        SpecVersion::V4 => return None,
    })
}

/// A `DeviceList` at `version`: the reply to `RequestDeviceList` (`id` = request Id), or at v4
/// also the device event (`id` 0).
pub fn device_list_message(id: u32, devices: &[DeviceInfo], version: SpecVersion) -> ServerMessage {
    match version {
        SpecVersion::V0 => ServerMessageV0::from(DeviceListV0 {
            id,
            devices: devices.iter().map(DeviceInfo::to_v0).collect(),
        })
        .into(),
        SpecVersion::V1 => ServerMessageV1::from(DeviceListV1 {
            id,
            devices: devices.iter().map(DeviceInfo::to_v1).collect(),
        })
        .into(),
        SpecVersion::V2 => ServerMessageV2::from(DeviceListV2 {
            id,
            devices: devices.iter().map(DeviceInfo::to_v2).collect(),
        })
        .into(),
        SpecVersion::V3 => ServerMessageV3::from(DeviceListV3 {
            id,
            devices: devices.iter().map(DeviceInfo::to_v3).collect(),
        })
        .into(),
        SpecVersion::V4 => ServerMessageV4::from(DeviceListV4 {
            id,
            devices: devices.iter().map(|d| (d.index, d.to_v4())).collect(),
        })
        .into(),
    }
}

fn entries(e: Vec<(&FeatureInfo, &OutputInfo)>) -> Vec<IndexEntry<OutputType>> {
    e.into_iter()
        .map(|(f, o)| (f.index, o.output_type))
        .collect()
}

fn input_entries(e: Vec<(&FeatureInfo, &InputInfo)>) -> Vec<IndexEntry<InputType>> {
    e.into_iter()
        .map(|(f, i)| (f.index, i.input_type))
        .collect()
}

/// v1-v3 `StepCount` of a range: steps above zero, at least 1 (the schema minimum).
fn steps(r: StepRange) -> u32 {
    r.step_count().max(1)
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn range_to(steps: u32) -> StepRange {
    StepRange::new(0, i32::try_from(steps).unwrap_or(i32::MAX))
}

fn signed_range(steps: u32) -> StepRange {
    let n = i32::try_from(steps).unwrap_or(i32::MAX);
    StepRange::new(-n, n)
}

/// Positions in `outer` matched, in order, by the elements of `inner`, if `inner` is an in-order
/// subsequence of `outer`.
fn subsequence(inner: &[SensorAttributesV3], outer: &[SensorAttributesV3]) -> Option<Vec<usize>> {
    let mut positions = Vec::with_capacity(inner.len());
    let mut from = 0;
    for s in inner {
        let found = outer[from..].iter().position(|o| o == s)? + from;
        positions.push(found);
        from = found + 1;
    }
    Some(positions)
}

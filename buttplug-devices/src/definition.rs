//! Resolved device definitions: what the database (plus user config) says one device is.

use buttplug_core::{InputCommandType, InputType, OutputType, StepRange};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One output of a feature, with the base range and any user override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputDefinition {
    /// The output type.
    pub output_type: OutputType,
    /// The range the hardware accepts (from the database).
    pub value: StepRange,
    /// Duration range in ms (only for [`OutputType::HwPositionWithDuration`]).
    pub duration: Option<StepRange>,
    /// The user's narrowed range, inside `[0, value.end]` (or its mirror for signed ranges).
    pub user_range: Option<StepRange>,
    /// Disabled by the user: commands are rejected.
    pub disabled: bool,
    /// Reverse position direction (position types only).
    pub reverse: bool,
}

impl OutputDefinition {
    /// An output with only a base range.
    pub fn new(output_type: OutputType, value: StepRange) -> Self {
        OutputDefinition {
            output_type,
            value,
            duration: None,
            user_range: None,
            disabled: false,
            reverse: false,
        }
    }

    /// The range clients see: `[0, b-a]` (or `[-(b-a), b-a]` when the base range is signed)
    /// under a user range `[a, b]`, else the base range.
    pub fn client_range(&self) -> StepRange {
        match self.user_range {
            Some(u) => {
                let span = (u.end - u.start).max(0);
                if self.value.is_signed() {
                    StepRange::new(-span, span)
                } else {
                    StepRange::new(0, span)
                }
            }
            None => self.value,
        }
    }

    /// Map a client value (already checked against [`OutputDefinition::client_range`]) to the
    /// value sent to the hardware: `a + |v|` with the sign kept under a user range `[a, b]`;
    /// 0 stays 0. Position types with `reverse` are mirrored inside the range.
    pub fn to_hardware(&self, client_value: i32) -> i32 {
        // 0 means "off" for outputs with a stop value and stays 0; for positions it is the
        // start of the user range like any other value.
        let keeps_zero = self.output_type.has_stop_value();
        let mut v = match self.user_range {
            Some(u) if client_value != 0 || !keeps_zero => {
                let mag = u.start.max(0) + client_value.abs();
                if client_value < 0 { -mag } else { mag }
            }
            _ => client_value,
        };
        if self.reverse
            && matches!(
                self.output_type,
                OutputType::Position | OutputType::HwPositionWithDuration
            )
        {
            let r = self.user_range.unwrap_or(self.value);
            v = r.end - (v - r.start);
        }
        v
    }
}

/// One input of a feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDefinition {
    /// The input type.
    pub input_type: InputType,
    /// Value ranges, one per reported value.
    pub value: Vec<StepRange>,
    /// Which commands are allowed.
    pub commands: Vec<InputCommandType>,
}

/// One feature of a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureDefinition {
    /// Feature index (position in the device's feature list as the database numbers it).
    pub index: u32,
    /// Feature UUID from the database.
    pub id: String,
    /// Human description ("battery Level", may be empty).
    pub description: String,
    /// Outputs in database order.
    pub outputs: Vec<OutputDefinition>,
    /// Inputs in database order.
    pub inputs: Vec<InputDefinition>,
    /// `feature_settings.alt_protocol_index` when the protocol numbers motors differently.
    pub alt_protocol_index: Option<u32>,
}

impl FeatureDefinition {
    /// The output of a type, if this feature has it.
    pub fn output(&self, output_type: OutputType) -> Option<&OutputDefinition> {
        self.outputs.iter().find(|o| o.output_type == output_type)
    }

    /// The input of a type, if this feature has it.
    pub fn input(&self, input_type: InputType) -> Option<&InputDefinition> {
        self.inputs.iter().find(|i| i.input_type == input_type)
    }
}

/// A fully resolved device: base configuration, protocol defaults and user overrides merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDefinition {
    /// Protocol id (`"lovense"`).
    pub protocol: String,
    /// Identifier that selected the configuration (`"Z"` for a Lovense Hush), if any.
    pub identifier: Option<String>,
    /// Configuration UUID.
    pub id: String,
    /// Device name from the database (`"Lovense Hush"`).
    pub name: String,
    /// User-chosen display name.
    pub display_name: Option<String>,
    /// `protocol_variant` from the database, for protocols with several handlers.
    pub protocol_variant: Option<String>,
    /// Message gap from the database or user config.
    pub message_gap_ms: Option<u32>,
    /// Features in index order.
    pub features: Vec<FeatureDefinition>,
}

impl DeviceDefinition {
    /// The feature with an index.
    pub fn feature(&self, index: u32) -> Option<&FeatureDefinition> {
        self.features.iter().find(|f| f.index == index)
    }

    /// The configured message gap.
    pub fn message_gap(&self) -> Option<Duration> {
        self.message_gap_ms
            .map(|ms| Duration::from_millis(u64::from(ms)))
    }

    /// Indexes of the features that have an output of a type, in feature order.
    pub fn features_with_output(&self, output_type: OutputType) -> Vec<u32> {
        self.features
            .iter()
            .filter(|f| f.output(output_type).is_some())
            .map(|f| f.index)
            .collect()
    }

    /// Number of features that have at least one output.
    pub fn output_feature_count(&self) -> usize {
        self.features
            .iter()
            .filter(|f| !f.outputs.is_empty())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_range_maps_values_and_keeps_off_at_zero() {
        let mut o = OutputDefinition::new(OutputType::Vibrate, StepRange::new(0, 20));
        o.user_range = Some(StepRange::new(5, 15));
        assert_eq!(o.client_range(), StepRange::new(0, 10));
        assert_eq!(o.to_hardware(0), 0);
        assert_eq!(o.to_hardware(1), 6);
        assert_eq!(o.to_hardware(10), 15);
        let mut r = OutputDefinition::new(OutputType::Rotate, StepRange::new(-20, 20));
        r.user_range = Some(StepRange::new(2, 12));
        assert_eq!(r.client_range(), StepRange::new(-10, 10));
        assert_eq!(r.to_hardware(-10), -12);
        assert_eq!(r.to_hardware(0), 0);
    }

    #[test]
    fn reversed_positions_mirror_inside_the_user_range() {
        let mut p =
            OutputDefinition::new(OutputType::HwPositionWithDuration, StepRange::new(0, 1000));
        p.user_range = Some(StepRange::new(100, 900));
        p.reverse = true;
        assert_eq!(p.client_range(), StepRange::new(0, 800));
        assert_eq!(p.to_hardware(0), 900);
        assert_eq!(p.to_hardware(800), 100);
        p.reverse = false;
        assert_eq!(p.to_hardware(0), 100);
    }
}

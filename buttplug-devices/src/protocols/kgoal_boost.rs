//! KGoal Boost: no outputs; a pressure sensor streamed from `rxpressure`. Notifications of at
//! least seven bytes carry the normalized reading in bytes 3-4 (feature 0) and the raw reading
//! in bytes 5-6 (feature 1), both big-endian; a reading is reported only when it changed.
//! Battery via the standard `rxblebattery` read.

use crate::{
    DeviceError, Endpoint, FeatureDefinition, HardwareCommand, InputReading, ProtocolHandler,
    SimpleProtocol,
};
use buttplug_core::InputType;

/// The `kgoal-boost` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("kgoal-boost", |_| Box::new(KGoalBoost::default()));

/// Subscription state and the last reported readings.
#[derive(Debug, Default)]
struct KGoalBoost {
    /// Which of the two pressure features are subscribed.
    subscribed: [bool; 2],
    /// Last (normalized, raw) values seen.
    last: [u32; 2],
}

impl KGoalBoost {
    fn slot(
        feature: &FeatureDefinition,
        input_type: InputType,
        what: &str,
    ) -> Result<usize, DeviceError> {
        match (input_type, feature.index) {
            (InputType::Pressure, i @ 0..=1) => Ok(i as usize),
            _ => Err(DeviceError::Unsupported {
                protocol: "kgoal-boost",
                command: format!("{input_type} {what} on feature {}", feature.index),
            }),
        }
    }
}

impl ProtocolHandler for KGoalBoost {
    fn protocol_id(&self) -> &'static str {
        "kgoal-boost"
    }

    fn subscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        let slot = Self::slot(feature, input_type, "subscribe")?;
        let first = !self.subscribed.iter().any(|s| *s);
        self.subscribed[slot] = true;
        Ok(if first {
            vec![HardwareCommand::subscribe(Endpoint::RxPressure)]
        } else {
            Vec::new()
        })
    }

    fn unsubscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        let slot = Self::slot(feature, input_type, "unsubscribe")?;
        if !self.subscribed[slot] {
            return Ok(Vec::new());
        }
        self.subscribed[slot] = false;
        Ok(if self.subscribed.iter().any(|s| *s) {
            Vec::new()
        } else {
            vec![HardwareCommand::unsubscribe(Endpoint::RxPressure)]
        })
    }

    fn parse_notification(&mut self, endpoint: Endpoint, data: &[u8]) -> Vec<InputReading> {
        if endpoint != Endpoint::RxPressure || data.len() < 7 {
            return Vec::new();
        }
        let values = [
            u32::from(u16::from_be_bytes([data[3], data[4]])),
            u32::from(u16::from_be_bytes([data[5], data[6]])),
        ];
        let mut readings = Vec::new();
        for (i, value) in values.iter().enumerate() {
            if self.subscribed[i] && self.last[i] != *value {
                readings.push(InputReading {
                    feature_index: i as u32,
                    input_type: InputType::Pressure,
                    value: i32::from(u16::try_from(*value).unwrap_or(u16::MAX)),
                });
            }
        }
        self.last = values;
        readings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for};
    use crate::{InputDefinition, SimulatedHardware};
    use buttplug_core::{InputCommandType, StepRange};

    fn pressure_def() -> crate::DeviceDefinition {
        let mut def = definition("kgoal-boost", &[&[], &[]]);
        for f in &mut def.features {
            f.inputs.push(InputDefinition {
                input_type: InputType::Pressure,
                value: vec![StepRange::new(0, 2000)],
                commands: vec![InputCommandType::Subscribe],
            });
        }
        def
    }

    #[test]
    fn subscribe_parse_unsubscribe() {
        let hw = SimulatedHardware::builder("Boost", "a").build();
        let def = pressure_def();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let (f0, f1) = (def.features[0].clone(), def.features[1].clone());
        assert_eq!(
            h.subscribe_input(&f0, InputType::Pressure).ok(),
            Some(vec![HardwareCommand::subscribe(Endpoint::RxPressure)])
        );
        assert_eq!(
            h.parse_notification(
                Endpoint::RxPressure,
                &[0x00, 0x01, 0x04, 0x00, 0x00, 0x05, 0xd3]
            ),
            Vec::new()
        );
        assert_eq!(
            h.parse_notification(
                Endpoint::RxPressure,
                &[0x00, 0x01, 0x04, 0x01, 0x02, 0x05, 0xd4]
            ),
            vec![InputReading {
                feature_index: 0,
                input_type: InputType::Pressure,
                value: 0x0102
            }]
        );
        assert_eq!(
            h.subscribe_input(&f1, InputType::Pressure).ok(),
            Some(vec![])
        );
        assert_eq!(
            h.parse_notification(
                Endpoint::RxPressure,
                &[0x00, 0x01, 0x04, 0x01, 0x02, 0x06, 0x00]
            ),
            vec![InputReading {
                feature_index: 1,
                input_type: InputType::Pressure,
                value: 0x0600
            }]
        );
        // Short or foreign notifications are ignored.
        assert!(
            h.parse_notification(Endpoint::RxPressure, &[0, 1, 4])
                .is_empty()
        );
        assert!(
            h.parse_notification(Endpoint::Rx, &[0, 1, 4, 9, 9, 9, 9])
                .is_empty()
        );
        assert_eq!(
            h.unsubscribe_input(&f0, InputType::Pressure).ok(),
            Some(vec![])
        );
        assert_eq!(
            h.unsubscribe_input(&f1, InputType::Pressure).ok(),
            Some(vec![HardwareCommand::unsubscribe(Endpoint::RxPressure)])
        );
        assert!(h.subscribe_input(&f0, InputType::Battery).is_err());
    }

    #[test]
    fn battery_uses_the_standard_characteristic() {
        let hw = SimulatedHardware::builder("Boost", "a")
            .endpoints([Endpoint::RxPressure, Endpoint::RxBleBattery])
            .build();
        hw.set_read_value(Endpoint::RxBleBattery, [64]);
        let def = crate::protocols::testing::with_battery(pressure_def());
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let level =
            futures::executor::block_on(h.read_input(&hw, &def.features[2], InputType::Battery));
        assert_eq!(level.ok(), Some(64));
    }
}

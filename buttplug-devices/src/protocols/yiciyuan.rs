//! Yiciyuan (FJB cups): one 16-byte packet `[35 12 stroke vibe axis_c 00×11]` with all three
//! axes; the 0-100 hardware value is scaled to the device's 0-20 (`(v × 20 + 50) / 100`). Battery
//! is pushed by the device on `rxblebattery` as `[35 13 01 percent]` frames once subscribed.

use super::layout_common::FeatureValues;
use super::packet_util::battery_only;
use crate::{
    DeviceError, Endpoint, FeatureDefinition, Hardware, HardwareCommand, HardwareError,
    HardwareEvent, InputReading, OutputCommand, ProtocolHandler, SimpleProtocol, with_timeout,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};
use futures::StreamExt;
use std::time::Duration;

/// The device's highest level per axis.
const DEVICE_MAX: i32 = 20;

/// The axes in a packet (features 0-2: stroke, vibrate, axis c).
const AXES: u32 = 3;

/// How long a battery read waits for the device's next push (it pushes about once a second).
const BATTERY_TIMEOUT: Duration = Duration::from_millis(1500);

/// Handler state: the level of each axis and the battery feature, if subscribed.
#[derive(Debug)]
struct Yiciyuan {
    axes: FeatureValues,
    battery_feature: Option<u32>,
}

/// The battery percentage of a battery push frame.
fn battery_frame(data: &[u8]) -> Option<i32> {
    match data {
        [0x35, 0x13, _, percent, ..] => Some(i32::from(*percent)),
        _ => None,
    }
}

#[async_trait]
impl ProtocolHandler for Yiciyuan {
    fn protocol_id(&self) -> &'static str {
        "yiciyuan"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// All three axes are in the one packet: apply the whole change, then write it once.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            let supported = matches!(cmd.output_type, OutputType::Oscillate | OutputType::Vibrate);
            if !supported || cmd.feature_index >= AXES {
                return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
            }
        }
        for cmd in cmds {
            let level = (cmd.value.clamp(0, 100) * DEVICE_MAX + 50) / 100;
            self.axes.set(cmd.feature_index, level);
        }
        let mut data = vec![0u8; 16];
        data[0] = 0x35;
        data[1] = 0x12;
        for (slot, value) in data[2..5].iter_mut().zip(self.axes.all()) {
            *slot = *value as u8;
        }
        Ok(vec![HardwareCommand::write(Endpoint::Tx, data)])
    }

    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        battery_only(self.protocol_id(), input_type, "read", feature)?;
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::RxBleBattery).await?;
        let wait = async {
            while let Some(event) = events.next().await {
                match event {
                    HardwareEvent::Notification {
                        endpoint: Endpoint::RxBleBattery,
                        data,
                    } => {
                        if let Some(percent) = battery_frame(&data) {
                            return Ok(percent);
                        }
                    }
                    HardwareEvent::Notification { .. } => {}
                    HardwareEvent::Disconnected => break,
                }
            }
            Err(DeviceError::Hardware(HardwareError::Disconnected))
        };
        with_timeout(BATTERY_TIMEOUT, wait).await?
    }

    fn subscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        battery_only(self.protocol_id(), input_type, "subscribe", feature)?;
        self.battery_feature = Some(feature.index);
        Ok(vec![HardwareCommand::subscribe(Endpoint::RxBleBattery)])
    }

    fn unsubscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        battery_only(self.protocol_id(), input_type, "unsubscribe", feature)?;
        self.battery_feature = None;
        Ok(vec![HardwareCommand::unsubscribe(Endpoint::RxBleBattery)])
    }

    fn parse_notification(&mut self, endpoint: Endpoint, data: &[u8]) -> Vec<InputReading> {
        match (endpoint, self.battery_feature, battery_frame(data)) {
            (Endpoint::RxBleBattery, Some(feature_index), Some(value)) => vec![InputReading {
                feature_index,
                input_type: InputType::Battery,
                value,
            }],
            _ => Vec::new(),
        }
    }
}

/// The `yiciyuan` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("yiciyuan", |_| {
    Box::new(Yiciyuan {
        axes: FeatureValues::with_len(AXES as usize),
        battery_feature: None,
    })
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs, with_battery};
    use futures::executor::block_on;

    fn def() -> crate::DeviceDefinition {
        with_battery(definition(
            "yiciyuan",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        ))
    }

    fn packet(stroke: u8, vibe: u8, axis_c: u8) -> Vec<HardwareCommand> {
        let mut data = vec![0u8; 16];
        data[..5].copy_from_slice(&[0x35, 0x12, stroke, vibe, axis_c]);
        vec![HardwareCommand::write(Endpoint::Tx, data)]
    }

    #[test]
    fn all_axes_in_one_packet_and_stop() {
        let hw = SimulatedHardware::builder("YCY-FJB-01", "aa")
            .endpoints([Endpoint::Tx, Endpoint::RxBleBattery])
            .build();
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(0, OutputType::Oscillate, 100)
            ),
            packet(20, 0, 0)
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 50)),
            packet(20, 10, 0)
        );
        // 33 × 20 = 660, + 50 = 710, / 100 = 7
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 33)),
            packet(20, 10, 7)
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0)),
            packet(0, 10, 7)
        );
        assert!(
            h.handle_output(&OutputCommand::new(3, OutputType::Vibrate, 1))
                .is_err()
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn battery_read_waits_for_push() {
        let hw = SimulatedHardware::builder("YCY-FJB-01", "aa")
            .endpoints([Endpoint::Tx, Endpoint::RxBleBattery])
            .build();
        let def = def();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let pusher = hw.clone();
        let push = std::thread::spawn(move || {
            let _ = block_on(pusher.wait_for_commands(1, Duration::from_secs(2)));
            pusher.notify(Endpoint::RxBleBattery, vec![0x35, 0x14, 0x00, 0x00]);
            pusher.notify(Endpoint::RxBleBattery, vec![0x35, 0x13, 0x01, 64, 0x00]);
        });
        let got = block_on(h.read_input(&hw, &def.features[3], InputType::Battery)).ok();
        let _ = push.join();
        assert_eq!(got, Some(64));
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::RxBleBattery)]
        );
    }

    #[test]
    fn battery_subscription() {
        let hw = SimulatedHardware::builder("YCY-FJB-02", "aa").build();
        let def = def();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(
            h.parse_notification(Endpoint::RxBleBattery, &[0x35, 0x13, 0x01, 50])
                .is_empty()
        );
        let feature = &def.features[3];
        assert_eq!(
            h.subscribe_input(feature, InputType::Battery).ok(),
            Some(vec![HardwareCommand::subscribe(Endpoint::RxBleBattery)])
        );
        assert_eq!(
            h.parse_notification(Endpoint::RxBleBattery, &[0x35, 0x13, 0x01, 50]),
            vec![InputReading {
                feature_index: 3,
                input_type: InputType::Battery,
                value: 50
            }]
        );
        assert!(
            h.parse_notification(Endpoint::RxBleBattery, &[0x35, 0x14, 0x01, 50])
                .is_empty()
        );
        assert_eq!(
            h.unsubscribe_input(feature, InputType::Battery).ok(),
            Some(vec![HardwareCommand::unsubscribe(Endpoint::RxBleBattery)])
        );
        assert!(h.subscribe_input(feature, InputType::Pressure).is_err());
    }

    #[test]
    fn a_change_of_every_axis_is_one_packet() {
        let hw = SimulatedHardware::builder("YCY-FJB-01", "aa").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        let packet = |a: u8, b: u8, c: u8| {
            let mut data = vec![0u8; 16];
            data[..5].copy_from_slice(&[0x35, 0x12, a, b, c]);
            vec![HardwareCommand::write(Endpoint::Tx, data)]
        };
        // 50 → level 10, 25 → 5, 75 → 15.
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Oscillate, 50),
                    OutputCommand::new(1, OutputType::Vibrate, 25),
                    OutputCommand::new(2, OutputType::Vibrate, 75)
                ]
            ),
            packet(10, 5, 15)
        );
        // A refused change (the battery feature has no output) changes no axis.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(1, OutputType::Vibrate, 100),
                OutputCommand::new(3, OutputType::Vibrate, 1)
            ])
            .is_err()
        );
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(1, OutputType::Vibrate, 0),
                    OutputCommand::new(2, OutputType::Vibrate, 0)
                ]
            ),
            packet(10, 0, 0)
        );
    }
}

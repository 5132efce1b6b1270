//! Sensee v2 (Capsule, Astronaut, Markel ...): initialize reads the model data from `tx`
//! (device type = byte 6 when present and non-zero, else `65`). Every command sends the state
//! of all outputs, `[55 aa f0 02 00 len type f1 payload... 00 00]` with `len` = 4 + payload
//! length; the payload is the number of output groups the device has, then per group (`00`
//! vibrate, `01` thrust = oscillate, `02` suck = constrict) its id, motor count and
//! `(motor number from 1, value)` pairs, motors numbered in feature order. The trailing two
//! (checksum) bytes stay zero, as upstream leaves them.

use super::packet_util::{apply_change, byte};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// How long the model read may take.
const MODEL_READ_TIMEOUT: Duration = Duration::from_millis(500);

/// The device type used when the model data has none.
const DEFAULT_DEVICE_TYPE: u8 = 0x65;

/// The output groups, in packet order, with their group ids.
const GROUPS: [(OutputType, u8); 3] = [
    (OutputType::Vibrate, 0x00),
    (OutputType::Oscillate, 0x01),
    (OutputType::Constrict, 0x02),
];

/// One output group of the packet: its id, output type and motors (feature index, value).
#[derive(Debug)]
struct Group {
    id: u8,
    output_type: OutputType,
    motors: Vec<(u32, u8)>,
}

/// Handler state: device type and the device's output groups.
#[derive(Debug)]
struct SenseeV2Handler {
    device_type: u8,
    groups: Vec<Group>,
}

impl SenseeV2Handler {
    fn new(device_type: u8, def: &DeviceDefinition) -> Self {
        let groups = GROUPS
            .iter()
            .filter_map(|(output_type, id)| {
                let motors: Vec<(u32, u8)> = def
                    .features_with_output(*output_type)
                    .into_iter()
                    .map(|i| (i, 0))
                    .collect();
                (!motors.is_empty()).then_some(Group {
                    id: *id,
                    output_type: *output_type,
                    motors,
                })
            })
            .collect();
        SenseeV2Handler {
            device_type,
            groups,
        }
    }

    fn packet(&self) -> Vec<u8> {
        let mut payload = vec![self.groups.len() as u8];
        for group in &self.groups {
            payload.push(group.id);
            payload.push(group.motors.len() as u8);
            for (n, (_, value)) in group.motors.iter().enumerate() {
                payload.push((n + 1) as u8);
                payload.push(*value);
            }
        }
        let mut data = vec![
            0x55,
            0xaa,
            0xf0,
            0x02,
            0x00,
            (4 + payload.len()) as u8,
            self.device_type,
            0xf1,
        ];
        data.extend(payload);
        data.extend([0x00, 0x00]);
        data
    }
}

impl ProtocolHandler for SenseeV2Handler {
    fn protocol_id(&self) -> &'static str {
        "sensee-v2"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One packet with every group, whatever the change touched.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        apply_change(
            &mut self.groups,
            cmds,
            |groups, cmd| {
                groups
                    .iter()
                    .enumerate()
                    .filter(|(_, group)| group.output_type == cmd.output_type)
                    .find_map(|(g, group)| {
                        let m = group
                            .motors
                            .iter()
                            .position(|(index, _)| *index == cmd.feature_index)?;
                        Some((g, m))
                    })
                    .ok_or_else(|| DeviceError::unsupported_output("sensee-v2", cmd))
            },
            |groups, (g, m), cmd| groups[g].motors[m].1 = byte(cmd.value),
        )?;
        Ok(vec![HardwareCommand::write(Endpoint::Tx, self.packet())])
    }
}

/// The `sensee-v2` protocol: reads the device type at initialize.
#[derive(Debug)]
pub struct SenseeV2;

/// The `sensee-v2` protocol.
pub static PROTOCOL: SenseeV2 = SenseeV2;

#[async_trait]
impl Protocol for SenseeV2 {
    fn id(&self) -> &'static str {
        "sensee-v2"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let model = hardware.read(Endpoint::Tx, 128, MODEL_READ_TIMEOUT).await?;
        let device_type = model
            .get(6)
            .copied()
            .filter(|t| *t != 0)
            .unwrap_or(DEFAULT_DEVICE_TYPE);
        Ok(Box::new(SenseeV2Handler::new(device_type, definition)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use futures::executor::block_on;

    fn frame(device_type: u8, payload: &[u8]) -> Vec<HardwareCommand> {
        let mut data = vec![
            0x55,
            0xaa,
            0xf0,
            0x02,
            0x00,
            (4 + payload.len()) as u8,
            device_type,
            0xf1,
        ];
        data.extend(payload);
        data.extend([0, 0]);
        vec![HardwareCommand::write(Endpoint::Tx, data)]
    }

    #[test]
    fn device_type_from_model_data() {
        let def = definition("sensee-v2", &[&[(OutputType::Vibrate, [0, 100])]]);
        let hw = SimulatedHardware::builder("CCPA10S2", "aa").build();
        hw.push_read(Endpoint::Tx, vec![1, 2, 3, 4, 5, 6, 0x66, 8]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = OutputCommand::new(0, OutputType::Vibrate, 50);
        assert_eq!(out(h.as_mut(), v), frame(0x66, &[1, 0x00, 1, 1, 50]));
        for model in [vec![1, 2, 3, 4, 5, 6, 0x00], vec![1, 2, 3]] {
            hw.push_read(Endpoint::Tx, model);
            let mut h = handler_for(&PROTOCOL, &hw, &def);
            assert_eq!(out(h.as_mut(), v), frame(0x65, &[1, 0x00, 1, 1, 50]));
        }
        // No answer: initialize fails.
        assert!(block_on(PROTOCOL.initialize(&hw, &def)).is_err());
        assert!(hw.commands().is_empty());
    }

    #[test]
    fn a_change_of_two_groups_is_one_packet() {
        let def = definition(
            "sensee-v2",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Constrict, [0, 100])],
            ],
        );
        let hw = SimulatedHardware::builder("CCPB22S5", "aa").build();
        hw.push_read(Endpoint::Tx, vec![0; 7]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let change = [
            OutputCommand::new(0, OutputType::Vibrate, 40),
            OutputCommand::new(2, OutputType::Constrict, 70),
        ];
        let expected = vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![
                0x55, 0xaa, 0xf0, 0x02, 0x00, 0x11, 0x65, 0xf1, 0x03, 0x00, 0x01, 0x01, 0x28, 0x01,
                0x01, 0x01, 0x00, 0x02, 0x01, 0x01, 0x46, 0x00, 0x00,
            ],
        )];
        assert_eq!(outs(h.as_mut(), &change), expected);
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(1, OutputType::Oscillate, 9),
                OutputCommand::new(1, OutputType::Vibrate, 9)
            ])
            .is_err()
        );
        // Nothing of the rejected change stuck: the same packet again.
        assert_eq!(outs(h.as_mut(), &change), expected);
    }

    #[test]
    fn every_group_in_one_packet_and_stop() {
        let def = definition(
            "sensee-v2",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Constrict, [0, 100])],
            ],
        );
        let hw = SimulatedHardware::builder("CCPB22S5", "aa").build();
        hw.push_read(Endpoint::Tx, vec![0; 7]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 30)),
            frame(0x65, &[3, 0x00, 1, 1, 0, 0x01, 1, 1, 30, 0x02, 1, 1, 0])
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(2, OutputType::Constrict, 100)
            ),
            frame(0x65, &[3, 0x00, 1, 1, 0, 0x01, 1, 1, 30, 0x02, 1, 1, 100])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 0)),
            frame(0x65, &[3, 0x00, 1, 1, 0, 0x01, 1, 1, 0, 0x02, 1, 1, 100])
        );
        assert!(
            h.handle_output(&OutputCommand::new(1, OutputType::Vibrate, 1))
                .is_err()
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn motors_numbered_in_feature_order() {
        let def = definition(
            "sensee-v2",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let hw = SimulatedHardware::builder("CTY916S4", "aa").build();
        hw.push_read(Endpoint::Tx, vec![0; 7]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 9)),
            frame(0x65, &[2, 0x00, 2, 1, 0, 2, 9, 0x01, 1, 1, 0])
        );
    }
}

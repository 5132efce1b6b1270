//! Sexverse v1 (Cali, Olis, Rex ...): one packet with every output of the device,
//! `[23 07 len (80|motor, type, value)... xor]`: motor numbers count from 1 in definition order,
//! type `03` vibrate, `04` constrict or oscillate, `06` rotate; `len` = 3 × entries; the last
//! byte is the XOR of all bytes before it.

use super::packet_util::{apply_change, byte, tx};
use crate::{
    DeviceDefinition, DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

/// One output slot of the packet.
#[derive(Debug)]
struct Slot {
    feature_index: u32,
    output_type: OutputType,
    value: u8,
}

/// Handler state: every output slot with its current value.
#[derive(Debug)]
struct SexverseV1 {
    slots: Vec<Slot>,
}

impl SexverseV1 {
    fn new(def: &DeviceDefinition) -> Self {
        let slots = def
            .features
            .iter()
            .flat_map(|f| {
                f.outputs.iter().filter_map(move |o| {
                    type_code(o.output_type).map(|_| Slot {
                        feature_index: f.index,
                        output_type: o.output_type,
                        value: 0,
                    })
                })
            })
            .collect();
        SexverseV1 { slots }
    }

    fn packet(&self) -> Vec<u8> {
        let mut data = vec![0x23, 0x07, (self.slots.len() * 3) as u8];
        for (i, slot) in self.slots.iter().enumerate() {
            data.push(0x80 | (i + 1) as u8);
            data.push(type_code(slot.output_type).unwrap_or(0x03));
            data.push(slot.value);
        }
        let xor = data.iter().fold(0u8, |acc, b| acc ^ b);
        data.push(xor);
        data
    }
}

fn type_code(output_type: OutputType) -> Option<u8> {
    match output_type {
        OutputType::Vibrate => Some(0x03),
        OutputType::Constrict | OutputType::Oscillate => Some(0x04),
        OutputType::Rotate => Some(0x06),
        _ => None,
    }
}

impl ProtocolHandler for SexverseV1 {
    fn protocol_id(&self) -> &'static str {
        "sexverse-v1"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One packet with every output, whatever the change touched.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        apply_change(
            &mut self.slots,
            cmds,
            |slots, cmd| {
                slots
                    .iter()
                    .position(|s| {
                        s.feature_index == cmd.feature_index && s.output_type == cmd.output_type
                    })
                    .ok_or_else(|| DeviceError::unsupported_output("sexverse-v1", cmd))
            },
            |slots, i, cmd| slots[i].value = byte(cmd.value),
        )?;
        Ok(vec![tx(self.packet())])
    }
}

/// The `sexverse-v1` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("sexverse-v1", |def| Box::new(SexverseV1::new(def)));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    fn with_xor(mut data: Vec<u8>) -> Vec<HardwareCommand> {
        let x = data.iter().fold(0u8, |a, b| a ^ b);
        data.push(x);
        vec![tx(data)]
    }

    #[test]
    fn single_motor_and_stop() {
        let hw = SimulatedHardware::builder("Rex", "aa").build();
        let def = definition("sexverse-v1", &[&[(OutputType::Vibrate, [0, 255])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // 23 ^ 07 ^ 03 ^ 81 ^ 03 ^ 80 = 25
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0x80)),
            vec![tx([0x23, 0x07, 0x03, 0x81, 0x03, 0x80, 0x25])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            with_xor(vec![0x23, 0x07, 0x03, 0x81, 0x03, 0x00])
        );
    }

    #[test]
    fn a_change_of_two_outputs_is_one_packet() {
        let hw = SimulatedHardware::builder("Olis", "aa").build();
        let def = definition(
            "sexverse-v1",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Rotate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let both = [
            OutputCommand::new(0, OutputType::Vibrate, 0x40),
            OutputCommand::new(2, OutputType::Rotate, 0x10),
        ];
        assert_eq!(
            outs(h.as_mut(), &both),
            vec![tx([
                0x23, 0x07, 0x09, 0x81, 0x03, 0x40, 0x82, 0x03, 0x00, 0x83, 0x06, 0x10, 0xfb
            ])]
        );
        // Rejected as a whole: the vibrator keeps 0x40.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 1),
                OutputCommand::new(2, OutputType::Vibrate, 1)
            ])
            .is_err()
        );
        let stop = [
            OutputCommand::new(0, OutputType::Vibrate, 0),
            OutputCommand::new(1, OutputType::Vibrate, 0),
            OutputCommand::new(2, OutputType::Rotate, 0),
        ];
        // 23 ^ 07 ^ 09 ^ 81 ^ 03 ^ 82 ^ 03 ^ 83 ^ 06 = ab
        assert_eq!(
            outs(h.as_mut(), &stop),
            vec![tx([
                0x23, 0x07, 0x09, 0x81, 0x03, 0x00, 0x82, 0x03, 0x00, 0x83, 0x06, 0x00, 0xab
            ])]
        );
    }

    #[test]
    fn three_outputs_in_one_packet() {
        let hw = SimulatedHardware::builder("Olis", "aa").build();
        let def = definition(
            "sexverse-v1",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Rotate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 10)),
            with_xor(vec![
                0x23, 0x07, 0x09, 0x81, 0x03, 0, 0x82, 0x03, 10, 0x83, 0x06, 0
            ])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Rotate, 200)),
            with_xor(vec![
                0x23, 0x07, 0x09, 0x81, 0x03, 0, 0x82, 0x03, 10, 0x83, 0x06, 200
            ])
        );
        assert!(
            h.handle_output(&OutputCommand::new(2, OutputType::Vibrate, 1))
                .is_err()
        );
    }

    #[test]
    fn constrict_uses_pump_code() {
        let hw = SimulatedHardware::builder("Cali", "aa").build();
        let def = definition(
            "sexverse-v1",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Constrict, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Constrict, 7)),
            with_xor(vec![0x23, 0x07, 0x06, 0x81, 0x03, 0, 0x82, 0x04, 7])
        );
    }
}

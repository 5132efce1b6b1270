//! Sexverse v6 (Aether, Sirius): one packet `[aa 03 03 vibe osc suck]` with the current value of
//! every output type.

use super::packet_util::{apply_change, byte, tx};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// Handler state: the last vibrate, oscillate and constrict values.
#[derive(Debug, Default)]
struct SexverseV6 {
    vibe: u8,
    osc: u8,
    suck: u8,
}

impl ProtocolHandler for SexverseV6 {
    fn protocol_id(&self) -> &'static str {
        "sexverse-v6"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One packet with every output type, whatever the change touched.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        apply_change(
            self,
            cmds,
            |_, cmd| match cmd.output_type {
                OutputType::Vibrate | OutputType::Oscillate | OutputType::Constrict => {
                    Ok(cmd.output_type)
                }
                _ => Err(DeviceError::unsupported_output("sexverse-v6", cmd)),
            },
            |state, output_type, cmd| {
                let value = byte(cmd.value);
                match output_type {
                    OutputType::Vibrate => state.vibe = value,
                    OutputType::Oscillate => state.osc = value,
                    _ => state.suck = value,
                }
            },
        )?;
        Ok(vec![tx([0xaa, 0x03, 0x03, self.vibe, self.osc, self.suck])])
    }
}

/// The `sexverse-v6` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("sexverse-v6", |_| Box::new(SexverseV6::default()));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    #[test]
    fn a_change_of_two_outputs_is_one_packet() {
        let hw = SimulatedHardware::builder("A14M01C", "aa").build();
        let def = definition(
            "sexverse-v6",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Constrict, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 10),
                    OutputCommand::new(2, OutputType::Constrict, 60)
                ]
            ),
            vec![tx([0xaa, 0x03, 0x03, 0x0a, 0x00, 0x3c])]
        );
        // Rejected as a whole: the oscillator stays at rest.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(1, OutputType::Oscillate, 5),
                OutputCommand::new(1, OutputType::Rotate, 5)
            ])
            .is_err()
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 20)),
            vec![tx([0xaa, 0x03, 0x03, 0x14, 0x00, 0x3c])]
        );
    }

    #[test]
    fn all_outputs_in_one_packet_and_stop() {
        let hw = SimulatedHardware::builder("A14M01C", "aa").build();
        let def = definition(
            "sexverse-v6",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Constrict, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 50)),
            vec![tx([0xaa, 0x03, 0x03, 50, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 25)),
            vec![tx([0xaa, 0x03, 0x03, 50, 25, 0])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(2, OutputType::Constrict, 100)
            ),
            vec![tx([0xaa, 0x03, 0x03, 50, 25, 100])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0xaa, 0x03, 0x03, 0, 25, 100])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

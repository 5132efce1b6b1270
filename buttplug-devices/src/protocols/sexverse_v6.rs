//! Sexverse v6 (Aether, Sirius): one packet `[aa 03 03 vibe osc suck]` with the current value of
//! every output type.

use super::packet_util::tx;
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
        let value = cmd.value as u8;
        match cmd.output_type {
            OutputType::Vibrate => self.vibe = value,
            OutputType::Oscillate => self.osc = value,
            OutputType::Constrict => self.suck = value,
            _ => return Err(DeviceError::unsupported_output(self.protocol_id(), cmd)),
        }
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
    use crate::protocols::testing::{definition, handler_for, out};

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

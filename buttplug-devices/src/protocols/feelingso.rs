//! FeelingSo: one packet `[aa 40 03 vib osc 14 19]` carrying the current vibrate (feature 0) and
//! oscillate (feature 1) values (0-19).

use super::layout_common::FeatureValues;
use super::packet_util::{byte, tx};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// The `feelingso` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("feelingso", |_| {
    Box::new(FeelingSo {
        values: FeatureValues::with_len(2),
    })
});

/// Current value of the two slots (feature 0 and feature 1).
#[derive(Debug)]
struct FeelingSo {
    values: FeatureValues,
}

impl ProtocolHandler for FeelingSo {
    fn protocol_id(&self) -> &'static str {
        "feelingso"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if !matches!(cmd.output_type, OutputType::Vibrate | OutputType::Oscillate) {
            return Err(DeviceError::unsupported_output("feelingso", cmd));
        }
        self.values.set_command(cmd)?;
        let v = |index| byte(self.values.get(index));
        Ok(vec![tx([0xaa, 0x40, 0x03, v(0), v(1), 0x14, 0x19])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn both_values_in_every_packet() {
        let hw = SimulatedHardware::builder("Flair Feel", "a").build();
        let def = definition(
            "feelingso",
            &[
                &[(OutputType::Vibrate, [0, 19])],
                &[(OutputType::Oscillate, [0, 19])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 10)),
            vec![tx([0xaa, 0x40, 0x03, 10, 0, 0x14, 0x19])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 19)),
            vec![tx([0xaa, 0x40, 0x03, 10, 19, 0x14, 0x19])]
        );
        out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 0)),
            vec![tx([0xaa, 0x40, 0x03, 0, 0, 0x14, 0x19])]
        );
    }
}

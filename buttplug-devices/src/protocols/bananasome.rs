//! Bananasome: one packet `[a0 03 v0 v1 v2]` carrying the current value of all three features
//! (0-255).

use super::layout_common::FeatureValues;
use super::packet_util::{byte, tx};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// The `bananasome` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("bananasome", |_| {
    Box::new(Bananasome {
        values: FeatureValues::with_len(3),
    })
});

/// Current value of each of the three slots.
#[derive(Debug)]
struct Bananasome {
    values: FeatureValues,
}

impl ProtocolHandler for Bananasome {
    fn protocol_id(&self) -> &'static str {
        "bananasome"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if !matches!(cmd.output_type, OutputType::Vibrate | OutputType::Oscillate) {
            return Err(DeviceError::unsupported_output("bananasome", cmd));
        }
        self.values.set_command(cmd)?;
        let v = |index| byte(self.values.get(index));
        Ok(vec![tx([0xa0, 0x03, v(0), v(1), v(2)])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn all_slots_in_every_packet() {
        let hw = SimulatedHardware::builder("火箭X7", "a").build();
        let def = definition(
            "bananasome",
            &[
                &[(OutputType::Oscillate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 10)),
            vec![tx([0xa0, 0x03, 10, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 30)),
            vec![tx([0xa0, 0x03, 10, 0, 30])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 20)),
            vec![tx([0xa0, 0x03, 10, 20, 30])]
        );
        out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0));
        out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 0)),
            vec![tx([0xa0, 0x03, 0, 0, 0])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(3, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

//! Je Joue: `[pattern speed]` on `tx` (0-5 per motor). Motor 0 running: pattern 02 with motor
//! 0's speed (whatever motor 1 does); only motor 1 running: pattern 03 with motor 1's speed; both
//! off: `[01 00]`.

use super::layout_common::feature_slot;
use super::packet_util::{byte, tx};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// The `jejoue` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("jejoue", |_| Box::new(JeJoue::default()));

/// Current speed of each motor.
#[derive(Debug, Default)]
struct JeJoue {
    speeds: [u8; 2],
}

impl ProtocolHandler for JeJoue {
    fn protocol_id(&self) -> &'static str {
        "jejoue"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output("jejoue", cmd));
        }
        *feature_slot(&mut self.speeds, cmd)? = byte(cmd.value);
        let packet = match self.speeds {
            [0, 0] => [0x01, 0x00],
            [0, s1] => [0x03, s1],
            [s0, _] => [0x02, s0],
        };
        Ok(vec![tx(packet)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn patterns() {
        let hw = SimulatedHardware::builder("Je Joue", "a").build();
        let def = definition(
            "jejoue",
            &[
                &[(OutputType::Vibrate, [0, 5])],
                &[(OutputType::Vibrate, [0, 5])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mut run = |f, v| out(h.as_mut(), OutputCommand::new(f, OutputType::Vibrate, v));
        assert_eq!(run(1, 4), vec![tx([0x03, 4])]);
        assert_eq!(run(0, 2), vec![tx([0x02, 2])]);
        assert_eq!(run(1, 0), vec![tx([0x02, 2])]);
        assert_eq!(run(0, 0), vec![tx([0x01, 0])]);
    }
}

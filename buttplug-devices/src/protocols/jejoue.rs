//! Je Joue: `[pattern speed]` on `tx` (0-5 per motor). Motor 0 running: pattern 02 with motor
//! 0's speed (whatever motor 1 does); only motor 1 running: pattern 03 with motor 1's speed; both
//! off: `[01 00]`.

use super::motor_packet_common::{MotorPacket, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

/// The `jejoue` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("jejoue", |def| {
    Box::new(MotorPacket::new(
        "jejoue",
        def,
        &[OutputType::Vibrate],
        2,
        packet,
    ))
});

/// `[pattern speed]` for the two motor speeds.
fn packet(values: &[u8]) -> Vec<u8> {
    match (slot(values, 0), slot(values, 1)) {
        (0, 0) => vec![0x01, 0x00],
        (0, s1) => vec![0x03, s1],
        (s0, _) => vec![0x02, s0],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::packet_util::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{OutputCommand, SimulatedHardware};

    #[test]
    fn one_packet_for_both_motors() {
        let hw = SimulatedHardware::builder("Je Joue", "a").build();
        let def = definition(
            "jejoue",
            &[
                &[(OutputType::Vibrate, [0, 5])],
                &[(OutputType::Vibrate, [0, 5])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        // Motor 1 alone would be pattern 03; with motor 0 in the same change it is pattern 02.
        assert_eq!(
            outs(h.as_mut(), &[vib(1, 4), vib(0, 2)]),
            vec![tx([0x02, 2])]
        );
        assert_eq!(outs(h.as_mut(), &[vib(0, 0)]), vec![tx([0x03, 4])]);
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]),
            vec![tx([0x01, 0])]
        );
    }

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

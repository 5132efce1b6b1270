//! FeelingSo: one packet `[aa 40 03 vib osc 14 19]` carrying the current vibrate (feature 0) and
//! oscillate (feature 1) values (0-19).

use super::motor_packet_common::{MotorPacket, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

/// The `feelingso` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("feelingso", |def| {
    Box::new(MotorPacket::new(
        "feelingso",
        def,
        &[OutputType::Vibrate, OutputType::Oscillate],
        2,
        packet,
    ))
});

/// `[aa 40 03 v0 v1 14 19]`.
fn packet(values: &[u8]) -> Vec<u8> {
    vec![
        0xaa,
        0x40,
        0x03,
        slot(values, 0),
        slot(values, 1),
        0x14,
        0x19,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::packet_util::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{OutputCommand, SimulatedHardware};

    #[test]
    fn one_packet_for_both_outputs() {
        let hw = SimulatedHardware::builder("Flair Feel", "a").build();
        let def = definition(
            "feelingso",
            &[
                &[(OutputType::Vibrate, [0, 19])],
                &[(OutputType::Oscillate, [0, 19])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |v| OutputCommand::new(0, OutputType::Vibrate, v);
        let osc = |v| OutputCommand::new(1, OutputType::Oscillate, v);
        assert_eq!(
            outs(h.as_mut(), &[vib(5), osc(12)]),
            vec![tx([0xaa, 0x40, 0x03, 5, 12, 0x14, 0x19])]
        );
        // A refused change writes nothing and changes nothing.
        assert!(
            h.handle_outputs(&[vib(9), OutputCommand::new(2, OutputType::Oscillate, 1)])
                .is_err()
        );
        assert_eq!(
            outs(h.as_mut(), &[osc(3)]),
            vec![tx([0xaa, 0x40, 0x03, 5, 3, 0x14, 0x19])]
        );
        assert_eq!(
            outs(h.as_mut(), &[osc(0), vib(0)]),
            vec![tx([0xaa, 0x40, 0x03, 0, 0, 0x14, 0x19])]
        );
    }

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

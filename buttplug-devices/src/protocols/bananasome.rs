//! Bananasome: one packet `[a0 03 v0 v1 v2]` carrying the current value of all three features
//! (0-255).

use super::motor_packet_common::{MotorPacket, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

/// The `bananasome` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("bananasome", |def| {
    Box::new(MotorPacket::new(
        "bananasome",
        def,
        &[OutputType::Vibrate, OutputType::Oscillate],
        3,
        packet,
    ))
});

/// `[a0 03 v0 v1 v2]`.
fn packet(values: &[u8]) -> Vec<u8> {
    vec![
        0xa0,
        0x03,
        slot(values, 0),
        slot(values, 1),
        slot(values, 2),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::packet_util::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{OutputCommand, ProtocolHandler, SimulatedHardware};

    fn rocket() -> Box<dyn ProtocolHandler> {
        let hw = SimulatedHardware::builder("火箭X7", "a").build();
        let def = definition(
            "bananasome",
            &[
                &[(OutputType::Oscillate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
            ],
        );
        handler_for(&PROTOCOL, &hw, &def)
    }

    #[test]
    fn one_packet_for_a_change_of_several_features() {
        let mut h = rocket();
        let osc = |v| OutputCommand::new(0, OutputType::Oscillate, v);
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        assert_eq!(
            outs(h.as_mut(), &[osc(10), vib(2, 30)]),
            vec![tx([0xa0, 0x03, 10, 0, 30])]
        );
        // A refused change writes nothing and changes nothing.
        assert!(
            h.handle_outputs(&[vib(1, 5), OutputCommand::new(1, OutputType::Rotate, 1)])
                .is_err()
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(1, 7)]),
            vec![tx([0xa0, 0x03, 10, 7, 30])]
        );
        // The stop of every feature is one packet.
        assert_eq!(
            outs(h.as_mut(), &[osc(0), vib(1, 0), vib(2, 0)]),
            vec![tx([0xa0, 0x03, 0, 0, 0])]
        );
    }

    #[test]
    fn all_slots_in_every_packet() {
        let mut h = rocket();
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

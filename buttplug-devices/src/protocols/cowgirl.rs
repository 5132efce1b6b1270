//! The Cowgirl / The Unicorn: one packet `[00 01 vib rot]` on `tx` with response, carrying the
//! current vibrate (feature 0) and rotate (feature 1) values (0-255).

use super::motor_packet_common::{MotorPacket, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

/// The `cowgirl` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("cowgirl", |def| {
    Box::new(
        MotorPacket::new(
            "cowgirl",
            def,
            &[OutputType::Vibrate, OutputType::Rotate],
            2,
            packet,
        )
        .with_response(),
    )
});

/// `[00 01 vib rot]`.
fn packet(values: &[u8]) -> Vec<u8> {
    vec![0x00, 0x01, slot(values, 0), slot(values, 1)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::packet_util::tx_wwr;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{OutputCommand, SimulatedHardware};

    #[test]
    fn one_packet_for_vibrate_and_rotate() {
        let hw = SimulatedHardware::builder("THE UNICORN", "a").build();
        let def = definition(
            "cowgirl",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Rotate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |v| OutputCommand::new(0, OutputType::Vibrate, v);
        let rot = |v| OutputCommand::new(1, OutputType::Rotate, v);
        assert_eq!(
            outs(h.as_mut(), &[rot(200), vib(64)]),
            vec![tx_wwr([0x00, 0x01, 64, 200])]
        );
        assert!(
            h.handle_outputs(&[vib(1), OutputCommand::new(1, OutputType::Oscillate, 1)])
                .is_err()
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0), rot(0)]),
            vec![tx_wwr([0x00, 0x01, 0, 0])]
        );
    }

    #[test]
    fn vibrate_rotate_and_stop() {
        let hw = SimulatedHardware::builder("THE COWGIRL", "a").build();
        let def = definition(
            "cowgirl",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Rotate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 100)),
            vec![tx_wwr([0x00, 0x01, 100, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 50)),
            vec![tx_wwr([0x00, 0x01, 100, 50])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0x00, 0x01, 0, 50])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 0)),
            vec![tx_wwr([0x00, 0x01, 0, 0])]
        );
    }
}

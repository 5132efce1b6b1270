//! Galaku pump (Nebula): one enciphered frame (the Galaku cipher) `[5a 00 00 01 60 03 osc vib
//! 00 00]` carrying the current oscillate (feature 0) and vibrate (feature 1) values, on `tx`
//! with response (0-100).

use super::galaku::frame;
use super::motor_packet_common::{MotorPacket, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

/// The `galaku-pump` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("galaku-pump", |def| {
    Box::new(
        MotorPacket::new(
            "galaku-pump",
            def,
            &[OutputType::Oscillate, OutputType::Vibrate],
            2,
            packet,
        )
        .with_response(),
    )
});

/// The enciphered frame for the oscillate (slot 0) and vibrate (slot 1) values.
fn packet(values: &[u8]) -> Vec<u8> {
    frame(&[
        0x5a,
        0x00,
        0x00,
        0x01,
        0x60,
        0x03,
        slot(values, 0),
        slot(values, 1),
        0x00,
        0x00,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::packet_util::tx_wwr;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{OutputCommand, SimulatedHardware};

    #[test]
    fn one_frame_for_both_outputs() {
        let hw = SimulatedHardware::builder("V415", "a").build();
        let def = definition(
            "galaku-pump",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // Plain [23 5a 00 00 01 60 03 28 64 00 00 6d]: the frame the two single changes
        // (oscillate 40, then vibrate 100) end with.
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(1, OutputType::Vibrate, 100),
                    OutputCommand::new(0, OutputType::Oscillate, 40)
                ]
            ),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x4b, 0x97, 0xa3, 0x3b, 0x4e
            ])]
        );
        // Plain [23 5a 00 00 01 60 03 00 00 00 00 e1].
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Oscillate, 0),
                    OutputCommand::new(1, OutputType::Vibrate, 0)
                ]
            ),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x33, 0xbb, 0xa3, 0x3b, 0xd2
            ])]
        );
    }

    #[test]
    fn both_values_in_every_frame() {
        let hw = SimulatedHardware::builder("V415", "a").build();
        let def = definition(
            "galaku-pump",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 40)),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x4b, 0xbb, 0xa3, 0x3b, 0x2a
            ])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 100)),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x4b, 0x97, 0xa3, 0x3b, 0x4e
            ])]
        );
        out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x33, 0xbb, 0xa3, 0x3b, 0xd2
            ])]
        );
    }
}

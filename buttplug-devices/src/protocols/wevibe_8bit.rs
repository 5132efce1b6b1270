//! We-Vibe 8-bit toys (Moxie, Vector, Melt, Wand, Bond, Nova 2 ...): no handshake;
//! `[0f 03 00 ext+3 int+3 status 00 00]` with response.

use super::motor_packet_common::MotorPacket;
use super::wevibe_common::{STOP, motors, status};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "wevibe-8bit";

fn packet(v: &[u8]) -> Vec<u8> {
    match motors(v) {
        None => STOP.to_vec(),
        Some((int, ext)) => vec![
            0x0f,
            0x03,
            0x00,
            ext.wrapping_add(3),
            int.wrapping_add(3),
            status(int, ext),
            0x00,
            0x00,
        ],
    }
}

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(ID, def, &[OutputType::Vibrate], 1, packet).with_response())
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{Endpoint, HardwareCommand, OutputCommand, SimulatedHardware};

    fn w(data: Vec<u8>) -> HardwareCommand {
        HardwareCommand::write_with_response(Endpoint::Tx, data)
    }

    #[test]
    fn dual_motor() {
        let hw = SimulatedHardware::builder("Nova 2", "a").build();
        let v = (OutputType::Vibrate, [0, 27]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        assert!(hw.commands().is_empty());
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 27)),
            vec![w(vec![0x0f, 3, 0, 3, 30, 1, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 10)),
            vec![w(vec![0x0f, 3, 0, 13, 30, 3, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![0x0f, 3, 0, 13, 3, 2, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w(STOP.to_vec())]
        );
    }

    #[test]
    fn single_motor() {
        let hw = SimulatedHardware::builder("Melt", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[(OutputType::Vibrate, [0, 22])]]),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 11)),
            vec![w(vec![0x0f, 3, 0, 14, 14, 3, 0, 0])]
        );
    }

    #[test]
    fn both_motors_in_one_change_are_one_packet() {
        // The Vector: two motors 0-12; both at 6 → ext+3 = 9, int+3 = 9, both on.
        let hw = SimulatedHardware::builder("Vector", "a").build();
        let v = (OutputType::Vibrate, [0, 12]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 6),
                    OutputCommand::new(1, OutputType::Vibrate, 6)
                ]
            ),
            vec![w(vec![0x0f, 3, 0, 9, 9, 3, 0, 0])]
        );
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(1, OutputType::Vibrate, 0)
                ]
            ),
            vec![w(STOP.to_vec())]
        );
    }
}

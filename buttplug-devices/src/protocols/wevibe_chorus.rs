//! We-Vibe Chorus family (Chorus, Sync 2, Sync O, Sync Lite): no handshake;
//! `[0f 03 00 int ext status 00 00]` with response (0-30).

use super::motor_packet_common::MotorPacket;
use super::wevibe_common::{STOP, motors, status};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "wevibe-chorus";

fn packet(v: &[u8]) -> Vec<u8> {
    match motors(v) {
        None => STOP.to_vec(),
        Some((int, ext)) => vec![0x0f, 0x03, 0x00, int, ext, status(int, ext), 0x00, 0x00],
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
        let hw = SimulatedHardware::builder("Sync 2", "a").build();
        let v = (OutputType::Vibrate, [0, 30]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 30)),
            vec![w(vec![0x0f, 3, 0, 30, 0, 1, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 12)),
            vec![w(vec![0x0f, 3, 0, 30, 12, 3, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![0x0f, 3, 0, 0, 12, 2, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w(STOP.to_vec())]
        );
    }

    #[test]
    fn single_motor() {
        let hw = SimulatedHardware::builder("Sync O", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[(OutputType::Vibrate, [0, 30])]]),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 7)),
            vec![w(vec![0x0f, 3, 0, 7, 7, 3, 0, 0])]
        );
    }

    #[test]
    fn both_motors_in_one_change_are_one_packet() {
        let hw = SimulatedHardware::builder("Chorus", "a").build();
        let v = (OutputType::Vibrate, [0, 30]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 15),
                    OutputCommand::new(1, OutputType::Vibrate, 8)
                ]
            ),
            vec![w(vec![0x0f, 3, 0, 15, 8, 3, 0, 0])]
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

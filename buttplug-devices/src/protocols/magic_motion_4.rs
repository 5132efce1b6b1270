//! Magic Motion v4 (Bunny, Sundae, Nyx, Umi, Bobi ...): both motors in one 17-byte packet on
//! `tx`, written with response (0-100); single-motor devices put their value in both slots.
//! Battery from the standard BLE battery characteristic.

use super::motor_packet_common::{MotorPacket, first, magic_motion_packet, second_or_first};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "magic-motion-4";

/// Output types this protocol drives (one slot per feature that has one).
const ACCEPTS: &[OutputType] = &[OutputType::Vibrate];

/// `[10 ff 04 0a 32 32 00 04 08 s0 64 00 04 08 s1 64 01]`.
fn packet(v: &[u8]) -> Vec<u8> {
    magic_motion_packet([0x32, 0x32], &[first(v), second_or_first(v)])
}

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(ID, def, ACCEPTS, 1, packet).with_response())
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, with_battery};
    use crate::{Endpoint, HardwareCommand, OutputCommand, SimulatedHardware};

    fn w(data: Vec<u8>) -> HardwareCommand {
        HardwareCommand::write_with_response(Endpoint::Tx, data)
    }

    fn p(a: u8, b: u8) -> Vec<u8> {
        vec![
            0x10, 0xff, 4, 0x0a, 0x32, 0x32, 0, 4, 8, a, 0x64, 0, 4, 8, b, 0x64, 1,
        ]
    }

    #[test]
    fn two_motors_in_one_packet() {
        let hw = SimulatedHardware::builder("umi", "a").build();
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h = handler_for(&PROTOCOL, &hw, &with_battery(definition(ID, &[&[v], &[v]])));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 10)),
            vec![w(p(10, 0))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 90)),
            vec![w(p(10, 90))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(p(0, 90))]
        );
    }

    #[test]
    fn single_motor_fills_both_slots() {
        let hw = SimulatedHardware::builder("nyx", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &with_battery(definition(ID, &[&[(OutputType::Vibrate, [0, 100])]])),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 25)),
            vec![w(p(25, 25))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(p(0, 0))]
        );
    }
}

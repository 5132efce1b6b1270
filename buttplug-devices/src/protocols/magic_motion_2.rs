//! Magic Motion v2 (Eidolon, Awaken, Equinox, Solstice X, FunTown Jive ...): both motors in one
//! 17-byte packet on `tx` (0-100); single-motor devices leave the second slot at 0. Battery
//! from the standard BLE battery characteristic.

use super::motor_packet_common::{MotorPacket, magic_motion_packet, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "magic-motion-2";

/// Output types this protocol drives (one slot per feature that has one).
const ACCEPTS: &[OutputType] = &[OutputType::Vibrate, OutputType::Oscillate];

/// `[10 ff 04 0a 32 0a 00 04 08 s0 64 00 04 08 s1 64 01]`.
fn packet(v: &[u8]) -> Vec<u8> {
    magic_motion_packet([0x32, 0x0a], &[slot(v, 0), slot(v, 1)])
}

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(ID, def, ACCEPTS, 2, packet))
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, with_battery};
    use crate::{Endpoint, HardwareCommand, OutputCommand, SimulatedHardware};

    fn w(data: Vec<u8>) -> HardwareCommand {
        HardwareCommand::write(Endpoint::Tx, data)
    }

    fn p(a: u8, b: u8) -> Vec<u8> {
        vec![
            0x10, 0xff, 4, 0x0a, 0x32, 0x0a, 0, 4, 8, a, 0x64, 0, 4, 8, b, 0x64, 1,
        ]
    }

    #[test]
    fn two_motors_in_one_packet() {
        let hw = SimulatedHardware::builder("Eidolon", "a").build();
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h = handler_for(&PROTOCOL, &hw, &with_battery(definition(ID, &[&[v], &[v]])));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 40)),
            vec![w(p(0, 40))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 100)),
            vec![w(p(100, 40))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w(p(100, 0))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(p(0, 0))]
        );
    }

    #[test]
    fn vibrate_plus_oscillate_and_single_motor() {
        let hw = SimulatedHardware::builder("CBT001", "a").build();
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Oscillate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 9)),
            vec![w(p(0, 9))]
        );
        let mut single = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[(OutputType::Vibrate, [0, 100])]]),
        );
        assert_eq!(
            out(
                single.as_mut(),
                OutputCommand::new(0, OutputType::Vibrate, 3)
            ),
            vec![w(p(3, 0))]
        );
    }
}

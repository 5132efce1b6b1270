//! Magic Motion v3 (LoveLife Krush): one 12-byte packet on `tx` (0-77). Battery from the
//! standard BLE battery characteristic.

use super::motor_packet_common::{MotorPacket, first, magic_motion_packet};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "magic-motion-3";

/// Output types this protocol drives (one slot per feature that has one).
const ACCEPTS: &[OutputType] = &[OutputType::Vibrate];

/// `[0b ff 04 0a 46 46 00 04 08 s 64 00]`.
fn packet(v: &[u8]) -> Vec<u8> {
    magic_motion_packet([0x46, 0x46], &[first(v)])
}

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(ID, def, ACCEPTS, 1, packet))
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, with_battery};
    use crate::{Endpoint, HardwareCommand, OutputCommand, SimulatedHardware};

    fn w(data: Vec<u8>) -> HardwareCommand {
        HardwareCommand::write(Endpoint::Tx, data)
    }

    #[test]
    fn packet_bytes() {
        let hw = SimulatedHardware::builder("Krush", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &with_battery(definition(ID, &[&[(OutputType::Vibrate, [0, 77])]])),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 77)),
            vec![w(vec![
                0x0b, 0xff, 4, 0x0a, 0x46, 0x46, 0, 4, 8, 77, 0x64, 0
            ])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![
                0x0b, 0xff, 4, 0x0a, 0x46, 0x46, 0, 4, 8, 0, 0x64, 0
            ])]
        );
    }
}

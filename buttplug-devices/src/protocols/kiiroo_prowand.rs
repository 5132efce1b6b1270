//! Kiiroo ProWand / Luxus: `[00 00 64 (s?ff:00) s s]` on `tx` (0-255). Battery from the
//! standard BLE battery characteristic.

use super::kiiroo_common::prowand_packet;
use super::motor_packet_common::MotorPacket;
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "kiiroo-prowand";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(
        ID,
        def,
        &[OutputType::Vibrate],
        1,
        prowand_packet,
    ))
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
    fn packet() {
        let hw = SimulatedHardware::builder("ProWand", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &with_battery(definition(ID, &[&[(OutputType::Vibrate, [0, 255])]])),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 255)),
            vec![w(vec![0, 0, 0x64, 0xff, 255, 255])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![0, 0, 0x64, 0, 0, 0])]
        );
    }
}

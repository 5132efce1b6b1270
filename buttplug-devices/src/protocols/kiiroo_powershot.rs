//! Kiiroo PowerShot: both motors in one packet `[01 00 00 s0 s1 00]`, written with response.
//! Battery from the standard BLE battery characteristic.

use super::kiiroo_common::powershot_packet;
use super::motor_packet_common::MotorPacket;
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "kiiroo-powershot";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(ID, def, &[OutputType::Vibrate], 2, powershot_packet).with_response())
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, with_battery};
    use crate::{Endpoint, HardwareCommand, OutputCommand, SimulatedHardware};

    fn w(data: Vec<u8>) -> HardwareCommand {
        HardwareCommand::write_with_response(Endpoint::Tx, data)
    }

    #[test]
    fn two_motor_packet() {
        let hw = SimulatedHardware::builder("PowerShot", "a").build();
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h = handler_for(&PROTOCOL, &hw, &with_battery(definition(ID, &[&[v], &[v]])));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 20)),
            vec![w(vec![1, 0, 0, 20, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 80)),
            vec![w(vec![1, 0, 0, 20, 80, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![1, 0, 0, 0, 80, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w(vec![1, 0, 0, 0, 0, 0])]
        );
    }
}

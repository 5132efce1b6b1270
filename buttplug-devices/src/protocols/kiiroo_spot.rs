//! Kiiroo Spot: `[00 ff 00 00 00 s]` on `tx` (0-100). Battery from the standard BLE battery
//! characteristic.

use super::kiiroo_common::spot_packet;
use super::motor_packet_common::MotorPacket;
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "kiiroo-spot";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(
        ID,
        def,
        &[OutputType::Vibrate],
        1,
        spot_packet,
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
        let hw = SimulatedHardware::builder("SPOT W1", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &with_battery(definition(ID, &[&[(OutputType::Vibrate, [0, 100])]])),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 42)),
            vec![w(vec![0, 0xff, 0, 0, 0, 42])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![0, 0xff, 0, 0, 0, 0])]
        );
    }
}

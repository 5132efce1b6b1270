//! Kiiroo Spot 2: `[01 s s 03 e8 ff]` on `tx`, written with response (0-100). Battery from
//! the standard BLE battery characteristic.

use super::kiiroo_common::spot_v2_packet;
use super::motor_packet_common::MotorPacket;
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "kiiroo-spot-v2";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(ID, def, &[OutputType::Vibrate], 1, spot_v2_packet).with_response())
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
    fn packet() {
        let hw = SimulatedHardware::builder("SPOT W2", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &with_battery(definition(ID, &[&[(OutputType::Vibrate, [0, 100])]])),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 42)),
            vec![w(vec![1, 42, 42, 3, 0xe8, 0xff])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![1, 0, 0, 3, 0xe8, 0xff])]
        );
    }
}

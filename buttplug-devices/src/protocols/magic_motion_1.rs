//! Magic Motion v1 (Smart Mini Vibe, Flamingo, Fugu, Xone ...): one 12-byte packet on `tx` for
//! vibrate and oscillate (0-100). Battery from the standard BLE battery characteristic.

use super::motor_packet_common::{MotorPacket, first, magic_motion_packet};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "magic-motion-1";

/// Output types this protocol drives (one slot per feature that has one).
const ACCEPTS: &[OutputType] = &[OutputType::Vibrate, OutputType::Oscillate];

/// `[0b ff 04 0a 32 32 00 04 08 s 64 00]`.
fn packet(v: &[u8]) -> Vec<u8> {
    magic_motion_packet([0x32, 0x32], &[first(v)])
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
    fn vibrate_oscillate_and_battery() {
        let hw = SimulatedHardware::builder("Fugu", "a")
            .endpoints([Endpoint::Tx, Endpoint::RxBleBattery])
            .build();
        let def = with_battery(definition(ID, &[&[(OutputType::Vibrate, [0, 100])]]));
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 77)),
            vec![w(vec![
                0x0b, 0xff, 4, 0x0a, 0x32, 0x32, 0, 4, 8, 77, 0x64, 0
            ])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![
                0x0b, 0xff, 4, 0x0a, 0x32, 0x32, 0, 4, 8, 0, 0x64, 0
            ])]
        );
        let mut xone = handler_for(
            &PROTOCOL,
            &hw,
            &with_battery(definition(ID, &[&[(OutputType::Oscillate, [0, 100])]])),
        );
        assert_eq!(
            out(
                xone.as_mut(),
                OutputCommand::new(0, OutputType::Oscillate, 5)
            ),
            vec![w(vec![
                0x0b, 0xff, 4, 0x0a, 0x32, 0x32, 0, 4, 8, 5, 0x64, 0
            ])]
        );
        hw.set_read_value(Endpoint::RxBleBattery, vec![58]);
        let battery = def.feature(1).expect("battery");
        let level = futures::executor::block_on(h.read_input(
            &hw,
            battery,
            buttplug_core::InputType::Battery,
        ));
        assert_eq!(level.expect("battery"), 58);
    }
}

//! Kiiroo v2 vibrators (Pearl 2, Fuse, Titan, PornHub Virtual Rabbit/Blowbot): the three
//! motor values as three raw bytes on `tx`.

use super::kiiroo_common::v2_vibrator_packet;
use super::motor_packet_common::MotorPacket;
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "kiiroo-v2-vibrator";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(
        ID,
        def,
        &[OutputType::Vibrate],
        3,
        v2_vibrator_packet,
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
    fn three_motor_packet() {
        let hw = SimulatedHardware::builder("Titan", "a").build();
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v], &[v]]));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 50)),
            vec![w(vec![0, 50, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 100)),
            vec![w(vec![0, 50, 100])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 1)),
            vec![w(vec![1, 50, 100])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w(vec![1, 0, 100])]
        );
        assert!(hw.commands().is_empty(), "no handshake");
    }

    #[test]
    fn single_motor_pads_the_packet() {
        let hw = SimulatedHardware::builder("Pearl2", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[(OutputType::Vibrate, [0, 100])]]),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 30)),
            vec![w(vec![30, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![0, 0, 0])]
        );
        let _ = with_battery;
    }
}

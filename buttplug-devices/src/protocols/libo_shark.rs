//! `libo-shark` (Libo Shark): both motors in one byte on `tx`, `(v0 << 4) | v1` (each 0-3).

use super::motor_packet_common::{MotorPacket, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

const ID: &str = "libo-shark";

/// The `libo-shark` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |def| {
    Box::new(MotorPacket::new(ID, def, &[OutputType::Vibrate], 2, packet))
});

/// `(v0 << 4) | v1`: each motor has a nibble.
fn packet(values: &[u8]) -> Vec<u8> {
    let nibble = |i| slot(values, i).min(0x0f);
    vec![(nibble(0) << 4) | nibble(1)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{
        DeviceError, Endpoint, HardwareCommand, KeepaliveStrategy, OutputCommand, SimulatedHardware,
    };

    #[test]
    fn one_byte_for_both_motors() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Vibrate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("ShaYu", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let tx = |d: u8| vec![HardwareCommand::write(Endpoint::Tx, vec![d])];
        assert_eq!(outs(h.as_mut(), &[vib(0, 1), vib(1, 2)]), tx(0x12));
        assert!(h.handle_outputs(&[vib(0, 3), vib(2, 1)]).is_err());
        assert_eq!(outs(h.as_mut(), &[vib(1, 3)]), tx(0x13));
        assert_eq!(outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]), tx(0x00));
    }

    #[test]
    fn both_motors_in_one_byte() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Vibrate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("ShaYu", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let tx = |d: u8| HardwareCommand::write(Endpoint::Tx, vec![d]);
        assert_eq!(out(h.as_mut(), vib(0, 2)), vec![tx(0x20)]);
        assert_eq!(out(h.as_mut(), vib(1, 3)), vec![tx(0x23)]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![tx(0x03)]);
        assert_eq!(out(h.as_mut(), vib(1, 0)), vec![tx(0x00)]);
        assert!(matches!(
            h.handle_output(&vib(2, 1)),
            Err(DeviceError::NoFeature { index: 2 })
        ));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

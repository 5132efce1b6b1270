//! `svakom-v3` (Svakom Phoenix Neo 2, Hannes Neo, Alberta, Fantasy Cup Theodore): the vibrator on
//! feature 0 `[55 03 03 00 on s]`, any other vibrator `[55 09 00 00 on s]`, rotation
//! `[55 08 00 00 s ff]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-v3";

/// The `svakom-v3` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = byte(cmd.value);
    match (cmd.output_type, cmd.feature_index) {
        (OutputType::Vibrate, 0) => Some(vec![HEADER, 0x03, 0x03, 0x00, on(cmd.value), s]),
        (OutputType::Vibrate, _) => Some(vec![HEADER, 0x09, 0x00, 0x00, on(cmd.value), s]),
        (OutputType::Rotate, _) => Some(vec![HEADER, 0x08, 0x00, 0x00, s, 0xff]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn alberta_two_vibrators() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 1])],
            ],
        );
        let hw = SimulatedHardware::builder("QH-SX007E", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(0, 5)), vec![tx(&[0x55, 3, 3, 0, 1, 5])]);
        assert_eq!(out(h.as_mut(), v(1, 1)), vec![tx(&[0x55, 9, 0, 0, 1, 1])]);
        assert_eq!(out(h.as_mut(), v(0, 0)), vec![tx(&[0x55, 3, 3, 0, 0, 0])]);
        assert_eq!(out(h.as_mut(), v(1, 0)), vec![tx(&[0x55, 9, 0, 0, 0, 0])]);
    }

    #[test]
    fn theodore_vibrate_and_rotate() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Rotate, [0, 1])],
            ],
        );
        let hw = SimulatedHardware::builder("FK008A", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let rot = |x| OutputCommand::new(1, OutputType::Rotate, x);
        assert_eq!(out(h.as_mut(), rot(1)), vec![tx(&[0x55, 8, 0, 0, 1, 0xff])]);
        assert_eq!(out(h.as_mut(), rot(0)), vec![tx(&[0x55, 8, 0, 0, 0, 0xff])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

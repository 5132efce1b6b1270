//! `svakom-barnard` (Fantasy Cup Barnard): vibrate `[55 03 00 00 s on]`, oscillate
//! `[55 08 00 00 s (s ? ff : 00)]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-barnard";

/// The `svakom-barnard` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = byte(cmd.value);
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![HEADER, 0x03, 0x00, 0x00, s, on(cmd.value)]),
        OutputType::Oscillate => {
            let running = if cmd.value == 0 { 0x00 } else { 0xff };
            Some(vec![HEADER, 0x08, 0x00, 0x00, s, running])
        }
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
    fn vibrate_oscillate_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Oscillate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("DG239A", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        let osc = |x| OutputCommand::new(1, OutputType::Oscillate, x);
        assert_eq!(out(h.as_mut(), vib(2)), vec![tx(&[0x55, 3, 0, 0, 2, 1])]);
        assert_eq!(out(h.as_mut(), vib(0)), vec![tx(&[0x55, 3, 0, 0, 0, 0])]);
        assert_eq!(out(h.as_mut(), osc(3)), vec![tx(&[0x55, 8, 0, 0, 3, 0xff])]);
        assert_eq!(out(h.as_mut(), osc(0)), vec![tx(&[0x55, 8, 0, 0, 0, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Constrict, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

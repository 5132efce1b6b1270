//! `svakom-avaneo` (Svakom Ava Neo): feature 0 (vibrate or oscillate) `[55 03 00 00 on s]`; any
//! other feature `[55 09 00 00 s ff]` to vibrate, `[55 08 00 00 s ff]` to oscillate.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-avaneo";

/// The `svakom-avaneo` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = byte(cmd.value);
    match (cmd.output_type, cmd.feature_index) {
        (OutputType::Vibrate | OutputType::Oscillate, 0) => {
            Some(vec![HEADER, 0x03, 0x00, 0x00, on(cmd.value), s])
        }
        (OutputType::Vibrate, _) => Some(vec![HEADER, 0x09, 0x00, 0x00, s, 0xff]),
        (OutputType::Oscillate, _) => Some(vec![HEADER, 0x08, 0x00, 0x00, s, 0xff]),
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
        // As the database: vibrate [0, 10] on feature 0, oscillate [0, 1] on feature 1.
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Oscillate, [0, 1])],
            ],
        );
        let hw = SimulatedHardware::builder("Ava Neo", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let osc = |f, x| OutputCommand::new(f, OutputType::Oscillate, x);
        assert_eq!(out(h.as_mut(), vib(0, 7)), vec![tx(&[0x55, 3, 0, 0, 1, 7])]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![tx(&[0x55, 3, 0, 0, 0, 0])]);
        assert_eq!(
            out(h.as_mut(), osc(1, 1)),
            vec![tx(&[0x55, 8, 0, 0, 1, 0xff])]
        );
        assert_eq!(
            out(h.as_mut(), osc(1, 0)),
            vec![tx(&[0x55, 8, 0, 0, 0, 0xff])]
        );
        // The other combinations the notes give.
        assert_eq!(out(h.as_mut(), osc(0, 2)), vec![tx(&[0x55, 3, 0, 0, 1, 2])]);
        assert_eq!(
            out(h.as_mut(), vib(1, 4)),
            vec![tx(&[0x55, 9, 0, 0, 4, 0xff])]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

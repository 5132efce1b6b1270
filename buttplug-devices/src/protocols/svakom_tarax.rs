//! `svakom-tarax` (ToyCod Tara X): feature 0 `[55 03 00 00 s 02]`, stopped as `[55 03 00 00 01 01]`;
//! any other feature `[55 09 00 00 s 00]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-tarax";

/// The `svakom-tarax` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    if cmd.output_type != OutputType::Vibrate {
        return None;
    }
    let s = byte(cmd.value);
    Some(match (cmd.feature_index, s) {
        (0, 0) => vec![HEADER, 0x03, 0x00, 0x00, 0x01, 0x01],
        (0, _) => vec![HEADER, 0x03, 0x00, 0x00, s, 0x02],
        _ => vec![HEADER, 0x09, 0x00, 0x00, s, 0x00],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn both_vibrators_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Vibrate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("SX218A", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(0, 3)), vec![tx(&[0x55, 3, 0, 0, 3, 2])]);
        assert_eq!(out(h.as_mut(), v(1, 2)), vec![tx(&[0x55, 9, 0, 0, 2, 0])]);
        assert_eq!(out(h.as_mut(), v(0, 0)), vec![tx(&[0x55, 3, 0, 0, 1, 1])]);
        assert_eq!(out(h.as_mut(), v(1, 0)), vec![tx(&[0x55, 9, 0, 0, 0, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(1, OutputType::Constrict, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

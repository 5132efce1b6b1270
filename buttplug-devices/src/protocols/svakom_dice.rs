//! `svakom-dice` (Zemalia Dice for Love): vibrate `[55 04 00 00 01 s aa]` (0-255). The roll
//! sensor and battery are not known well enough upstream to be offered.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-dice";

/// The `svakom-dice` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    (cmd.output_type == OutputType::Vibrate)
        .then(|| vec![HEADER, 0x04, 0x00, 0x00, 0x01, byte(cmd.value), 0xaa])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_and_stop() {
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 255])]]);
        let hw = SimulatedHardware::builder("ZhiAi", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), v(255)),
            vec![tx(&[0x55, 4, 0, 0, 1, 0xff, 0xaa])]
        );
        assert_eq!(
            out(h.as_mut(), v(64)),
            vec![tx(&[0x55, 4, 0, 0, 1, 0x40, 0xaa])]
        );
        assert_eq!(
            out(h.as_mut(), v(0)),
            vec![tx(&[0x55, 4, 0, 0, 1, 0, 0xaa])]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

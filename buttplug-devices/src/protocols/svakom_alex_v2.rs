//! `svakom-alex-v2` (Svakom Alex Neo 2): one vibrator, `[55 03 03 00 s s+5]` on `tx`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-alex-v2";

/// The `svakom-alex-v2` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = byte(cmd.value);
    (cmd.output_type == OutputType::Vibrate)
        .then(|| vec![HEADER, 0x03, 0x03, 0x00, s, s.wrapping_add(5)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_stop_and_unsupported() {
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 3])]]);
        let hw = SimulatedHardware::builder("Alex NEO 2", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(2)), vec![tx(&[0x55, 3, 3, 0, 2, 7])]);
        assert_eq!(out(h.as_mut(), v(3)), vec![tx(&[0x55, 3, 3, 0, 3, 8])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx(&[0x55, 3, 3, 0, 0, 5])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

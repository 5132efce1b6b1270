//! `svakom-pulse` (Svakom Pulse family, Mimiki, Coleur Dor ...): vibrate `[55 03 03 00 on s+1]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-pulse";

/// The `svakom-pulse` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        let level = byte(cmd.value).wrapping_add(1);
        vec![HEADER, 0x03, 0x03, 0x00, on(cmd.value), level]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_and_stop() {
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 9])]]);
        let hw = SimulatedHardware::builder("Pulse Union", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(1)), vec![tx(&[0x55, 3, 3, 0, 1, 2])]);
        assert_eq!(out(h.as_mut(), v(9)), vec![tx(&[0x55, 3, 3, 0, 1, 10])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx(&[0x55, 3, 3, 0, 0, 1])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

//! `svakom-v1` (Svakom Ella, Emma Neo, Phoenix Neo): vibrate `[55 04 03 00 on s]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-v1";

/// The `svakom-v1` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    (cmd.output_type == OutputType::Vibrate)
        .then(|| vec![HEADER, 0x04, 0x03, 0x00, on(cmd.value), byte(cmd.value)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_and_stop() {
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 19])]]);
        let hw = SimulatedHardware::builder("Emma NEO", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(19)), vec![tx(&[0x55, 4, 3, 0, 1, 19])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx(&[0x55, 4, 3, 0, 0, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

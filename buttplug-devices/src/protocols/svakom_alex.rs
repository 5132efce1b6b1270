//! `svakom-alex` (Svakom Alex Neo): one vibrator, `[12 01 03 00 level 00]` on `tx`, where a stop
//! is sent as level `ff`.

use super::packet_util::stateless_tx;
use super::svakom_common::byte;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-alex";

/// The `svakom-alex` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let level = if cmd.value == 0 {
        0xff
    } else {
        byte(cmd.value)
    };
    (cmd.output_type == OutputType::Vibrate).then(|| vec![0x12, 0x01, 0x03, 0x00, level, 0x00])
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
        let hw = SimulatedHardware::builder("Alex NEO", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(1)), vec![tx(&[0x12, 1, 3, 0, 1, 0])]);
        assert_eq!(out(h.as_mut(), v(3)), vec![tx(&[0x12, 1, 3, 0, 3, 0])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx(&[0x12, 1, 3, 0, 0xff, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
        assert!(hw.commands().is_empty());
    }
}

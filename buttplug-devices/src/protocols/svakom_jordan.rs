//! `svakom-jordan` (Svakom Jordan): vibrate `[55 03 00 00 on s 00]`, oscillate
//! `[55 08 00 00 on s 00]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-jordan";

/// The `svakom-jordan` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let function = match cmd.output_type {
        OutputType::Vibrate => 0x03,
        OutputType::Oscillate => 0x08,
        _ => return None,
    };
    Some(vec![
        HEADER,
        function,
        0x00,
        0x00,
        on(cmd.value),
        byte(cmd.value),
        0x00,
    ])
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
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Oscillate, [0, 5])],
            ],
        );
        let hw = SimulatedHardware::builder("Jordan", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        let osc = |x| OutputCommand::new(1, OutputType::Oscillate, x);
        assert_eq!(out(h.as_mut(), vib(9)), vec![tx(&[0x55, 3, 0, 0, 1, 9, 0])]);
        assert_eq!(out(h.as_mut(), osc(4)), vec![tx(&[0x55, 8, 0, 0, 1, 4, 0])]);
        assert_eq!(out(h.as_mut(), vib(0)), vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]);
        assert_eq!(out(h.as_mut(), osc(0)), vec![tx(&[0x55, 8, 0, 0, 0, 0, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

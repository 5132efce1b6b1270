//! `svakom-sam2` (Svakom Sam Neo 2 / 2 Pro), all writes with response: vibrate
//! `[55 03 00 00 mode s 00]` (mode `05` = steady, `00` = off), suction (constrict)
//! `[55 09 00 00 on s 00]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-sam2";

/// The `svakom-sam2` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, true));

/// Vibration mode byte for steady vibration (mode 1 is a pattern on this device).
const STEADY: u8 = 0x05;

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = byte(cmd.value);
    match cmd.output_type {
        OutputType::Vibrate => {
            let mode = if cmd.value == 0 { 0x00 } else { STEADY };
            Some(vec![HEADER, 0x03, 0x00, 0x00, mode, s, 0x00])
        }
        OutputType::Constrict => Some(vec![HEADER, 0x09, 0x00, 0x00, on(cmd.value), s, 0x00]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx_wwr;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_constrict_and_stop_with_response() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Constrict, [0, 5])],
            ],
        );
        let hw = SimulatedHardware::builder("Sam Neo 2", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        let con = |x| OutputCommand::new(1, OutputType::Constrict, x);
        assert_eq!(
            out(h.as_mut(), vib(8)),
            vec![tx_wwr(&[0x55, 3, 0, 0, 5, 8, 0])]
        );
        assert_eq!(
            out(h.as_mut(), con(3)),
            vec![tx_wwr(&[0x55, 9, 0, 0, 1, 3, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0)),
            vec![tx_wwr(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), con(0)),
            vec![tx_wwr(&[0x55, 9, 0, 0, 0, 0, 0])]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

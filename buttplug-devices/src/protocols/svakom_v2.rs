//! `svakom-v2` (Svakom Viviana, Ella Neo, Vick Neo, Edeny, Emma Neo 2 ...), all writes with
//! response: the vibrator on feature 1 `[55 06 01 00 s s]`, any other `[55 03 03 00 on s]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-v2";

/// The `svakom-v2` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, true));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    if cmd.output_type != OutputType::Vibrate {
        return None;
    }
    let s = byte(cmd.value);
    Some(if cmd.feature_index == 1 {
        vec![HEADER, 0x06, 0x01, 0x00, s, s]
    } else {
        vec![HEADER, 0x03, 0x03, 0x00, on(cmd.value), s]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx_wwr;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_second_motor_and_stop() {
        // The database's v2 devices have one vibrator; the second-motor layout is tested too.
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 10])],
            ],
        );
        let hw = SimulatedHardware::builder("Viviana", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), v(0, 10)),
            vec![tx_wwr(&[0x55, 3, 3, 0, 1, 10])]
        );
        assert_eq!(
            out(h.as_mut(), v(1, 4)),
            vec![tx_wwr(&[0x55, 6, 1, 0, 4, 4])]
        );
        assert_eq!(
            out(h.as_mut(), v(0, 0)),
            vec![tx_wwr(&[0x55, 3, 3, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), v(1, 0)),
            vec![tx_wwr(&[0x55, 6, 1, 0, 0, 0])]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

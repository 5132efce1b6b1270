//! `svakom-fatima` (Svakom Fatima Pro): vibrate `[55 03 00 00 on s]`, suction (constrict)
//! `[55 09 00 00 on s]`, thrust (oscillate; the value selects a firmware pattern)
//! `[55 08 00 00 s ff]` or `[55 08 00 00 00 00]` to stop, heat (temperature on/off)
//! `[55 05 01 37 02 00 00]` / `[55 05 00 00 02 00 00]`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-fatima";

/// The `svakom-fatima` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = byte(cmd.value);
    let stopped = cmd.value == 0;
    Some(match cmd.output_type {
        OutputType::Vibrate => vec![HEADER, 0x03, 0x00, 0x00, on(cmd.value), s],
        OutputType::Constrict => vec![HEADER, 0x09, 0x00, 0x00, on(cmd.value), s],
        OutputType::Oscillate if stopped => vec![HEADER, 0x08, 0x00, 0x00, 0x00, 0x00],
        OutputType::Oscillate => vec![HEADER, 0x08, 0x00, 0x00, s, 0xff],
        OutputType::Temperature if stopped => vec![HEADER, 0x05, 0x00, 0x00, 0x02, 0x00, 0x00],
        OutputType::Temperature => vec![HEADER, 0x05, 0x01, 0x37, 0x02, 0x00, 0x00],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn every_output_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Constrict, [0, 10])],
                &[(OutputType::Oscillate, [0, 7])],
                &[(OutputType::Temperature, [0, 1])],
            ],
        );
        let hw = SimulatedHardware::builder("SL278B", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let c = |f, t, x| OutputCommand::new(f, t, x);
        use OutputType::{Constrict, Oscillate, Temperature, Vibrate};
        assert_eq!(
            out(h.as_mut(), c(0, Vibrate, 6)),
            vec![tx(&[0x55, 3, 0, 0, 1, 6])]
        );
        assert_eq!(
            out(h.as_mut(), c(1, Constrict, 10)),
            vec![tx(&[0x55, 9, 0, 0, 1, 10])]
        );
        assert_eq!(
            out(h.as_mut(), c(2, Oscillate, 7)),
            vec![tx(&[0x55, 8, 0, 0, 7, 0xff])]
        );
        assert_eq!(
            out(h.as_mut(), c(3, Temperature, 1)),
            vec![tx(&[0x55, 5, 1, 0x37, 2, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), c(0, Vibrate, 0)),
            vec![tx(&[0x55, 3, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), c(1, Constrict, 0)),
            vec![tx(&[0x55, 9, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), c(2, Oscillate, 0)),
            vec![tx(&[0x55, 8, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), c(3, Temperature, 0)),
            vec![tx(&[0x55, 5, 0, 0, 2, 0, 0])]
        );
        assert!(matches!(
            h.handle_output(&c(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

//! `svakom-dt250a` (Coleur Dor DT250A): `[55 mode 00 00 s flag]` with mode `03` for the vibrator on
//! feature 0, `08` for any other vibrator and `09` for constriction; flag is `01` while a vibrator
//! runs, else `00` (always `00` for constriction).

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-dt250a";

/// The `svakom-dt250a` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

const MODE_CONSTRICT: u8 = 0x09;

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let mode = match (cmd.output_type, cmd.feature_index) {
        (OutputType::Vibrate, 0) => 0x03,
        (OutputType::Vibrate, _) => 0x08,
        (OutputType::Constrict, _) => MODE_CONSTRICT,
        _ => return None,
    };
    let flag = u8::from(cmd.value != 0 && mode != MODE_CONSTRICT);
    Some(vec![HEADER, mode, 0x00, 0x00, byte(cmd.value), flag])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn two_vibrators_constrict_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Constrict, [0, 2])],
            ],
        );
        let hw = SimulatedHardware::builder("DT250A", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let c = |f, t, x| OutputCommand::new(f, t, x);
        let (vib, con) = (OutputType::Vibrate, OutputType::Constrict);
        assert_eq!(
            out(h.as_mut(), c(0, vib, 2)),
            vec![tx(&[0x55, 3, 0, 0, 2, 1])]
        );
        assert_eq!(
            out(h.as_mut(), c(1, vib, 3)),
            vec![tx(&[0x55, 8, 0, 0, 3, 1])]
        );
        assert_eq!(
            out(h.as_mut(), c(2, con, 2)),
            vec![tx(&[0x55, 9, 0, 0, 2, 0])]
        );
        assert_eq!(
            out(h.as_mut(), c(0, vib, 0)),
            vec![tx(&[0x55, 3, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), c(1, vib, 0)),
            vec![tx(&[0x55, 8, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), c(2, con, 0)),
            vec![tx(&[0x55, 9, 0, 0, 0, 0])]
        );
        assert!(matches!(
            h.handle_output(&c(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

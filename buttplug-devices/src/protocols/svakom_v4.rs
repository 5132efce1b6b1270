//! `svakom-v4` (ToyCod Barzillai / Clara, Svakom Erica, Cici+ 2): both vibrators in one 7-byte
//! packet `[55 03 select 00 on max(v0, v1) 00]` (see
//! [`dual_vibrator_packet`](super::svakom_common::dual_vibrator_packet); single-motor devices
//! always select `00`).

use super::svakom_common::{DualVibratorHandler, DualVibratorLayout};
use crate::SimpleProtocol;

static LAYOUT: DualVibratorLayout = DualVibratorLayout {
    id: "svakom-v4",
    single_motor_select: true,
    running_code: 0x01,
    trailing_zero: true,
    other: |_| None,
};

/// The `svakom-v4` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("svakom-v4", |def| DualVibratorHandler::boxed(&LAYOUT, def));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{DeviceError, KeepaliveStrategy, OutputCommand, SimulatedHardware};
    use buttplug_core::OutputType;

    fn vib(f: u32, x: i32) -> OutputCommand {
        OutputCommand::new(f, OutputType::Vibrate, x)
    }

    #[test]
    fn two_vibrators_share_one_packet() {
        let def = definition(
            "svakom-v4",
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 10])],
            ],
        );
        let hw = SimulatedHardware::builder("ERICA", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        assert_eq!(
            out(h.as_mut(), vib(0, 4)),
            vec![tx(&[0x55, 3, 1, 0, 1, 4, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(1, 7)),
            vec![tx(&[0x55, 3, 0, 0, 1, 7, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 0)),
            vec![tx(&[0x55, 3, 2, 0, 1, 7, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 7)),
            vec![tx(&[0x55, 3, 0, 0, 1, 7, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(1, 0)),
            vec![tx(&[0x55, 3, 1, 0, 1, 7, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 0)),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
        assert!(matches!(
            h.handle_output(&vib(2, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn single_vibrator_always_selects_both() {
        let def = definition("svakom-v4", &[&[(OutputType::Vibrate, [0, 10])]]);
        let hw = SimulatedHardware::builder("VV468A", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), vib(0, 6)),
            vec![tx(&[0x55, 3, 0, 0, 1, 6, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 0)),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
    }

    #[test]
    fn a_change_of_both_vibrators_is_one_packet() {
        let v = (OutputType::Vibrate, [0, 10]);
        let hw = SimulatedHardware::builder("Erica", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &definition("svakom-v4", &[&[v], &[v]]));
        // Both running: select 00, on, max 7.
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 3), vib(1, 7)]),
            vec![tx(&[0x55, 3, 0, 0, 1, 7, 0])]
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
        // A refused change changes neither motor.
        assert!(
            h.handle_outputs(&[vib(0, 9), OutputCommand::new(1, OutputType::Rotate, 1)])
                .is_err()
        );
        assert_eq!(
            out(h.as_mut(), vib(1, 2)),
            vec![tx(&[0x55, 3, 2, 0, 1, 2, 0])]
        );
    }
}

//! `svakom-barney` (Mutufun Barney): both vibrators in one 7-byte packet
//! `[55 03 select 00 running max(v0, v1) 00]`, running = `03` unless both are stopped (see
//! [`dual_vibrator_packet`](super::svakom_common::dual_vibrator_packet)).

use super::svakom_common::{DualVibratorHandler, DualVibratorLayout};
use crate::SimpleProtocol;

static LAYOUT: DualVibratorLayout = DualVibratorLayout {
    id: "svakom-barney",
    single_motor_select: true,
    running_code: 0x03,
    trailing_zero: true,
    other: |_| None,
};

/// The `svakom-barney` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("svakom-barney", |def| {
    DualVibratorHandler::boxed(&LAYOUT, def)
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{DeviceError, KeepaliveStrategy, OutputCommand, SimulatedHardware};
    use buttplug_core::OutputType;

    #[test]
    fn two_vibrators_share_one_packet() {
        let def = definition(
            "svakom-barney",
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 10])],
            ],
        );
        let hw = SimulatedHardware::builder("DJ333A", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), vib(1, 5)),
            vec![tx(&[0x55, 3, 2, 0, 3, 5, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 10)),
            vec![tx(&[0x55, 3, 0, 0, 3, 10, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(1, 0)),
            vec![tx(&[0x55, 3, 1, 0, 3, 10, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 0)),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn a_change_of_both_vibrators_is_one_packet() {
        let v = (OutputType::Vibrate, [0, 10]);
        let hw = SimulatedHardware::builder("Barney", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &definition("svakom-barney", &[&[v], &[v]]));
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        // Both running: select 00, running 03, max 5.
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 5), vib(1, 2)]),
            vec![tx(&[0x55, 3, 0, 0, 3, 5, 0])]
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
    }
}

//! `svakom-v6` (Svakom Coco Pro, Echo 2, Vick Neo 2, Iker Neo, BeYourLover Naughty Clock ...):
//! vibrators 0 and 1 in one 7-byte packet `[55 03 select 00 on max(v0, v1) 00]` (see
//! [`dual_vibrator_packet`](super::svakom_common::dual_vibrator_packet); single-motor devices
//! always select `00`); the vibrator on feature 2 `[55 07 00 00 on s 00]`.
//!
//! Only vibration is known for this id: the Svakom Klitty entry's constrict and rotate outputs are
//! answered with [`DeviceError::Unsupported`](crate::DeviceError::Unsupported).

use super::svakom_common::{DualVibratorHandler, DualVibratorLayout, HEADER, byte, on};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

static LAYOUT: DualVibratorLayout = DualVibratorLayout {
    id: "svakom-v6",
    single_motor_select: true,
    running_code: 0x01,
    trailing_zero: true,
    other: third_vibrator,
};

/// The `svakom-v6` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("svakom-v6", |def| DualVibratorHandler::boxed(&LAYOUT, def));

fn third_vibrator(cmd: &OutputCommand) -> Option<Vec<u8>> {
    (cmd.output_type == OutputType::Vibrate && cmd.feature_index == 2).then(|| {
        vec![
            HEADER,
            0x07,
            0x00,
            0x00,
            on(cmd.value),
            byte(cmd.value),
            0x00,
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    fn vib(f: u32, x: i32) -> OutputCommand {
        OutputCommand::new(f, OutputType::Vibrate, x)
    }

    #[test]
    fn iker_neo_three_vibrators() {
        let def = definition(
            "svakom-v6",
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 5])],
            ],
        );
        let hw = SimulatedHardware::builder("Iker Neo", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        assert_eq!(
            out(h.as_mut(), vib(0, 2)),
            vec![tx(&[0x55, 3, 1, 0, 1, 2, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(1, 9)),
            vec![tx(&[0x55, 3, 0, 0, 1, 9, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(2, 5)),
            vec![tx(&[0x55, 7, 0, 0, 1, 5, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 0)),
            vec![tx(&[0x55, 3, 2, 0, 1, 9, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(1, 0)),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(2, 0)),
            vec![tx(&[0x55, 7, 0, 0, 0, 0, 0])]
        );
    }

    #[test]
    fn single_vibrator_and_unknown_outputs() {
        // Svakom Klitty as the database lists it: vibrate, constrict, rotate.
        let def = definition(
            "svakom-v6",
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Constrict, [0, 3])],
                &[(OutputType::Rotate, [0, 10])],
            ],
        );
        let hw = SimulatedHardware::builder("ST462A", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), vib(0, 4)),
            vec![tx(&[0x55, 3, 0, 0, 1, 4, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 0)),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0])]
        );
        for (f, t) in [(1, OutputType::Constrict), (2, OutputType::Rotate)] {
            assert!(matches!(
                h.handle_output(&OutputCommand::new(f, t, 1)),
                Err(DeviceError::Unsupported { .. })
            ));
        }
    }

    #[test]
    fn a_change_of_three_vibrators_is_the_shared_packet_and_the_third() {
        let v = (OutputType::Vibrate, [0, 10]);
        let hw = SimulatedHardware::builder("Iker Neo", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition("svakom-v6", &[&[v], &[v], &[v]]),
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 2), vib(1, 9), vib(2, 5)]),
            vec![tx(&[0x55, 3, 0, 0, 1, 9, 0]), tx(&[0x55, 7, 0, 0, 1, 5, 0])]
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0), vib(2, 0)]),
            vec![tx(&[0x55, 3, 0, 0, 0, 0, 0]), tx(&[0x55, 7, 0, 0, 0, 0, 0])]
        );
    }
}

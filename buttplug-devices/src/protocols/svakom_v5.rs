//! `svakom-v5` (Svakom Chika, Mora Neo, Trysta Neo, Mini Emma Neo): both vibrators in one 6-byte
//! packet `[55 03 select 00 on max(v0, v1)]` (see
//! [`dual_vibrator_packet`](super::svakom_common::dual_vibrator_packet); the select byte follows
//! the values even on single-motor devices); oscillation `[55 09 00 00 s 00]`.

use super::svakom_common::{DualVibratorHandler, DualVibratorLayout, HEADER, byte};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

static LAYOUT: DualVibratorLayout = DualVibratorLayout {
    id: "svakom-v5",
    single_motor_select: false,
    running_code: 0x01,
    trailing_zero: false,
    other: oscillate,
};

/// The `svakom-v5` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("svakom-v5", |def| DualVibratorHandler::boxed(&LAYOUT, def));

fn oscillate(cmd: &OutputCommand) -> Option<Vec<u8>> {
    (cmd.output_type == OutputType::Oscillate)
        .then(|| vec![HEADER, 0x09, 0x00, 0x00, byte(cmd.value), 0x00])
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
    fn mora_neo_vibrators_and_oscillation() {
        let def = definition(
            "svakom-v5",
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Oscillate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("Mora Neo", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        assert_eq!(out(h.as_mut(), vib(1, 3)), vec![tx(&[0x55, 3, 2, 0, 1, 3])]);
        assert_eq!(out(h.as_mut(), vib(0, 8)), vec![tx(&[0x55, 3, 0, 0, 1, 8])]);
        let osc = |x| OutputCommand::new(2, OutputType::Oscillate, x);
        assert_eq!(out(h.as_mut(), osc(2)), vec![tx(&[0x55, 9, 0, 0, 2, 0])]);
        assert_eq!(out(h.as_mut(), vib(1, 0)), vec![tx(&[0x55, 3, 1, 0, 1, 8])]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![tx(&[0x55, 3, 0, 0, 0, 0])]);
        assert_eq!(out(h.as_mut(), osc(0)), vec![tx(&[0x55, 9, 0, 0, 0, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn single_vibrator_still_selects_by_value() {
        let def = definition("svakom-v5", &[&[(OutputType::Vibrate, [0, 10])]]);
        let hw = SimulatedHardware::builder("Mini Emma Neo", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(out(h.as_mut(), vib(0, 5)), vec![tx(&[0x55, 3, 1, 0, 1, 5])]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![tx(&[0x55, 3, 0, 0, 0, 0])]);
    }

    #[test]
    fn a_change_of_both_vibrators_is_one_packet_oscillation_its_own() {
        let v = (OutputType::Vibrate, [0, 10]);
        let o = (OutputType::Oscillate, [0, 10]);
        let hw = SimulatedHardware::builder("Chika", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition("svakom-v5", &[&[v], &[v], &[o]]),
        );
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    vib(0, 3),
                    vib(1, 6),
                    OutputCommand::new(2, OutputType::Oscillate, 7)
                ]
            ),
            vec![tx(&[0x55, 3, 0, 0, 1, 6]), tx(&[0x55, 9, 0, 0, 7, 0])]
        );
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    vib(0, 0),
                    vib(1, 0),
                    OutputCommand::new(2, OutputType::Oscillate, 0)
                ]
            ),
            vec![tx(&[0x55, 3, 0, 0, 0, 0]), tx(&[0x55, 9, 0, 0, 0, 0])]
        );
    }
}

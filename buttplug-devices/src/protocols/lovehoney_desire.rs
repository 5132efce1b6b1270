//! Lovehoney Desire: writes on `tx` with response (0-127). One motor: `[f3 00 s]`. Two motors:
//! when both current values are equal one packet `[f3 00 s]` sets both, else `[f3 01 s0]` and
//! `[f3 02 s1]`.

use super::layout_common::feature_slot;
use super::packet_util::{byte, tx_wwr};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// The `lovehoney-desire` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("lovehoney-desire", |def| {
    Box::new(LovehoneyDesire {
        speeds: vec![0; def.output_feature_count().max(1)],
    })
});

/// Current value of each motor.
#[derive(Debug)]
struct LovehoneyDesire {
    speeds: Vec<u8>,
}

impl ProtocolHandler for LovehoneyDesire {
    fn protocol_id(&self) -> &'static str {
        "lovehoney-desire"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        // Check the whole change first: a refused command changes no speed.
        for cmd in cmds {
            if cmd.output_type != OutputType::Vibrate {
                return Err(DeviceError::unsupported_output("lovehoney-desire", cmd));
            }
            feature_slot(&mut self.speeds, cmd)?;
        }
        for cmd in cmds {
            *feature_slot(&mut self.speeds, cmd)? = byte(cmd.value);
        }
        // The packets for the speeds after the whole change.
        Ok(match self.speeds.as_slice() {
            [s0, s1, ..] if s0 != s1 => {
                vec![tx_wwr([0xf3, 0x01, *s0]), tx_wwr([0xf3, 0x02, *s1])]
            }
            [s0, ..] => vec![tx_wwr([0xf3, 0x00, *s0])],
            [] => Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    #[test]
    fn single_motor() {
        let hw = SimulatedHardware::builder("LOVE EGG", "a").build();
        let def = definition("lovehoney-desire", &[&[(OutputType::Vibrate, [0, 127])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 64)),
            vec![tx_wwr([0xf3, 0x00, 64])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0xf3, 0x00, 0])]
        );
    }

    #[test]
    fn two_motors_equal_and_different() {
        let hw = SimulatedHardware::builder("PROSTATE VIBE", "a").build();
        let def = definition(
            "lovehoney-desire",
            &[
                &[(OutputType::Vibrate, [0, 127])],
                &[(OutputType::Vibrate, [0, 127])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mut run = |f, v| out(h.as_mut(), OutputCommand::new(f, OutputType::Vibrate, v));
        assert_eq!(
            run(0, 50),
            vec![tx_wwr([0xf3, 0x01, 50]), tx_wwr([0xf3, 0x02, 0])]
        );
        assert_eq!(run(1, 50), vec![tx_wwr([0xf3, 0x00, 50])]);
        assert_eq!(
            run(1, 100),
            vec![tx_wwr([0xf3, 0x01, 50]), tx_wwr([0xf3, 0x02, 100])]
        );
        assert_eq!(
            run(0, 0),
            vec![tx_wwr([0xf3, 0x01, 0]), tx_wwr([0xf3, 0x02, 100])]
        );
        assert_eq!(run(1, 0), vec![tx_wwr([0xf3, 0x00, 0])]);
    }

    #[test]
    fn two_motors_in_one_change() {
        let hw = SimulatedHardware::builder("PROSTATE VIBE", "a").build();
        let def = definition(
            "lovehoney-desire",
            &[
                &[(OutputType::Vibrate, [0, 127])],
                &[(OutputType::Vibrate, [0, 127])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        // Both to the same value: the one packet that sets both motors.
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 64), vib(1, 64)]),
            vec![tx_wwr([0xf3, 0x00, 64])]
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 10), vib(1, 90)]),
            vec![tx_wwr([0xf3, 0x01, 10]), tx_wwr([0xf3, 0x02, 90])]
        );
        assert!(h.handle_outputs(&[vib(0, 90), vib(2, 1)]).is_err());
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]),
            vec![tx_wwr([0xf3, 0x00, 0])]
        );
    }
}

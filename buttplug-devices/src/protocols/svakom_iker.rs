//! `svakom-iker` (Svakom Iker): two vibrators. Both stopped: `[55 07 00 00 00 00]`; otherwise
//! `[55 03 03 00 01 v0]`, followed by `[55 07 00 00 v1 00]` while the second one runs. Every
//! command sends the current state of both.

use super::layout_common::FeatureValues;
use super::svakom_common::{HEADER, byte, tx};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-iker";

/// The `svakom-iker` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| {
    Box::new(Handler {
        motors: FeatureValues::with_len(2),
    })
});

/// The last value of each of the two vibrators.
#[derive(Debug)]
struct Handler {
    motors: FeatureValues,
}

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Every write carries the state of both vibrators: apply the whole change, then write
    /// that state once.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            if cmd.output_type != OutputType::Vibrate {
                return Err(DeviceError::unsupported_output(ID, cmd));
            }
            if cmd.feature_index >= 2 {
                return Err(DeviceError::NoFeature {
                    index: cmd.feature_index,
                });
            }
        }
        for cmd in cmds {
            self.motors.set_command(cmd)?;
        }
        let (v0, v1) = (byte(self.motors.get(0)), byte(self.motors.get(1)));
        if v0 == 0 && v1 == 0 {
            return Ok(vec![tx(vec![HEADER, 0x07, 0x00, 0x00, 0x00, 0x00])]);
        }
        let mut writes = vec![tx(vec![HEADER, 0x03, 0x03, 0x00, 0x01, v0])];
        if v1 > 0 {
            writes.push(tx(vec![HEADER, 0x07, 0x00, 0x00, v1, 0x00]));
        }
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn both_vibrators_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Vibrate, [0, 5])],
            ],
        );
        let hw = SimulatedHardware::builder("Iker", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), vib(0, 6)), vec![tx(&[0x55, 3, 3, 0, 1, 6])]);
        assert_eq!(
            out(h.as_mut(), vib(1, 3)),
            vec![tx(&[0x55, 3, 3, 0, 1, 6]), tx(&[0x55, 7, 0, 0, 3, 0])]
        );
        assert_eq!(
            out(h.as_mut(), vib(0, 0)),
            vec![tx(&[0x55, 3, 3, 0, 1, 0]), tx(&[0x55, 7, 0, 0, 3, 0])]
        );
        assert_eq!(out(h.as_mut(), vib(1, 0)), vec![tx(&[0x55, 7, 0, 0, 0, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
        assert!(matches!(
            h.handle_output(&vib(2, 1)),
            Err(DeviceError::NoFeature { index: 2 })
        ));
    }

    #[test]
    fn a_change_of_both_vibrators_writes_the_state_once() {
        let v = (OutputType::Vibrate, [0, 10]);
        let hw = SimulatedHardware::builder("Iker", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 6), vib(1, 3)]),
            vec![tx(&[0x55, 3, 3, 0, 1, 6]), tx(&[0x55, 7, 0, 0, 3, 0])]
        );
        // A refused change changes neither motor.
        assert!(
            h.handle_outputs(&[vib(0, 0), OutputCommand::new(1, OutputType::Rotate, 1)])
                .is_err()
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]),
            vec![tx(&[0x55, 7, 0, 0, 0, 0])]
        );
    }
}

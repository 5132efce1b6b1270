//! Sexverse LG389: one packet with both outputs,
//! `[aa 05 vibe 14 anchor 00 range 00 osc 00]` (anchor `01` and range `04` while oscillating),
//! written with response.

use super::layout_common::FeatureValues;
use super::packet_util::{apply_change, byte, tx_wwr};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// Handler state: vibrate (feature 0) and oscillate (feature 1).
#[derive(Debug)]
struct SexverseLg389 {
    values: FeatureValues,
}

impl ProtocolHandler for SexverseLg389 {
    fn protocol_id(&self) -> &'static str {
        "sexverse-lg389"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One packet with both outputs, whatever the change touched.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        apply_change(
            &mut self.values,
            cmds,
            |_, cmd| match cmd.output_type {
                OutputType::Vibrate => Ok(0),
                OutputType::Oscillate => Ok(1),
                _ => Err(DeviceError::unsupported_output("sexverse-lg389", cmd)),
            },
            |values, slot, cmd| {
                values.set(slot, cmd.value);
            },
        )?;
        let vibe = byte(self.values.get(0));
        let osc = byte(self.values.get(1));
        let (anchor, range) = if osc != 0 { (0x01, 0x04) } else { (0x00, 0x00) };
        Ok(vec![tx_wwr([
            0xaa, 0x05, vibe, 0x14, anchor, 0x00, range, 0x00, osc, 0x00,
        ])])
    }
}

/// The `sexverse-lg389` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("sexverse-lg389", |_| {
    Box::new(SexverseLg389 {
        values: FeatureValues::with_len(2),
    })
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    #[test]
    fn a_change_of_both_outputs_is_one_packet() {
        let hw = SimulatedHardware::builder("LG389", "aa").build();
        let def = definition(
            "sexverse-lg389",
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Oscillate, [0, 10])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 3),
                    OutputCommand::new(1, OutputType::Oscillate, 10)
                ]
            ),
            vec![tx_wwr([0xaa, 0x05, 0x03, 0x14, 0x01, 0, 0x04, 0, 0x0a, 0])]
        );
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 1),
                OutputCommand::new(1, OutputType::Rotate, 1)
            ])
            .is_err()
        );
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(1, OutputType::Oscillate, 0)
                ]
            ),
            vec![tx_wwr([0xaa, 0x05, 0, 0x14, 0, 0, 0, 0, 0, 0])]
        );
    }

    #[test]
    fn both_outputs_in_one_packet_and_stop() {
        let hw = SimulatedHardware::builder("LG389", "aa").build();
        let def = definition(
            "sexverse-lg389",
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Oscillate, [0, 10])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 2)),
            vec![tx_wwr([0xaa, 0x05, 2, 0x14, 0, 0, 0, 0, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 7)),
            vec![tx_wwr([0xaa, 0x05, 2, 0x14, 1, 0, 4, 0, 7, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0xaa, 0x05, 0, 0x14, 1, 0, 4, 0, 7, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 0)),
            vec![tx_wwr([0xaa, 0x05, 0, 0x14, 0, 0, 0, 0, 0, 0])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

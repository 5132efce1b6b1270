//! Utimi: one JoyHub-style packet `[a0 03 s0 s1 s2 s3 s4 aa]` with five motor slots; feature `n`
//! drives slot `n` (vibrate and oscillate alike).

use super::layout_common::FeatureValues;
use super::packet_util::tx;
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// Number of motor slots in a packet.
const SLOTS: usize = 5;

/// Handler state: every slot's value.
#[derive(Debug)]
struct Utimi {
    slots: FeatureValues,
}

impl ProtocolHandler for Utimi {
    fn protocol_id(&self) -> &'static str {
        "utimi"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Every slot is in the one packet: apply the whole change, then write it once.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            let supported = matches!(cmd.output_type, OutputType::Vibrate | OutputType::Oscillate);
            if !supported || cmd.feature_index as usize >= SLOTS {
                return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
            }
        }
        for cmd in cmds {
            self.slots.set(cmd.feature_index, cmd.value);
        }
        let mut data = Vec::with_capacity(SLOTS + 3);
        data.extend_from_slice(&[0xa0, 0x03]);
        data.extend(self.slots.all().iter().map(|v| *v as u8));
        data.push(0xaa);
        Ok(vec![tx(data)])
    }
}

/// The `utimi` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("utimi", |_| {
    Box::new(Utimi {
        slots: FeatureValues::with_len(SLOTS),
    })
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    #[test]
    fn both_outputs_in_one_packet_and_stop() {
        let hw = SimulatedHardware::builder("Utimi", "aa").build();
        let def = definition(
            "utimi",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Oscillate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 128)),
            vec![tx([0xa0, 0x03, 128, 0, 0, 0, 0, 0xaa])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(1, OutputType::Oscillate, 255)
            ),
            vec![tx([0xa0, 0x03, 128, 255, 0, 0, 0, 0xaa])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0xa0, 0x03, 0, 255, 0, 0, 0, 0xaa])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn a_change_of_both_outputs_is_one_packet() {
        let hw = SimulatedHardware::builder("Utimi", "aa").build();
        let def = definition(
            "utimi",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Oscillate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0x80),
                    OutputCommand::new(1, OutputType::Oscillate, 0x40)
                ]
            ),
            vec![tx([0xa0, 0x03, 0x80, 0x40, 0, 0, 0, 0xaa])]
        );
        // A refused change changes no slot.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 1),
                OutputCommand::new(5, OutputType::Vibrate, 1)
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
            vec![tx([0xa0, 0x03, 0, 0, 0, 0, 0, 0xaa])]
        );
    }
}

//! TryFun Black Hole / Rock: `[id 02 00 03 code speed checksum]` with a per-device packet
//! counter `id` (from 0, wrapping), code `0c` oscillate / `09` vibrate, checksum constant 6.

use super::packet_util::tx;
use super::tryfun_common::checksum;
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// Handler state: the next packet id.
#[derive(Debug, Default)]
struct TryFunBlackHole {
    packet_id: u8,
}

impl TryFunBlackHole {
    /// The command code of an output, or the error for an output the device lacks.
    fn code(cmd: &OutputCommand) -> Result<u8, DeviceError> {
        match cmd.output_type {
            OutputType::Oscillate => Ok(0x0c),
            OutputType::Vibrate => Ok(0x09),
            _ => Err(DeviceError::unsupported_output("tryfun-blackhole", cmd)),
        }
    }

    /// The frame of one checked command; takes the next packet id.
    fn frame(&mut self, code: u8, cmd: &OutputCommand) -> HardwareCommand {
        let mut data = vec![self.packet_id, 0x02, 0x00, 0x03, code, cmd.value as u8];
        data.push(checksum(&data[1..], 6));
        self.packet_id = self.packet_id.wrapping_add(1);
        tx(data)
    }
}

impl ProtocolHandler for TryFunBlackHole {
    fn protocol_id(&self) -> &'static str {
        "tryfun-blackhole"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let code = Self::code(cmd)?;
        Ok(vec![self.frame(code, cmd)])
    }

    /// One frame per output (each frame carries one output), numbered in order; a change with
    /// an output the device lacks is refused before any packet id is used.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            Self::code(cmd)?;
        }
        let mut out = Vec::with_capacity(cmds.len());
        for cmd in cmds {
            let code = Self::code(cmd)?;
            out.push(self.frame(code, cmd));
        }
        Ok(out)
    }
}

/// The `tryfun-blackhole` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("tryfun-blackhole", |_| Box::new(TryFunBlackHole::default()));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    #[test]
    fn counter_checksum_and_stop() {
        let hw = SimulatedHardware::builder("TF-BHPLUS", "aa").build();
        let def = definition(
            "tryfun-blackhole",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // 0xff - (02 + 00 + 03 + 0c + 32) + 6 = 0xc2
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 50)),
            vec![tx([0x00, 0x02, 0x00, 0x03, 0x0c, 50, 0xc2])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 100)),
            vec![tx([0x01, 0x02, 0x00, 0x03, 0x09, 100, 0x93])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0)),
            vec![tx([0x02, 0x02, 0x00, 0x03, 0x0c, 0, 0xf4])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn a_change_of_two_outputs_is_two_numbered_frames() {
        let hw = SimulatedHardware::builder("TF-BHPLUS", "aa").build();
        let def = definition(
            "tryfun-blackhole",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // A refused change uses no packet id.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Oscillate, 50),
                OutputCommand::new(1, OutputType::Rotate, 1)
            ])
            .is_err()
        );
        // checksum = 0x100 - code - speed: osc 0x32 → 0xc2, vib 0x19 → 0xde
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Oscillate, 50),
                    OutputCommand::new(1, OutputType::Vibrate, 25)
                ]
            ),
            vec![
                tx([0x00, 0x02, 0x00, 0x03, 0x0c, 0x32, 0xc2]),
                tx([0x01, 0x02, 0x00, 0x03, 0x09, 0x19, 0xde])
            ]
        );
    }
}

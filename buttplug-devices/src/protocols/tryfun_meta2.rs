//! TryFun Meta 2: `[id 02 00 05 21 05 code value checksum]` with a per-device packet counter `id`
//! (from 0, wrapping), code `0b` oscillate / `08` vibrate / `0e` rotate, checksum constant 8.
//! Rotation is sent as a signed byte: clockwise speed `s` (including 0) as `-(s + 1)`,
//! counter-clockwise speed as its magnitude.

use super::packet_util::tx;
use super::tryfun_common::checksum;
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// Handler state: the next packet id.
#[derive(Debug, Default)]
struct TryFunMeta2 {
    packet_id: u8,
}

impl TryFunMeta2 {
    /// The command code and wire value of an output, or the error for an output the device
    /// lacks.
    fn code_value(cmd: &OutputCommand) -> Result<(u8, u8), DeviceError> {
        match cmd.output_type {
            OutputType::Oscillate => Ok((0x0b, cmd.value as u8)),
            OutputType::Vibrate => Ok((0x08, cmd.value as u8)),
            OutputType::Rotate if cmd.value >= 0 => Ok((0x0e, (-(cmd.value + 1)) as i8 as u8)),
            OutputType::Rotate => Ok((0x0e, cmd.value.unsigned_abs() as u8)),
            _ => Err(DeviceError::unsupported_output("tryfun-meta2", cmd)),
        }
    }

    /// The frame of one checked command; takes the next packet id.
    fn frame(&mut self, (code, value): (u8, u8)) -> HardwareCommand {
        let mut data = vec![self.packet_id, 0x02, 0x00, 0x05, 0x21, 0x05, code, value];
        data.push(checksum(&data[1..], 8));
        self.packet_id = self.packet_id.wrapping_add(1);
        tx(data)
    }
}

impl ProtocolHandler for TryFunMeta2 {
    fn protocol_id(&self) -> &'static str {
        "tryfun-meta2"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let code_value = Self::code_value(cmd)?;
        Ok(vec![self.frame(code_value)])
    }

    /// One frame per output (each frame carries one output), numbered in order; a change with
    /// an output the device lacks is refused before any packet id is used.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            Self::code_value(cmd)?;
        }
        let mut out = Vec::with_capacity(cmds.len());
        for cmd in cmds {
            let code_value = Self::code_value(cmd)?;
            out.push(self.frame(code_value));
        }
        Ok(out)
    }
}

/// The `tryfun-meta2` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("tryfun-meta2", |_| Box::new(TryFunMeta2::default()));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    fn frame(id: u8, code: u8, value: u8) -> Vec<HardwareCommand> {
        let mut data = vec![id, 0x02, 0x00, 0x05, 0x21, 0x05, code, value];
        data.push(checksum(&data[1..], 8));
        vec![tx(data)]
    }

    #[test]
    fn every_output_counter_and_stop() {
        let hw = SimulatedHardware::builder("TF-META2", "aa").build();
        let def = definition(
            "tryfun-meta2",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Rotate, [-100, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // 0xff - (02 + 00 + 05 + 21 + 05 + 0b + 0a) + 8 = 0xc5
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 10)),
            vec![tx([0x00, 0x02, 0x00, 0x05, 0x21, 0x05, 0x0b, 10, 0xc5])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 60)),
            frame(1, 0x08, 60)
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Rotate, 50)),
            frame(2, 0x0e, 0xcd)
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Rotate, -50)),
            frame(3, 0x0e, 50)
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Rotate, 0)),
            frame(4, 0x0e, 0xff)
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Constrict, 1))
                .is_err()
        );
    }

    #[test]
    fn a_change_of_three_outputs_is_three_numbered_frames() {
        let hw = SimulatedHardware::builder("TF-META2", "aa").build();
        let def = definition(
            "tryfun-meta2",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Rotate, [-100, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // A refused change uses no packet id.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(1, OutputType::Vibrate, 5),
                OutputCommand::new(0, OutputType::Constrict, 1)
            ])
            .is_err()
        );
        // The stop of every output: checksum = 0xda - code - value; rotate 0 clockwise is 0xff.
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Oscillate, 0),
                    OutputCommand::new(1, OutputType::Vibrate, 0),
                    OutputCommand::new(2, OutputType::Rotate, 0)
                ]
            ),
            vec![
                tx([0x00, 0x02, 0x00, 0x05, 0x21, 0x05, 0x0b, 0x00, 0xcf]),
                tx([0x01, 0x02, 0x00, 0x05, 0x21, 0x05, 0x08, 0x00, 0xd2]),
                tx([0x02, 0x02, 0x00, 0x05, 0x21, 0x05, 0x0e, 0xff, 0xcd])
            ]
        );
    }
}

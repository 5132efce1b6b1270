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

impl ProtocolHandler for TryFunMeta2 {
    fn protocol_id(&self) -> &'static str {
        "tryfun-meta2"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let (code, value) = match cmd.output_type {
            OutputType::Oscillate => (0x0b, cmd.value as u8),
            OutputType::Vibrate => (0x08, cmd.value as u8),
            OutputType::Rotate if cmd.value >= 0 => (0x0e, (-(cmd.value + 1)) as i8 as u8),
            OutputType::Rotate => (0x0e, cmd.value.unsigned_abs() as u8),
            _ => return Err(DeviceError::unsupported_output(self.protocol_id(), cmd)),
        };
        let mut data = vec![self.packet_id, 0x02, 0x00, 0x05, 0x21, 0x05, code, value];
        data.push(checksum(&data[1..], 8));
        self.packet_id = self.packet_id.wrapping_add(1);
        Ok(vec![tx(data)])
    }
}

/// The `tryfun-meta2` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("tryfun-meta2", |_| Box::new(TryFunMeta2::default()));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

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
}

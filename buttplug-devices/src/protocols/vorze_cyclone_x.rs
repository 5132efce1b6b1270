//! Vorze Cyclone X10 (HID): a 16-byte report
//! `[00 3c 30 31 35 32 30 (30+dir) (30+speed) 30 30 01 02 03 68 3e]`, dir 0 clockwise / 1
//! counter-clockwise, speed 0-10 (wire facts from the Buttplug C# implementation). A stop keeps
//! the last direction.

use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

/// Handler state: the last direction (for stops, which carry none).
#[derive(Debug, Default)]
struct CycloneX {
    counter_clockwise: bool,
}

impl ProtocolHandler for CycloneX {
    fn protocol_id(&self) -> &'static str {
        "vorze-cyclone-x"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Rotate {
            return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
        }
        if cmd.value != 0 {
            self.counter_clockwise = cmd.value < 0;
        }
        let dir = u8::from(self.counter_clockwise);
        let speed = cmd.value.unsigned_abs() as u8;
        let data = vec![
            0x00,
            0x3c,
            0x30,
            0x31,
            0x35,
            0x32,
            0x30,
            0x30 + dir,
            0x30 + speed,
            0x30,
            0x30,
            0x01,
            0x02,
            0x03,
            0x68,
            0x3e,
        ];
        Ok(vec![HardwareCommand::write(Endpoint::Tx, data)])
    }
}

/// The `vorze-cyclone-x` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("vorze-cyclone-x", |_| Box::new(CycloneX::default()));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    fn report(dir: u8, speed: u8) -> Vec<HardwareCommand> {
        vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![
                0x00,
                0x3c,
                0x30,
                0x31,
                0x35,
                0x32,
                0x30,
                0x30 + dir,
                0x30 + speed,
                0x30,
                0x30,
                0x01,
                0x02,
                0x03,
                0x68,
                0x3e,
            ],
        )]
    }

    #[test]
    fn rotate_both_ways_and_stop() {
        let hw = SimulatedHardware::builder("Vorze Cyclone X10", "hid-1").build();
        let def = definition("vorze-cyclone-x", &[&[(OutputType::Rotate, [-10, 10])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let r = |x| OutputCommand::new(0, OutputType::Rotate, x);
        assert_eq!(out(h.as_mut(), r(10)), report(0, 10));
        assert_eq!(out(h.as_mut(), r(-5)), report(1, 5));
        assert_eq!(out(h.as_mut(), r(0)), report(1, 0));
        assert_eq!(out(h.as_mut(), r(3)), report(0, 3));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

//! ServeU: position with duration as `[01 position speed]` (position 0-100); the speed byte comes
//! from the stroke speed in position units per second, `v = ceil(|position - last| / seconds)`:
//! 0 for no movement, `ceil(v/2)` up to 50, `ceil((v-50)/4) + 25` up to 750,
//! `ceil((v-750)/25) + 200` up to 2000, else `fa`.

use super::packet_util::tx;
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// Handler state: the last commanded position.
#[derive(Debug, Default)]
struct ServeU {
    last_position: i32,
}

fn speed_byte(distance: i32, duration_ms: u32) -> u8 {
    let units_per_second =
        (f64::from(distance.unsigned_abs()) / (f64::from(duration_ms) / 1000.0)).ceil();
    if units_per_second <= 0.00001 {
        0
    } else if units_per_second <= 50.0 {
        (units_per_second / 2.0).ceil() as u8
    } else if units_per_second <= 750.0 {
        ((units_per_second - 50.0) / 4.0).ceil() as u8 + 25
    } else if units_per_second <= 2000.0 {
        ((units_per_second - 750.0) / 25.0).ceil() as u8 + 200
    } else {
        0xfa
    }
}

impl ProtocolHandler for ServeU {
    fn protocol_id(&self) -> &'static str {
        "serveu"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::HwPositionWithDuration {
            return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
        }
        let speed = speed_byte(cmd.value - self.last_position, cmd.duration_ms);
        self.last_position = cmd.value;
        Ok(vec![tx([0x01, cmd.value as u8, speed])])
    }
}

/// The `serveu` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("serveu", |_| Box::new(ServeU::default()));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn speed_bands() {
        assert_eq!(speed_byte(0, 1000), 0);
        assert_eq!(speed_byte(50, 1000), 25);
        assert_eq!(speed_byte(-100, 1000), 38);
        assert_eq!(speed_byte(100, 100), 210);
        assert_eq!(speed_byte(100, 10), 0xfa);
        assert_eq!(speed_byte(100, 0), 0xfa);
    }

    #[test]
    fn strokes_track_last_position() {
        let hw = SimulatedHardware::builder("ServeU", "aa").build();
        let def = definition(
            "serveu",
            &[&[(OutputType::HwPositionWithDuration, [0, 100])]],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let p = |pos, ms| OutputCommand::position_with_duration(0, pos, ms);
        assert_eq!(out(h.as_mut(), p(100, 1000)), vec![tx([0x01, 100, 38])]);
        assert_eq!(out(h.as_mut(), p(50, 500)), vec![tx([0x01, 50, 38])]);
        assert_eq!(out(h.as_mut(), p(50, 500)), vec![tx([0x01, 50, 0])]);
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

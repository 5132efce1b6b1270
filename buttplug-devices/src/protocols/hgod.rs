//! Hgod: the device only runs for about 100 ms per packet, so the handler just stores the value
//! and its own 100 ms loop writes `[55 04 00 00 00 s]` to `tx` while the value is non-zero
//! (0-10). Setting 0 simply ends the writes.

use super::packet_util::{byte, tx};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;
use std::time::Duration;

/// Loop interval.
const INTERVAL: Duration = Duration::from_millis(100);

/// The `hgod` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("hgod", |_| Box::new(Hgod::default()));

/// The value the loop keeps writing.
#[derive(Debug, Default)]
struct Hgod {
    speed: u8,
}

impl ProtocolHandler for Hgod {
    fn protocol_id(&self) -> &'static str {
        "hgod"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output("hgod", cmd));
        }
        self.speed = byte(cmd.value);
        Ok(Vec::new())
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(INTERVAL)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        if self.speed == 0 {
            return Vec::new();
        }
        vec![tx([0x55, 0x04, 0x00, 0x00, 0x00, self.speed])]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn loop_writes_while_running() {
        let hw = SimulatedHardware::builder("AMN NEO", "a").build();
        let def = definition("hgod", &[&[(OutputType::Vibrate, [0, 10])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(100)));
        assert!(h.tick().is_empty());
        assert!(out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 7)).is_empty());
        assert_eq!(h.tick(), vec![tx([0x55, 0x04, 0, 0, 0, 7])]);
        assert_eq!(h.tick(), vec![tx([0x55, 0x04, 0, 0, 0, 7])]);
        assert!(out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)).is_empty());
        assert!(h.tick().is_empty());
        assert!(hw.commands().is_empty());
    }
}

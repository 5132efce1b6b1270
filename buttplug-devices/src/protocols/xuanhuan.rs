//! Xuanhuan (QUXIN masturbator): `[03 02 00 speed]` written with response, and resent every
//! 300 ms by the protocol's own loop while the speed is not 0.

use super::packet_util::tx_wwr;
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;
use std::time::Duration;

/// How often a running speed is resent.
const RESEND: Duration = Duration::from_millis(300);

/// Handler state: the current speed.
#[derive(Debug, Default)]
struct Xuanhuan {
    speed: u8,
}

impl Xuanhuan {
    fn packet(&self) -> HardwareCommand {
        tx_wwr([0x03, 0x02, 0x00, self.speed])
    }
}

impl ProtocolHandler for Xuanhuan {
    fn protocol_id(&self) -> &'static str {
        "xuanhuan"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
        }
        self.speed = cmd.value as u8;
        Ok(vec![self.packet()])
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(RESEND)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        if self.speed == 0 {
            Vec::new()
        } else {
            vec![self.packet()]
        }
    }
}

/// The `xuanhuan` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("xuanhuan", |_| Box::new(Xuanhuan::default()));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn vibrate_resend_loop_and_stop() {
        let hw = SimulatedHardware::builder("QUXIN", "aa").build();
        let def = definition("xuanhuan", &[&[(OutputType::Vibrate, [0, 10])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(300)));
        assert!(h.tick().is_empty());
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(7)), vec![tx_wwr([0x03, 0x02, 0x00, 7])]);
        assert_eq!(h.tick(), vec![tx_wwr([0x03, 0x02, 0x00, 7])]);
        assert_eq!(h.tick(), vec![tx_wwr([0x03, 0x02, 0x00, 7])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx_wwr([0x03, 0x02, 0x00, 0])]);
        assert!(h.tick().is_empty());
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

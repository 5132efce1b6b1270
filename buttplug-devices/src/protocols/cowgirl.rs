//! The Cowgirl / The Unicorn: one packet `[00 01 vib rot]` on `tx` with response, carrying the
//! current vibrate (feature 0) and rotate (feature 1) values (0-255).

use super::packet_util::{byte, tx_wwr};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// The `cowgirl` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("cowgirl", |_| Box::new(Cowgirl::default()));

/// Current vibrate and rotate values.
#[derive(Debug, Default)]
struct Cowgirl {
    vibrate: u8,
    rotate: u8,
}

impl ProtocolHandler for Cowgirl {
    fn protocol_id(&self) -> &'static str {
        "cowgirl"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        match cmd.output_type {
            OutputType::Vibrate => self.vibrate = byte(cmd.value),
            OutputType::Rotate => self.rotate = byte(cmd.value.saturating_abs()),
            _ => return Err(DeviceError::unsupported_output("cowgirl", cmd)),
        }
        Ok(vec![tx_wwr([0x00, 0x01, self.vibrate, self.rotate])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn vibrate_rotate_and_stop() {
        let hw = SimulatedHardware::builder("THE COWGIRL", "a").build();
        let def = definition(
            "cowgirl",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Rotate, [0, 255])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 100)),
            vec![tx_wwr([0x00, 0x01, 100, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 50)),
            vec![tx_wwr([0x00, 0x01, 100, 50])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0x00, 0x01, 0, 50])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 0)),
            vec![tx_wwr([0x00, 0x01, 0, 0])]
        );
    }
}

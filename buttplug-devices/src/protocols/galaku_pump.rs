//! Galaku pump (Nebula): one enciphered frame (the Galaku cipher) `[5a 00 00 01 60 03 osc vib
//! 00 00]` carrying the current oscillate (feature 0) and vibrate (feature 1) values, on `tx`
//! with response (0-100).

use super::galaku::frame;
use super::packet_util::{byte, tx_wwr};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// The `galaku-pump` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("galaku-pump", |_| Box::new(GalakuPump::default()));

/// Current oscillate and vibrate values.
#[derive(Debug, Default)]
struct GalakuPump {
    oscillate: u8,
    vibrate: u8,
}

impl ProtocolHandler for GalakuPump {
    fn protocol_id(&self) -> &'static str {
        "galaku-pump"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        match cmd.output_type {
            OutputType::Oscillate => self.oscillate = byte(cmd.value),
            OutputType::Vibrate => self.vibrate = byte(cmd.value),
            _ => return Err(DeviceError::unsupported_output("galaku-pump", cmd)),
        }
        Ok(vec![tx_wwr(frame(&[
            0x5a,
            0x00,
            0x00,
            0x01,
            0x60,
            0x03,
            self.oscillate,
            self.vibrate,
            0x00,
            0x00,
        ]))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn both_values_in_every_frame() {
        let hw = SimulatedHardware::builder("V415", "a").build();
        let def = definition(
            "galaku-pump",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 40)),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x4b, 0xbb, 0xa3, 0x3b, 0x2a
            ])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 100)),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x4b, 0x97, 0xa3, 0x3b, 0x4e
            ])]
        );
        out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![tx_wwr([
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x9b, 0x44, 0x33, 0xbb, 0xa3, 0x3b, 0xd2
            ])]
        );
    }
}

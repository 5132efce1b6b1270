//! `libo-shark` (Libo Shark): both motors in one byte on `tx`, `(v0 << 4) | v1` (each 0-3).

use super::layout_common::feature_slot;
use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

const ID: &str = "libo-shark";

/// The `libo-shark` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(Handler::default()));

#[derive(Debug, Default)]
struct Handler {
    motors: [u8; 2],
}

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output(ID, cmd));
        }
        // Each motor has a nibble.
        *feature_slot(&mut self.motors, cmd)? = u8::try_from(cmd.value.clamp(0, 0x0f)).unwrap_or(0);
        let [v0, v1] = self.motors;
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![(v0 << 4) | v1],
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn both_motors_in_one_byte() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Vibrate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("ShaYu", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let tx = |d: u8| HardwareCommand::write(Endpoint::Tx, vec![d]);
        assert_eq!(out(h.as_mut(), vib(0, 2)), vec![tx(0x20)]);
        assert_eq!(out(h.as_mut(), vib(1, 3)), vec![tx(0x23)]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![tx(0x03)]);
        assert_eq!(out(h.as_mut(), vib(1, 0)), vec![tx(0x00)]);
        assert!(matches!(
            h.handle_output(&vib(2, 1)),
            Err(DeviceError::NoFeature { index: 2 })
        ));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

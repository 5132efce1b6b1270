//! `aneros` (Aneros Vivi): `[f1+fi s]` on `tx` for the vibrator on feature fi (0-127).

use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

const ID: &str = "aneros";

/// The `aneros` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(Handler));

#[derive(Debug)]
struct Handler;

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let motor = u8::try_from(cmd.feature_index)
            .ok()
            .and_then(|i| 0xf1u8.checked_add(i));
        match (cmd.output_type, motor) {
            (OutputType::Vibrate, Some(motor)) => {
                let value = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
                Ok(vec![HardwareCommand::write(
                    Endpoint::Tx,
                    vec![motor, value],
                )])
            }
            (OutputType::Vibrate, None) => Err(DeviceError::NoFeature {
                index: cmd.feature_index,
            }),
            _ => Err(DeviceError::unsupported_output(ID, cmd)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn both_vibrators_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 127])],
                &[(OutputType::Vibrate, [0, 127])],
            ],
        );
        let hw = SimulatedHardware::builder("Massage Demo", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let tx = |d: [u8; 2]| vec![HardwareCommand::write(Endpoint::Tx, d.to_vec())];
        assert_eq!(out(h.as_mut(), vib(0, 127)), tx([0xf1, 127]));
        assert_eq!(out(h.as_mut(), vib(1, 64)), tx([0xf2, 64]));
        assert_eq!(out(h.as_mut(), vib(0, 0)), tx([0xf1, 0]));
        assert_eq!(out(h.as_mut(), vib(1, 0)), tx([0xf2, 0]));
        assert!(matches!(
            h.handle_output(&vib(20, 1)),
            Err(DeviceError::NoFeature { index: 20 })
        ));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

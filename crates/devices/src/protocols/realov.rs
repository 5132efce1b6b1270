//! `realov` (Realov vibrators): `[c5 55 s aa]` on `tx` (0-50).

use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

const ID: &str = "realov";

/// The `realov` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(Handler));

#[derive(Debug)]
struct Handler;

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output(ID, cmd));
        }
        let value = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![0xc5, 0x55, value, 0xaa],
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_and_stop() {
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 50])]]);
        let hw = SimulatedHardware::builder("REALOV_VIBE", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        let tx = |d: [u8; 4]| vec![HardwareCommand::write(Endpoint::Tx, d.to_vec())];
        assert_eq!(out(h.as_mut(), vib(50)), tx([0xc5, 0x55, 50, 0xaa]));
        assert_eq!(out(h.as_mut(), vib(13)), tx([0xc5, 0x55, 13, 0xaa]));
        assert_eq!(out(h.as_mut(), vib(0)), tx([0xc5, 0x55, 0, 0xaa]));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

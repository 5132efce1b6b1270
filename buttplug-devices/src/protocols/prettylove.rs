//! Pretty Love (Aogu BLE): `[00 level]` written with response; every device resolves to the
//! configuration identifier `Aogu BLE`.

use super::packet_util::{stateless, tx_wwr};
use crate::{
    DeviceDefinition, DeviceError, Hardware, HardwareCommand, Identification, OutputCommand,
    Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![tx_wwr([0x00, cmd.value as u8])]),
        _ => None,
    }
}

/// The `prettylove` protocol: a fixed identifier, no handshake.
#[derive(Debug)]
pub struct PrettyLove;

/// The `prettylove` protocol.
pub static PROTOCOL: PrettyLove = PrettyLove;

#[async_trait]
impl Protocol for PrettyLove {
    fn id(&self) -> &'static str {
        "prettylove"
    }

    async fn identify(&self, _hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        Ok(Identification::identifier("Aogu BLE"))
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(stateless("prettylove", encode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};
    use futures::executor::block_on;

    #[test]
    fn identify_vibrate_and_stop() {
        let hw = SimulatedHardware::builder("Aogu BLE 123", "aa").build();
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("Aogu BLE"))
        );
        let def = definition("prettylove", &[&[(OutputType::Vibrate, [0, 3])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(3)), vec![tx_wwr([0x00, 3])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx_wwr([0x00, 0])]);
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
        assert!(hw.commands().is_empty());
    }
}

//! Kiiroo v2.1 strokers that need a start sequence (Onyx+, Onyx 2.1, Keon, Realm ...): two
//! `[03 00 64 xx]` writes with response, then the v2.1 commands.

use super::kiiroo_common::KiirooV21Handler;
use crate::{DeviceDefinition, DeviceError, Endpoint, Hardware, Protocol, ProtocolHandler};
use async_trait::async_trait;

const ID: &str = "kiiroo-v21-initialized";

/// The protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct KiirooV21InitializedProtocol;

/// The registered instance.
pub static PROTOCOL: KiirooV21InitializedProtocol = KiirooV21InitializedProtocol;

#[async_trait]
impl Protocol for KiirooV21InitializedProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware
            .write(Endpoint::Tx, &[0x03, 0x00, 0x64, 0x19], true)
            .await?;
        hardware
            .write(Endpoint::Tx, &[0x03, 0x00, 0x64, 0x00], true)
            .await?;
        Ok(Box::new(KiirooV21Handler::new(ID)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{HardwareCommand, OutputCommand, SimulatedHardware};
    use buttplug_core::OutputType;

    #[test]
    fn start_sequence_then_positions() {
        let hw = SimulatedHardware::builder("Onyx+", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::Whitelist])
            .build();
        let def = definition(ID, &[&[(OutputType::HwPositionWithDuration, [0, 99])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::write_with_response(Endpoint::Tx, vec![3, 0, 0x64, 0x19]),
                HardwareCommand::write_with_response(Endpoint::Tx, vec![3, 0, 0x64, 0]),
            ]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 99, 500)
            ),
            vec![HardwareCommand::write(Endpoint::Tx, vec![3, 0, 40, 99])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 0, 200)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![3, 0, 106, 0])]
        );
    }
}

//! Lelo F1s: subscribe to `rx` (the toy then waits for its power button before it accepts
//! commands), then both motors in one packet `[01 s0 s1]` on `tx` (0-100).

use super::lelo_common::f1s_packet;
use super::motor_packet_common::MotorPacket;
use crate::{DeviceDefinition, DeviceError, Endpoint, Hardware, Protocol, ProtocolHandler};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "lelo-f1s";

/// The Lelo F1s protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct LeloF1sProtocol;

/// The registered instance.
pub static PROTOCOL: LeloF1sProtocol = LeloF1sProtocol;

#[async_trait]
impl Protocol for LeloF1sProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware.subscribe(Endpoint::Rx).await?;
        Ok(Box::new(MotorPacket::new(
            ID,
            definition,
            &[OutputType::Vibrate],
            2,
            f1s_packet,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{HardwareCommand, OutputCommand, SimulatedHardware};

    #[test]
    fn subscribe_then_packets() {
        let hw = SimulatedHardware::builder("F1s", "a").build();
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx)]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 60)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![1, 0, 60])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 20)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![1, 20, 60])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![1, 20, 0])]
        );
    }
}

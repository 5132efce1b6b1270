//! We-Vibe 4-bit toys (4 Plus, Pivot, Ditto, Bloom, Nova ...): after two start packets, both
//! motors share one byte: `[0f 03 00 (ext | int<<4) 00 03 00 00]` (0-15 each).

use super::motor_packet_common::MotorPacket;
use super::wevibe_common::{STOP, motors};
use crate::{DeviceDefinition, DeviceError, Endpoint, Hardware, Protocol, ProtocolHandler};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "wevibe";

/// The We-Vibe protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct WeVibeProtocol;

/// The registered instance.
pub static PROTOCOL: WeVibeProtocol = WeVibeProtocol;

fn packet(v: &[u8]) -> Vec<u8> {
    match motors(v) {
        None => STOP.to_vec(),
        Some((int, ext)) => vec![0x0f, 0x03, 0x00, ext | (int << 4), 0x00, 0x03, 0x00, 0x00],
    }
}

#[async_trait]
impl Protocol for WeVibeProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware
            .write(
                Endpoint::Tx,
                &[0x0f, 0x03, 0x00, 0x99, 0x00, 0x03, 0x00, 0x00],
                true,
            )
            .await?;
        hardware.write(Endpoint::Tx, &STOP, true).await?;
        Ok(Box::new(
            MotorPacket::new(ID, definition, &[OutputType::Vibrate], 1, packet).with_response(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{HardwareCommand, OutputCommand, SimulatedHardware};

    fn w(data: Vec<u8>) -> HardwareCommand {
        HardwareCommand::write_with_response(Endpoint::Tx, data)
    }

    #[test]
    fn start_packets_and_dual_motor() {
        let hw = SimulatedHardware::builder("4 Plus", "a").build();
        let v = (OutputType::Vibrate, [0, 15]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        assert_eq!(
            hw.commands(),
            vec![w(vec![0x0f, 3, 0, 0x99, 0, 3, 0, 0]), w(STOP.to_vec())]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 15)),
            vec![w(vec![0x0f, 3, 0, 0xf0, 0, 3, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 4)),
            vec![w(vec![0x0f, 3, 0, 0xf4, 0, 3, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![0x0f, 3, 0, 0x04, 0, 3, 0, 0])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w(STOP.to_vec())]
        );
    }

    #[test]
    fn single_motor_drives_both_nibbles() {
        let hw = SimulatedHardware::builder("Ditto", "a").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[(OutputType::Vibrate, [0, 15])]]),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 8)),
            vec![w(vec![0x0f, 3, 0, 0x88, 0, 3, 0, 0])]
        );
    }

    #[test]
    fn both_motors_in_one_change_are_one_packet() {
        let hw = SimulatedHardware::builder("4 Plus", "a").build();
        let v = (OutputType::Vibrate, [0, 15]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        // int 8 in the high nibble, ext 4 in the low one.
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 8),
                    OutputCommand::new(1, OutputType::Vibrate, 4)
                ]
            ),
            vec![w(vec![0x0f, 3, 0, 0x84, 0, 3, 0, 0])]
        );
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(1, OutputType::Vibrate, 0)
                ]
            ),
            vec![w(STOP.to_vec())]
        );
    }
}

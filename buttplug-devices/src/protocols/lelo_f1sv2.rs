//! Lelo F1s V2: the security handshake on `whitelist`, then both motors in one packet
//! `[01 s0 s1]` on `tx`, written with response. Variants without a `whitelist` endpoint run the
//! handshake on `generic0` and take the Harmony packets.

use super::lelo_common::{authorised_exact, f1s_packet, security_handshake};
use super::lelo_harmony::LeloHarmonyHandler;
use super::motor_packet_common::MotorPacket;
use crate::{DeviceDefinition, DeviceError, Endpoint, Hardware, Protocol, ProtocolHandler};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "lelo-f1sv2";

/// The Lelo F1s V2 protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct LeloF1sV2Protocol;

/// The registered instance.
pub static PROTOCOL: LeloF1sV2Protocol = LeloF1sV2Protocol;

#[async_trait]
impl Protocol for LeloF1sV2Protocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let harmony = !hardware.has_endpoint(Endpoint::Whitelist);
        let endpoint = if harmony {
            Endpoint::Generic(0)
        } else {
            Endpoint::Whitelist
        };
        security_handshake(ID, hardware, endpoint, authorised_exact).await?;
        if harmony {
            Ok(Box::new(LeloHarmonyHandler::new(ID)))
        } else {
            Ok(Box::new(
                MotorPacket::new(ID, definition, &[OutputType::Vibrate], 2, f1s_packet)
                    .with_response(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, out};
    use crate::{HardwareCommand, OutputCommand, SimulatedHardware};
    use futures::executor::block_on;
    use std::time::Duration;

    fn authorise_on(hw: &SimulatedHardware, endpoint: Endpoint) -> std::thread::JoinHandle<()> {
        let device = hw.clone();
        std::thread::spawn(move || {
            assert!(block_on(
                device.wait_for_commands(1, Duration::from_secs(5))
            ));
            device.notify(endpoint, vec![1, 0, 0, 0, 0, 0, 0, 0]);
        })
    }

    #[test]
    fn whitelist_handshake_and_packets() {
        let hw = SimulatedHardware::builder("F1SV2A", "a")
            .endpoints([
                Endpoint::Tx,
                Endpoint::TxVibrate,
                Endpoint::Rx,
                Endpoint::Whitelist,
                Endpoint::Generic(0),
            ])
            .build();
        let script = authorise_on(&hw, Endpoint::Whitelist);
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h =
            block_on(PROTOCOL.initialize(&hw, &definition(ID, &[&[v], &[v]]))).expect("initialize");
        script.join().expect("script");
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::Whitelist)]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 33)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![1, 33, 0]
            )]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 66)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![1, 33, 66]
            )]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![1, 0, 66]
            )]
        );
    }

    #[test]
    fn without_whitelist_uses_generic0_and_harmony_packets() {
        let hw = SimulatedHardware::builder("F1SV2X", "a")
            .endpoints([Endpoint::Tx, Endpoint::Generic(0)])
            .build();
        let script = authorise_on(&hw, Endpoint::Generic(0));
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = block_on(PROTOCOL.initialize(&hw, &def)).expect("initialize");
        script.join().expect("script");
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::Generic(0))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 5)),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![0x0a, 0x12, 1, 8, 0, 0, 0, 0, 5, 0]
            )]
        );
    }
}

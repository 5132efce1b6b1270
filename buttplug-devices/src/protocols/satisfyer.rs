//! Satisfyer toys: identified by a 4-byte model number (big-endian, rendered in decimal, e.g.
//! `10160`) from the BLE manufacturer data or, failing that, the model characteristic. After
//! `[01]` on `command`, every motor's value is sent four times in one packet on `tx`. The toys
//! stop on their own after a few seconds without data, so the last packet is repeated every 3 s.

use super::motor_packet_common::MotorPacket;
use crate::{
    DEFAULT_READ_TIMEOUT, DeviceDefinition, DeviceError, Endpoint, Hardware, Identification,
    KeepaliveStrategy, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

const ID: &str = "satisfyer";

/// Repeat interval: the toys time out a little after this.
const KEEPALIVE: Duration = Duration::from_secs(3);

/// How many bytes of the model characteristic are read.
const MODEL_READ_LEN: u32 = 128;

/// The Satisfyer protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct SatisfyerProtocol;

/// The registered instance.
pub static PROTOCOL: SatisfyerProtocol = SatisfyerProtocol;

/// The decimal model number of a 4-byte big-endian block; anything else counts as model 0.
fn model_number(data: &[u8]) -> String {
    let bytes: [u8; 4] = data.try_into().unwrap_or([0; 4]);
    u32::from_be_bytes(bytes).to_string()
}

fn packet(values: &[u8]) -> Vec<u8> {
    values.iter().flat_map(|v| [*v; 4]).collect()
}

#[async_trait]
impl Protocol for SatisfyerProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        if let Some((_, data)) = hardware
            .manufacturer_data()
            .into_iter()
            .find(|(_, data)| data.len() == 4)
        {
            return Ok(Identification::identifier(model_number(&data)));
        }
        let data = hardware
            .read(Endpoint::RxBleModel, MODEL_READ_LEN, DEFAULT_READ_TIMEOUT)
            .await?;
        Ok(Identification::identifier(model_number(&data)))
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware.write(Endpoint::Command, &[0x01], true).await?;
        Ok(Box::new(
            MotorPacket::new(ID, definition, &[OutputType::Vibrate], 1, packet)
                .keepalive(KeepaliveStrategy::RepeatLastEvery(KEEPALIVE)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{HardwareCommand, OutputCommand, SimulatedHardware};
    use futures::executor::block_on;

    fn sf(builder: crate::SimulatedHardwareBuilder) -> SimulatedHardware {
        builder
            .endpoints([Endpoint::Tx, Endpoint::Command, Endpoint::RxBleModel])
            .build()
    }

    #[test]
    fn identify_from_manufacturer_data() {
        let hw = sf(SimulatedHardware::builder("SF Double Desire", "a")
            .manufacturer_data(93, vec![0x00, 0x00, 0x27, 0xb0]));
        let id = block_on(PROTOCOL.identify(&hw)).expect("identify");
        assert_eq!(id, Identification::identifier("10160"));
        assert!(hw.commands().is_empty());
    }

    #[test]
    fn identify_from_model_characteristic() {
        let hw = sf(SimulatedHardware::builder("SF Hot Spot", "a"));
        hw.push_read(Endpoint::RxBleModel, vec![0x00, 0x00, 0x27, 0x15]);
        hw.push_read(Endpoint::RxBleModel, vec![0x01, 0x02]);
        let id = block_on(PROTOCOL.identify(&hw)).expect("identify");
        assert_eq!(id, Identification::identifier("10005"));
        let id = block_on(PROTOCOL.identify(&hw)).expect("identify");
        assert_eq!(id, Identification::identifier("0"));
    }

    #[test]
    fn init_and_packets() {
        let hw = sf(SimulatedHardware::builder("SF Double Desire", "a"));
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v]]));
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::write_with_response(
                Endpoint::Command,
                vec![1]
            )]
        );
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastEvery(KEEPALIVE));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 50)),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![50, 50, 50, 50, 0, 0, 0, 0]
            )]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 100)),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![50, 50, 50, 50, 100, 100, 100, 100]
            )]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![0, 0, 0, 0, 100, 100, 100, 100]
            )]
        );
    }

    #[test]
    fn three_motors() {
        let hw = sf(SimulatedHardware::builder("SF Double Flex", "a"));
        let v = (OutputType::Vibrate, [0, 100]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[v], &[v], &[v]]));
        let mut expected = vec![0u8; 12];
        expected[8..].copy_from_slice(&[7; 4]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 7)),
            vec![HardwareCommand::write(Endpoint::Tx, expected)]
        );
    }
}

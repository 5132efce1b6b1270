//! `svakom-sam` (Svakom Sam Neo). Initialize subscribes to `rx`. Devices that offer a `txmode` or
//! `firmware` endpoint are second generation: vibrate `[12 01 03 00 mode s]` with mode `04`
//! (`00` when stopped); first-generation devices always send mode `05`. Suction (constrict):
//! `[12 06 01 s]`.

use super::svakom_common::{byte, tx};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "svakom-sam";

/// The `svakom-sam` protocol.
#[derive(Debug)]
pub struct SvakomSam;

/// The `svakom-sam` protocol instance for the registry.
pub static PROTOCOL: SvakomSam = SvakomSam;

#[async_trait]
impl Protocol for SvakomSam {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware.subscribe(Endpoint::Rx).await?;
        let gen2 =
            hardware.has_endpoint(Endpoint::TxMode) || hardware.has_endpoint(Endpoint::Firmware);
        if !gen2 {
            tracing::info!("{ID}: first-generation Sam Neo, vibration mode fixed");
        }
        Ok(Box::new(Handler { gen2 }))
    }
}

#[derive(Debug)]
struct Handler {
    gen2: bool,
}

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let s = byte(cmd.value);
        let data = match cmd.output_type {
            OutputType::Vibrate => {
                let mode = match (self.gen2, s) {
                    (false, _) => 0x05,
                    (true, 0) => 0x00,
                    (true, _) => 0x04,
                };
                vec![0x12, 0x01, 0x03, 0x00, mode, s]
            }
            OutputType::Constrict => vec![0x12, 0x06, 0x01, s],
            _ => return Err(DeviceError::unsupported_output(ID, cmd)),
        };
        Ok(vec![tx(data)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    fn sam_definition() -> DeviceDefinition {
        definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Constrict, [0, 1])],
            ],
        )
    }

    #[test]
    fn second_generation_subscribes_and_vibrates() {
        let hw = SimulatedHardware::builder("Sam Neo", "a")
            .endpoints([
                Endpoint::Tx,
                Endpoint::Rx,
                Endpoint::TxMode,
                Endpoint::Firmware,
            ])
            .build();
        let mut h = handler_for(&PROTOCOL, &hw, &sam_definition());
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx)]
        );
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        let con = |x| OutputCommand::new(1, OutputType::Constrict, x);
        assert_eq!(out(h.as_mut(), vib(7)), vec![tx(&[0x12, 1, 3, 0, 4, 7])]);
        assert_eq!(out(h.as_mut(), con(1)), vec![tx(&[0x12, 6, 1, 1])]);
        assert_eq!(out(h.as_mut(), vib(0)), vec![tx(&[0x12, 1, 3, 0, 0, 0])]);
        assert_eq!(out(h.as_mut(), con(0)), vec![tx(&[0x12, 6, 1, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn firmware_endpoint_alone_is_second_generation() {
        let hw = SimulatedHardware::builder("Sam Neo", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::Firmware])
            .build();
        let mut h = handler_for(&PROTOCOL, &hw, &sam_definition());
        let vib = OutputCommand::new(0, OutputType::Vibrate, 3);
        assert_eq!(out(h.as_mut(), vib), vec![tx(&[0x12, 1, 3, 0, 4, 3])]);
    }

    #[test]
    fn first_generation_uses_fixed_mode() {
        let hw = SimulatedHardware::builder("Sam Neo", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &sam_definition());
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx)]
        );
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), vib(10)), vec![tx(&[0x12, 1, 3, 0, 5, 10])]);
        assert_eq!(out(h.as_mut(), vib(0)), vec![tx(&[0x12, 1, 3, 0, 5, 0])]);
    }

    #[test]
    fn subscribe_failure_fails_initialize() {
        let hw = SimulatedHardware::builder("Sam Neo", "a")
            .endpoints([Endpoint::Tx])
            .build();
        let result = futures::executor::block_on(PROTOCOL.initialize(&hw, &sam_definition()));
        assert!(matches!(result, Err(DeviceError::Hardware(_))));
    }
}

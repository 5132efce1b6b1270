//! `hismith` (Hismith Sex Machine, Pro Traveler, Capsule, Thrusting Cup, G011, Wildolo).
//!
//! Identify reads the model characteristic like `hismith-mini` (hex string). Only the models
//! `1001`, `1002`, `1003`, `1006`, `2001` and `3001` speak this protocol; any other model is
//! handed to `hismith-mini` ([`Identification::reroute_protocol`]).
//!
//! Commands are `[aa slot v v+slot]` on `tx`: oscillate slot `04`; the vibrator on feature 0 slot
//! `04`; any other vibrator slot `06`, stopped with value `f0`.

use super::hismith_mini::read_model_id;
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, Identification,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "hismith";

/// The protocol every other Hismith model is handed to.
const MINI_ID: &str = "hismith-mini";

/// Model ids that use this protocol (the rest use `hismith-mini`).
const MODELS: [&str; 6] = ["1001", "1002", "1003", "1006", "2001", "3001"];

/// The `hismith` protocol.
#[derive(Debug)]
pub struct Hismith;

/// The `hismith` protocol instance for the registry.
pub static PROTOCOL: Hismith = Hismith;

#[async_trait]
impl Protocol for Hismith {
    fn id(&self) -> &'static str {
        ID
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        let model = read_model_id(hardware).await?;
        let reroute_protocol = if MODELS.contains(&model.as_str()) {
            None
        } else {
            tracing::info!("{ID}: model {model} is not a classic Hismith, using {MINI_ID}");
            Some(MINI_ID)
        };
        Ok(Identification {
            identifier: Some(model),
            reroute_protocol,
        })
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(Handler))
    }
}

const HEADER: u8 = 0xaa;
const SLOT_MAIN: u8 = 0x04;
const SLOT_SECOND_VIBRATOR: u8 = 0x06;
/// The value that stops the second vibrator.
const SECOND_VIBRATOR_OFF: u8 = 0xf0;

#[derive(Debug)]
struct Handler;

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let value = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
        let (slot, value) = match (cmd.output_type, cmd.feature_index) {
            (OutputType::Oscillate, _) | (OutputType::Vibrate, 0) => (SLOT_MAIN, value),
            (OutputType::Vibrate, _) if value == 0 => (SLOT_SECOND_VIBRATOR, SECOND_VIBRATOR_OFF),
            (OutputType::Vibrate, _) => (SLOT_SECOND_VIBRATOR, value),
            _ => return Err(DeviceError::unsupported_output(ID, cmd)),
        };
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![HEADER, slot, value, value.wrapping_add(slot)],
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};
    use futures::executor::block_on;

    fn tx(data: &[u8]) -> HardwareCommand {
        HardwareCommand::write(Endpoint::Tx, data.to_vec())
    }

    fn hardware(model: &[u8]) -> SimulatedHardware {
        let hw = SimulatedHardware::builder("HISMITH", "a")
            .endpoints([Endpoint::Tx, Endpoint::RxBleModel])
            .build();
        hw.push_read(Endpoint::RxBleModel, model.to_vec());
        hw
    }

    #[test]
    fn classic_models_stay() {
        for (bytes, id) in [
            ([0x10, 0x01], "1001"),
            ([0x10, 0x06], "1006"),
            ([0x20, 0x01], "2001"),
            ([0x30, 0x01], "3001"),
        ] {
            let hw = hardware(&bytes);
            assert_eq!(
                block_on(PROTOCOL.identify(&hw)).ok(),
                Some(Identification::identifier(id))
            );
            assert!(hw.commands().is_empty());
        }
    }

    #[test]
    fn other_models_go_to_hismith_mini() {
        let hw = hardware(&[0x22, 0x01]);
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification {
                identifier: Some("2201".into()),
                reroute_protocol: Some("hismith-mini"),
            })
        );
        assert!(crate::protocols::find("hismith-mini").is_some());
    }

    #[test]
    fn failed_model_read_is_an_error() {
        let hw = SimulatedHardware::builder("HISMITH", "a").build();
        assert!(matches!(
            block_on(PROTOCOL.identify(&hw)),
            Err(DeviceError::Hardware(_))
        ));
    }

    #[test]
    fn thrusting_cup_oscillates_and_vibrates() {
        // Hismith Thrusting Cup (2001): oscillate [0, 100], vibrate [0, 1].
        let def = definition(
            ID,
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 1])],
            ],
        );
        let hw = hardware(&[0x20, 0x01]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty());
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let osc = |x| OutputCommand::new(0, OutputType::Oscillate, x);
        let vib = |x| OutputCommand::new(1, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), osc(64)), vec![tx(&[0xaa, 4, 64, 68])]);
        assert_eq!(out(h.as_mut(), vib(1)), vec![tx(&[0xaa, 6, 1, 7])]);
        assert_eq!(out(h.as_mut(), osc(0)), vec![tx(&[0xaa, 4, 0, 4])]);
        assert_eq!(out(h.as_mut(), vib(0)), vec![tx(&[0xaa, 6, 0xf0, 0xf6])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn wildolo_vibrates_on_feature_zero() {
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hardware(&[0x30, 0x01]), &def);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), vib(100)), vec![tx(&[0xaa, 4, 100, 104])]);
        assert_eq!(out(h.as_mut(), vib(0)), vec![tx(&[0xaa, 4, 0, 4])]);
    }
}

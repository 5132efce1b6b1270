//! `hismith-mini` (Hismith S1-S3 and servo machines, Auxfun, Sinloli, Eropair, Kiiroo
//! PleasureDrive ...).
//!
//! Identify: read the model characteristic (`rxblemodel`, up to 128 bytes, 500 ms) and use its
//! bytes as a lower-case hex string (`22 01` → `"2201"`). The `hismith` protocol re-routes every
//! model it does not know to this one.
//!
//! Commands are `[cc slot v v+slot]` on `tx`: oscillate slot `03`; vibrate slot `05`, except the
//! first vibrator of a dual-vibrator device, which uses `03`; constrict slot `03`, or `05` when the
//! first constrict feature is feature 1; rotate writes `[cc 03 |s| |s|+3]` then the direction
//! `[cc 01 c0 c1]` (s ≥ 0) or `[cc 01 c1 c2]` (s < 0); spray `[cc 0b 01 0c]`.

use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, Identification,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

const ID: &str = "hismith-mini";

/// How many bytes of the model characteristic are read.
pub(crate) const MODEL_READ_LENGTH: u32 = 128;

/// How long the model read may take.
pub(crate) const MODEL_READ_TIMEOUT: Duration = Duration::from_millis(500);

/// Read the Hismith model characteristic and render it as a lower-case hex string.
///
/// # Errors
/// A hardware error (no `rxblemodel` endpoint, timeout, disconnect).
pub(crate) async fn read_model_id(hardware: &dyn Hardware) -> Result<String, DeviceError> {
    let data = hardware
        .read(Endpoint::RxBleModel, MODEL_READ_LENGTH, MODEL_READ_TIMEOUT)
        .await?;
    Ok(data.iter().map(|b| format!("{b:02x}")).collect())
}

/// The `hismith-mini` protocol.
#[derive(Debug)]
pub struct HismithMini;

/// The `hismith-mini` protocol instance for the registry.
pub static PROTOCOL: HismithMini = HismithMini;

#[async_trait]
impl Protocol for HismithMini {
    fn id(&self) -> &'static str {
        ID
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        Ok(Identification::identifier(read_model_id(hardware).await?))
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(Handler::new(definition)))
    }
}

const HEADER: u8 = 0xcc;
const SLOT_A: u8 = 0x03;
const SLOT_B: u8 = 0x05;
const SLOT_DIRECTION: u8 = 0x01;
const SLOT_SPRAY: u8 = 0x0b;

/// `[cc slot v v+slot]`.
fn packet(slot: u8, value: u8) -> HardwareCommand {
    HardwareCommand::write(
        Endpoint::Tx,
        vec![HEADER, slot, value, value.wrapping_add(slot)],
    )
}

#[derive(Debug)]
struct Handler {
    /// Two or more vibrators: the first one uses slot `03`.
    dual_vibrator: bool,
    /// The first constrict feature is feature 1: constriction uses slot `05`.
    second_constrict: bool,
}

impl Handler {
    fn new(def: &DeviceDefinition) -> Self {
        let first_constrict = def
            .features
            .iter()
            .position(|f| f.output(OutputType::Constrict).is_some());
        Handler {
            dual_vibrator: def.features_with_output(OutputType::Vibrate).len() >= 2,
            second_constrict: first_constrict == Some(1),
        }
    }
}

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let magnitude = u8::try_from(cmd.value.unsigned_abs()).unwrap_or(u8::MAX);
        Ok(match cmd.output_type {
            OutputType::Oscillate => vec![packet(SLOT_A, magnitude)],
            OutputType::Vibrate => {
                let slot = if self.dual_vibrator && cmd.feature_index != 1 {
                    SLOT_A
                } else {
                    SLOT_B
                };
                vec![packet(slot, magnitude)]
            }
            OutputType::Constrict => {
                let slot = if self.second_constrict {
                    SLOT_B
                } else {
                    SLOT_A
                };
                vec![packet(slot, magnitude)]
            }
            OutputType::Rotate => {
                let direction = if cmd.value >= 0 { 0xc0 } else { 0xc1 };
                vec![packet(SLOT_A, magnitude), packet(SLOT_DIRECTION, direction)]
            }
            // A spray is a one-shot action: value 1 fires it, value 0 (stop) has nothing to do.
            OutputType::Spray if cmd.value == 0 => Vec::new(),
            OutputType::Spray => vec![packet(SLOT_SPRAY, 0x01)],
            _ => return Err(DeviceError::unsupported_output(ID, cmd)),
        })
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

    fn hardware(name: &str) -> SimulatedHardware {
        SimulatedHardware::builder(name, "a")
            .endpoints([Endpoint::Tx, Endpoint::RxBleModel])
            .build()
    }

    #[test]
    fn identify_reads_model_as_hex() {
        let hw = hardware("HISMITH S1");
        hw.push_read(Endpoint::RxBleModel, vec![0x10, 0x04]);
        hw.push_read(Endpoint::RxBleModel, vec![0x22, 0x0a, 0xff]);
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("1004"))
        );
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("220aff"))
        );
        assert!(hw.commands().is_empty());
    }

    #[test]
    fn identify_fails_without_model() {
        let hw = SimulatedHardware::builder("HISMITH S1", "a").build();
        assert!(matches!(
            block_on(PROTOCOL.identify(&hw)),
            Err(DeviceError::Hardware(_))
        ));
    }

    #[test]
    fn oscillating_machine() {
        let def = definition(ID, &[&[(OutputType::Oscillate, [0, 100])]]);
        let hw = hardware("HISMITH S1");
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty());
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let osc = |x| OutputCommand::new(0, OutputType::Oscillate, x);
        assert_eq!(out(h.as_mut(), osc(100)), vec![tx(&[0xcc, 3, 100, 103])]);
        assert_eq!(out(h.as_mut(), osc(0)), vec![tx(&[0xcc, 3, 0, 3])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Led, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn dual_vibrator_uses_both_slots() {
        // Eropair Rabbit Vibrator (3101).
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hardware("Eropair x"), &def);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), vib(0, 40)), vec![tx(&[0xcc, 3, 40, 43])]);
        assert_eq!(out(h.as_mut(), vib(1, 60)), vec![tx(&[0xcc, 5, 60, 65])]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![tx(&[0xcc, 3, 0, 3])]);
        assert_eq!(out(h.as_mut(), vib(1, 0)), vec![tx(&[0xcc, 5, 0, 5])]);
    }

    #[test]
    fn pump_first_then_single_vibrator() {
        // Sinloli Automatic Sex Doll (2201): constrict on feature 0, vibrate on feature 1.
        let def = definition(
            ID,
            &[
                &[(OutputType::Constrict, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hardware("Sinloli"), &def);
        let con = OutputCommand::new(0, OutputType::Constrict, 30);
        let vib = OutputCommand::new(1, OutputType::Vibrate, 70);
        assert_eq!(out(h.as_mut(), con), vec![tx(&[0xcc, 3, 30, 33])]);
        assert_eq!(out(h.as_mut(), vib), vec![tx(&[0xcc, 5, 70, 75])]);
    }

    #[test]
    fn oscillate_then_pump_on_feature_one() {
        // Sinloli Cosima (2204): oscillate on feature 0, constrict on feature 1.
        let def = definition(
            ID,
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Constrict, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hardware("Sinloli Cosima"), &def);
        let osc = OutputCommand::new(0, OutputType::Oscillate, 50);
        let con = OutputCommand::new(1, OutputType::Constrict, 20);
        assert_eq!(out(h.as_mut(), osc), vec![tx(&[0xcc, 3, 50, 53])]);
        assert_eq!(out(h.as_mut(), con), vec![tx(&[0xcc, 5, 20, 25])]);
    }

    #[test]
    fn single_vibrator_uses_slot_five() {
        // Eropair Thrusting Vibrating Dildo (3102): oscillate, then vibrate.
        let def = definition(
            ID,
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hardware("Eropair y"), &def);
        let vib = OutputCommand::new(1, OutputType::Vibrate, 9);
        assert_eq!(out(h.as_mut(), vib), vec![tx(&[0xcc, 5, 9, 14])]);
    }

    #[test]
    fn rotate_writes_speed_then_direction() {
        // Sinloli Aston (2205): rotate [-100, 100].
        let def = definition(ID, &[&[(OutputType::Rotate, [-100, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hardware("Sinloli Aston"), &def);
        let rot = |x| OutputCommand::new(0, OutputType::Rotate, x);
        assert_eq!(
            out(h.as_mut(), rot(80)),
            vec![tx(&[0xcc, 3, 80, 83]), tx(&[0xcc, 1, 0xc0, 0xc1])]
        );
        assert_eq!(
            out(h.as_mut(), rot(-25)),
            vec![tx(&[0xcc, 3, 25, 28]), tx(&[0xcc, 1, 0xc1, 0xc2])]
        );
        assert_eq!(
            out(h.as_mut(), rot(0)),
            vec![tx(&[0xcc, 3, 0, 3]), tx(&[0xcc, 1, 0xc0, 0xc1])]
        );
    }

    #[test]
    fn spray_fires_once_and_stop_is_silent() {
        // Sinloli Piupiu (4002): spray [0, 1].
        let def = definition(ID, &[&[(OutputType::Spray, [0, 1])]]);
        let mut h = handler_for(&PROTOCOL, &hardware("Hismith Piupiu"), &def);
        let spray = |x| OutputCommand::new(0, OutputType::Spray, x);
        assert_eq!(out(h.as_mut(), spray(1)), vec![tx(&[0xcc, 0x0b, 1, 0x0c])]);
        assert_eq!(out(h.as_mut(), spray(0)), vec![]);
    }
}

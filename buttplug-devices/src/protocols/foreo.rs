//! Foreo: vibrate `[01 mode s]` on `tx` with response (0-10). The mode byte comes from the BLE
//! name (lower-cased): 3 when it contains "smart" and "2", 1 when it contains "fofo" or "ufo",
//! else 0.

use super::packet_util::{byte, tx_wwr};
use crate::{
    DeviceDefinition, DeviceError, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

/// The `foreo` protocol.
pub static PROTOCOL: ForeoProtocol = ForeoProtocol;

/// The `foreo` protocol (the handler depends on the device name).
#[derive(Debug)]
pub struct ForeoProtocol;

/// The mode byte for a BLE name.
fn mode_for_name(name: &str) -> u8 {
    let lower = name.to_lowercase();
    if lower.contains("smart") && lower.contains('2') {
        3
    } else if lower.contains("fofo") || lower.contains("ufo") {
        1
    } else {
        0
    }
}

#[async_trait]
impl Protocol for ForeoProtocol {
    fn id(&self) -> &'static str {
        "foreo"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(Foreo {
            mode: mode_for_name(hardware.name()),
        }))
    }
}

/// Foreo handler: the mode byte picked at initialize.
#[derive(Debug)]
struct Foreo {
    mode: u8,
}

impl ProtocolHandler for Foreo {
    fn protocol_id(&self) -> &'static str {
        "foreo"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output("foreo", cmd));
        }
        Ok(vec![tx_wwr([0x01, self.mode, byte(cmd.value)])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn modes_from_names() {
        assert_eq!(mode_for_name("LUNA play smart 2"), 3);
        assert_eq!(mode_for_name("LUNA PLAYSMART2"), 3);
        assert_eq!(mode_for_name("LUNA PLAY SMART"), 0);
        assert_eq!(mode_for_name("LUNA fofo"), 1);
        assert_eq!(mode_for_name("UFO 2"), 1);
        assert_eq!(mode_for_name("BEAR"), 0);
    }

    #[test]
    fn vibrate_and_stop_use_the_mode() {
        let def = definition("foreo", &[&[(OutputType::Vibrate, [0, 10])]]);
        let hw = SimulatedHardware::builder("UFO", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 7)),
            vec![tx_wwr([0x01, 0x01, 7])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0x01, 0x01, 0])]
        );
        let hw = SimulatedHardware::builder("LUNA 3", "b").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 10)),
            vec![tx_wwr([0x01, 0x00, 10])]
        );
        assert!(hw.commands().is_empty());
    }
}

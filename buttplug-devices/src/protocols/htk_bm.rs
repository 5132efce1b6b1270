//! HTK breast massager: two on/off features in one byte on `tx`: `0f` both off, `0b` both on,
//! `0c` left (feature 0) only, `0d` right (feature 1) only.

use super::layout_common::feature_slot;
use super::packet_util::tx;
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// The `htk_bm` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("htk_bm", |_| Box::new(HtkBm::default()));

/// Whether each side is on.
#[derive(Debug, Default)]
struct HtkBm {
    on: [bool; 2],
}

impl ProtocolHandler for HtkBm {
    fn protocol_id(&self) -> &'static str {
        "htk_bm"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output("htk_bm", cmd));
        }
        *feature_slot(&mut self.on, cmd)? = cmd.value != 0;
        let code = match self.on {
            [false, false] => 0x0f,
            [true, true] => 0x0b,
            [true, false] => 0x0c,
            [false, true] => 0x0d,
        };
        Ok(vec![tx([code])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn side_combinations() {
        let hw = SimulatedHardware::builder("HTK-BLE-BM001", "a").build();
        let def = definition(
            "htk_bm",
            &[
                &[(OutputType::Vibrate, [0, 1])],
                &[(OutputType::Vibrate, [0, 1])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mut run = |f, v| out(h.as_mut(), OutputCommand::new(f, OutputType::Vibrate, v));
        assert_eq!(run(0, 1), vec![tx([0x0c])]);
        assert_eq!(run(1, 1), vec![tx([0x0b])]);
        assert_eq!(run(0, 0), vec![tx([0x0d])]);
        assert_eq!(run(1, 0), vec![tx([0x0f])]);
    }
}

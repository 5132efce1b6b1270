//! Sexverse v2 (Nolan and others): `[aa 04]` at initialize, then `[aa 03 01 motor 64 speed]` per
//! feature (motor = feature index + 1); every write with response.

use super::packet_util::{InitWriteProtocol, stateless, tx_wwr};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    match cmd.output_type {
        OutputType::Vibrate | OutputType::Oscillate => {
            let motor = (cmd.feature_index + 1) as u8;
            Some(vec![tx_wwr([
                0xaa,
                0x03,
                0x01,
                motor,
                0x64,
                cmd.value as u8,
            ])])
        }
        _ => None,
    }
}

/// The `sexverse-v2` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "sexverse-v2",
    writes: &[(&[0xaa, 0x04], true)],
    settle: Duration::ZERO,
    build: |_| stateless("sexverse-v2", encode),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn initialize_every_feature_and_stop() {
        let hw = SimulatedHardware::builder("NBQ-B619RX", "aa").build();
        let def = definition(
            "sexverse-v2",
            &[
                &[(OutputType::Oscillate, [0, 20])],
                &[(OutputType::Vibrate, [0, 20])],
                &[(OutputType::Vibrate, [0, 20])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(hw.commands(), vec![tx_wwr([0xaa, 0x04])]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 10)),
            vec![tx_wwr([0xaa, 0x03, 0x01, 0x01, 0x64, 10])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 20)),
            vec![tx_wwr([0xaa, 0x03, 0x01, 0x03, 0x64, 20])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 0)),
            vec![tx_wwr([0xaa, 0x03, 0x01, 0x03, 0x64, 0])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

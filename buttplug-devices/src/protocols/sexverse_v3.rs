//! Sexverse v3 (Tay, Zeus): `[a1 04 speed motor]` with motor = feature index + 1, written with
//! response; the device stops unless it hears from the host every 100 ms.

use super::packet_util::{stateless_repeating, tx_wwr};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;
use std::time::Duration;

/// How often the device must hear from the host.
const KEEPALIVE: Duration = Duration::from_millis(100);

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    match cmd.output_type {
        OutputType::Vibrate | OutputType::Rotate | OutputType::Oscillate => {
            let motor = (cmd.feature_index + 1) as u8;
            Some(vec![tx_wwr([0xa1, 0x04, cmd.value as u8, motor])])
        }
        _ => None,
    }
}

/// The `sexverse-v3` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("sexverse-v3", |_| {
    stateless_repeating("sexverse-v3", encode, KEEPALIVE)
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn two_features_stop_and_keepalive() {
        let hw = SimulatedHardware::builder("TA-S001A", "aa").build();
        let def = definition(
            "sexverse-v3",
            &[
                &[(OutputType::Vibrate, [0, 20])],
                &[(OutputType::Oscillate, [0, 20])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatLastEvery(Duration::from_millis(100))
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 20)),
            vec![tx_wwr([0xa1, 0x04, 20, 0x01])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 5)),
            vec![tx_wwr([0xa1, 0x04, 5, 0x02])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0xa1, 0x04, 0, 0x01])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Constrict, 1))
                .is_err()
        );
    }
}

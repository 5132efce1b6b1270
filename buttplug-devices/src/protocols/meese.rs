//! Meese: vibrate `[01 80 01+fi s]` on `tx` with response (feature 0: 0-10, feature 1: 0-3).

use super::packet_util::{byte, feature_byte, stateless, tx_wwr};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `meese` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("meese", |_| stateless("meese", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        vec![tx_wwr([
            0x01,
            0x80,
            0x01u8.wrapping_add(feature_byte(cmd.feature_index)),
            byte(cmd.value),
        ])]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn both_motors_and_stop() {
        let mut h = stateless("meese", encode);
        let mut run = |f, v| out(h.as_mut(), OutputCommand::new(f, OutputType::Vibrate, v));
        assert_eq!(run(0, 10), vec![tx_wwr([0x01, 0x80, 0x01, 10])]);
        assert_eq!(run(1, 3), vec![tx_wwr([0x01, 0x80, 0x02, 3])]);
        assert_eq!(run(0, 0), vec![tx_wwr([0x01, 0x80, 0x01, 0])]);
    }
}

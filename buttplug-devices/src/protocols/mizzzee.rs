//! Mizz Zee: vibrate `[69 96 03 01 on s]` on `tx` (0-68).

use super::packet_util::{byte, on, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `mizzzee` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("mizzzee", |_| stateless("mizzzee", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate)
        .then(|| vec![tx([0x69, 0x96, 0x03, 0x01, on(cmd.value), byte(cmd.value)])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("mizzzee", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 68)),
            vec![tx([0x69, 0x96, 0x03, 0x01, 0x01, 68])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0x69, 0x96, 0x03, 0x01, 0x00, 0])]
        );
    }
}

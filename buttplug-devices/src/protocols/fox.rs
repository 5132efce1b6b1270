//! Fox: vibrate `[03 01 01 fe s]` on `tx` (0-3).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `fox` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("fox", |_| stateless("fox", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate)
        .then(|| vec![tx([0x03, 0x01, 0x01, 0xfe, byte(cmd.value)])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("fox", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 3)),
            vec![tx([0x03, 0x01, 0x01, 0xfe, 3])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0x03, 0x01, 0x01, 0xfe, 0])]
        );
    }
}

//! Cupido: vibrate `[b0 03 00 00 00 s aa]` on `tx` (0-255).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `cupido` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("cupido", |_| stateless("cupido", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate)
        .then(|| vec![tx([0xb0, 0x03, 0x00, 0x00, 0x00, byte(cmd.value), 0xaa])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("cupido", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 255)),
            vec![tx([0xb0, 0x03, 0, 0, 0, 255, 0xaa])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0xb0, 0x03, 0, 0, 0, 0, 0xaa])]
        );
    }
}

//! Fleshy Thrust: position with duration `[pos dur_hi dur_lo]` on `tx` (position 0-180,
//! duration in ms as big-endian u16).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `fleshy-thrust` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("fleshy-thrust", |_| stateless("fleshy-thrust", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::HwPositionWithDuration).then(|| {
        let [hi, lo] = u16::try_from(cmd.duration_ms)
            .unwrap_or(u16::MAX)
            .to_be_bytes();
        vec![tx([byte(cmd.value), hi, lo])]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn position_with_duration() {
        let mut h = stateless("fleshy-thrust", encode);
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 180, 500)
            ),
            vec![tx([180, 0x01, 0xf4])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 0, 1000)
            ),
            vec![tx([0, 0x03, 0xe8])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

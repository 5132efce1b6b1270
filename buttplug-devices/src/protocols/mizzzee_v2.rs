//! Mizz Zee v2: vibrate `[69 96 04 02 s 2c s]` on `tx` (0-68).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `mizzzee-v2` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("mizzzee-v2", |_| stateless("mizzzee-v2", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        let s = byte(cmd.value);
        vec![tx([0x69, 0x96, 0x04, 0x02, s, 0x2c, s])]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("mizzzee-v2", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 35)),
            vec![tx([0x69, 0x96, 0x04, 0x02, 35, 0x2c, 35])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0x69, 0x96, 0x04, 0x02, 0, 0x2c, 0])]
        );
    }
}

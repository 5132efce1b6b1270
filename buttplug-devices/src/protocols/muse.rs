//! Mu Se / Love Spouse (`WB-*`): two bytes `[AA BB]` on `tx`. With `BB` non-zero the device
//! runs at speed `AA` for about one second; `AA = 00` stops it. (With `BB = 00`, `AA` would pick
//! a built-in pattern, which this handler never does.) Vibrate writes `[s 01]` (0-9) and the last
//! packet is repeated every 500 ms so the speed holds.
//!
//! Facts from the public protocol notes (STPIHKAL issue 65); the Rust reference has no
//! implementation of this configured protocol.

use super::packet_util::{byte, stateless_repeating, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;
use std::time::Duration;

/// A speed packet holds for about a second; repeat well before that.
const REPEAT_EVERY: Duration = Duration::from_millis(500);

/// The `muse` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("muse", |_| {
    stateless_repeating("muse", encode, REPEAT_EVERY)
});

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| vec![tx([byte(cmd.value), 0x01])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_stop_and_keepalive() {
        let hw = SimulatedHardware::builder("WB-TDD", "a").build();
        let def = definition("muse", &[&[(OutputType::Vibrate, [0, 9])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatLastEvery(Duration::from_millis(500))
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 9)),
            vec![tx([0x09, 0x01])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0x00, 0x01])]
        );
    }
}

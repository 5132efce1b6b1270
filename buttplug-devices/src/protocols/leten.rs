//! Leten: initialize writes `[04 01]` with response; vibrate `[02 s]` on `tx` with response
//! (0-25). The device stops unless it hears from the host every second, so the last packet is
//! repeated (keep-alive T(1 s)).

use super::packet_util::{InitWriteProtocol, byte, stateless_repeating, tx_wwr};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

/// How often the last packet must be repeated.
const REPEAT_EVERY: Duration = Duration::from_secs(1);

/// The `leten` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "leten",
    writes: &[(&[0x04, 0x01], true)],
    settle: Duration::ZERO,
    build: |_| stateless_repeating("leten", encode, REPEAT_EVERY),
};

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| vec![tx_wwr([0x02, byte(cmd.value)])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn init_vibrate_stop_and_keepalive() {
        let hw = SimulatedHardware::builder("T528-LT", "a").build();
        let def = definition("leten", &[&[(OutputType::Vibrate, [0, 25])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(hw.take_commands(), vec![tx_wwr([0x04, 0x01])]);
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatLastEvery(Duration::from_secs(1))
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 25)),
            vec![tx_wwr([0x02, 25])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0x02, 0])]
        );
    }
}

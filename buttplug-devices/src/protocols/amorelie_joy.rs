//! Amorelie Joy: initialize writes `[03]`; vibrate `[01 01 s]` on `tx` (0-100).

use super::packet_util::{InitWriteProtocol, byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

/// The `amorelie-joy` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "amorelie-joy",
    writes: &[(&[0x03], false)],
    settle: Duration::ZERO,
    build: |_| stateless("amorelie-joy", encode),
};

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| vec![tx([0x01, 0x01, byte(cmd.value)])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn init_vibrate_and_stop() {
        let hw = SimulatedHardware::builder("4D02", "a").build();
        let def = definition("amorelie-joy", &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(hw.take_commands(), vec![tx([0x03])]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 55)),
            vec![tx([0x01, 0x01, 55])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0x01, 0x01, 0x00])]
        );
    }
}

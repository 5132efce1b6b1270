//! Love Distance: initialize writes `[f3 00 00]` then `[f4 01]`; vibrate `[f3 00 s]` on `tx`
//! (0-121).

use super::packet_util::{InitWriteProtocol, byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

/// The `lovedistance` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "lovedistance",
    writes: &[(&[0xf3, 0x00, 0x00], false), (&[0xf4, 0x01], false)],
    settle: Duration::ZERO,
    build: |_| stateless("lovedistance", encode),
};

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| vec![tx([0xf3, 0x00, byte(cmd.value)])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn init_vibrate_and_stop() {
        let hw = SimulatedHardware::builder("REACH G", "a").build();
        let def = definition("lovedistance", &[&[(OutputType::Vibrate, [0, 121])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.take_commands(),
            vec![tx([0xf3, 0x00, 0x00]), tx([0xf4, 0x01])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 121)),
            vec![tx([0xf3, 0x00, 121])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0xf3, 0x00, 0])]
        );
    }
}

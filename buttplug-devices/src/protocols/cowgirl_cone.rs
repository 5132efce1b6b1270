//! The Cowgirl Cone: initialize writes `[aa 56 00 00]` and waits 3 s; vibrate `[f1 01 s 00]` on
//! `tx` (0-128).

use super::packet_util::{InitWriteProtocol, byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

/// The `cowgirl-cone` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "cowgirl-cone",
    writes: &[(&[0xaa, 0x56, 0x00, 0x00], false)],
    settle: Duration::from_secs(3),
    build: |_| stateless("cowgirl-cone", encode),
};

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| vec![tx([0xf1, 0x01, byte(cmd.value), 0x00])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, out};

    #[test]
    fn encodes_vibrate_and_stop() {
        let mut h = stateless("cowgirl-cone", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 128)),
            vec![tx([0xf1, 0x01, 128, 0x00])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0xf1, 0x01, 0, 0x00])]
        );
    }

    #[test]
    fn initialize_writes_wake_packet_then_waits() {
        let hw = SimulatedHardware::builder("CG-CONE", "a").build();
        let def = definition("cowgirl-cone", &[&[(OutputType::Vibrate, [0, 128])]]);
        let start = std::time::Instant::now();
        let _h = futures::executor::block_on(crate::Protocol::initialize(&PROTOCOL, &hw, &def));
        assert!(start.elapsed() >= Duration::from_secs(3));
        assert_eq!(hw.commands(), vec![tx([0xaa, 0x56, 0x00, 0x00])]);
    }
}

//! Nobra (BLE or serial): one byte per command, `70` = stop, `60 + speed` for speeds 1-15; the
//! stop byte is also sent at initialize.

use super::packet_util::{InitWriteProtocol, stateless, tx};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

/// The stop byte.
const STOP: u8 = 0x70;

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    match cmd.output_type {
        OutputType::Vibrate if cmd.value == 0 => Some(vec![tx([STOP])]),
        OutputType::Vibrate => Some(vec![tx([0x60 + cmd.value as u8])]),
        _ => None,
    }
}

/// The `nobra` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "nobra",
    writes: &[(&[STOP], false)],
    settle: Duration::ZERO,
    build: |_| stateless("nobra", encode),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{Endpoint, SimulatedHardware};

    #[test]
    fn initialize_writes_stop() {
        let hw = SimulatedHardware::builder("NobraControl", "aa").build();
        let def = definition("nobra", &[&[(OutputType::Vibrate, [0, 15])]]);
        let _h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::write(Endpoint::Tx, vec![0x70])]
        );
    }

    #[test]
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("NobraControl", "aa").build();
        let def = definition("nobra", &[&[(OutputType::Vibrate, [0, 15])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(1)), vec![tx([0x61])]);
        assert_eq!(out(h.as_mut(), v(15)), vec![tx([0x6f])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx([0x70])]);
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

//! WeToy (MiNa): `[80 03]` stops (also written at initialize), `[b2 speed-1]` runs; every write
//! with response.

use super::packet_util::{InitWriteProtocol, stateless, tx_wwr};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

/// The stop packet.
const STOP: [u8; 2] = [0x80, 0x03];

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    match cmd.output_type {
        OutputType::Vibrate if cmd.value == 0 => Some(vec![tx_wwr(STOP)]),
        OutputType::Vibrate => Some(vec![tx_wwr([0xb2, (cmd.value - 1) as u8])]),
        _ => None,
    }
}

/// The `wetoy` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "wetoy",
    writes: &[(&STOP, true)],
    settle: Duration::ZERO,
    build: |_| stateless("wetoy", encode),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn initialize_vibrate_and_stop() {
        let hw = SimulatedHardware::builder("WeToy", "aa").build();
        let def = definition("wetoy", &[&[(OutputType::Vibrate, [0, 3])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(hw.commands(), vec![tx_wwr([0x80, 0x03])]);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(1)), vec![tx_wwr([0xb2, 0x00])]);
        assert_eq!(out(h.as_mut(), v(3)), vec![tx_wwr([0xb2, 0x02])]);
        assert_eq!(out(h.as_mut(), v(0)), vec![tx_wwr([0x80, 0x03])]);
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

//! Synchro: rotate `[a1 01 speed|dir 77 55]`, dir bit `80` for counter-clockwise.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Rotate => {
            let dir = if cmd.value < 0 { 0x80 } else { 0x00 };
            Some(vec![
                0xa1,
                0x01,
                cmd.value.unsigned_abs() as u8 | dir,
                0x77,
                0x55,
            ])
        }
        _ => None,
    }
}

/// The `synchro` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("synchro", |_| stateless_tx("synchro", packet, false));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HardwareCommand;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{Endpoint, SimulatedHardware};

    fn w(data: &[u8]) -> Vec<HardwareCommand> {
        vec![HardwareCommand::write(Endpoint::Tx, data.to_vec())]
    }

    #[test]
    fn rotate_both_ways_and_stop() {
        let hw = SimulatedHardware::builder("Shinkuro", "aa").build();
        let def = definition("synchro", &[&[(OutputType::Rotate, [-6, 6])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let r = |x| OutputCommand::new(0, OutputType::Rotate, x);
        assert_eq!(out(h.as_mut(), r(6)), w(&[0xa1, 0x01, 0x06, 0x77, 0x55]));
        assert_eq!(out(h.as_mut(), r(-3)), w(&[0xa1, 0x01, 0x83, 0x77, 0x55]));
        assert_eq!(out(h.as_mut(), r(0)), w(&[0xa1, 0x01, 0x00, 0x77, 0x55]));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

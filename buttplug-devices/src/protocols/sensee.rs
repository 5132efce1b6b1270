//! Sensee (Diandou Rabbit): an 11-byte frame with the speed last.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![
            0x55,
            0xaa,
            0xf0,
            0x01,
            0x01,
            0x0b,
            0x65,
            0xf7,
            0x01,
            0x01,
            cmd.value as u8,
        ]),
        _ => None,
    }
}

/// The `sensee` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("sensee", |_| stateless_tx("sensee", packet, false));

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
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("CTY222S4", "aa").build();
        let def = definition("sensee", &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), v(100)),
            w(&[
                0x55, 0xaa, 0xf0, 0x01, 0x01, 0x0b, 0x65, 0xf7, 0x01, 0x01, 100
            ])
        );
        assert_eq!(
            out(h.as_mut(), v(0)),
            w(&[
                0x55, 0xaa, 0xf0, 0x01, 0x01, 0x0b, 0x65, 0xf7, 0x01, 0x01, 0
            ])
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Constrict, 1))
                .is_err()
        );
    }
}

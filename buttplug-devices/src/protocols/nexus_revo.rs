//! Nexus Revo: vibrate and two-way rotate packets, written with response.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = cmd.value;
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![0xaa, 0x01, 0x01, 0x00, 0x01, s as u8]),
        OutputType::Rotate => {
            // Counter-clockwise speeds are 1-2, clockwise speeds 3-4, 0 stops.
            let code = s.unsigned_abs() as u8 + if s > 0 { 2 } else { 0 };
            Some(vec![0xaa, 0x01, 0x02, 0x00, code, 0x00])
        }
        _ => None,
    }
}

/// The `nexus-revo` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("nexus-revo", |_| stateless_tx("nexus-revo", packet, true));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HardwareCommand;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{Endpoint, SimulatedHardware};

    fn w(data: &[u8]) -> Vec<HardwareCommand> {
        vec![HardwareCommand::write_with_response(
            Endpoint::Tx,
            data.to_vec(),
        )]
    }

    #[test]
    fn vibrate_rotate_and_stop() {
        let hw = SimulatedHardware::builder("XW-LW3", "aa").build();
        let def = definition(
            "nexus-revo",
            &[
                &[(OutputType::Vibrate, [0, 10])],
                &[(OutputType::Rotate, [-2, 2])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 7)),
            w(&[0xaa, 0x01, 0x01, 0x00, 0x01, 7])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 2)),
            w(&[0xaa, 0x01, 0x02, 0x00, 4, 0])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 1)),
            w(&[0xaa, 0x01, 0x02, 0x00, 3, 0])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -2)),
            w(&[0xaa, 0x01, 0x02, 0x00, 2, 0])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -1)),
            w(&[0xaa, 0x01, 0x02, 0x00, 1, 0])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 0)),
            w(&[0xaa, 0x01, 0x02, 0x00, 0, 0])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            w(&[0xaa, 0x01, 0x01, 0x00, 0x01, 0])
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1))
                .is_err()
        );
    }
}

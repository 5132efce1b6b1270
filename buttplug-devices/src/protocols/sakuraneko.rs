//! Sakuraneko: 12-byte packets, one layout for vibrate and one for rotate.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = cmd.value as u8;
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![
            0xa1, 0x08, 0x01, 0x00, 0x00, 0x00, 0x64, s, 0x00, 0x64, 0xdf, 0x55,
        ]),
        OutputType::Rotate => Some(vec![
            0xa2, 0x08, 0x01, 0x00, 0x00, 0x00, 0x64, s, 0x00, 0x32, 0xdf, 0x55,
        ]),
        _ => None,
    }
}

/// The `sakuraneko` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("sakuraneko", |_| stateless_tx("sakuraneko", packet, false));

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
    fn vibrate_rotate_and_stop() {
        let hw = SimulatedHardware::builder("sakuraneko-04", "aa").build();
        let def = definition(
            "sakuraneko",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Rotate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 40)),
            w(&[
                0xa1, 0x08, 0x01, 0x00, 0x00, 0x00, 0x64, 40, 0x00, 0x64, 0xdf, 0x55
            ])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 75)),
            w(&[
                0xa2, 0x08, 0x01, 0x00, 0x00, 0x00, 0x64, 75, 0x00, 0x32, 0xdf, 0x55
            ])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            w(&[
                0xa1, 0x08, 0x01, 0x00, 0x00, 0x00, 0x64, 0, 0x00, 0x64, 0xdf, 0x55
            ])
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1))
                .is_err()
        );
    }
}

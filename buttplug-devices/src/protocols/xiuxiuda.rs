//! Xiuxiuda: `[00 00 00 00 65 3a 30 speed 64]`.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![
            0x00,
            0x00,
            0x00,
            0x00,
            0x65,
            0x3a,
            0x30,
            cmd.value as u8,
            0x64,
        ]),
        _ => None,
    }
}

/// The `xiuxiuda` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("xiuxiuda", |_| stateless_tx("xiuxiuda", packet, false));

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
        let hw = SimulatedHardware::builder("XXD-Lush1", "aa").build();
        let def = definition("xiuxiuda", &[&[(OutputType::Vibrate, [0, 19])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), v(19)),
            w(&[0, 0, 0, 0, 0x65, 0x3a, 0x30, 19, 0x64])
        );
        assert_eq!(
            out(h.as_mut(), v(0)),
            w(&[0, 0, 0, 0, 0x65, 0x3a, 0x30, 0, 0x64])
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

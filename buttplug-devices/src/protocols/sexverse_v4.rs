//! Sexverse v4 (VVD Vkini and others): `[bb 01 speed 66]`, written with response.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![0xbb, 0x01, cmd.value as u8, 0x66]),
        _ => None,
    }
}

/// The `sexverse-v4` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("sexverse-v4", |_| stateless_tx("sexverse-v4", packet, true));

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
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("HJ2024N01", "aa").build();
        let def = definition("sexverse-v4", &[&[(OutputType::Vibrate, [0, 99])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(99)), w(&[0xbb, 0x01, 99, 0x66]));
        assert_eq!(out(h.as_mut(), v(0)), w(&[0xbb, 0x01, 0, 0x66]));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

//! Sexverse v5 (Heart): `[aa 03 03 speed 00 00 00]`.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![0xaa, 0x03, 0x03, cmd.value as u8, 0x00, 0x00, 0x00]),
        _ => None,
    }
}

/// The `sexverse-v5` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("sexverse-v5", |_| {
    stateless_tx("sexverse-v5", packet, false)
});

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
        let hw = SimulatedHardware::builder("CBW02", "aa").build();
        let def = definition("sexverse-v5", &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(25)), w(&[0xaa, 0x03, 0x03, 25, 0, 0, 0]));
        assert_eq!(out(h.as_mut(), v(0)), w(&[0xaa, 0x03, 0x03, 0, 0, 0, 0]));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1))
                .is_err()
        );
    }
}

//! Picobong: `[01 mode speed]`, mode `01` while running and `ff` when stopped.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => {
            let mode = if cmd.value == 0 { 0xff } else { 0x01 };
            Some(vec![0x01, mode, cmd.value as u8])
        }
        _ => None,
    }
}

/// The `picobong` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("picobong", |_| stateless_tx("picobong", packet, false));

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
        let hw = SimulatedHardware::builder("Blow hole", "aa").build();
        let def = definition("picobong", &[&[(OutputType::Vibrate, [0, 10])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(5)), w(&[0x01, 0x01, 5]));
        assert_eq!(out(h.as_mut(), v(10)), w(&[0x01, 0x01, 10]));
        assert_eq!(out(h.as_mut(), v(0)), w(&[0x01, 0xff, 0]));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1))
                .is_err()
        );
    }
}

//! Pink Punch: `[09 speed]`, written with response.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![0x09, cmd.value as u8]),
        _ => None,
    }
}

/// The `pink_punch` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("pink_punch", |_| stateless_tx("pink_punch", packet, true));

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
        let hw = SimulatedHardware::builder("Pink_Punch", "aa").build();
        let def = definition("pink_punch", &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(64)), w(&[0x09, 64]));
        assert_eq!(out(h.as_mut(), v(0)), w(&[0x09, 0]));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

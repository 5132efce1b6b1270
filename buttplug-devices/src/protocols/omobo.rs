//! Omobo (ViVegg): one 7-byte packet per vibrate value, written with response.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![0xa1, 0x04, 0x04, 0x01, cmd.value as u8, 0xff, 0x55]),
        _ => None,
    }
}

/// The `omobo` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("omobo", |_| stateless_tx("omobo", packet, true));

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
        let hw = SimulatedHardware::builder("S6", "aa").build();
        let def = definition("omobo", &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), v(50)),
            w(&[0xa1, 0x04, 0x04, 0x01, 50, 0xff, 0x55])
        );
        assert_eq!(
            out(h.as_mut(), v(100)),
            w(&[0xa1, 0x04, 0x04, 0x01, 100, 0xff, 0x55])
        );
        assert_eq!(
            out(h.as_mut(), v(0)),
            w(&[0xa1, 0x04, 0x04, 0x01, 0, 0xff, 0x55])
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
        assert!(hw.commands().is_empty());
    }
}

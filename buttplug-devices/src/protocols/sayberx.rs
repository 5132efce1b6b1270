//! SayberX: ASCII `AT+SPD<level>0` on `tx`, level 0-4 as a digit.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => {
            let mut data = b"AT+SPD".to_vec();
            data.push(b'0' + cmd.value as u8);
            data.push(b'0');
            Some(data)
        }
        _ => None,
    }
}

/// The `sayberx` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("sayberx", |_| stateless_tx("sayberx", packet, false));

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
        let hw = SimulatedHardware::builder("SayberX", "aa").build();
        let def = definition("sayberx", &[&[(OutputType::Vibrate, [0, 4])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(2)), w(b"AT+SPD20"));
        assert_eq!(
            out(h.as_mut(), v(4)),
            w(&[0x41, 0x54, 0x2b, 0x53, 0x50, 0x44, 0x34, 0x30])
        );
        assert_eq!(out(h.as_mut(), v(0)), w(b"AT+SPD00"));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

//! Xibao (smart cup): 13-byte oscillate frame ending in speed and `speed + b5`.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Oscillate => {
            let s = cmd.value as u8;
            Some(vec![
                0x66,
                0x3a,
                0x00,
                0x06,
                0x00,
                0x06,
                0x01,
                0x02,
                0x00,
                0x02,
                0x04,
                s,
                s.wrapping_add(0xb5),
            ])
        }
        _ => None,
    }
}

/// The `xibao` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("xibao", |_| stateless_tx("xibao", packet, false));

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
    fn oscillate_and_stop() {
        let hw = SimulatedHardware::builder("CCYB_1904", "aa").build();
        let def = definition("xibao", &[&[(OutputType::Oscillate, [0, 99])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let o = |x| OutputCommand::new(0, OutputType::Oscillate, x);
        assert_eq!(
            out(h.as_mut(), o(99)),
            w(&[
                0x66, 0x3a, 0x00, 0x06, 0x00, 0x06, 0x01, 0x02, 0x00, 0x02, 0x04, 99, 0x18
            ])
        );
        assert_eq!(
            out(h.as_mut(), o(0)),
            w(&[
                0x66, 0x3a, 0x00, 0x06, 0x00, 0x06, 0x01, 0x02, 0x00, 0x02, 0x04, 0, 0xb5
            ])
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

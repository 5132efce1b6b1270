//! TryFun (Yuan series, Surge Pro): checksummed oscillate/rotate frames and a 9-byte vibrate frame, all written with response.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    let s = cmd.value as u8;
    let checked = |code: u8| {
        let mut data = vec![0xaa, 0x02, code, s];
        data.push(super::tryfun_common::checksum(&data[1..], 3));
        data
    };
    match cmd.output_type {
        OutputType::Oscillate => Some(checked(0x07)),
        OutputType::Rotate => Some(checked(0x08)),
        OutputType::Vibrate => {
            let running = s != 0;
            Some(vec![
                0x00,
                0x02,
                0x00,
                0x05,
                if running { 0x02 } else { 0x01 },
                if running { s } else { 0x02 },
                0x01,
                if running { 0x00 } else { 0x01 },
                0xfd - s.max(1),
            ])
        }
        _ => None,
    }
}

/// The `tryfun` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("tryfun", |_| stateless_tx("tryfun", packet, true));

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
    fn oscillate_rotate_and_stop() {
        let hw = SimulatedHardware::builder("TRYFUN-ONE", "aa").build();
        let def = definition(
            "tryfun",
            &[
                &[(OutputType::Oscillate, [0, 9])],
                &[(OutputType::Rotate, [0, 9])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // 0xff - (02 + 07 + 05) + 3 = 0xf4
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 5)),
            w(&[0xaa, 0x02, 0x07, 5, 0xf4])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 9)),
            w(&[0xaa, 0x02, 0x08, 9, 0xef])
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0)),
            w(&[0xaa, 0x02, 0x07, 0, 0xf9])
        );
    }

    #[test]
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("TF-SPRAY", "aa").build();
        let def = definition("tryfun", &[&[(OutputType::Vibrate, [0, 4])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), v(3)),
            w(&[0x00, 0x02, 0x00, 0x05, 0x02, 3, 0x01, 0x00, 0xfa])
        );
        assert_eq!(
            out(h.as_mut(), v(0)),
            w(&[0x00, 0x02, 0x00, 0x05, 0x01, 0x02, 0x01, 0x01, 0xfc])
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Constrict, 1))
                .is_err()
        );
    }
}

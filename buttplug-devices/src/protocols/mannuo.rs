//! ManNuo: `[aa 55 06 01 01 01 s fa x]` on `tx` with response, `x` = XOR of the first eight
//! bytes (0-3).

use super::packet_util::{byte, stateless, tx_wwr};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `mannuo` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("mannuo", |_| stateless("mannuo", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        let mut data = vec![0xaa, 0x55, 0x06, 0x01, 0x01, 0x01, byte(cmd.value), 0xfa];
        let x = data.iter().fold(0u8, |acc, b| acc ^ b);
        data.push(x);
        vec![tx_wwr(data)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("mannuo", encode);
        // aa^55 = ff; ff^06 = f9; ^01 = f8; ^01 = f9; ^01 = f8; ^03 = fb; ^fa = 01
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 3)),
            vec![tx_wwr([
                0xaa, 0x55, 0x06, 0x01, 0x01, 0x01, 0x03, 0xfa, 0x01
            ])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([
                0xaa, 0x55, 0x06, 0x01, 0x01, 0x01, 0x00, 0xfa, 0x02
            ])]
        );
    }
}

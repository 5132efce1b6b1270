//! MyMuse Link Plus: on `tx`, stop `[aa 55 06 aa 00 00 00 00]`, else
//! `[aa 55 06 01 01 01 s ff]` (0-3).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `mymuselinkplus` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("mymuselinkplus", |_| stateless("mymuselinkplus", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        let data = if cmd.value == 0 {
            [0xaa, 0x55, 0x06, 0xaa, 0x00, 0x00, 0x00, 0x00]
        } else {
            [0xaa, 0x55, 0x06, 0x01, 0x01, 0x01, byte(cmd.value), 0xff]
        };
        vec![tx(data)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("mymuselinkplus", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 2)),
            vec![tx([0xaa, 0x55, 0x06, 0x01, 0x01, 0x01, 2, 0xff])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0xaa, 0x55, 0x06, 0xaa, 0, 0, 0, 0])]
        );
    }
}

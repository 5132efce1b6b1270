//! Kizuna Smart (serial, 19200 8N1): rotate writes the ASCII digit `'0' + s` then CR LF on `tx`
//! (0-9).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `kizuna` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("kizuna", |_| stateless("kizuna", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Rotate).then(|| {
        vec![tx([
            b'0'.saturating_add(byte(cmd.value.saturating_abs())),
            b'\r',
            b'\n',
        ])]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn rotate_and_stop() {
        let mut h = stateless("kizuna", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Rotate, 9)),
            vec![tx(b"9\r\n".to_vec())]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Rotate, 0)),
            vec![tx(b"0\r\n".to_vec())]
        );
    }
}

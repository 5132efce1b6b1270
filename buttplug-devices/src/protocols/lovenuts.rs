//! Love Nuts: 16-byte packet on `tx`: ASCII `EVOL`, ten bytes `s | s << 4`, then `00 ff`
//! (0-15).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `lovenuts` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("lovenuts", |_| stateless("lovenuts", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        let s = byte(cmd.value) & 0x0f;
        let mut data = b"EVOL".to_vec();
        data.extend([s | (s << 4); 10]);
        data.extend([0x00, 0xff]);
        vec![tx(data)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("lovenuts", encode);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 10)),
            vec![tx([
                0x45, 0x56, 0x4f, 0x4c, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
                0x00, 0xff
            ])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([
                0x45, 0x56, 0x4f, 0x4c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xff
            ])]
        );
    }
}

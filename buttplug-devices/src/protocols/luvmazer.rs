//! Luvmazer, on `tx`: vibrate `[a0 01 00 fi 64 s]`, rotate `[a0 0f 00 00 64 s]`, oscillate
//! `[a0 06 01 00 64 s]`, constrict `[a0 0d 00 00 (s?14:00) s]`.

use super::packet_util::{byte, feature_byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `luvmazer` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("luvmazer", |_| stateless("luvmazer", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    let s = byte(cmd.value.saturating_abs());
    let packet = match cmd.output_type {
        OutputType::Vibrate => [0xa0, 0x01, 0x00, feature_byte(cmd.feature_index), 0x64, s],
        OutputType::Rotate => [0xa0, 0x0f, 0x00, 0x00, 0x64, s],
        OutputType::Oscillate => [0xa0, 0x06, 0x01, 0x00, 0x64, s],
        OutputType::Constrict => [0xa0, 0x0d, 0x00, 0x00, if s == 0 { 0x00 } else { 0x14 }, s],
        _ => return None,
    };
    Some(vec![tx(packet)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn every_output_and_stop() {
        let mut h = stateless("luvmazer", encode);
        let mut run = |f, t, v| out(h.as_mut(), OutputCommand::new(f, t, v));
        assert_eq!(
            run(0, OutputType::Vibrate, 200),
            vec![tx([0xa0, 0x01, 0, 0, 0x64, 200])]
        );
        assert_eq!(
            run(2, OutputType::Vibrate, 0),
            vec![tx([0xa0, 0x01, 0, 2, 0x64, 0])]
        );
        assert_eq!(
            run(1, OutputType::Rotate, 90),
            vec![tx([0xa0, 0x0f, 0, 0, 0x64, 90])]
        );
        assert_eq!(
            run(1, OutputType::Oscillate, 30),
            vec![tx([0xa0, 0x06, 0x01, 0, 0x64, 30])]
        );
        assert_eq!(
            run(2, OutputType::Constrict, 54),
            vec![tx([0xa0, 0x0d, 0, 0, 0x14, 54])]
        );
        assert_eq!(
            run(2, OutputType::Constrict, 0),
            vec![tx([0xa0, 0x0d, 0, 0, 0x00, 0])]
        );
    }
}

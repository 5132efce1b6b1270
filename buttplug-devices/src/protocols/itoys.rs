//! iToys: vibrate `[a0 01 00 00 s ff]` (0-3 or 0-255), oscillate `[a0 06 on 00 on s]` (0-255),
//! rotate `[a0 08 on 00 |s| (s?ff:00)]`, all on `tx`.

use super::packet_util::{byte, on, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `itoys` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("itoys", |_| stateless("itoys", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    let s = byte(cmd.value.saturating_abs());
    let o = on(cmd.value);
    let packet = match cmd.output_type {
        OutputType::Vibrate => [0xa0, 0x01, 0x00, 0x00, s, 0xff],
        OutputType::Oscillate => [0xa0, 0x06, o, 0x00, o, s],
        OutputType::Rotate => [0xa0, 0x08, o, 0x00, s, if o == 0 { 0x00 } else { 0xff }],
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
        let mut h = stateless("itoys", encode);
        let mut run = |t, v| out(h.as_mut(), OutputCommand::new(0, t, v));
        assert_eq!(
            run(OutputType::Vibrate, 2),
            vec![tx([0xa0, 0x01, 0, 0, 2, 0xff])]
        );
        assert_eq!(
            run(OutputType::Vibrate, 0),
            vec![tx([0xa0, 0x01, 0, 0, 0, 0xff])]
        );
        assert_eq!(
            run(OutputType::Oscillate, 200),
            vec![tx([0xa0, 0x06, 1, 0, 1, 200])]
        );
        assert_eq!(
            run(OutputType::Oscillate, 0),
            vec![tx([0xa0, 0x06, 0, 0, 0, 0])]
        );
        assert_eq!(
            run(OutputType::Rotate, 3),
            vec![tx([0xa0, 0x08, 1, 0, 3, 0xff])]
        );
        assert_eq!(
            run(OutputType::Rotate, 0),
            vec![tx([0xa0, 0x08, 0, 0, 0, 0x00])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(1, OutputType::Constrict, 1))
                .is_err()
        );
    }
}

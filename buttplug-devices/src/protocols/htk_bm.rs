//! HTK breast massager: two on/off features in one byte on `tx`: `0f` both off, `0b` both on,
//! `0c` left (feature 0) only, `0d` right (feature 1) only.

use super::motor_packet_common::{MotorPacket, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

/// The `htk_bm` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("htk_bm", |def| {
    Box::new(MotorPacket::new(
        "htk_bm",
        def,
        &[OutputType::Vibrate],
        2,
        packet,
    ))
});

/// The one byte for which sides are on.
fn packet(values: &[u8]) -> Vec<u8> {
    let code = match (slot(values, 0) != 0, slot(values, 1) != 0) {
        (false, false) => 0x0f,
        (true, true) => 0x0b,
        (true, false) => 0x0c,
        (false, true) => 0x0d,
    };
    vec![code]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::packet_util::tx;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{OutputCommand, SimulatedHardware};

    #[test]
    fn both_sides_in_one_change() {
        let hw = SimulatedHardware::builder("HTK-BLE-BM001", "a").build();
        let def = definition(
            "htk_bm",
            &[
                &[(OutputType::Vibrate, [0, 1])],
                &[(OutputType::Vibrate, [0, 1])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        assert_eq!(outs(h.as_mut(), &[vib(0, 1), vib(1, 1)]), vec![tx([0x0b])]);
        assert_eq!(outs(h.as_mut(), &[vib(0, 0), vib(1, 1)]), vec![tx([0x0d])]);
        assert!(h.handle_outputs(&[vib(0, 1), vib(2, 1)]).is_err());
        assert_eq!(outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]), vec![tx([0x0f])]);
    }

    #[test]
    fn side_combinations() {
        let hw = SimulatedHardware::builder("HTK-BLE-BM001", "a").build();
        let def = definition(
            "htk_bm",
            &[
                &[(OutputType::Vibrate, [0, 1])],
                &[(OutputType::Vibrate, [0, 1])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mut run = |f, v| out(h.as_mut(), OutputCommand::new(f, OutputType::Vibrate, v));
        assert_eq!(run(0, 1), vec![tx([0x0c])]);
        assert_eq!(run(1, 1), vec![tx([0x0b])]);
        assert_eq!(run(0, 0), vec![tx([0x0d])]);
        assert_eq!(run(1, 0), vec![tx([0x0f])]);
    }
}

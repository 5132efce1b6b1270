//! Zalo (Queen, King, Jeanne): one packet with both motors, `[mode m0 m1]`, mode `02` when both
//! are off (else `01`), a stopped motor sent as `01`; written with response.

use super::motor_packet_common::{MotorPacket, first, slot};
use crate::SimpleProtocol;
use buttplug_core::OutputType;

/// The packet of both motors' current values.
fn packet(v: &[u8]) -> Vec<u8> {
    let (m0, m1) = (first(v), slot(v, 1));
    let mode = if m0 == 0 && m1 == 0 { 0x02 } else { 0x01 };
    vec![mode, m0.max(1), m1.max(1)]
}

/// The `zalo` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("zalo", |def| {
    Box::new(MotorPacket::new("zalo", def, &[OutputType::Vibrate], 2, packet).with_response())
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::packet_util::tx_wwr;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{OutputCommand, SimulatedHardware};

    #[test]
    fn two_motors_and_stop() {
        let hw = SimulatedHardware::builder("ZALO-Queen", "aa").build();
        let def = definition(
            "zalo",
            &[
                &[(OutputType::Vibrate, [0, 8])],
                &[(OutputType::Vibrate, [0, 8])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(0, 4)), vec![tx_wwr([0x01, 4, 1])]);
        assert_eq!(out(h.as_mut(), v(1, 8)), vec![tx_wwr([0x01, 4, 8])]);
        assert_eq!(out(h.as_mut(), v(0, 0)), vec![tx_wwr([0x01, 1, 8])]);
        assert_eq!(out(h.as_mut(), v(1, 0)), vec![tx_wwr([0x02, 1, 1])]);
        assert!(h.handle_output(&v(2, 1)).is_err());
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn a_change_of_both_motors_is_one_packet() {
        let hw = SimulatedHardware::builder("ZALO-Queen", "aa").build();
        let v8 = (OutputType::Vibrate, [0, 8]);
        let mut h = handler_for(&PROTOCOL, &hw, &definition("zalo", &[&[v8], &[v8]]));
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        assert_eq!(
            outs(h.as_mut(), &[v(0, 4), v(1, 8)]),
            vec![tx_wwr([0x01, 4, 8])]
        );
        assert_eq!(
            outs(h.as_mut(), &[v(0, 0), v(1, 0)]),
            vec![tx_wwr([0x02, 1, 1])]
        );
    }
}

//! Joyroid Loob: initialize writes `[00 01 01 f4]` with response; position with duration
//! `[pos_hi pos_lo dur_hi dur_lo]` on `tx` (position clamped to 1-1000, duration at least 1 ms,
//! both big-endian u16).

use super::packet_util::{InitWriteProtocol, stateless, tx};
use crate::{HardwareCommand, OutputCommand};
use buttplug_core::OutputType;
use std::time::Duration;

/// The `loob` protocol.
pub static PROTOCOL: InitWriteProtocol = InitWriteProtocol {
    id: "loob",
    writes: &[(&[0x00, 0x01, 0x01, 0xf4], true)],
    settle: Duration::ZERO,
    build: |_| stateless("loob", encode),
};

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::HwPositionWithDuration).then(|| {
        let pos = u16::try_from(cmd.value.clamp(1, 1000)).unwrap_or(1);
        let dur = u16::try_from(cmd.duration_ms.clamp(1, u32::from(u16::MAX))).unwrap_or(1);
        let mut data = pos.to_be_bytes().to_vec();
        data.extend(dur.to_be_bytes());
        vec![tx(data)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{Endpoint, HardwareCommand, SimulatedHardware};

    #[test]
    fn init_and_positions() {
        let hw = SimulatedHardware::builder("LOOB", "a").build();
        let def = definition(
            "loob",
            &[&[(OutputType::HwPositionWithDuration, [0, 1000])]],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                [0x00, 0x01, 0x01, 0xf4]
            )]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 500, 300)
            ),
            vec![tx([0x01, 0xf4, 0x01, 0x2c])]
        );
        // Position 0 is sent as 1, duration 0 as 1.
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 0, 0)),
            vec![tx([0x00, 0x01, 0x00, 0x01])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 1000, 70000)
            ),
            vec![tx([0x03, 0xe8, 0xff, 0xff])]
        );
    }
}

//! Cachito: vibrate `[02+fi 01+fi s 00]` on `tx` (feature 0: 0-5, feature 1: 0-100).

use super::packet_util::{byte, feature_byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `cachito` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("cachito", |_| stateless("cachito", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    let fi = feature_byte(cmd.feature_index);
    (cmd.output_type == OutputType::Vibrate).then(|| {
        vec![tx([
            0x02u8.wrapping_add(fi),
            0x01u8.wrapping_add(fi),
            byte(cmd.value),
            0x00,
        ])]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn both_motors_and_stop() {
        let hw = SimulatedHardware::builder("CCTSK", "a").build();
        let def = definition(
            "cachito",
            &[
                &[(OutputType::Vibrate, [0, 5])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 3)),
            vec![tx([0x02, 0x01, 3, 0x00])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 80)),
            vec![tx([0x03, 0x02, 80, 0x00])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![tx([0x03, 0x02, 0, 0x00])]
        );
    }
}

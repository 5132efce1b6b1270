//! ActiveJoy (IntoYou remote egg): `[b0 01 00 fi on s]` on `tx` (0-255).

use super::packet_util::{byte, feature_byte, on, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `activejoy` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("activejoy", |_| stateless("activejoy", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        vec![tx([
            0xb0,
            0x01,
            0x00,
            feature_byte(cmd.feature_index),
            on(cmd.value),
            byte(cmd.value),
        ])]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("SS-TD-YDTD-001", "a").build();
        let def = definition("activejoy", &[&[(OutputType::Vibrate, [0, 255])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 200)),
            vec![tx([0xb0, 0x01, 0x00, 0x00, 0x01, 200])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0xb0, 0x01, 0x00, 0x00, 0x00, 0x00])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

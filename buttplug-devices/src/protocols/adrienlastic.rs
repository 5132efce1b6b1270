//! Adrien Lastic: ASCII `MotorValue:NN;` (two digits) on `tx`, with response (0-16).

use super::packet_util::{stateless, tx_wwr};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `adrienlastic` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("adrienlastic", |_| stateless("adrienlastic", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        vec![tx_wwr(
            format!("MotorValue:{:02};", cmd.value.max(0)).into_bytes(),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("LVS-S001", "a").build();
        let def = definition("adrienlastic", &[&[(OutputType::Vibrate, [0, 16])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 7)),
            vec![tx_wwr(b"MotorValue:07;".to_vec())]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 16)),
            vec![tx_wwr(b"MotorValue:16;".to_vec())]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr(b"MotorValue:00;".to_vec())]
        );
    }
}

//! Next Level Racing HF8 (serial): ASCII `M<feature><value>\r` per motor.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(format!("M{}{}\r", cmd.feature_index, cmd.value).into_bytes()),
        _ => None,
    }
}

/// The `nextlevelracing` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("nextlevelracing", |_| {
    stateless_tx("nextlevelracing", packet, false)
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HardwareCommand;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{Endpoint, SimulatedHardware};

    fn w(data: &[u8]) -> Vec<HardwareCommand> {
        vec![HardwareCommand::write(Endpoint::Tx, data.to_vec())]
    }

    #[test]
    fn every_motor_and_stop() {
        let hw = SimulatedHardware::builder("default", "serial-1").build();
        let motors: Vec<&[(OutputType, [i32; 2])]> = (0..8)
            .map(|_| &[(OutputType::Vibrate, [0, 255])][..])
            .collect();
        let def = definition("nextlevelracing", &motors);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 255)),
            w(b"M0255\r")
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(7, OutputType::Vibrate, 64)),
            w(b"M764\r")
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(7, OutputType::Vibrate, 0)),
            w(b"M70\r")
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

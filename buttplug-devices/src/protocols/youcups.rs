//! Youcups: ASCII `$SYS,<speed>?`.

use super::packet_util::stateless_tx;
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(format!("$SYS,{}?", cmd.value).into_bytes()),
        _ => None,
    }
}

/// The `youcups` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("youcups", |_| stateless_tx("youcups", packet, false));

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
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("Youcups", "aa").build();
        let def = definition("youcups", &[&[(OutputType::Vibrate, [0, 8])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(8)), w(b"$SYS,8?"));
        assert_eq!(out(h.as_mut(), v(0)), w(b"$SYS,0?"));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

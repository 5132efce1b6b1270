//! `realov` (Realov vibrators): `[c5 55 s aa]` on `tx` (0-50).

use super::packet_util::{byte, stateless_tx};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "realov";

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    (cmd.output_type == OutputType::Vibrate).then(|| vec![0xc5, 0x55, byte(cmd.value), 0xaa])
}

/// The `realov` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, packet, false));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, Endpoint, HardwareCommand, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrate_and_stop() {
        let def = definition(ID, &[&[(OutputType::Vibrate, [0, 50])]]);
        let hw = SimulatedHardware::builder("REALOV_VIBE", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        let tx = |d: [u8; 4]| vec![HardwareCommand::write(Endpoint::Tx, d.to_vec())];
        assert_eq!(out(h.as_mut(), vib(50)), tx([0xc5, 0x55, 50, 0xaa]));
        assert_eq!(out(h.as_mut(), vib(13)), tx([0xc5, 0x55, 13, 0xaa]));
        assert_eq!(out(h.as_mut(), vib(0)), tx([0xc5, 0x55, 0, 0xaa]));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

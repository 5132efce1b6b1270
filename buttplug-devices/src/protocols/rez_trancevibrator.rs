//! Rez TranceVibrator (USB): one speed byte on the vendor control endpoint.

use super::packet_util::stateless;
use crate::{Endpoint, HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

fn packet(cmd: &OutputCommand) -> Option<Vec<u8>> {
    match cmd.output_type {
        OutputType::Vibrate => Some(vec![cmd.value as u8]),
        _ => None,
    }
}

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    packet(cmd).map(|data| vec![HardwareCommand::write(Endpoint::TxVendorControl, data)])
}

/// The `rez-trancevibrator` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("rez-trancevibrator", |_| {
    stateless("rez-trancevibrator", encode)
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{Endpoint, SimulatedHardware};

    fn w(data: &[u8]) -> Vec<HardwareCommand> {
        vec![HardwareCommand::write(
            Endpoint::TxVendorControl,
            data.to_vec(),
        )]
    }

    #[test]
    fn vibrate_and_stop() {
        let hw = SimulatedHardware::builder("Rez TranceVibrator", "usb-1")
            .endpoints([Endpoint::TxVendorControl])
            .build();
        let def = definition("rez-trancevibrator", &[&[(OutputType::Vibrate, [0, 255])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(255)), w(&[0xff]));
        assert_eq!(out(h.as_mut(), v(0)), w(&[0x00]));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

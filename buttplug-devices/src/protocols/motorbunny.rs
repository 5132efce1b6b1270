//! `motorbunny` (Motorbunny Classic, Buck): 17-byte packets on `tx` ending in `ec`.
//!
//! Vibrate: `[ff (s 14)×7 sum ec]`, stopped `[f0 00 00 00 00 ec]`. Rotate: `[af (d |s|)×7 sum ec]`
//! with d = `2a` clockwise (s > 0) or `29` counter-clockwise, stopped `[a0 00 00 00 00 ec]`. `sum`
//! is the byte sum of the 14 repeated bytes.

use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

const ID: &str = "motorbunny";

/// The `motorbunny` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(Handler));

const TRAILER: u8 = 0xec;

/// `[command (a b)×7 sum ec]`.
fn repeated(command: u8, a: u8, b: u8) -> Vec<u8> {
    let mut data = vec![command];
    for _ in 0..7 {
        data.extend([a, b]);
    }
    let sum = data[1..].iter().fold(0u8, |acc, x| acc.wrapping_add(*x));
    data.extend([sum, TRAILER]);
    data
}

#[derive(Debug)]
struct Handler;

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let magnitude = u8::try_from(cmd.value.unsigned_abs()).unwrap_or(u8::MAX);
        let data = match (cmd.output_type, magnitude) {
            (OutputType::Vibrate, 0) => vec![0xf0, 0x00, 0x00, 0x00, 0x00, TRAILER],
            (OutputType::Vibrate, s) => repeated(0xff, s, 0x14),
            (OutputType::Rotate, 0) => vec![0xa0, 0x00, 0x00, 0x00, 0x00, TRAILER],
            (OutputType::Rotate, s) => {
                let direction = if cmd.value >= 0 { 0x2a } else { 0x29 };
                repeated(0xaf, direction, s)
            }
            _ => return Err(DeviceError::unsupported_output(ID, cmd)),
        };
        Ok(vec![HardwareCommand::write(Endpoint::Tx, data)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    fn tx(data: &[u8]) -> Vec<HardwareCommand> {
        vec![HardwareCommand::write(Endpoint::Tx, data.to_vec())]
    }

    #[test]
    fn vibrate_rotate_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Rotate, [-255, 255])],
            ],
        );
        let hw = SimulatedHardware::builder("MB Controller", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        let rot = |x| OutputCommand::new(1, OutputType::Rotate, x);
        // 7 × (0x80 + 0x14) = 0x40c → 0x0c.
        assert_eq!(
            out(h.as_mut(), vib(128)),
            tx(&[
                0xff, 0x80, 0x14, 0x80, 0x14, 0x80, 0x14, 0x80, 0x14, 0x80, 0x14, 0x80, 0x14, 0x80,
                0x14, 0x0c, 0xec
            ])
        );
        // 7 × (0x01 + 0x14) = 0x93.
        assert_eq!(
            out(h.as_mut(), vib(1)),
            tx(&[
                0xff, 0x01, 0x14, 0x01, 0x14, 0x01, 0x14, 0x01, 0x14, 0x01, 0x14, 0x01, 0x14, 0x01,
                0x14, 0x93, 0xec
            ])
        );
        assert_eq!(out(h.as_mut(), vib(0)), tx(&[0xf0, 0, 0, 0, 0, 0xec]));
        // 7 × (0x2a + 0x10) = 0x196 → 0x96.
        assert_eq!(
            out(h.as_mut(), rot(16)),
            tx(&[
                0xaf, 0x2a, 0x10, 0x2a, 0x10, 0x2a, 0x10, 0x2a, 0x10, 0x2a, 0x10, 0x2a, 0x10, 0x2a,
                0x10, 0x96, 0xec
            ])
        );
        // 7 × (0x29 + 0xff) = 0x818 → 0x18.
        assert_eq!(
            out(h.as_mut(), rot(-255)),
            tx(&[
                0xaf, 0x29, 0xff, 0x29, 0xff, 0x29, 0xff, 0x29, 0xff, 0x29, 0xff, 0x29, 0xff, 0x29,
                0xff, 0x18, 0xec
            ])
        );
        assert_eq!(out(h.as_mut(), rot(0)), tx(&[0xa0, 0, 0, 0, 0, 0xec]));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

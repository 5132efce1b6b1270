//! `libo-elle` (LiBo Elle, Elle 2): one byte per write. Feature 0 writes its value to `txmode`;
//! feature 1 writes to `tx` a mode/level byte: values 1-7 → `((v-1) << 4) | 1`, values above 7
//! → `((v-8) << 4) | 4`, 0 → `00`.

use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

const ID: &str = "libo-elle";

/// The `libo-elle` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(Handler));

/// The `tx` byte of the second feature.
fn second_feature_byte(value: u8) -> u8 {
    match value {
        0 => 0x00,
        1..=7 => ((value - 1) << 4) | 0x01,
        _ => (value.wrapping_sub(8) << 4) | 0x04,
    }
}

#[derive(Debug)]
struct Handler;

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output(ID, cmd));
        }
        let value = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
        Ok(vec![if cmd.feature_index == 1 {
            HardwareCommand::write(Endpoint::Tx, vec![second_feature_byte(value)])
        } else {
            HardwareCommand::write(Endpoint::TxMode, vec![value])
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn second_feature_encoding() {
        let bytes: Vec<u8> = [0, 1, 2, 7, 8, 9, 15]
            .into_iter()
            .map(second_feature_byte)
            .collect();
        assert_eq!(bytes, [0x00, 0x01, 0x11, 0x61, 0x04, 0x14, 0x74]);
    }

    #[test]
    fn both_features_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 3])],
                &[(OutputType::Vibrate, [0, 15])],
            ],
        );
        let hw = SimulatedHardware::builder("PiPiJing", "a")
            .endpoints([Endpoint::Tx, Endpoint::TxMode])
            .build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let mode = |d: u8| HardwareCommand::write(Endpoint::TxMode, vec![d]);
        let tx = |d: u8| HardwareCommand::write(Endpoint::Tx, vec![d]);
        assert_eq!(out(h.as_mut(), vib(0, 2)), vec![mode(2)]);
        assert_eq!(out(h.as_mut(), vib(1, 3)), vec![tx(0x21)]);
        assert_eq!(out(h.as_mut(), vib(1, 10)), vec![tx(0x24)]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![mode(0)]);
        assert_eq!(out(h.as_mut(), vib(1, 0)), vec![tx(0)]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

//! Zalo (Queen, King, Jeanne): one packet with both motors, `[mode m0 m1]`, mode `02` when both
//! are off (else `01`), a stopped motor sent as `01`; written with response.

use super::layout_common::FeatureValues;
use super::packet_util::tx_wwr;
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;

/// Handler state: both motors.
#[derive(Debug)]
struct Zalo {
    motors: FeatureValues,
}

impl ProtocolHandler for Zalo {
    fn protocol_id(&self) -> &'static str {
        "zalo"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate || !self.motors.set(cmd.feature_index, cmd.value)
        {
            return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
        }
        let (m0, m1) = (self.motors.get(0) as u8, self.motors.get(1) as u8);
        let mode = if m0 == 0 && m1 == 0 { 0x02 } else { 0x01 };
        Ok(vec![tx_wwr([mode, m0.max(1), m1.max(1)])])
    }
}

/// The `zalo` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("zalo", |_| {
    Box::new(Zalo {
        motors: FeatureValues::with_len(2),
    })
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn two_motors_and_stop() {
        let hw = SimulatedHardware::builder("ZALO-Queen", "aa").build();
        let def = definition(
            "zalo",
            &[
                &[(OutputType::Vibrate, [0, 8])],
                &[(OutputType::Vibrate, [0, 8])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(0, 4)), vec![tx_wwr([0x01, 4, 1])]);
        assert_eq!(out(h.as_mut(), v(1, 8)), vec![tx_wwr([0x01, 4, 8])]);
        assert_eq!(out(h.as_mut(), v(0, 0)), vec![tx_wwr([0x01, 1, 8])]);
        assert_eq!(out(h.as_mut(), v(1, 0)), vec![tx_wwr([0x02, 1, 1])]);
        assert!(h.handle_output(&v(2, 1)).is_err());
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

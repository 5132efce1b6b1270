//! TCode v0.3 serial devices (OSR and friends): ASCII commands on `tx`. Position `L0ppp\nR0ppp\n`,
//! position with duration `L<fi>ppp I<ms>` (`L0500I250\n`), vibrate `V<fi>ss\n` (0-999 / 0-99).

use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "tcode-v03";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(TCodeHandler));

/// Stateless: every command is a complete TCode line.
#[derive(Debug)]
struct TCodeHandler;

#[async_trait]
impl ProtocolHandler for TCodeHandler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let fi = cmd.feature_index;
        let v = cmd.value;
        let line = match cmd.output_type {
            OutputType::Position => format!("L0{v:03}\nR0{v:03}\n"),
            OutputType::HwPositionWithDuration => format!("L{fi}{v:03}I{}\n", cmd.duration_ms),
            OutputType::Vibrate => format!("V{fi}{v:02}\n"),
            _ => return Err(DeviceError::unsupported_output(ID, cmd)),
        };
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            line.into_bytes(),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    fn w(s: &str) -> HardwareCommand {
        HardwareCommand::write(Endpoint::Tx, s.as_bytes().to_vec())
    }

    #[test]
    fn lines() {
        let hw = SimulatedHardware::builder("/dev/ttyUSB0", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx])
            .build();
        let def = definition(
            ID,
            &[
                &[
                    (OutputType::HwPositionWithDuration, [0, 999]),
                    (OutputType::Position, [0, 999]),
                ],
                &[(OutputType::Vibrate, [0, 99])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty());
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Position, 5)),
            vec![w("L0005\nR0005\n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Position, 999)),
            vec![w("L0999\nR0999\n")]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 500, 250)
            ),
            vec![w("L0500I250\n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 42, 0)),
            vec![w("L0042I0\n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 99)),
            vec![w("V199\n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w("V100\n")]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

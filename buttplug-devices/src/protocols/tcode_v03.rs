//! TCode v0.3 serial devices (OSR and friends): ASCII commands on `tx`. Position `L0ppp\nR0ppp\n`,
//! position with duration `L<fi>ppp I<ms>` (`L0500I250\n`), vibrate `V<fi>ss\n`.
//!
//! TCode magnitudes are the digits of a decimal fraction: `L05` and `L0500` both mean half way,
//! `L0050` means 5 %. A value is therefore written with as many digits as its range's maximum
//! has (0-999 → three, 0-99 → two), zero-padded on the left; a range whose maximum is not all
//! nines (a user's 0-100) is rescaled to the nines of the same width, so the fraction the client
//! asked for is the fraction the device gets.

use crate::{
    DeviceDefinition, DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler,
    SimpleProtocol,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "tcode-v03";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new(ID, |def| Box::new(TCodeHandler::new(def)));

/// Stateless apart from the ranges: every command is a complete TCode line.
#[derive(Debug)]
struct TCodeHandler {
    /// The hardware range maximum of each (feature, output).
    maxima: Vec<((u32, OutputType), i32)>,
}

impl TCodeHandler {
    fn new(def: &DeviceDefinition) -> Self {
        TCodeHandler {
            maxima: def
                .features
                .iter()
                .flat_map(|f| {
                    f.outputs
                        .iter()
                        .map(move |o| ((f.index, o.output_type), o.value.end))
                })
                .collect(),
        }
    }

    /// The magnitude digits of `cmd`'s value (see the module docs).
    fn digits(&self, cmd: &OutputCommand) -> String {
        let max = self
            .maxima
            .iter()
            .find(|(k, _)| *k == (cmd.feature_index, cmd.output_type))
            .map_or(99, |(_, m)| *m)
            .max(1);
        let width = max.to_string().len();
        let nines = 10i64.pow(width as u32) - 1;
        let value = i64::from(cmd.value.clamp(0, max));
        let scaled = if nines == i64::from(max) {
            value
        } else {
            // Round to nearest.
            (value * nines + i64::from(max) / 2) / i64::from(max)
        };
        format!("{scaled:0width$}")
    }
}

#[async_trait]
impl ProtocolHandler for TCodeHandler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let fi = cmd.feature_index;
        let line = match cmd.output_type {
            OutputType::Position => {
                let p = self.digits(cmd);
                format!("L0{p}\nR0{p}\n")
            }
            OutputType::HwPositionWithDuration => {
                format!("L{fi}{}I{}\n", self.digits(cmd), cmd.duration_ms)
            }
            OutputType::Vibrate => format!("V{fi}{}\n", self.digits(cmd)),
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

    #[test]
    fn digits_follow_the_range() {
        let hw = SimulatedHardware::builder("/dev/ttyUSB0", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx])
            .build();
        let def = definition(
            ID,
            &[
                &[(OutputType::HwPositionWithDuration, [0, 99])],
                &[(OutputType::HwPositionWithDuration, [0, 100])],
                &[(OutputType::Position, [0, 9])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        // 51 of 0-99 is 51 %: two digits, never `L0051` (5.1 %).
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 51, 200)
            ),
            vec![w("L051I200\n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 5, 200)),
            vec![w("L005I200\n")]
        );
        // 51 of 0-100 is 51 %: three digits, 509 of 999.
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(1, 51, 200)
            ),
            vec![w("L1509I200\n")]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(1, 100, 200)
            ),
            vec![w("L1999I200\n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Position, 4)),
            vec![w("L04\nR04\n")]
        );
    }
}

//! Simulated devices: every output is accepted and nothing is written (the simulated hardware
//! records the accepted commands at the server level).

use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};

/// Accepts everything, writes nothing.
#[derive(Debug, Default)]
struct Simulated;

impl ProtocolHandler for Simulated {
    fn protocol_id(&self) -> &'static str {
        "simulated"
    }

    fn handle_output(&mut self, _cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        Ok(Vec::new())
    }
}

/// The `simulated` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("simulated", |_| Box::new(Simulated));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};
    use buttplug_core::OutputType;

    #[test]
    fn accepts_everything_writes_nothing() {
        let hw = SimulatedHardware::builder("simulated-stroker", "sim-1").build();
        let def = definition(
            "simulated",
            &[&[
                (OutputType::HwPositionWithDuration, [0, 1000]),
                (OutputType::Position, [0, 1000]),
            ]],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 500, 100)
            )
            .is_empty()
        );
        assert!(out(h.as_mut(), OutputCommand::new(0, OutputType::Position, 10)).is_empty());
        assert!(out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)).is_empty());
        assert!(hw.commands().is_empty());
    }
}

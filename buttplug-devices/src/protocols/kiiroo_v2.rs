//! Kiiroo v2 strokers (Fleshlight Launch, Onyx 2): after a `[00]` written to `firmware`, each
//! position is `[pos speed]` on `tx`, the speed worked out from the distance and duration.

use super::kiiroo_common::launch_speed;
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "kiiroo-v2";

/// The Kiiroo v2 protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct KiirooV2Protocol;

/// The registered instance.
pub static PROTOCOL: KiirooV2Protocol = KiirooV2Protocol;

#[async_trait]
impl Protocol for KiirooV2Protocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        // Switches the Launch into host-controlled mode.
        hardware.write(Endpoint::Firmware, &[0x00], true).await?;
        Ok(Box::new(KiirooV2Handler { previous: 0 }))
    }
}

/// Remembers the last position to work out the speed of the next move.
#[derive(Debug)]
struct KiirooV2Handler {
    previous: u8,
}

#[async_trait]
impl ProtocolHandler for KiirooV2Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::HwPositionWithDuration {
            return Err(DeviceError::unsupported_output(ID, cmd));
        }
        let position = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
        let speed = launch_speed(self.previous, position, cmd.duration_ms);
        self.previous = position;
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![position, speed],
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn init_and_positions() {
        let hw = SimulatedHardware::builder("Launch", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::Firmware])
            .build();
        let def = definition(ID, &[&[(OutputType::HwPositionWithDuration, [0, 99])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::write_with_response(
                Endpoint::Firmware,
                vec![0]
            )]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 99, 500)
            ),
            vec![HardwareCommand::write(Endpoint::Tx, vec![99, 40])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 0, 200)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![0, 106])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 50, 300)
            ),
            vec![HardwareCommand::write(Endpoint::Tx, vec![50, 33])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

//! Lioness: initialize subscribes `rx` and writes `[01 aa aa bb cc 10]` with response (a failed
//! write usually means the device must first be paired with the OS, PIN 6496); vibrate
//! `[02 aa bb cc cc s]` on `tx` (0-100).

use super::packet_util::{byte, stateless, tx};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

/// The unlock packet written at initialize.
const UNLOCK: [u8; 6] = [0x01, 0xaa, 0xaa, 0xbb, 0xcc, 0x10];

/// The `lioness` protocol.
pub static PROTOCOL: Lioness = Lioness;

/// The `lioness` protocol (unlock write in initialize).
#[derive(Debug)]
pub struct Lioness;

#[async_trait]
impl Protocol for Lioness {
    fn id(&self) -> &'static str {
        "lioness"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware.subscribe(Endpoint::Rx).await?;
        hardware
            .write(Endpoint::Tx, &UNLOCK, true)
            .await
            .map_err(|e| {
                DeviceError::protocol(
                    "lioness",
                    format!(
                        "unlock write failed ({e}); pair the device with the operating system \
                         first (PIN 6496)"
                    ),
                )
            })?;
        Ok(stateless("lioness", encode))
    }
}

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate)
        .then(|| vec![tx([0x02, 0xaa, 0xbb, 0xcc, 0xcc, byte(cmd.value)])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HardwareCommand;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn init_vibrate_and_stop() {
        let hw = SimulatedHardware::builder("Lioness", "a").build();
        let def = definition("lioness", &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.take_commands(),
            vec![
                HardwareCommand::subscribe(Endpoint::Rx),
                HardwareCommand::write_with_response(Endpoint::Tx, UNLOCK),
            ]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 64)),
            vec![tx([0x02, 0xaa, 0xbb, 0xcc, 0xcc, 64])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0x02, 0xaa, 0xbb, 0xcc, 0xcc, 0])]
        );
    }

    #[test]
    fn failed_unlock_is_an_error() {
        let hw = SimulatedHardware::builder("Lioness", "a").build();
        hw.simulate_disconnect();
        let def = definition("lioness", &[&[(OutputType::Vibrate, [0, 100])]]);
        assert!(futures::executor::block_on(PROTOCOL.initialize(&hw, &def)).is_err());
    }
}

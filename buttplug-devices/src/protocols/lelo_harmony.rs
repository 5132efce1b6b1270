//! Lelo Harmony-generation toys (Ida Wave, Tiani Harmony, Tor 3, Gigi 3, F1s V3 ...): the
//! security handshake on `whitelist`, then one 10-byte packet per motor on `tx`:
//! `[0a 12 fi+1 08 00 00 00 00 s 00]` for vibrate and rotate (0-100).

use super::lelo_common::{authorised_first_one, security_handshake};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "lelo-harmony";

/// The Lelo Harmony protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct LeloHarmonyProtocol;

/// The registered instance.
pub static PROTOCOL: LeloHarmonyProtocol = LeloHarmonyProtocol;

#[async_trait]
impl Protocol for LeloHarmonyProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        security_handshake(ID, hardware, Endpoint::Whitelist, authorised_first_one).await?;
        Ok(Box::new(LeloHarmonyHandler::new(ID)))
    }
}

/// Per-motor packets; also used by `lelo-f1sv2` toys without a `whitelist` endpoint.
#[derive(Debug)]
pub(crate) struct LeloHarmonyHandler {
    id: &'static str,
}

impl LeloHarmonyHandler {
    /// A handler reporting errors under protocol id `id`.
    pub(crate) fn new(id: &'static str) -> Self {
        LeloHarmonyHandler { id }
    }
}

#[async_trait]
impl ProtocolHandler for LeloHarmonyHandler {
    fn protocol_id(&self) -> &'static str {
        self.id
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if !matches!(cmd.output_type, OutputType::Vibrate | OutputType::Rotate) {
            return Err(DeviceError::unsupported_output(self.id, cmd));
        }
        let motor = u8::try_from(cmd.feature_index + 1).map_err(|_| DeviceError::NoFeature {
            index: cmd.feature_index,
        })?;
        let speed = u8::try_from(cmd.value.unsigned_abs()).unwrap_or(u8::MAX);
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![0x0a, 0x12, motor, 0x08, 0x00, 0x00, 0x00, 0x00, speed, 0x00],
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;
    use crate::{SimulatedHardware, SimulatedHardwareBuilder};
    use futures::executor::block_on;
    use std::time::Duration;

    fn p(motor: u8, s: u8) -> HardwareCommand {
        HardwareCommand::write(Endpoint::Tx, vec![0x0a, 0x12, motor, 8, 0, 0, 0, 0, s, 0])
    }

    fn toy(builder: SimulatedHardwareBuilder) -> SimulatedHardware {
        builder
            .endpoints([Endpoint::Tx, Endpoint::Command, Endpoint::Whitelist])
            .build()
    }

    #[test]
    fn handshake_then_motor_packets() {
        let hw = toy(SimulatedHardware::builder("IdaWave", "a"));
        let device = hw.clone();
        let script = std::thread::spawn(move || {
            assert!(block_on(
                device.wait_for_commands(1, Duration::from_secs(5))
            ));
            device.notify(Endpoint::Whitelist, vec![0; 8]);
            device.notify(Endpoint::Whitelist, vec![0x11, 0x22, 0x33, 0, 0, 0, 0, 0]);
            assert!(block_on(
                device.wait_for_commands(4, Duration::from_secs(5))
            ));
            device.notify(Endpoint::Whitelist, vec![1, 0, 0, 0, 0, 0, 0, 0]);
        });
        let def = crate::protocols::testing::definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Rotate, [0, 100])],
            ],
        );
        let mut h = block_on(PROTOCOL.initialize(&hw, &def)).expect("initialize");
        script.join().expect("script");
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::subscribe(Endpoint::Whitelist),
                HardwareCommand::unsubscribe(Endpoint::Whitelist),
                HardwareCommand::write_with_response(
                    Endpoint::Whitelist,
                    vec![0x11, 0x22, 0x33, 0, 0, 0, 0, 0]
                ),
                HardwareCommand::subscribe(Endpoint::Whitelist),
            ]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 100)),
            vec![p(1, 100)]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 35)),
            vec![p(2, 35)]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![p(1, 0)]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1))
                .is_err()
        );
    }

    #[test]
    fn already_authorised() {
        let hw = toy(SimulatedHardware::builder("TOR3", "a"));
        let device = hw.clone();
        let script = std::thread::spawn(move || {
            assert!(block_on(
                device.wait_for_commands(1, Duration::from_secs(5))
            ));
            device.notify(Endpoint::Whitelist, vec![1, 0, 0, 0]);
        });
        let def = crate::protocols::testing::definition(ID, &[&[(OutputType::Vibrate, [0, 100])]]);
        assert!(block_on(PROTOCOL.initialize(&hw, &def)).is_ok());
        script.join().expect("script");
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::Whitelist)]
        );
    }
}

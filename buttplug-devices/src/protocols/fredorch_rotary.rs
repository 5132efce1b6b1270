//! Fredorch rotary (`M1_*`): the device only understands speed steps, so the handler keeps a
//! target and its own loop walks the device there.
//!
//! Initialize: subscribe `rx`, then write start `[55 03 99 9c aa]`, password
//! `[55 09 21 00 00 00 00 00 00 2a aa]`, power up `[55 03 1f 22 aa]` and stop
//! `[55 03 24 27 aa]` to `tx`, each followed by up to 100 ms waiting for an answer (silence is
//! fine). Oscillate (0-20) stores the target; 0 writes the stop packet at once. Every 100 ms the
//! loop writes one step towards the target: `[55 03 01 04 aa]` (+1) or `[55 03 02 05 aa]` (-1).

use super::packet_util::{next_notification, tx};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// Loop interval, and how long each handshake step waits for an answer.
const STEP: Duration = Duration::from_millis(100);

/// Stop packet.
const STOP: [u8; 5] = [0x55, 0x03, 0x24, 0x27, 0xaa];
/// One speed step up.
const SPEED_UP: [u8; 5] = [0x55, 0x03, 0x01, 0x04, 0xaa];
/// One speed step down.
const SPEED_DOWN: [u8; 5] = [0x55, 0x03, 0x02, 0x05, 0xaa];

/// The handshake packets.
const INIT: [&[u8]; 4] = [
    &[0x55, 0x03, 0x99, 0x9c, 0xaa],
    &[
        0x55, 0x09, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0xaa,
    ],
    &[0x55, 0x03, 0x1f, 0x22, 0xaa],
    &STOP,
];

/// The `fredorch-rotary` protocol.
pub static PROTOCOL: FredorchRotary = FredorchRotary;

/// The `fredorch-rotary` protocol (handshake in initialize).
#[derive(Debug)]
pub struct FredorchRotary;

#[async_trait]
impl Protocol for FredorchRotary {
    fn id(&self) -> &'static str {
        "fredorch-rotary"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::Rx).await?;
        for packet in INIT {
            hardware.write(Endpoint::Tx, packet, false).await?;
            // After the password the device stays silent; a timeout is not an error.
            next_notification(&mut events, STEP).await?;
        }
        Ok(Box::new(FredorchRotaryHandler::default()))
    }
}

/// Where the device is and where it should go (speed steps).
#[derive(Debug, Default)]
struct FredorchRotaryHandler {
    current: u8,
    target: u8,
}

impl ProtocolHandler for FredorchRotaryHandler {
    fn protocol_id(&self) -> &'static str {
        "fredorch-rotary"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Oscillate {
            return Err(DeviceError::unsupported_output("fredorch-rotary", cmd));
        }
        self.target = u8::try_from(cmd.value.clamp(0, 20)).unwrap_or(0);
        if self.target == 0 {
            self.current = 0;
            return Ok(vec![tx(STOP)]);
        }
        Ok(Vec::new())
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(STEP)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        use std::cmp::Ordering;
        match self.target.cmp(&self.current) {
            Ordering::Equal => Vec::new(),
            Ordering::Greater => {
                self.current += 1;
                vec![tx(SPEED_UP)]
            }
            Ordering::Less => {
                self.current -= 1;
                vec![tx(SPEED_DOWN)]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn handshake_then_stepping_loop() {
        let hw = SimulatedHardware::builder("M1_0001", "a").build();
        hw.add_reply(Endpoint::Tx, INIT[0].to_vec(), Endpoint::Rx, [0x55]);
        let def = definition("fredorch-rotary", &[&[(OutputType::Oscillate, [0, 20])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mut expected = vec![HardwareCommand::subscribe(Endpoint::Rx)];
        expected.extend(INIT.iter().map(|p| tx(p.to_vec())));
        assert_eq!(hw.take_commands(), expected);
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(100)));

        // Nothing to do before a command.
        assert!(h.tick().is_empty());
        assert!(out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 2)).is_empty());
        assert_eq!(h.tick(), vec![tx(SPEED_UP)]);
        assert_eq!(h.tick(), vec![tx(SPEED_UP)]);
        assert!(h.tick().is_empty());
        assert!(out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 1)).is_empty());
        assert_eq!(h.tick(), vec![tx(SPEED_DOWN)]);
        assert!(h.tick().is_empty());
        // Stop is written at once and the loop stays quiet afterwards.
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0)),
            vec![tx(STOP)]
        );
        assert!(h.tick().is_empty());
    }
}

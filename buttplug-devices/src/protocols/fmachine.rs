//! F-Machine (`FM-*`): the host emulates button presses. Every packet is 18 bytes
//! `[cmd 64 00 00 00 00 31 32 33 34 00 x7 crc]` written to `tx` with response; `crc` depends on
//! the number of set bits `n` in the first 17 bytes: `222 - n` when `n % 3 == 0`,
//! `n / 2 + 111` when it is 1, `n / 3 + 177` when it is 2. Commands: on/off press `01` /
//! release `02`, speed up `05` / down `06`, speed release `03`.
//!
//! Initialize: subscribe `rx`, then 55 speed-down presses (press, release, 60 ms pause) so the
//! device's remembered speed is at its minimum. Oscillate on feature 0 (0-28) sets a target; the
//! handler's 200 ms loop presses on/off when the running state must change and steps the speed
//! one press per tick towards the target. While the target is 0 the machine is off and no speed
//! presses are sent (the device remembers its speed; the next start steps from there).

use super::packet_util::{byte, tx_wwr};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// On/off button pressed.
const ON_OFF_PRESS: u8 = 0x01;
/// On/off button released.
const ON_OFF_RELEASE: u8 = 0x02;
/// Speed buttons released.
const SPEED_RELEASE: u8 = 0x03;
/// Speed-up button pressed.
const SPEED_UP: u8 = 0x05;
/// Speed-down button pressed.
const SPEED_DOWN: u8 = 0x06;
/// Loop interval (the device takes one speed step per 200 ms).
const TICK: Duration = Duration::from_millis(200);
/// Speed-down presses at initialize.
const INIT_PRESSES: usize = 55;
/// Pause after each initialize press.
const INIT_PAUSE: Duration = Duration::from_millis(60);

/// The checksum byte.
fn checksum(data: &[u8]) -> u8 {
    let bits: u32 = data.iter().map(|b| b.count_ones()).sum();
    let value = match bits % 3 {
        0 => 222u32.saturating_sub(bits),
        1 => bits / 2 + 111,
        _ => bits / 3 + 177,
    };
    u8::try_from(value).unwrap_or(u8::MAX)
}

/// The packet for one button command.
fn packet(command: u8) -> Vec<u8> {
    let mut data = vec![
        command, 0x64, 0x00, 0x00, 0x00, 0x00, 0x31, 0x32, 0x33, 0x34, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00,
    ];
    data.push(checksum(&data));
    data
}

/// Press and release.
fn press(button: u8, release: u8) -> [HardwareCommand; 2] {
    [tx_wwr(packet(button)), tx_wwr(packet(release))]
}

/// The `fmachine` protocol.
pub static PROTOCOL: FMachine = FMachine;

/// The `fmachine` protocol (speed normalisation in initialize).
#[derive(Debug)]
pub struct FMachine;

#[async_trait]
impl Protocol for FMachine {
    fn id(&self) -> &'static str {
        "fmachine"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware.subscribe(Endpoint::Rx).await?;
        for _ in 0..INIT_PRESSES {
            for cmd in press(SPEED_DOWN, SPEED_RELEASE) {
                hardware.execute(&cmd).await?;
            }
            crate::sleep(INIT_PAUSE).await;
        }
        Ok(Box::new(FMachineHandler::default()))
    }
}

/// What the handler believes the machine does, and what it should do.
#[derive(Debug, Default)]
struct FMachineHandler {
    running: bool,
    current: u8,
    target: u8,
}

impl ProtocolHandler for FMachineHandler {
    fn protocol_id(&self) -> &'static str {
        "fmachine"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Oscillate {
            return Err(DeviceError::unsupported_output("fmachine", cmd));
        }
        // Only the primary speed (feature 0) is controllable; secondary functions have no steps.
        if cmd.feature_index == 0 {
            self.target = byte(cmd.value);
        }
        Ok(Vec::new())
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(TICK)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        let mut out = Vec::new();
        if self.running == (self.target == 0) {
            out.extend(press(ON_OFF_PRESS, ON_OFF_RELEASE));
            self.running = !self.running;
        }
        if self.target != 0 && self.target != self.current {
            if self.target > self.current {
                out.extend(press(SPEED_UP, SPEED_RELEASE));
                self.current += 1;
            } else {
                out.extend(press(SPEED_DOWN, SPEED_RELEASE));
                self.current -= 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, out};

    #[test]
    fn packets_and_checksums() {
        // 64 31 32 33 34 carry 16 set bits. 06: 18 bits -> 18 % 3 = 0 -> 222 - 18 = 204 (cc).
        assert_eq!(
            packet(SPEED_DOWN),
            vec![
                0x06, 0x64, 0, 0, 0, 0, 0x31, 0x32, 0x33, 0x34, 0, 0, 0, 0, 0, 0, 0, 0xcc
            ]
        );
        // 01 and 02: 17 bits -> 2 -> 17 / 3 + 177 = 182 (b6); 03 and 05: 18 bits -> cc.
        assert_eq!(packet(ON_OFF_PRESS)[17], 0xb6);
        assert_eq!(packet(ON_OFF_RELEASE)[17], 0xb6);
        assert_eq!(packet(SPEED_RELEASE)[17], 0xcc);
        assert_eq!(packet(SPEED_UP)[17], 0xcc);
        // 16 bits -> 1 -> 16 / 2 + 111 = 119 (77)
        assert_eq!(checksum(&[0x64, 0x31, 0x32, 0x33, 0x34]), 0x77);
    }

    #[test]
    fn initialize_normalises_the_speed() {
        let hw = SimulatedHardware::builder("FM-G", "a").build();
        let def = definition("fmachine", &[&[(OutputType::Oscillate, [0, 28])]]);
        let h = futures::executor::block_on(PROTOCOL.initialize(&hw, &def));
        assert!(h.is_ok());
        let cmds = hw.commands();
        assert_eq!(cmds.len(), 1 + 2 * INIT_PRESSES);
        assert_eq!(cmds[0], HardwareCommand::subscribe(Endpoint::Rx));
        for pair in cmds[1..].chunks(2) {
            assert_eq!(pair, press(SPEED_DOWN, SPEED_RELEASE).as_slice());
        }
    }

    #[test]
    fn loop_turns_on_steps_and_turns_off() {
        let mut h = FMachineHandler::default();
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(200)));
        assert!(h.tick().is_empty());
        assert!(out(&mut h, OutputCommand::new(0, OutputType::Oscillate, 2)).is_empty());
        let mut first = press(ON_OFF_PRESS, ON_OFF_RELEASE).to_vec();
        first.extend(press(SPEED_UP, SPEED_RELEASE));
        assert_eq!(h.tick(), first);
        assert_eq!(h.tick(), press(SPEED_UP, SPEED_RELEASE).to_vec());
        assert!(h.tick().is_empty());
        out(&mut h, OutputCommand::new(0, OutputType::Oscillate, 1));
        assert_eq!(h.tick(), press(SPEED_DOWN, SPEED_RELEASE).to_vec());
        assert!(h.tick().is_empty());
        // Stop: one on/off press, then silence.
        out(&mut h, OutputCommand::new(0, OutputType::Oscillate, 0));
        assert_eq!(h.tick(), press(ON_OFF_PRESS, ON_OFF_RELEASE).to_vec());
        assert!(h.tick().is_empty());
        assert!(h.tick().is_empty());
        // Restart at the remembered speed.
        out(&mut h, OutputCommand::new(0, OutputType::Oscillate, 1));
        assert_eq!(h.tick(), press(ON_OFF_PRESS, ON_OFF_RELEASE).to_vec());
    }
}

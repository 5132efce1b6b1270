//! Cueme (`FUNCODE_*`): the device runs one motor at a time. A packet is one byte on `tx`:
//! `s | (motor + 1) << 4` (speed 0-15 in the low nibble, 1-based motor number in the high
//! nibble), or `00` to stop. When several motors are on, the handler's loop switches to the next
//! running motor every 500 ms.
//!
//! Identify: the BLE name split at `_`; with exactly three parts the third is the identifier
//! (`1` men's, `2` bra, `3` women's), else `Unknown`.
//!
//! Facts from the Buttplug C# implementation (`CuemeProtocol`); the Rust reference has no
//! implementation of this configured protocol.

use super::layout_common::feature_slot;
use super::packet_util::{byte, tx};
use crate::{
    DeviceDefinition, DeviceError, Hardware, HardwareCommand, Identification, OutputCommand,
    Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// How long each running motor gets before the next one.
const SWITCH_EVERY: Duration = Duration::from_millis(500);

/// The `cueme` protocol.
pub static PROTOCOL: Cueme = Cueme;

/// The `cueme` protocol (identifier from the name).
#[derive(Debug)]
pub struct Cueme;

/// The identifier for a BLE name.
fn identifier_for(name: &str) -> String {
    let parts: Vec<&str> = name.split('_').collect();
    match parts.as_slice() {
        [_, _, model] => (*model).to_string(),
        _ => "Unknown".to_string(),
    }
}

#[async_trait]
impl Protocol for Cueme {
    fn id(&self) -> &'static str {
        "cueme"
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        Ok(Identification::identifier(identifier_for(hardware.name())))
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(CuemeHandler {
            speeds: vec![0; definition.output_feature_count()],
            current: 0,
        }))
    }
}

/// Speeds of every motor and the motor the device currently runs.
#[derive(Debug)]
struct CuemeHandler {
    speeds: Vec<u8>,
    current: usize,
}

impl CuemeHandler {
    fn packet(&self) -> HardwareCommand {
        let speed = self.speeds.get(self.current).copied().unwrap_or(0) & 0x0f;
        let motor = u8::try_from(self.current + 1).unwrap_or(0x0f) & 0x0f;
        tx([if speed == 0 { 0 } else { speed | (motor << 4) }])
    }

    /// The next running motor after `current` (wrapping), if any other runs.
    fn next_running(&self) -> Option<usize> {
        let n = self.speeds.len();
        (1..n)
            .map(|step| (self.current + step) % n)
            .find(|&i| self.speeds[i] != 0)
    }
}

impl ProtocolHandler for CuemeHandler {
    fn protocol_id(&self) -> &'static str {
        "cueme"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        // Check the whole change first: a refused command changes no speed.
        for cmd in cmds {
            if cmd.output_type != OutputType::Vibrate {
                return Err(DeviceError::unsupported_output("cueme", cmd));
            }
            feature_slot(&mut self.speeds, cmd)?;
        }
        for cmd in cmds {
            *feature_slot(&mut self.speeds, cmd)? = byte(cmd.value);
        }
        if self.speeds.iter().all(|s| *s == 0) {
            self.current = 0;
        } else if self.speeds.get(self.current).copied().unwrap_or(0) == 0 {
            if let Some(next) = self.next_running() {
                self.current = next;
            }
        }
        // The device runs one motor at a time: one packet for the whole change.
        Ok(vec![self.packet()])
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(SWITCH_EVERY)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        if self.speeds.get(self.current).copied().unwrap_or(0) == 0 {
            return Vec::new();
        }
        match self.next_running() {
            Some(next) => {
                self.current = next;
                vec![self.packet()]
            }
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    fn four_motors() -> DeviceDefinition {
        let f: &[(OutputType, [i32; 2])] = &[(OutputType::Vibrate, [0, 15])];
        definition("cueme", &[f, f, f, f])
    }

    #[test]
    fn identifier_from_name() {
        assert_eq!(identifier_for("FUNCODE_A1B2_3"), "3");
        assert_eq!(identifier_for("FUNCODE_"), "Unknown");
        assert_eq!(identifier_for("FUNCODE_X_Y_Z"), "Unknown");
        let hw = SimulatedHardware::builder("FUNCODE_0001_1", "a").build();
        assert_eq!(
            futures::executor::block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("1"))
        );
    }

    #[test]
    fn single_motor_and_stop() {
        let hw = SimulatedHardware::builder("FUNCODE_0001_3", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &four_motors());
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(500)));
        assert!(h.tick().is_empty());
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 8)),
            vec![tx([0x18])]
        );
        // One motor only: nothing to alternate.
        assert!(h.tick().is_empty());
        // Switching to another motor writes that motor at once.
        out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 15)),
            vec![tx([0x3f])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 0)),
            vec![tx([0x00])]
        );
        assert!(h.tick().is_empty());
    }

    #[test]
    fn running_motors_alternate() {
        let hw = SimulatedHardware::builder("FUNCODE_0001_3", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &four_motors());
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 5)),
            vec![tx([0x25])]
        );
        // A second motor starts: the current one is written (it keeps running for now).
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(3, OutputType::Vibrate, 10)),
            vec![tx([0x25])]
        );
        assert_eq!(h.tick(), vec![tx([0x4a])]);
        assert_eq!(h.tick(), vec![tx([0x25])]);
        assert_eq!(h.tick(), vec![tx([0x4a])]);
        // The running motor stops: the other one takes over at once.
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(3, OutputType::Vibrate, 0)),
            vec![tx([0x25])]
        );
        assert!(h.tick().is_empty());
    }

    #[test]
    fn one_packet_for_a_change_of_several_motors() {
        let hw = SimulatedHardware::builder("FUNCODE_0001_3", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &four_motors());
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        // Motor 1 (0-based 0) runs first; motor 3 waits for the loop.
        assert_eq!(outs(h.as_mut(), &[vib(0, 7), vib(2, 12)]), vec![tx([0x17])]);
        assert_eq!(h.tick(), vec![tx([0x3c])]);
        assert!(h.handle_outputs(&[vib(0, 1), vib(4, 1)]).is_err());
        assert_eq!(h.tick(), vec![tx([0x17])]);
        // The stop of every motor is one `00`.
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0), vib(2, 0), vib(3, 0)]),
            vec![tx([0x00])]
        );
        assert!(h.tick().is_empty());
    }
}

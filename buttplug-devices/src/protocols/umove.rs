//! Umove (Mira, Vero, Nexo): identified by characters 2-3 of the BLE name (`Mi`, `Vx`, `Nx`).
//! State packet `[5a a5 55 00, vibrate LE16, 01 00, packet id LE32, position LE32]` (the id counts
//! every packet from 0). Position moves straight to the target; position-with-duration is
//! stepped by the protocol's own 100 ms loop in `duration / 100` steps. Vibrate writes a state
//! packet only while the stroker is not moving (a moving stroker carries the new vibration in its
//! next step). Temperature is a separate packet `[5a a5 55 06 ff ff 00 00 ff ff ff ff level ff]`.
//! The device stops unless it hears from the host every 500 ms.

use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, Identification,
    KeepaliveStrategy, OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// The stepping loop's period.
const STEP_INTERVAL: Duration = Duration::from_millis(100);

/// How often the device must hear from the host.
const KEEPALIVE: Duration = Duration::from_millis(500);

/// Handler state: outputs, the stroker's position and the stepping plan.
#[derive(Debug, Default)]
struct UmoveHandler {
    packet_id: u32,
    vibrate: u16,
    goal: i32,
    duration_ms: u32,
    current: i32,
    planned_goal: i32,
    step: i32,
}

impl UmoveHandler {
    fn state_packet(&mut self) -> HardwareCommand {
        let mut data = vec![0x5a, 0xa5, 0x55, 0x00];
        data.extend(self.vibrate.to_le_bytes());
        data.extend(1u16.to_le_bytes());
        data.extend(self.packet_id.to_le_bytes());
        data.extend((self.current as u32).to_le_bytes());
        self.packet_id = self.packet_id.wrapping_add(1);
        HardwareCommand::write(Endpoint::Tx, data)
    }

    fn moving(&self) -> bool {
        self.current != self.goal
    }
}

impl ProtocolHandler for UmoveHandler {
    fn protocol_id(&self) -> &'static str {
        "umove"
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        KeepaliveStrategy::RepeatLastEvery(KEEPALIVE)
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Vibration and position share the state packet: a change of both writes it once (with
    /// the next packet id); temperature has its own packet, written after the state packet.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            if !matches!(
                cmd.output_type,
                OutputType::Vibrate
                    | OutputType::Position
                    | OutputType::HwPositionWithDuration
                    | OutputType::Temperature
            ) {
                return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
            }
        }
        let mut vibrate_changed = false;
        let mut position_set = false;
        let mut temperature = None;
        for cmd in cmds {
            match cmd.output_type {
                OutputType::Vibrate => {
                    self.vibrate = cmd.value.clamp(0, i32::from(u16::MAX)) as u16;
                    vibrate_changed = true;
                }
                OutputType::Position => {
                    self.goal = cmd.value;
                    self.current = cmd.value;
                    self.planned_goal = cmd.value;
                    self.duration_ms = 0;
                    position_set = true;
                }
                OutputType::HwPositionWithDuration => {
                    self.goal = cmd.value;
                    self.duration_ms = cmd.duration_ms;
                }
                _ => temperature = Some(cmd.value as u8),
            }
        }
        let mut out = Vec::with_capacity(2);
        // A moving stroker carries a new vibration in its next step.
        if position_set || (vibrate_changed && !self.moving()) {
            out.push(self.state_packet());
        }
        if let Some(level) = temperature {
            out.push(HardwareCommand::write(
                Endpoint::Tx,
                vec![
                    0x5a, 0xa5, 0x55, 0x06, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, level,
                    0xff,
                ],
            ));
        }
        Ok(out)
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(STEP_INTERVAL)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        if self.planned_goal != self.goal {
            self.planned_goal = self.goal;
            let steps = (self.duration_ms / 100).max(1) as i32;
            let distance = self.goal - self.current;
            self.step = distance / steps;
            if self.step == 0 {
                self.step = distance.signum();
            }
        }
        if self.current == self.planned_goal {
            return Vec::new();
        }
        self.current += self.step;
        let overshot = if self.step < 0 {
            self.current < self.planned_goal
        } else {
            self.current > self.planned_goal
        };
        if overshot {
            self.current = self.planned_goal;
        }
        vec![self.state_packet()]
    }
}

/// The `umove` protocol: identify by name, no handshake.
#[derive(Debug)]
pub struct Umove;

/// The `umove` protocol.
pub static PROTOCOL: Umove = Umove;

#[async_trait]
impl Protocol for Umove {
    fn id(&self) -> &'static str {
        "umove"
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        Ok(Identification {
            identifier: hardware.name().get(2..4).map(str::to_string),
            reroute_protocol: None,
        })
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(UmoveHandler::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use futures::executor::block_on;

    fn state(vibrate: u16, id: u32, position: u32) -> Vec<HardwareCommand> {
        let mut data = vec![0x5a, 0xa5, 0x55, 0x00];
        data.extend(vibrate.to_le_bytes());
        data.extend([0x01, 0x00]);
        data.extend(id.to_le_bytes());
        data.extend(position.to_le_bytes());
        vec![HardwareCommand::write(Endpoint::Tx, data)]
    }

    fn def() -> crate::DeviceDefinition {
        definition(
            "umove",
            &[
                &[(OutputType::Vibrate, [0, 10000])],
                &[
                    (OutputType::HwPositionWithDuration, [0, 632]),
                    (OutputType::Position, [0, 632]),
                ],
                &[(OutputType::Temperature, [37, 42])],
            ],
        )
    }

    #[test]
    fn identifier_from_name() {
        let hw = SimulatedHardware::builder("ALVxB0123", "aa").build();
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("Vx"))
        );
        let hw = SimulatedHardware::builder("UM", "aa").build();
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::default())
        );
    }

    #[test]
    fn vibrate_position_temperature_and_stop() {
        let hw = SimulatedHardware::builder("UMMiB01", "aa").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatLastEvery(Duration::from_millis(500))
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(0, OutputType::Vibrate, 0x1234)
            ),
            state(0x1234, 0, 0)
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Position, 300)),
            state(0x1234, 1, 300)
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(2, OutputType::Temperature, 40)
            ),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![
                    0x5a, 0xa5, 0x55, 0x06, 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 40, 0xff
                ]
            )]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            state(0, 2, 300)
        );
        assert!(h.tick().is_empty());
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn position_with_duration_is_stepped() {
        let hw = SimulatedHardware::builder("UMNxB01", "aa").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(100)));
        assert!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(1, 300, 300)
            )
            .is_empty()
        );
        // Moving: vibrate waits for the next step.
        assert!(out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 5)).is_empty());
        assert_eq!(h.tick(), state(5, 0, 100));
        assert_eq!(h.tick(), state(5, 1, 200));
        assert_eq!(h.tick(), state(5, 2, 300));
        assert!(h.tick().is_empty());
        // Back down in one short step (duration under 100 ms), never overshooting.
        assert!(out(h.as_mut(), OutputCommand::position_with_duration(1, 0, 50)).is_empty());
        assert_eq!(h.tick(), state(5, 3, 0));
        assert!(h.tick().is_empty());
        // Uneven split: 10 in 3 steps of 3, then the rest.
        assert!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(1, 10, 300)
            )
            .is_empty()
        );
        assert_eq!(h.tick(), state(5, 4, 3));
        assert_eq!(h.tick(), state(5, 5, 6));
        assert_eq!(h.tick(), state(5, 6, 9));
        assert_eq!(h.tick(), state(5, 7, 10));
        assert!(h.tick().is_empty());
    }

    fn temperature(level: u8) -> HardwareCommand {
        HardwareCommand::write(
            Endpoint::Tx,
            vec![
                0x5a, 0xa5, 0x55, 0x06, 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, level, 0xff,
            ],
        )
    }

    #[test]
    fn vibrate_and_position_in_one_change_are_one_state_packet() {
        let hw = SimulatedHardware::builder("UMMiB01", "aa").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        // Vibrate 5000 (88 13), position 158 (9e), packet id 0: one packet.
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 5000),
                    OutputCommand::new(1, OutputType::Position, 158)
                ]
            ),
            state(5000, 0, 158)
        );
        // The stop of vibration and heat: the state packet (id 1), then the heat packet.
        let mut stop = state(0, 1, 158);
        stop.push(temperature(0));
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(2, OutputType::Temperature, 0)
                ]
            ),
            stop
        );
        // A refused change uses no packet id and changes nothing.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 7),
                OutputCommand::new(0, OutputType::Rotate, 1)
            ])
            .is_err()
        );
        // Vibrate with a stroke to run: the stroke's first step carries the vibration.
        assert!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 9),
                    OutputCommand::position_with_duration(1, 258, 100)
                ]
            )
            .is_empty()
        );
        assert_eq!(h.tick(), state(9, 2, 258));
    }
}

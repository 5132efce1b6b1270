//! JoyHub (all on `tx`):
//! - vibrate / rotate / oscillate on features 0-3: `[a0 03 c0 c1 c2 c3 aa]` with the current
//!   value of all four slots (slot = feature index; 0-255);
//! - constrict on feature 4: `[a0 07 on 00 s ff]`; on any other feature `[a0 0d 00 00 s ff]`;
//! - temperature: `[a0 04 01 00 01 ff]` on, `[a0 04 00 00 00 00]` off;
//! - LED: `[a0 14 01 00 01 ff]` on, `[a0 14 00 00 00 00]` off;
//! - spray: `[a0 24 01 00 01 ff]`, and one second later the handler's loop turns it off with
//!   `[a0 24 00 00 00 00]` (0 turns it off at once).

use super::layout_common::feature_slot;
use super::packet_util::{byte, on, tx};
use crate::{DeviceError, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol};
use buttplug_core::OutputType;
use std::time::Duration;

/// Loop interval (only for devices with a spray output).
const TICK: Duration = Duration::from_millis(100);
/// Ticks until a spray is turned off again (1 s).
const SPRAY_TICKS: u8 = 10;
/// Spray off.
const SPRAY_OFF: [u8; 6] = [0xa0, 0x24, 0x00, 0x00, 0x00, 0x00];

/// The `joyhub` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("joyhub", |def| {
    Box::new(JoyHub {
        slots: [0; 4],
        has_spray: !def.features_with_output(OutputType::Spray).is_empty(),
        spray_ticks_left: None,
    })
});

/// JoyHub state.
#[derive(Debug)]
struct JoyHub {
    /// Current speed of the four motor slots.
    slots: [u8; 4],
    /// Whether the device has a spray output (then the handler runs a loop).
    has_spray: bool,
    /// Ticks until the running spray is turned off.
    spray_ticks_left: Option<u8>,
}

impl ProtocolHandler for JoyHub {
    fn protocol_id(&self) -> &'static str {
        "joyhub"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        // Check the whole change first (motor slots on a copy): a refused command changes
        // nothing.
        let mut slots = self.slots;
        for cmd in cmds {
            match cmd.output_type {
                OutputType::Vibrate | OutputType::Rotate | OutputType::Oscillate => {
                    *feature_slot(&mut slots, cmd)? = byte(cmd.value.saturating_abs());
                }
                OutputType::Constrict
                | OutputType::Temperature
                | OutputType::Led
                | OutputType::Spray => {}
                _ => return Err(DeviceError::unsupported_output("joyhub", cmd)),
            }
        }
        self.slots = slots;
        // The motor slots share one packet, written where the first motor command stands;
        // every other output has its own packet.
        let mut writes = Vec::with_capacity(cmds.len());
        let mut motor_packet_written = false;
        for cmd in cmds {
            let s = byte(cmd.value.saturating_abs());
            let packet = match cmd.output_type {
                OutputType::Vibrate | OutputType::Rotate | OutputType::Oscillate => {
                    if motor_packet_written {
                        continue;
                    }
                    motor_packet_written = true;
                    let [c0, c1, c2, c3] = self.slots;
                    vec![0xa0, 0x03, c0, c1, c2, c3, 0xaa]
                }
                OutputType::Constrict if cmd.feature_index == 4 => {
                    vec![0xa0, 0x07, on(cmd.value), 0x00, s, 0xff]
                }
                OutputType::Constrict => vec![0xa0, 0x0d, 0x00, 0x00, s, 0xff],
                OutputType::Temperature if s == 0 => vec![0xa0, 0x04, 0x00, 0x00, 0x00, 0x00],
                OutputType::Temperature => vec![0xa0, 0x04, 0x01, 0x00, 0x01, 0xff],
                OutputType::Led if s == 0 => vec![0xa0, 0x14, 0x00, 0x00, 0x00, 0x00],
                OutputType::Led => vec![0xa0, 0x14, 0x01, 0x00, 0x01, 0xff],
                OutputType::Spray if s == 0 => {
                    self.spray_ticks_left = None;
                    SPRAY_OFF.to_vec()
                }
                OutputType::Spray => {
                    self.spray_ticks_left = Some(SPRAY_TICKS);
                    vec![0xa0, 0x24, 0x01, 0x00, 0x01, 0xff]
                }
                // Refused above.
                _ => continue,
            };
            writes.push(tx(packet));
        }
        Ok(writes)
    }

    fn tick_interval(&self) -> Option<Duration> {
        self.has_spray.then_some(TICK)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        match self.spray_ticks_left {
            Some(left) if left <= 1 => {
                self.spray_ticks_left = None;
                vec![tx(SPRAY_OFF)]
            }
            Some(left) => {
                self.spray_ticks_left = Some(left - 1);
                Vec::new()
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

    fn handler(features: &[&[(OutputType, [i32; 2])]]) -> Box<dyn ProtocolHandler> {
        let hw = SimulatedHardware::builder("J-Firedragon", "a").build();
        handler_for(&PROTOCOL, &hw, &definition("joyhub", features))
    }

    #[test]
    fn motor_slots_share_one_packet() {
        let mut h = handler(&[
            &[(OutputType::Oscillate, [0, 255])],
            &[(OutputType::Vibrate, [0, 255])],
        ]);
        assert_eq!(h.tick_interval(), None);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 100)),
            vec![tx([0xa0, 0x03, 0, 100, 0, 0, 0xaa])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 50)),
            vec![tx([0xa0, 0x03, 50, 100, 0, 0, 0xaa])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(3, OutputType::Rotate, 7)),
            vec![tx([0xa0, 0x03, 50, 100, 0, 7, 0xaa])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![tx([0xa0, 0x03, 50, 0, 0, 7, 0xaa])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(5, OutputType::Vibrate, 1))
                .is_err()
        );
    }

    #[test]
    fn one_motor_packet_per_change() {
        // JoyHub Virtuoso 2: vibrate 0, rotate 1, constrict 5.
        let mut h = handler(&[
            &[(OutputType::Vibrate, [0, 255])],
            &[(OutputType::Rotate, [0, 255])],
            &[],
            &[],
            &[],
            &[(OutputType::Constrict, [0, 3])],
        ]);
        let vib = OutputCommand::new(0, OutputType::Vibrate, 200);
        let rot = OutputCommand::new(1, OutputType::Rotate, 30);
        let con = OutputCommand::new(5, OutputType::Constrict, 2);
        assert_eq!(
            outs(h.as_mut(), &[con, vib, rot]),
            vec![
                tx([0xa0, 0x0d, 0x00, 0x00, 2, 0xff]),
                tx([0xa0, 0x03, 200, 30, 0, 0, 0xaa]),
            ]
        );
        // A refused change writes nothing and changes no slot.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 1),
                OutputCommand::new(0, OutputType::Position, 1)
            ])
            .is_err()
        );
        assert_eq!(
            outs(h.as_mut(), &[OutputCommand::new(1, OutputType::Rotate, 0)]),
            vec![tx([0xa0, 0x03, 200, 0, 0, 0, 0xaa])]
        );
        // The stop of every output: one motor packet, then the constrict stop.
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(1, OutputType::Rotate, 0),
                    OutputCommand::new(5, OutputType::Constrict, 0)
                ]
            ),
            vec![
                tx([0xa0, 0x03, 0, 0, 0, 0, 0xaa]),
                tx([0xa0, 0x0d, 0x00, 0x00, 0, 0xff]),
            ]
        );
    }

    #[test]
    fn constrict_temperature_and_led() {
        let mut h = handler(&[&[(OutputType::Vibrate, [0, 255])]]);
        let mut run = |f, t, v| out(h.as_mut(), OutputCommand::new(f, t, v));
        assert_eq!(
            run(4, OutputType::Constrict, 3),
            vec![tx([0xa0, 0x07, 0x01, 0x00, 3, 0xff])]
        );
        assert_eq!(
            run(4, OutputType::Constrict, 0),
            vec![tx([0xa0, 0x07, 0x00, 0x00, 0, 0xff])]
        );
        assert_eq!(
            run(5, OutputType::Constrict, 9),
            vec![tx([0xa0, 0x0d, 0x00, 0x00, 9, 0xff])]
        );
        assert_eq!(
            run(6, OutputType::Temperature, 1),
            vec![tx([0xa0, 0x04, 0x01, 0x00, 0x01, 0xff])]
        );
        assert_eq!(
            run(6, OutputType::Temperature, 0),
            vec![tx([0xa0, 0x04, 0x00, 0x00, 0x00, 0x00])]
        );
        assert_eq!(
            run(6, OutputType::Led, 1),
            vec![tx([0xa0, 0x14, 0x01, 0x00, 0x01, 0xff])]
        );
        assert_eq!(
            run(6, OutputType::Led, 0),
            vec![tx([0xa0, 0x14, 0x00, 0x00, 0x00, 0x00])]
        );
    }

    #[test]
    fn spray_turns_itself_off_after_a_second() {
        let mut h = handler(&[
            &[(OutputType::Oscillate, [0, 255])],
            &[(OutputType::Vibrate, [0, 255])],
            &[],
            &[],
            &[],
            &[],
            &[],
            &[(OutputType::Spray, [0, 1])],
        ]);
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(100)));
        assert!(h.tick().is_empty());
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(7, OutputType::Spray, 1)),
            vec![tx([0xa0, 0x24, 0x01, 0x00, 0x01, 0xff])]
        );
        for _ in 0..9 {
            assert!(h.tick().is_empty());
        }
        assert_eq!(h.tick(), vec![tx(SPRAY_OFF)]);
        assert!(h.tick().is_empty());
        // Stopping a running spray writes the off packet at once and cancels the timer.
        out(h.as_mut(), OutputCommand::new(7, OutputType::Spray, 1));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(7, OutputType::Spray, 0)),
            vec![tx(SPRAY_OFF)]
        );
        for _ in 0..12 {
            assert!(h.tick().is_empty());
        }
    }
}

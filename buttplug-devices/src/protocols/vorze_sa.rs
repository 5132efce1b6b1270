//! Vorze SA-series toys (A10 Cyclone SA, UFO SA, UFO TW, Bach, Rocket, Omorfi, Piston): 3-byte
//! packets `[device, action, data]` on `tx`, written with response. The database's
//! `protocol_variant` picks the command family, the BLE name the device code.

use super::layout_common::feature_slot;
use super::motor_packet_common::{MotorPacket, slot};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "vorze-sa";

/// Device codes (first packet byte).
const CYCLONE: u8 = 0x01;
const UFO: u8 = 0x02;
const PISTON: u8 = 0x03;
const UFO_TW: u8 = 0x05;
const BACH: u8 = 0x06;
const ROCKET: u8 = 0x07;
const OMORFI: u8 = 0x09;

/// Action codes (second packet byte).
const ACTION_ROTATE: u8 = 0x01;
const ACTION_VIBRATE: u8 = 0x03;

/// The Vorze SA protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct VorzeSaProtocol;

/// The registered instance.
pub static PROTOCOL: VorzeSaProtocol = VorzeSaProtocol;

/// A rotation byte: bit 7 set for clockwise (value >= 0), low bits the speed.
fn rotation(value: i32) -> u8 {
    let speed = u8::try_from(value.unsigned_abs()).unwrap_or(0x7f) & 0x7f;
    (u8::from(value >= 0) << 7) | speed
}

/// Piston speed (0-100) to cover `distance` position steps in `duration_ms`:
/// `((200 * duration / distance) / 6658)^-1.21`, 100 when not moving.
fn piston_speed(distance: f64, duration_ms: u32) -> u8 {
    if distance <= 0.0 {
        return 100;
    }
    let distance = distance.min(200.0);
    let full_stroke_ms = 200.0 * f64::from(duration_ms) / distance;
    let speed = (full_stroke_ms / 6658.0).powf(-1.21).clamp(0.0, 100.0);
    // In 0..=100 after the clamp; `as` truncates like the device firmware expects.
    speed as u8
}

fn no_implementation(name: &str) -> DeviceError {
    DeviceError::protocol(ID, format!("no Vorze implementation for device {name}"))
}

fn omorfi_packet(v: &[u8]) -> Vec<u8> {
    vec![OMORFI, slot(v, 0), slot(v, 1)]
}

#[async_trait]
impl Protocol for VorzeSaProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let name = hardware.name().to_ascii_lowercase();
        let variant = definition.protocol_variant.as_deref().unwrap_or("");
        let kind = match variant {
            "vorze-sa-single-rotator" if name.contains("cycsa") => Kind::SingleRotator(CYCLONE),
            "vorze-sa-single-rotator" if name.contains("ufo") => Kind::SingleRotator(UFO),
            "vorze-sa-dual-rotator" => Kind::DualRotator([0, 0]),
            "vorze-sa-single-vibrator" if name.contains("bach") => Kind::SingleVibrator(BACH),
            "vorze-sa-single-vibrator" if name.contains("rocket") => Kind::SingleVibrator(ROCKET),
            "vorze-sa-dual-vibrator" if name.contains("omor") => {
                return Ok(Box::new(
                    MotorPacket::new(ID, definition, &[OutputType::Vibrate], 2, omorfi_packet)
                        .with_response(),
                ));
            }
            "vorze-sa-piston" => Kind::Piston { previous: 0 },
            _ => return Err(no_implementation(hardware.name())),
        };
        Ok(Box::new(VorzeHandler { kind }))
    }
}

#[derive(Debug)]
enum Kind {
    SingleRotator(u8),
    DualRotator([i32; 2]),
    SingleVibrator(u8),
    Piston { previous: u8 },
}

#[derive(Debug)]
struct VorzeHandler {
    kind: Kind,
}

impl VorzeHandler {
    /// Whether this device has the command's output; checked for a whole change before any
    /// state changes.
    fn check(&self, cmd: &OutputCommand) -> Result<(), DeviceError> {
        let ok = match (&self.kind, cmd.output_type) {
            (Kind::DualRotator(_), OutputType::Rotate) => cmd.feature_index < 2,
            (Kind::SingleRotator(_), OutputType::Rotate)
            | (Kind::SingleVibrator(_), OutputType::Vibrate)
            | (Kind::Piston { .. }, OutputType::HwPositionWithDuration) => true,
            _ => false,
        };
        if !ok {
            return Err(DeviceError::unsupported_output(ID, cmd));
        }
        Ok(())
    }

    /// The packet of one checked command (for the dual rotator: after storing its speed).
    fn packet(&mut self, cmd: &OutputCommand) -> Result<Vec<u8>, DeviceError> {
        Ok(match &mut self.kind {
            Kind::SingleRotator(device) => vec![*device, ACTION_ROTATE, rotation(cmd.value)],
            Kind::DualRotator(speeds) => {
                *feature_slot(speeds, cmd)? = cmd.value;
                dual_rotator_packet(*speeds)
            }
            Kind::SingleVibrator(device) => {
                let s = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
                vec![*device, ACTION_VIBRATE, s]
            }
            Kind::Piston { previous } => {
                let position = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
                let distance = (f64::from(*previous) - f64::from(position)).abs();
                *previous = position;
                vec![PISTON, position, piston_speed(distance, cmd.duration_ms)]
            }
        })
    }
}

/// The UFO TW packet: both rotation bytes, left (feature 0) then right.
fn dual_rotator_packet(speeds: [i32; 2]) -> Vec<u8> {
    vec![UFO_TW, rotation(speeds[0]), rotation(speeds[1])]
}

#[async_trait]
impl ProtocolHandler for VorzeHandler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            self.check(cmd)?;
        }
        if let Kind::DualRotator(speeds) = &mut self.kind {
            // Both rotors share one packet: apply the whole change, write it once.
            for cmd in cmds {
                *feature_slot(speeds, cmd)? = cmd.value;
            }
            let data = dual_rotator_packet(*speeds);
            return Ok(vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                data,
            )]);
        }
        let mut out = Vec::with_capacity(cmds.len());
        for cmd in cmds {
            out.push(HardwareCommand::write_with_response(
                Endpoint::Tx,
                self.packet(cmd)?,
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, out, outs};
    use futures::executor::block_on;

    fn w(data: Vec<u8>) -> HardwareCommand {
        HardwareCommand::write_with_response(Endpoint::Tx, data)
    }

    fn init(
        name: &str,
        variant: &str,
        features: &[&[(OutputType, [i32; 2])]],
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let hw = SimulatedHardware::builder(name, "a")
            .endpoints([Endpoint::Tx])
            .build();
        let mut def = definition(ID, features);
        def.protocol_variant = Some(variant.to_string());
        let r = block_on(PROTOCOL.initialize(&hw, &def));
        assert!(hw.commands().is_empty(), "no handshake");
        r
    }

    const ROT: (OutputType, [i32; 2]) = (OutputType::Rotate, [-99, 99]);

    #[test]
    fn single_rotators() {
        let mut h = init("CycSA", "vorze-sa-single-rotator", &[&[ROT]]).expect("cyclone");
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Rotate, 50)),
            vec![w(vec![1, 1, 0x80 | 50])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Rotate, -99)),
            vec![w(vec![1, 1, 99])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Rotate, 0)),
            vec![w(vec![1, 1, 0x80])]
        );
        let mut ufo = init("UFOSA", "vorze-sa-single-rotator", &[&[ROT]]).expect("ufo");
        assert_eq!(
            out(ufo.as_mut(), OutputCommand::new(0, OutputType::Rotate, -3)),
            vec![w(vec![2, 1, 3])]
        );
        assert!(init("Other", "vorze-sa-single-rotator", &[&[ROT]]).is_err());
    }

    #[test]
    fn dual_rotator() {
        let mut h = init("UFO-TW", "vorze-sa-dual-rotator", &[&[ROT], &[ROT]]).expect("ufo tw");
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Rotate, 10)),
            vec![w(vec![5, 0x80 | 10, 0x80])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -20)),
            vec![w(vec![5, 0x80 | 10, 20])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Rotate, 0)),
            vec![w(vec![5, 0x80, 20])]
        );
    }

    #[test]
    fn dual_rotator_change_of_both_rotors_is_one_packet() {
        let mut h = init("UFO-TW", "vorze-sa-dual-rotator", &[&[ROT], &[ROT]]).expect("ufo tw");
        // Left 10 clockwise (0x80 | 10), right 20 counter-clockwise (20).
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Rotate, 10),
                    OutputCommand::new(1, OutputType::Rotate, -20)
                ]
            ),
            vec![w(vec![5, 0x8a, 0x14])]
        );
        // A change with an output the device lacks is refused whole and changes nothing.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Rotate, 99),
                OutputCommand::new(1, OutputType::Vibrate, 5)
            ])
            .is_err()
        );
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Rotate, 99),
                OutputCommand::new(2, OutputType::Rotate, 5)
            ])
            .is_err()
        );
        // The stop of both rotors: one packet, both at rest (clockwise bit, speed 0).
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Rotate, 0),
                    OutputCommand::new(1, OutputType::Rotate, 0)
                ]
            ),
            vec![w(vec![5, 0x80, 0x80])]
        );
    }

    #[test]
    fn omorfi_change_of_both_motors_is_one_packet() {
        let v99 = (OutputType::Vibrate, [0, 99]);
        let mut h = init("OMORFI", "vorze-sa-dual-vibrator", &[&[v99], &[v99]]).expect("omorfi");
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 50),
                    OutputCommand::new(1, OutputType::Vibrate, 25)
                ]
            ),
            vec![w(vec![9, 50, 25])]
        );
    }

    #[test]
    fn vibrators() {
        let v = (OutputType::Vibrate, [0, 100]);
        let mut bach = init("Bach smart", "vorze-sa-single-vibrator", &[&[v]]).expect("bach");
        assert_eq!(
            out(
                bach.as_mut(),
                OutputCommand::new(0, OutputType::Vibrate, 100)
            ),
            vec![w(vec![6, 3, 100])]
        );
        assert_eq!(
            out(bach.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w(vec![6, 3, 0])]
        );
        let mut rocket = init("ROCKET", "vorze-sa-single-vibrator", &[&[v]]).expect("rocket");
        assert_eq!(
            out(
                rocket.as_mut(),
                OutputCommand::new(0, OutputType::Vibrate, 7)
            ),
            vec![w(vec![7, 3, 7])]
        );
        let v99 = (OutputType::Vibrate, [0, 99]);
        let mut omorfi =
            init("OMORFI", "vorze-sa-dual-vibrator", &[&[v99], &[v99]]).expect("omorfi");
        assert_eq!(
            out(
                omorfi.as_mut(),
                OutputCommand::new(1, OutputType::Vibrate, 40)
            ),
            vec![w(vec![9, 0, 40])]
        );
        assert_eq!(
            out(
                omorfi.as_mut(),
                OutputCommand::new(0, OutputType::Vibrate, 99)
            ),
            vec![w(vec![9, 99, 40])]
        );
        assert!(init("x", "unknown", &[&[v]]).is_err());
    }

    #[test]
    fn piston() {
        let p = (OutputType::HwPositionWithDuration, [0, 99]);
        let mut h = init("VorzePiston", "vorze-sa-piston", &[&[p]]).expect("piston");
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 99, 500)
            ),
            vec![w(vec![3, 99, 9])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 99, 500)
            ),
            vec![w(vec![3, 99, 100])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 0, 100)),
            vec![w(vec![3, 0, 68])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 50, 1000)
            ),
            vec![w(vec![3, 50, 1])]
        );
        assert_eq!(piston_speed(99.0, 0), 100);
        assert_eq!(piston_speed(20.0, 3000), 0);
    }
}

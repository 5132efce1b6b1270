//! Shared parts of the Kiiroo family: the Fleshlight Launch speed rule used by every Kiiroo
//! stroker, the v2.1 handler (used by `kiiroo-v21`, `kiiroo-v21-initialized` and `kiiroo-v3`),
//! and the packet layouts of the one-packet vibrators.

use crate::{
    DeviceError, Endpoint, FeatureDefinition, Hardware, HardwareCommand, OutputCommand,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};
use std::time::Duration;

/// Speed (0-99 scale, saturated to a byte) that moves from `previous` to `position` (both in
/// 0-99 steps) in `duration_ms`, following the Launch's speed/time curve:
/// `99 * 250 * ((duration * 90) / (distance * 100))^-1.05` with the distance as a fraction of
/// the full stroke (at most 1). No movement gives 0; an instant move saturates.
pub(crate) fn launch_speed(previous: u8, position: u8, duration_ms: u32) -> u8 {
    let distance = ((f64::from(previous) - f64::from(position)).abs() / 99.0).min(1.0);
    let scalar = ((f64::from(duration_ms) * 90.0) / (distance * 100.0)).powf(-1.05);
    let speed = 250.0 * scalar * 99.0;
    // Float-to-int `as` saturates (and maps NaN to 0), which is the rule wanted here.
    speed as u8
}

/// The inverse of [`launch_speed`], for the legacy `FleshlightLaunchFW12Cmd` (which sends a
/// Launch speed, 0-99): the duration in ms that makes a move from `from` to `to` (positions in
/// `0..=max`) run at `speed`. 0 when there is no distance.
pub(crate) fn launch_duration(from: i32, to: i32, max: i32, speed: u32) -> u32 {
    if max <= 0 {
        return 0;
    }
    let distance = ((f64::from(from) - f64::from(to)).abs() / f64::from(max)).min(1.0);
    if distance <= 0.0 {
        return 0;
    }
    let target = speed.clamp(1, 99);
    // speed = 99 × 250 × x^-1.05 with x = duration × 90 / (distance × 100)
    let x = (f64::from(target) / (99.0 * 250.0)).powf(-1.0 / 1.05);
    let exact = (x * distance * 100.0 / 90.0).clamp(0.0, 100_000.0);
    // Whole milliseconds: of the two around the exact value, the one whose (truncated) speed
    // is nearer the one asked for. `as` saturates.
    let speed_of = |ms: u32| {
        let scalar = ((f64::from(ms) * 90.0) / (distance * 100.0)).powf(-1.05);
        (250.0 * scalar * 99.0).min(255.0) as u32
    };
    let (low, high) = (exact.floor() as u32, exact.ceil() as u32);
    if speed_of(high).abs_diff(target) < speed_of(low).abs_diff(target) {
        high
    } else {
        low
    }
}

/// A position value as the one-byte wire position (values are range-checked upstream).
fn position_byte(value: i32) -> u8 {
    u8::try_from(value.max(0)).unwrap_or(u8::MAX)
}

/// Timeout of the battery read of the v2.1 handler.
const BATTERY_READ_TIMEOUT: Duration = Duration::from_millis(500);

/// Length of the v2.1 `whitelist` status block that holds the battery level.
const STATUS_LEN: usize = 20;

/// Kiiroo v2.1: vibrate `[01 s]`, position `[03 00 speed pos]`, battery at byte 5 of the
/// 20-byte `whitelist` block.
#[derive(Debug)]
pub(crate) struct KiirooV21Handler {
    id: &'static str,
    previous_position: u8,
}

impl KiirooV21Handler {
    /// A handler reporting errors under protocol id `id`.
    pub(crate) fn new(id: &'static str) -> Self {
        KiirooV21Handler {
            id,
            previous_position: 0,
        }
    }
}

#[async_trait]
impl ProtocolHandler for KiirooV21Handler {
    fn protocol_id(&self) -> &'static str {
        self.id
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        match cmd.output_type {
            OutputType::Vibrate => Ok(vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![0x01, position_byte(cmd.value)],
            )]),
            OutputType::HwPositionWithDuration => {
                let position = position_byte(cmd.value);
                let speed = launch_speed(self.previous_position, position, cmd.duration_ms);
                self.previous_position = position;
                Ok(vec![HardwareCommand::write(
                    Endpoint::Tx,
                    vec![0x03, 0x00, speed, position],
                )])
            }
            _ => Err(DeviceError::unsupported_output(self.id, cmd)),
        }
    }

    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        if input_type != InputType::Battery || !hardware.has_endpoint(Endpoint::Whitelist) {
            return Err(DeviceError::Unsupported {
                protocol: self.id,
                command: format!("{input_type} read on feature {}", feature.index),
            });
        }
        let data = hardware
            .read(Endpoint::Whitelist, STATUS_LEN as u32, BATTERY_READ_TIMEOUT)
            .await?;
        if data.len() != STATUS_LEN {
            return Err(DeviceError::protocol(
                self.id,
                format!(
                    "battery block has {} bytes, expected {STATUS_LEN}",
                    data.len()
                ),
            ));
        }
        Ok(i32::from(data[5]))
    }
}

/// `kiiroo-v2-vibrator`: the three motor values as three bytes.
pub(crate) fn v2_vibrator_packet(v: &[u8]) -> Vec<u8> {
    use super::motor_packet_common::slot;
    vec![slot(v, 0), slot(v, 1), slot(v, 2)]
}

/// `kiiroo-powershot`: `[01 00 00 s0 s1 00]`.
pub(crate) fn powershot_packet(v: &[u8]) -> Vec<u8> {
    use super::motor_packet_common::slot;
    vec![0x01, 0x00, 0x00, slot(v, 0), slot(v, 1), 0x00]
}

/// `kiiroo-prowand`: `[00 00 64 (s?ff:00) s s]`.
pub(crate) fn prowand_packet(v: &[u8]) -> Vec<u8> {
    let s = super::motor_packet_common::first(v);
    vec![0x00, 0x00, 0x64, if s == 0 { 0x00 } else { 0xff }, s, s]
}

/// `kiiroo-spot`: `[00 ff 00 00 00 s]`.
pub(crate) fn spot_packet(v: &[u8]) -> Vec<u8> {
    vec![
        0x00,
        0xff,
        0x00,
        0x00,
        0x00,
        super::motor_packet_common::first(v),
    ]
}

/// `kiiroo-spot-v2`: `[01 s s 03 e8 ff]`.
pub(crate) fn spot_v2_packet(v: &[u8]) -> Vec<u8> {
    let s = super::motor_packet_common::first(v);
    vec![0x01, s, s, 0x03, 0xe8, 0xff]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, out, with_battery};
    use futures::executor::block_on;

    #[test]
    fn launch_speed_curve() {
        assert_eq!(launch_speed(0, 99, 500), 40);
        assert_eq!(launch_speed(99, 0, 200), 106);
        assert_eq!(launch_speed(0, 50, 300), 33);
        assert_eq!(launch_speed(0, 99, 100), 219);
        assert_eq!(launch_speed(20, 80, 1000), 11);
        assert_eq!(launch_speed(0, 99, 50), 255, "saturates");
        assert_eq!(launch_speed(50, 50, 300), 0, "no movement");
        assert_eq!(launch_speed(0, 0, 0), 0);
    }

    #[test]
    fn v21_outputs_and_battery() {
        let mut h = KiirooV21Handler::new("kiiroo-v21");
        assert_eq!(
            out(&mut h, OutputCommand::new(0, OutputType::Vibrate, 55)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![0x01, 55])]
        );
        assert_eq!(
            out(&mut h, OutputCommand::position_with_duration(1, 99, 500)),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![0x03, 0x00, 40, 99]
            )]
        );
        assert_eq!(
            out(&mut h, OutputCommand::position_with_duration(1, 0, 200)),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                vec![0x03, 0x00, 106, 0]
            )]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );

        let hw = SimulatedHardware::builder("Pearl2.1", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::Whitelist])
            .build();
        let mut block = vec![0u8; 20];
        block[5] = 64;
        hw.push_read(Endpoint::Whitelist, block);
        hw.push_read(Endpoint::Whitelist, vec![1, 2, 3]);
        let def = with_battery(definition(
            "kiiroo-v21",
            &[&[(OutputType::Vibrate, [0, 100])]],
        ));
        let battery = def.feature(1).expect("battery");
        assert_eq!(
            block_on(h.read_input(&hw, battery, InputType::Battery)).expect("read"),
            64
        );
        assert!(block_on(h.read_input(&hw, battery, InputType::Battery)).is_err());
    }

    #[test]
    fn vibrator_layouts() {
        assert_eq!(v2_vibrator_packet(&[1, 2]), vec![1, 2, 0]);
        assert_eq!(powershot_packet(&[3, 4]), vec![1, 0, 0, 3, 4, 0]);
        assert_eq!(prowand_packet(&[0]), vec![0, 0, 0x64, 0, 0, 0]);
        assert_eq!(prowand_packet(&[200]), vec![0, 0, 0x64, 0xff, 200, 200]);
        assert_eq!(spot_packet(&[9]), vec![0, 0xff, 0, 0, 0, 9]);
        assert_eq!(spot_v2_packet(&[9]), vec![1, 9, 9, 3, 0xe8, 0xff]);
    }
}

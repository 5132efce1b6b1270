//! RealTouch (HID): 65-byte reports (a zero report id, then the command). Initialize writes an
//! empty report, `0a`, then `06 02 a0 80 e8 03`, reading (and ignoring) the device's answer after
//! each. Position with duration (0-99) moves both belts: `[02 dir magnitude duration LE16]`, dir
//! `20` forward, `a0` backward, magnitude = 40 + 215 × the Fleshlight speed for the move
//! (`250 × (duration_ms × 90 / (distance × 100))^-1.05`, distance as a 0-1 fraction, capped at 1). Wire facts from the Buttplug C#
//! implementation; out-of-range speeds are capped and durations saturate at 65535 ms.

use crate::{
    DEFAULT_READ_TIMEOUT, DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand,
    HardwareError, OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

/// Report size including the leading report id.
const REPORT_LEN: usize = 65;

/// Highest position value.
const POSITION_MAX: f64 = 99.0;

/// Belt component code for a vector command on both belts.
const BOTH_BELTS: u8 = 0x20;

/// Direction flag for moving backwards.
const BACKWARDS: u8 = 0x80;

/// Slowest magnitude that still moves the belts.
const MIN_MAGNITUDE: f64 = 40.0;

fn report(command: &[u8]) -> Vec<u8> {
    let mut data = vec![0u8; REPORT_LEN];
    data[1..=command.len()].copy_from_slice(command);
    data
}

/// The Fleshlight speed (0-1) for moving `distance` (0-1) in `duration_ms`.
fn speed(distance: f64, duration_ms: u32) -> f64 {
    if distance <= 0.0 {
        return 0.0;
    }
    let distance = distance.min(1.0);
    let speed = 250.0 * ((f64::from(duration_ms) * 90.0) / (distance * 100.0)).powf(-1.05);
    speed.clamp(0.0, 1.0)
}

/// Handler state: the current position (0-1).
#[derive(Debug, Default)]
struct RealTouchHandler {
    position: f64,
}

impl ProtocolHandler for RealTouchHandler {
    fn protocol_id(&self) -> &'static str {
        "realtouch"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::HwPositionWithDuration {
            return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
        }
        let target = f64::from(cmd.value) / POSITION_MAX;
        let direction = if target < self.position {
            BOTH_BELTS | BACKWARDS
        } else {
            BOTH_BELTS
        };
        let speed = speed((target - self.position).abs(), cmd.duration_ms);
        self.position = target;
        let magnitude = (MIN_MAGNITUDE + (255.0 - MIN_MAGNITUDE) * speed) as u8;
        let duration = u16::try_from(cmd.duration_ms)
            .unwrap_or(u16::MAX)
            .to_le_bytes();
        let command = [
            0x02,
            direction,
            magnitude,
            duration[0],
            duration[1],
            0,
            0,
            0,
            0,
            0,
            0,
        ];
        Ok(vec![HardwareCommand::write(Endpoint::Tx, report(&command))])
    }
}

/// The `realtouch` protocol: initialization exchange, then belt vectors.
#[derive(Debug)]
pub struct RealTouch;

/// The `realtouch` protocol.
pub static PROTOCOL: RealTouch = RealTouch;

/// Write a report and wait for the device's answer (its content is not used; no answer in time
/// is not an error).
async fn exchange(hardware: &dyn Hardware, data: &[u8]) -> Result<(), DeviceError> {
    hardware.write(Endpoint::Tx, data, false).await?;
    match hardware
        .read(Endpoint::Rx, REPORT_LEN as u32, DEFAULT_READ_TIMEOUT)
        .await
    {
        Ok(_) | Err(HardwareError::Timeout { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[async_trait]
impl Protocol for RealTouch {
    fn id(&self) -> &'static str {
        "realtouch"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        exchange(hardware, &report(&[])).await?;
        exchange(hardware, &report(&[0x0a])).await?;
        exchange(hardware, &report(&[0x06, 0x02, 0xa0, 0x80, 0xe8, 0x03])).await?;
        Ok(Box::new(RealTouchHandler::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    fn hw() -> SimulatedHardware {
        SimulatedHardware::builder("RealTouch", "hid-1").build()
    }

    fn def() -> DeviceDefinition {
        definition(
            "realtouch",
            &[&[(OutputType::HwPositionWithDuration, [0, 99])]],
        )
    }

    #[test]
    fn initialize_exchange() {
        let hw = hw();
        hw.set_read_value(Endpoint::Rx, vec![0u8; 65]);
        let _h = handler_for(&PROTOCOL, &hw, &def());
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::write(Endpoint::Tx, vec![0u8; 65]),
                HardwareCommand::write(Endpoint::Tx, report(&[0x0a])),
                HardwareCommand::write(Endpoint::Tx, report(&[0x06, 0x02, 0xa0, 0x80, 0xe8, 0x03])),
            ]
        );
    }

    #[test]
    fn speed_formula() {
        assert_eq!(speed(0.0, 500), 0.0);
        assert_eq!(speed(1.0, 10), 1.0);
        // 250 × 900^-1.05 ≈ 0.198
        assert!((speed(1.0, 1000) - 0.1979).abs() < 0.001);
    }

    #[test]
    fn vectors_forward_and_back() {
        let hw = hw();
        hw.set_read_value(Endpoint::Rx, vec![0u8; 65]);
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        // Full stroke in 1 s: 40 + 215 × 0.1979 = 82.5 → 82 (0x52); 1000 ms = e8 03.
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 99, 1000)
            ),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                report(&[0x02, 0x20, 82, 0xe8, 0x03, 0, 0, 0, 0, 0, 0])
            )]
        );
        // Back to 0 fast: speed capped → 255.
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 0, 50)),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                report(&[0x02, 0xa0, 255, 50, 0, 0, 0, 0, 0, 0, 0])
            )]
        );
        // No movement: slowest magnitude; long durations saturate.
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 0, 100_000)
            ),
            vec![HardwareCommand::write(
                Endpoint::Tx,
                report(&[0x02, 0x20, 40, 0xff, 0xff, 0, 0, 0, 0, 0, 0])
            )]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

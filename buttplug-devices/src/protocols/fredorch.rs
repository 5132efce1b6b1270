//! Fredorch (Modbus-style frames with a CRC-16/Modbus trailer, low byte first).
//!
//! Initialize: subscribe `rx`, wait up to 500 ms for a wake-up notification, then write five
//! frames to `tx` (program mode, record, move to 0 at speed 5, run, repeat), each of which must
//! be answered by a notification within 500 ms. Position with duration (0-15):
//! `[01 10 00 6b 00 05 0a 00 sp 00 sp 00 P 00 P 00 01]` + CRC with `P = pos * 10` and the speed
//! `sp` (1-20) looked up from the distance moved and the duration.

use super::packet_util::{crc16_modbus, next_notification, tx};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// How long each handshake step waits for the device.
const STEP_TIMEOUT: Duration = Duration::from_millis(500);

/// The handshake frames, without CRC.
const INIT_FRAMES: [&[u8]; 5] = [
    // Program mode.
    &[0x01, 0x06, 0x00, 0x64, 0x00, 0x01],
    // Record.
    &[0x01, 0x06, 0x00, 0x69, 0x00, 0x00],
    // Move to position 0 at speed 5.
    &[
        0x01, 0x10, 0x00, 0x6b, 0x00, 0x05, 0x0a, 0x00, 0x05, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01,
    ],
    // Run.
    &[0x01, 0x06, 0x00, 0x69, 0x00, 0x01],
    // Repeat.
    &[0x01, 0x06, 0x00, 0x6a, 0x00, 0x01],
];

/// Move durations in ms, by distance (1-15 steps, rows) and speed (1-20, columns): the slowest
/// speed whose time for that distance is still below the requested duration is used.
const SPEED_TABLE: [[u32; 20]; 15] = [
    [
        1000, 800, 400, 235, 200, 172, 155, 92, 60, 45, 38, 34, 32, 28, 27, 26, 25, 24, 23, 22,
    ],
    [
        1500, 1000, 800, 680, 600, 515, 425, 265, 165, 115, 80, 70, 50, 48, 45, 35, 34, 33, 32, 30,
    ],
    [
        2500, 2310, 1135, 925, 792, 695, 565, 380, 218, 155, 105, 82, 70, 68, 65, 60, 48, 45, 43,
        40,
    ],
    [
        3000, 2800, 1500, 1155, 965, 810, 690, 465, 260, 195, 140, 110, 85, 75, 74, 73, 70, 65, 60,
        55,
    ],
    [
        3400, 3232, 2305, 1380, 1200, 1165, 972, 565, 328, 235, 162, 132, 98, 78, 75, 74, 73, 72,
        71, 70,
    ],
    [
        3500, 3350, 2500, 1640, 1250, 1210, 1010, 645, 385, 275, 175, 160, 115, 95, 91, 90, 85, 80,
        77, 75,
    ],
    [
        3600, 3472, 2980, 2060, 1560, 1275, 1132, 738, 430, 310, 230, 170, 128, 122, 110, 108, 105,
        103, 101, 100,
    ],
    [
        3800, 3500, 3055, 2105, 1740, 1370, 1290, 830, 490, 355, 235, 195, 150, 140, 135, 132, 130,
        125, 120, 119,
    ],
    [
        3900, 3518, 3190, 2315, 2045, 1510, 1442, 1045, 552, 392, 280, 225, 172, 145, 140, 138,
        135, 134, 132, 130,
    ],
    [
        6000, 5755, 3240, 2530, 2135, 1605, 1500, 1200, 595, 425, 285, 245, 175, 170, 160, 155,
        150, 145, 142, 140,
    ],
    [
        6428, 5872, 3335, 2780, 2270, 1782, 1590, 1310, 648, 470, 315, 255, 182, 180, 175, 172,
        170, 162, 160, 155,
    ],
    [
        6730, 5950, 3490, 2995, 2395, 1890, 1650, 1350, 700, 500, 350, 290, 220, 190, 185, 180,
        175, 170, 165, 160,
    ],
    [
        6962, 6122, 3880, 3205, 2465, 1900, 1700, 1400, 835, 545, 375, 310, 228, 195, 190, 185,
        182, 181, 180, 175,
    ],
    [
        7945, 6365, 4130, 3470, 2505, 1910, 1755, 1510, 855, 580, 400, 330, 235, 210, 205, 200,
        195, 190, 185, 180,
    ],
    [
        8048, 7068, 4442, 3708, 2668, 1930, 1800, 1520, 878, 618, 428, 365, 260, 255, 250, 240,
        230, 220, 210, 200,
    ],
];

/// Speed byte (0 when not moving, else 1-20) for a move of `distance` steps in `duration_ms`.
fn speed_for(distance: u32, duration_ms: u32) -> u8 {
    let distance = distance.min(15);
    let Some(row) = distance
        .checked_sub(1)
        .and_then(|d| SPEED_TABLE.get(d as usize))
    else {
        return 0;
    };
    row.iter()
        .take(19)
        .position(|&t| t < duration_ms)
        .map_or(20, |i| u8::try_from(i + 1).unwrap_or(20))
}

/// A frame with its CRC appended (low byte first).
fn with_crc(frame: &[u8]) -> Vec<u8> {
    let mut data = frame.to_vec();
    data.extend(crc16_modbus(frame).to_le_bytes());
    data
}

/// The `fredorch` protocol.
pub static PROTOCOL: Fredorch = Fredorch;

/// The `fredorch` protocol (handshake in initialize).
#[derive(Debug)]
pub struct Fredorch;

#[async_trait]
impl Protocol for Fredorch {
    fn id(&self) -> &'static str {
        "fredorch"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::Rx).await?;
        // The device may or may not announce itself first.
        next_notification(&mut events, STEP_TIMEOUT).await?;
        for frame in INIT_FRAMES {
            hardware
                .write(Endpoint::Tx, &with_crc(frame), false)
                .await?;
            if next_notification(&mut events, STEP_TIMEOUT)
                .await?
                .is_none()
            {
                return Err(DeviceError::protocol(
                    "fredorch",
                    "device did not answer a handshake frame",
                ));
            }
        }
        Ok(Box::new(FredorchHandler::default()))
    }
}

/// Fredorch handler: remembers the last position to compute move distances.
#[derive(Debug, Default)]
struct FredorchHandler {
    previous_position: u32,
}

impl ProtocolHandler for FredorchHandler {
    fn protocol_id(&self) -> &'static str {
        "fredorch"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::HwPositionWithDuration {
            return Err(DeviceError::unsupported_output("fredorch", cmd));
        }
        let position = u32::try_from(cmd.value.clamp(0, 15)).unwrap_or(0);
        let speed = speed_for(position.abs_diff(self.previous_position), cmd.duration_ms);
        let p = u8::try_from(position * 10).unwrap_or(150);
        self.previous_position = position;
        Ok(vec![tx(with_crc(&[
            0x01, 0x10, 0x00, 0x6b, 0x00, 0x05, 0x0a, 0x00, speed, 0x00, speed, 0x00, p, 0x00, p,
            0x00, 0x01,
        ]))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    fn hw() -> SimulatedHardware {
        SimulatedHardware::builder("YXlinksSPP", "a").build()
    }

    #[test]
    fn crc_is_appended_low_byte_first() {
        // Modbus "read holding registers" example: 01 03 00 00 00 01 -> CRC 84 0a.
        assert_eq!(
            with_crc(&[0x01, 0x03, 0x00, 0x00, 0x00, 0x01]),
            vec![0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0a]
        );
        assert_eq!(
            with_crc(INIT_FRAMES[0]),
            vec![0x01, 0x06, 0x00, 0x64, 0x00, 0x01, 0x09, 0xd5]
        );
    }

    #[test]
    fn speed_lookup() {
        assert_eq!(speed_for(0, 100), 0);
        assert_eq!(speed_for(1, 2000), 1);
        assert_eq!(speed_for(1, 1000), 2);
        assert_eq!(speed_for(1, 22), 20);
        assert_eq!(speed_for(15, 500), 11);
        assert_eq!(speed_for(40, 500), 11);
    }

    #[test]
    fn handshake_with_answers() {
        let hw = hw();
        for frame in INIT_FRAMES {
            hw.add_reply(Endpoint::Tx, with_crc(frame), Endpoint::Rx, [0x01]);
        }
        let def = definition(
            "fredorch",
            &[&[(OutputType::HwPositionWithDuration, [0, 15])]],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mut expected = vec![HardwareCommand::subscribe(Endpoint::Rx)];
        expected.extend(INIT_FRAMES.iter().map(|f| tx(with_crc(f))));
        assert_eq!(hw.take_commands(), expected);

        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 10, 1000)
            ),
            vec![tx(with_crc(&[
                0x01, 0x10, 0x00, 0x6b, 0x00, 0x05, 0x0a, 0x00, 9, 0x00, 9, 0x00, 100, 0x00, 100,
                0x00, 0x01
            ]))]
        );
        // Back by 5 steps in 300 ms: row 5 has 328 at speed 9 and 235 at speed 10 -> 10.
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 5, 300)),
            vec![tx(with_crc(&[
                0x01, 0x10, 0x00, 0x6b, 0x00, 0x05, 0x0a, 0x00, 10, 0x00, 10, 0x00, 50, 0x00, 50,
                0x00, 0x01
            ]))]
        );
    }

    #[test]
    fn silent_device_fails_the_handshake() {
        let hw = hw();
        let def = definition(
            "fredorch",
            &[&[(OutputType::HwPositionWithDuration, [0, 15])]],
        );
        assert!(futures::executor::block_on(PROTOCOL.initialize(&hw, &def)).is_err());
    }
}

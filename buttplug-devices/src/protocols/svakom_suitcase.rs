//! `svakom-suitcase` (Svakom Magic Suitcase, Coleur Dor VX236A): the vibrator on feature 0 takes
//! its value as an intensity/speed pair `[55 03 00 00 intensity speed]`; any other feature
//! `[55 09 00 00 s 00]`.
//!
//! The pair for value v: intensity = v / 10 + 1 and speed = v % 10, except that a speed of 0
//! borrows from the intensity (speed 10, intensity - 1); v = 0 gives `00 00`. So 7 → `01 07`,
//! 10 → `01 0a`, 15 → `02 05`, 30 → `03 0a`.

use super::packet_util::stateless_tx;
use super::svakom_common::{HEADER, byte};
use crate::{OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

const ID: &str = "svakom-suitcase";

/// The `svakom-suitcase` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| stateless_tx(ID, encode, false));

/// The (intensity, speed) pair of the main vibrator for a value.
fn intensity_speed(value: u8) -> (u8, u8) {
    if value == 0 {
        return (0, 0);
    }
    let (intensity, speed) = (value / 10 + 1, value % 10);
    if speed == 0 {
        (intensity - 1, 10)
    } else {
        (intensity, speed)
    }
}

fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
    if cmd.output_type != OutputType::Vibrate {
        return None;
    }
    let s = byte(cmd.value);
    Some(if cmd.feature_index == 0 {
        let (intensity, speed) = intensity_speed(s);
        vec![HEADER, 0x03, 0x00, 0x00, intensity, speed]
    } else {
        vec![HEADER, 0x09, 0x00, 0x00, s, 0x00]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::svakom_common::tests::tx;
    use crate::protocols::testing::{definition, handler_for, out};
    use crate::{DeviceError, KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn intensity_speed_pairs() {
        let pairs: Vec<_> = [0, 1, 7, 9, 10, 11, 15, 20, 29, 30]
            .into_iter()
            .map(intensity_speed)
            .collect();
        assert_eq!(
            pairs,
            [
                (0, 0),
                (1, 1),
                (1, 7),
                (1, 9),
                (1, 10),
                (2, 1),
                (2, 5),
                (2, 10),
                (3, 9),
                (3, 10)
            ]
        );
    }

    #[test]
    fn both_features_and_stop() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 30])],
                &[(OutputType::Vibrate, [0, 1])],
            ],
        );
        let hw = SimulatedHardware::builder("VX357A-BLE-V1.0", "a").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let v = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(0, 15)), vec![tx(&[0x55, 3, 0, 0, 2, 5])]);
        assert_eq!(out(h.as_mut(), v(0, 20)), vec![tx(&[0x55, 3, 0, 0, 2, 10])]);
        assert_eq!(out(h.as_mut(), v(1, 1)), vec![tx(&[0x55, 9, 0, 0, 1, 0])]);
        assert_eq!(out(h.as_mut(), v(0, 0)), vec![tx(&[0x55, 3, 0, 0, 0, 0])]);
        assert_eq!(out(h.as_mut(), v(1, 0)), vec![tx(&[0x55, 9, 0, 0, 0, 0])]);
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }
}

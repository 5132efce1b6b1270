//! Protocol knowledge behind the v0/v1 device-specific commands: what `LovenseCmd` strings mean,
//! the Launch's speed as a move duration, Kiiroo levels and Vorze speeds. Pure functions; the
//! server's translation of old messages into outputs uses them.

pub use crate::protocols::lovense::{LovenseLegacyCommand, parse_legacy_command as parse_lovense};

/// Duration of a move when a legacy command gives none (`KiirooCmd` positions), in ms.
pub const LEGACY_MOVE_MS: u32 = 500;

/// The duration (ms) of a Launch move from `from` to `to` (hardware positions, `0..=max`) at
/// Launch speed `speed` (0-99): the inverse of the speed the Kiiroo v2 (Launch) protocol works
/// out from a duration, so `FleshlightLaunchFW12Cmd` reaches the device with the speed sent.
pub fn launch_duration(from: i32, to: i32, max: i32, speed: u32) -> u32 {
    crate::protocols::kiiroo_common::launch_duration(from, to, max, speed)
}

/// A `KiirooCmd` command (`"0"` to `"4"`) as a fraction of full range; `None` otherwise.
pub fn kiiroo_level(command: &str) -> Option<f64> {
    match command.trim().parse::<u8>() {
        Ok(l) if l <= 4 => Some(f64::from(l) / 4.0),
        _ => None,
    }
}

/// A `VorzeA10CycloneCmd` speed (0-99; the schema allows 100, taken as full speed) as a fraction
/// of full speed.
pub fn vorze_speed(speed: u32) -> f64 {
    f64::from(speed.min(99)) / 99.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::kiiroo_common::launch_speed;

    #[test]
    fn launch_duration_inverts_the_launch_speed() {
        // The speed reaches the device as sent (to the millisecond's precision).
        for (from, to) in [(0, 99), (99, 10), (10, 49), (49, 0), (0, 20)] {
            for speed in [1, 20, 50, 80, 99] {
                let d = launch_duration(from, to, 99, speed);
                let from = u8::try_from(from).unwrap();
                let to = u8::try_from(to).unwrap();
                // Whole milliseconds: short fast moves land within one speed step.
                let got = u32::from(launch_speed(from, to, d));
                assert!(
                    got.abs_diff(speed) <= 1,
                    "{from}->{to} at {speed}: {d} ms gives {got}"
                );
            }
        }
        assert_eq!(launch_duration(40, 40, 99, 50), 0);
        assert_eq!(launch_duration(0, 50, 0, 50), 0);
        // Scaled ranges use the fraction of the whole stroke.
        assert_eq!(
            launch_duration(0, 500, 1000, 50),
            launch_duration(0, 50, 100, 50)
        );
    }

    #[test]
    fn kiiroo_levels_and_vorze_speeds() {
        assert_eq!(kiiroo_level("0"), Some(0.0));
        assert_eq!(kiiroo_level(" 3 "), Some(0.75));
        assert_eq!(kiiroo_level("4"), Some(1.0));
        assert_eq!(kiiroo_level("5"), None);
        assert_eq!(kiiroo_level("-1"), None);
        assert_eq!(kiiroo_level("x"), None);
        assert_eq!(vorze_speed(0), 0.0);
        assert_eq!(vorze_speed(99), 1.0);
        assert_eq!(vorze_speed(100), 1.0);
    }

    #[test]
    fn lovense_commands() {
        use LovenseLegacyCommand as L;
        assert_eq!(parse_lovense("Vibrate:10;"), Some(L::VibrateAll(10)));
        assert_eq!(
            parse_lovense(" Vibrate2:5 "),
            Some(L::Vibrate { motor: 2, level: 5 })
        );
        assert_eq!(parse_lovense("Rotate:7;"), Some(L::Rotate(7)));
        assert_eq!(parse_lovense("AirAuto:2;"), Some(L::Air(2)));
        assert_eq!(parse_lovense("Air:Level:3;"), Some(L::Air(3)));
        assert_eq!(parse_lovense("Vibrate:-1;"), Some(L::VibrateAll(-1)));
        for bad in [
            "PowerOff;",
            "Vibrate;",
            "Vibrate:x;",
            "VibrateX:1;",
            "Rotate:",
            "",
        ] {
            assert_eq!(parse_lovense(bad), None, "{bad}");
        }
    }
}

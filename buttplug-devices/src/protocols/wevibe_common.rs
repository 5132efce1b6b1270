//! Shared parts of the We-Vibe family (`wevibe`, `wevibe-8bit`, `wevibe-chorus`): every write
//! goes to `tx` with response; an all-zero state is the stop packet; the "internal" motor is
//! feature 0 and the "external" one feature 1 (single-motor toys drive both with motor 0).

/// The stop packet every We-Vibe understands.
pub(crate) const STOP: [u8; 8] = [0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

/// `(internal, external)` motor values, or `None` when both are off.
pub(crate) fn motors(values: &[u8]) -> Option<(u8, u8)> {
    let int = super::motor_packet_common::first(values);
    let ext = super::motor_packet_common::second_or_first(values);
    if int == 0 && ext == 0 {
        None
    } else {
        Some((int, ext))
    }
}

/// Status byte of the 8-bit and Chorus packets: bit 0 internal motor on, bit 1 external on.
pub(crate) fn status(int: u8, ext: u8) -> u8 {
    u8::from(int != 0) | (u8::from(ext != 0) << 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn motor_selection() {
        assert_eq!(motors(&[0, 0]), None);
        assert_eq!(motors(&[0]), None);
        assert_eq!(motors(&[5]), Some((5, 5)));
        assert_eq!(motors(&[5, 0]), Some((5, 0)));
        assert_eq!(status(1, 0), 1);
        assert_eq!(status(0, 1), 2);
        assert_eq!(status(3, 4), 3);
    }
}

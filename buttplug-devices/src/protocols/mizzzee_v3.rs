//! Mizz Zee v3: 20-byte packets on `tx` with response (0-1000). Stop is `[03 12]` and eighteen
//! zero bytes; otherwise `[03 12 f3, 00 fc 00 fe 40 01, L, 00 fc 00 fe 40 01, L, 00]` where `L`
//! is the little-endian u16 `(trunc((s / 1000 * 0.7 + 0.3) * 1023) << 6) | 60`, computed in
//! single precision. The device stops unless the packet is repeated every 200 ms.

use super::packet_util::{stateless_repeating, tx_wwr};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;
use std::time::Duration;

/// How often the last packet must be repeated.
const REPEAT_EVERY: Duration = Duration::from_millis(200);

/// The `mizzzee-v3` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("mizzzee-v3", |_| {
    stateless_repeating("mizzzee-v3", encode, REPEAT_EVERY)
});

/// The fixed six bytes that precede each level word.
const FILL: [u8; 6] = [0x00, 0xfc, 0x00, 0xfe, 0x40, 0x01];

/// The level word for a non-zero value.
fn level_word(value: i32) -> u16 {
    let unit = value.clamp(0, 1000) as f32 / 1000.0;
    let scaled = (unit * 0.7 + 0.3) * 1023.0;
    // Truncation to an integer is part of the wire format.
    let whole = scaled as u16;
    (whole << 6) | 60
}

fn packet(value: i32) -> Vec<u8> {
    if value <= 0 {
        let mut data = vec![0x03, 0x12];
        data.extend([0x00; 18]);
        return data;
    }
    let level = level_word(value).to_le_bytes();
    let mut data = vec![0x03, 0x12, 0xf3];
    data.extend(FILL);
    data.extend(level);
    data.extend(FILL);
    data.extend(level);
    data.push(0x00);
    data
}

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| vec![tx_wwr(packet(cmd.value))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeepaliveStrategy;
    use crate::protocols::testing::out;

    #[test]
    fn level_words() {
        // 1.0 -> 1023 -> 0xffc0 | 0x3c
        assert_eq!(level_word(1000), 0xfffc);
        // 0.5*0.7+0.3 = 0.65 -> 664.95 -> 664 = 0x298 -> 0xa600 | 0x3c
        assert_eq!(level_word(500), 0xa63c);
        // 0.001*0.7+0.3 = 0.3007 -> 307.6161 -> 307 = 0x133 -> 0x4cc0 | 0x3c
        assert_eq!(level_word(1), 0x4cfc);
    }

    #[test]
    fn vibrate_stop_and_keepalive() {
        let mut h = stateless_repeating("mizzzee-v3", encode, REPEAT_EVERY);
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatLastEvery(Duration::from_millis(200))
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 1000)),
            vec![tx_wwr([
                0x03, 0x12, 0xf3, 0x00, 0xfc, 0x00, 0xfe, 0x40, 0x01, 0xfc, 0xff, 0x00, 0xfc, 0x00,
                0xfe, 0x40, 0x01, 0xfc, 0xff, 0x00
            ])]
        );
        let mut stop = vec![0x03, 0x12];
        stop.extend([0; 18]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr(stop)]
        );
    }
}

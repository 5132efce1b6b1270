//! `mysteryvibe-v2` (MysteryVibe Tenuto Mini, Crescendo 2, Tenuto 2, Legato, Molto): the
//! [`mysteryvibe`](super::mysteryvibe) handler after the mode packet `[03 02 40]`.

use super::mysteryvibe::MysteryVibe;

/// The `mysteryvibe-v2` protocol.
pub static PROTOCOL: MysteryVibe = MysteryVibe::new("mysteryvibe-v2", [0x03, 0x02, 0x40]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::mysteryvibe::tests::{hardware, motors};
    use crate::protocols::testing::{handler_for, out};
    use crate::{Endpoint, HardwareCommand, KeepaliveStrategy, OutputCommand, Protocol};
    use buttplug_core::OutputType;
    use std::time::Duration;

    #[test]
    fn initialize_then_all_motors() {
        let hw = hardware("6909 MV1");
        let mut h = handler_for(&PROTOCOL, &hw, &motors("mysteryvibe-v2", 4));
        assert_eq!(PROTOCOL.id(), "mysteryvibe-v2");
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::write_with_response(
                Endpoint::TxMode,
                vec![0x03, 0x02, 0x40]
            )]
        );
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatLastEvery(Duration::from_millis(93))
        );
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let w = |d: [u8; 4]| vec![HardwareCommand::write(Endpoint::TxVibrate, d.to_vec())];
        assert_eq!(out(h.as_mut(), vib(3, 44)), w([0, 0, 0, 44]));
        assert_eq!(out(h.as_mut(), vib(1, 12)), w([0, 12, 0, 44]));
        assert_eq!(out(h.as_mut(), vib(3, 0)), w([0, 12, 0, 0]));
        assert_eq!(out(h.as_mut(), vib(1, 0)), w([0; 4]));
        assert_eq!(h.protocol_id(), "mysteryvibe-v2");
    }
}

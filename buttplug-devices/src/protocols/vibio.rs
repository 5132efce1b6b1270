//! Vibio (Clara, Dodson, Elle, Frida, Rivera): the VibCrafter family protocol with the key
//! `jdk#vib%y5fir21a`, an 8-character nonce and hex-prefixed challenges.

use super::vibcrafter_common::Family;

/// The `vibio` protocol: the family parameters (encrypted handshake at initialize).
pub static PROTOCOL: Family = Family {
    id: "vibio",
    key: *b"jdk#vib%y5fir21a",
    nonce_len: 8,
    hex_prefix: true,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, out};
    use crate::protocols::vibcrafter_common::tests::{handshake, handshake_with_reply};
    use crate::{Endpoint, HardwareCommand, OutputCommand};
    use buttplug_core::OutputType;

    #[test]
    fn handshake_then_single_motor_and_stop() {
        let def = definition("vibio", &[&[(OutputType::Vibrate, [0, 99])]]);
        let mut h = handshake(&PROTOCOL, &PROTOCOL, "Clara_Vibio", &def);
        let w = |t: &str| vec![HardwareCommand::write(Endpoint::Tx, PROTOCOL.encrypt(t))];
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 42)),
            w("MtInt:4200;")
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            w("MtInt:0000;")
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1))
                .is_err()
        );
    }

    #[test]
    fn nonce_matches_fixture() {
        // Computed independently for the fixture's device address.
        assert_eq!(PROTOCOL.nonce("AA:BB:CC:DD:EE:FF"), "oZt6SLBC");
    }

    #[test]
    fn known_ciphertext() {
        // AES-128-ECB of "MtInt:4200;" + 5 × 05 under the Vibio key, computed independently.
        let expected = [
            0x52, 0xc4, 0x81, 0x8f, 0x76, 0xf3, 0x92, 0x98, 0x6b, 0xae, 0xb3, 0xe8, 0x13, 0xe2,
            0x94, 0xe3,
        ];
        assert_eq!(PROTOCOL.encrypt("MtInt:4200;"), expected);
    }

    #[test]
    fn challenge_rules() {
        assert!(handshake_with_reply(&PROTOCOL, &PROTOCOL, "OK;"));
        // Prefix must be hex for Vibio.
        assert!(!handshake_with_reply(&PROTOCOL, &PROTOCOL, "zzzz:tok;"));
        assert!(!handshake_with_reply(&PROTOCOL, &PROTOCOL, "garbage"));
    }
}

//! VibCrafter (Harlow, Hayden, Nidalee, Janna): the VibCrafter family protocol with the key
//! `jdk#Cra%f5Vib28r`, a 6-character nonce and alphanumeric challenges.

use super::vibcrafter_common::Family;

/// The `vibcrafter` protocol: the family parameters (encrypted handshake at initialize).
pub static PROTOCOL: Family = Family {
    id: "vibcrafter",
    key: *b"jdk#Cra%f5Vib28r",
    nonce_len: 6,
    hex_prefix: false,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, out, outs};
    use crate::protocols::vibcrafter_common::tests::{handshake, handshake_with_reply};
    use crate::{Endpoint, HardwareCommand, OutputCommand};
    use buttplug_core::OutputType;

    #[test]
    fn handshake_then_both_motors_and_stop() {
        let def = definition(
            "vibcrafter",
            &[
                &[(OutputType::Vibrate, [0, 99])],
                &[(OutputType::Vibrate, [0, 99])],
            ],
        );
        let mut h = handshake(&PROTOCOL, &PROTOCOL, "be gentle", &def);
        let w = |t: &str| vec![HardwareCommand::write(Endpoint::Tx, PROTOCOL.encrypt(t))];
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 7)),
            w("MtInt:0700;")
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 99)),
            w("MtInt:0799;")
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            w("MtInt:0099;")
        );
        assert!(
            h.handle_output(&OutputCommand::new(2, OutputType::Vibrate, 1))
                .is_err()
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn nonce_matches_fixture() {
        // Computed independently for the fixture's device address.
        assert_eq!(PROTOCOL.nonce("AA:BB:CC:DD:EE:FF"), "YzjEBN");
    }

    #[test]
    fn known_ciphertext() {
        // AES-128-ECB of "OK;" + 13 × 0d under the VibCrafter key, computed independently.
        let expected = [
            0x12, 0x0a, 0x6d, 0xef, 0xa7, 0x05, 0xe3, 0x6f, 0xa0, 0x46, 0xe6, 0xcd, 0xf6, 0x09,
            0xf6, 0x7a,
        ];
        assert_eq!(PROTOCOL.encrypt("OK;"), expected);
        assert_eq!(PROTOCOL.decrypt(&expected).as_deref(), Some("OK;"));
    }

    #[test]
    fn bad_answers_fail() {
        assert!(handshake_with_reply(&PROTOCOL, &PROTOCOL, "OK;"));
        assert!(!handshake_with_reply(&PROTOCOL, &PROTOCOL, "NO;"));
        assert!(!handshake_with_reply(&PROTOCOL, &PROTOCOL, "ab-d:tok;"));
    }

    #[test]
    fn a_change_of_both_motors_is_one_packet() {
        let v = (OutputType::Vibrate, [0, 99]);
        let mut h = handshake(
            &PROTOCOL,
            &PROTOCOL,
            "be gentle",
            &definition("vibcrafter", &[&[v], &[v]]),
        );
        // AES-128-ECB of "MtInt:5025;" and of "MtInt:0000;" (PKCS#7) under the VibCrafter key,
        // computed independently.
        let both = [
            0xd0, 0xaf, 0x89, 0xae, 0x01, 0x71, 0x58, 0x13, 0xb8, 0x1a, 0xe7, 0x1d, 0xc9, 0x43,
            0x15, 0xd1,
        ];
        let stop = [
            0xdf, 0xf0, 0x2f, 0x0d, 0xf4, 0x5b, 0x1f, 0x07, 0x21, 0x62, 0x3f, 0x8c, 0xf1, 0xb9,
            0x61, 0x38,
        ];
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 50),
                    OutputCommand::new(1, OutputType::Vibrate, 25)
                ]
            ),
            vec![HardwareCommand::write(Endpoint::Tx, both.to_vec())]
        );
        // A refused change changes neither motor.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 1),
                OutputCommand::new(2, OutputType::Vibrate, 1)
            ])
            .is_err()
        );
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(1, OutputType::Vibrate, 0)
                ]
            ),
            vec![HardwareCommand::write(Endpoint::Tx, stop.to_vec())]
        );
    }
}

//! Fluffer (and MotorBunny boards with Fluffer firmware): every packet is AES-128-ECB enciphered
//! with PKCS#7 padding under the ASCII key `jdk#Flu%y6fer32f`.
//!
//! Initialize: subscribe `rx`. When the advertisement carries Fluffer manufacturer data
//! (company 0x684a; the bytes are the company id little-endian followed by the payload), four
//! bytes are derived from it (key = `adv[2] ^ adv[1]`; each of `adv[3..7]` is XORed with the
//! key unless it is 0 or equal to the key), four random bytes `R` are chosen, and
//! `enc([a5 01 08] ++ R ++ SHA-256(R ++ derived)[0..4])` is written to `tx`. The device must
//! answer `enc([a5 01 01 00])`; then `enc([82 0e 02 00 01])` is written. Without manufacturer
//! data there is no handshake.
//!
//! Output: `enc([82 0f 05 00 s1 s2 00 00])` with the current value of feature 0 and feature 1
//! (vibrate / oscillate 0-100; rotate 0-100, counter-clockwise sent as `|s| + 100`). Keep-alive
//! (only where the transport needs it): `enc([80 02 00])`.

use super::layout_common::feature_slot;
use super::packet_util::{byte, next_notification, tx};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, KeepaliveStrategy,
    OutputCommand, Protocol, ProtocolHandler,
};
use aes::Aes128;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use async_trait::async_trait;
use buttplug_core::OutputType;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The AES key.
const KEY: [u8; 16] = *b"jdk#Flu%y6fer32f";
/// BLE company id of the Fluffer manufacturer data.
const COMPANY: u16 = 0x684a;
/// How long the handshake waits for the device's answer.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(2);
/// The decrypted answer that accepts the handshake.
const AUTH_OK: [u8; 4] = [0xa5, 0x01, 0x01, 0x00];

/// AES-128-ECB with PKCS#7 padding.
pub(crate) fn encrypt(plain: &[u8]) -> Vec<u8> {
    let cipher = Aes128::new(&KEY.into());
    let pad = 16 - plain.len() % 16;
    let mut data = plain.to_vec();
    data.extend(std::iter::repeat_n(u8::try_from(pad).unwrap_or(16), pad));
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(16) {
        let mut block = aes::Block::default();
        block.copy_from_slice(chunk);
        cipher.encrypt_block(&mut block);
        out.extend_from_slice(&block);
    }
    out
}

/// Inverse of [`encrypt`]; `None` for data that is not whole blocks or not validly padded.
pub(crate) fn decrypt(data: &[u8]) -> Option<Vec<u8>> {
    if data.is_empty() || data.len() % 16 != 0 {
        return None;
    }
    let cipher = Aes128::new(&KEY.into());
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(16) {
        let mut block = aes::Block::default();
        block.copy_from_slice(chunk);
        cipher.decrypt_block(&mut block);
        out.extend_from_slice(&block);
    }
    let pad = usize::from(*out.last()?);
    if pad == 0
        || pad > 16
        || out[out.len() - pad..]
            .iter()
            .any(|b| usize::from(*b) != pad)
    {
        return None;
    }
    out.truncate(out.len() - pad);
    Some(out)
}

/// The four bytes derived from the advertisement (company id LE + payload).
fn derive_from_advertisement(adv: &[u8]) -> Vec<u8> {
    let Some(key) = adv.get(2).zip(adv.get(1)).map(|(a, b)| a ^ b) else {
        return Vec::new();
    };
    adv.iter()
        .skip(3)
        .take(4)
        .map(|&b| if b != 0 && b != key { b ^ key } else { b })
        .collect()
}

/// The handshake packet (plaintext) for a nonce and the advertisement.
fn auth_packet(nonce: [u8; 4], adv: &[u8]) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(nonce);
    hash.update(derive_from_advertisement(adv));
    let digest = hash.finalize();
    let mut packet = vec![0xa5, 0x01, 0x08];
    packet.extend(nonce);
    packet.extend_from_slice(&digest[..4]);
    packet
}

/// Four unpredictable bytes (randomly keyed SipHash over the clock).
fn nonce() -> [u8; 4] {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(t.as_nanos());
    }
    let [a, b, c, d, ..] = hasher.finish().to_le_bytes();
    [a, b, c, d]
}

/// The `fluffer` protocol.
pub static PROTOCOL: Fluffer = Fluffer;

/// The `fluffer` protocol (handshake in initialize).
#[derive(Debug)]
pub struct Fluffer;

impl Fluffer {
    /// Initialize with a given nonce (tests pin it; [`Protocol::initialize`] draws one).
    async fn initialize_with_nonce(
        hardware: &dyn Hardware,
        nonce: [u8; 4],
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let adv: Vec<u8> = hardware
            .manufacturer_data()
            .into_iter()
            .find(|(company, _)| *company == COMPANY)
            .map(|(company, payload)| {
                let mut adv = company.to_le_bytes().to_vec();
                adv.extend(payload);
                adv
            })
            .unwrap_or_default();
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::Rx).await?;
        if adv.len() >= 3 {
            hardware
                .write(Endpoint::Tx, &encrypt(&auth_packet(nonce, &adv)), false)
                .await?;
            let answer = next_notification(&mut events, HANDSHAKE_TIMEOUT).await?;
            match answer.and_then(|(_, data)| decrypt(&data)) {
                Some(plain) if plain == AUTH_OK => {}
                _ => {
                    return Err(DeviceError::protocol(
                        "fluffer",
                        "device did not accept the security handshake",
                    ));
                }
            }
            hardware
                .write(
                    Endpoint::Tx,
                    &encrypt(&[0x82, 0x0e, 0x02, 0x00, 0x01]),
                    false,
                )
                .await?;
        }
        Ok(Box::new(FlufferHandler::default()))
    }
}

#[async_trait]
impl Protocol for Fluffer {
    fn id(&self) -> &'static str {
        "fluffer"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Self::initialize_with_nonce(hardware, nonce()).await
    }
}

/// Current values of the two slots.
#[derive(Debug, Default)]
struct FlufferHandler {
    speeds: [u8; 2],
}

impl ProtocolHandler for FlufferHandler {
    fn protocol_id(&self) -> &'static str {
        "fluffer"
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        KeepaliveStrategy::RepeatPacketWhenRequired(tx(encrypt(&[0x80, 0x02, 0x00])))
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        // Apply the whole change to a copy: a refused command leaves the state as it was.
        let mut speeds = self.speeds;
        for cmd in cmds {
            *feature_slot(&mut speeds, cmd)? = slot_value(cmd)?;
        }
        self.speeds = speeds;
        let [s1, s2] = speeds;
        Ok(vec![tx(encrypt(&[
            0x82, 0x0f, 0x05, 0x00, s1, s2, 0x00, 0x00,
        ]))])
    }
}

/// The slot byte of a command: vibrate / oscillate as is, counter-clockwise rotation `|s| + 100`.
fn slot_value(cmd: &OutputCommand) -> Result<u8, DeviceError> {
    match cmd.output_type {
        OutputType::Vibrate | OutputType::Oscillate => Ok(byte(cmd.value)),
        OutputType::Rotate if cmd.value < 0 => Ok(byte(cmd.value.saturating_abs() + 100)),
        OutputType::Rotate => Ok(byte(cmd.value)),
        _ => Err(DeviceError::unsupported_output("fluffer", cmd)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use futures::executor::block_on;

    #[test]
    fn one_packet_for_both_outputs() {
        let hw = SimulatedHardware::builder("MBO", "a").build();
        let def = definition(
            "fluffer",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Rotate, [-100, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |v| OutputCommand::new(0, OutputType::Vibrate, v);
        let rot = |v| OutputCommand::new(1, OutputType::Rotate, v);
        // Cross-checked with Python `cryptography`: AES-128-ECB of [82 0f 05 00 3c 8c 00 00]
        // (vibrate 60, rotate -40 sent as 140) padded with eight 08 bytes.
        assert_eq!(
            outs(h.as_mut(), &[vib(60), rot(-40)]),
            vec![tx(hex("3118452452a98cc9ac80490dbb4ec2c0"))]
        );
        assert!(
            h.handle_outputs(&[vib(1), OutputCommand::new(1, OutputType::Led, 1)])
                .is_err()
        );
        assert_eq!(
            outs(h.as_mut(), &[rot(0)]),
            vec![tx(encrypt(&[0x82, 0x0f, 0x05, 0x00, 60, 0, 0, 0]))]
        );
        assert_eq!(
            outs(h.as_mut(), &[vib(0), rot(0)]),
            vec![tx(encrypt(&[0x82, 0x0f, 0x05, 0x00, 0, 0, 0, 0]))]
        );
    }

    #[test]
    fn aes_known_answer() {
        // Cross-checked with an independent AES implementation (Python `cryptography`).
        assert_eq!(
            encrypt(&[0x82, 0x0f, 0x05, 0x00, 50, 0, 0, 0]),
            hex("4d8fad2b38d0701c81377d7296c01526")
        );
        assert_eq!(
            decrypt(&encrypt(&[0x80, 0x02, 0x00])),
            Some(vec![0x80, 0x02, 0x00])
        );
        assert_eq!(decrypt(&[1, 2, 3]), None);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    #[test]
    fn advertisement_derivation() {
        // key = 0x10 ^ 0x68 = 0x78; 0x00 and 0x78 stay, others XOR 0x78.
        assert_eq!(
            derive_from_advertisement(&[0x4a, 0x68, 0x10, 0x01, 0x00, 0x78, 0x7f, 0x55]),
            vec![0x79, 0x00, 0x78, 0x07]
        );
        assert!(derive_from_advertisement(&[0x4a, 0x68]).is_empty());
    }

    #[test]
    fn outputs_and_keepalive() {
        let hw = SimulatedHardware::builder("MBO", "a").build();
        let def = definition(
            "fluffer",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Rotate, [-100, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx)]
        );
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatPacketWhenRequired(tx(encrypt(&[0x80, 0x02, 0x00])))
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 50)),
            vec![tx(encrypt(&[0x82, 0x0f, 0x05, 0x00, 50, 0, 0, 0]))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -30)),
            vec![tx(encrypt(&[0x82, 0x0f, 0x05, 0x00, 50, 130, 0, 0]))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 30)),
            vec![tx(encrypt(&[0x82, 0x0f, 0x05, 0x00, 50, 30, 0, 0]))]
        );
        out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0));
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 0)),
            vec![tx(encrypt(&[0x82, 0x0f, 0x05, 0x00, 0, 0, 0, 0]))]
        );
    }

    fn device_with_adv() -> SimulatedHardware {
        SimulatedHardware::builder("FDGTHING", "a")
            .manufacturer_data(COMPANY, [0x10, 0x01, 0x00, 0x78, 0x7f])
            .build()
    }

    #[test]
    fn handshake_accepted() {
        let hw = device_with_adv();
        let adv = [0x4a, 0x68, 0x10, 0x01, 0x00, 0x78, 0x7f];
        let auth = encrypt(&auth_packet([1, 2, 3, 4], &adv));
        hw.add_reply(Endpoint::Tx, auth.clone(), Endpoint::Rx, encrypt(&AUTH_OK));
        let h = block_on(Fluffer::initialize_with_nonce(&hw, [1, 2, 3, 4]));
        assert!(h.is_ok());
        let plain = auth_packet([1, 2, 3, 4], &adv);
        assert_eq!(&plain[..7], &[0xa5, 0x01, 0x08, 1, 2, 3, 4]);
        assert_eq!(plain.len(), 11);
        assert_eq!(&plain[7..], &hex("a49bb21c"));
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::subscribe(Endpoint::Rx),
                tx(auth),
                tx(encrypt(&[0x82, 0x0e, 0x02, 0x00, 0x01])),
            ]
        );
    }

    #[test]
    fn handshake_rejected() {
        let hw = device_with_adv();
        let adv = [0x4a, 0x68, 0x10, 0x01, 0x00, 0x78, 0x7f];
        let auth = encrypt(&auth_packet([9, 9, 9, 9], &adv));
        hw.add_reply(
            Endpoint::Tx,
            auth,
            Endpoint::Rx,
            encrypt(&[0xa5, 0x01, 0x00, 0x00]),
        );
        assert!(block_on(Fluffer::initialize_with_nonce(&hw, [9, 9, 9, 9])).is_err());
    }
}

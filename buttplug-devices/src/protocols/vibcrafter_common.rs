//! The VibCrafter family (VibCrafter, Vibio): AES-128-ECB (PKCS#7) encrypted ASCII on `tx`/`rx`,
//! a challenge handshake at initialize, and `MtInt:<m0><m1>;` packets with both motors.
//!
//! Handshake: subscribe `rx`, send `Auth:<nonce>;`; the device answers `OK;` (done) or a
//! challenge `<4 chars>:<token>;`, answered with `Auth:<first two bytes of SHA-256(token) in
//! hex>;`, and so on until `OK;`. The nonce is alphanumeric and derived from the device address
//! (the device only needs a fresh-looking string; a stable one keeps sessions reproducible).

use super::layout_common::FeatureValues;
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, HardwareError,
    HardwareEvent, OutputCommand, Protocol, ProtocolHandler, with_timeout,
};
use aes::Aes128;
use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use async_trait::async_trait;
use buttplug_core::OutputType;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// AES block size.
const BLOCK: usize = 16;

/// How long to wait for each handshake answer.
pub(crate) const HANDSHAKE_STEP_TIMEOUT: Duration = Duration::from_secs(5);

/// Most challenge rounds accepted before giving up.
const MAX_ROUNDS: usize = 8;

/// Motors in an `MtInt` packet.
const MOTORS: u32 = 2;

/// One member of the family; each protocol file's `PROTOCOL` is one of these.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Family {
    /// Protocol id.
    pub(crate) id: &'static str,
    /// AES-128 key.
    pub(crate) key: [u8; 16],
    /// Length of the `Auth:` nonce.
    pub(crate) nonce_len: usize,
    /// Whether the 4-character challenge prefix must be hex (else alphanumeric); the token must
    /// be alphanumeric when the prefix is alphanumeric, anything but `;` otherwise.
    pub(crate) hex_prefix: bool,
}

impl Family {
    /// Encrypt ASCII text (PKCS#7 padded, ECB).
    pub(crate) fn encrypt(&self, text: &str) -> Vec<u8> {
        let cipher = Aes128::new(&Array::from(self.key));
        let mut data = text.as_bytes().to_vec();
        let pad = BLOCK - data.len() % BLOCK;
        data.extend(std::iter::repeat_n(pad as u8, pad));
        for chunk in data.chunks_exact_mut(BLOCK) {
            let mut block = Array::from(<[u8; BLOCK]>::try_from(&*chunk).unwrap_or([0; BLOCK]));
            cipher.encrypt_block(&mut block);
            chunk.copy_from_slice(&block);
        }
        data
    }

    /// Decrypt and unpad; `None` when the data is not a valid padded ciphertext of UTF-8 text.
    pub(crate) fn decrypt(&self, data: &[u8]) -> Option<String> {
        if data.is_empty() || data.len() % BLOCK != 0 {
            return None;
        }
        let cipher = Aes128::new(&Array::from(self.key));
        let mut plain = Vec::with_capacity(data.len());
        for chunk in data.chunks_exact(BLOCK) {
            let mut block = Array::from(<[u8; BLOCK]>::try_from(chunk).ok()?);
            cipher.decrypt_block(&mut block);
            plain.extend_from_slice(&block);
        }
        let pad = usize::from(*plain.last()?);
        if pad == 0
            || pad > BLOCK
            || plain[plain.len() - pad..]
                .iter()
                .any(|b| usize::from(*b) != pad)
        {
            return None;
        }
        plain.truncate(plain.len() - pad);
        String::from_utf8(plain).ok()
    }

    /// The token of a challenge `<4 chars>:<token>;`.
    fn challenge_token<'a>(&self, text: &'a str) -> Option<&'a str> {
        let body = text.strip_suffix(';')?;
        let (prefix, token) = body.split_once(':')?;
        let prefix_ok = prefix.len() == 4
            && prefix.chars().all(|c| {
                if self.hex_prefix {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_alphanumeric()
                }
            });
        let token_ok = !token.is_empty()
            && (self.hex_prefix && !token.contains(';')
                || token.chars().all(|c| c.is_ascii_alphanumeric()));
        (prefix_ok && token_ok).then_some(token)
    }

    /// The handshake nonce for a device address.
    pub(crate) fn nonce(&self, address: &str) -> String {
        const ALPHANUMERIC: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let digest = Sha256::digest(format!("{}:{address}", self.id).as_bytes());
        digest
            .iter()
            .take(self.nonce_len)
            .map(|b| char::from(ALPHANUMERIC[usize::from(*b) % ALPHANUMERIC.len()]))
            .collect()
    }

    /// The answer to a challenge token.
    pub(crate) fn answer(token: &str) -> String {
        let digest = Sha256::digest(token.as_bytes());
        format!("Auth:{:02x}{:02x};", digest[0], digest[1])
    }
}

#[async_trait]
impl Protocol for Family {
    fn id(&self) -> &'static str {
        self.id
    }

    /// Run the handshake and build the handler.
    ///
    /// # Errors
    /// A hardware error, no answer in time, or an answer that is neither `OK;` nor a challenge.
    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::Rx).await?;
        let hello = format!("Auth:{};", self.nonce(hardware.address()));
        hardware
            .write(Endpoint::Tx, &self.encrypt(&hello), false)
            .await?;
        for _ in 0..MAX_ROUNDS {
            let next = async {
                while let Some(event) = events.next().await {
                    match event {
                        HardwareEvent::Notification {
                            endpoint: Endpoint::Rx,
                            data,
                        } => return Ok(data),
                        HardwareEvent::Notification { .. } => {}
                        HardwareEvent::Disconnected => break,
                    }
                }
                Err(HardwareError::Disconnected)
            };
            let data = with_timeout(HANDSHAKE_STEP_TIMEOUT, next).await??;
            let text = self
                .decrypt(&data)
                .ok_or_else(|| DeviceError::protocol(self.id, "undecodable handshake answer"))?;
            if text == "OK;" {
                return Ok(Box::new(FamilyHandler {
                    family: *self,
                    motors: FeatureValues::with_len(MOTORS as usize),
                }));
            }
            let token = self.challenge_token(&text).ok_or_else(|| {
                DeviceError::protocol(self.id, format!("unexpected handshake answer {text:?}"))
            })?;
            hardware
                .write(Endpoint::Tx, &self.encrypt(&Self::answer(token)), false)
                .await?;
        }
        Err(DeviceError::protocol(self.id, "handshake did not finish"))
    }
}

/// Handler state: both motors.
#[derive(Debug)]
pub(crate) struct FamilyHandler {
    family: Family,
    motors: FeatureValues,
}

impl ProtocolHandler for FamilyHandler {
    fn protocol_id(&self) -> &'static str {
        self.family.id
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Both motors are in every `MtInt` packet: apply the whole change, then write it once.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            if cmd.output_type != OutputType::Vibrate || cmd.feature_index >= MOTORS {
                return Err(DeviceError::unsupported_output(self.family.id, cmd));
            }
        }
        for cmd in cmds {
            self.motors.set(cmd.feature_index, cmd.value);
        }
        let text = format!("MtInt:{:02}{:02};", self.motors.get(0), self.motors.get(1));
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            self.family.encrypt(&text),
        )])
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Protocol, SimulatedHardware};
    use futures::executor::block_on;

    /// Run a full handshake against a simulated device that challenges once, check the exact
    /// commands, and return the handler.
    pub(crate) fn handshake(
        protocol: &dyn Protocol,
        family: &'static Family,
        name: &str,
        def: &DeviceDefinition,
    ) -> Box<dyn ProtocolHandler> {
        let hw = SimulatedHardware::builder(name, "11:22:33:44:55:66").build();
        let hello = family.encrypt(&format!("Auth:{};", family.nonce("11:22:33:44:55:66")));
        let challenge = if family.hex_prefix {
            "a1B2:tok3n;"
        } else {
            "aB3d:tok3n;"
        };
        hw.add_reply(
            Endpoint::Tx,
            hello.clone(),
            Endpoint::Rx,
            family.encrypt(challenge),
        );
        let answer = family.encrypt(&Family::answer("tok3n"));
        hw.add_reply(
            Endpoint::Tx,
            answer.clone(),
            Endpoint::Rx,
            family.encrypt("OK;"),
        );
        let handler = match block_on(protocol.initialize(&hw, def)) {
            Ok(h) => h,
            Err(e) => panic!("handshake failed: {e}"),
        };
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::subscribe(Endpoint::Rx),
                HardwareCommand::write(Endpoint::Tx, hello),
                HardwareCommand::write(Endpoint::Tx, answer),
            ]
        );
        handler
    }

    /// Initialize against a device that answers the hello with `reply` (plain text); return
    /// whether initialize succeeded.
    pub(crate) fn handshake_with_reply(
        protocol: &dyn Protocol,
        family: &'static Family,
        reply: &str,
    ) -> bool {
        let hw = SimulatedHardware::builder("x", "aa").build();
        let hello = family.encrypt(&format!("Auth:{};", family.nonce("aa")));
        hw.add_reply(Endpoint::Tx, hello, Endpoint::Rx, family.encrypt(reply));
        let def = crate::protocols::testing::definition(family.id, &[]);
        block_on(protocol.initialize(&hw, &def)).is_ok()
    }

    #[test]
    fn sha256_answer_and_padding() {
        // SHA-256("abc") starts ba 78.
        assert_eq!(Family::answer("abc"), "Auth:ba78;");
        let family = Family {
            id: "t",
            key: *b"0123456789abcdef",
            nonce_len: 6,
            hex_prefix: false,
        };
        for text in ["", "OK;", "exactly 16 bytes", "MtInt:9999;"] {
            let enc = family.encrypt(text);
            assert_eq!(enc.len() % 16, 0);
            assert!(enc.len() > text.len());
            assert_eq!(family.decrypt(&enc).as_deref(), Some(text));
        }
        assert_eq!(family.decrypt(&[1, 2, 3]), None);
        let nonce = family.nonce("aa");
        assert_eq!(nonce.len(), 6);
        assert!(nonce.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(nonce, family.nonce("aa"));
    }
}

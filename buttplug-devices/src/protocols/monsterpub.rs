//! Sistalk MonsterPub / Tracy's Dog.
//!
//! Identify: read up to 32 bytes from `rxblemodel` (500 ms); the UTF-8 text without NUL bytes is
//! the identifier (`Unknown` when the read fails). Initialize, when the device has `rx`: read 16
//! bytes from `rx`; byte 0 picks one of four 15-byte keys (ASCII `2IPO`, `LSBB`, `SIS6`, `TALK`
//! repeated) and bytes 1-15 XOR that key are written back to `rx` with response.
//!
//! Output: one byte per output feature (current values, 0-100), written to `txvibrate` when the
//! device has it, else to `tx` (an all-zero packet goes to `txmode` with response instead), else
//! to `generic0` prefixed with `03`.

use super::packet_util::{apply_change, byte, indexed_slot};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, Identification,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// Timeout of the model read.
const MODEL_READ_TIMEOUT: Duration = Duration::from_millis(500);
/// Timeout of the authentication read.
const AUTH_READ_TIMEOUT: Duration = Duration::from_millis(200);

/// The outputs, one byte each in the packet.
const ACCEPTS: &[OutputType] = &[OutputType::Vibrate, OutputType::Oscillate];

/// The four repeating key patterns of the authentication step.
const KEY_PATTERNS: [&[u8; 4]; 4] = [b"2IPO", b"LSBB", b"SIS6", b"TALK"];

/// The answer to the device's authentication challenge.
fn auth_answer(challenge: &[u8]) -> Result<Vec<u8>, DeviceError> {
    let (&key_index, rest) = challenge
        .split_first()
        .ok_or_else(|| DeviceError::protocol("monsterpub", "empty authentication challenge"))?;
    let pattern = KEY_PATTERNS.get(usize::from(key_index)).ok_or_else(|| {
        DeviceError::protocol(
            "monsterpub",
            format!("unknown authentication key index {key_index}"),
        )
    })?;
    if rest.len() < 15 {
        return Err(DeviceError::protocol(
            "monsterpub",
            "authentication challenge too short",
        ));
    }
    Ok(rest
        .iter()
        .take(15)
        .zip(pattern.iter().cycle())
        .map(|(b, k)| b ^ k)
        .collect())
}

/// The `monsterpub` protocol.
pub static PROTOCOL: MonsterPub = MonsterPub;

/// The `monsterpub` protocol (model read in identify, authentication in initialize).
#[derive(Debug)]
pub struct MonsterPub;

#[async_trait]
impl Protocol for MonsterPub {
    fn id(&self) -> &'static str {
        "monsterpub"
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        match hardware
            .read(Endpoint::RxBleModel, 32, MODEL_READ_TIMEOUT)
            .await
        {
            Ok(data) => {
                let text = std::str::from_utf8(&data)
                    .map_err(|_| DeviceError::protocol("monsterpub", "model name is not UTF-8"))?;
                Ok(Identification::identifier(text.replace('\0', "")))
            }
            Err(_) => Ok(Identification::identifier("Unknown")),
        }
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        if hardware.has_endpoint(Endpoint::Rx) {
            let challenge = hardware.read(Endpoint::Rx, 16, AUTH_READ_TIMEOUT).await?;
            hardware
                .write(Endpoint::Rx, &auth_answer(&challenge)?, true)
                .await?;
        }
        let target = if hardware.has_endpoint(Endpoint::TxVibrate) {
            Endpoint::TxVibrate
        } else if hardware.has_endpoint(Endpoint::Tx) {
            Endpoint::Tx
        } else {
            Endpoint::Generic(0)
        };
        Ok(Box::new(MonsterPubHandler {
            target,
            speeds: vec![0; definition.output_feature_count()],
        }))
    }
}

/// MonsterPub handler: output endpoint and current values.
#[derive(Debug)]
struct MonsterPubHandler {
    target: Endpoint,
    speeds: Vec<u8>,
}

impl ProtocolHandler for MonsterPubHandler {
    fn protocol_id(&self) -> &'static str {
        "monsterpub"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One packet with every output, whatever the change touched.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        apply_change(
            &mut self.speeds,
            cmds,
            |speeds, cmd| indexed_slot("monsterpub", ACCEPTS, speeds.len(), cmd),
            |speeds, slot, cmd| speeds[slot] = byte(cmd.value),
        )?;
        let mut data = Vec::with_capacity(self.speeds.len() + 1);
        if self.target == Endpoint::Generic(0) {
            data.push(0x03);
        }
        data.extend_from_slice(&self.speeds);
        let stopped = self.speeds.iter().all(|s| *s == 0);
        Ok(vec![if self.target == Endpoint::Tx && stopped {
            HardwareCommand::write_with_response(Endpoint::TxMode, data)
        } else {
            HardwareCommand::write(self.target, data)
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    fn two_vibes() -> DeviceDefinition {
        definition(
            "monsterpub",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        )
    }

    #[test]
    fn identify_reads_the_model() {
        let hw = SimulatedHardware::builder("MonsterPub", "a")
            .endpoints([Endpoint::Tx, Endpoint::RxBleModel])
            .build();
        hw.push_read(Endpoint::RxBleModel, b"MP2_JK_N_P1\0\0".to_vec());
        let id = futures::executor::block_on(PROTOCOL.identify(&hw));
        assert_eq!(id.ok(), Some(Identification::identifier("MP2_JK_N_P1")));
        let quick = SimulatedHardware::builder("MonsterPub", "a")
            .endpoints([Endpoint::Tx])
            .build();
        let id = futures::executor::block_on(PROTOCOL.identify(&quick));
        assert_eq!(id.ok(), Some(Identification::identifier("Unknown")));
    }

    #[test]
    fn authentication_and_txvibrate() {
        let hw = SimulatedHardware::builder("MonsterPub", "a")
            .endpoints([
                Endpoint::Tx,
                Endpoint::TxMode,
                Endpoint::TxVibrate,
                Endpoint::Rx,
            ])
            .build();
        let mut challenge = vec![1u8];
        challenge.extend(1..=15u8);
        hw.push_read(Endpoint::Rx, challenge);
        let def = two_vibes();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let answer: Vec<u8> = (1..=15u8)
            .zip(b"LSBBLSBBLSBBLSB".iter())
            .map(|(a, k)| a ^ k)
            .collect();
        assert_eq!(answer[0], 0x4d);
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::write_with_response(Endpoint::Rx, answer)]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 40)),
            vec![HardwareCommand::write(Endpoint::TxVibrate, [0, 40])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![HardwareCommand::write(Endpoint::TxVibrate, [0, 0])]
        );
    }

    #[test]
    fn tx_stop_goes_to_txmode() {
        let hw = SimulatedHardware::builder("MonsterPub", "a")
            .endpoints([Endpoint::Tx, Endpoint::TxMode])
            .build();
        let def = definition("monsterpub", &[&[(OutputType::Vibrate, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty());
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 60)),
            vec![HardwareCommand::write(Endpoint::Tx, [60])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![HardwareCommand::write_with_response(Endpoint::TxMode, [0])]
        );
    }

    #[test]
    fn generic0_gets_a_prefix() {
        let hw = SimulatedHardware::builder("TracyDog", "a")
            .endpoints([Endpoint::Generic(0)])
            .build();
        let def = definition(
            "monsterpub",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 5)),
            vec![HardwareCommand::write(
                Endpoint::Generic(0),
                [0x03, 0, 0, 5]
            )]
        );
    }

    #[test]
    fn a_change_of_both_outputs_is_one_packet() {
        let hw = SimulatedHardware::builder("MonsterPub", "a")
            .endpoints([Endpoint::Tx, Endpoint::TxMode])
            .build();
        let def = definition(
            "monsterpub",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Oscillate, 25),
                    OutputCommand::new(1, OutputType::Vibrate, 100)
                ]
            ),
            vec![HardwareCommand::write(Endpoint::Tx, [0x19, 0x64])]
        );
        // Rejected as a whole: nothing changes.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Oscillate, 0),
                OutputCommand::new(1, OutputType::Rotate, 1)
            ])
            .is_err()
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 50)),
            vec![HardwareCommand::write(Endpoint::Tx, [0x19, 0x32])]
        );
        // The stop of both: one all-zero packet, on txmode.
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Oscillate, 0),
                    OutputCommand::new(1, OutputType::Vibrate, 0)
                ]
            ),
            vec![HardwareCommand::write_with_response(
                Endpoint::TxMode,
                [0, 0]
            )]
        );
    }

    #[test]
    fn bad_challenge_is_an_error() {
        assert!(auth_answer(&[7; 16]).is_err());
        assert!(auth_answer(&[0; 4]).is_err());
        assert!(auth_answer(&[]).is_err());
    }
}

//! Honey Play Box. Frames: `02 a5 5a 55 aa f0 cnt type cmd len_hi len_lo data.. 03 crc_hi
//! crc_lo`, CRC-16/Modbus over `type cmd len data` stored big-endian; `cnt` is a packet counter.
//!
//! Initialize: subscribe `rx`, write the session request (type `b1` cmd `01` data `00 10`) to
//! `tx` with response; the answer (possibly spread over several notifications) carries response
//! code `90 00` and a 16-byte random token. Up to four attempts, waiting 1, 2, 3 and 4 s.
//!
//! Output (vibrate, oscillate, rotate; 0-100): type `b1` cmd `03`, data = one 8-byte group per
//! output feature `[(motor << 4) | 1, 00, 05, 00 3c, 00 00, strength]` followed by the first 8
//! bytes of MD5(`b1 03` ++ BE16(groups length + 8) ++ groups ++ secret ++ token), with response.
//! Each command runs for six seconds on the device, so while any motor runs the handler's loop
//! resends the current groups when nothing was sent for 500 ms. Battery: `rxblebattery`.

use super::layout_common::feature_slot;
use super::packet_util::{crc16_modbus, next_notification, tx_wwr};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use md5::{Digest, Md5};
use std::time::Duration;

/// The fixed signing secret.
const SECRET: [u8; 16] = [
    0x8b, 0xe3, 0xfd, 0x04, 0x68, 0x35, 0x09, 0x86, 0x12, 0x1a, 0xbf, 0x03, 0x30, 0xe9, 0xe3, 0xc5,
];
/// Frame header (STX and flag bytes).
const HEADER: [u8; 6] = [0x02, 0xa5, 0x5a, 0x55, 0xaa, 0xf0];
/// Frame trailer byte before the CRC.
const ETX: u8 = 0x03;
/// Command type of every request.
const TYPE_B1: u8 = 0xb1;
/// Loop interval.
const TICK: Duration = Duration::from_millis(100);
/// Resend after this many idle ticks (500 ms).
const RESEND_TICKS: u8 = 5;
/// Handshake attempts.
const ATTEMPTS: u64 = 4;

/// Build a frame.
fn build_frame(cmd_type: u8, cmd: u8, data: &[u8], counter: u8) -> Vec<u8> {
    let [len_hi, len_lo] = u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes();
    let mut body = vec![cmd_type, cmd, len_hi, len_lo];
    body.extend_from_slice(data);
    let crc = crc16_modbus(&body);
    let mut frame = HEADER.to_vec();
    frame.push(counter);
    frame.extend(body);
    frame.push(ETX);
    frame.extend(crc.to_be_bytes());
    frame
}

/// Reassembles frames from notification fragments.
#[derive(Debug, Default)]
struct FrameCollector {
    buffer: Vec<u8>,
}

impl FrameCollector {
    /// Add bytes; return every complete frame.
    fn push(&mut self, data: &[u8]) -> Vec<Vec<u8>> {
        self.buffer.extend_from_slice(data);
        let mut frames = Vec::new();
        loop {
            let Some(start) = self.buffer.windows(HEADER.len()).position(|w| w == HEADER) else {
                // Keep a possible partial header at the end.
                let keep = self.buffer.len().min(HEADER.len() - 1);
                self.buffer.drain(..self.buffer.len() - keep);
                break;
            };
            self.buffer.drain(..start);
            if self.buffer.len() < 11 {
                break;
            }
            let data_len = usize::from(u16::from_be_bytes([self.buffer[9], self.buffer[10]]));
            let frame_len = 11 + data_len + 3;
            if self.buffer.len() < frame_len {
                break;
            }
            if self.buffer[11 + data_len] != ETX {
                self.buffer.drain(..1);
                continue;
            }
            frames.push(self.buffer.drain(..frame_len).collect());
        }
        frames
    }
}

/// What a handshake answer frame says.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// Accepted, with the session token.
    Token([u8; 16]),
    /// Refused with this response code.
    Refused(u16),
    /// Not an answer this protocol understands.
    Other,
}

/// Read a complete answer frame.
fn parse_answer(frame: &[u8]) -> Answer {
    if frame.len() < 14 {
        return Answer::Other;
    }
    let len = usize::from(u16::from_be_bytes([frame[9], frame[10]]));
    let Some(data) = frame.get(11..11 + len) else {
        return Answer::Other;
    };
    match data {
        [0x90, 0x00, token @ ..] if token.len() >= 16 => {
            let mut t = [0u8; 16];
            t.copy_from_slice(&token[..16]);
            Answer::Token(t)
        }
        [0x90, 0x00, ..] => Answer::Other,
        [hi, lo, ..] => Answer::Refused(u16::from_be_bytes([*hi, *lo])),
        _ => Answer::Other,
    }
}

/// The `honeyplaybox` protocol.
pub static PROTOCOL: HoneyPlayBox = HoneyPlayBox;

/// The `honeyplaybox` protocol (session handshake in initialize).
#[derive(Debug)]
pub struct HoneyPlayBox;

#[async_trait]
impl Protocol for HoneyPlayBox {
    fn id(&self) -> &'static str {
        "honeyplaybox"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::Rx).await?;
        let mut counter: u8 = 0;
        let mut collector = FrameCollector::default();
        for attempt in 1..=ATTEMPTS {
            let request = build_frame(TYPE_B1, 0x01, &[0x00, 0x10], counter);
            hardware.write(Endpoint::Tx, &request, true).await?;
            counter = counter.wrapping_add(1);
            let deadline = std::time::Instant::now() + Duration::from_secs(attempt);
            loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    break;
                }
                let Some((_, data)) = next_notification(&mut events, left).await? else {
                    break;
                };
                for frame in collector.push(&data) {
                    match parse_answer(&frame) {
                        Answer::Token(token) => {
                            return Ok(Box::new(HoneyPlayBoxHandler {
                                token,
                                counter,
                                strengths: vec![0; definition.output_feature_count()],
                                idle_ticks: 0,
                            }));
                        }
                        Answer::Refused(code) => {
                            return Err(DeviceError::protocol(
                                "honeyplaybox",
                                format!("handshake refused, code {code:04X}"),
                            ));
                        }
                        Answer::Other => {}
                    }
                }
            }
        }
        Err(DeviceError::protocol(
            "honeyplaybox",
            "no handshake answer from the device",
        ))
    }
}

/// Session state.
#[derive(Debug)]
struct HoneyPlayBoxHandler {
    token: [u8; 16],
    counter: u8,
    strengths: Vec<u8>,
    idle_ticks: u8,
}

impl HoneyPlayBoxHandler {
    /// The signed motor payload for the current strengths.
    fn payload(&self) -> Vec<u8> {
        let mut groups = Vec::with_capacity(self.strengths.len() * 8);
        for (motor, strength) in self.strengths.iter().enumerate() {
            let pos = u8::try_from(motor).unwrap_or(0x0f) & 0x0f;
            groups.extend([
                (pos << 4) | 0x01,
                0x00,
                0x05,
                0x00,
                0x3c,
                0x00,
                0x00,
                *strength,
            ]);
        }
        let signed_len = u16::try_from(groups.len() + 8).unwrap_or(u16::MAX);
        let mut md5 = Md5::new();
        md5.update([TYPE_B1, 0x03]);
        md5.update(signed_len.to_be_bytes());
        md5.update(&groups);
        md5.update(SECRET);
        md5.update(self.token);
        let digest = md5.finalize();
        groups.extend_from_slice(&digest[..8]);
        groups
    }

    /// The next motor frame (advances the counter).
    fn motor_frame(&mut self) -> HardwareCommand {
        self.counter = self.counter.wrapping_add(1);
        self.idle_ticks = 0;
        tx_wwr(build_frame(TYPE_B1, 0x03, &self.payload(), self.counter))
    }
}

impl ProtocolHandler for HoneyPlayBoxHandler {
    fn protocol_id(&self) -> &'static str {
        "honeyplaybox"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        // Check the whole change first: a refused command changes no strength.
        for cmd in cmds {
            if !matches!(
                cmd.output_type,
                OutputType::Vibrate | OutputType::Oscillate | OutputType::Rotate
            ) {
                return Err(DeviceError::unsupported_output("honeyplaybox", cmd));
            }
            feature_slot(&mut self.strengths, cmd)?;
        }
        for cmd in cmds {
            *feature_slot(&mut self.strengths, cmd)? =
                super::packet_util::byte(cmd.value.saturating_abs());
        }
        // One signed frame (one counter step) for the whole change.
        Ok(vec![self.motor_frame()])
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(TICK)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        if self.strengths.iter().all(|s| *s == 0) {
            return Vec::new();
        }
        self.idle_ticks = self.idle_ticks.saturating_add(1);
        if self.idle_ticks < RESEND_TICKS {
            return Vec::new();
        }
        vec![self.motor_frame()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, out, outs, with_battery};
    use futures::executor::block_on;

    const TOKEN: [u8; 16] = [
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
        0x10,
    ];

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    fn answer() -> Vec<u8> {
        let mut data = vec![0x90, 0x00];
        data.extend(TOKEN);
        build_frame(TYPE_B1, 0x01, &data, 0)
    }

    fn two_motor_device() -> (SimulatedHardware, DeviceDefinition) {
        let hw = SimulatedHardware::builder("HPB-393", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::RxBleBattery])
            .build();
        let def = with_battery(definition(
            "honeyplaybox",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        ));
        (hw, def)
    }

    #[test]
    fn frame_layout() {
        assert_eq!(
            build_frame(TYPE_B1, 0x01, &[0x00, 0x10], 0),
            hex("02a55a55aaf000b10100020010033686")
        );
    }

    #[test]
    fn collector_joins_fragments() {
        let frame = answer();
        let mut c = FrameCollector::default();
        assert!(c.push(&[0xff, 0xee]).is_empty());
        assert!(c.push(&frame[..9]).is_empty());
        let frames = c.push(&frame[9..]);
        assert_eq!(frames, vec![frame.clone()]);
        assert_eq!(parse_answer(&frames[0]), Answer::Token(TOKEN));
        let refused = build_frame(TYPE_B1, 0x01, &[0x6a, 0x80], 0);
        assert_eq!(parse_answer(&refused), Answer::Refused(0x6a80));
    }

    #[test]
    fn handshake_then_signed_motor_frames() {
        let (hw, def) = two_motor_device();
        let request = build_frame(TYPE_B1, 0x01, &[0x00, 0x10], 0);
        let frame = answer();
        // The answer arrives in two notifications.
        hw.add_reply(
            Endpoint::Tx,
            request.clone(),
            Endpoint::Rx,
            frame[..10].to_vec(),
        );
        hw.add_reply(
            Endpoint::Tx,
            request.clone(),
            Endpoint::Rx,
            frame[10..].to_vec(),
        );
        let mut h = match block_on(PROTOCOL.initialize(&hw, &def)) {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx), tx_wwr(request)]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 50)),
            vec![tx_wwr(hex(
                "02a55a55aaf002b1030018010005003c000032110005003c0000003cab13934e4cb857033291"
            ))]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 100)),
            vec![tx_wwr(hex(
                "02a55a55aaf003b1030018010005003c000032110005003c00006496870a4ec562e38003acb2"
            ))]
        );
        // The loop resends after 500 ms of silence while running.
        for _ in 0..4 {
            assert!(h.tick().is_empty());
        }
        assert_eq!(
            h.tick(),
            vec![tx_wwr(hex(
                "02a55a55aaf004b1030018010005003c000032110005003c00006496870a4ec562e38003acb2"
            ))]
        );
        out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0));
        let stop = out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0));
        assert_eq!(
            stop,
            vec![tx_wwr(hex(
                "02a55a55aaf006b1030018010005003c000000110005003c000000f82dc35bd60832e403d675"
            ))]
        );
        for _ in 0..20 {
            assert!(h.tick().is_empty());
        }
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(100)));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Constrict, 1))
                .is_err()
        );
    }

    #[test]
    fn one_frame_for_a_change_of_both_motors() {
        let mut h = HoneyPlayBoxHandler {
            token: TOKEN,
            counter: 1,
            strengths: vec![0; 2],
            idle_ticks: 0,
        };
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        // Counter 02, groups [01 00 05 00 3c 00 00 32] [11 00 05 00 3c 00 00 64], signature,
        // CRC (computed independently with Python hashlib and a bitwise CRC-16/Modbus).
        assert_eq!(
            outs(&mut h, &[vib(0, 50), vib(1, 100)]),
            vec![tx_wwr(hex(
                "02a55a55aaf002b1030018010005003c000032110005003c00006496870a4ec562e38003acb2"
            ))]
        );
        assert!(
            h.handle_outputs(&[vib(0, 1), OutputCommand::new(1, OutputType::Constrict, 1)])
                .is_err()
        );
        assert_eq!(h.counter, 2, "a refused change sends nothing");
        assert_eq!(h.strengths, vec![50, 100]);
        assert_eq!(
            outs(&mut h, &[vib(0, 0), vib(1, 0)]),
            vec![tx_wwr(hex(
                "02a55a55aaf003b1030018010005003c000000110005003c000000f82dc35bd60832e403d675"
            ))]
        );
    }

    #[test]
    fn refused_handshake_is_an_error() {
        let (hw, def) = two_motor_device();
        let request = build_frame(TYPE_B1, 0x01, &[0x00, 0x10], 0);
        hw.add_reply(
            Endpoint::Tx,
            request,
            Endpoint::Rx,
            build_frame(TYPE_B1, 0x01, &[0x6a, 0x80], 0),
        );
        assert!(block_on(PROTOCOL.initialize(&hw, &def)).is_err());
    }
}

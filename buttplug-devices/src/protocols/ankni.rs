//! Ankni (Roselex): initialize reads 16 bytes from `generic0`; when the device answers with six
//! bytes or fewer it wants a checksum handshake: twenty `01` bytes, then `[01 02 C x16 00 00]`
//! where `C` is the high byte of CRC-16 (polynomial 0x1021, initial value 0, not reflected) over
//! `01` followed by the bytes read; both written to `tx` with response. Vibrate:
//! `[03 12 s 00 x17]` on `tx` with response (0-3).

use super::packet_util::{byte, stateless, tx_wwr};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, OutputCommand, Protocol,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// How long initialize waits for the `generic0` read.
const READ_TIMEOUT: Duration = Duration::from_millis(100);

/// The `ankni` protocol.
pub static PROTOCOL: Ankni = Ankni;

/// The `ankni` protocol (handshake in initialize).
#[derive(Debug)]
pub struct Ankni;

/// CRC-16 with polynomial 0x1021, initial value 0, no reflection (CRC-16/XMODEM).
fn crc16_xmodem(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The second handshake packet for the bytes the device answered.
fn check_packet(read: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(read.len() + 1);
    input.push(0x01);
    input.extend_from_slice(read);
    let [c, _] = crc16_xmodem(&input).to_be_bytes();
    let mut packet = vec![0x01, 0x02];
    packet.extend([c; 16]);
    packet.extend([0x00, 0x00]);
    packet
}

#[async_trait]
impl Protocol for Ankni {
    fn id(&self) -> &'static str {
        "ankni"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let read = hardware
            .read(Endpoint::Generic(0), 16, READ_TIMEOUT)
            .await?;
        if read.len() <= 6 {
            hardware.write(Endpoint::Tx, &[0x01; 20], true).await?;
            hardware
                .write(Endpoint::Tx, &check_packet(&read), true)
                .await?;
        }
        Ok(stateless("ankni", encode))
    }
}

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        let mut packet = vec![0x03, 0x12, byte(cmd.value)];
        packet.extend([0x00; 17]);
        vec![tx_wwr(packet)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    fn hw() -> SimulatedHardware {
        SimulatedHardware::builder("DSJM", "a")
            .endpoints([Endpoint::Tx, Endpoint::Generic(0)])
            .build()
    }

    #[test]
    fn crc_check_value() {
        assert_eq!(crc16_xmodem(b"123456789"), 0x31C3);
    }

    #[test]
    fn short_answer_runs_the_handshake() {
        let hw = hw();
        hw.push_read(Endpoint::Generic(0), vec![0x11, 0x22, 0x33]);
        let def = definition("ankni", &[&[(OutputType::Vibrate, [0, 3])]]);
        let _h = handler_for(&PROTOCOL, &hw, &def);
        let c = (crc16_xmodem(&[0x01, 0x11, 0x22, 0x33]) >> 8) as u8;
        let mut second = vec![0x01, 0x02];
        second.extend([c; 16]);
        second.extend([0, 0]);
        assert_eq!(hw.take_commands(), vec![tx_wwr([0x01; 20]), tx_wwr(second)]);
    }

    #[test]
    fn long_answer_skips_the_handshake() {
        let hw = hw();
        hw.push_read(Endpoint::Generic(0), b"V1.2.3.4".to_vec());
        let def = definition("ankni", &[&[(OutputType::Vibrate, [0, 3])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.take_commands().is_empty());
        let mut expect = vec![0x03, 0x12, 0x02];
        expect.extend([0; 17]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 2)),
            vec![tx_wwr(expect)]
        );
        let mut stop = vec![0x03, 0x12, 0x00];
        stop.extend([0; 17]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr(stop)]
        );
    }

    #[test]
    fn failed_read_is_an_error() {
        let hw = hw();
        let def = definition("ankni", &[&[(OutputType::Vibrate, [0, 3])]]);
        assert!(futures::executor::block_on(PROTOCOL.initialize(&hw, &def)).is_err());
    }
}

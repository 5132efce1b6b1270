//! The Handy (firmware 3): "handyplug" protobuf payloads on `tx`, written with response. Only
//! linear moves are used: `Payload{messages: [Message{LinearCmd{id: 2, device_index: 0,
//! vectors: [{index: 0, duration, position: pos/100}]}}]}`.

use super::thehandy_common::{double, message, uint};
use crate::{
    DeviceError, Endpoint, HardwareCommand, KeepaliveStrategy, OutputCommand, ProtocolHandler,
    SimpleProtocol,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

const ID: &str = "thehandy";

/// `Payload.messages`.
const PAYLOAD_MESSAGES: u32 = 1;
/// `Message.ping` (oneof).
const MESSAGE_PING: u32 = 102;
/// `Message.linear_cmd` (oneof).
const MESSAGE_LINEAR_CMD: u32 = 403;
/// Id of the keep-alive ping.
const PING_ID: u64 = 999;
/// Message id the Handy expects in linear commands.
const LINEAR_CMD_ID: u64 = 2;

/// The registered instance.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(TheHandyHandler));

/// Wrap one `Message` body (field `field` of the oneof) in a `Payload`.
fn payload(field: u32, body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::new();
    message(&mut msg, field, body);
    let mut out = Vec::new();
    message(&mut out, PAYLOAD_MESSAGES, &msg);
    out
}

/// The keep-alive packet: `Payload{[Message{Ping{id: 999}}]}`.
fn ping() -> Vec<u8> {
    let mut body = Vec::new();
    uint(&mut body, 1, PING_ID);
    payload(MESSAGE_PING, &body)
}

fn linear(position: i32, duration_ms: u32) -> Vec<u8> {
    let mut vector = Vec::new();
    uint(&mut vector, 1, 0);
    uint(&mut vector, 2, u64::from(duration_ms));
    double(&mut vector, 3, f64::from(position) / 100.0);
    let mut cmd = Vec::new();
    uint(&mut cmd, 1, LINEAR_CMD_ID);
    uint(&mut cmd, 2, 0);
    message(&mut cmd, 3, &vector);
    payload(MESSAGE_LINEAR_CMD, &cmd)
}

/// Stateless: each move is one self-contained payload.
#[derive(Debug)]
struct TheHandyHandler;

#[async_trait]
impl ProtocolHandler for TheHandyHandler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        KeepaliveStrategy::RepeatPacketWhenRequired(HardwareCommand::write_with_response(
            Endpoint::Tx,
            ping(),
        ))
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::HwPositionWithDuration {
            return Err(DeviceError::unsupported_output(ID, cmd));
        }
        Ok(vec![HardwareCommand::write_with_response(
            Endpoint::Tx,
            linear(cmd.value, cmd.duration_ms),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    #[test]
    fn linear_payload_and_ping() {
        let hw = SimulatedHardware::builder("The Handy", "a")
            .endpoints([Endpoint::Tx, Endpoint::Firmware])
            .build();
        let def = definition(ID, &[&[(OutputType::HwPositionWithDuration, [0, 100])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty(), "no handshake");
        let expected = vec![
            0x0a, 0x13, // Payload.messages, 19 bytes
            0x9a, 0x19, 0x10, // Message.linear_cmd, 16 bytes
            0x08, 0x02, // id = 2
            0x1a, 0x0c, // vectors, 12 bytes
            0x10, 0xf4, 0x03, // duration = 500
            0x19, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f, // position = 0.5
        ];
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 50, 500)
            ),
            vec![HardwareCommand::write_with_response(Endpoint::Tx, expected)]
        );
        // Position 0 and duration 0 are proto3 defaults and are left out.
        assert_eq!(
            out(h.as_mut(), OutputCommand::position_with_duration(0, 0, 0)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![0x0a, 0x07, 0x9a, 0x19, 0x04, 0x08, 0x02, 0x1a, 0x00]
            )]
        );
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatPacketWhenRequired(HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![0x0a, 0x06, 0xb2, 0x06, 0x03, 0x08, 0xe7, 0x07]
            ))
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

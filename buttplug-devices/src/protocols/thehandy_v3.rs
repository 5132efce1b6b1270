//! The Handy 2 / The Oh! (firmware 4, names `OHD_hw<n>_*`): protobuf `RpcMessage`s on `tx`.
//!
//! Identify takes the hardware generation from the name (`OHD_hw1_xxxx` -> `hw1`). Initialize
//! subscribes to `rx` and asks for the battery state and the capabilities (the answers are only
//! logged). Commands are `RpcMessage{type: REQUEST, request: Request{id, params}}` with a running
//! request id, written with response: `RequestHdspXpTSet` for moves, `RequestHvpSet` /
//! `RequestHvpStop` for vibration.

use super::thehandy_common::{boolean, float, message, uint};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, HardwareEvent,
    Identification, KeepaliveStrategy, OutputCommand, Protocol, ProtocolHandler, with_timeout,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use futures::StreamExt;
use std::time::Duration;

const ID: &str = "thehandy-v3";

/// `MessageType.MESSAGE_TYPE_REQUEST`.
const MESSAGE_TYPE_REQUEST: u64 = 1;
/// `RpcMessage.type` / `RpcMessage.request`.
const RPC_TYPE: u32 = 1;
const RPC_REQUEST: u32 = 2;
/// `Request.id`.
const REQUEST_ID: u32 = 2;
/// `Request.params` choices.
const BATTERY_GET: u32 = 710;
const CAPABILITIES_GET: u32 = 713;
const HDSP_XP_T_SET: u32 = 744;
const HVP_SET: u32 = 900;
const HVP_STOP: u32 = 901;
/// Vibration frequency sent with `RequestHvpSet` (Hz).
const HVP_FREQUENCY: u64 = 100;

/// How long initialize waits for each (only logged) answer before going on.
const INIT_ANSWER_TIMEOUT: Duration = Duration::from_secs(1);

/// The Handy v3 protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct TheHandyV3Protocol;

/// The registered instance.
pub static PROTOCOL: TheHandyV3Protocol = TheHandyV3Protocol;

/// `Request{id, <params field>: body}` (a zero id is left out, as proto3 does).
fn request(id: u32, params: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    uint(&mut out, REQUEST_ID, u64::from(id));
    message(&mut out, params, body);
    out
}

/// `RpcMessage{type: REQUEST, request}`.
fn rpc(request: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    uint(&mut out, RPC_TYPE, MESSAGE_TYPE_REQUEST);
    message(&mut out, RPC_REQUEST, request);
    out
}

/// The generation part of an `OHD_hw1_xxxx` name, `unknown` for other names.
fn generation(name: &str) -> String {
    let parts: Vec<&str> = name.split('_').collect();
    if parts.len() > 2 {
        parts[1].to_string()
    } else {
        "unknown".to_string()
    }
}

async fn ask(
    hardware: &dyn Hardware,
    events: &mut futures::stream::BoxStream<'static, HardwareEvent>,
    packet: &[u8],
) -> Result<(), DeviceError> {
    hardware.write(Endpoint::Tx, packet, false).await?;
    match with_timeout(INIT_ANSWER_TIMEOUT, events.next()).await {
        Ok(Some(HardwareEvent::Notification { data, .. })) => {
            tracing::debug!("thehandy-v3: answer {data:02x?}");
            Ok(())
        }
        Ok(Some(HardwareEvent::Disconnected) | None) => Err(DeviceError::protocol(
            ID,
            "device disconnected during initialization",
        )),
        Err(_) => {
            tracing::debug!("thehandy-v3: no answer, going on");
            Ok(())
        }
    }
}

#[async_trait]
impl Protocol for TheHandyV3Protocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        Ok(Identification::identifier(generation(hardware.name())))
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::Rx).await?;
        ask(hardware, &mut events, &rpc(&request(1, BATTERY_GET, &[]))).await?;
        ask(
            hardware,
            &mut events,
            &rpc(&request(2, CAPABILITIES_GET, &[])),
        )
        .await?;
        // Request id 0 is the keep-alive packet's; commands count from 1.
        Ok(Box::new(TheHandyV3Handler { next_id: 1 }))
    }
}

/// Numbers every request.
#[derive(Debug)]
struct TheHandyV3Handler {
    next_id: u32,
}

impl TheHandyV3Handler {
    fn send(&mut self, params: u32, body: &[u8]) -> Vec<HardwareCommand> {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        vec![HardwareCommand::write_with_response(
            Endpoint::Tx,
            rpc(&request(id, params, body)),
        )]
    }
}

#[async_trait]
impl ProtocolHandler for TheHandyV3Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        // A bare `Request` (not wrapped in an `RpcMessage`) asking for the capabilities.
        KeepaliveStrategy::RepeatPacketWhenRequired(HardwareCommand::write_with_response(
            Endpoint::Tx,
            request(0, CAPABILITIES_GET, &[]),
        ))
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        match cmd.output_type {
            OutputType::HwPositionWithDuration => {
                let mut body = Vec::new();
                float(&mut body, 1, cmd.value as f32 / 100.0);
                uint(&mut body, 2, u64::from(cmd.duration_ms));
                boolean(&mut body, 3, true);
                Ok(self.send(HDSP_XP_T_SET, &body))
            }
            OutputType::Vibrate if cmd.value == 0 => Ok(self.send(HVP_STOP, &[])),
            OutputType::Vibrate => {
                let mut body = Vec::new();
                float(&mut body, 1, cmd.value as f32 / 100.0);
                uint(&mut body, 2, HVP_FREQUENCY);
                float(&mut body, 3, 0.0);
                Ok(self.send(HVP_SET, &body))
            }
            _ => Err(DeviceError::unsupported_output(ID, cmd)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};
    use futures::executor::block_on;

    fn hw() -> SimulatedHardware {
        SimulatedHardware::builder("OHD_hw1_1234", "a").build()
    }

    const BATTERY_REQUEST: [u8; 9] = [0x08, 0x01, 0x12, 0x05, 0x10, 0x01, 0xb2, 0x2c, 0x00];
    const CAPS_REQUEST: [u8; 9] = [0x08, 0x01, 0x12, 0x05, 0x10, 0x02, 0xca, 0x2c, 0x00];

    #[test]
    fn identify_from_name() {
        assert_eq!(
            block_on(PROTOCOL.identify(&hw())).expect("identify"),
            Identification::identifier("hw1")
        );
        assert_eq!(generation("OHD_hw4"), "unknown");
        assert_eq!(generation("The Handy"), "unknown");
    }

    #[test]
    fn init_asks_battery_and_capabilities() {
        let hw = hw();
        hw.add_reply(
            Endpoint::Tx,
            BATTERY_REQUEST.to_vec(),
            Endpoint::Rx,
            vec![0x08, 0x03],
        );
        hw.add_reply(
            Endpoint::Tx,
            CAPS_REQUEST.to_vec(),
            Endpoint::Rx,
            vec![0x08, 0x03],
        );
        let def = definition(ID, &[&[(OutputType::HwPositionWithDuration, [0, 100])]]);
        let _h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::subscribe(Endpoint::Rx),
                HardwareCommand::write(Endpoint::Tx, BATTERY_REQUEST.to_vec()),
                HardwareCommand::write(Endpoint::Tx, CAPS_REQUEST.to_vec()),
            ]
        );
    }

    #[test]
    fn commands_are_numbered() {
        let mut h: Box<dyn ProtocolHandler> = Box::new(TheHandyV3Handler { next_id: 1 });
        let move_body = [
            0x0d, 0, 0, 0, 0x3f, // xp = 0.5
            0x10, 0xf4, 0x03, // t = 500
            0x18, 0x01, // stop_on_target
        ];
        let mut expected = vec![0x08, 0x01, 0x12, 0x0f, 0x10, 0x01, 0xc2, 0x2e, 0x0a];
        expected.extend_from_slice(&move_body);
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 50, 500)
            ),
            vec![HardwareCommand::write_with_response(Endpoint::Tx, expected)]
        );
        // Vibrate 25: amplitude 0.25, frequency 100, position left out.
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 25)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![
                    0x08, 0x01, 0x12, 0x0c, 0x10, 0x02, 0xa2, 0x38, 0x07, 0x0d, 0, 0, 0x80, 0x3e,
                    0x10, 0x64
                ]
            )]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![0x08, 0x01, 0x12, 0x05, 0x10, 0x03, 0xaa, 0x38, 0x00]
            )]
        );
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatPacketWhenRequired(HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![0xca, 0x2c, 0x00]
            ))
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

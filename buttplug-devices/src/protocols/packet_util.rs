//! Small shared helpers for packet-building protocols: a handler for protocols whose packets
//! depend only on the command (no state), all-or-nothing state updates for protocols whose
//! packet carries several outputs, write shortcuts, and the CRC-16/Modbus checksum.

use crate::{
    DeviceDefinition, DeviceError, Endpoint, FeatureDefinition, Hardware, HardwareCommand,
    HardwareError, HardwareEvent, KeepaliveStrategy, OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};
use std::time::Duration;

/// Builds the packets for one command, or `None` when the protocol has no such output.
pub(crate) type Encoder = fn(&OutputCommand) -> Option<Vec<HardwareCommand>>;

/// Builds the one packet for a command, written to `tx`, or `None` when the protocol has no
/// such output.
pub(crate) type PacketEncoder = fn(&OutputCommand) -> Option<Vec<u8>>;

/// How a [`StatelessHandler`] turns a command into hardware commands.
#[derive(Debug, Clone, Copy)]
enum Encode {
    /// The encoder builds the hardware commands itself.
    Commands(Encoder),
    /// The encoder builds one packet, written to `tx` (with response when the flag is set).
    TxPacket(PacketEncoder, bool),
}

/// A handler whose packets depend only on the command being handled.
#[derive(Debug)]
pub(crate) struct StatelessHandler {
    id: &'static str,
    encode: Encode,
    /// `Some(n)`: the device stops unless it hears from the host every `n`
    /// ([`KeepaliveStrategy::RepeatLastEvery`]).
    repeat_every: Option<Duration>,
}

impl ProtocolHandler for StatelessHandler {
    fn protocol_id(&self) -> &'static str {
        self.id
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        match self.repeat_every {
            Some(every) => KeepaliveStrategy::RepeatLastEvery(every),
            None => KeepaliveStrategy::RepeatLastWhenRequired,
        }
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let commands = match self.encode {
            Encode::Commands(encode) => encode(cmd),
            Encode::TxPacket(packet, false) => packet(cmd).map(|data| vec![tx(data)]),
            Encode::TxPacket(packet, true) => packet(cmd).map(|data| vec![tx_wwr(data)]),
        };
        commands.ok_or_else(|| DeviceError::unsupported_output(self.id, cmd))
    }
}

/// A boxed [`StatelessHandler`] with the default keep-alive.
pub(crate) fn stateless(id: &'static str, encode: Encoder) -> Box<dyn ProtocolHandler> {
    Box::new(StatelessHandler {
        id,
        encode: Encode::Commands(encode),
        repeat_every: None,
    })
}

/// A boxed [`StatelessHandler`] for a device that stops unless the last packet is repeated
/// every `every`.
pub(crate) fn stateless_repeating(
    id: &'static str,
    encode: Encoder,
    every: Duration,
) -> Box<dyn ProtocolHandler> {
    Box::new(StatelessHandler {
        id,
        encode: Encode::Commands(encode),
        repeat_every: Some(every),
    })
}

/// A boxed [`StatelessHandler`] (default keep-alive) that writes the one packet `packet` builds
/// for each command to `tx`, with response when `write_with_response` is set.
pub(crate) fn stateless_tx(
    id: &'static str,
    packet: PacketEncoder,
    write_with_response: bool,
) -> Box<dyn ProtocolHandler> {
    Box::new(StatelessHandler {
        id,
        encode: Encode::TxPacket(packet, write_with_response),
        repeat_every: None,
    })
}

/// Apply every command of one change (see [`ProtocolHandler::handle_outputs`]) to a handler's
/// state, or none of them.
///
/// `locate` finds where a command goes in `state` (a slot index, say) or rejects it; only when
/// every command is accepted is `apply` called for each, with its place, in order. A rejected
/// change therefore leaves `state` as it was. No allocation.
///
/// # Errors
/// The first error `locate` returns.
pub(crate) fn apply_change<S: ?Sized, P>(
    state: &mut S,
    cmds: &[OutputCommand],
    locate: impl Fn(&S, &OutputCommand) -> Result<P, DeviceError>,
    mut apply: impl FnMut(&mut S, P, &OutputCommand),
) -> Result<(), DeviceError> {
    for cmd in cmds {
        locate(state, cmd)?;
    }
    for cmd in cmds {
        let place = locate(state, cmd)?;
        apply(state, place, cmd);
    }
    Ok(())
}

/// For [`apply_change`] on a store indexed by feature index (`len` slots): the command's slot,
/// when its output type is one of `accepts`.
///
/// # Errors
/// [`DeviceError::Unsupported`] for another output type, [`DeviceError::NoFeature`] for a
/// feature index outside the store.
pub(crate) fn indexed_slot(
    protocol: &'static str,
    accepts: &[OutputType],
    len: usize,
    cmd: &OutputCommand,
) -> Result<usize, DeviceError> {
    if !accepts.contains(&cmd.output_type) {
        return Err(DeviceError::unsupported_output(protocol, cmd));
    }
    let slot = cmd.feature_index as usize;
    if slot < len {
        Ok(slot)
    } else {
        Err(DeviceError::NoFeature {
            index: cmd.feature_index,
        })
    }
}

/// A write to `tx` without response.
pub(crate) fn tx(data: impl Into<Vec<u8>>) -> HardwareCommand {
    HardwareCommand::write(Endpoint::Tx, data)
}

/// A write to `tx` with response.
pub(crate) fn tx_wwr(data: impl Into<Vec<u8>>) -> HardwareCommand {
    HardwareCommand::write_with_response(Endpoint::Tx, data)
}

/// A hardware value as one byte (values are range-checked before they reach a handler; this
/// only saturates).
pub(crate) fn byte(value: i32) -> u8 {
    u8::try_from(value.clamp(0, 255)).unwrap_or(u8::MAX)
}

/// A feature index as one byte.
pub(crate) fn feature_byte(index: u32) -> u8 {
    u8::try_from(index).unwrap_or(u8::MAX)
}

/// `01` when the value is non-zero, else `00`.
pub(crate) fn on(value: i32) -> u8 {
    u8::from(value != 0)
}

/// Checks that an input request is for the battery, the only input the calling protocol has.
///
/// # Errors
/// [`DeviceError::Unsupported`] for any other input, naming the input type, the `action`
/// (`read`, `subscribe`, `unsubscribe`) and the feature.
pub(crate) fn battery_only(
    protocol: &'static str,
    input_type: InputType,
    action: &str,
    feature: &FeatureDefinition,
) -> Result<(), DeviceError> {
    if input_type == InputType::Battery {
        Ok(())
    } else {
        Err(DeviceError::Unsupported {
            protocol,
            command: format!("{input_type} {action} on feature {}", feature.index),
        })
    }
}

/// A protocol whose initialize writes fixed packets to `tx` (in order, each with the given
/// write-with-response flag), optionally waits, and then builds a handler from the definition.
#[derive(Debug)]
pub(crate) struct InitWriteProtocol {
    /// Protocol id.
    pub id: &'static str,
    /// Packets written to `tx` at initialize: (bytes, write with response).
    pub writes: &'static [(&'static [u8], bool)],
    /// How long to wait after the writes before the device accepts commands.
    pub settle: Duration,
    /// Builds the handler.
    pub build: fn(&DeviceDefinition) -> Box<dyn ProtocolHandler>,
}

#[async_trait]
impl Protocol for InitWriteProtocol {
    fn id(&self) -> &'static str {
        self.id
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        for (data, with_response) in self.writes {
            hardware.write(Endpoint::Tx, data, *with_response).await?;
        }
        if !self.settle.is_zero() {
            crate::sleep(self.settle).await;
        }
        Ok((self.build)(definition))
    }
}

/// Wait up to `timeout` for the next notification on `events` (from any endpoint). `Ok(None)`
/// when none arrived in time.
///
/// # Errors
/// [`HardwareError::Disconnected`] when the device went away (or the stream ended).
pub(crate) async fn next_notification(
    events: &mut futures::stream::BoxStream<'static, HardwareEvent>,
    timeout: Duration,
) -> Result<Option<(Endpoint, Vec<u8>)>, HardwareError> {
    use futures::StreamExt;
    match crate::with_timeout(timeout, events.next()).await {
        Err(HardwareError::Timeout { .. }) => Ok(None),
        Err(e) => Err(e),
        Ok(Some(HardwareEvent::Notification { endpoint, data })) => Ok(Some((endpoint, data))),
        Ok(Some(HardwareEvent::Disconnected) | None) => Err(HardwareError::Disconnected),
    }
}

/// CRC-16/Modbus (reflected polynomial 0xA001, initial value 0xFFFF) as a number; Modbus puts
/// the low byte on the wire first.
pub(crate) fn crc16_modbus(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn crc16_modbus_check_value() {
        // The catalogue check value of CRC-16/MODBUS over "123456789".
        assert_eq!(crc16_modbus(b"123456789"), 0x4B37);
    }

    #[test]
    fn byte_saturates() {
        assert_eq!(byte(-3), 0);
        assert_eq!(byte(77), 77);
        assert_eq!(byte(300), 255);
        assert_eq!(on(0), 0);
        assert_eq!(on(5), 1);
    }

    #[test]
    fn apply_change_is_all_or_nothing() {
        let locate = |slots: &[u8; 2], cmd: &OutputCommand| {
            indexed_slot("test", &[OutputType::Vibrate], slots.len(), cmd)
        };
        let apply = |slots: &mut [u8; 2], i: usize, cmd: &OutputCommand| slots[i] = byte(cmd.value);
        let mut slots = [0u8; 2];
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        assert!(apply_change(&mut slots, &[vib(0, 3), vib(1, 4)], locate, apply).is_ok());
        assert_eq!(slots, [3, 4]);
        // A bad command anywhere in the change: nothing applied, the first error returned.
        assert!(matches!(
            apply_change(&mut slots, &[vib(0, 9), vib(2, 9)], locate, apply),
            Err(DeviceError::NoFeature { index: 2 })
        ));
        assert!(matches!(
            apply_change(
                &mut slots,
                &[vib(1, 9), OutputCommand::new(0, OutputType::Rotate, 1)],
                locate,
                apply
            ),
            Err(DeviceError::Unsupported { .. })
        ));
        assert_eq!(slots, [3, 4]);
        // Every command of an accepted change lands in its own slot.
        assert!(apply_change(&mut slots, &[vib(1, 7), vib(0, 8)], locate, apply).is_ok());
        assert_eq!(slots, [8, 7]);
    }

    #[test]
    fn stateless_handler_writes_one_packet_or_is_unsupported() {
        fn encode(cmd: &OutputCommand) -> Option<Vec<u8>> {
            (cmd.output_type == OutputType::Vibrate).then(|| vec![0x55, byte(cmd.value)])
        }
        let mut h = stateless_tx("svakom-test", encode, false);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 2)),
            vec![tx([0x55, 2])]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 2)),
            Err(DeviceError::Unsupported {
                protocol: "svakom-test",
                ..
            })
        ));
        let mut h = stateless_tx("svakom-test", encode, true);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx_wwr([0x55, 0])]
        );
    }
}

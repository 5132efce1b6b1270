//! A handler for the many protocols that send one packet holding the current value of every
//! motor: a command for one feature updates that motor's slot, and the whole packet is written.
//! Each protocol supplies the packet layout as a function of the slot values.

use crate::{
    DeviceDefinition, DeviceError, Endpoint, HardwareCommand, KeepaliveStrategy, OutputCommand,
    ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

/// Builds the packet from the current value of every slot (slot order = feature order).
pub(crate) type PacketBuilder = fn(&[u8]) -> Vec<u8>;

/// One packet for all motors; see the module docs.
#[derive(Debug)]
pub(crate) struct MotorPacket {
    id: &'static str,
    accepts: &'static [OutputType],
    /// Feature index of each slot.
    slots: Vec<u32>,
    /// Current value of each slot (at least as many as the layout needs).
    values: Vec<u8>,
    build: PacketBuilder,
    endpoint: Endpoint,
    write_with_response: bool,
    keepalive: KeepaliveStrategy,
}

impl MotorPacket {
    /// A handler whose slots are the features that have one of the `accepts` outputs, in
    /// feature order, with room for at least `min_slots` values (missing motors stay 0).
    pub(crate) fn new(
        id: &'static str,
        def: &DeviceDefinition,
        accepts: &'static [OutputType],
        min_slots: usize,
        build: PacketBuilder,
    ) -> Self {
        let slots: Vec<u32> = def
            .features
            .iter()
            .filter(|f| accepts.iter().any(|t| f.output(*t).is_some()))
            .map(|f| f.index)
            .collect();
        MotorPacket {
            id,
            accepts,
            values: vec![0; slots.len().max(min_slots)],
            slots,
            build,
            endpoint: Endpoint::Tx,
            write_with_response: false,
            keepalive: KeepaliveStrategy::RepeatLastWhenRequired,
        }
    }

    /// Write with response.
    pub(crate) fn with_response(mut self) -> Self {
        self.write_with_response = true;
        self
    }

    /// Use a keep-alive strategy other than the default.
    pub(crate) fn keepalive(mut self, strategy: KeepaliveStrategy) -> Self {
        self.keepalive = strategy;
        self
    }

    /// The slot a command addresses.
    fn slot_of(&self, cmd: &OutputCommand) -> Result<usize, DeviceError> {
        if !self.accepts.contains(&cmd.output_type) {
            return Err(DeviceError::unsupported_output(self.id, cmd));
        }
        self.slots
            .iter()
            .position(|i| *i == cmd.feature_index)
            .ok_or(DeviceError::NoFeature {
                index: cmd.feature_index,
            })
    }

    /// How many motors the device has (features with an accepted output).
    #[cfg(test)]
    pub(crate) fn motor_count(&self) -> usize {
        self.slots.len()
    }
}

#[async_trait]
impl ProtocolHandler for MotorPacket {
    fn protocol_id(&self) -> &'static str {
        self.id
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        self.keepalive.clone()
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        // Check every command before changing any slot: a rejected change writes nothing.
        for cmd in cmds {
            self.slot_of(cmd)?;
        }
        for cmd in cmds {
            let slot = self.slot_of(cmd)?;
            if let Some(v) = self.values.get_mut(slot) {
                *v = u8::try_from(cmd.value.unsigned_abs()).unwrap_or(u8::MAX);
            }
        }
        // One packet for the whole change.
        let data = (self.build)(&self.values);
        Ok(vec![HardwareCommand::Write {
            endpoint: self.endpoint,
            data,
            write_with_response: self.write_with_response,
        }])
    }
}

/// The first slot value (0 without motors).
pub(crate) fn first(values: &[u8]) -> u8 {
    values.first().copied().unwrap_or(0)
}

/// The second slot value, or the first on single-motor devices.
pub(crate) fn second_or_first(values: &[u8]) -> u8 {
    values.get(1).copied().unwrap_or_else(|| first(values))
}

/// The value of slot `i` (0 when the device has fewer motors).
pub(crate) fn slot(values: &[u8], i: usize) -> u8 {
    values.get(i).copied().unwrap_or(0)
}

/// The Magic Motion packet (`magic-motion-1` to `-4`): `[len ff 04 0a m0 m1 00]`, then
/// `[04 08 s 64 i]` for each motor `i` with value `s`; `len` counts the bytes after it and
/// `m0 m1` are the two mode bytes that differ between the protocol versions.
pub(crate) fn magic_motion_packet(mode: [u8; 2], motors: &[u8]) -> Vec<u8> {
    let mut data = vec![0x00, 0xff, 0x04, 0x0a, mode[0], mode[1], 0x00];
    for (i, s) in (0u8..).zip(motors) {
        data.extend_from_slice(&[0x04, 0x08, *s, 0x64, i]);
    }
    data[0] = u8::try_from(data.len() - 1).unwrap_or(u8::MAX);
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, out, outs, with_battery};

    fn sum_packet(values: &[u8]) -> Vec<u8> {
        let mut v = vec![0xaa];
        v.extend_from_slice(values);
        v
    }

    #[test]
    fn one_packet_for_a_change_of_several_motors() {
        let def = definition(
            "x",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = MotorPacket::new("x", &def, &[OutputType::Vibrate], 2, sum_packet);
        assert_eq!(
            outs(
                &mut h,
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 3),
                    OutputCommand::new(1, OutputType::Vibrate, 9)
                ]
            ),
            vec![HardwareCommand::write(Endpoint::Tx, vec![0xaa, 3, 9])]
        );
        // A change with one bad command changes nothing.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 1),
                OutputCommand::new(0, OutputType::Rotate, 1)
            ])
            .is_err()
        );
        assert_eq!(
            out(&mut h, OutputCommand::new(1, OutputType::Vibrate, 2)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![0xaa, 3, 2])]
        );
    }

    #[test]
    fn keeps_every_motor_value() {
        let def = with_battery(definition(
            "x",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        ));
        let mut h =
            MotorPacket::new("x", &def, &[OutputType::Vibrate], 3, sum_packet).with_response();
        assert_eq!(h.motor_count(), 2);
        assert_eq!(
            out(&mut h, OutputCommand::new(1, OutputType::Vibrate, 5)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![0xaa, 0, 5, 0]
            )]
        );
        assert_eq!(
            out(&mut h, OutputCommand::new(0, OutputType::Vibrate, 7)),
            vec![HardwareCommand::write_with_response(
                Endpoint::Tx,
                vec![0xaa, 7, 5, 0]
            )]
        );
        assert!(matches!(
            h.handle_output(&OutputCommand::new(2, OutputType::Vibrate, 1)),
            Err(DeviceError::NoFeature { index: 2 })
        ));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn slot_helpers() {
        assert_eq!(first(&[]), 0);
        assert_eq!(second_or_first(&[4]), 4);
        assert_eq!(second_or_first(&[4, 6]), 6);
        assert_eq!(slot(&[4], 2), 0);
    }

    #[test]
    fn magic_motion_layouts() {
        assert_eq!(
            magic_motion_packet([0x32, 0x32], &[77]),
            [0x0b, 0xff, 4, 0x0a, 0x32, 0x32, 0, 4, 8, 77, 0x64, 0]
        );
        assert_eq!(
            magic_motion_packet([0x32, 0x0a], &[5, 6]),
            [
                0x10, 0xff, 4, 0x0a, 0x32, 0x0a, 0, 4, 8, 5, 0x64, 0, 4, 8, 6, 0x64, 1
            ]
        );
    }
}

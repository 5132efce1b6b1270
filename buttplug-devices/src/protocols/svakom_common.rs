//! Shared pieces of the Svakom family (every `svakom-*` protocol id).
//!
//! Almost every Svakom device takes short packets on `tx` that start with `0x55`, then a function
//! byte (`03` main vibrator, `08`/`09` second motor or suction, ...) and a mode/intensity pair.
//! The per-id files only say which byte goes where:
//!
//! - protocols whose packet depends on the one command alone plug a [`PacketEncoder`] into
//!   [`stateless_tx`](super::packet_util::stateless_tx);
//! - protocols that pack several motors into one packet keep the last values in a
//!   [`FeatureValues`];
//!   the ones that drive the first two vibrators together are a [`DualVibratorLayout`] around
//!   [`dual_vibrator_packet`].

use super::layout_common::FeatureValues;
pub(crate) use super::packet_util::{PacketEncoder, byte, on, tx};
use crate::{DeviceDefinition, DeviceError, HardwareCommand, OutputCommand, ProtocolHandler};
use buttplug_core::OutputType;

/// First byte of most Svakom packets.
pub(crate) const HEADER: u8 = 0x55;

/// The 6-byte packet that drives the first two vibrators together (`svakom-v4`, `-v5`, `-v6`,
/// `-barney`): `[55 03 select 00 running max(v0, v1)]`.
///
/// `select` names the motor that runs: `00` for both (also when they are equal, or when the
/// device has a single motor), `01` only the first, `02` only the second. `running` is
/// `running_code` unless both motors are stopped, then `00`.
pub(crate) fn dual_vibrator_packet(
    single_motor: bool,
    running_code: u8,
    v0: u8,
    v1: u8,
) -> Vec<u8> {
    let select = if single_motor || (v0 > 0 && v1 > 0) || v0 == v1 {
        0x00
    } else if v0 > 0 {
        0x01
    } else {
        0x02
    };
    let running = if v0 == 0 && v1 == 0 {
        0x00
    } else {
        running_code
    };
    vec![HEADER, 0x03, select, 0x00, running, v0.max(v1)]
}

/// A Svakom protocol that drives the first two vibrators (features 0 and 1) with one
/// [`dual_vibrator_packet`]; any other command is left to a stateless [`PacketEncoder`].
#[derive(Debug)]
pub(crate) struct DualVibratorLayout {
    /// Protocol id.
    pub(crate) id: &'static str,
    /// Whether a device with a single vibrator always selects `00` (`v4`, `v6`, `barney`; `v5`
    /// selects by value whatever the motor count).
    pub(crate) single_motor_select: bool,
    /// The "running" byte of the packet.
    pub(crate) running_code: u8,
    /// Whether the packet ends with an extra `00` (7 bytes instead of 6).
    pub(crate) trailing_zero: bool,
    /// The packet for everything else (a third motor, oscillation ...).
    pub(crate) other: PacketEncoder,
}

/// The handler of a [`DualVibratorLayout`] protocol: keeps the two vibrator values.
#[derive(Debug)]
pub(crate) struct DualVibratorHandler {
    layout: &'static DualVibratorLayout,
    single_motor: bool,
    motors: FeatureValues,
}

impl DualVibratorHandler {
    /// A boxed handler for a device; the vibrator count comes from the definition.
    pub(crate) fn boxed(
        layout: &'static DualVibratorLayout,
        def: &DeviceDefinition,
    ) -> Box<dyn ProtocolHandler> {
        let vibrators = def.features_with_output(OutputType::Vibrate).len();
        Box::new(DualVibratorHandler {
            layout,
            single_motor: layout.single_motor_select && vibrators == 1,
            motors: FeatureValues::with_len(2),
        })
    }
}

impl DualVibratorHandler {
    /// Whether a command drives one of the two vibrators of the shared packet.
    fn is_dual(cmd: &OutputCommand) -> bool {
        cmd.output_type == OutputType::Vibrate && cmd.feature_index < 2
    }

    /// The shared packet of the two vibrators' current values.
    fn dual_packet(&self) -> HardwareCommand {
        let mut data = dual_vibrator_packet(
            self.single_motor,
            self.layout.running_code,
            byte(self.motors.get(0)),
            byte(self.motors.get(1)),
        );
        if self.layout.trailing_zero {
            data.push(0x00);
        }
        tx(data)
    }
}

impl ProtocolHandler for DualVibratorHandler {
    fn protocol_id(&self) -> &'static str {
        self.layout.id
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Both vibrators of a change go into one shared packet (written where the first of them
    /// comes in the change); every other output keeps its own packet.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            if !Self::is_dual(cmd) && (self.layout.other)(cmd).is_none() {
                return Err(DeviceError::unsupported_output(self.layout.id, cmd));
            }
        }
        for cmd in cmds.iter().filter(|c| Self::is_dual(c)) {
            self.motors.set_command(cmd)?;
        }
        let mut out = Vec::with_capacity(cmds.len());
        let mut dual_written = false;
        for cmd in cmds {
            if Self::is_dual(cmd) {
                if !dual_written {
                    out.push(self.dual_packet());
                    dual_written = true;
                }
            } else if let Some(data) = (self.layout.other)(cmd) {
                out.push(tx(data));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A write to `tx` without response (tests).
    pub(crate) fn tx(data: &[u8]) -> HardwareCommand {
        HardwareCommand::write(crate::Endpoint::Tx, data.to_vec())
    }

    /// A write to `tx` with response (tests).
    pub(crate) fn tx_wwr(data: &[u8]) -> HardwareCommand {
        HardwareCommand::write_with_response(crate::Endpoint::Tx, data.to_vec())
    }

    #[test]
    fn bytes_saturate_and_on_flags() {
        assert_eq!(byte(0), 0);
        assert_eq!(byte(255), 255);
        assert_eq!(byte(300), 255);
        assert_eq!(byte(-3), 0);
        assert_eq!(on(0), 0);
        assert_eq!(on(7), 1);
    }

    #[test]
    fn dual_vibrator_selects_running_motor() {
        assert_eq!(dual_vibrator_packet(false, 1, 0, 0), [0x55, 3, 0, 0, 0, 0]);
        assert_eq!(dual_vibrator_packet(false, 1, 4, 0), [0x55, 3, 1, 0, 1, 4]);
        assert_eq!(dual_vibrator_packet(false, 1, 0, 6), [0x55, 3, 2, 0, 1, 6]);
        assert_eq!(dual_vibrator_packet(false, 1, 3, 6), [0x55, 3, 0, 0, 1, 6]);
        assert_eq!(dual_vibrator_packet(false, 1, 5, 5), [0x55, 3, 0, 0, 1, 5]);
        assert_eq!(dual_vibrator_packet(true, 3, 4, 0), [0x55, 3, 0, 0, 3, 4]);
    }
}

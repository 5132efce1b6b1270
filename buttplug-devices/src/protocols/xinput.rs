//! XInput gamepads: one 4-byte packet with both rumble motors, the little-endian value of
//! feature 1 first, then feature 0. Battery (when a definition has it) is read from byte 0 of `rx`
//! as a level 0-3.

use super::layout_common::FeatureValues;
use super::packet_util::battery_only;
use crate::{
    DEFAULT_READ_TIMEOUT, DeviceError, Endpoint, FeatureDefinition, Hardware, HardwareCommand,
    OutputCommand, ProtocolHandler, SimpleProtocol,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};

/// Rumble motors in a packet.
const MOTORS: u32 = 2;

/// Handler state: both motors.
#[derive(Debug)]
struct XInput {
    motors: FeatureValues,
}

/// Battery percentage of an XInput battery level (0 empty ... 3 full).
fn battery_percent(level: u8) -> i32 {
    match level {
        0 => 0,
        1 => 33,
        2 => 66,
        _ => 100,
    }
}

#[async_trait]
impl ProtocolHandler for XInput {
    fn protocol_id(&self) -> &'static str {
        "xinput"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Both motors are in every packet: apply the whole change, then write it once.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            if cmd.output_type != OutputType::Vibrate || cmd.feature_index >= MOTORS {
                return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
            }
        }
        for cmd in cmds {
            self.motors.set(cmd.feature_index, cmd.value);
        }
        let mut data = Vec::with_capacity(4);
        data.extend((self.motors.get(1) as u16).to_le_bytes());
        data.extend((self.motors.get(0) as u16).to_le_bytes());
        Ok(vec![HardwareCommand::write(Endpoint::Tx, data)])
    }

    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        battery_only(self.protocol_id(), input_type, "read", feature)?;
        let data = hardware.read(Endpoint::Rx, 1, DEFAULT_READ_TIMEOUT).await?;
        data.first()
            .map(|level| battery_percent(*level))
            .ok_or_else(|| DeviceError::protocol("xinput", "empty battery reading"))
    }
}

/// The `xinput` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new("xinput", |_| {
    Box::new(XInput {
        motors: FeatureValues::with_len(MOTORS as usize),
    })
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs, with_battery};
    use futures::executor::block_on;

    fn def() -> crate::DeviceDefinition {
        definition(
            "xinput",
            &[
                &[(OutputType::Vibrate, [0, 65535])],
                &[(OutputType::Vibrate, [0, 65535])],
            ],
        )
    }

    #[test]
    fn both_motors_in_one_packet_and_stop() {
        let hw = SimulatedHardware::builder("XInput Gamepad 1", "xinput-1").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        let w = |d: &[u8]| vec![HardwareCommand::write(Endpoint::Tx, d.to_vec())];
        assert_eq!(out(h.as_mut(), v(0, 0x1234)), w(&[0x00, 0x00, 0x34, 0x12]));
        assert_eq!(out(h.as_mut(), v(1, 0xffff)), w(&[0xff, 0xff, 0x34, 0x12]));
        assert_eq!(out(h.as_mut(), v(0, 0)), w(&[0xff, 0xff, 0x00, 0x00]));
        assert!(h.handle_output(&v(2, 1)).is_err());
    }

    #[test]
    fn battery_levels() {
        let hw = SimulatedHardware::builder("XInput Gamepad 1", "xinput-1").build();
        let def = with_battery(def());
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let feature = &def.features[2];
        for (level, percent) in [(0u8, 0), (1, 33), (2, 66), (3, 100)] {
            hw.push_read(Endpoint::Rx, vec![level]);
            let got = block_on(h.read_input(&hw, feature, InputType::Battery)).ok();
            assert_eq!(got, Some(percent));
        }
    }

    #[test]
    fn a_change_of_both_motors_is_one_packet() {
        let hw = SimulatedHardware::builder("XInput Gamepad 1", "xinput-1").build();
        let mut h = handler_for(&PROTOCOL, &hw, &def());
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        let w = |d: &[u8]| vec![HardwareCommand::write(Endpoint::Tx, d.to_vec())];
        // Feature 1 (0x8000) first, then feature 0 (0x4000), little-endian.
        assert_eq!(
            outs(h.as_mut(), &[v(0, 0x4000), v(1, 0x8000)]),
            w(&[0x00, 0x80, 0x00, 0x40])
        );
        // A refused change changes neither motor.
        assert!(h.handle_outputs(&[v(0, 1), v(2, 1)]).is_err());
        assert_eq!(
            outs(h.as_mut(), &[v(0, 0), v(1, 0)]),
            w(&[0x00, 0x00, 0x00, 0x00])
        );
    }
}

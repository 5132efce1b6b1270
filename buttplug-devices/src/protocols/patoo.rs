//! Patoo: identified by the BLE name up to its first digit (`PTVEA`, `PBT`, ...). Every command
//! writes the speed to `tx` and a mode to `txmode`, both with response: mode `04` while motor 0
//! runs (speed = motor 0), `80` when only motor 1 runs (speed = motor 1), `00` when off.

use super::layout_common::FeatureValues;
use super::packet_util::{apply_change, byte, indexed_slot};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, Identification,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

/// Handler state: both motors.
#[derive(Debug)]
struct PatooHandler {
    motors: FeatureValues,
}

impl ProtocolHandler for PatooHandler {
    fn protocol_id(&self) -> &'static str {
        "patoo"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One speed and one mode write for the whole change: they depend on both motors.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        apply_change(
            &mut self.motors,
            cmds,
            |motors, cmd| {
                indexed_slot("patoo", &[OutputType::Vibrate], motors.all().len(), cmd)
                    .map_err(|_| DeviceError::unsupported_output("patoo", cmd))
            },
            |motors, slot, cmd| {
                motors.set(slot as u32, cmd.value);
            },
        )?;
        let (m0, m1) = (byte(self.motors.get(0)), byte(self.motors.get(1)));
        let (speed, mode) = if m0 != 0 {
            (m0, 0x04)
        } else if m1 != 0 {
            (m1, 0x80)
        } else {
            (0, 0x00)
        };
        Ok(vec![
            HardwareCommand::write_with_response(Endpoint::Tx, vec![speed]),
            HardwareCommand::write_with_response(Endpoint::TxMode, vec![mode]),
        ])
    }
}

/// The `patoo` protocol: identify by name prefix, no handshake.
#[derive(Debug)]
pub struct Patoo;

/// The `patoo` protocol.
pub static PROTOCOL: Patoo = Patoo;

#[async_trait]
impl Protocol for Patoo {
    fn id(&self) -> &'static str {
        "patoo"
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        let name = hardware.name();
        let end = name
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(name.len());
        Ok(Identification::identifier(&name[..end]))
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(PatooHandler {
            motors: FeatureValues::with_len(2),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use futures::executor::block_on;

    fn writes(speed: u8, mode: u8) -> Vec<HardwareCommand> {
        vec![
            HardwareCommand::write_with_response(Endpoint::Tx, vec![speed]),
            HardwareCommand::write_with_response(Endpoint::TxMode, vec![mode]),
        ]
    }

    #[test]
    fn identifier_is_name_up_to_first_digit() {
        for (name, id) in [("PTVEA2201", "PTVEA"), ("PBT01", "PBT"), ("PCS", "PCS")] {
            let hw = SimulatedHardware::builder(name, "aa").build();
            assert_eq!(
                block_on(PROTOCOL.identify(&hw)).ok(),
                Some(Identification::identifier(id))
            );
        }
    }

    #[test]
    fn a_change_of_both_motors_is_one_speed_and_mode() {
        let hw = SimulatedHardware::builder("PBT01", "aa")
            .endpoints([Endpoint::Tx, Endpoint::TxMode])
            .build();
        let def = definition(
            "patoo",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        // Motor 0 runs, so its speed with mode 04 (not first motor 1's 0x80 pair).
        assert_eq!(outs(h.as_mut(), &[v(1, 30), v(0, 50)]), writes(50, 0x04));
        assert!(h.handle_outputs(&[v(0, 0), v(2, 1)]).is_err());
        assert_eq!(out(h.as_mut(), v(1, 20)), writes(50, 0x04));
        assert_eq!(outs(h.as_mut(), &[v(0, 0), v(1, 0)]), writes(0, 0x00));
    }

    #[test]
    fn two_motors_modes_and_stop() {
        let hw = SimulatedHardware::builder("PBT01", "aa")
            .endpoints([Endpoint::Tx, Endpoint::TxMode])
            .build();
        let def = definition(
            "patoo",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        assert_eq!(out(h.as_mut(), v(1, 30)), writes(30, 0x80));
        assert_eq!(out(h.as_mut(), v(0, 60)), writes(60, 0x04));
        assert_eq!(out(h.as_mut(), v(0, 0)), writes(30, 0x80));
        assert_eq!(out(h.as_mut(), v(1, 0)), writes(0, 0x00));
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

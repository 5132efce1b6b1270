//! Vibratissimo: identified by the model string read from `rxblemodel`; every command writes
//! `[03 ff]` to `txmode`, then every vibrator's current value to `txvibrate` (a single vibrator
//! padded to two bytes). Battery through the standard BLE battery characteristic.

use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, Identification,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// How long the model read may take.
const MODEL_READ_TIMEOUT: Duration = Duration::from_millis(500);

/// Handler state: the feature index and value of every vibrator, in definition order.
#[derive(Debug)]
struct VibratissimoHandler {
    motors: Vec<(u32, u8)>,
}

impl ProtocolHandler for VibratissimoHandler {
    fn protocol_id(&self) -> &'static str {
        "vibratissimo"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Every vibrator is in the one `txvibrate` packet: apply the whole change, then write the
    /// mode and that packet once.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        let slot_of = |motors: &[(u32, u8)], cmd: &OutputCommand| {
            motors
                .iter()
                .position(|(index, _)| *index == cmd.feature_index)
                .filter(|_| cmd.output_type == OutputType::Vibrate)
                .ok_or_else(|| DeviceError::unsupported_output("vibratissimo", cmd))
        };
        for cmd in cmds {
            slot_of(&self.motors, cmd)?;
        }
        for cmd in cmds {
            let slot = slot_of(&self.motors, cmd)?;
            if let Some(motor) = self.motors.get_mut(slot) {
                motor.1 = cmd.value as u8;
            }
        }
        let mut data: Vec<u8> = self.motors.iter().map(|(_, v)| *v).collect();
        if data.len() == 1 {
            data.push(0x00);
        }
        Ok(vec![
            HardwareCommand::write(Endpoint::TxMode, vec![0x03, 0xff]),
            HardwareCommand::write(Endpoint::TxVibrate, data),
        ])
    }
}

/// The `vibratissimo` protocol: identify by model string, no handshake.
#[derive(Debug)]
pub struct Vibratissimo;

/// The `vibratissimo` protocol.
pub static PROTOCOL: Vibratissimo = Vibratissimo;

#[async_trait]
impl Protocol for Vibratissimo {
    fn id(&self) -> &'static str {
        "vibratissimo"
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        let data = hardware
            .read(Endpoint::RxBleModel, 128, MODEL_READ_TIMEOUT)
            .await?;
        let identifier = String::from_utf8(data).unwrap_or_else(|_| hardware.name().to_string());
        Ok(Identification::identifier(identifier))
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let motors = definition
            .features_with_output(OutputType::Vibrate)
            .into_iter()
            .map(|index| (index, 0))
            .collect();
        Ok(Box::new(VibratissimoHandler { motors }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs, with_battery};
    use futures::executor::block_on;

    fn hw() -> SimulatedHardware {
        SimulatedHardware::builder("Vibratissimo", "aa")
            .endpoints([
                Endpoint::TxMode,
                Endpoint::TxVibrate,
                Endpoint::Rx,
                Endpoint::RxBleModel,
                Endpoint::RxBleBattery,
            ])
            .build()
    }

    #[test]
    fn identify_reads_model() {
        let hw = hw();
        hw.push_read(Endpoint::RxBleModel, b"Rabbit".to_vec());
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("Rabbit"))
        );
        hw.push_read(Endpoint::RxBleModel, vec![0xff, 0xfe]);
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("Vibratissimo"))
        );
        assert!(hw.commands().is_empty());
    }

    #[test]
    fn single_motor_is_padded() {
        let hw = hw();
        let def = with_battery(definition(
            "vibratissimo",
            &[&[(OutputType::Vibrate, [0, 255])]],
        ));
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mode = HardwareCommand::write(Endpoint::TxMode, vec![0x03, 0xff]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 200)),
            vec![
                mode.clone(),
                HardwareCommand::write(Endpoint::TxVibrate, vec![200, 0])
            ]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![
                mode,
                HardwareCommand::write(Endpoint::TxVibrate, vec![0, 0])
            ]
        );
        hw.push_read(Endpoint::RxBleBattery, vec![77]);
        let battery =
            block_on(h.read_input(&hw, &def.features[1], buttplug_core::InputType::Battery)).ok();
        assert_eq!(battery, Some(77));
    }

    #[test]
    fn three_motors_in_one_packet() {
        let hw = hw();
        let def = with_battery(definition(
            "vibratissimo",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 2])],
            ],
        ));
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mode = HardwareCommand::write(Endpoint::TxMode, vec![0x03, 0xff]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 128)),
            vec![
                mode.clone(),
                HardwareCommand::write(Endpoint::TxVibrate, vec![0, 128, 0])
            ]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 2)),
            vec![
                mode,
                HardwareCommand::write(Endpoint::TxVibrate, vec![0, 128, 2])
            ]
        );
        assert!(
            h.handle_output(&OutputCommand::new(3, OutputType::Vibrate, 1))
                .is_err()
        );
    }

    #[test]
    fn a_change_of_every_motor_is_one_packet() {
        let hw = hw();
        let def = with_battery(definition(
            "vibratissimo",
            &[
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 255])],
                &[(OutputType::Vibrate, [0, 2])],
            ],
        ));
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mode = HardwareCommand::write(Endpoint::TxMode, vec![0x03, 0xff]);
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        assert_eq!(
            outs(h.as_mut(), &[v(0, 64), v(1, 128), v(2, 1)]),
            vec![
                mode.clone(),
                HardwareCommand::write(Endpoint::TxVibrate, vec![64, 128, 1])
            ]
        );
        // A refused change (the battery feature) changes no motor.
        assert!(h.handle_outputs(&[v(0, 9), v(3, 1)]).is_err());
        assert_eq!(
            outs(h.as_mut(), &[v(0, 0), v(1, 0), v(2, 0)]),
            vec![
                mode,
                HardwareCommand::write(Endpoint::TxVibrate, vec![0, 0, 0])
            ]
        );
    }
}

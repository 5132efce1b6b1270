//! Toys reached through the Lovense Connect app: the hardware manager turns each write into an
//! HTTP request, so commands are query strings (`Vibrate1?v=10&t=<toy id>`) on `tx`.
//!
//! The identifier is the toy name the app reports (`Hush`, `Solace`, ...), the hardware's name.
//! The app keeps the battery level; a read of `rx` returns it as one byte.

use super::packet_util::battery_only;
use crate::{
    DeviceDefinition, DeviceError, Endpoint, FeatureDefinition, Hardware, HardwareCommand,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};

const ID: &str = "lovense-connect-service";

/// The outputs the app can drive.
const SUPPORTED: &[OutputType] = &[
    OutputType::Vibrate,
    OutputType::Oscillate,
    OutputType::Constrict,
    OutputType::Rotate,
];

/// Timeout for the (local, app-cached) battery read.
const BATTERY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// The Lovense Connect protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct LovenseConnectServiceProtocol;

/// The registered instance.
pub static PROTOCOL: LovenseConnectServiceProtocol = LovenseConnectServiceProtocol;

#[async_trait]
impl Protocol for LovenseConnectServiceProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        let address = hardware.address().to_string();
        let count = |t: OutputType| {
            definition
                .features
                .iter()
                .filter(|f| f.output(t).is_some())
                .count()
        };
        let vibrators = count(OutputType::Vibrate);
        // Oscillators are driven with `Thrusting` only on toys that also vibrate (Gravity);
        // oscillate-only toys take the other command.
        let mut thrusting = vibrators != 0 && count(OutputType::Oscillate) != 0;
        if hardware.name() == "Solace" {
            // The Solace needs a stroke depth before it moves.
            let depth = format!("Depth?v=3&t={address}");
            hardware
                .write(Endpoint::Tx, depth.as_bytes(), false)
                .await?;
            thrusting = true;
        }
        Ok(Box::new(ConnectHandler {
            address,
            thrusting,
            clockwise: false,
        }))
    }
}

/// Per-toy state: its id in the app, whether oscillate means `Thrusting`, and the last rotation
/// direction sent (the app toggles direction with `RotateChange?`).
#[derive(Debug)]
struct ConnectHandler {
    address: String,
    thrusting: bool,
    clockwise: bool,
}

impl ConnectHandler {
    fn command(&self, text: &str) -> HardwareCommand {
        HardwareCommand::write(Endpoint::Tx, text.as_bytes().to_vec())
    }
}

#[async_trait]
impl ProtocolHandler for ConnectHandler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let v = cmd.value;
        let t = &self.address;
        match cmd.output_type {
            OutputType::Vibrate => {
                Ok(vec![self.command(&format!(
                    "Vibrate{}?v={v}&t={t}",
                    cmd.feature_index + 1
                ))])
            }
            OutputType::Oscillate if self.thrusting => {
                Ok(vec![self.command(&format!("Thrusting?v={v}&t={t}"))])
            }
            OutputType::Oscillate | OutputType::Constrict => {
                Ok(vec![self.command(&format!("AirAuto?v={v}&t={t}"))])
            }
            OutputType::Rotate => {
                let mut out = vec![self.command(&format!("/Rotate?v={v}&t={t}"))];
                // `RotateChange?` toggles the toy's direction. A stop (0) has no direction:
                // it leaves the toy's direction (and ours) alone, so a stop writes the same
                // whatever ran before. (Upstream counts 0 as counter-clockwise and toggles.)
                let clockwise = v > 0;
                if v != 0 && clockwise != self.clockwise {
                    self.clockwise = clockwise;
                    out.push(self.command("RotateChange?"));
                }
                Ok(out)
            }
            _ => Err(DeviceError::unsupported_output(ID, cmd)),
        }
    }

    /// One request per output, as the app takes them; every command is checked first, so a
    /// rejected change sends nothing and keeps the rotation direction.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        if let Some(bad) = cmds.iter().find(|c| !SUPPORTED.contains(&c.output_type)) {
            return Err(DeviceError::unsupported_output(ID, bad));
        }
        let mut out = Vec::with_capacity(cmds.len());
        for cmd in cmds {
            out.extend(self.handle_output(cmd)?);
        }
        Ok(out)
    }

    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        battery_only(ID, input_type, "read", feature)?;
        let data = hardware.read(Endpoint::Rx, 1, BATTERY_READ_TIMEOUT).await?;
        data.first()
            .map(|b| i32::from(*b))
            .ok_or_else(|| DeviceError::protocol(ID, "empty battery reading"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs, with_battery};
    use futures::executor::block_on;

    fn w(s: &str) -> HardwareCommand {
        HardwareCommand::write(Endpoint::Tx, s.as_bytes().to_vec())
    }

    const VIB: (OutputType, [i32; 2]) = (OutputType::Vibrate, [0, 20]);

    #[test]
    fn vibrate_and_battery() {
        let hw = SimulatedHardware::builder("Hush", "toy1").build();
        let def = with_battery(definition(ID, &[&[VIB]]));
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty());
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 10)),
            vec![w("Vibrate1?v=10&t=toy1")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w("Vibrate1?v=0&t=toy1")]
        );
        hw.set_read_value(Endpoint::Rx, vec![77]);
        let battery = def.feature(1).expect("battery");
        assert_eq!(
            block_on(h.read_input(&hw, battery, InputType::Battery)).expect("read"),
            77
        );
    }

    #[test]
    fn dual_vibrators_and_thrusting() {
        let hw = SimulatedHardware::builder("Gravity", "g").build();
        let def = definition(ID, &[&[VIB], &[(OutputType::Oscillate, [0, 20])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 3)),
            vec![w("Vibrate1?v=3&t=g")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 9)),
            vec![w("Thrusting?v=9&t=g")]
        );
        let mut edge = handler_for(&PROTOCOL, &hw, &definition(ID, &[&[VIB], &[VIB]]));
        assert_eq!(
            out(
                edge.as_mut(),
                OutputCommand::new(1, OutputType::Vibrate, 20)
            ),
            vec![w("Vibrate2?v=20&t=g")]
        );
    }

    #[test]
    fn a_change_of_two_outputs_is_one_request_each() {
        let hw = SimulatedHardware::builder("Nora", "n").build();
        let def = definition(ID, &[&[VIB], &[(OutputType::Rotate, [-20, 20])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            outs(
                h.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 10),
                    OutputCommand::new(1, OutputType::Rotate, 5)
                ]
            ),
            vec![
                w("Vibrate1?v=10&t=n"),
                w("/Rotate?v=5&t=n"),
                w("RotateChange?")
            ]
        );
        // Refused as a whole: the direction the app was told stays clockwise.
        assert!(
            h.handle_outputs(&[
                OutputCommand::new(1, OutputType::Rotate, 0),
                OutputCommand::new(0, OutputType::Spray, 1)
            ])
            .is_err()
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 3)),
            vec![w("/Rotate?v=3&t=n")]
        );
        // A stop leaves the direction alone: the same request whatever ran before.
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 0)),
            vec![w("/Rotate?v=0&t=n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -2)),
            vec![w("/Rotate?v=-2&t=n"), w("RotateChange?")]
        );
    }

    #[test]
    fn oscillate_only_and_air() {
        let hw = SimulatedHardware::builder("XMachine", "m").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[(OutputType::Oscillate, [0, 20])]]),
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 4)),
            vec![w("AirAuto?v=4&t=m")]
        );
        let mut max = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[VIB], &[(OutputType::Constrict, [0, 3])]]),
        );
        assert_eq!(
            out(
                max.as_mut(),
                OutputCommand::new(1, OutputType::Constrict, 2)
            ),
            vec![w("AirAuto?v=2&t=m")]
        );
    }

    #[test]
    fn solace_sets_depth_and_thrusts() {
        let hw = SimulatedHardware::builder("Solace", "s1").build();
        let mut h = handler_for(
            &PROTOCOL,
            &hw,
            &definition(ID, &[&[(OutputType::Oscillate, [0, 20])]]),
        );
        assert_eq!(hw.commands(), vec![w("Depth?v=3&t=s1")]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 12)),
            vec![w("Thrusting?v=12&t=s1")]
        );
    }

    #[test]
    fn rotation_direction_changes() {
        let hw = SimulatedHardware::builder("Nora", "n").build();
        let def = definition(ID, &[&[VIB], &[(OutputType::Rotate, [-20, 20])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 5)),
            vec![w("/Rotate?v=5&t=n"), w("RotateChange?")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 7)),
            vec![w("/Rotate?v=7&t=n")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -7)),
            vec![w("/Rotate?v=-7&t=n"), w("RotateChange?")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 0)),
            vec![w("/Rotate?v=0&t=n")]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Led, 1))
                .is_err()
        );
    }
}

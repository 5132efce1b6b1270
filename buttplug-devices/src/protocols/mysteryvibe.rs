//! `mysteryvibe` (MysteryVibe Crescendo, Tenuto, Poco) and the shared MysteryVibe handler.
//!
//! Initialize writes a 3-byte mode packet to `txmode` (with response): `[43 02 00]` here,
//! `[03 02 40]` for `mysteryvibe-v2`. Every command then writes the current value of every motor,
//! one byte each in feature order, to `txvibrate` (0-56). The motors stop unless they hear from
//! the host, so the last packet is repeated every 93 ms.

use super::packet_util::{apply_change, byte, indexed_slot};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, KeepaliveStrategy,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// How long the motors run without hearing from the host (measured upstream; repeat sooner).
pub(crate) const KEEPALIVE_INTERVAL: Duration = Duration::from_millis(93);

/// A MysteryVibe protocol: its id and the mode packet its initialize writes.
#[derive(Debug)]
pub struct MysteryVibe {
    id: &'static str,
    mode_packet: [u8; 3],
}

impl MysteryVibe {
    /// A MysteryVibe protocol with an id and the packet written to `txmode` at initialize.
    pub(crate) const fn new(id: &'static str, mode_packet: [u8; 3]) -> Self {
        MysteryVibe { id, mode_packet }
    }
}

/// The `mysteryvibe` protocol.
pub static PROTOCOL: MysteryVibe = MysteryVibe::new("mysteryvibe", [0x43, 0x02, 0x00]);

#[async_trait]
impl Protocol for MysteryVibe {
    fn id(&self) -> &'static str {
        self.id
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware
            .write(Endpoint::TxMode, &self.mode_packet, true)
            .await?;
        let motors = definition.output_feature_count();
        Ok(Box::new(Handler {
            protocol: self.id,
            speeds: vec![0; motors],
        }))
    }
}

#[derive(Debug)]
struct Handler {
    protocol: &'static str,
    /// Current value of every motor, by feature index.
    speeds: Vec<u8>,
}

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        self.protocol
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        KeepaliveStrategy::RepeatLastEvery(KEEPALIVE_INTERVAL)
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One packet with every motor, whatever the change touched.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        apply_change(
            &mut self.speeds,
            cmds,
            |speeds, cmd| indexed_slot(self.protocol, &[OutputType::Vibrate], speeds.len(), cmd),
            |speeds, slot, cmd| speeds[slot] = byte(cmd.value),
        )?;
        Ok(vec![HardwareCommand::write(
            Endpoint::TxVibrate,
            self.speeds.clone(),
        )])
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    /// A MysteryVibe device with `motors` vibrators (tests).
    pub(crate) fn motors(protocol: &str, motors: usize) -> DeviceDefinition {
        let feature: &[(OutputType, [i32; 2])] = &[(OutputType::Vibrate, [0, 56])];
        definition(protocol, &vec![feature; motors])
    }

    /// The simulated MysteryVibe hardware (tests).
    pub(crate) fn hardware(name: &str) -> SimulatedHardware {
        SimulatedHardware::builder(name, "a")
            .endpoints([Endpoint::TxMode, Endpoint::TxVibrate])
            .build()
    }

    #[test]
    fn initialize_sets_mode_with_response() {
        let hw = hardware("MV Crescendo");
        let h = handler_for(&PROTOCOL, &hw, &motors("mysteryvibe", 6));
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::write_with_response(
                Endpoint::TxMode,
                vec![0x43, 0x02, 0x00]
            )]
        );
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatLastEvery(Duration::from_millis(93))
        );
        assert_eq!(h.tick_interval(), None);
    }

    #[test]
    fn every_motor_in_every_packet() {
        let hw = hardware("MV Crescendo");
        let mut h = handler_for(&PROTOCOL, &hw, &motors("mysteryvibe", 6));
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let w = |d: [u8; 6]| vec![HardwareCommand::write(Endpoint::TxVibrate, d.to_vec())];
        assert_eq!(out(h.as_mut(), vib(0, 56)), w([56, 0, 0, 0, 0, 0]));
        assert_eq!(out(h.as_mut(), vib(5, 10)), w([56, 0, 0, 0, 0, 10]));
        assert_eq!(out(h.as_mut(), vib(2, 30)), w([56, 0, 30, 0, 0, 10]));
        assert_eq!(out(h.as_mut(), vib(0, 0)), w([0, 0, 30, 0, 0, 10]));
        assert_eq!(out(h.as_mut(), vib(2, 0)), w([0, 0, 0, 0, 0, 10]));
        assert_eq!(out(h.as_mut(), vib(5, 0)), w([0; 6]));
        assert!(matches!(
            h.handle_output(&vib(6, 1)),
            Err(DeviceError::NoFeature { index: 6 })
        ));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1)),
            Err(DeviceError::Unsupported {
                protocol: "mysteryvibe",
                ..
            })
        ));
    }

    #[test]
    fn a_change_of_several_motors_is_one_packet() {
        let hw = hardware("MV Crescendo");
        let mut h = handler_for(&PROTOCOL, &hw, &motors("mysteryvibe", 6));
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(
            outs(h.as_mut(), &[vib(1, 28), vib(4, 56)]),
            vec![HardwareCommand::write(
                Endpoint::TxVibrate,
                vec![0x00, 0x1c, 0x00, 0x00, 0x38, 0x00]
            )]
        );
        // A change with an output the protocol lacks writes nothing and changes nothing.
        assert!(
            h.handle_outputs(&[vib(0, 9), OutputCommand::new(1, OutputType::Rotate, 1)])
                .is_err()
        );
        assert!(h.handle_outputs(&[vib(0, 9), vib(6, 1)]).is_err());
        assert_eq!(
            out(h.as_mut(), vib(2, 3)),
            vec![HardwareCommand::write(
                Endpoint::TxVibrate,
                vec![0x00, 0x1c, 0x03, 0x00, 0x38, 0x00]
            )]
        );
        // The stop of every motor: one packet of zeros.
        let stop: Vec<OutputCommand> = (0..6).map(|f| vib(f, 0)).collect();
        assert_eq!(
            outs(h.as_mut(), &stop),
            vec![HardwareCommand::write(Endpoint::TxVibrate, vec![0; 6])]
        );
    }

    #[test]
    fn two_motor_poco() {
        let hw = hardware("MV Poco     ");
        let mut h = handler_for(&PROTOCOL, &hw, &motors("mysteryvibe", 2));
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), vib(1, 20)),
            vec![HardwareCommand::write(Endpoint::TxVibrate, vec![0, 20])]
        );
    }

    #[test]
    fn failed_mode_write_fails_initialize() {
        let hw = SimulatedHardware::builder("MV Crescendo", "a")
            .endpoints([Endpoint::TxVibrate])
            .build();
        let result =
            futures::executor::block_on(PROTOCOL.initialize(&hw, &motors("mysteryvibe", 6)));
        assert!(matches!(result, Err(DeviceError::Hardware(_))));
    }
}

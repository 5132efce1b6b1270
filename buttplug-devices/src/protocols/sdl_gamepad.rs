//! SDL gamepads: one 8-byte packet of four little-endian u16 rumble slots
//! `[low, high, left trigger, right trigger]` with the current value of each. The default layout
//! (and `sdl-rumble-and-triggers`) puts feature `n` in slot `n`; `sdl-triggers-only` devices put
//! their two features in the trigger slots.

use super::layout_common::FeatureValues;
use super::packet_util::apply_change;
use crate::{
    DeviceDefinition, DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler,
    SimpleProtocol,
};
use buttplug_core::OutputType;

/// Number of rumble slots in a packet.
const SLOTS: usize = 4;

/// Handler state: the slot of each feature and every slot's value.
#[derive(Debug)]
struct SdlGamepad {
    first_slot: u32,
    slots: FeatureValues,
}

impl SdlGamepad {
    fn new(def: &DeviceDefinition) -> Self {
        let first_slot = match def.protocol_variant.as_deref() {
            Some("sdl-triggers-only") => 2,
            _ => 0,
        };
        SdlGamepad {
            first_slot,
            slots: FeatureValues::with_len(SLOTS),
        }
    }
}

impl ProtocolHandler for SdlGamepad {
    fn protocol_id(&self) -> &'static str {
        "sdl-gamepad"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// One packet with every slot, whatever the change touched.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        let first_slot = self.first_slot;
        apply_change(
            &mut self.slots,
            cmds,
            |slots, cmd| {
                let slot = cmd.feature_index.saturating_add(first_slot);
                if cmd.output_type == OutputType::Vibrate && (slot as usize) < slots.all().len() {
                    Ok(slot)
                } else {
                    Err(DeviceError::unsupported_output("sdl-gamepad", cmd))
                }
            },
            |slots, slot, cmd| {
                slots.set(slot, cmd.value);
            },
        )?;
        let data: Vec<u8> = self
            .slots
            .all()
            .iter()
            .flat_map(|v| (*v as u16).to_le_bytes())
            .collect();
        Ok(vec![HardwareCommand::write(Endpoint::Tx, data)])
    }
}

/// The `sdl-gamepad` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("sdl-gamepad", |def| Box::new(SdlGamepad::new(def)));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs};

    fn w(d: &[u8]) -> Vec<HardwareCommand> {
        vec![HardwareCommand::write(Endpoint::Tx, d.to_vec())]
    }

    #[test]
    fn a_change_of_both_motors_is_one_packet() {
        let hw = SimulatedHardware::builder("Gamepad", "sdl-1").build();
        let motor: &[(OutputType, [i32; 2])] = &[(OutputType::Vibrate, [0, 65535])];
        let mut h = handler_for(&PROTOCOL, &hw, &definition("sdl-gamepad", &[motor, motor]));
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        assert_eq!(
            outs(h.as_mut(), &[v(0, 0x1234), v(1, 0xabcd)]),
            w(&[0x34, 0x12, 0xcd, 0xab, 0, 0, 0, 0])
        );
        // Slot 4 does not exist: the change is refused and nothing of it sticks.
        assert!(h.handle_outputs(&[v(0, 1), v(4, 1)]).is_err());
        assert_eq!(out(h.as_mut(), v(1, 0)), w(&[0x34, 0x12, 0, 0, 0, 0, 0, 0]));
    }

    #[test]
    fn rumble_and_triggers() {
        let hw = SimulatedHardware::builder("Xbox Controller", "sdl-1").build();
        let motor: &[(OutputType, [i32; 2])] = &[(OutputType::Vibrate, [0, 65535])];
        let mut def = definition("sdl-gamepad", &[motor, motor, motor, motor]);
        def.protocol_variant = Some("sdl-rumble-and-triggers".into());
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |i, x| OutputCommand::new(i, OutputType::Vibrate, x);
        assert_eq!(
            out(h.as_mut(), v(0, 0x8000)),
            w(&[0x00, 0x80, 0, 0, 0, 0, 0, 0])
        );
        assert_eq!(
            out(h.as_mut(), v(3, 0x0102)),
            w(&[0x00, 0x80, 0, 0, 0, 0, 0x02, 0x01])
        );
        assert_eq!(
            out(h.as_mut(), v(1, 0xffff)),
            w(&[0x00, 0x80, 0xff, 0xff, 0, 0, 0x02, 0x01])
        );
        assert_eq!(
            out(h.as_mut(), v(0, 0)),
            w(&[0, 0, 0xff, 0xff, 0, 0, 0x02, 0x01])
        );
        assert!(h.handle_output(&v(4, 1)).is_err());
    }

    #[test]
    fn default_and_triggers_only_layouts() {
        let hw = SimulatedHardware::builder("Gamepad", "sdl-1").build();
        let motor: &[(OutputType, [i32; 2])] = &[(OutputType::Vibrate, [0, 65535])];
        let def = definition("sdl-gamepad", &[motor, motor]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(1, OutputType::Vibrate, 0x00ff)
            ),
            w(&[0, 0, 0xff, 0x00, 0, 0, 0, 0])
        );
        let mut def = definition("sdl-gamepad", &[motor, motor]);
        def.protocol_variant = Some("sdl-triggers-only".into());
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::new(0, OutputType::Vibrate, 0x00ff)
            ),
            w(&[0, 0, 0, 0, 0xff, 0x00, 0, 0])
        );
        assert!(
            h.handle_output(&OutputCommand::new(2, OutputType::Vibrate, 1))
                .is_err()
        );
    }
}

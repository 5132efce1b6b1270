//! Youou (VX001 wand): 17-byte packets `[aa 55 id 02 03 01 speed on xor ff 00×7]`, `id` a
//! per-device packet counter from 0, `xor` over the first 8 bytes. Every device of the protocol
//! resolves to the configuration identifier `VX001_`.

use super::packet_util::tx;
use crate::{
    DeviceDefinition, DeviceError, Hardware, HardwareCommand, Identification, OutputCommand,
    Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;

/// Handler state: the next packet id.
#[derive(Debug, Default)]
struct YououHandler {
    packet_id: u8,
}

impl ProtocolHandler for YououHandler {
    fn protocol_id(&self) -> &'static str {
        "youou"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output(self.protocol_id(), cmd));
        }
        let speed = cmd.value as u8;
        let mut data = vec![
            0xaa,
            0x55,
            self.packet_id,
            0x02,
            0x03,
            0x01,
            speed,
            u8::from(speed != 0),
        ];
        self.packet_id = self.packet_id.wrapping_add(1);
        let xor = data.iter().fold(0u8, |acc, b| acc ^ b);
        data.extend([xor, 0xff, 0, 0, 0, 0, 0, 0, 0]);
        Ok(vec![tx(data)])
    }
}

/// The `youou` protocol: a fixed identifier, no handshake.
#[derive(Debug)]
pub struct Youou;

/// The `youou` protocol.
pub static PROTOCOL: Youou = Youou;

#[async_trait]
impl Protocol for Youou {
    fn id(&self) -> &'static str {
        "youou"
    }

    async fn identify(&self, _hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        Ok(Identification::identifier("VX001_"))
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(YououHandler::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};
    use futures::executor::block_on;

    #[test]
    fn identifier_is_fixed() {
        let hw = SimulatedHardware::builder("VX001_1234", "aa").build();
        assert_eq!(
            block_on(PROTOCOL.identify(&hw)).ok(),
            Some(Identification::identifier("VX001_"))
        );
        assert!(hw.commands().is_empty());
    }

    #[test]
    fn counter_xor_and_stop() {
        let hw = SimulatedHardware::builder("VX001_1234", "aa").build();
        let def = definition("youou", &[&[(OutputType::Vibrate, [0, 255])]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let v = |x| OutputCommand::new(0, OutputType::Vibrate, x);
        // aa ^ 55 ^ 00 ^ 02 ^ 03 ^ 01 ^ 80 ^ 01 = 0x7e
        assert_eq!(
            out(h.as_mut(), v(0x80)),
            vec![tx([
                0xaa, 0x55, 0x00, 0x02, 0x03, 0x01, 0x80, 0x01, 0x7e, 0xff, 0, 0, 0, 0, 0, 0, 0
            ])]
        );
        // aa ^ 55 ^ 01 ^ 02 ^ 03 ^ 01 ^ 00 ^ 00 = 0xfe
        assert_eq!(
            out(h.as_mut(), v(0)),
            vec![tx([
                0xaa, 0x55, 0x01, 0x02, 0x03, 0x01, 0x00, 0x00, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0
            ])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 1))
                .is_err()
        );
    }
}

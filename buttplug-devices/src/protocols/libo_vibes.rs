//! `libo-vibes` (Libo Lottie, LuLu, Lina, Adel, Lily, Lucy, Lara, Feather, LaLa, Carlos, Selina):
//! one byte per write. Feature 0 writes its value to `tx`, and a stop also writes `00` to `txmode`
//! (some devices only stop completely then); feature 1 (suction) writes its value to `txmode`.

use crate::{
    DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler, SimpleProtocol,
};
use buttplug_core::OutputType;

const ID: &str = "libo-vibes";

/// The `libo-vibes` protocol.
pub static PROTOCOL: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(Handler));

#[derive(Debug)]
struct Handler;

impl ProtocolHandler for Handler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    /// Feature 0 writes `tx`; `txmode` is written once per change, with the suction value when
    /// the change sets feature 1 (so a vibrator stop in the same change does not overwrite it
    /// with `00`), else with `00` when feature 0 stops.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        let mut vibrator = None;
        let mut suction = None;
        for cmd in cmds {
            if cmd.output_type != OutputType::Vibrate {
                return Err(DeviceError::unsupported_output(ID, cmd));
            }
            let value = u8::try_from(cmd.value.max(0)).unwrap_or(u8::MAX);
            match cmd.feature_index {
                0 => vibrator = Some(value),
                1 => suction = Some(value),
                index => return Err(DeviceError::NoFeature { index }),
            }
        }
        let mut writes = Vec::with_capacity(2);
        if let Some(value) = vibrator {
            writes.push(HardwareCommand::write(Endpoint::Tx, vec![value]));
        }
        match (suction, vibrator) {
            (Some(value), _) => writes.push(HardwareCommand::write(Endpoint::TxMode, vec![value])),
            (None, Some(0)) => writes.push(HardwareCommand::write(Endpoint::TxMode, vec![0x00])),
            _ => {}
        }
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, outs};
    use crate::{KeepaliveStrategy, SimulatedHardware};

    #[test]
    fn vibrator_suction_and_stop() {
        // Libo LaLa: vibrate [0, 100], suction as vibrate [0, 3].
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("BaiHu", "a")
            .endpoints([Endpoint::Tx, Endpoint::TxMode])
            .build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert_eq!(h.keepalive(), KeepaliveStrategy::RepeatLastWhenRequired);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let tx = |d: u8| HardwareCommand::write(Endpoint::Tx, vec![d]);
        let mode = |d: u8| HardwareCommand::write(Endpoint::TxMode, vec![d]);
        assert_eq!(out(h.as_mut(), vib(0, 100)), vec![tx(100)]);
        assert_eq!(out(h.as_mut(), vib(1, 2)), vec![mode(2)]);
        assert_eq!(out(h.as_mut(), vib(0, 0)), vec![tx(0), mode(0)]);
        assert_eq!(out(h.as_mut(), vib(1, 0)), vec![mode(0)]);
        assert!(matches!(
            h.handle_output(&vib(2, 1)),
            Err(DeviceError::NoFeature { index: 2 })
        ));
        assert!(matches!(
            h.handle_output(&OutputCommand::new(0, OutputType::Oscillate, 1)),
            Err(DeviceError::Unsupported { .. })
        ));
    }

    #[test]
    fn one_txmode_write_per_change() {
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 3])],
            ],
        );
        let hw = SimulatedHardware::builder("BaiHu", "a")
            .endpoints([Endpoint::Tx, Endpoint::TxMode])
            .build();
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let vib = |f, x| OutputCommand::new(f, OutputType::Vibrate, x);
        let tx = |d: u8| HardwareCommand::write(Endpoint::Tx, vec![d]);
        let mode = |d: u8| HardwareCommand::write(Endpoint::TxMode, vec![d]);
        assert_eq!(
            outs(h.as_mut(), &[vib(1, 2), vib(0, 40)]),
            vec![tx(40), mode(2)]
        );
        // The vibrator stops while the suction changes: the suction value is the last word.
        assert_eq!(
            outs(h.as_mut(), &[vib(1, 3), vib(0, 0)]),
            vec![tx(0), mode(3)]
        );
        // The stop of both: `00` on each endpoint once.
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0)]),
            vec![tx(0), mode(0)]
        );
        assert!(h.handle_outputs(&[vib(0, 1), vib(2, 1)]).is_err());
    }
}

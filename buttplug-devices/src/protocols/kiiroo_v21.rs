//! Kiiroo v2.1 devices (Pearl 2.1/3, Titan 1.1, Cliona, OhMiBod 4.0 ...): no handshake; vibrate
//! `[01 s]`, position `[03 00 speed pos]`, battery from the `whitelist` status block.

use super::kiiroo_common::KiirooV21Handler;
use crate::SimpleProtocol;

const ID: &str = "kiiroo-v21";

/// The registered instance.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new(ID, |_| Box::new(KiirooV21Handler::new(ID)));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::{definition, handler_for, out, with_battery};
    use crate::{Endpoint, HardwareCommand, OutputCommand, SimulatedHardware};
    use buttplug_core::{InputType, OutputType};
    use futures::executor::block_on;

    #[test]
    fn titan_vibrates_and_strokes() {
        let hw = SimulatedHardware::builder("Titan1.1", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::Whitelist])
            .build();
        let def = definition(
            ID,
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::HwPositionWithDuration, [0, 99])],
            ],
        );
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty(), "no handshake");
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 100)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![1, 100])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![HardwareCommand::write(Endpoint::Tx, vec![1, 0])]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(1, 50, 300)
            ),
            vec![HardwareCommand::write(Endpoint::Tx, vec![3, 0, 33, 50])]
        );
    }

    #[test]
    fn pearl_battery() {
        let hw = SimulatedHardware::builder("Pearl2.1", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::Whitelist])
            .build();
        let def = with_battery(definition(ID, &[&[(OutputType::Vibrate, [0, 100])]]));
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let mut block = vec![0u8; 20];
        block[5] = 91;
        hw.set_read_value(Endpoint::Whitelist, block);
        let battery = def.feature(1).expect("battery");
        assert_eq!(
            block_on(h.read_input(&hw, battery, InputType::Battery)).expect("read"),
            91
        );
    }
}

//! Kiiroo v3 (Keon WiFi, Keon 2): no handshake; same commands as Kiiroo v2.1.

use super::kiiroo_common::KiirooV21Handler;
use crate::SimpleProtocol;

const ID: &str = "kiiroo-v3";

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
    fn keon_positions_and_battery() {
        let hw = SimulatedHardware::builder("KEON2", "a")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::Whitelist])
            .build();
        let def = with_battery(definition(
            ID,
            &[&[(OutputType::HwPositionWithDuration, [0, 100])]],
        ));
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        assert!(hw.commands().is_empty());
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 100, 500)
            ),
            vec![HardwareCommand::write(Endpoint::Tx, vec![3, 0, 40, 100])]
        );
        let mut block = vec![0u8; 20];
        block[5] = 12;
        hw.set_read_value(Endpoint::Whitelist, block);
        let battery = def.feature(1).expect("battery");
        assert_eq!(
            block_on(h.read_input(&hw, battery, InputType::Battery)).expect("read"),
            12
        );
    }
}

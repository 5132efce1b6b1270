//! MaxPro: `[55 04 07 ff ff 3f s 5f s sum]` on `tx`, `sum` = sum of the first nine bytes mod 256
//! (0-100).

use super::packet_util::{byte, stateless, tx};
use crate::{HardwareCommand, OutputCommand, SimpleProtocol};
use buttplug_core::OutputType;

/// The `maxpro` protocol.
pub static PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("maxpro", |_| stateless("maxpro", encode));

fn encode(cmd: &OutputCommand) -> Option<Vec<HardwareCommand>> {
    (cmd.output_type == OutputType::Vibrate).then(|| {
        let s = byte(cmd.value);
        let mut data = vec![0x55, 0x04, 0x07, 0xff, 0xff, 0x3f, s, 0x5f, s];
        let sum = data.iter().fold(0u8, |acc, b| acc.wrapping_add(*b));
        data.push(sum);
        vec![tx(data)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::testing::out;

    #[test]
    fn vibrate_and_stop() {
        let mut h = stateless("maxpro", encode);
        // 55+04+07+ff+ff+3f+5f = 0x2fc -> fc; + 2*0x32 = 0x360 -> 60
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 50)),
            vec![tx([0x55, 0x04, 0x07, 0xff, 0xff, 0x3f, 50, 0x5f, 50, 0x60])]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx([0x55, 0x04, 0x07, 0xff, 0xff, 0x3f, 0, 0x5f, 0, 0xfc])]
        );
    }
}

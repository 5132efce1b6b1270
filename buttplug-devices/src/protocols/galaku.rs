//! Galaku. Frames are `23`, ten payload bytes and the byte sum of those eleven, then enciphered:
//! the first byte stays, every later byte `i` becomes `((K ^ 23 ^ b) + K) mod 256` with `K` taken
//! from a 4x12 key table at row `(previous enciphered byte & 3)`, column `i`.
//!
//! One output feature: `[5a 00 00 01 31 s 00 00 00 00]`; two: `[5a 00 00 01 40 03 s0 s1 00 00]`
//! with the current value of both (vibrate, oscillate and constrict alike; 0-100), on `tx`.
//! The device named `AC695X_1(BLE)` is a plain pump that takes the unenciphered 16 bytes
//! `[aa 01 0a 03 s on 00 x10]`. Battery: subscribe `rxblebattery`, write the enciphered
//! `[5a 00 00 01 13 00 00 00 00 00]` with response and take byte 0 of the notification.

use super::layout_common::feature_slot;
use super::packet_util::{battery_only, byte, tx};
use crate::{
    DEFAULT_READ_TIMEOUT, DeviceDefinition, DeviceError, Endpoint, FeatureDefinition, Hardware,
    HardwareCommand, HardwareEvent, InputReading, OutputCommand, Protocol, ProtocolHandler,
    with_timeout,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};
use futures::StreamExt;

/// The cipher's key table (facts from the device firmware protocol).
const KEY_TABLE: [[u8; 12]; 4] = [
    [0, 24, 152, 247, 165, 61, 13, 41, 37, 80, 68, 70],
    [0, 69, 110, 106, 111, 120, 32, 83, 45, 49, 46, 55],
    [0, 101, 120, 32, 84, 111, 121, 115, 10, 142, 157, 163],
    [0, 197, 214, 231, 248, 10, 50, 32, 111, 98, 13, 10],
];

/// First byte of every frame.
const FRAME_START: u8 = 0x23;

/// The BLE name of the plain pump variant.
const PUMP_NAME: &str = "AC695X_1(BLE)";

/// Encipher a plaintext frame (its first byte is the frame start and stays as it is).
pub(super) fn encipher(plain: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(plain.len());
    for (i, &b) in plain.iter().enumerate() {
        let enciphered = match (i, out.last()) {
            (0, _) | (_, None) => b,
            (_, Some(&prev)) => {
                let k = KEY_TABLE[usize::from(prev & 3)][i % 12];
                (k ^ plain[0] ^ b).wrapping_add(k)
            }
        };
        out.push(enciphered);
    }
    out
}

/// `23`, the payload, and the byte sum of both, enciphered.
pub(super) fn frame(payload: &[u8]) -> Vec<u8> {
    let mut plain = Vec::with_capacity(payload.len() + 2);
    plain.push(FRAME_START);
    plain.extend_from_slice(payload);
    let sum = plain.iter().fold(0u8, |acc, b| acc.wrapping_add(*b));
    plain.push(sum);
    encipher(&plain)
}

/// The enciphered battery request.
fn battery_request() -> Vec<u8> {
    frame(&[0x5a, 0x00, 0x00, 0x01, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00])
}

/// The `galaku` protocol.
pub static PROTOCOL: GalakuProtocol = GalakuProtocol;

/// The `galaku` protocol (the handler depends on the device name and the feature layout).
#[derive(Debug)]
pub struct GalakuProtocol;

#[async_trait]
impl Protocol for GalakuProtocol {
    fn id(&self) -> &'static str {
        "galaku"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(Galaku::new(
            definition,
            hardware.name() == PUMP_NAME,
        )))
    }
}

/// Galaku handler state.
#[derive(Debug)]
struct Galaku {
    /// The plain pump variant.
    pump: bool,
    /// Current value per output feature (indexed by feature index).
    speeds: Vec<u8>,
    /// Index of the battery feature, for notifications.
    battery_feature: Option<u32>,
}

impl Galaku {
    /// The current value of output feature `index` (0 when there is none).
    fn speed(&self, index: usize) -> u8 {
        self.speeds.get(index).copied().unwrap_or(0)
    }

    /// The packet of a single-output device (plain for the pump variant).
    fn single_packet(&self, cmd: &OutputCommand) -> HardwareCommand {
        let s = byte(cmd.value);
        if self.pump {
            let mut data = vec![0xaa, 0x01, 0x0a, 0x03, s, u8::from(s != 0)];
            data.extend([0x00; 10]);
            tx(data)
        } else {
            tx(frame(&[
                0x5a, 0x00, 0x00, 0x01, 0x31, s, 0x00, 0x00, 0x00, 0x00,
            ]))
        }
    }

    fn new(definition: &DeviceDefinition, pump: bool) -> Self {
        Galaku {
            pump,
            speeds: vec![0; definition.output_feature_count()],
            battery_feature: definition
                .features
                .iter()
                .find(|f| f.input(InputType::Battery).is_some())
                .map(|f| f.index),
        }
    }
}

#[async_trait]
impl ProtocolHandler for Galaku {
    fn protocol_id(&self) -> &'static str {
        "galaku"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        for cmd in cmds {
            if !matches!(
                cmd.output_type,
                OutputType::Vibrate | OutputType::Oscillate | OutputType::Constrict
            ) {
                return Err(DeviceError::unsupported_output("galaku", cmd));
            }
        }
        if self.speeds.len() <= 1 {
            // One output: its own packet per command.
            return Ok(cmds.iter().map(|cmd| self.single_packet(cmd)).collect());
        }
        // Two outputs share one frame: apply the whole change to a copy first.
        let mut speeds = [self.speed(0), self.speed(1)];
        for cmd in cmds {
            *feature_slot(&mut speeds, cmd)? = byte(cmd.value);
        }
        self.speeds[..2].copy_from_slice(&speeds);
        let [s0, s1] = speeds;
        Ok(vec![tx(frame(&[
            0x5a, 0x00, 0x00, 0x01, 0x40, 0x03, s0, s1, 0x00, 0x00,
        ]))])
    }

    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        battery_only("galaku", input_type, "read", feature)?;
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::RxBleBattery).await?;
        hardware
            .write(Endpoint::Tx, &battery_request(), true)
            .await?;
        let wait = async {
            while let Some(event) = events.next().await {
                match event {
                    HardwareEvent::Notification {
                        endpoint: Endpoint::RxBleBattery,
                        data,
                    } => return data.first().map(|b| i32::from(*b)),
                    HardwareEvent::Notification { .. } => {}
                    HardwareEvent::Disconnected => return None,
                }
            }
            None
        };
        with_timeout(DEFAULT_READ_TIMEOUT, wait)
            .await?
            .ok_or_else(|| DeviceError::protocol("galaku", "no battery reading"))
    }

    fn subscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        battery_only("galaku", input_type, "subscribe", feature)?;
        Ok(vec![HardwareCommand::subscribe(Endpoint::RxBleBattery)])
    }

    fn unsubscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        battery_only("galaku", input_type, "unsubscribe", feature)?;
        Ok(vec![HardwareCommand::unsubscribe(Endpoint::RxBleBattery)])
    }

    fn parse_notification(&mut self, endpoint: Endpoint, data: &[u8]) -> Vec<InputReading> {
        match (endpoint, self.battery_feature, data.first()) {
            (Endpoint::RxBleBattery, Some(feature_index), Some(b)) => vec![InputReading {
                feature_index,
                input_type: InputType::Battery,
                value: i32::from(*b),
            }],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::packet_util::tx_wwr;
    use crate::protocols::testing::{definition, handler_for, out, outs, with_battery};

    /// Independent reference: decipher with the same table, to check round trips.
    fn decipher(data: &[u8]) -> Vec<u8> {
        let mut out = vec![data[0]];
        for i in 1..data.len() {
            let k = KEY_TABLE[usize::from(data[i - 1] & 3)][i];
            out.push(data[i].wrapping_sub(k) ^ data[0] ^ k);
        }
        out
    }

    fn hw(name: &str) -> SimulatedHardware {
        SimulatedHardware::builder(name, "a")
            .endpoints([Endpoint::Tx, Endpoint::RxBleBattery])
            .build()
    }

    #[test]
    fn single_output_frame_bytes() {
        let h_hw = hw("GX85");
        let def = with_battery(definition("galaku", &[&[(OutputType::Vibrate, [0, 100])]]));
        let mut h = handler_for(&PROTOCOL, &h_hw, &def);
        let expected = vec![
            0x23, 0x81, 0xbb, 0xab, 0xd2, 0xec, 0x29, 0xc3, 0xbb, 0xa3, 0x3b, 0xd2,
        ];
        let got = out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 50));
        assert_eq!(got, vec![tx(expected.clone())]);
        assert_eq!(
            decipher(&expected),
            vec![
                0x23, 0x5a, 0x00, 0x00, 0x01, 0x31, 50, 0x00, 0x00, 0x00, 0x00, 0xe1
            ]
        );
        let stop = out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0));
        let HardwareCommand::Write { data, .. } = &stop[0] else {
            panic!("expected a write");
        };
        assert_eq!(
            decipher(data),
            vec![0x23, 0x5a, 0, 0, 0x01, 0x31, 0, 0, 0, 0, 0, 0xaf]
        );
    }

    #[test]
    fn two_outputs_share_one_frame() {
        let h_hw = hw("G317");
        let def = with_battery(definition(
            "galaku",
            &[
                &[(OutputType::Oscillate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        ));
        let mut h = handler_for(&PROTOCOL, &h_hw, &def);
        let first = out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 30));
        let second = out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 70));
        let plain = |cmds: &[HardwareCommand]| match &cmds[0] {
            HardwareCommand::Write { data, .. } => decipher(data),
            _ => panic!("expected a write"),
        };
        assert_eq!(
            plain(&first),
            vec![0x23, 0x5a, 0, 0, 0x01, 0x40, 0x03, 0, 30, 0, 0, 0xdf]
        );
        assert_eq!(
            plain(&second),
            vec![0x23, 0x5a, 0, 0, 0x01, 0x40, 0x03, 70, 30, 0, 0, 0x25]
        );
        assert_eq!(
            second,
            vec![tx(vec![
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x7b, 0x44, 0x75, 0x3d, 0x43, 0x3b, 0x16
            ])]
        );
        assert!(
            h.handle_output(&OutputCommand::new(1, OutputType::Rotate, 1))
                .is_err()
        );
    }

    #[test]
    fn one_frame_for_a_change_of_both_outputs() {
        let h_hw = hw("G302");
        let def = with_battery(definition(
            "galaku",
            &[
                &[(OutputType::Vibrate, [0, 100])],
                &[(OutputType::Vibrate, [0, 100])],
            ],
        ));
        let mut h = handler_for(&PROTOCOL, &h_hw, &def);
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        // Plain [23 5a 00 00 01 40 03 32 4b 00 00 3e], enciphered with the key table.
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 50), vib(1, 75)]),
            vec![tx(vec![
                0x23, 0x81, 0xbb, 0xab, 0xd2, 0x7b, 0x44, 0x61, 0x72, 0x3b, 0x3b, 0x21
            ])]
        );
        assert!(
            h.handle_outputs(&[vib(0, 1), OutputCommand::new(1, OutputType::Rotate, 1)])
                .is_err()
        );
        let plain = |cmds: &[HardwareCommand]| match cmds {
            [HardwareCommand::Write { data, .. }] => decipher(data),
            _ => panic!("expected one write"),
        };
        assert_eq!(
            plain(&outs(h.as_mut(), &[vib(1, 0)])),
            vec![0x23, 0x5a, 0, 0, 0x01, 0x40, 0x03, 50, 0, 0, 0, 0xf3]
        );
        assert_eq!(
            plain(&outs(h.as_mut(), &[vib(0, 0), vib(1, 0)])),
            vec![0x23, 0x5a, 0, 0, 0x01, 0x40, 0x03, 0, 0, 0, 0, 0xc1]
        );
    }

    #[test]
    fn pump_variant_is_plain() {
        let h_hw = hw(PUMP_NAME);
        let def = with_battery(definition("galaku", &[&[(OutputType::Vibrate, [0, 100])]]));
        let mut h = handler_for(&PROTOCOL, &h_hw, &def);
        let mut on = vec![0xaa, 0x01, 0x0a, 0x03, 40, 0x01];
        on.extend([0; 10]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 40)),
            vec![tx(on)]
        );
        let mut off = vec![0xaa, 0x01, 0x0a, 0x03, 0, 0];
        off.extend([0; 10]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![tx(off)]
        );
    }

    #[test]
    fn battery_read_round_trip() {
        let h_hw = hw("GX85");
        h_hw.add_reply(
            Endpoint::Tx,
            battery_request(),
            Endpoint::RxBleBattery,
            [77],
        );
        let def = with_battery(definition("galaku", &[&[(OutputType::Vibrate, [0, 100])]]));
        let mut h = handler_for(&PROTOCOL, &h_hw, &def);
        let feature = def.features[1].clone();
        let level = futures::executor::block_on(h.read_input(&h_hw, &feature, InputType::Battery));
        assert_eq!(level.ok(), Some(77));
        assert_eq!(
            h_hw.commands(),
            vec![
                HardwareCommand::subscribe(Endpoint::RxBleBattery),
                tx_wwr(battery_request()),
            ]
        );
        assert_eq!(
            decipher(&battery_request()),
            vec![0x23, 0x5a, 0, 0, 0x01, 0x13, 0, 0, 0, 0, 0, 0x91]
        );
        assert_eq!(
            h.subscribe_input(&feature, InputType::Battery).ok(),
            Some(vec![HardwareCommand::subscribe(Endpoint::RxBleBattery)])
        );
        assert_eq!(
            h.parse_notification(Endpoint::RxBleBattery, &[55]),
            vec![InputReading {
                feature_index: 1,
                input_type: InputType::Battery,
                value: 55
            }]
        );
    }
}

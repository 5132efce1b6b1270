//! Lovense BLE toys: ASCII commands (`Vibrate:10;`) on `tx`, answers on `rx`.
//!
//! Identify asks the toy for its model letter with `DeviceType;` (answer `Z:11:0082059AD3BD;`);
//! the handler shape then follows the features the database gives that model: one output, Max
//! (vibrate + air pump), rotating vibrator, `Mply` multi-motor packets, dual `VibrateN:` commands,
//! or the Solace strokers with their own 100 ms position loop.

use super::packet_util::{apply_change, battery_only};
use crate::{
    DeviceDefinition, DeviceError, Endpoint, FeatureDefinition, Hardware, HardwareCommand,
    HardwareEvent, Identification, KeepaliveStrategy, OutputCommand, Protocol, ProtocolHandler,
    with_timeout,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};
use futures::StreamExt;
use std::time::Duration;

const ID: &str = "lovense";

/// How long to wait for an answer to `DeviceType;` or `Battery;`.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);

/// How often `DeviceType;` is sent again when the toy does not answer.
const IDENTIFY_RETRIES: u32 = 5;

/// Period of the stroker position loop.
const STROKER_TICK: Duration = Duration::from_millis(100);

/// The Lovense protocol (unit struct registered in the protocol registry).
#[derive(Debug, Clone, Copy, Default)]
pub struct LovenseProtocol;

/// The registered instance.
pub static PROTOCOL: LovenseProtocol = LovenseProtocol;

/// The identifier from a `DeviceType;` answer (`<type>:<fw>:<mac>;`): the type letter(s), with
/// Flexers (`EI`) on firmware 3 or newer reported as `EI-FW3`. `None` when the answer has fewer
/// than two fields.
fn identifier_from_device_type(answer: &str) -> Option<String> {
    let mut parts = answer.split(':');
    let model = parts.next()?;
    let firmware = parts.next()?;
    let version: i32 = firmware.trim_end_matches(';').parse().unwrap_or(0);
    if model == "EI" && version >= 3 {
        Some("EI-FW3".to_string())
    } else {
        Some(model.to_string())
    }
}

/// The model letters from a BLE name such as `LVS-Z36D` (first `LVS-` followed by capital
/// letters and at least one digit).
fn identifier_from_name(name: &str) -> Option<String> {
    let mut rest = name;
    while let Some(pos) = rest.find("LVS-") {
        let after = &rest[pos + 4..];
        let letters: String = after
            .chars()
            .take_while(|c| c.is_ascii_uppercase())
            .collect();
        let next = after[letters.len()..].chars().next();
        if !letters.is_empty() && next.is_some_and(|c| c.is_ascii_digit()) {
            return Some(letters);
        }
        rest = after;
    }
    None
}

impl LovenseProtocol {
    async fn identify_with(
        &self,
        hardware: &dyn Hardware,
        timeout: Duration,
        retries: u32,
    ) -> Result<Identification, DeviceError> {
        let mut events = hardware.event_stream();
        hardware.subscribe(Endpoint::Rx).await?;
        for _ in 0..=retries {
            hardware.write(Endpoint::Tx, b"DeviceType;", false).await?;
            let answer = with_timeout(timeout, async {
                loop {
                    match events.next().await {
                        Some(HardwareEvent::Notification {
                            endpoint: Endpoint::Rx,
                            data,
                        }) => return Some(data),
                        Some(HardwareEvent::Notification { .. }) => continue,
                        Some(HardwareEvent::Disconnected) | None => return None,
                    }
                }
            })
            .await;
            match answer {
                Ok(Some(data)) => {
                    let text = std::str::from_utf8(&data)
                        .map_err(|_| DeviceError::protocol(ID, "DeviceType answer is not UTF-8"))?;
                    return Ok(Identification {
                        identifier: identifier_from_device_type(text),
                        reroute_protocol: None,
                    });
                }
                Ok(None) => {
                    return Err(DeviceError::protocol(
                        ID,
                        "device disconnected while asking for DeviceType",
                    ));
                }
                Err(_) => {
                    tracing::debug!("lovense: no DeviceType answer, asking again");
                }
            }
        }
        tracing::warn!("lovense: DeviceType not answered, identifying by BLE name");
        Ok(Identification {
            identifier: identifier_from_name(hardware.name()),
            reroute_protocol: None,
        })
    }
}

#[async_trait]
impl Protocol for LovenseProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        self.identify_with(hardware, COMMAND_TIMEOUT, IDENTIFY_RETRIES)
            .await
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok(Box::new(LovenseHandler::new(definition)))
    }
}

/// The command family a Lovense model understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One output: `Vibrate:N;` for vibrate and oscillate.
    Single,
    /// Max: `Vibrate:N;` and `Air:Level:N;`.
    Max,
    /// Nora / Ridge: `Vibrate:N;` and `Rotate:N;` (preceded by `RotateChange;` when negative).
    RotateVibrator,
    /// Flexer FW3 / Lapis: one `Mply:a:b:c;` packet with every current value.
    Multi,
    /// Two independent outputs: `Vibrate1:N;`, `Vibrate2:N;`.
    Dual,
    /// Solace (`H`, zeroes the range on stop) and Solace Pro (`BA`).
    Stroker {
        /// `H`: a stop is `Mply:0:0;` rather than `Mply:0:20;`.
        zero_range_on_stop: bool,
    },
}

/// State of the stroker position loop.
#[derive(Debug, Clone, Copy, Default)]
struct StrokerMotion {
    goal: i32,
    duration_ms: u32,
    current: i32,
    last_goal: i32,
    step: i32,
}

/// The per-device Lovense handler.
#[derive(Debug)]
struct LovenseHandler {
    shape: Shape,
    /// Feature indexes that have outputs, in order (the `Mply` slots).
    slots: Vec<u32>,
    /// Current value per slot (`Mply`).
    values: Vec<i32>,
    motion: StrokerMotion,
}

fn has(feature: &FeatureDefinition, t: OutputType) -> bool {
    feature.output(t).is_some()
}

impl LovenseHandler {
    fn new(def: &DeviceDefinition) -> Self {
        let outputs: Vec<&FeatureDefinition> = def
            .features
            .iter()
            .filter(|f| !f.outputs.is_empty())
            .collect();
        let count =
            |pred: &dyn Fn(&FeatureDefinition) -> bool| outputs.iter().filter(|f| pred(f)).count();
        let output_count = outputs.len();
        let vibrators = count(&|f| has(f, OutputType::Vibrate) || has(f, OutputType::Oscillate));
        let vibrate_only = count(&|f| has(f, OutputType::Vibrate));
        let rotators = count(&|f| has(f, OutputType::Rotate));
        let constrictors = count(&|f| has(f, OutputType::Constrict));
        let device_type = def.identifier.as_deref().unwrap_or("");
        let shape = if device_type == "BA" || device_type == "H" {
            Shape::Stroker {
                zero_range_on_stop: device_type == "H",
            }
        } else if output_count == 1 {
            Shape::Single
        } else if output_count == 2 && vibrate_only == 1 && constrictors == 1 {
            Shape::Max
        } else if output_count == 2 && vibrate_only == 1 && rotators == 1 {
            Shape::RotateVibrator
        } else if (vibrators == 2 && output_count > 2) || vibrators > 2 {
            Shape::Multi
        } else {
            Shape::Dual
        };
        let slots: Vec<u32> = outputs.iter().map(|f| f.index).collect();
        LovenseHandler {
            shape,
            values: vec![0; slots.len()],
            slots,
            motion: StrokerMotion::default(),
        }
    }

    fn unsupported(cmd: &OutputCommand) -> DeviceError {
        DeviceError::unsupported_output(ID, cmd)
    }

    fn slot(&self, cmd: &OutputCommand) -> Result<usize, DeviceError> {
        self.slots
            .iter()
            .position(|i| *i == cmd.feature_index)
            .ok_or(DeviceError::NoFeature {
                index: cmd.feature_index,
            })
    }

    /// The slot of a command this toy can do, or why not (changes nothing).
    fn check(&self, cmd: &OutputCommand) -> Result<usize, DeviceError> {
        let slot = self.slot(cmd)?;
        let supported = match self.shape {
            Shape::Stroker { .. } => matches!(
                cmd.output_type,
                OutputType::Oscillate | OutputType::HwPositionWithDuration
            ),
            Shape::Single | Shape::Dual => {
                matches!(cmd.output_type, OutputType::Vibrate | OutputType::Oscillate)
            }
            Shape::Max => matches!(
                cmd.output_type,
                OutputType::Vibrate | OutputType::Oscillate | OutputType::Constrict
            ),
            Shape::RotateVibrator => matches!(
                cmd.output_type,
                OutputType::Vibrate | OutputType::Oscillate | OutputType::Rotate
            ),
            Shape::Multi => matches!(
                cmd.output_type,
                OutputType::Vibrate | OutputType::Oscillate | OutputType::Rotate
            ),
        };
        if supported {
            Ok(slot)
        } else {
            Err(Self::unsupported(cmd))
        }
    }

    fn stroker_output(
        &mut self,
        cmd: &OutputCommand,
        zero_range_on_stop: bool,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        match cmd.output_type {
            OutputType::Oscillate => {
                if cmd.value == 0 {
                    // Stop the position loop where it is.
                    self.motion.duration_ms = 0;
                    self.motion.goal = self.motion.current;
                }
                let range = if cmd.value == 0 && zero_range_on_stop {
                    0
                } else {
                    20
                };
                Ok(vec![text(&format!("Mply:{}:{range};", cmd.value))])
            }
            OutputType::HwPositionWithDuration => {
                self.motion.goal = cmd.value;
                self.motion.duration_ms = cmd.duration_ms;
                Ok(Vec::new())
            }
            _ => Err(Self::unsupported(cmd)),
        }
    }

    fn mply_packet(&self) -> HardwareCommand {
        let joined: Vec<String> = self.values.iter().map(i32::to_string).collect();
        text(&format!("Mply:{};", joined.join(":")))
    }
}

fn text(command: &str) -> HardwareCommand {
    HardwareCommand::write(Endpoint::Tx, command.as_bytes().to_vec())
}

/// `prefix`, the decimal `value`, `;` as one write (the hot path of every Lovense output:
/// built in place, without the formatting machinery).
fn text_value(prefix: &str, value: impl Into<i64>) -> HardwareCommand {
    let value: i64 = value.into();
    let mut data = Vec::with_capacity(prefix.len() + 12);
    data.extend_from_slice(prefix.as_bytes());
    if value < 0 {
        data.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut n = value.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        // `n % 10` is below 10, so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (n % 10) as u8;
        digits[at] = b'0' + digit;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    data.extend_from_slice(&digits[at..]);
    data.push(b';');
    HardwareCommand::write(Endpoint::Tx, data)
}

/// Parse a battery answer: `85;` or, while vibrating, `s85;`.
fn parse_battery(answer: &[u8]) -> Option<i32> {
    let s = std::str::from_utf8(answer).ok()?;
    let s = s.strip_suffix(';')?;
    let s = s.strip_prefix('s').unwrap_or(s);
    s.parse::<u8>().ok().map(i32::from)
}

#[async_trait]
impl ProtocolHandler for LovenseHandler {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn keepalive(&self) -> KeepaliveStrategy {
        KeepaliveStrategy::RepeatPacketWhenRequired(text("DeviceType;"))
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.check(cmd)?;
        let v = cmd.value;
        match (self.shape, cmd.output_type) {
            (Shape::Stroker { zero_range_on_stop }, _) => {
                self.stroker_output(cmd, zero_range_on_stop)
            }
            (
                Shape::Single | Shape::Max | Shape::RotateVibrator,
                OutputType::Vibrate | OutputType::Oscillate,
            ) => Ok(vec![text_value("Vibrate:", v)]),
            (Shape::Max, OutputType::Constrict) => Ok(vec![text_value("Air:Level:", v)]),
            (Shape::RotateVibrator, OutputType::Rotate) => {
                let mut out = Vec::with_capacity(2);
                if v < 0 {
                    out.push(text("RotateChange;"));
                }
                out.push(text_value("Rotate:", v.unsigned_abs()));
                Ok(out)
            }
            (Shape::Multi, _) => self.handle_outputs(std::slice::from_ref(cmd)),
            (Shape::Dual, OutputType::Vibrate | OutputType::Oscillate) => Ok(vec![text(&format!(
                "Vibrate{}:{v};",
                cmd.feature_index + 1
            ))]),
            _ => Err(Self::unsupported(cmd)),
        }
    }

    /// Per output one packet, except `Mply` toys: one `Mply:a:b:c;` with the whole change.
    /// Either way every command is checked first, so a rejected change writes nothing and
    /// changes no state.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        if let ([cmd], false) = (cmds, self.shape == Shape::Multi) {
            // The hot path: one output, one packet.
            return self.handle_output(cmd);
        }
        if self.shape == Shape::Multi {
            apply_change(
                self,
                cmds,
                |h, cmd| h.check(cmd),
                |h, slot, cmd| {
                    if let Some(value) = h.values.get_mut(slot) {
                        *value = cmd.value.abs();
                    }
                },
            )?;
            return Ok(vec![self.mply_packet()]);
        }
        for cmd in cmds {
            self.check(cmd)?;
        }
        let mut out = Vec::with_capacity(cmds.len());
        for cmd in cmds {
            out.extend(self.handle_output(cmd)?);
        }
        Ok(out)
    }

    fn tick_interval(&self) -> Option<Duration> {
        match self.shape {
            Shape::Stroker { .. } => Some(STROKER_TICK),
            _ => None,
        }
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        if !matches!(self.shape, Shape::Stroker { .. }) {
            return Vec::new();
        }
        let m = &mut self.motion;
        if m.goal != m.last_goal {
            m.last_goal = m.goal;
            // One step per tick, spread over the requested duration (at least one step).
            let ticks = i32::try_from((m.duration_ms / 100).max(1)).unwrap_or(i32::MAX);
            let distance = m.goal - m.current;
            m.step = distance / ticks;
            if m.step == 0 {
                m.step = distance.signum();
            }
        }
        if m.current == m.last_goal {
            return Vec::new();
        }
        m.current += m.step;
        if (m.step < 0 && m.current < m.last_goal) || (m.step > 0 && m.current > m.last_goal) {
            m.current = m.last_goal;
        }
        vec![text(&format!("FSetSite:{};", m.current))]
    }

    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        battery_only(ID, input_type, "read", feature)?;
        let mut events = hardware.event_stream();
        hardware.write(Endpoint::Tx, b"Battery;", false).await?;
        with_timeout(COMMAND_TIMEOUT, async {
            loop {
                match events.next().await {
                    Some(HardwareEvent::Notification { data, .. }) => {
                        if let Some(level) = parse_battery(&data) {
                            return Ok(level);
                        }
                    }
                    Some(HardwareEvent::Disconnected) | None => {
                        return Err(DeviceError::protocol(
                            ID,
                            "device disconnected while reading the battery",
                        ));
                    }
                }
            }
        })
        .await?
    }
}

/// One v0/v1 `LovenseCmd` text command, as the Lovense protocol understands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LovenseLegacyCommand {
    /// `Vibrate:N;`: every vibrator at level N.
    VibrateAll(i64),
    /// `VibrateK:N;`: vibrator K (1-based, in the device's vibrator order) at level N.
    Vibrate {
        /// 1-based motor number.
        motor: usize,
        /// Level.
        level: i64,
    },
    /// `Rotate:N;`: the rotator at speed N (direction unchanged).
    Rotate(i64),
    /// `AirAuto:N;` / `Air:Level:N;`: the air pump at level N.
    Air(i64),
}

/// Parse a `LovenseCmd` command string (`Vibrate:N;`, `VibrateK:N;`, `Rotate:N;`, `AirAuto:N;`,
/// `Air:Level:N;`); `None` for anything else.
pub fn parse_legacy_command(text: &str) -> Option<LovenseLegacyCommand> {
    let body = text.trim().trim_end_matches(';');
    let (name, value) = body
        .strip_prefix("Air:Level:")
        .map(|v| ("Air:Level", v))
        .or_else(|| body.split_once(':'))?;
    let level: i64 = value.parse().ok()?;
    match name {
        "Vibrate" => Some(LovenseLegacyCommand::VibrateAll(level)),
        "Rotate" => Some(LovenseLegacyCommand::Rotate(level)),
        "AirAuto" | "Air:Level" => Some(LovenseLegacyCommand::Air(level)),
        n => {
            let motor: usize = n.strip_prefix("Vibrate")?.parse().ok()?;
            Some(LovenseLegacyCommand::Vibrate { motor, level })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out, outs, with_battery};
    use futures::executor::block_on;

    fn w(s: &str) -> HardwareCommand {
        text(s)
    }

    #[test]
    fn text_value_writes_the_decimal_value() {
        assert_eq!(text_value("Vibrate:", 0), w("Vibrate:0;"));
        assert_eq!(text_value("Vibrate:", 20), w("Vibrate:20;"));
        assert_eq!(text_value("Rotate:", 1_234_567_u32), w("Rotate:1234567;"));
        assert_eq!(text_value("X:", -5), w("X:-5;"));
        assert_eq!(text_value("X:", i64::MIN), w("X:-9223372036854775808;"));
    }

    fn hw() -> SimulatedHardware {
        SimulatedHardware::builder("LVS-Z36D", "AA:BB:CC:DD:EE:FF").build()
    }

    fn def_with_id(identifier: &str, features: &[&[(OutputType, [i32; 2])]]) -> DeviceDefinition {
        let mut def = with_battery(definition(ID, features));
        def.identifier = Some(identifier.to_string());
        def
    }

    fn handler(
        identifier: &str,
        features: &[&[(OutputType, [i32; 2])]],
    ) -> Box<dyn ProtocolHandler> {
        handler_for(&PROTOCOL, &hw(), &def_with_id(identifier, features))
    }

    const VIB: (OutputType, [i32; 2]) = (OutputType::Vibrate, [0, 20]);

    #[test]
    fn identify_by_device_type() {
        let hw = hw();
        hw.add_reply(
            Endpoint::Tx,
            b"DeviceType;".to_vec(),
            Endpoint::Rx,
            b"Z:11:0082059AD3BD;".to_vec(),
        );
        let id = block_on(PROTOCOL.identify(&hw)).expect("identify");
        assert_eq!(id, Identification::identifier("Z"));
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx), w("DeviceType;")]
        );
    }

    #[test]
    fn flexer_firmware_selects_identifier() {
        assert_eq!(
            identifier_from_device_type("EI:3:001122;").as_deref(),
            Some("EI-FW3")
        );
        assert_eq!(
            identifier_from_device_type("EI:2:001122;").as_deref(),
            Some("EI")
        );
        assert_eq!(
            identifier_from_device_type("A:240:001122;").as_deref(),
            Some("A")
        );
        assert_eq!(identifier_from_device_type("garbage"), None);
    }

    #[test]
    fn identify_retries_then_falls_back_to_name() {
        let hw = hw();
        let id =
            block_on(PROTOCOL.identify_with(&hw, Duration::from_millis(5), 5)).expect("identify");
        assert_eq!(id, Identification::identifier("Z"));
        let mut expected = vec![HardwareCommand::subscribe(Endpoint::Rx)];
        expected.extend(std::iter::repeat_n(w("DeviceType;"), 6));
        assert_eq!(hw.commands(), expected);

        let nameless = SimulatedHardware::builder("LOVE-toy", "x").build();
        let id = block_on(PROTOCOL.identify_with(&nameless, Duration::from_millis(1), 1))
            .expect("identify");
        assert_eq!(id.identifier, None);
    }

    #[test]
    fn name_regex() {
        assert_eq!(identifier_from_name("LVS-Z36D").as_deref(), Some("Z"));
        assert_eq!(identifier_from_name("LVS-EI123").as_deref(), Some("EI"));
        assert_eq!(identifier_from_name("LVS-Hush"), None);
        assert_eq!(identifier_from_name("LVS-AB"), None);
    }

    #[test]
    fn single_vibrator() {
        let mut h = handler("Z", &[&[VIB]]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 10)),
            vec![w("Vibrate:10;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 0)),
            vec![w("Vibrate:0;")]
        );
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Rotate, 3))
                .is_err()
        );
        assert!(h.tick_interval().is_none());
        assert_eq!(
            h.keepalive(),
            KeepaliveStrategy::RepeatPacketWhenRequired(w("DeviceType;"))
        );
    }

    #[test]
    fn single_oscillator_uses_vibrate() {
        let mut h = handler("F", &[&[(OutputType::Oscillate, [0, 20])]]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 7)),
            vec![w("Vibrate:7;")]
        );
    }

    #[test]
    fn dual_vibrator() {
        let mut h = handler("P", &[&[VIB], &[VIB]]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 4)),
            vec![w("Vibrate1:4;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 20)),
            vec![w("Vibrate2:20;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w("Vibrate2:0;")]
        );
        let mut g = handler("EA", &[&[VIB], &[(OutputType::Oscillate, [0, 20])]]);
        assert_eq!(
            out(g.as_mut(), OutputCommand::new(1, OutputType::Oscillate, 3)),
            vec![w("Vibrate2:3;")]
        );
    }

    #[test]
    fn max_with_air() {
        let mut h = handler("B", &[&[VIB], &[(OutputType::Constrict, [0, 3])]]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 12)),
            vec![w("Vibrate:12;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Constrict, 2)),
            vec![w("Air:Level:2;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Constrict, 0)),
            vec![w("Air:Level:0;")]
        );
    }

    #[test]
    fn rotate_vibrator_changes_direction_on_negative_values() {
        let mut h = handler("A", &[&[VIB], &[(OutputType::Rotate, [-20, 20])]]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 5)),
            vec![w("Vibrate:5;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 8)),
            vec![w("Rotate:8;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -8)),
            vec![w("RotateChange;"), w("Rotate:8;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, -3)),
            vec![w("RotateChange;"), w("Rotate:3;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Rotate, 0)),
            vec![w("Rotate:0;")]
        );
    }

    #[test]
    fn mply_multi_motor() {
        let mut h = handler("U", &[&[VIB], &[VIB], &[VIB]]);
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 5)),
            vec![w("Mply:0:5:0;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(2, OutputType::Vibrate, 20)),
            vec![w("Mply:0:5:20;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Vibrate, 1)),
            vec![w("Mply:1:5:20;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(1, OutputType::Vibrate, 0)),
            vec![w("Mply:1:0:20;")]
        );
        // Flexer FW3: two vibrators and a rotator.
        let mut f = handler(
            "EI-FW3",
            &[&[VIB], &[VIB], &[(OutputType::Rotate, [0, 20])]],
        );
        assert_eq!(
            out(f.as_mut(), OutputCommand::new(2, OutputType::Rotate, 9)),
            vec![w("Mply:0:0:9;")]
        );
        // The battery feature (index 3) has no output.
        assert!(matches!(
            f.handle_output(&OutputCommand::new(3, OutputType::Vibrate, 1)),
            Err(DeviceError::NoFeature { index: 3 })
        ));
    }

    #[test]
    fn mply_change_of_several_motors_is_one_packet() {
        let mut h = handler("U", &[&[VIB], &[VIB], &[VIB]]);
        let vib = |f, v| OutputCommand::new(f, OutputType::Vibrate, v);
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 5), vib(2, 20)]),
            vec![w("Mply:5:0:20;")]
        );
        // Rejected as a whole (feature 3 is the battery): nothing written, nothing changed.
        assert!(h.handle_outputs(&[vib(1, 7), vib(3, 1)]).is_err());
        assert_eq!(out(h.as_mut(), vib(1, 4)), vec![w("Mply:5:4:20;")]);
        // The stop of every motor: one packet.
        assert_eq!(
            outs(h.as_mut(), &[vib(0, 0), vib(1, 0), vib(2, 0)]),
            vec![w("Mply:0:0:0;")]
        );
        // Flexer FW3: vibrators and the rotator in one packet.
        let mut f = handler(
            "EI-FW3",
            &[&[VIB], &[VIB], &[(OutputType::Rotate, [0, 20])]],
        );
        assert_eq!(
            outs(
                f.as_mut(),
                &[vib(1, 3), OutputCommand::new(2, OutputType::Rotate, 11)]
            ),
            vec![w("Mply:0:3:11;")]
        );
    }

    #[test]
    fn per_output_toys_write_one_packet_per_output_of_a_change() {
        let mut max = handler("B", &[&[VIB], &[(OutputType::Constrict, [0, 3])]]);
        assert_eq!(
            outs(
                max.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(1, OutputType::Constrict, 0)
                ]
            ),
            vec![w("Vibrate:0;"), w("Air:Level:0;")]
        );
        let mut nora = handler("A", &[&[VIB], &[(OutputType::Rotate, [-20, 20])]]);
        assert_eq!(
            outs(
                nora.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 10),
                    OutputCommand::new(1, OutputType::Rotate, -5)
                ]
            ),
            vec![w("Vibrate:10;"), w("RotateChange;"), w("Rotate:5;")]
        );
        let mut edge = handler("P", &[&[VIB], &[VIB]]);
        assert_eq!(
            outs(
                edge.as_mut(),
                &[
                    OutputCommand::new(0, OutputType::Vibrate, 0),
                    OutputCommand::new(1, OutputType::Vibrate, 0)
                ]
            ),
            vec![w("Vibrate1:0;"), w("Vibrate2:0;")]
        );
        // A change with an output the toy lacks is refused before anything is built.
        assert!(
            edge.handle_outputs(&[
                OutputCommand::new(0, OutputType::Vibrate, 3),
                OutputCommand::new(1, OutputType::Rotate, 3)
            ])
            .is_err()
        );
    }

    fn solace_pro() -> Box<dyn ProtocolHandler> {
        handler(
            "BA",
            &[&[
                (OutputType::HwPositionWithDuration, [0, 100]),
                (OutputType::Oscillate, [0, 20]),
            ]],
        )
    }

    #[test]
    fn stroker_oscillate() {
        let mut h = solace_pro();
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 10)),
            vec![w("Mply:10:20;")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0)),
            vec![w("Mply:0:20;")]
        );
        let mut solace = handler("H", &[&[(OutputType::Oscillate, [0, 20])]]);
        assert_eq!(
            out(
                solace.as_mut(),
                OutputCommand::new(0, OutputType::Oscillate, 6)
            ),
            vec![w("Mply:6:20;")]
        );
        assert_eq!(
            out(
                solace.as_mut(),
                OutputCommand::new(0, OutputType::Oscillate, 0)
            ),
            vec![w("Mply:0:0;")]
        );
    }

    #[test]
    fn stroker_position_loop() {
        let mut h = solace_pro();
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(100)));
        assert!(h.tick().is_empty(), "nothing to do before a target");
        assert!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 30, 300)
            )
            .is_empty()
        );
        assert_eq!(h.tick(), vec![w("FSetSite:10;")]);
        assert_eq!(h.tick(), vec![w("FSetSite:20;")]);
        assert_eq!(h.tick(), vec![w("FSetSite:30;")]);
        assert!(h.tick().is_empty(), "target reached");
        // Fast move: one step; a remainder is clamped at the target.
        assert!(out(h.as_mut(), OutputCommand::position_with_duration(0, 0, 50)).is_empty());
        assert_eq!(h.tick(), vec![w("FSetSite:0;")]);
        assert!(h.tick().is_empty());
        assert!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 100, 700)
            )
            .is_empty()
        );
        assert_eq!(h.tick(), vec![w("FSetSite:14;")]);
        // A stop freezes the loop where it is: no further writes.
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 0)),
            vec![w("Mply:0:20;")]
        );
        assert!(h.tick().is_empty());
        assert!(h.tick().is_empty());
    }

    #[test]
    fn stroker_small_moves_step_by_one() {
        let mut h = solace_pro();
        assert!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 2, 1000)
            )
            .is_empty()
        );
        assert_eq!(h.tick(), vec![w("FSetSite:1;")]);
        assert_eq!(h.tick(), vec![w("FSetSite:2;")]);
        assert!(h.tick().is_empty());
    }

    #[test]
    fn battery_reply_forms() {
        assert_eq!(parse_battery(b"85;"), Some(85));
        assert_eq!(parse_battery(b"s42;"), Some(42));
        assert_eq!(parse_battery(b"OK;"), None);
        assert_eq!(parse_battery(b"85"), None);
    }

    #[test]
    fn battery_read() {
        let hw = hw();
        hw.add_reply(
            Endpoint::Tx,
            b"Battery;".to_vec(),
            Endpoint::Rx,
            b"s85;".to_vec(),
        );
        block_on(hw.subscribe(Endpoint::Rx)).expect("subscribe");
        let def = def_with_id("Z", &[&[VIB]]);
        let mut h = handler_for(&PROTOCOL, &hw, &def);
        let battery = def.feature(1).expect("battery feature");
        let level = block_on(h.read_input(&hw, battery, InputType::Battery)).expect("battery");
        assert_eq!(level, 85);
        assert_eq!(hw.commands().last(), Some(&w("Battery;")));
        // No answer: a timeout error, not a hang.
        let silent = self::hw();
        let r = block_on(h.read_input(&silent, battery, InputType::Battery));
        assert!(matches!(r, Err(DeviceError::Hardware(_))));
    }
}

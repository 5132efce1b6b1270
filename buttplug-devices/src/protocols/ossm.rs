//! OSSM (Kinky Makers): ASCII commands on `tx`, all written with response. Oscillate (feature 0)
//! switches the machine to its stroke engine (`go:menu`, `go:strokeEngine`) and then sends
//! `set:speed:<v>`; position with duration switches to streaming (`go:menu`, `go:streaming`) and
//! sends `stream:<position>:<ms>`. A stop while not oscillating writes nothing. Initialize
//! subscribes `rx`, where the machine reports JSON state; when it enters `streaming` or
//! `strokeEngine` the protocol's loop configures it (`false` on `txmode`, `set:depth:100`,
//! `set:stroke:100`, and `set:speed:100` for streaming).

use crate::{
    DeviceDefinition, DeviceError, Endpoint, Hardware, HardwareCommand, InputReading,
    OutputCommand, Protocol, ProtocolHandler,
};
use async_trait::async_trait;
use buttplug_core::OutputType;
use std::time::Duration;

/// How often queued configuration writes are flushed.
const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// The mode the protocol last switched the machine to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mode {
    #[default]
    None,
    Oscillate,
    Position,
}

/// Handler state: mode, last reported machine state, configuration writes to flush.
#[derive(Debug, Default)]
struct OssmHandler {
    mode: Mode,
    machine_state: Option<String>,
    pending: Vec<HardwareCommand>,
}

fn text(data: &str) -> HardwareCommand {
    HardwareCommand::write_with_response(Endpoint::Tx, data.as_bytes().to_vec())
}

impl OssmHandler {
    fn switch_to(&mut self, mode: Mode, target: &str, out: &mut Vec<HardwareCommand>) {
        if self.mode != mode {
            out.push(text("go:menu"));
            out.push(text(target));
            self.mode = mode;
        }
    }
}

/// The state name of a state report (`{"state":"strokeEngine.idle",...}` → `strokeEngine`).
fn state_name(data: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(data).ok()?;
    let state = json.get("state")?.as_str()?;
    Some(state.split('.').next().unwrap_or(state).to_string())
}

impl ProtocolHandler for OssmHandler {
    fn protocol_id(&self) -> &'static str {
        "ossm"
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        let mut out = Vec::new();
        match (cmd.output_type, cmd.feature_index) {
            (OutputType::Oscillate, 0) => {
                if self.mode != Mode::Oscillate && cmd.value == 0 {
                    return Ok(out);
                }
                self.switch_to(Mode::Oscillate, "go:strokeEngine", &mut out);
                out.push(text(&format!("set:speed:{}", cmd.value)));
            }
            (OutputType::HwPositionWithDuration, _) => {
                self.switch_to(Mode::Position, "go:streaming", &mut out);
                out.push(text(&format!("stream:{}:{}", cmd.value, cmd.duration_ms)));
            }
            _ => return Err(DeviceError::unsupported_output(self.protocol_id(), cmd)),
        }
        Ok(out)
    }

    fn parse_notification(&mut self, endpoint: Endpoint, data: &[u8]) -> Vec<InputReading> {
        if endpoint != Endpoint::Rx {
            return Vec::new();
        }
        let Some(state) = state_name(data) else {
            return Vec::new();
        };
        if self.machine_state.as_deref() == Some(state.as_str()) {
            return Vec::new();
        }
        if state == "streaming" || state == "strokeEngine" {
            self.pending.push(HardwareCommand::write_with_response(
                Endpoint::TxMode,
                b"false".to_vec(),
            ));
            self.pending.push(text("set:depth:100"));
            self.pending.push(text("set:stroke:100"));
            if state == "streaming" {
                self.pending.push(text("set:speed:100"));
            }
        }
        self.machine_state = Some(state);
        Vec::new()
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(FLUSH_INTERVAL)
    }

    fn tick(&mut self) -> Vec<HardwareCommand> {
        std::mem::take(&mut self.pending)
    }
}

/// The `ossm` protocol: subscribes the state channel at initialize.
#[derive(Debug)]
pub struct Ossm;

/// The `ossm` protocol.
pub static PROTOCOL: Ossm = Ossm;

#[async_trait]
impl Protocol for Ossm {
    fn id(&self) -> &'static str {
        "ossm"
    }

    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        _definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        hardware.subscribe(Endpoint::Rx).await?;
        Ok(Box::new(OssmHandler::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimulatedHardware;
    use crate::protocols::testing::{definition, handler_for, out};

    fn setup() -> (SimulatedHardware, Box<dyn ProtocolHandler>) {
        let hw = SimulatedHardware::builder("OSSM", "aa")
            .endpoints([Endpoint::Tx, Endpoint::Rx, Endpoint::TxMode])
            .build();
        let def = definition(
            "ossm",
            &[&[
                (OutputType::HwPositionWithDuration, [0, 100]),
                (OutputType::Oscillate, [0, 100]),
            ]],
        );
        let h = handler_for(&PROTOCOL, &hw, &def);
        (hw, h)
    }

    #[test]
    fn initialize_subscribes_rx() {
        let (hw, _h) = setup();
        assert_eq!(
            hw.commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx)]
        );
    }

    #[test]
    fn oscillate_switches_mode_once_and_stops() {
        let (_hw, mut h) = setup();
        let o = |x| OutputCommand::new(0, OutputType::Oscillate, x);
        assert!(out(h.as_mut(), o(0)).is_empty());
        assert_eq!(
            out(h.as_mut(), o(40)),
            vec![
                text("go:menu"),
                text("go:strokeEngine"),
                text("set:speed:40")
            ]
        );
        assert_eq!(out(h.as_mut(), o(60)), vec![text("set:speed:60")]);
        assert_eq!(out(h.as_mut(), o(0)), vec![text("set:speed:0")]);
        assert!(
            h.handle_output(&OutputCommand::new(0, OutputType::Vibrate, 1))
                .is_err()
        );
    }

    #[test]
    fn position_streams_and_modes_alternate() {
        let (_hw, mut h) = setup();
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 80, 500)
            ),
            vec![text("go:menu"), text("go:streaming"), text("stream:80:500")]
        );
        assert_eq!(
            out(
                h.as_mut(),
                OutputCommand::position_with_duration(0, 20, 250)
            ),
            vec![text("stream:20:250")]
        );
        assert_eq!(
            out(h.as_mut(), OutputCommand::new(0, OutputType::Oscillate, 10)),
            vec![
                text("go:menu"),
                text("go:strokeEngine"),
                text("set:speed:10")
            ]
        );
    }

    #[test]
    fn state_reports_queue_configuration() {
        let (_hw, mut h) = setup();
        assert_eq!(h.tick_interval(), Some(Duration::from_millis(50)));
        assert!(h.tick().is_empty());
        assert!(
            h.parse_notification(Endpoint::Rx, br#"{"state":"menu.idle"}"#)
                .is_empty()
        );
        assert!(h.tick().is_empty());
        h.parse_notification(
            Endpoint::Rx,
            br#"{"state":"streaming.preflight","speed":0}"#,
        );
        let mode = HardwareCommand::write_with_response(Endpoint::TxMode, b"false".to_vec());
        assert_eq!(
            h.tick(),
            vec![
                mode.clone(),
                text("set:depth:100"),
                text("set:stroke:100"),
                text("set:speed:100")
            ]
        );
        assert!(h.tick().is_empty());
        // Same state again: nothing; stroke engine: no speed write; garbage ignored.
        h.parse_notification(Endpoint::Rx, br#"{"state":"streaming.idle"}"#);
        assert!(h.tick().is_empty());
        h.parse_notification(Endpoint::Rx, br#"{"state":"strokeEngine"}"#);
        h.parse_notification(Endpoint::Rx, b"not json");
        assert_eq!(
            h.tick(),
            vec![mode, text("set:depth:100"), text("set:stroke:100")]
        );
    }
}

//! Test-only: record the output commands a protocol handler receives, at the handler boundary,
//! for devices whose address a test watches.

use buttplug_core::InputType;
use buttplug_devices::{
    DeviceError, Endpoint, FeatureDefinition, Hardware, HardwareCommand, InputReading,
    KeepaliveStrategy, OutputCommand, ProtocolHandler,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a watched device's handler received, in order.
pub(crate) type Seen = Arc<Mutex<Vec<OutputCommand>>>;

static WATCHED: Mutex<Vec<(String, Seen)>> = Mutex::new(Vec::new());

/// Record what the handler of the device at `address` receives from now on (devices set up
/// after this call).
pub(crate) fn watch(address: &str) -> Seen {
    let seen = Seen::default();
    crate::sync::lock(&WATCHED).push((address.to_string(), seen.clone()));
    seen
}

/// Stop recording for `address`.
pub(crate) fn unwatch(address: &str) {
    crate::sync::lock(&WATCHED).retain(|(a, _)| a != address);
}

/// The handler, wrapped in a recorder when its address is watched.
pub(crate) fn wrap(handler: Box<dyn ProtocolHandler>, address: &str) -> Box<dyn ProtocolHandler> {
    let seen = crate::sync::lock(&WATCHED)
        .iter()
        .find(|(a, _)| a == address)
        .map(|(_, s)| s.clone());
    match seen {
        Some(seen) => Box::new(Recording {
            inner: handler,
            seen,
        }),
        None => handler,
    }
}

#[derive(Debug)]
struct Recording {
    inner: Box<dyn ProtocolHandler>,
    seen: Seen,
}

impl Recording {
    fn record(&self, cmds: &[OutputCommand]) {
        crate::sync::lock(&self.seen).extend_from_slice(cmds);
    }
}

#[async_trait::async_trait]
impl ProtocolHandler for Recording {
    fn protocol_id(&self) -> &'static str {
        self.inner.protocol_id()
    }
    fn keepalive(&self) -> KeepaliveStrategy {
        self.inner.keepalive()
    }
    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.record(std::slice::from_ref(cmd));
        self.inner.handle_output(cmd)
    }
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.record(cmds);
        self.inner.handle_outputs(cmds)
    }
    fn tick_interval(&self) -> Option<Duration> {
        self.inner.tick_interval()
    }
    fn tick(&mut self) -> Vec<HardwareCommand> {
        self.inner.tick()
    }
    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        self.inner.read_input(hardware, feature, input_type).await
    }
    fn subscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.inner.subscribe_input(feature, input_type)
    }
    fn unsubscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.inner.unsubscribe_input(feature, input_type)
    }
    fn parse_notification(&mut self, endpoint: Endpoint, data: &[u8]) -> Vec<InputReading> {
        self.inner.parse_notification(endpoint, data)
    }
}

//! Protocols registered by the application on the device-manager builder: a new protocol with
//! its own database entry, and a replacement of a built-in one.

use crate::util::{Client, hush, name, texts};
use async_trait::async_trait;
use buttplug_core::OutputType;
use buttplug_devices::{
    DeviceDatabase, DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler,
    SimpleProtocol, SimulatedHardware,
};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::json;
use std::sync::Arc;

/// Writes `<id>=<value>` as text for every vibrate command.
#[derive(Debug)]
struct Marker(&'static str);

#[async_trait]
impl ProtocolHandler for Marker {
    fn protocol_id(&self) -> &'static str {
        self.0
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        if cmd.output_type != OutputType::Vibrate {
            return Err(DeviceError::unsupported_output(self.0, cmd));
        }
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            format!("{}={}", self.0, cmd.value).into_bytes(),
        )])
    }
}

static NEW_PROTOCOL: SimpleProtocol =
    SimpleProtocol::new("test-new", |_| Box::new(Marker("test-new")));
static LOVENSE_REPLACEMENT: SimpleProtocol =
    SimpleProtocol::new("lovense", |_| Box::new(Marker("lovense")));

const NEW_ENTRY: &str = r#"{
  "communication": [{"btle": {"names": ["TestNew*"],
    "services": {"0000ab00-0000-1000-8000-00805f9b34fb": {"tx": "0000ab01-0000-1000-8000-00805f9b34fb"}}}}],
  "defaults": {"id": "00000000-0000-0000-0000-00000000ab00", "name": "Test New Device",
    "features": [{"id": "00000000-0000-0000-0000-00000000ab01", "index": 0,
      "output": {"vibrate": {"value": [0, 7]}}}]}
}"#;

fn server(
    db: DeviceDatabase,
    hw: SimulatedHardware,
    builder: fn(DeviceManagerBuilder) -> DeviceManagerBuilder,
) -> ButtplugServer {
    let dm = builder(DeviceManagerBuilder::new(Arc::new(db)))
        .comm_manager(SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice::ble(hw)))
        .message_gap_override(Some(std::time::Duration::ZERO))
        .finish()
        .expect("device manager");
    ButtplugServerBuilder::new().device_manager(dm).finish()
}

#[test]
fn an_application_protocol_with_its_database_entry_drives_its_device() {
    buttplug_server::block_on(async {
        let db = DeviceDatabase::builtin()
            .with_protocol("test-new", NEW_ENTRY, "test-new.json")
            .expect("entry");
        let hw = SimulatedHardware::builder("TestNew 1", "aa:e0")
            .endpoints([Endpoint::Tx])
            .build();
        let server = server(db, hw.clone(), |b| b.protocol(&NEW_PROTOCOL));
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        let list = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(
            list["DeviceList"]["Devices"]["0"]["DeviceName"],
            json!("Test New Device")
        );
        let r = c
            .request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 7}}}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(texts(&hw), vec!["test-new=7"]);
    });
}

#[test]
fn an_application_protocol_replaces_a_built_in_one() {
    buttplug_server::block_on(async {
        let hw = hush("aa:e1");
        let server = server(DeviceDatabase::builtin().clone(), hw.clone(), |b| {
            b.protocol(&LOVENSE_REPLACEMENT)
        });
        let mut c = Client::new(&server);
        c.handshake(4).await;
        c.wait_for_devices(1).await;
        texts(&hw);
        let r = c
            .request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 3}}}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(texts(&hw), vec!["lovense=3"]);
    });
}

#[test]
fn a_bad_protocol_entry_is_an_error_naming_its_source() {
    let e = DeviceDatabase::builtin()
        .with_protocol("test-bad", r#"{"defaults": {"name": 3}}"#, "bad.json")
        .expect_err("invalid entry");
    assert!(e.to_string().contains("bad.json"), "{e}");
}

//! Add a device protocol without forking the project: an application brings its own protocol
//! implementation and the database entry that selects it, registers both when it builds the
//! server, and drives the device with the ordinary client.
//!
//! The device here is made up: the "ACME Buzz", a BLE toy named `ACME-Buzz…` with two motors
//! (levels 0-10) that takes one packet `[ac m0 m1]` carrying both. A simulated device stands in
//! for it, and the example checks the exact bytes it received.
//!
//! Run: `cargo run -p buttplug-examples --example custom_protocol`

use async_trait::async_trait;
use buttplug_client::{ButtplugClient, ButtplugClientEvent};
use buttplug_core::OutputType;
use buttplug_devices::{
    DeviceDatabase, DeviceError, Endpoint, HardwareCommand, OutputCommand, ProtocolHandler,
    SimpleProtocol, SimulatedHardware,
};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use std::sync::Arc;

/// The protocol id: the database entry and the implementation share it.
const ID: &str = "acme-buzz";

/// The database entry, in the format of `buttplug-devices/database/protocols/<id>.json`: which
/// advertisements select the protocol, and what the device is.
const DATABASE_ENTRY: &str = r#"{
  "communication": [{"btle": {
    "names": ["ACME-Buzz*"],
    "services": {"0000ac00-0000-1000-8000-00805f9b34fb": {"tx": "0000ac01-0000-1000-8000-00805f9b34fb"}}
  }}],
  "defaults": {
    "id": "6d0c0a4e-4c1f-4d5e-9a59-aced00000000",
    "name": "ACME Buzz",
    "features": [
      {"id": "6d0c0a4e-4c1f-4d5e-9a59-aced00000001", "index": 0, "output": {"vibrate": {"value": [0, 10]}}},
      {"id": "6d0c0a4e-4c1f-4d5e-9a59-aced00000002", "index": 1, "output": {"vibrate": {"value": [0, 10]}}}
    ]
  }
}"#;

/// The handler: both motor levels, one packet for every change.
#[derive(Debug, Default)]
struct AcmeBuzz {
    motors: [u8; 2],
}

#[async_trait]
impl ProtocolHandler for AcmeBuzz {
    fn protocol_id(&self) -> &'static str {
        ID
    }

    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        self.handle_outputs(std::slice::from_ref(cmd))
    }

    // The packet carries both motors, so a change of both is written once.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        let mut motors = self.motors;
        for cmd in cmds {
            let slot = motors
                .get_mut(cmd.feature_index as usize)
                .filter(|_| cmd.output_type == OutputType::Vibrate)
                .ok_or_else(|| DeviceError::unsupported_output(ID, cmd))?;
            *slot = u8::try_from(cmd.value).unwrap_or(10);
        }
        self.motors = motors;
        Ok(vec![HardwareCommand::write(
            Endpoint::Tx,
            vec![0xac, motors[0], motors[1]],
        )])
    }
}

/// No identify step or handshake: a [`SimpleProtocol`] builds the handler.
static ACME_BUZZ: SimpleProtocol = SimpleProtocol::new(ID, |_| Box::new(AcmeBuzz::default()));

fn main() -> Result<(), Box<dyn std::error::Error>> {
    async_std::task::block_on(async {
        // The built-in database plus our protocol's entry; the device manager gets the
        // implementation (it is consulted before the built-in registry).
        let db = DeviceDatabase::builtin().with_protocol(ID, DATABASE_ENTRY, "acme-buzz.json")?;
        let toy = SimulatedHardware::builder("ACME-Buzz 01", "AC:ME:00:00:00:01")
            .endpoints([Endpoint::Tx])
            .build();
        let devices = DeviceManagerBuilder::new(Arc::new(db))
            .protocol(&ACME_BUZZ)
            .comm_manager(
                SimulatedCommunicationManagerBuilder::new()
                    .device(SimulatedDevice::ble(toy.clone())),
            )
            .finish()?;
        let server = ButtplugServerBuilder::new()
            .device_manager(devices)
            .finish();

        let client = ButtplugClient::new("custom protocol example");
        let mut events = client.event_stream();
        let driver = client.connect(server.in_process_connector()).await?;
        async_std::task::spawn(driver);
        client.start_scanning().await?;
        let device = loop {
            match events.next().await {
                Some(ButtplugClientEvent::DeviceAdded(d)) => break d,
                Some(_) => {}
                None => return Err("the client closed before the device appeared".into()),
            }
        };
        println!("found {}", device.name());

        // Both motors at half: one message, one packet.
        device.vibrate(0.5).await?;
        device.stop().await?;
        client.disconnect().await?;

        let writes = toy.writes();
        for (endpoint, bytes) in &writes {
            println!("toy received on {endpoint}: {bytes:02x?}");
        }
        let both = (Endpoint::Tx, vec![0xac, 5, 5]);
        let stop = (Endpoint::Tx, vec![0xac, 0, 0]);
        if !writes.contains(&both) || writes.last() != Some(&stop) {
            return Err(format!("expected {both:02x?} then {stop:02x?}, got {writes:02x?}").into());
        }
        Ok(())
    })
}

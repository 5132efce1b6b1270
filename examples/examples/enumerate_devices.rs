//! List every device a server knows, with each feature's outputs, inputs and ranges.
//!
//! Self-contained: it starts an embedded server with three simulated toys. Pass a URL to list a
//! real server's devices instead: `cargo run -p buttplug-examples --example enumerate_devices ws://127.0.0.1:12345`

use buttplug_client::ButtplugClient;
use buttplug_devices::{DeviceDatabase, simulated_device};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use buttplug_transport_ws::WebsocketClientConnector;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    async_std::task::block_on(async {
        let client = ButtplugClient::new("enumerate example");
        let expected = match std::env::args().nth(1) {
            Some(url) => {
                async_std::task::spawn(client.connect(WebsocketClientConnector::new(url)).await?);
                0
            }
            None => {
                let db = DeviceDatabase::builtin();
                let mut sim = SimulatedCommunicationManagerBuilder::new();
                for (i, name) in ["Lovense Nora", "WeVibe Sync", "Kiiroo Keon"]
                    .iter()
                    .enumerate()
                {
                    let plan = simulated_device(db, name, &format!("SI:MU:LA:TE:00:{i:02}"))?;
                    sim = sim.device(SimulatedDevice {
                        hardware: plan.hardware,
                        specifier: plan.specifier,
                    });
                }
                let devices = DeviceManagerBuilder::new(Arc::new(db.clone()))
                    .comm_manager(sim)
                    .finish()?;
                let server = ButtplugServerBuilder::new()
                    .device_manager(devices)
                    .finish();
                async_std::task::spawn(client.connect(server.in_process_connector()).await?);
                3
            }
        };
        // Wait for the devices to be announced (at most 2 s: a remote server may have fewer).
        let mut events = client.event_stream();
        client.start_scanning().await?;
        let _ = async_std::future::timeout(Duration::from_secs(2), async {
            while client.devices().len() < expected {
                if events.next().await.is_none() {
                    break;
                }
            }
        })
        .await;
        client.stop_scanning().await?;
        for device in client.devices() {
            println!("{}: {}", device.index(), device.name());
            for feature in device.features() {
                for o in &feature.outputs {
                    println!(
                        "  feature {}: {} [{}, {}]",
                        feature.index, o.output_type, o.value.start, o.value.end
                    );
                }
                for i in &feature.inputs {
                    println!(
                        "  feature {}: {} input {:?}",
                        feature.index, i.input_type, i.commands
                    );
                }
            }
        }
        client.disconnect().await?;
        Ok(())
    })
}

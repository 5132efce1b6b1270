//! Client and server in one process: no socket, just JSON frames over an in-memory pipe. A
//! simulated Lovense Hush stands in for the toy, and we print the exact bytes it received.
//!
//! Run: `cargo run -p buttplug-examples --example embedded_server`

use buttplug_client::{ButtplugClient, ButtplugClientEvent};
use buttplug_devices::{DeviceDatabase, simulated_device};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    async_std::task::block_on(async {
        // A server with one simulated device, made from the device database.
        let db = DeviceDatabase::builtin();
        let hush = simulated_device(db, "Lovense Hush", "SI:MU:LA:TE:00:01")?;
        let toy = hush.hardware.clone();
        let devices = DeviceManagerBuilder::new(Arc::new(db.clone()))
            .comm_manager(
                SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice {
                    hardware: hush.hardware,
                    specifier: hush.specifier,
                }),
            )
            .finish()?;
        let server = ButtplugServerBuilder::new()
            .device_manager(devices)
            .finish();

        // The client talks to it through the in-process connector; spawn its driver.
        let client = ButtplugClient::new("embedded example");
        let driver = client.connect(server.in_process_connector()).await?;
        async_std::task::spawn(driver);

        let mut events = client.event_stream();
        client.start_scanning().await?;
        let device = loop {
            match events.next().await {
                Some(ButtplugClientEvent::DeviceAdded(d)) => break d,
                Some(_) => {}
                None => return Err("the client closed before a device appeared".into()),
            }
        };
        println!(
            "found {} (battery {} %)",
            device.name(),
            device.battery().await?
        );
        device.vibrate(0.5).await?;
        async_std::task::sleep(Duration::from_millis(200)).await;
        device.stop().await?;
        client.disconnect().await?;

        for (endpoint, bytes) in toy.writes() {
            println!(
                "toy received on {endpoint}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        Ok(())
    })
}

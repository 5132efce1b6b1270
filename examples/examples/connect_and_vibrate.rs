//! Connect to a running server over WebSocket, wait for a device, vibrate it at half strength
//! for a second, then stop.
//!
//! Start a server with a simulated toy first:
//!   `cargo run -p buttplug-cli -- serve --simulate "Lovense Hush"`
//! then run: `cargo run -p buttplug-examples --example connect_and_vibrate [ws://127.0.0.1:12345]`

use buttplug_client::{ButtplugClient, ButtplugClientEvent};
use buttplug_core::OutputType;
use buttplug_transport_ws::WebsocketClientConnector;
use futures::StreamExt;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:12345".into());
    async_std::task::block_on(async {
        let client = ButtplugClient::new("vibrate example");
        let driver = client.connect(WebsocketClientConnector::new(&url)).await?;
        async_std::task::spawn(driver);
        println!("connected to {}", client.server_name().unwrap_or_default());

        // Devices already connected are in the list; otherwise scan and wait for one.
        let device = match client.devices().into_iter().next() {
            Some(d) => d,
            None => {
                let mut events = client.event_stream();
                client.start_scanning().await?;
                loop {
                    match events.next().await {
                        Some(ButtplugClientEvent::DeviceAdded(d)) => break d,
                        Some(_) => continue,
                        None => return Err("server went away".into()),
                    }
                }
            }
        };
        println!("vibrating {}", device.name());
        if device.has_output(OutputType::Vibrate) {
            device.vibrate(0.5).await?;
            async_std::task::sleep(Duration::from_secs(1)).await;
        }
        device.stop().await?;
        client.disconnect().await?;
        Ok(())
    })
}

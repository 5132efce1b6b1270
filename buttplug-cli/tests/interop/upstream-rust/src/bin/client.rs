//! Drives a Buttplug server with upstream's Rust client (crates.io `buttplug_client` 11.0.1,
//! spec v4, over `buttplug_transport_websocket_tungstenite` 12.0.0).
//!
//! Usage: `client <ws-url>`. It connects, scans until a device appears, vibrates
//! it at 0.5, reads its battery, stops it and disconnects, then prints one JSON line with what
//! it saw. Any failure exits non-zero.

use buttplug_client::connector::ButtplugRemoteClientConnector;
use buttplug_client::device::ClientDeviceOutputCommand;
use buttplug_client::{ButtplugClient, ButtplugClientDevice, ButtplugClientEvent};
use buttplug_transport_websocket_tungstenite::ButtplugWebsocketClientTransport;
use futures::StreamExt;
use std::time::Duration;

async fn first_device(client: &ButtplugClient) -> Result<ButtplugClientDevice, String> {
    if let Some(device) = client.devices().into_values().next() {
        return Ok(device);
    }
    let mut events = client.event_stream();
    client
        .start_scanning()
        .await
        .map_err(|e| format!("start scanning: {e}"))?;
    let device = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = events.next().await {
            if let ButtplugClientEvent::DeviceAdded(device) = event {
                return Some(device);
            }
        }
        None
    })
    .await
    .map_err(|_| "timed out waiting for a device".to_string())?
    .ok_or("the event stream ended")?;
    client
        .stop_scanning()
        .await
        .map_err(|e| format!("stop scanning: {e}"))?;
    Ok(device)
}

async fn run(url: &str) -> Result<String, String> {
    let client = ButtplugClient::new("interop upstream rust");
    let connector = ButtplugRemoteClientConnector::<ButtplugWebsocketClientTransport>::new(
        ButtplugWebsocketClientTransport::new_insecure_connector(url),
    );
    tokio::time::timeout(Duration::from_secs(5), client.connect(connector))
        .await
        .map_err(|_| "timed out connecting".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let device = first_device(&client).await?;
    device
        .run_output(&ClientDeviceOutputCommand::Vibrate(0.5.into()))
        .await
        .map_err(|e| format!("vibrate: {e}"))?;
    let battery = device
        .battery()
        .await
        .map_err(|e| format!("battery: {e}"))?;
    device.stop().await.map_err(|e| format!("stop: {e}"))?;
    client
        .disconnect()
        .await
        .map_err(|e| format!("disconnect: {e}"))?;
    Ok(serde_json::json!({ "name": device.name(), "battery": battery }).to_string())
}

#[tokio::main]
async fn main() {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: client <ws-url>");
        std::process::exit(2);
    };
    match run(&url).await {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("upstream rust client failed: {e}");
            std::process::exit(1);
        }
    }
}

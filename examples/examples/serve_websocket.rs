//! Embed a WebSocket server in your own program: apps connect to it like to `buttplug serve`.
//! One simulated Lovense Hush is attached; Ctrl-C to quit.
//!
//! Run: `cargo run -p buttplug-examples --example serve_websocket [PORT]` (default 12345; 0 picks a
//! free port and prints it).

use buttplug_devices::{DeviceDatabase, simulated_device};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use buttplug_transport_ws::WebsocketServerTransportBuilder;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::args().nth(1).map_or(Ok(12345), |p| p.parse())?;
    async_std::task::block_on(async {
        let db = DeviceDatabase::builtin();
        let hush = simulated_device(db, "Lovense Hush", "SI:MU:LA:TE:00:01")?;
        let devices = DeviceManagerBuilder::new(Arc::new(db.clone()))
            .comm_manager(
                SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice {
                    hardware: hush.hardware,
                    specifier: hush.specifier,
                }),
            )
            .finish()?;
        let server = ButtplugServerBuilder::new()
            .name("Example Server")
            .device_manager(devices)
            .finish();
        let transport = WebsocketServerTransportBuilder::new()
            .port(port)
            .bind()
            .await?;
        println!("listening on ws://{}", transport.local_addr());
        loop {
            // One client at a time; when it leaves, every device is stopped.
            let connection = transport.accept().await?;
            let server = server.clone();
            async_std::task::spawn(async move {
                server.serve_connection(connection).await;
            });
        }
    })
}

//! A Buttplug server built from upstream's crates (crates.io `buttplug_server` 12.0.2 with its
//! built-in device database, the WebSocket device manager of `buttplug_server_hwmgr_websocket`
//! 12.0.0 and the WebSocket server transport of `buttplug_transport_websocket_tungstenite`
//! 12.0.0), for testing our client against upstream's server.
//!
//! Usage: `server <device-websocket-port>`. It listens for WebSocket devices on that port and
//! for one client on 127.0.0.1 at a port the system picks, printed as `listening <port>` on
//! stdout. It serves that client and exits when the client leaves.
//!
//! Upstream's database names no WebSocket device, so a device dialling in is matched only
//! through a user config specifier: the one here lets a device that says it is `lovense` (as
//! `buttplug simulate` playing a Lovense does) use the Lovense protocol.

use buttplug_core::connector::ButtplugConnector;
use buttplug_server::connector::ButtplugRemoteServerConnector;
use buttplug_server::device::ServerDeviceManagerBuilder;
use buttplug_server::message::serializer::ButtplugServerJSONSerializer;
use buttplug_server::{ButtplugServer, ButtplugServerBuilder};
use buttplug_server_device_config::load_protocol_configs;
use buttplug_server_hwmgr_websocket::WebsocketServerDeviceCommunicationManagerBuilder;
use buttplug_transport_websocket_tungstenite::ButtplugWebsocketServerTransportBuilder;
use futures::StreamExt;
use std::io::Write;
use std::sync::Arc;

/// A user config in upstream's format (v5) with a WebSocket specifier for Lovense.
const USER_CONFIG: &str = r#"{
  "version": { "major": 5, "minor": 0 },
  "user_configs": {
    "protocols": { "lovense": { "communication": [ { "websocket": { "name": "lovense" } } ] } }
  }
}"#;

fn server(device_port: u16) -> Result<ButtplugServer, String> {
    let database = load_protocol_configs(&None, &Some(USER_CONFIG.to_string()), false)
        .and_then(|mut builder| builder.finish())
        .map_err(|e| format!("device database: {e}"))?;
    let mut devices = ServerDeviceManagerBuilder::new(database);
    devices.comm_manager(
        WebsocketServerDeviceCommunicationManagerBuilder::default().server_port(device_port),
    );
    let devices = devices
        .finish()
        .map_err(|e| format!("device manager: {e}"))?;
    ButtplugServerBuilder::new(devices)
        .name("upstream buttplug_server")
        .finish()
        .map_err(|e| format!("server: {e}"))
}

async fn serve_one_client(server: Arc<ButtplugServer>) -> Result<(), String> {
    let mut transport = ButtplugWebsocketServerTransportBuilder::default();
    transport
        .listen_address(([127, 0, 0, 1], 0).into())
        .on_listener_bound(|port| {
            println!("listening {port}");
            let _ = std::io::stdout().flush();
        });
    let mut connector =
        ButtplugRemoteServerConnector::<_, ButtplugServerJSONSerializer>::new(transport.finish());
    let (incoming, mut from_client) = tokio::sync::mpsc::channel(256);
    connector
        .connect(incoming)
        .await
        .map_err(|e| format!("client connection: {e}"))?;
    let connector = Arc::new(connector);
    let events = server.event_stream();
    futures::pin_mut!(events);
    loop {
        tokio::select! {
            message = from_client.recv() => {
                let Some(message) = message else { break };
                let (server, connector) = (server.clone(), connector.clone());
                tokio::spawn(async move {
                    let reply = match server.parse_message(message).await {
                        Ok(reply) | Err(reply) => reply,
                    };
                    let _ = connector.send(reply).await;
                });
            }
            event = events.next() => {
                let Some(event) = event else { break };
                let _ = connector.send(event).await;
            }
        }
    }
    server
        .disconnect()
        .await
        .map_err(|e| format!("disconnect: {e:?}"))
}

#[tokio::main]
async fn main() {
    // Upstream's log on stderr, as RUST_LOG asks (nothing without it).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let Some(device_port) = std::env::args().nth(1).and_then(|p| p.parse().ok()) else {
        eprintln!("usage: server <device-websocket-port>");
        std::process::exit(2);
    };
    let result = match server(device_port) {
        Ok(server) => serve_one_client(Arc::new(server)).await,
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        eprintln!("upstream server failed: {e}");
        std::process::exit(1);
    }
}

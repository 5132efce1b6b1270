//! A spec v3 Buttplug server built from upstream's `buttplug` 9.0.9 crate (the library of
//! Intiface Central 2 and intiface-engine 2; its own device database, WebSocket device manager
//! and WebSocket server transport), for testing our client's fallback to v3 against it.
//!
//! Usage: `server-v3 <client-port> <device-websocket-port>`. It listens for WebSocket devices on
//! the second port, prints `listening` on stdout, then serves clients on 127.0.0.1 at the first
//! port, one connection after another (a client that falls back to v3 connects twice), until it
//! is killed.
//!
//! As in `server`, a user config specifier (here in the v3 format of this version) lets a
//! device that says it is `lovense` use the Lovense protocol.

use buttplug::core::connector::{
    ButtplugConnector, ButtplugRemoteServerConnector, ButtplugWebsocketServerTransportBuilder,
};
use buttplug::core::message::serializer::ButtplugServerJSONSerializer;
use buttplug::server::device::ServerDeviceManagerBuilder;
use buttplug::server::device::hardware::communication::websocket_server::websocket_server_comm_manager::WebsocketServerDeviceCommunicationManagerBuilder;
use buttplug::server::{ButtplugServerBuilder, ButtplugServerDowngradeWrapper};
use buttplug::util::device_configuration::load_protocol_configs;
use futures::StreamExt;
use std::io::Write;
use std::sync::Arc;

/// A user config in this version's format (v3) with a WebSocket specifier for Lovense.
const USER_CONFIG: &str = r#"{
  "version": { "major": 3, "minor": 0 },
  "user-configs": {
    "protocols": { "lovense": { "communication": [ { "websocket": { "name": "lovense" } } ] } }
  }
}"#;

fn server(device_port: u16) -> Result<ButtplugServerDowngradeWrapper, String> {
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
    let server = ButtplugServerBuilder::new(devices)
        .name("upstream buttplug 9")
        .finish()
        .map_err(|e| format!("server: {e}"))?;
    Ok(ButtplugServerDowngradeWrapper::new(server))
}

async fn serve_one_client(
    server: Arc<ButtplugServerDowngradeWrapper>,
    client_port: u16,
) -> Result<(), String> {
    let mut transport = ButtplugWebsocketServerTransportBuilder::default();
    transport.port(client_port);
    let mut connector =
        ButtplugRemoteServerConnector::<_, ButtplugServerJSONSerializer>::new(transport.finish());
    let (incoming, mut from_client) = tokio::sync::mpsc::channel(256);
    connector
        .connect(incoming)
        .await
        .map_err(|e| format!("client connection: {e}"))?;
    let connector = Arc::new(connector);
    let events = server.client_version_event_stream();
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
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let ports: Vec<u16> = std::env::args()
        .skip(1)
        .filter_map(|p| p.parse().ok())
        .collect();
    let [client_port, device_port] = ports[..] else {
        eprintln!("usage: server-v3 <client-port> <device-websocket-port>");
        std::process::exit(2);
    };
    let server = match server(device_port) {
        Ok(server) => Arc::new(server),
        Err(e) => {
            eprintln!("upstream server failed: {e}");
            std::process::exit(1);
        }
    };
    println!("listening");
    let _ = std::io::stdout().flush();
    loop {
        if let Err(e) = serve_one_client(server.clone(), client_port).await {
            eprintln!("upstream server: {e}");
        }
    }
}

//! Client connections: the WebSocket server transport (or the reverse mode that dials out to a
//! listening client), each connection glued to a server session.

use crate::serve::{ServeArgs, listen_address};
use buttplug_server::ButtplugServer;
use buttplug_transport_ws::{
    Connection, WebsocketClientTransport, WebsocketServerTransportBuilder,
};
use std::time::Duration;

/// How long the reverse mode waits before dialing again after a connection ends or fails.
const REDIAL_DELAY: Duration = Duration::from_secs(1);

async fn serve_one(server: &ButtplugServer, connection: Connection) {
    server.serve_connection(connection).await;
}

pub(crate) async fn serve_clients(args: &ServeArgs, server: ButtplugServer) -> Result<(), String> {
    if let Some(url) = &args.websocket_client_address {
        loop {
            match WebsocketClientTransport::connect(url).await {
                Ok(connection) => {
                    println!("connected to client websocket {url}");
                    serve_one(&server, connection).await;
                    tracing::info!("client connection ended; dialing again");
                }
                Err(e) => tracing::warn!("cannot reach client {url}: {e}"),
            }
            crate::rt::sleep(REDIAL_DELAY).await;
        }
    }
    let address = listen_address(args);
    let transport = WebsocketServerTransportBuilder::new()
        .listen_address(address.ip())
        .port(address.port())
        .bind()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "client websocket listening on ws://{}",
        transport.local_addr()
    );
    let _ = std::io::Write::flush(&mut std::io::stdout());
    loop {
        let connection = transport.accept().await.map_err(|e| e.to_string())?;
        let server = server.clone();
        crate::rt::spawn(async move { serve_one(&server, connection).await });
    }
}

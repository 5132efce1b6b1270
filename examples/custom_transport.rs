//! A transport of your own: the client reaches the server over a Unix socket, one JSON text
//! frame per line. The client side is a `ButtplugConnector` whose `connect` returns a stream and
//! a sink of frames; the server side hands the same kind of pair to `serve_frames`. Rendering,
//! parsing and the spec version stay inside the client and the server: the transport only moves
//! text. A simulated Lovense Hush stands in for the toy.
//!
//! Run: `cargo run -p buttplug-examples --example custom_transport`

use async_std::os::unix::net::{UnixListener, UnixStream};
use buttplug_client::{ButtplugClient, ButtplugClientEvent};
use buttplug_core::{
    BoxFrameTransport, ButtplugConnector, ConnectorError, Frame, FrameDuplex, FrameTransport,
};
use buttplug_devices::{DeviceDatabase, Endpoint, simulated_device};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use futures::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use futures::{SinkExt, StreamExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The whole transport: a socket as frames, one per line (compact JSON has no raw newline).
fn line_frames(socket: UnixStream) -> impl FrameTransport + Unpin {
    let incoming = BufReader::new(socket.clone())
        .lines()
        .map(|line| line.map_err(ConnectorError::transport));
    let outgoing = socket
        .into_sink()
        .with(|frame: String| futures::future::ready(Ok::<_, std::io::Error>(format!("{frame}\n"))))
        .sink_map_err(ConnectorError::transport);
    FrameDuplex::new(incoming, outgoing)
}

/// The client's side: dial the socket, hand over its frames.
#[derive(Debug)]
struct UnixSocketConnector {
    path: PathBuf,
}

#[async_trait::async_trait]
impl ButtplugConnector for UnixSocketConnector {
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        let socket = UnixStream::connect(&self.path)
            .await
            .map_err(|e| ConnectorError::connect_failed(self.path.display().to_string(), e))?;
        Ok(Box::pin(line_frames(socket)))
    }
}

/// The server's side: every accepted socket becomes a session.
async fn serve(server: ButtplugServer, listener: UnixListener) {
    let mut sockets = listener.incoming();
    while let Some(Ok(socket)) = sockets.next().await {
        let server = server.clone();
        async_std::task::spawn(async move {
            // The session speaks `Frame`s; a broken socket reads as the client leaving, and
            // the session only ever sends text.
            let connection = line_frames(socket)
                .with_flat_map(|frame: Frame| {
                    futures::stream::iter(match frame {
                        Frame::Text(text) => Some(Ok(text)),
                        Frame::Binary(_) | Frame::Close => None,
                    })
                })
                .map(|line| line.map_or(Frame::Close, Frame::Text));
            server.serve_connection(connection).await;
        });
    }
}

/// A server with one simulated Hush, listening on `path`; a client connects through the socket,
/// finds the toy, vibrates it at half speed and stops it. Returns what the toy received.
pub async fn run(path: &Path) -> Result<Vec<(Endpoint, Vec<u8>)>, BoxError> {
    let db = DeviceDatabase::builtin();
    let hush = simulated_device(db, "Lovense Hush", "SI:MU:LA:TE:00:02")?;
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
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).await?;
    let serving = async_std::task::spawn(serve(server, listener));

    let client = ButtplugClient::new("custom transport example");
    let driver = client
        .connect(UnixSocketConnector {
            path: path.to_path_buf(),
        })
        .await?;
    let driver = async_std::task::spawn(driver);
    println!(
        "connected to {:?} at spec {:?}",
        client.server_name().unwrap_or_default(),
        client.server_spec_version()
    );

    let mut events = client.event_stream();
    client.start_scanning().await?;
    let device = loop {
        match events.next().await {
            Some(ButtplugClientEvent::DeviceAdded(device)) => break device,
            Some(_) => continue,
            None => return Err("the client stopped before a device showed up".into()),
        }
    };
    println!("found {}", device.name());
    device.vibrate(0.5).await?;
    device.stop().await?;
    client.disconnect().await?;
    driver.await;
    serving.cancel().await;
    let _ = std::fs::remove_file(path);
    Ok(toy.writes())
}

#[allow(dead_code)] // the test includes this file and calls `run`
fn main() -> Result<(), BoxError> {
    let path = std::env::temp_dir().join(format!("buttplug-example-{}.sock", std::process::id()));
    let writes = async_std::task::block_on(run(&path))?;
    for (endpoint, bytes) in writes {
        println!(
            "toy received on {endpoint}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
    Ok(())
}

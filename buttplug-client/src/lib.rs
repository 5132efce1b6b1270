//! Buttplug client: connect to a Buttplug server, find devices, drive them, receive events.
//!
//! The client is runtime-free: it uses `futures` and `async-io` timers only, and works on any
//! executor. It reaches a server through a [`ButtplugConnector`], which opens connections as a
//! stream and a sink of JSON text frames ([`FrameTransport`]): the WebSocket connector of
//! `buttplug-transport-ws`, the server's in-process connector, or your own (a socket, a pipe,
//! a serial line: anything that carries text). The client renders and parses the frames and
//! handles the spec versions itself, so a transport only moves text and spawns nothing.
//!
//! # Life cycle
//!
//! 1. [`ButtplugClient::new`] (or [`ButtplugClient::builder`] to pick the spec version, the
//!    request timeout or the event capacity).
//! 2. [`ButtplugClient::connect`] opens a connection through the connector, runs the handshake
//!    (`RequestServerInfo` at spec v4, falling back to v3) and reads the initial device list,
//!    then returns a [`ClientDriver`].
//! 3. **Spawn the driver.** It is the connection's event loop: it numbers requests and matches
//!    replies to them by Id (replies may come in any order, and from any task), turns server
//!    events into [`ButtplugClientEvent`]s, and pings the server at half its `MaxPingTime` when
//!    the server asks for pings. This crate never spawns anything itself; handing the loop to the
//!    caller (as `rumqttc` does) keeps the crate free of any runtime and makes the task's owner
//!    explicit. A request made while the driver is not polled times out
//!    ([`ClientError::Timeout`], after 10 s by default).
//! 4. Use [`ButtplugClient::devices`], [`ButtplugClientDevice`] commands and
//!    [`ButtplugClient::event_stream`] (as many independent, bounded streams as you like).
//! 5. [`ButtplugClient::disconnect`] stops all devices and closes the connection; the driver
//!    then completes.
//!
//! # Spec versions
//!
//! Spec v4 is asked for first. Servers that predate it (buttplug-rs before 10, intiface-engine
//! before 4) refuse the v4 handshake; the client then opens a new connection and speaks v3 (a
//! server fixes a connection's version with its first message). [`ButtplugClient::server_spec_version`]
//! tells which version the connection speaks;
//! [`ButtplugClientBuilder::fallback_to_v3`] turns the fallback off and
//! [`ButtplugClientBuilder::spec_version`] starts at v3. At v3 the same device API is translated to `ScalarCmd`, `RotateCmd`, `LinearCmd`,
//! `SensorReadCmd`, `SensorSubscribeCmd`, `StopDeviceCmd` and `StopAllDevices`, using the index
//! spaces of [`DeviceInfo`] so that indexes always match what the server advertised. Raw endpoint
//! commands (`RawWriteCmd` ...) exist only at v3 (and only when the server offers them); spec v4
//! has no raw messages.
//!
//! # Losing the connection
//!
//! By default a lost connection ends the driver with a
//! [`ButtplugClientEvent::ServerDisconnect`]. With [`ButtplugClientBuilder::reconnect`] and a
//! [`ReconnectPolicy`], the driver re-dials with capped exponential backoff, runs the handshake
//! again, and announces the devices again ([`ButtplugClientEvent::Reconnected`], then
//! [`ButtplugClientEvent::DeviceAdded`]); [`ButtplugClientEvent::ReconnectFailed`] when a
//! limited number of attempts ran out.
//!
//! # Values
//!
//! Outputs take a [`Level`]: steps of the feature's range, or a fraction (`0.5` becomes
//! `ceil(0.5 × max)` steps). Every value is checked against the feature's range before anything
//! is sent; out-of-range values fail with a typed error and leave the device untouched.
//!
//! # Example
//!
//! A tiny "server" on the other end of an in-memory [`frame_pipe`](buttplug_core::frame_pipe)
//! stands in for a real one here; with a real server, pass the WebSocket connector instead (or
//! `ButtplugServer::in_process_connector`).
//!
//! ```
//! use buttplug_client::{ButtplugClient, Level};
//! use buttplug_core::{
//!     BoxFrameTransport, ButtplugConnector, ConnectorError, DeviceInfo, FeatureInfo, OutputInfo,
//!     OutputType, ServerInfo, ServerMessage, SpecVersion, StepRange, device_list_message,
//!     frame_pipe, handshake_version, parse_client_frame, render_server_frame,
//! };
//! use futures::{SinkExt, StreamExt};
//!
//! /// A pretend server with one vibrator (20 steps) that accepts every command.
//! #[derive(Debug)]
//! struct FakeServer;
//!
//! #[async_trait::async_trait]
//! impl ButtplugConnector for FakeServer {
//!     async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
//!         let (client_side, mut server_side) = frame_pipe();
//!         let vibrator = FeatureInfo::new(0, "motor")
//!             .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20)));
//!         let device = DeviceInfo::new(0, "Fake Vibrator").with_feature(vibrator);
//!         std::thread::spawn(move || {
//!             futures::executor::block_on(async move {
//!                 let mut version = None;
//!                 while let Some(Ok(frame)) = server_side.next().await {
//!                     // The first frame is the handshake; it fixes the spec version.
//!                     let v = *version.get_or_insert(
//!                         handshake_version(&frame).unwrap_or(SpecVersion::V4),
//!                     );
//!                     let replies: Vec<ServerMessage> = parse_client_frame(&frame, v)
//!                         .into_iter()
//!                         .flatten()
//!                         .map(|m| match m.name() {
//!                             "RequestServerInfo" => ServerInfo::new("Fake", 0).to_message(m.id(), v),
//!                             "RequestDeviceList" => {
//!                                 device_list_message(m.id(), &[device.clone()], v)
//!                             }
//!                             _ => ServerMessage::ok(m.id(), v),
//!                         })
//!                         .collect();
//!                     if server_side.send(render_server_frame(&replies)).await.is_err() {
//!                         break;
//!                     }
//!                 }
//!             })
//!         });
//!         Ok(Box::pin(client_side))
//!     }
//! }
//!
//! futures::executor::block_on(async {
//!     let client = ButtplugClient::new("Example");
//!     let driver = client.connect(FakeServer).await?;
//!     // Run the connection: any executor works; a thread keeps this example runtime-free.
//!     let driver = std::thread::spawn(move || futures::executor::block_on(driver));
//!
//!     assert_eq!(client.server_name().as_deref(), Some("Fake"));
//!     assert_eq!(client.server_spec_version(), Some(SpecVersion::V4));
//!     for device in client.devices() {
//!         device.vibrate(0.5).await?; // OutputCmd with Value 10
//!         device.vibrate(Level::Steps(20)).await?;
//!         assert!(device.vibrate(Level::Steps(21)).await.is_err()); // nothing sent
//!         device.stop().await?;
//!     }
//!     client.disconnect().await?;
//!     let _ = driver.join();
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//! Everything fails with [`ClientError`]; server `Error` replies keep their `ErrorCode`
//! ([`ClientError::server_error_code`]).
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod client;
mod device;
mod error;
mod event;
mod link;
mod reconnect;
mod session;

pub use client::{ButtplugClient, ButtplugClientBuilder, ClientDriver, DEFAULT_REQUEST_TIMEOUT};
pub use device::{ButtplugClientDevice, ClientDeviceFeature, Level, OutputCommand};
pub use error::{ClientError, Result};
pub use event::{ButtplugClientEvent, EVENT_STREAM_CAPACITY, EventStream};
pub use reconnect::ReconnectPolicy;

/// Types from `buttplug-core` that appear in this crate's API.
pub use buttplug_core::{
    BoxFrameTransport, ButtplugConnector, DeviceInfo, ErrorCode, FeatureInfo, FrameDuplex,
    FrameTransport, InputCommandType, InputInfo, InputType, OutputInfo, OutputType, SpecVersion,
    StepRange,
};

/// Locks a mutex, ignoring poisoning (the protected state stays consistent: every critical
/// section is a plain map or vector update).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

//! Buttplug client: connect to a Buttplug server, find devices, drive them, receive events.
//!
//! The client is runtime-free: it uses `futures` and `async-io` timers only, and works on any
//! executor. It reaches a server through a [`ButtplugConnector`] (the WebSocket connector of
//! `buttplug-transport-ws`, an in-process connector, or your own).
//!
//! # Life cycle
//!
//! 1. [`ButtplugClient::new`] (or [`ButtplugClient::builder`] to pick the spec version, the
//!    request timeout or the event capacity).
//! 2. [`ButtplugClient::connect`] opens the connector, runs the handshake (`RequestServerInfo`
//!    at spec v4, or v3) and reads the initial device list, then returns a [`ClientDriver`].
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
//! Spec v4 is the default. Servers that predate it (buttplug-rs before 10, intiface-engine
//! before 4) need `ButtplugClient::builder(name).spec_version(SpecVersion::V3)`. There is no
//! automatic fallback, because a connector is used up by one attempt and a server fixes the
//! connection's version with the first message; a v4 handshake that such a server refuses fails
//! with [`ClientError::Handshake`], and the caller retries with a v3 client and a new connector.
//! At v3 the same device API is translated to `ScalarCmd`, `RotateCmd`, `LinearCmd`,
//! `SensorReadCmd`, `SensorSubscribeCmd`, `StopDeviceCmd` and `StopAllDevices`, using the index
//! spaces of [`DeviceInfo`] so that indexes always match what the server advertised. Raw endpoint
//! commands (`RawWriteCmd` ...) exist only at v3 (and only when the server offers them); spec v4
//! has no raw messages.
//!
//! # Values
//!
//! Outputs take a [`Level`]: steps of the feature's range, or a fraction (`0.5` becomes
//! `ceil(0.5 × max)` steps). Every value is checked against the feature's range before anything
//! is sent; out-of-range values fail with a typed error and leave the device untouched.
//!
//! # Example
//!
//! A tiny in-memory "server" stands in for a real one here; with a real server, pass the
//! WebSocket connector instead.
//!
//! ```
//! use buttplug_client::{ButtplugClient, Level};
//! use buttplug_core::{
//!     ButtplugConnector, ConnectorError, ConnectorReceiver, ConnectorSender, DeviceInfo,
//!     FeatureInfo, OutputInfo, OutputType, ServerInfo, ServerMessage, StepRange,
//!     connector_pair, device_list_message,
//! };
//! use futures::{SinkExt, StreamExt};
//!
//! /// A pretend server with one vibrator (20 steps) that accepts every command.
//! #[derive(Debug)]
//! struct FakeServer;
//!
//! #[async_trait::async_trait]
//! impl ButtplugConnector for FakeServer {
//!     async fn connect(
//!         self: Box<Self>,
//!     ) -> Result<(ConnectorSender, ConnectorReceiver), ConnectorError> {
//!         let (client_side, (mut requests, mut replies)) = connector_pair();
//!         let vibrator = FeatureInfo::new(0, "motor")
//!             .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20)));
//!         let device = DeviceInfo::new(0, "Fake Vibrator").with_feature(vibrator);
//!         std::thread::spawn(move || {
//!             futures::executor::block_on(async move {
//!                 while let Some(m) = requests.next().await {
//!                     let reply = match m.name() {
//!                         "RequestServerInfo" => {
//!                             ServerInfo::new("Fake", 0).to_message(m.id(), m.version())
//!                         }
//!                         "RequestDeviceList" => {
//!                             device_list_message(m.id(), &[device.clone()], m.version())
//!                         }
//!                         _ => ServerMessage::ok(m.id(), m.version()),
//!                     };
//!                     if replies.send(reply).await.is_err() {
//!                         break;
//!                     }
//!                 }
//!             })
//!         });
//!         Ok(client_side)
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
//!
//! Everything fails with [`ClientError`]; server `Error` replies keep their `ErrorCode`
//! ([`ClientError::server_error_code`]).
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod client;
mod device;
mod error;
mod event;
mod session;

pub use client::{ButtplugClient, ButtplugClientBuilder, ClientDriver, DEFAULT_REQUEST_TIMEOUT};
pub use device::{ButtplugClientDevice, ClientDeviceFeature, Level, OutputCommand};
pub use error::{ClientError, Result};
pub use event::{ButtplugClientEvent, EVENT_STREAM_CAPACITY, EventStream};

/// Types from `buttplug-core` that appear in this crate's API.
pub use buttplug_core::{
    ButtplugConnector, DeviceInfo, ErrorCode, FeatureInfo, InputCommandType, InputInfo, InputType,
    OutputInfo, OutputType, SpecVersion, StepRange,
};

/// Locks a mutex, ignoring poisoning (the protected state stays consistent: every critical
/// section is a plain map or vector update).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

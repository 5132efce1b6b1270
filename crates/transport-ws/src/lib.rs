//! WebSocket transports for Buttplug: the client connector apps use to reach a server, and the
//! server transport a server listens with (default `ws://127.0.0.1:12345`, one client at a time,
//! as upstream).
//!
//! The server side hands out [`Connection`]s — a stream of incoming [`buttplug_core::Frame`]s
//! and a sink of outgoing ones — which a server glues to a session (e.g.
//! `buttplug_server::ButtplugServer::serve_frames`); this crate does not depend on the server.
//!
//! # Example: a client connector
//!
//! ```no_run
//! use buttplug_core::ButtplugConnector;
//! use buttplug_transport_ws::WebsocketClientConnector;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let connector = Box::new(WebsocketClientConnector::new("ws://127.0.0.1:12345"));
//! let (_to_server, _from_server) = connector.connect().await?;
//! # Ok(()) }
//! ```
//!
//! # Example: a server transport on a free port
//!
//! ```
//! use buttplug_transport_ws::WebsocketServerTransportBuilder;
//!
//! async_std::task::block_on(async {
//!     let transport = WebsocketServerTransportBuilder::new().port(0).bind().await?;
//!     assert!(transport.local_addr().port() != 0);
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `tls`: `wss://` URLs for the client connector (rustls with the ring provider).
#![doc(test(attr(deny(warnings))))]

mod client;
mod error;
mod pump;
mod rt;
mod server;

pub use client::{CONNECT_TIMEOUT, WebsocketClientConnector, WebsocketClientTransport, dial};
pub use error::TransportError;
pub use pump::{CONNECTION_FRAME_CAPACITY, Connection};
pub use server::{
    DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_FRAME_SIZE, DEFAULT_PING_INTERVAL, DEFAULT_SERVER_PORT,
    WebsocketServerTransport, WebsocketServerTransportBuilder,
};

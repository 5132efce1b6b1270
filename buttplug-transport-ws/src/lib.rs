//! WebSocket transports for Buttplug: the client connector apps use to reach a server, and the
//! server transport a server listens with (default `ws://127.0.0.1:12345`, one client at a time,
//! as upstream).
//!
//! - [`WebsocketClientConnector`] implements `buttplug-core`'s [`ButtplugConnector`]
//!   (`ws://`, and `wss://` with the `tls` feature): each connect dials a socket and hands the
//!   client a stream and sink of JSON text frames (the client renders and parses them); no task
//!   is spawned, the client's driver polls the socket.
//! - [`WebsocketServerTransport`] listens and yields accepted [`Connection`]s: a stream of
//!   incoming [`Frame`](buttplug_core::Frame)s and a sink of outgoing ones. A server glues a
//!   connection to a session (e.g. `buttplug_server::ButtplugServer::serve_connection`); this crate
//!   does not depend on the server. Like upstream it serves **one client at a time** by
//!   default (more with `max_clients`): while every slot is held, another client gets a text
//!   frame
//!   `[{"Error":{"Id":0,"ErrorMessage":"...another client is connected...","ErrorCode":1}}]`
//!   and is closed; a slot is free again once its connection ends. Sockets that do not finish
//!   the WebSocket upgrade within the handshake timeout are dropped, a frame above the size limit
//!   (1 MiB by default) is answered with
//!   `[{"Error":{"Id":0,"ErrorMessage":"frame too large: ...","ErrorCode":3}}]` and a close (code
//!   1009), `TCP_NODELAY` is set, and the server pings every 10 s.
//! - [`WebsocketClientTransport`] is the reverse mode (intiface-engine's
//!   `--websocket-client-address`): the server dials out to a client that listens, and serves
//!   the resulting [`Connection`] like an accepted one.
//!
//! The runtime (async-std: TCP, spawn, timers) is confined to one private module, so moving to
//! another runtime means editing one file.
//!
//! # Example
//!
//! A server transport on a free port, and the client connector talking to it:
//!
//! ```
//! use buttplug_core::{
//!     ButtplugConnector, ClientMessage, Frame, ServerInfo, SpecVersion, parse_client_frame,
//!     parse_server_frame, render_client_frame, render_server_frame,
//! };
//! use buttplug_transport_ws::{WebsocketClientConnector, WebsocketServerTransport};
//! use futures::{SinkExt, StreamExt};
//!
//! async_std::task::block_on(async {
//!     let transport = WebsocketServerTransport::builder().port(0).bind().await?;
//!     let url = format!("ws://{}", transport.local_addr());
//!
//!     // A server that answers the handshake.
//!     async_std::task::spawn(async move {
//!         let mut connection = transport.accept().await?;
//!         while let Some(Frame::Text(text)) = connection.next().await {
//!             for message in parse_client_frame(&text, SpecVersion::V4).into_iter().flatten() {
//!                 let reply = ServerInfo::new("Demo", 0).to_message(message.id(), SpecVersion::V4);
//!                 connection.send(Frame::Text(render_server_frame(&[reply]))).await?;
//!             }
//!         }
//!         Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//!     });
//!
//!     // The client side is text frames; `buttplug-client` renders and parses them.
//!     let mut frames = WebsocketClientConnector::new(url).connect().await?;
//!     let hello = ClientMessage::request_server_info(1, "Demo client", SpecVersion::V4);
//!     frames.send(render_client_frame(&[hello])).await?;
//!     let frame = frames.next().await.ok_or("no reply")??;
//!     let reply = parse_server_frame(&frame, SpecVersion::V4).remove(0)?;
//!     assert_eq!(ServerInfo::from_message(&reply), Some((ServerInfo::new("Demo", 0), 4)));
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With `buttplug-client`, pass the connector to `ButtplugClient::connect`.
//!
//! # Features
//!
//! - `tls`: `wss://` URLs for the client connector: rustls (through `futures-rustls`) with the
//!   ring provider, TLS 1.2 and 1.3, and the Mozilla root certificates (`webpki-roots`). Without
//!   it, a `wss://` URL fails with [`TransportError::TlsNotCompiled`].
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod client;
mod connection;
mod error;
mod rt;
mod server;

pub use buttplug_core::ButtplugConnector;
pub use client::{
    CONNECT_TIMEOUT, DialOptions, WebsocketClientConnector, WebsocketClientTransport, dial,
    dial_with,
};
pub use connection::Connection;
pub use error::TransportError;
pub use server::{
    BUSY_MESSAGE, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_FRAME_SIZE, DEFAULT_PING_INTERVAL,
    DEFAULT_SERVER_PORT, WebsocketServerTransport, WebsocketServerTransportBuilder, busy_message,
};

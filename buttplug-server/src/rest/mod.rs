//! A REST API over the [`DeviceManager`], with a Server-Sent Events stream of what happens.
//!
//! The routes, status codes and JSON of intiface-engine's REST mode are kept, so existing REST
//! users work unchanged. Differences, all additions or fixes:
//!
//! - It runs **next to** the Buttplug WebSocket server: it drives the device manager directly
//!   and takes no client slot, so it keeps working whatever the server's ping time is.
//! - An unknown device or feature is **404** (the engine answers 500), with the engine's text.
//! - Inputs can be read: `GET /devices/{index}/battery`,
//!   `GET /devices/{index}/features/{feature}/inputs/{InputType}`, and subscribed to:
//!   `PUT .../inputs/{InputType}/subscribe` and `.../unsubscribe` (readings then arrive on
//!   `/events`).
//! - `/events` sends JSON (the engine sends Rust debug text), one event per device added or
//!   removed, output written, input reading and scanning change, each with an `id:`; a reader
//!   that reconnects with `Last-Event-ID` gets what it missed from a bounded history.
//! - Requests are bounded (connections, path, headers, body, time to send the headers).
//! - Bound to loopback (the default), it answers only requests whose `Host` is `localhost` or
//!   an IP address (403 otherwise): a web page that points its own name at 127.0.0.1 ("DNS
//!   rebinding") cannot drive toys or change caps through it. With `all_interfaces` any `Host`
//!   is served.
//!
//! # Routes (all under `/api/v1`, matched exactly)
//!
//! | Method | Path | Answer |
//! | --- | --- | --- |
//! | GET | `/start-scanning`, `/stop-scanning` | 200, empty |
//! | GET | `/devices` | 200, `{"<index>": device}` |
//! | PUT | `/devices/stop` | 200, empty: stops every device |
//! | GET | `/devices/{index}` | 200, device |
//! | PUT | `/devices/{index}/stop` | 200, empty |
//! | GET | `/devices/{index}/features` | 200, `{"<feature>": feature}` |
//! | PUT | `/devices/{index}/features/{feature}/` (trailing `/`) | 200, feature |
//! | PUT | `/devices/{index}/outputs/{OutputType}/{level}` | 200, empty: every feature with that output |
//! | PUT | `/devices/{index}/features/{feature}/outputs/{OutputType}/{level}` | 200, empty |
//! | GET | `/devices/{index}/battery` | 200, reading |
//! | GET | `/devices/{index}/features/{feature}/inputs/{InputType}` | 200, reading |
//! | PUT | `/devices/{index}/features/{feature}/inputs/{InputType}/subscribe` (or `unsubscribe`) | 200, empty |
//! | GET | `/events` | 200, `text/event-stream` |
//! | GET | `/scanning` | 200, `{"scanning":true}` |
//! | GET | `/clients` | 200, `[{"id":1,"name":"Game"}]`: the Buttplug clients ([`RestOptions::clients`]) |
//! | GET | `/claims` | 200, `{"0":"Game"}`: in a server shared by several clients, which client holds which device |
//! | GET | `/devices/{index}/limits` | 200, `{"max_level":0.5,"max_ramp":null,"defaults":{"max_level":0.6,"max_ramp":null}}`: the device-wide safety limits, and the server's defaults (`--max-level`, `--max-ramp`) that apply where the device sets none |
//! | PUT | `/devices/{index}/limits/{max_level or max_ramp}/{value or none}` | 200, the new limits: in force from the next command, saved to the user config file |
//!
//! A device is `{"index":0,"name":"Lovense Hush","display_name":null,"features":{...}}`, a feature
//! has the v4 `DeviceList` shape (`FeatureIndex`, `FeatureDescription`, `Output`, `Input`). A
//! reading is `{"index":0,"feature_index":1,"input_type":"Battery","value":87}`. `{level}` is a
//! fraction in −1…1, turned into steps as the Rust client does (`ceil(level × max)` above
//! 0.000001, else `floor`). GET routes also answer HEAD; a wrong method is 405 with `Allow`.
//!
//! Errors are `text/plain; charset=utf-8`: 404 for an unknown path, device or feature; 400
//! `Invalid URL: ...` for a path value that does not parse; 413/414/431 for requests over the
//! [`RestLimits`]; 500 `Library Error: ...` for what the device or the command refused.
//!
//! # Events
//!
//! Each event is `id: <n>` and `data: <json>` (no `event:` line, so `EventSource.onmessage` sees
//! them all). The JSON has a `type`: `DeviceAdded` (the device's fields as above),
//! `DeviceRemoved` (`index`), `OutputChanged` (`index`, `feature_index`, `output_type`,
//! `value` in hardware steps, `duration_ms` for `HwPositionWithDuration`), `InputReading` (a
//! reading), `ScanningStarted`, `ScanningStopped`, `ClaimChanged` (`index`, `client`: the
//! client that now holds the device in a shared server, `null` when it became free), and with [`RestOptions::clients`]
//! `ClientConnected` (`id`, `name`) and `ClientDisconnected` (`id`). When a `Last-Event-ID` is older than the
//! history, an `EventsMissed` event without `id` comes first, then the whole history. A reader
//! too slow to keep up is disconnected (it can reconnect and resume). A `:` comment line is sent
//! after [`RestOptions::keepalive`] without events.
//!
//! # Web panel
//!
//! With [`RestOptions::panel`] the server also answers `GET /` with a control panel for people
//! (plain HTML, CSS and JavaScript built into the binary; nothing is fetched from elsewhere) that
//! uses the routes and events above: devices with their features, battery and a chart of their
//! output levels over the last minute, the connected clients, scanning, Stop All, a level cap
//! per device and sliders to drive the outputs by hand.
//!
//! # Example
//!
//! ```
//! use buttplug_devices::DeviceDatabase;
//! use buttplug_server::DeviceManagerBuilder;
//! use buttplug_server::managers::simulated::SimulatedCommunicationManagerBuilder;
//! use buttplug_server::rest::{self, RestOptions};
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//!
//! let server = buttplug_server::block_on(async {
//!     let devices = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
//!         .comm_manager(SimulatedCommunicationManagerBuilder::new())
//!         .finish()?;
//!     // Port 0: the OS picks one; 127.0.0.1 unless `all_interfaces` is set.
//!     Ok::<_, Box<dyn std::error::Error>>(rest::serve(devices, RestOptions::default()).await?)
//! })?;
//! // Any HTTP client will do; here a blocking one from the standard library.
//! let mut s = std::net::TcpStream::connect(server.local_addr())?;
//! s.write_all(b"GET /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
//! let mut reply = String::new();
//! s.read_to_string(&mut reply)?;
//! assert!(reply.starts_with("HTTP/1.1 200"));
//! assert!(reply.ends_with("{}"));
//! buttplug_server::block_on(server.stop());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod clients;
mod events;
mod http;
mod panel;
mod routes;

use crate::DeviceManager;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

pub use clients::{ClientEntry, Clients};
pub use http::RestServer;

/// Bounds on what one client may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestLimits {
    /// Most connections open at once (SSE readers included); further ones are closed at once.
    pub max_connections: usize,
    /// Longest request target (path and query) in bytes; longer is 414.
    pub max_path_bytes: usize,
    /// Most bytes of the request head (request line and headers) the server buffers; more is
    /// 431 (hyper's limit, at least 8192).
    pub max_head_bytes: usize,
    /// Most header fields; more is 431.
    pub max_headers: usize,
    /// Largest declared `Content-Length`; more is 413. No route reads a body: a body is
    /// discarded unread and the connection then closed.
    pub max_body_bytes: u64,
    /// Time a client has to send a request head, on a new connection or between requests;
    /// then the connection is closed.
    pub header_timeout: Duration,
}

impl Default for RestLimits {
    fn default() -> Self {
        RestLimits {
            max_connections: 64,
            max_path_bytes: 1024,
            max_head_bytes: 8192,
            max_headers: 32,
            max_body_bytes: 64 * 1024,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// Options of [`serve`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestOptions {
    /// TCP port; 0 lets the OS choose (see [`RestServer::local_addr`]).
    pub port: u16,
    /// Listen on every interface (`0.0.0.0`) instead of `127.0.0.1` only.
    pub all_interfaces: bool,
    /// Request bounds.
    pub limits: RestLimits,
    /// How many recent events `/events` keeps for readers that resume with `Last-Event-ID`.
    pub event_history: usize,
    /// Idle time after which `/events` sends a keep-alive comment.
    pub keepalive: Duration,
    /// Serve the web control panel at `/` as well (see the module docs).
    pub panel: bool,
    /// The Buttplug clients to show at `/clients` and on `/events` (none: an empty list).
    pub clients: Option<Clients>,
}

impl Default for RestOptions {
    fn default() -> Self {
        RestOptions {
            port: 0,
            all_interfaces: false,
            limits: RestLimits::default(),
            event_history: 256,
            keepalive: Duration::from_secs(15),
            panel: false,
            clients: None,
        }
    }
}

impl RestOptions {
    /// Options for a port (127.0.0.1, default limits).
    pub fn port(port: u16) -> Self {
        RestOptions {
            port,
            ..RestOptions::default()
        }
    }

    /// The address [`serve`] binds.
    pub fn bind_address(&self) -> SocketAddr {
        let ip = if self.all_interfaces {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        SocketAddr::new(ip, self.port)
    }
}

/// Errors of [`serve`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestError {
    /// The listening socket could not be bound (`source.kind()` is `AddrInUse` for a port in
    /// use).
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Bind [`RestOptions::bind_address`] and serve the REST API over `device_manager` until
/// [`RestServer::stop`] (or until the [`RestServer`] is dropped).
///
/// # Errors
/// [`RestError::Bind`].
pub async fn serve(
    device_manager: DeviceManager,
    options: RestOptions,
) -> Result<RestServer, RestError> {
    let address = options.bind_address();
    let listener = std::net::TcpListener::bind(address)
        .map_err(|source| RestError::Bind { address, source })?;
    serve_listener(listener, device_manager, options)
}

/// Serve the REST API on a listener the caller bound (`options.port` and
/// `options.all_interfaces` are then unused).
///
/// # Errors
/// [`RestError::Bind`] when the listener cannot be made non-blocking or has no address.
pub fn serve_listener(
    listener: std::net::TcpListener,
    device_manager: DeviceManager,
    options: RestOptions,
) -> Result<RestServer, RestError> {
    http::start(listener, device_manager, options)
}

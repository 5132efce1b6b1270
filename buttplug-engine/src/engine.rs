//! [`Engine`]: one run of the engine, its stop handle and its event stream.

use crate::event::{EngineEvent, ErrorDetail};
use crate::managers::{LooksFor, manager_plans};
use crate::options::EngineOptions;
use crate::watch::Watched;
use crate::{repeater, rt};
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::rest::{Clients, RestError, RestOptions};
use buttplug_server::user_config::UserConfigFile;
use buttplug_server::{
    ButtplugServer, ButtplugServerBuilder, DeviceManager, DeviceManagerBuilder, DeviceManagerEvent,
    DeviceObservation,
};
use buttplug_transport_ws::{
    TransportError, WebsocketClientTransport, WebsocketServerTransportBuilder,
};
use futures::future::{Either, select};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Capacity of the event channel ([`Engine::events`]); further events are dropped while it is
/// full.
pub const EVENT_CAPACITY: usize = 256;

/// Dial-out mode: the wait before the first redial after a failed or ended connection. Each
/// further failure doubles it, up to [`REDIAL_MAX_DELAY`]; a connection that opens resets it.
pub const REDIAL_FIRST_DELAY: Duration = Duration::from_millis(250);

/// Dial-out mode: the longest wait between two attempts.
pub const REDIAL_MAX_DELAY: Duration = Duration::from_secs(10);

/// Capacity of the [`Engine::listening`] channel.
const LISTENING_CAPACITY: usize = 8;

/// Why a run failed. The `Display` text is what the `buttplug` command prints.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// `--websocket-listen-address` was given with a flag it replaces.
    #[error("--websocket-listen-address conflicts with {with}")]
    ListenAddressConflict {
        /// The other flag(s).
        with: &'static str,
    },
    /// `--websocket-listen-address` is not usable.
    #[error("--websocket-listen-address {address:?}: {reason}")]
    BadListenAddress {
        /// What was given.
        address: String,
        /// Why it is not usable.
        reason: &'static str,
    },
    /// Neither a listen address nor a dial-out address.
    #[error(
        "no websocket port: give --websocket-port, --websocket-listen-address or \
         --websocket-client-address"
    )]
    NoListenAddress,
    /// `--repeater` without its addresses.
    #[error("--repeater needs --repeater-port and --websocket-client-address (the remote server)")]
    RepeaterOptions,
    /// The device config, the user device config or a simulated device is not usable.
    #[error("{0}")]
    Config(String),
    /// A listener's port is taken.
    #[error("{what} cannot listen on {address}: the port is already in use")]
    PortInUse {
        /// Which listener.
        what: &'static str,
        /// The address it tried.
        address: SocketAddr,
    },
    /// A listener could not bind or accept for another reason.
    #[error("{what} cannot listen on {address}: {reason}")]
    Listen {
        /// Which listener.
        what: &'static str,
        /// The address it tried.
        address: SocketAddr,
        /// The system's reason.
        reason: String,
    },
    /// The dial-out address can never work (not a `ws://` URL, or `wss://` in a build without
    /// TLS).
    #[error("--websocket-client-address: {0}")]
    DialAddress(String),
}

impl EngineError {
    /// The machine-readable detail for the `EngineError` event.
    pub fn detail(&self) -> Option<ErrorDetail> {
        match self {
            EngineError::PortInUse { address, .. } => Some(ErrorDetail::PortInUse {
                address: address.ip().to_string(),
                port: address.port(),
            }),
            _ => None,
        }
    }

    /// The error for a listener that failed to bind.
    pub(crate) fn listen(what: &'static str, address: SocketAddr, e: &std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            EngineError::PortInUse { what, address }
        } else {
            EngineError::Listen {
                what,
                address,
                reason: e.to_string(),
            }
        }
    }
}

/// An address the engine bound (reported on [`Engine::listening`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Listening {
    /// The client WebSocket server.
    Client(SocketAddr),
    /// The device WebSocket server (`use_device_websocket_server`).
    DeviceWebsocket(SocketAddr),
    /// The repeater.
    Repeater(SocketAddr),
    /// The REST API (`rest_api_port`).
    Rest(SocketAddr),
    /// The web control panel and its REST API (`web_port`).
    Web(SocketAddr),
}

/// Stops a running engine: the serving ends, every device is stopped and disconnected, the
/// user config is saved, `EngineStopped` is sent and [`Engine::run`] returns `Ok`. Cheap to
/// clone; stopping twice, or after the run ended, does nothing. A stop before the run starts
/// makes the run stop at once.
#[derive(Debug, Clone)]
pub struct StopHandle {
    tx: async_channel::Sender<()>,
}

impl StopHandle {
    /// Ask the engine to stop (returns at once; [`Engine::run`] returns when it has).
    pub fn stop(&self) {
        let _ = self.tx.try_send(());
    }
}

/// Sends events without ever waiting.
#[derive(Debug, Clone)]
pub(crate) struct Emitter {
    events: async_channel::Sender<EngineEvent>,
    listening: async_channel::Sender<Listening>,
    devices: async_channel::Sender<DeviceManager>,
    /// The client list the REST servers show, when any runs.
    pub(crate) clients: Option<Clients>,
}

impl Emitter {
    pub(crate) fn emit(&self, event: EngineEvent) {
        if let Err(async_channel::TrySendError::Full(event)) = self.events.try_send(event) {
            tracing::warn!("engine event channel full; dropped {}", event.to_json());
        }
    }

    pub(crate) fn listening(&self, address: Listening) {
        let _ = self.listening.try_send(address);
    }
}

/// One run of the engine. Create it, take its [`events`](Engine::events),
/// [`listening`](Engine::listening) and [`stop_handle`](Engine::stop_handle), then
/// [`run`](Engine::run) it.
#[derive(Debug)]
pub struct Engine {
    options: EngineOptions,
    events: (
        async_channel::Sender<EngineEvent>,
        async_channel::Receiver<EngineEvent>,
    ),
    listening: (
        async_channel::Sender<Listening>,
        async_channel::Receiver<Listening>,
    ),
    stop: (async_channel::Sender<()>, async_channel::Receiver<()>),
    devices: (
        async_channel::Sender<DeviceManager>,
        async_channel::Receiver<DeviceManager>,
    ),
}

impl Engine {
    /// An engine that will run with these options.
    pub fn new(options: EngineOptions) -> Engine {
        Engine {
            options,
            events: async_channel::bounded(EVENT_CAPACITY),
            listening: async_channel::bounded(LISTENING_CAPACITY),
            stop: async_channel::bounded(1),
            devices: async_channel::bounded(1),
        }
    }

    /// The device manager once the engine has built it (once per run; never in repeater
    /// mode): for hosts that add their own ways in, such as an emergency-stop socket.
    pub fn device_manager(&self) -> async_channel::Receiver<DeviceManager> {
        self.devices.1.clone()
    }

    /// The options.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The event stream (a bounded channel; the receiver is a `futures::Stream`). Every
    /// receiver taken shares the one queue: each event goes to one of them. Events sent while
    /// nobody holds a receiver are dropped.
    pub fn events(&self) -> async_channel::Receiver<EngineEvent> {
        self.events.1.clone()
    }

    /// The addresses the engine binds, as it binds them.
    pub fn listening(&self) -> async_channel::Receiver<Listening> {
        self.listening.1.clone()
    }

    /// A handle that stops the run.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            tx: self.stop.0.clone(),
        }
    }

    /// Run until stopped or until a fatal error. Sends `EngineStarted` first and
    /// `EngineStopped` last; a fatal error is also sent as `EngineError` just before
    /// `EngineStopped`.
    ///
    /// # Errors
    /// Bad options (listen-address conflicts, no mode, a feature not available), an unusable
    /// device or user config, a listener that cannot bind (the port in use is
    /// [`EngineError::PortInUse`]), a dial-out URL that can never work.
    pub async fn run(self) -> Result<(), EngineError> {
        let Engine {
            options,
            events: (events, own_events),
            listening: (listening, own_listening),
            stop: (_, stop),
            devices: (devices, own_devices),
        } = self;
        // The host's receivers keep the channels open; ours must not.
        drop((own_events, own_listening, own_devices));
        let emitter = Emitter {
            events,
            listening,
            devices,
            clients: None,
        };
        emitter.emit(EngineEvent::EngineStarted {});
        let outcome = run_mode(&options, &emitter, stop).await;
        if let Err(e) = &outcome {
            tracing::error!("{e}");
            emitter.emit(EngineEvent::EngineError {
                error: e.to_string(),
                detail: e.detail(),
            });
        }
        emitter.emit(EngineEvent::EngineStopped {});
        outcome
    }
}

async fn run_mode(
    options: &EngineOptions,
    emitter: &Emitter,
    stop: async_channel::Receiver<()>,
) -> Result<(), EngineError> {
    if options.repeater_mode {
        let (Some(port), Some(remote)) = (
            options.repeater_local_port,
            options.repeater_remote_address.as_deref(),
        ) else {
            return Err(EngineError::RepeaterOptions);
        };
        let relaying = repeater::run(port, remote.to_string(), emitter.clone());
        return match select(Box::pin(relaying), Box::pin(stop.recv())).await {
            Either::Left((result, _)) => result,
            Either::Right(_) => Ok(()),
        };
    }
    if options.websocket_listen_address.is_none() && options.websocket_client_address.is_none() {
        return Err(EngineError::NoListenAddress);
    }
    let (db, user_file) = load_database(options)?;
    let device_manager = device_manager(options, db, user_file.clone(), emitter)?;
    let _ = emitter.devices.try_send(device_manager.clone());
    let server = ButtplugServerBuilder::new()
        .name(options.server_name.clone())
        .max_ping_time(Duration::from_millis(u64::from(options.max_ping_time)))
        .allow_raw(options.allow_raw)
        .max_clients(options.max_clients)
        .device_manager(device_manager.clone())
        .finish();
    // The REST API next to the Buttplug server: it drives the device manager directly (no
    // client slot, no ping), on 127.0.0.1 unless the client server listens on every interface.
    // The web panel is the same HTTP server with the panel's files at `/`; both show the
    // Buttplug clients, which the connection watcher reports.
    let clients =
        (options.rest_api_port.is_some() || options.web_port.is_some()).then(Clients::new);
    let mut _http = Vec::new();
    for (port, panel) in [(options.rest_api_port, false), (options.web_port, true)] {
        let Some(port) = port else { continue };
        let all_interfaces = options
            .websocket_listen_address
            .is_some_and(|a| a.ip().is_unspecified());
        let mut rest_options = RestOptions::default();
        rest_options.port = port;
        rest_options.all_interfaces = all_interfaces;
        rest_options.panel = panel;
        rest_options.clients = clients.clone();
        let what = if panel {
            "the web panel"
        } else {
            "the REST API"
        };
        let rest = buttplug_server::rest::serve(device_manager.clone(), rest_options)
            .await
            .map_err(|e| match e {
                RestError::Bind { address, source } => EngineError::listen(what, address, &source),
                other => EngineError::Config(other.to_string()),
            })?;
        if panel {
            tracing::info!("web panel listening on http://{}/", rest.local_addr());
            emitter.listening(Listening::Web(rest.local_addr()));
        } else {
            tracing::info!("REST API listening on http://{}", rest.local_addr());
            emitter.listening(Listening::Rest(rest.local_addr()));
        }
        _http.push(rest);
    }
    let emitter = &Emitter {
        clients,
        ..emitter.clone()
    };
    if !options.broadcast_server_mdns || options.websocket_listen_address.is_none() {
        // With mDNS, `EngineServerCreated` carries the advertisement, once the port is bound.
        emitter.emit(EngineEvent::EngineServerCreated {
            service_type: None,
            instance_name: None,
            port: None,
            txt_records: None,
        });
    }
    let observations = options
        .emit_output_observations
        .then(|| device_manager.observe());
    let (forwarding, forwarder) = futures::future::abortable(forward_device_events(
        device_manager.event_receiver(),
        observations,
        emitter.clone(),
    ));
    rt::spawn(async move {
        let _ = forwarding.await;
    });
    // Dropped at the end of the run: every session still running ends with it.
    let (ending, ended) = async_channel::bounded::<()>(1);
    let serving = serve_clients(options, server, emitter, ended);
    let outcome = match select(Box::pin(serving), Box::pin(stop.recv())).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => {
            tracing::info!("stop requested");
            Ok(())
        }
    };
    drop(ending);
    tracing::info!("stopping every device");
    device_manager.shutdown().await;
    forwarder.abort();
    if let Some(file) = &user_file {
        // Normally written already (when the device was seen).
        if let Err(e) = file.save() {
            tracing::error!("{e}");
        }
    }
    outcome
}

/// Device-list changes as `DeviceConnected` / `DeviceDisconnected`, and output observations
/// as `DeviceOutputObservation` when asked for.
async fn forward_device_events(
    events: async_broadcast::Receiver<DeviceManagerEvent>,
    observations: Option<async_broadcast::Receiver<DeviceObservation>>,
    emitter: Emitter,
) {
    use futures::StreamExt;
    // Each stream skips what it lost to overflow and ends when the device manager is gone.
    let events = events.filter_map(|event| async move {
        match event {
            DeviceManagerEvent::DeviceAdded(device) => Some(EngineEvent::device_connected(&device)),
            DeviceManagerEvent::DeviceRemoved(index) => {
                Some(EngineEvent::DeviceDisconnected { index })
            }
            _ => None,
        }
    });
    let observations =
        futures::stream::iter(observations)
            .flatten()
            .filter_map(|observation| async move {
                match observation {
                    DeviceObservation::Output { index, command } => {
                        Some(EngineEvent::DeviceOutputObservation {
                            device_index: index,
                            feature_index: command.feature_index,
                            output_type: command.output_type.as_str().to_string(),
                            value: f64::from(command.value),
                        })
                    }
                    _ => None,
                }
            });
    let mut both = futures::stream::select(Box::pin(events), Box::pin(observations));
    while let Some(event) = both.next().await {
        emitter.emit(event);
    }
}

/// The device database: the base config (or the built-in one) with the user device config on
/// top, and the user config file newly seen devices are written to.
fn load_database(
    options: &EngineOptions,
) -> Result<(DeviceDatabase, Option<Arc<UserConfigFile>>), EngineError> {
    let mut db = match (&options.device_config_json, &options.device_config_file) {
        (Some(text), _) => DeviceDatabase::from_json(text, "device_config_json")
            .map_err(|e| EngineError::Config(e.to_string()))?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))?;
            DeviceDatabase::from_json(&text, &path.display().to_string())
                .map_err(|e| EngineError::Config(e.to_string()))?
        }
        (None, None) => DeviceDatabase::builtin().clone(),
    };
    let mut user_file = None;
    if let Some(path) = &options.user_device_config_file {
        if !path.exists() {
            tracing::info!(
                "user device config {} does not exist yet; it is created when a device is first seen",
                path.display()
            );
        }
        let (file, with_user) = UserConfigFile::load(path, &db).map_err(|e| {
            EngineError::Config(format!(
                "{e}\nthe server did not start: fix the user device config or remove it"
            ))
        })?;
        db = with_user;
        user_file = Some(file);
    }
    for w in db.warnings() {
        tracing::warn!("{w}");
    }
    Ok((db, user_file))
}

/// The device manager with every manager the options ask for.
fn device_manager(
    options: &EngineOptions,
    db: DeviceDatabase,
    user_file: Option<Arc<UserConfigFile>>,
    emitter: &Emitter,
) -> Result<DeviceManager, EngineError> {
    let mut builder = DeviceManagerBuilder::new(Arc::new(db.clone()))
        .limits(options.limits)
        .idle_stop(options.idle_stop);
    if let Some(file) = user_file {
        builder = builder.user_config_file(file);
    }
    for plan in manager_plans(options, &db).map_err(EngineError::Config)? {
        if let LooksFor::Nothing(why) = &plan.looks_for {
            emitter.emit(EngineEvent::EngineError {
                error: format!("{}: {why}", plan.flags.join(", ")),
                detail: None,
            });
        }
        if let Some(bound) = plan.bound {
            let emitter = emitter.clone();
            rt::spawn(async move {
                if let Ok(address) = bound.await {
                    tracing::info!("device websocket server listening on ws://{address}");
                    emitter.listening(Listening::DeviceWebsocket(address));
                }
            });
        }
        if let Some(manager) = plan.builder {
            builder = builder.boxed_comm_manager(manager);
        }
    }
    builder
        .finish()
        .map_err(|e| EngineError::Config(e.to_string()))
}

/// Serve clients: listen, or dial out. Returns only on a fatal error.
async fn serve_clients(
    options: &EngineOptions,
    server: ButtplugServer,
    emitter: &Emitter,
    ended: async_channel::Receiver<()>,
) -> Result<(), EngineError> {
    if let Some(address) = options.websocket_listen_address {
        let transport = WebsocketServerTransportBuilder::new()
            .listen_address(address.ip())
            .port(address.port())
            .max_clients(options.max_clients)
            .bind()
            .await
            .map_err(|e| match io_error(&e) {
                Some(io) => EngineError::listen("the client websocket server", address, io),
                None => EngineError::Listen {
                    what: "the client websocket server",
                    address,
                    reason: e.to_string(),
                },
            })?;
        let local = transport.local_addr();
        tracing::info!("client websocket listening on ws://{local}");
        emitter.listening(Listening::Client(local));
        // Advertised for as long as the server listens (dropping it unregisters the service).
        let _mdns = if options.broadcast_server_mdns {
            let advertisement =
                buttplug_server::mdns::advertise(local.port(), options.mdns_suffix.as_deref())
                    .map_err(|e| EngineError::Config(format!("mDNS advertisement: {e}")))?;
            tracing::info!(
                "advertised as {} ({}) on port {}",
                advertisement.instance_name(),
                advertisement.service_type(),
                advertisement.port()
            );
            emitter.emit(EngineEvent::EngineServerCreated {
                service_type: Some(advertisement.service_type().to_string()),
                instance_name: Some(advertisement.instance_name().to_string()),
                port: Some(advertisement.port()),
                txt_records: Some(advertisement.txt_records()),
            });
            Some(advertisement)
        } else {
            None
        };
        loop {
            let connection = transport.accept().await.map_err(|e| EngineError::Listen {
                what: "the client websocket server",
                address: local,
                reason: e.to_string(),
            })?;
            let server = server.clone();
            let watched = Watched::new(connection, emitter.clone());
            let ended = ended.clone();
            rt::spawn(async move {
                let session = server.serve_connection(watched);
                // The run ended: the session (and its socket) goes with it.
                let _ = select(Box::pin(session), Box::pin(ended.recv())).await;
            });
        }
    }
    let Some(url) = &options.websocket_client_address else {
        return Err(EngineError::NoListenAddress);
    };
    let mut delay = REDIAL_FIRST_DELAY;
    loop {
        match WebsocketClientTransport::connect(url).await {
            Ok(connection) => {
                tracing::info!("connected to client websocket {url}");
                server
                    .serve_connection(Watched::new(connection, emitter.clone()))
                    .await;
                tracing::info!("client connection ended; dialing again");
                delay = REDIAL_FIRST_DELAY;
            }
            Err(e @ (TransportError::BadUrl { .. } | TransportError::TlsNotCompiled)) => {
                return Err(EngineError::DialAddress(e.to_string()));
            }
            Err(e) => {
                let error = format!("cannot reach client {url}: {}", chain(&e));
                tracing::warn!("{error}; next try in {delay:?}");
                emitter.emit(EngineEvent::EngineError {
                    error,
                    detail: None,
                });
            }
        }
        rt::sleep(delay).await;
        delay = (delay * 2).min(REDIAL_MAX_DELAY);
    }
}

/// The I/O error under a transport error, if any.
fn io_error(e: &TransportError) -> Option<&std::io::Error> {
    let source = std::error::Error::source(e)?;
    source.downcast_ref::<std::io::Error>().or_else(|| {
        source
            .downcast_ref::<Arc<std::io::Error>>()
            .map(AsRef::as_ref)
    })
}

/// An error with its causes, `: `-separated.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

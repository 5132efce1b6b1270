//! An embeddable Buttplug engine, a drop-in for intiface-engine 5.0.5's library: a GUI or a
//! service fills in [`EngineOptions`] (every flag of the `buttplug` command line; `Default` is
//! the engine's defaults), calls [`Engine::run`], stops it with a [`StopHandle`] and follows
//! it through a bounded stream of [`EngineEvent`]s whose JSON form is the engine's
//! `EngineMessage` (`{"ClientConnected":{"client_name":"..."}}`, ...).
//!
//! One run is in one mode: **repeater** (relay local clients to a remote server, unmodified),
//! **WebSocket server** (the usual: apps connect to `ws://127.0.0.1:12345`), or **dial-out**
//! (the server connects to a listening client, retried with capped exponential back-off).
//! The REST API (and the web panel, `web_port`) and the mDNS advertisement run next to the
//! WebSocket server when asked for.
//!
//! Events are never waited on: when the host does not read them and the channel
//! ([`EVENT_CAPACITY`]) is full, new events are dropped (with a warning in the log).
//! [`Engine::listening`] reports the addresses actually bound (useful with port 0).
//!
//! # Example: a server with a simulated Lovense Hush on a free port
//!
//! ```
//! use buttplug_engine::{Engine, EngineEvent, EngineOptions, Listening};
//!
//! async_std::task::block_on(async {
//!     let engine = Engine::new(EngineOptions {
//!         websocket_listen_address: Some("127.0.0.1:0".parse()?),
//!         simulated_devices: vec!["Lovense Hush".into()],
//!         ..EngineOptions::default()
//!     });
//!     let events = engine.events();
//!     let listening = engine.listening();
//!     let stop = engine.stop_handle();
//!     let running = async_std::task::spawn(engine.run());
//!
//!     let Listening::Client(address) = listening.recv().await? else { panic!("client port first") };
//!     let client = buttplug_client::ButtplugClient::new("Example Game");
//!     let connector = buttplug_transport_ws::WebsocketClientConnector::new(format!("ws://{address}"));
//!     async_std::task::spawn(client.connect(connector).await?);
//!     client.start_scanning().await?;
//!     loop {
//!         match events.recv().await? {
//!             EngineEvent::DeviceConnected { name, .. } => { assert_eq!(name, "Lovense Hush"); break }
//!             other => println!("{}", other.to_json()), // {"EngineStarted":{}}, ...
//!         }
//!     }
//!     stop.stop();
//!     running.await?;
//!     while let Ok(event) = events.recv().await {
//!         if event == (EngineEvent::EngineStopped {}) { break }
//!     }
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! `btleplug`, `serial`, `usb`, `hid`, `lovense-dongle`, `lovense-connect` (all on by
//! default): the hardware back ends. A `use_*` option whose back end is compiled out logs a
//! warning, sends an `EngineError` event and finds nothing.
#![doc(test(attr(deny(warnings))))]

mod engine;
mod event;
pub mod managers;
mod options;
mod repeater;
mod rt;
mod watch;

pub use engine::{
    EVENT_CAPACITY, Engine, EngineError, Listening, REDIAL_FIRST_DELAY, REDIAL_MAX_DELAY,
    StopHandle,
};
pub use event::{DeviceIdentifier, EngineEvent, ErrorDetail};
pub use options::{
    DEFAULT_SERVER_NAME, ENGINE_COMPAT_VERSION, EngineOptions, resolve_listen_address,
};

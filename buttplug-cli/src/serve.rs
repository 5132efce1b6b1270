//! The server: `buttplug [FLAGS]` (intiface-engine's command line) and `buttplug serve [FLAGS]`
//! (the same flags; the client WebSocket port defaults to 12345). A thin layer over
//! `buttplug-engine`: flags → [`EngineOptions`] → [`Engine::run`].

use buttplug_engine::{
    ENGINE_COMPAT_VERSION, Engine, EngineOptions, Listening, resolve_listen_address,
};
use buttplug_server::managers::websocket_devices::DEFAULT_DEVICE_WEBSOCKET_PORT;
use clap::Args;
use std::path::PathBuf;

/// The client WebSocket port `buttplug serve` uses when none is given (the port every Buttplug
/// app expects). The engine command line has no default, like intiface-engine.
pub(crate) const DEFAULT_WEBSOCKET_PORT: u16 = 12345;

/// The server's flags: intiface-engine 5.0.5's, same names and value forms, plus ours.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // one switch per flag, as on the command line
pub(crate) struct EngineArgs {
    /// Print the version and exit.
    #[arg(long)]
    pub version: bool,
    /// Print the intiface-engine version whose command line this follows (5.0.5) and exit.
    #[arg(long)]
    pub server_version: bool,
    /// Port of the client WebSocket server, on 127.0.0.1 (0: a free port). No default on the
    /// engine command line; 12345 with `serve`.
    #[arg(long, value_name = "PORT")]
    pub websocket_port: Option<u16>,
    /// With --websocket-port: listen on every interface (0.0.0.0), and the device WebSocket
    /// server too.
    #[arg(long)]
    pub websocket_use_all_interfaces: bool,
    /// Listen on this address (`ip:port`, `[ipv6]:port`) instead of --websocket-port. A bare IP
    /// takes the port from --websocket-port.
    #[arg(long, value_name = "ADDRESS")]
    pub websocket_listen_address: Option<String>,
    /// Instead of listening, connect out to this client WebSocket (ws://host:port) and serve
    /// it; retried with back-off. With --repeater: the remote server to relay to.
    #[arg(long, value_name = "URL")]
    pub websocket_client_address: Option<String>,
    /// No-op: accepted for compatibility (intiface-engine 5 opens nothing on it either).
    #[arg(long, value_name = "PORT")]
    pub frontend_websocket_port: Option<u16>,
    /// Name sent to clients.
    #[arg(long, default_value = buttplug_engine::DEFAULT_SERVER_NAME)]
    pub server_name: String,
    /// Device config file replacing the built-in database.
    #[arg(long, value_name = "PATH")]
    pub device_config_file: Option<PathBuf>,
    /// User device config file (extra specifiers, allow/deny, indexes, ranges, simulated
    /// devices). Must load, or the server does not start; newly seen devices are added to it so
    /// they keep their index.
    #[arg(long, value_name = "PATH")]
    pub user_device_config_file: Option<PathBuf>,
    /// Ping timeout in ms (0 = off).
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub max_ping_time: u32,
    /// Log level: error, warn, info, debug, trace, or 1-5 (1 = error). Without it RUST_LOG
    /// applies, else info.
    #[arg(long, value_name = "LEVEL")]
    pub log: Option<String>,
    /// Find Bluetooth LE devices.
    #[arg(long)]
    pub use_bluetooth_le: bool,
    /// Find serial-port devices named in the user config.
    #[arg(long)]
    pub use_serial: bool,
    /// Find HID devices.
    #[arg(long)]
    pub use_hid: bool,
    /// Find raw USB devices.
    #[arg(long)]
    pub use_usb: bool,
    /// Use a Lovense USB dongle (serial variant).
    #[arg(long)]
    pub use_lovense_dongle_serial: bool,
    /// Use a Lovense USB dongle (HID variant).
    #[arg(long)]
    pub use_lovense_dongle_hid: bool,
    /// Gamepads with rumble as vibrators (Linux: evdev force feedback; needs write access to
    /// /dev/input/event*).
    #[arg(long)]
    pub use_sdl_gamepad: bool,
    /// XInput gamepads (intiface-engine 4): an alias of --use-sdl-gamepad.
    #[arg(long)]
    pub use_xinput: bool,
    /// Find toys through the Lovense Connect app.
    #[arg(long)]
    pub use_lovense_connect: bool,
    /// Address of a Lovense Connect app to use (e.g. http://192.168.1.44:34567) instead of
    /// finding apps through Lovense's public lookup (https).
    #[arg(long, value_name = "URL")]
    pub lovense_connect_app: Option<String>,
    /// Accept devices that dial in over WebSocket (device simulators).
    #[arg(long)]
    pub use_device_websocket_server: bool,
    /// Port of the device WebSocket server.
    #[arg(long, default_value_t = DEFAULT_DEVICE_WEBSOCKET_PORT, value_name = "PORT")]
    pub device_websocket_server_port: u16,
    /// Advertise the server over mDNS (service `_intiface_engine._tcp`, the bound port).
    #[arg(long)]
    pub broadcast_server_mdns: bool,
    /// Suffix of the mDNS instance name (only with --broadcast-server-mdns).
    #[arg(long, value_name = "SUFFIX")]
    pub mdns_suffix: Option<String>,
    /// Repeater: relay clients connecting to 127.0.0.1:--repeater-port to
    /// --websocket-client-address, unmodified. No server runs.
    #[arg(long)]
    pub repeater: bool,
    /// Port of the repeater.
    #[arg(long, value_name = "PORT")]
    pub repeater_port: Option<u16>,
    /// Serve intiface-engine's REST API (`/api/v1/...`) and its event stream on this port,
    /// next to the WebSocket server (127.0.0.1 unless --websocket-use-all-interfaces).
    #[arg(long, value_name = "PORT")]
    pub rest_api_port: Option<u16>,
    /// Serve the web control panel (and the REST API) on this port, on 127.0.0.1 unless
    /// --websocket-use-all-interfaces.
    #[arg(long, value_name = "PORT")]
    pub web_port: Option<u16>,
    /// Add a simulated device: a database name ("Lovense Hush") or protocol:identifier
    /// ("lovense:Z"). Repeatable.
    #[arg(long, value_name = "SPEC")]
    pub simulate: Vec<String>,
    /// Serve raw endpoint commands (off by default). Raw commands are bytes for the device:
    /// --max-level, --max-ramp and the user config's limits cannot apply to them.
    #[arg(long)]
    pub allow_raw: bool,
    /// Serve up to N clients at once (default 1, as intiface-engine). Above 1 each device
    /// belongs to the client that drives it until that client stops it or leaves; another
    /// client's command to it gets an error naming the holder. Not with
    /// --websocket-client-address, which serves its one connection.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..),
          conflicts_with = "websocket_client_address")]
    pub max_clients: u32,
    /// Safety limits, idle stop and the emergency-stop control socket.
    #[command(flatten)]
    pub safety: crate::control::SafetyArgs,
    /// No-op: accepted for compatibility (crash reporting was removed from intiface-engine).
    #[arg(long)]
    pub crash_reporting: bool,
    /// No-op: accepted for compatibility (an intiface-engine debug-build flag).
    #[arg(long)]
    pub crash_main_thread: bool,
    /// No-op: accepted for compatibility (an intiface-engine debug-build flag).
    #[arg(long)]
    pub crash_task_thread: bool,
}

impl EngineArgs {
    /// The engine options these flags say. `serve` gives the client port a default.
    ///
    /// # Errors
    /// The listen-address conflicts and an unusable `--websocket-listen-address`.
    pub(crate) fn to_options(&self, serve: bool) -> Result<EngineOptions, String> {
        // `serve` listens on 12345 unless told otherwise or told to dial out / relay.
        let default_port = (serve && !self.repeater && self.websocket_client_address.is_none())
            .then_some(DEFAULT_WEBSOCKET_PORT);
        let listen = resolve_listen_address(
            self.websocket_port,
            self.websocket_use_all_interfaces,
            self.websocket_listen_address.as_deref(),
            default_port,
        )
        .map_err(|e| e.to_string())?;
        Ok(EngineOptions {
            server_name: self.server_name.clone(),
            websocket_listen_address: listen,
            websocket_client_address: (!self.repeater)
                .then(|| self.websocket_client_address.clone())
                .flatten(),
            max_ping_time: self.max_ping_time,
            device_config_file: self.device_config_file.clone(),
            device_config_json: None,
            user_device_config_file: self.user_device_config_file.clone(),
            use_bluetooth_le: self.use_bluetooth_le,
            use_serial_port: self.use_serial,
            use_hid: self.use_hid,
            use_usb: self.use_usb,
            use_lovense_dongle_serial: self.use_lovense_dongle_serial,
            use_lovense_dongle_hid: self.use_lovense_dongle_hid,
            use_sdl_gamepad: self.use_sdl_gamepad,
            use_xinput: self.use_xinput,
            use_lovense_connect: self.use_lovense_connect,
            lovense_connect_app: self.lovense_connect_app.clone(),
            use_device_websocket_server: self.use_device_websocket_server,
            device_websocket_server_port: self.device_websocket_server_port,
            device_websocket_server_all_interfaces: self.websocket_use_all_interfaces,
            simulated_devices: self.simulate.clone(),
            allow_raw: self.allow_raw,
            frontend_websocket_port: self.frontend_websocket_port,
            broadcast_server_mdns: self.broadcast_server_mdns,
            mdns_suffix: self.mdns_suffix.clone(),
            repeater_mode: self.repeater,
            repeater_local_port: self.repeater_port,
            repeater_remote_address: self
                .repeater
                .then(|| self.websocket_client_address.clone())
                .flatten(),
            rest_api_port: self.rest_api_port,
            web_port: self.web_port,
            limits: self.safety.limits()?,
            idle_stop: self.safety.idle()?,
            emit_output_observations: false,
            max_clients: usize::try_from(self.max_clients).unwrap_or(usize::MAX),
        })
    }
}

/// `--version`'s line (intiface-engine prints `Intiface CLI (Rust Edition) Version 5.0.5,
/// Commit unknown, Built <time>`).
fn version_line() -> String {
    format!(
        "Buttplug CLI (Rust Edition) Version {}, Commit unknown, Built unknown \
         (command line of intiface-engine {ENGINE_COMPAT_VERSION})",
        env!("CARGO_PKG_VERSION")
    )
}

/// Run the server (or answer `--version` / `--server-version`). `serve` is the subcommand
/// form; without it this is the engine command line.
pub(crate) fn run(args: &EngineArgs, serve: bool) -> Result<(), String> {
    if args.server_version {
        println!("{ENGINE_COMPAT_VERSION}");
        return Ok(());
    }
    if args.version {
        println!("{}", version_line());
        return Ok(());
    }
    crate::init_logging(args.log.as_deref())?;
    if !serve {
        println!("Intiface Server, starting up with stdout output.");
    }
    let options = args.to_options(serve)?;
    for (given, flag) in [
        (
            args.frontend_websocket_port.is_some(),
            "--frontend-websocket-port",
        ),
        (args.crash_reporting, "--crash-reporting"),
        (args.crash_main_thread, "--crash-main-thread"),
        (args.crash_task_thread, "--crash-task-thread"),
    ] {
        if given {
            tracing::info!("{flag}: accepted for compatibility; it has no effect");
        }
    }
    let engine = Engine::new(options);
    let stop = engine.stop_handle();
    // SIGINT and SIGTERM (the `termination` feature): the graceful stop, every device stopped.
    ctrlc::set_handler(move || {
        tracing::info!("signal received; stopping");
        stop.stop();
    })
    .map_err(|e| format!("cannot install the signal handler: {e}"))?;
    let listening = engine.listening();
    crate::rt::spawn(async move {
        while let Ok(address) = listening.recv().await {
            match address {
                Listening::Client(a) => println!("client websocket listening on ws://{a}"),
                Listening::DeviceWebsocket(a) => {
                    println!("device websocket server listening on ws://{a}");
                }
                Listening::Repeater(a) => println!("repeater listening on ws://{a}"),
                Listening::Rest(a) => println!("REST API listening on http://{a}"),
                Listening::Web(a) => println!("web panel listening on http://{a}/"),
                _ => {}
            }
            let _ = std::io::Write::flush(&mut std::io::stdout());
        }
    });
    // The emergency stop (`buttplug stop`, SIGUSR1) reaches the device manager directly.
    let devices = engine.device_manager();
    let safety = args.safety.clone();
    crate::rt::spawn(async move {
        if let Ok(devices) = devices.recv().await {
            crate::control::start(&safety, devices);
        }
    });
    let events = engine.events();
    crate::rt::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let buttplug_engine::EngineEvent::EngineServerCreated {
                instance_name: Some(name),
                port: Some(port),
                ..
            } = &event
            {
                println!("advertised over mDNS as {name:?} on port {port}");
                let _ = std::io::Write::flush(&mut std::io::stdout());
            }
            // Errors are logged by the engine itself.
            tracing::debug!(target: "buttplug::event", "{}", event.to_json());
        }
    });
    // Boxed: the serving future is large, and on the main thread's stack it kept about 80 kB of
    // stack pages resident for the life of the process.
    crate::rt::block_on(Box::pin(engine.run())).map_err(|e| e.to_string())
}

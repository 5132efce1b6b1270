//! `buttplug serve`: the server apps connect to. Flags follow intiface-engine's names and
//! meanings so existing launch scripts keep working.

use crate::managers::manager_plans;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::managers::websocket_devices::DEFAULT_DEVICE_WEBSOCKET_PORT;
use buttplug_server::user_config::UserConfigFile;
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManager, DeviceManagerBuilder};
use clap::Args;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The default client WebSocket port (as every Buttplug app expects).
pub(crate) const DEFAULT_WEBSOCKET_PORT: u16 = 12345;

/// Arguments of `serve` (intiface-engine compatible).
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Port of the client WebSocket server.
    #[arg(long, default_value_t = DEFAULT_WEBSOCKET_PORT)]
    pub websocket_port: u16,
    /// Listen on every interface (0.0.0.0) instead of 127.0.0.1.
    #[arg(long)]
    pub websocket_use_all_interfaces: bool,
    /// Listen on this address instead (overrides --websocket-use-all-interfaces).
    #[arg(long)]
    pub websocket_listen_address: Option<IpAddr>,
    /// Instead of listening, connect out to this client WebSocket (ws://host:port).
    #[arg(long)]
    pub websocket_client_address: Option<String>,
    /// Name sent to clients.
    #[arg(long, default_value = "Buttplug Server")]
    pub server_name: String,
    /// Device config file replacing the built-in database.
    #[arg(long)]
    pub device_config_file: Option<PathBuf>,
    /// User device config file (extra specifiers, allow/deny, indexes, ranges, simulated
    /// devices). Must load, or the server does not start; newly seen devices are added to it so
    /// they keep their index.
    #[arg(long)]
    pub user_device_config_file: Option<PathBuf>,
    /// Ping timeout in ms (0 = off).
    #[arg(long, default_value_t = 0)]
    pub max_ping_time: u64,
    /// Log level (error, warn, info, debug, trace). RUST_LOG overrides it.
    #[arg(long)]
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
    /// Find toys through the Lovense Connect app.
    #[arg(long)]
    pub use_lovense_connect: bool,
    /// Address of a Lovense Connect app to use (e.g. http://192.168.1.44:34567) instead of
    /// finding apps through Lovense's public lookup (https).
    #[arg(long, value_name = "URL")]
    pub lovense_connect_app: Option<String>,
    /// Accepted for compatibility; XInput exists only on Windows.
    #[arg(long)]
    pub use_xinput: bool,
    /// Accept devices that dial in over WebSocket (device simulators).
    #[arg(long)]
    pub use_device_websocket_server: bool,
    /// Port of the device WebSocket server.
    #[arg(long, default_value_t = DEFAULT_DEVICE_WEBSOCKET_PORT)]
    pub device_websocket_server_port: u16,
    /// Add a simulated device: a database name ("Lovense Hush") or protocol:identifier
    /// ("lovense:Z"). Repeatable.
    #[arg(long, value_name = "SPEC")]
    pub simulate: Vec<String>,
    /// Serve raw endpoint commands (off by default). Raw commands are bytes for the device:
    /// --max-level, --max-ramp and the user config's limits cannot apply to them.
    #[arg(long)]
    pub allow_raw: bool,
    /// Safety limits, idle stop and the emergency-stop control socket.
    #[command(flatten)]
    pub safety: crate::control::SafetyArgs,
}

/// The device database: the base file (or the built-in one) with the user device config on top,
/// and the user config file to write newly seen devices to.
///
/// # Errors
/// An unreadable base file, and a user config file that exists but cannot be read or does not
/// load: the message names the file, the line and column, the JSON path and what was expected.
/// The server does not start without the user's deny list, reserved indexes and ranges (and
/// would later overwrite them).
pub(crate) fn load_database(
    args: &ServeArgs,
) -> Result<(DeviceDatabase, Option<Arc<UserConfigFile>>), String> {
    let mut db = match &args.device_config_file {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            DeviceDatabase::from_json(&text, &path.display().to_string())
                .map_err(|e| e.to_string())?
        }
        None => DeviceDatabase::builtin().clone(),
    };
    let mut user_file = None;
    if let Some(path) = &args.user_device_config_file {
        if !path.exists() {
            tracing::info!(
                "user device config {} does not exist yet; it is created when a device is first seen",
                path.display()
            );
        }
        let (file, with_user) = UserConfigFile::load(path, &db).map_err(|e| {
            format!("{e}\nthe server did not start: fix the user device config or remove it")
        })?;
        db = with_user;
        user_file = Some(file);
    }
    for w in db.warnings() {
        tracing::warn!("{w}");
    }
    Ok((db, user_file))
}

/// Build the device manager with every manager the flags ask for.
pub(crate) fn device_manager(
    args: &ServeArgs,
    db: DeviceDatabase,
    user_file: Option<Arc<UserConfigFile>>,
) -> Result<DeviceManager, String> {
    let mut builder = args
        .safety
        .apply(DeviceManagerBuilder::new(Arc::new(db.clone())))?;
    if let Some(file) = user_file {
        builder = builder.user_config_file(file);
    }
    for plan in manager_plans(args, &db)? {
        if let Some(bound) = plan.bound {
            crate::rt::spawn(async move {
                if let Ok(addr) = bound.await {
                    println!("device websocket server listening on ws://{addr}");
                    let _ = std::io::Write::flush(&mut std::io::stdout());
                }
            });
        }
        if let Some(manager) = plan.builder {
            builder = builder.boxed_comm_manager(manager);
        }
    }
    builder.finish().map_err(|e| e.to_string())
}

/// Where the client WebSocket server listens.
pub(crate) fn listen_address(args: &ServeArgs) -> SocketAddr {
    let ip = match (
        args.websocket_listen_address,
        args.websocket_use_all_interfaces,
    ) {
        (Some(ip), _) => ip,
        (None, true) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        (None, false) => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    SocketAddr::new(ip, args.websocket_port)
}

pub(crate) fn run(args: ServeArgs) -> Result<(), String> {
    crate::init_logging(args.log.as_deref());
    let (db, user_file) = load_database(&args)?;
    // Boxed: the serving future is large, and on the main thread's stack it kept about 80 kB of
    // stack pages resident for the life of the process.
    crate::rt::block_on(Box::pin(async move {
        let device_manager = device_manager(&args, db, user_file.clone())?;
        crate::control::start(&args.safety, device_manager.clone());
        let server = ButtplugServerBuilder::new()
            .name(args.server_name.clone())
            .max_ping_time(Duration::from_millis(args.max_ping_time))
            .allow_raw(args.allow_raw)
            .device_manager(device_manager.clone())
            .finish();
        let (stop_tx, stop_rx) = async_channel::bounded::<()>(1);
        ctrlc::set_handler(move || {
            let _ = stop_tx.try_send(());
        })
        .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
        let serving = serve_clients(&args, server);
        futures::pin_mut!(serving);
        let outcome = futures::future::select(serving, Box::pin(stop_rx.recv())).await;
        tracing::info!("stopping every device");
        device_manager.shutdown().await;
        if let Some(file) = &user_file {
            // Normally written already (on the blocking pool, when the device was seen).
            if let Err(e) = file.save() {
                tracing::error!("{e}");
            }
        }
        match outcome {
            futures::future::Either::Left((result, _)) => result,
            futures::future::Either::Right(_) => Ok(()),
        }
    }))
}

async fn serve_clients(args: &ServeArgs, server: ButtplugServer) -> Result<(), String> {
    crate::transport::serve_clients(args, server).await
}

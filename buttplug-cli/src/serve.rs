//! `buttplug serve`: the server apps connect to. Flags follow intiface-engine's names and
//! meanings so existing launch scripts keep working.

use buttplug_devices::config::DeviceDatabase;
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::managers::websocket_devices::{
    DEFAULT_DEVICE_WEBSOCKET_PORT, WebsocketDeviceServerBuilder,
};
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
    /// User device config file (extra specifiers, allow/deny, indexes, ranges).
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
    /// Serve raw endpoint commands (off by default).
    #[arg(long)]
    pub allow_raw: bool,
}

fn load_database(args: &ServeArgs) -> Result<DeviceDatabase, String> {
    let mut db = match &args.device_config_file {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            DeviceDatabase::from_json(&text, &path.display().to_string())
                .map_err(|e| e.to_string())?
        }
        None => DeviceDatabase::builtin().clone(),
    };
    if let Some(path) = &args.user_device_config_file {
        match std::fs::read_to_string(path) {
            Ok(text) => match db.with_user_config(&text, &path.display().to_string()) {
                Ok(with_user) => db = with_user,
                // A bad user file never takes the server down: report it and go on.
                Err(e) => tracing::error!("user device config ignored: {e}"),
            },
            Err(e) => tracing::error!("user device config {} unreadable: {e}", path.display()),
        }
    }
    for w in db.warnings() {
        tracing::warn!("{w}");
    }
    Ok(db)
}

/// Build the device manager with every manager the flags ask for.
pub(crate) fn device_manager(
    args: &ServeArgs,
    db: DeviceDatabase,
) -> Result<DeviceManager, String> {
    let mut builder = DeviceManagerBuilder::new(Arc::new(db.clone()));
    if !args.simulate.is_empty() {
        let mut sim = SimulatedCommunicationManagerBuilder::new();
        for (i, spec) in args.simulate.iter().enumerate() {
            let address = format!("SI:MU:LA:TE:{:02X}:{:02X}", i / 256, i % 256);
            let plan = buttplug_devices::simulated_device(&db, spec, &address)
                .map_err(|e| format!("--simulate {spec:?}: {e}"))?;
            tracing::info!(
                "simulated device: {} ({}) at {address}",
                plan.name,
                plan.protocol
            );
            // Nothing reads the record here; without this a long-running simulated server
            // would keep up to SIMULATED_RECORD_LIMIT commands per device.
            plan.hardware.set_record_limit(0);
            sim = sim.device(SimulatedDevice {
                hardware: plan.hardware,
                specifier: plan.specifier,
            });
        }
        builder = builder.comm_manager(sim);
    }
    if args.use_device_websocket_server {
        let ip = if args.websocket_use_all_interfaces {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        let wsdm = WebsocketDeviceServerBuilder::new()
            .listen_address(SocketAddr::new(ip, args.device_websocket_server_port));
        let bound = wsdm.bound_address();
        crate::rt::spawn(async move {
            if let Ok(addr) = bound.await {
                println!("device websocket server listening on ws://{addr}");
                let _ = std::io::Write::flush(&mut std::io::stdout());
            }
        });
        builder = builder.comm_manager(wsdm);
    }
    builder = hardware_managers(args, &db, builder);
    builder.finish().map_err(|e| e.to_string())
}

#[allow(dead_code)] // unused when every hardware feature is compiled in
fn not_compiled(flag: &str, feature: &str) {
    tracing::warn!("{flag} was given but this build has no `{feature}` feature; ignored");
}

#[allow(unused_variables, unused_mut)] // which branches exist depends on the features
fn hardware_managers(
    args: &ServeArgs,
    db: &DeviceDatabase,
    mut builder: DeviceManagerBuilder,
) -> DeviceManagerBuilder {
    if args.use_bluetooth_le {
        #[cfg(feature = "btleplug")]
        {
            builder = builder.comm_manager(
                buttplug_server::managers::btleplug::BtleplugManagerBuilder::from_database(db),
            );
        }
        #[cfg(not(feature = "btleplug"))]
        not_compiled("--use-bluetooth-le", "btleplug");
    }
    if args.use_serial {
        #[cfg(feature = "serial")]
        {
            builder = builder.comm_manager(
                buttplug_server::managers::serial::SerialManagerBuilder::from_database(db),
            );
        }
        #[cfg(not(feature = "serial"))]
        not_compiled("--use-serial", "serial");
    }
    if args.use_hid {
        #[cfg(feature = "hid")]
        {
            builder =
                builder.comm_manager(buttplug_server::managers::hid::HidManagerBuilder::new());
        }
        #[cfg(not(feature = "hid"))]
        not_compiled("--use-hid", "hid");
    }
    if args.use_usb {
        #[cfg(feature = "usb")]
        {
            builder =
                builder.comm_manager(buttplug_server::managers::usb::UsbManagerBuilder::new());
        }
        #[cfg(not(feature = "usb"))]
        not_compiled("--use-usb", "usb");
    }
    if args.use_lovense_dongle_hid || args.use_lovense_dongle_serial {
        builder = lovense_dongles(args, builder);
    }
    if args.use_lovense_connect {
        #[cfg(feature = "lovense-connect")]
        {
            use buttplug_server::managers::lovense_connect::LovenseConnectManagerBuilder;
            let connect = match &args.lovense_connect_app {
                Some(url) => LovenseConnectManagerBuilder::new().app_address(url.clone()),
                None => LovenseConnectManagerBuilder::new().public_lookup(),
            };
            builder = builder.comm_manager(connect);
        }
        #[cfg(not(feature = "lovense-connect"))]
        not_compiled("--use-lovense-connect", "lovense-connect");
    }
    if args.use_xinput {
        tracing::warn!("--use-xinput: XInput gamepads exist only on Windows; ignored");
    }
    builder
}

#[allow(unused_variables, unused_mut)]
fn lovense_dongles(args: &ServeArgs, mut builder: DeviceManagerBuilder) -> DeviceManagerBuilder {
    #[cfg(feature = "lovense-dongle")]
    {
        use buttplug_server::managers::lovense_dongle::LovenseDongleManagerBuilder;
        builder = builder.comm_manager(
            LovenseDongleManagerBuilder::new()
                .hid(args.use_lovense_dongle_hid)
                .serial(args.use_lovense_dongle_serial),
        );
    }
    #[cfg(not(feature = "lovense-dongle"))]
    not_compiled("--use-lovense-dongle-*", "lovense-dongle");
    builder
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
    let db = load_database(&args)?;
    // Boxed: the serving future is large, and on the main thread's stack it kept about 80 kB of
    // stack pages resident for the life of the process.
    crate::rt::block_on(Box::pin(async move {
        let device_manager = device_manager(&args, db)?;
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
        match outcome {
            futures::future::Either::Left((result, _)) => result,
            futures::future::Either::Right(_) => Ok(()),
        }
    }))
}

async fn serve_clients(args: &ServeArgs, server: ButtplugServer) -> Result<(), String> {
    crate::transport::serve_clients(args, server).await
}

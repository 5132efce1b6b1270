//! [`EngineOptions`]: everything the engine's command line can say, with intiface-engine's
//! defaults, and the listen-address rules of its command line.

use crate::EngineError;
use buttplug_devices::config::OutputLimits;
use buttplug_server::managers::websocket_devices::DEFAULT_DEVICE_WEBSOCKET_PORT;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The server name clients see when none is given (intiface-engine's default).
pub const DEFAULT_SERVER_NAME: &str = "Buttplug Server";

/// The intiface-engine version whose command line and events this crate follows.
pub const ENGINE_COMPAT_VERSION: &str = "5.0.5";

/// Options of one engine run. `Default` is intiface-engine 5.0.5's defaults: no listen address,
/// no manager, server name `Buttplug Server`, no ping timeout, device WebSocket port 54817.
///
/// One run is in exactly one mode, picked in this order: repeater ([`repeater_mode`]), REST
/// ([`rest_api_port`]), WebSocket server ([`websocket_listen_address`]), dial-out
/// ([`websocket_client_address`]). With none of them [`Engine::run`](crate::Engine::run) fails
/// with [`EngineError::NoListenAddress`].
///
/// [`repeater_mode`]: EngineOptions::repeater_mode
/// [`rest_api_port`]: EngineOptions::rest_api_port
/// [`websocket_listen_address`]: EngineOptions::websocket_listen_address
/// [`websocket_client_address`]: EngineOptions::websocket_client_address
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// `ServerName` in `ServerInfo` (`--server-name`).
    pub server_name: String,
    /// Where the client WebSocket server listens (`--websocket-port`,
    /// `--websocket-use-all-interfaces`, `--websocket-listen-address`, resolved by
    /// [`resolve_listen_address`]). Port 0 picks a free port.
    pub websocket_listen_address: Option<SocketAddr>,
    /// Instead of listening, dial out to this WebSocket URL and serve the client there
    /// (`--websocket-client-address`). Retried with capped exponential back-off.
    pub websocket_client_address: Option<String>,
    /// Buttplug ping timeout in ms, 0 = off (`--max-ping-time`).
    pub max_ping_time: u32,
    /// Base device config file replacing the built-in database (`--device-config-file`).
    pub device_config_file: Option<PathBuf>,
    /// Base device config as JSON text; wins over [`EngineOptions::device_config_file`].
    pub device_config_json: Option<String>,
    /// User device config, read at start and updated when new devices are seen
    /// (`--user-device-config-file`).
    pub user_device_config_file: Option<PathBuf>,
    /// Bluetooth LE (`--use-bluetooth-le`).
    pub use_bluetooth_le: bool,
    /// Serial ports named in the user config (`--use-serial`).
    pub use_serial_port: bool,
    /// HID devices (`--use-hid`; not an intiface-engine 5 flag).
    pub use_hid: bool,
    /// Raw USB devices (`--use-usb`; not an intiface-engine flag).
    pub use_usb: bool,
    /// Lovense dongle, serial variant (`--use-lovense-dongle-serial`).
    pub use_lovense_dongle_serial: bool,
    /// Lovense dongle, HID variant (`--use-lovense-dongle-hid`).
    pub use_lovense_dongle_hid: bool,
    /// Gamepads with rumble (`--use-sdl-gamepad`): the gamepad manager (Linux evdev).
    pub use_sdl_gamepad: bool,
    /// XInput gamepads (`--use-xinput`, an intiface-engine 4 flag): an alias of
    /// `use_sdl_gamepad` (the same gamepad manager).
    pub use_xinput: bool,
    /// Lovense Connect app (`--use-lovense-connect`).
    pub use_lovense_connect: bool,
    /// The Lovense Connect app's address (`--lovense-connect-app`), instead of Lovense's
    /// public lookup.
    pub lovense_connect_app: Option<String>,
    /// Devices that dial in over WebSocket (`--use-device-websocket-server`).
    pub use_device_websocket_server: bool,
    /// Port of that server (`--device-websocket-server-port`).
    pub device_websocket_server_port: u16,
    /// Bind the device WebSocket server on every interface (intiface-engine always does; we
    /// do only with `--websocket-use-all-interfaces`).
    pub device_websocket_server_all_interfaces: bool,
    /// Simulated devices: database names ("Lovense Hush") or `protocol:identifier`
    /// (`--simulate`, repeatable).
    pub simulated_devices: Vec<String>,
    /// Serve raw endpoint commands (`--allow-raw`).
    pub allow_raw: bool,
    /// Accepted, opens nothing (as in intiface-engine 5, where it is a leftover).
    pub frontend_websocket_port: Option<u16>,
    /// Advertise the server over mDNS (`--broadcast-server-mdns`).
    pub broadcast_server_mdns: bool,
    /// Suffix of the mDNS instance name (`--mdns-suffix`).
    pub mdns_suffix: Option<String>,
    /// Run as a repeater (`--repeater`): no server, relay local clients to
    /// [`EngineOptions::repeater_remote_address`].
    pub repeater_mode: bool,
    /// Port the repeater listens on, on 127.0.0.1 (`--repeater-port`).
    pub repeater_local_port: Option<u16>,
    /// Where the repeater relays to (`--websocket-client-address` with `--repeater`).
    pub repeater_remote_address: Option<String>,
    /// REST API port (`--rest-api-port`).
    pub rest_api_port: Option<u16>,
    /// Web control panel port (`--web-port`): the panel at `/` and the REST API, next to the
    /// WebSocket server; 127.0.0.1 unless the client server listens on every interface.
    pub web_port: Option<u16>,
    /// Safety limits of every output unless the user config sets its own (`--max-level`,
    /// `--max-ramp`).
    pub limits: OutputLimits,
    /// Stop a running device that got no command for this long (`--idle-stop`).
    pub idle_stop: Option<Duration>,
    /// Send a [`EngineEvent::DeviceOutputObservation`](crate::EngineEvent::DeviceOutputObservation)
    /// for every output command written to a device (off by default; a library option, as in
    /// intiface-engine, with no command-line flag).
    pub emit_output_observations: bool,
    /// How many clients the WebSocket server serves at once (`--max-clients`; default 1, as
    /// intiface-engine). Above 1 the server is shared: each device is held by the client that
    /// drives it (see `buttplug_server::ButtplugServerBuilder::max_clients`).
    pub max_clients: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            server_name: DEFAULT_SERVER_NAME.to_string(),
            websocket_listen_address: None,
            websocket_client_address: None,
            max_ping_time: 0,
            device_config_file: None,
            device_config_json: None,
            user_device_config_file: None,
            use_bluetooth_le: false,
            use_serial_port: false,
            use_hid: false,
            use_usb: false,
            use_lovense_dongle_serial: false,
            use_lovense_dongle_hid: false,
            use_sdl_gamepad: false,
            use_xinput: false,
            use_lovense_connect: false,
            lovense_connect_app: None,
            use_device_websocket_server: false,
            device_websocket_server_port: DEFAULT_DEVICE_WEBSOCKET_PORT,
            device_websocket_server_all_interfaces: false,
            simulated_devices: Vec::new(),
            allow_raw: false,
            frontend_websocket_port: None,
            broadcast_server_mdns: false,
            mdns_suffix: None,
            repeater_mode: false,
            repeater_local_port: None,
            repeater_remote_address: None,
            rest_api_port: None,
            web_port: None,
            limits: OutputLimits::NONE,
            idle_stop: None,
            emit_output_observations: false,
            max_clients: 1,
        }
    }
}

/// The listen address from intiface-engine's three flags.
///
/// | `listen` | `all_interfaces` | `port` | result |
/// | --- | --- | --- | --- |
/// | none | any | none | `None` |
/// | none | no | P | `127.0.0.1:P` |
/// | none | yes | P | `0.0.0.0:P` |
/// | `ip:port` | no | none | that address |
/// | `ip:port` | yes or P given | | [`EngineError::ListenAddressConflict`] |
///
/// A bare IP (`127.0.0.1`, the form `buttplug serve` used to take) is also accepted: it is
/// combined with `port`, or with `default_port` when no port is given (`buttplug serve` passes
/// 12345; the engine command line passes `None`, and a bare IP without a port is an error).
///
/// # Errors
/// The conflicts above, and a `listen` that is neither a socket address nor an IP address
/// (host names such as `localhost:12345` are not resolved, as in intiface-engine).
pub fn resolve_listen_address(
    port: Option<u16>,
    all_interfaces: bool,
    listen: Option<&str>,
    default_port: Option<u16>,
) -> Result<Option<SocketAddr>, EngineError> {
    let conflict = |with: &'static str| EngineError::ListenAddressConflict { with };
    let Some(listen) = listen else {
        let ip = if all_interfaces {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        return Ok(port.or(default_port).map(|p| SocketAddr::new(ip, p)));
    };
    if let Ok(address) = listen.parse::<SocketAddr>() {
        return match (all_interfaces, port) {
            (false, None) => Ok(Some(address)),
            (true, None) => Err(conflict("--websocket-use-all-interfaces")),
            (false, Some(_)) => Err(conflict("--websocket-port")),
            (true, Some(_)) => Err(conflict(
                "--websocket-port and --websocket-use-all-interfaces",
            )),
        };
    }
    if let Ok(ip) = listen.parse::<IpAddr>() {
        if all_interfaces {
            return Err(conflict("--websocket-use-all-interfaces"));
        }
        return match port.or(default_port) {
            Some(p) => Ok(Some(SocketAddr::new(ip, p))),
            None => Err(EngineError::BadListenAddress {
                address: listen.to_string(),
                reason: "no port: give ip:port, or add --websocket-port",
            }),
        };
    }
    Err(EngineError::BadListenAddress {
        address: listen.to_string(),
        reason: "not an ip:port socket address (host names are not resolved)",
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a panic is how a test fails
mod tests {
    use super::*;

    fn resolve(port: Option<u16>, all: bool, listen: Option<&str>) -> Result<String, String> {
        resolve_listen_address(port, all, listen, None)
            .map(|a| a.map_or_else(|| "none".to_string(), |a| a.to_string()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_engine_table() {
        assert_eq!(resolve(None, false, None).unwrap(), "none");
        assert_eq!(resolve(None, true, None).unwrap(), "none");
        assert_eq!(resolve(Some(7), false, None).unwrap(), "127.0.0.1:7");
        assert_eq!(resolve(Some(7), true, None).unwrap(), "0.0.0.0:7");
        assert_eq!(resolve(None, false, Some("[::1]:9")).unwrap(), "[::1]:9");
        let e = resolve(None, true, Some("10.0.0.1:9")).unwrap_err();
        assert!(e.contains("--websocket-use-all-interfaces"), "{e}");
        let e = resolve(Some(7), false, Some("10.0.0.1:9")).unwrap_err();
        assert!(e.contains("--websocket-port"), "{e}");
        let e = resolve(Some(7), true, Some("10.0.0.1:9")).unwrap_err();
        assert!(e.contains("--websocket-port and"), "{e}");
        let e = resolve(None, false, Some("localhost:12345")).unwrap_err();
        assert!(e.contains("not an ip:port"), "{e}");
    }

    #[test]
    fn a_bare_ip_takes_the_port_or_the_serve_default() {
        assert_eq!(
            resolve(Some(7), false, Some("10.0.0.1")).unwrap(),
            "10.0.0.1:7"
        );
        assert!(resolve(None, false, Some("10.0.0.1")).is_err());
        let with_default = resolve_listen_address(None, false, Some("10.0.0.1"), Some(12345));
        assert_eq!(
            with_default.unwrap(),
            Some("10.0.0.1:12345".parse().unwrap())
        );
        let serve_default = resolve_listen_address(None, false, None, Some(12345));
        assert_eq!(
            serve_default.unwrap(),
            Some("127.0.0.1:12345".parse().unwrap())
        );
    }
}

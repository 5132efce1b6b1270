//! Which communication managers a run uses: a pure function from the [`EngineOptions`] and the
//! device database to a list of [`ManagerPlan`]s, each with the builder and a description of
//! what that manager looks for (so the wiring of every `use_*` option can be tested without
//! hardware, and a GUI can show what is active).

use crate::EngineOptions;
use buttplug_devices::SimulatedHardware;
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase, VidPid};
use buttplug_server::comm::DeviceCommunicationManagerBuilder;
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::managers::websocket_devices::WebsocketDeviceServerBuilder;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// What one communication manager looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LooksFor {
    /// BLE peripherals matching these `btle` specifiers.
    BluetoothLe(Vec<CommunicationSpecifier>),
    /// These serial ports.
    SerialPorts(Vec<String>),
    /// HID devices with these vendor/product ids.
    Hid(Vec<VidPid>),
    /// USB devices with these vendor/product ids.
    Usb(Vec<VidPid>),
    /// A Lovense dongle of these variants.
    LovenseDongle {
        /// The HID variant.
        hid: bool,
        /// The serial variant.
        serial: bool,
    },
    /// Lovense Connect apps: this address, or Lovense's public lookup when `None`.
    LovenseConnect(Option<String>),
    /// Gamepads with rumble (the `sdl-gamepad` protocol), listed by the platform's gamepad
    /// backend (Linux: evdev force feedback).
    Gamepads,
    /// Devices dialing in to a WebSocket server on this address.
    DeviceWebsocket(SocketAddr),
    /// These simulated devices, as `address (protocol name)`.
    Simulated(Vec<String>),
    /// Nothing: the flag is accepted but no manager runs, for the reason given.
    Nothing(String),
}

/// One manager a run uses (or, for [`LooksFor::Nothing`], a flag that runs none).
pub struct ManagerPlan {
    /// The command-line flags (or config entries) that asked for it.
    pub flags: Vec<&'static str>,
    /// What the manager looks for.
    pub looks_for: LooksFor,
    /// The builder (`None` with [`LooksFor::Nothing`]).
    pub builder: Option<Box<dyn DeviceCommunicationManagerBuilder>>,
    /// For the device WebSocket server: the address it bound, once it has.
    pub bound: Option<buttplug_server::managers::websocket_devices::BoundAddress>,
}

impl std::fmt::Debug for ManagerPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagerPlan")
            .field("flags", &self.flags)
            .field("looks_for", &self.looks_for)
            .field("builder", &self.builder.is_some())
            .finish()
    }
}

impl ManagerPlan {
    fn new(
        flags: Vec<&'static str>,
        looks_for: LooksFor,
        builder: impl DeviceCommunicationManagerBuilder + 'static,
    ) -> Self {
        ManagerPlan {
            flags,
            looks_for,
            builder: Some(Box::new(builder)),
            bound: None,
        }
    }

    fn nothing(flag: &'static str, why: String) -> Self {
        tracing::warn!("{flag}: {why}");
        ManagerPlan {
            flags: vec![flag],
            looks_for: LooksFor::Nothing(why),
            builder: None,
            bound: None,
        }
    }
}

#[allow(dead_code)] // unused when every hardware feature is compiled in
fn not_compiled(flag: &'static str, feature: &str) -> ManagerPlan {
    ManagerPlan::nothing(
        flag,
        format!("this build has no `{feature}` feature; ignored"),
    )
}

/// The managers the options ask for, built over `db` (the database with the user config
/// applied): `--simulate` and the user config's `simulated_devices`, `--use-device-websocket-server`,
/// then every hardware `--use-*` flag.
///
/// # Errors
/// A `--simulate` or `simulated_devices` entry that names no device.
pub fn manager_plans(
    args: &EngineOptions,
    db: &DeviceDatabase,
) -> Result<Vec<ManagerPlan>, String> {
    let mut plans = Vec::new();
    if let Some(plan) = simulated(args, db)? {
        plans.push(plan);
    }
    if args.use_device_websocket_server {
        let ip = if args.device_websocket_server_all_interfaces {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        let address = SocketAddr::new(ip, args.device_websocket_server_port);
        let builder = WebsocketDeviceServerBuilder::new().listen_address(address);
        let bound = builder.bound_address();
        let mut plan = ManagerPlan::new(
            vec!["--use-device-websocket-server"],
            LooksFor::DeviceWebsocket(address),
            builder,
        );
        plan.bound = Some(bound);
        plans.push(plan);
    }
    hardware(args, db, &mut plans);
    Ok(plans)
}

/// One simulated manager for `--simulate` and the user config's `simulated_devices`.
fn simulated(args: &EngineOptions, db: &DeviceDatabase) -> Result<Option<ManagerPlan>, String> {
    if args.simulated_devices.is_empty() && db.simulated_devices().is_empty() {
        return Ok(None);
    }
    let mut flags = Vec::new();
    let mut described = Vec::new();
    let mut sim = SimulatedCommunicationManagerBuilder::new();
    if !args.simulated_devices.is_empty() {
        flags.push("--simulate");
    }
    for (i, spec) in args.simulated_devices.iter().enumerate() {
        let address = format!("SI:MU:LA:TE:{:02X}:{:02X}", i / 256, i % 256);
        let plan = buttplug_devices::simulated_device(db, spec, &address)
            .map_err(|e| format!("--simulate {spec:?}: {e}"))?;
        tracing::info!(
            "simulated device: {} ({}) at {address}",
            plan.name,
            plan.protocol
        );
        described.push(format!("{address} ({})", plan.name));
        // Nothing reads the record here; without this a long-running simulated server
        // would keep up to SIMULATED_RECORD_LIMIT commands per device.
        plan.hardware.set_record_limit(0);
        sim = sim.device(SimulatedDevice {
            hardware: plan.hardware,
            specifier: plan.specifier,
        });
    }
    if !db.simulated_devices().is_empty() {
        flags.push("user config simulated_devices");
    }
    for (i, device) in db.simulated_devices().iter().enumerate() {
        // Discovered like upstream's simulated devices: the archetype name is the hardware's
        // name and the `simulated` specifier's name, and identification uses that name.
        let specifier = CommunicationSpecifier::Simulated {
            names: vec![device.identifier.clone()],
        };
        let known = db.matching_protocols(&specifier);
        let Some(protocol) = known.first() else {
            return Err(format!(
                "user device config: user_configs.simulated_devices[{i}]: no simulated device \
                 type {:?} in the device database",
                device.identifier
            ));
        };
        let name = db
            .definition(protocol, Some(&device.identifier), &device.address)
            .map_or_else(|| device.identifier.clone(), |d| d.name.clone());
        tracing::info!(
            "simulated device from the user config: {name} ({protocol}) at {}",
            device.address
        );
        described.push(format!("{} ({name})", device.address));
        let hardware =
            SimulatedHardware::builder(device.identifier.clone(), device.address.clone()).build();
        hardware.set_record_limit(0);
        sim = sim.device(SimulatedDevice {
            hardware,
            specifier,
        });
    }
    Ok(Some(ManagerPlan::new(
        flags,
        LooksFor::Simulated(described),
        sim,
    )))
}

#[allow(unused_variables)] // which branches exist depends on the features
fn hardware(args: &EngineOptions, db: &DeviceDatabase, plans: &mut Vec<ManagerPlan>) {
    if args.use_bluetooth_le {
        #[cfg(feature = "btleplug")]
        {
            let b = buttplug_server::managers::btleplug::BtleplugManagerBuilder::from_database(db);
            let looks_for = LooksFor::BluetoothLe(b.filter().to_vec());
            plans.push(ManagerPlan::new(vec!["--use-bluetooth-le"], looks_for, b));
        }
        #[cfg(not(feature = "btleplug"))]
        plans.push(not_compiled("--use-bluetooth-le", "btleplug"));
    }
    if args.use_serial_port {
        #[cfg(feature = "serial")]
        {
            let b = buttplug_server::managers::serial::SerialManagerBuilder::from_database(db);
            let ports = b.ports().iter().map(|p| p.port.clone()).collect();
            plans.push(ManagerPlan::new(
                vec!["--use-serial"],
                LooksFor::SerialPorts(ports),
                b,
            ));
        }
        #[cfg(not(feature = "serial"))]
        plans.push(not_compiled("--use-serial", "serial"));
    }
    if args.use_hid {
        #[cfg(feature = "hid")]
        {
            let b = buttplug_server::managers::hid::HidManagerBuilder::from_database(db);
            let looks_for = LooksFor::Hid(b.pairs().copied().collect());
            plans.push(ManagerPlan::new(vec!["--use-hid"], looks_for, b));
        }
        #[cfg(not(feature = "hid"))]
        plans.push(not_compiled("--use-hid", "hid"));
    }
    if args.use_usb {
        #[cfg(feature = "usb")]
        {
            let b = buttplug_server::managers::usb::UsbManagerBuilder::from_database(db);
            let looks_for = LooksFor::Usb(b.pairs().copied().collect());
            plans.push(ManagerPlan::new(vec!["--use-usb"], looks_for, b));
        }
        #[cfg(not(feature = "usb"))]
        plans.push(not_compiled("--use-usb", "usb"));
    }
    if args.use_lovense_dongle_hid || args.use_lovense_dongle_serial {
        let mut flags = Vec::new();
        if args.use_lovense_dongle_hid {
            flags.push("--use-lovense-dongle-hid");
        }
        if args.use_lovense_dongle_serial {
            flags.push("--use-lovense-dongle-serial");
        }
        #[cfg(feature = "lovense-dongle")]
        {
            use buttplug_server::managers::lovense_dongle::LovenseDongleManagerBuilder;
            let b = LovenseDongleManagerBuilder::new()
                .hid(args.use_lovense_dongle_hid)
                .serial(args.use_lovense_dongle_serial);
            let looks_for = LooksFor::LovenseDongle {
                hid: args.use_lovense_dongle_hid,
                serial: args.use_lovense_dongle_serial,
            };
            plans.push(ManagerPlan::new(flags, looks_for, b));
        }
        #[cfg(not(feature = "lovense-dongle"))]
        for flag in flags {
            plans.push(not_compiled(flag, "lovense-dongle"));
        }
    }
    if args.use_lovense_connect {
        #[cfg(feature = "lovense-connect")]
        {
            use buttplug_server::managers::lovense_connect::LovenseConnectManagerBuilder;
            let b = match &args.lovense_connect_app {
                Some(url) => LovenseConnectManagerBuilder::new().app_address(url.clone()),
                None => LovenseConnectManagerBuilder::new().public_lookup(),
            };
            let looks_for = LooksFor::LovenseConnect(args.lovense_connect_app.clone());
            plans.push(ManagerPlan::new(
                vec!["--use-lovense-connect"],
                looks_for,
                b,
            ));
        }
        #[cfg(not(feature = "lovense-connect"))]
        plans.push(not_compiled("--use-lovense-connect", "lovense-connect"));
    }
    if args.use_sdl_gamepad || args.use_xinput {
        // `--use-xinput` (intiface-engine 4) is an alias: one manager serves both flags.
        let mut flags = Vec::new();
        if args.use_sdl_gamepad {
            flags.push("--use-sdl-gamepad");
        }
        if args.use_xinput {
            flags.push("--use-xinput");
        }
        #[cfg(feature = "gamepad")]
        {
            let b = buttplug_server::managers::gamepad::GamepadManagerBuilder::new();
            plans.push(ManagerPlan::new(flags, LooksFor::Gamepads, b));
        }
        #[cfg(not(feature = "gamepad"))]
        for flag in flags {
            plans.push(not_compiled(flag, "gamepad"));
        }
    }
}

/// Every `--use-*` command-line flag, one per `use_*` option (the CLI's tests check that its
/// `--use-*` flags are exactly these).
pub const USE_FLAGS: [&str; 10] = [
    "--use-bluetooth-le",
    "--use-serial",
    "--use-hid",
    "--use-usb",
    "--use-lovense-dongle-serial",
    "--use-lovense-dongle-hid",
    "--use-lovense-connect",
    "--use-device-websocket-server",
    "--use-sdl-gamepad",
    "--use-xinput",
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The options with one `use_*` switch named by its command-line flag turned on.
    fn with_flag(flag: &str) -> EngineOptions {
        let mut o = EngineOptions::default();
        let field = match flag {
            "--use-bluetooth-le" => &mut o.use_bluetooth_le,
            "--use-serial" => &mut o.use_serial_port,
            "--use-hid" => &mut o.use_hid,
            "--use-usb" => &mut o.use_usb,
            "--use-lovense-dongle-serial" => &mut o.use_lovense_dongle_serial,
            "--use-lovense-dongle-hid" => &mut o.use_lovense_dongle_hid,
            "--use-lovense-connect" => &mut o.use_lovense_connect,
            "--use-device-websocket-server" => &mut o.use_device_websocket_server,
            "--use-sdl-gamepad" => &mut o.use_sdl_gamepad,
            "--use-xinput" => &mut o.use_xinput,
            other => panic!("{other}: no such switch"),
        };
        *field = true;
        o
    }

    /// The built-in database plus a user config naming a serial port (the shipped database
    /// names none: serial devices need the user to say where they are).
    fn database() -> DeviceDatabase {
        let user = r#"{"version":{"major":5,"minor":0},"user_configs":{"protocols":{"nobra":
            {"communication":[{"serial":{"port":"/dev/ttyUSB7","baud_rate":19200,
            "data_bits":8,"parity":"N","stop_bits":1}}]}}}}"#;
        DeviceDatabase::builtin()
            .with_user_config(user, "user.json")
            .unwrap()
    }

    fn db_specifiers(db: &DeviceDatabase) -> Vec<CommunicationSpecifier> {
        db.protocol_ids()
            .into_iter()
            .flat_map(|p| db.protocol_specifiers(p))
            .cloned()
            .collect()
    }

    fn pairs(db: &DeviceDatabase, usb: bool) -> BTreeSet<VidPid> {
        db_specifiers(db)
            .into_iter()
            .flat_map(|s| match s {
                CommunicationSpecifier::Usb { pairs } if usb => pairs,
                CommunicationSpecifier::Hid { pairs } if !usb => pairs,
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn every_use_flag_yields_a_manager_looking_for_the_database_devices() {
        let db = database();
        for flag in USE_FLAGS {
            let plans = manager_plans(&with_flag(flag), &db).unwrap();
            assert_eq!(plans.len(), 1, "{flag}: {plans:?}");
            let plan = &plans[0];
            assert_eq!(plan.flags, vec![flag], "{flag}");
            match flag {
                "--use-bluetooth-le" => {
                    let LooksFor::BluetoothLe(filter) = &plan.looks_for else {
                        panic!("{flag}: {plan:?}")
                    };
                    let expected: Vec<_> = db_specifiers(&db)
                        .into_iter()
                        .filter(|s| matches!(s, CommunicationSpecifier::Btle { .. }))
                        .collect();
                    assert!(expected.len() > 100, "{}", expected.len());
                    assert_eq!(filter, &expected, "{flag}");
                }
                "--use-serial" => {
                    assert_eq!(
                        plan.looks_for,
                        LooksFor::SerialPorts(vec!["/dev/ttyUSB7".to_string()]),
                        "{flag}"
                    );
                }
                "--use-hid" => {
                    let LooksFor::Hid(found) = &plan.looks_for else {
                        panic!("{flag}: {plan:?}")
                    };
                    let found: BTreeSet<VidPid> = found.iter().copied().collect();
                    // Vorze Cyclone X10 (0x0483:0x5750).
                    assert!(found.contains(&VidPid::new(1155, 22352)), "{found:?}");
                    assert_eq!(found, pairs(&db, false), "{flag}");
                }
                "--use-usb" => {
                    let LooksFor::Usb(found) = &plan.looks_for else {
                        panic!("{flag}: {plan:?}")
                    };
                    let found: BTreeSet<VidPid> = found.iter().copied().collect();
                    // Rez TranceVibrator (0x0B49:0x064F).
                    assert!(found.contains(&VidPid::new(2889, 1615)), "{found:?}");
                    assert_eq!(found, pairs(&db, true), "{flag}");
                }
                "--use-lovense-dongle-hid" => assert_eq!(
                    plan.looks_for,
                    LooksFor::LovenseDongle {
                        hid: true,
                        serial: false
                    }
                ),
                "--use-lovense-dongle-serial" => assert_eq!(
                    plan.looks_for,
                    LooksFor::LovenseDongle {
                        hid: false,
                        serial: true
                    }
                ),
                "--use-lovense-connect" => {
                    assert_eq!(plan.looks_for, LooksFor::LovenseConnect(None));
                }
                "--use-device-websocket-server" => assert_eq!(
                    plan.looks_for,
                    LooksFor::DeviceWebsocket("127.0.0.1:54817".parse().unwrap())
                ),
                "--use-xinput" | "--use-sdl-gamepad" => {
                    assert_eq!(plan.looks_for, LooksFor::Gamepads, "{flag}");
                }
                other => panic!("{other}: no wiring check for this flag; add one"),
            }
            assert!(plan.builder.is_some(), "{flag}: no manager built");
        }
    }

    #[test]
    fn flag_values_reach_the_managers() {
        let db = database();
        let options = EngineOptions {
            use_lovense_connect: true,
            lovense_connect_app: Some("http://192.168.1.44:34567".to_string()),
            use_device_websocket_server: true,
            device_websocket_server_all_interfaces: true,
            device_websocket_server_port: 6000,
            use_lovense_dongle_hid: true,
            use_lovense_dongle_serial: true,
            ..EngineOptions::default()
        };
        let plans = manager_plans(&options, &db).unwrap();
        let looks: Vec<_> = plans.iter().map(|p| p.looks_for.clone()).collect();
        assert_eq!(
            looks,
            vec![
                LooksFor::DeviceWebsocket("0.0.0.0:6000".parse().unwrap()),
                LooksFor::LovenseDongle {
                    hid: true,
                    serial: true
                },
                LooksFor::LovenseConnect(Some("http://192.168.1.44:34567".to_string())),
            ]
        );
    }

    #[test]
    fn both_gamepad_flags_share_one_manager() {
        let options = EngineOptions {
            use_sdl_gamepad: true,
            use_xinput: true,
            ..EngineOptions::default()
        };
        let plans = manager_plans(&options, &database()).unwrap();
        assert_eq!(plans.len(), 1, "{plans:?}");
        assert_eq!(plans[0].flags, vec!["--use-sdl-gamepad", "--use-xinput"]);
        assert_eq!(plans[0].looks_for, LooksFor::Gamepads);
        assert!(plans[0].builder.is_some());
    }

    #[test]
    fn no_flag_no_manager() {
        assert!(
            manager_plans(&EngineOptions::default(), &database())
                .unwrap()
                .is_empty()
        );
    }
}

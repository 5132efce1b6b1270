//! Serial-port devices (feature `serial`; `serialport` without libudev).
//!
//! - **How it finds devices:** it does not enumerate. The ports it watches come from the device
//!   database's `serial` specifiers whose `port` is not `"default"` (the shipped database only has
//!   `"default"`; users add their port in the user config), see
//!   [`SerialManagerBuilder::from_database`], or from [`SerialManagerBuilder::port`]. While
//!   scanning it tries every second to open each watched port that is not in use
//!   ([`TimedRetryManager`]); a port that opens is reported as a device named and addressed by the
//!   port path. When the port goes away (read error, hang-up) the device is disconnected and the
//!   port is watched again, so a device that comes back is reconnected while scanning.
//! - **Settings:** baud rate, data bits (5-8), parity (`N`, `E`, `O`) and stop bits (1, 2) from the
//!   specifier, no flow control, exclusive access. When two protocols name the same port, the
//!   first specifier's settings are used.
//! - **Endpoints:** `tx` (writes go out as they are) and `rx` (incoming bytes are notifications
//!   while `rx` is subscribed, otherwise they are kept for [`Hardware::read`], up to
//!   [`SERIAL_READ_BUFFER`] bytes).
//! - **Limits:** no port discovery by USB id; parity mark/space and 1.5 stop bits are refused; a
//!   missing port is silent (it is simply not there yet), other open errors (permissions) are
//!   logged once per port.

mod hardware;

pub use hardware::SERIAL_READ_BUFFER;

use crate::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder, GenericHardwareSpecializer, HardwareConnector,
    HardwareSpecializer,
};
use crate::managers::hardware_events::database_specifiers;
use crate::managers::timed_retry::{
    DEFAULT_RESCAN_INTERVAL, RetryScanner, TimedRetryManager, report_device,
};
use crate::rt;
use async_trait::async_trait;
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase};
use buttplug_devices::{Hardware, HardwareError};
use hardware::{PortClaim, SerialHardware};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Read timeout of the port: how often the reader thread checks whether it should stop.
pub const SERIAL_POLL_TIMEOUT: Duration = Duration::from_millis(100);

/// The manager name.
pub const SERIAL_MANAGER_NAME: &str = "serial";

/// How to open one port: the fields of a `serial` specifier.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SerialPortSettings {
    /// Port path (`/dev/ttyUSB0`, `COM3`).
    pub port: String,
    /// Baud rate.
    pub baud_rate: u32,
    /// Data bits (5-8).
    pub data_bits: u8,
    /// Stop bits (1 or 2).
    pub stop_bits: u8,
    /// Parity: `'N'`, `'E'` or `'O'`.
    pub parity: char,
}

/// A setting the serial backend cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("serial setting not supported: {setting}")]
pub struct UnsupportedSetting {
    /// What was asked for.
    pub setting: String,
}

impl SerialPortSettings {
    /// Settings for a port (8-N-1 at `baud_rate`).
    pub fn new(port: impl Into<String>, baud_rate: u32) -> Self {
        SerialPortSettings {
            port: port.into(),
            baud_rate,
            data_bits: 8,
            stop_bits: 1,
            parity: 'N',
        }
    }

    /// The settings of a `serial` specifier (`None` for other transports).
    pub fn from_specifier(specifier: &CommunicationSpecifier) -> Option<Self> {
        match specifier {
            CommunicationSpecifier::Serial {
                port,
                baud_rate,
                data_bits,
                stop_bits,
                parity,
            } => Some(SerialPortSettings {
                port: port.clone(),
                baud_rate: *baud_rate,
                data_bits: *data_bits,
                stop_bits: *stop_bits,
                parity: *parity,
            }),
            _ => None,
        }
    }

    /// Back to a specifier.
    pub fn to_specifier(&self) -> CommunicationSpecifier {
        CommunicationSpecifier::Serial {
            port: self.port.clone(),
            baud_rate: self.baud_rate,
            data_bits: self.data_bits,
            stop_bits: self.stop_bits,
            parity: self.parity,
        }
    }

    /// A `serialport` builder with every setting applied.
    ///
    /// # Errors
    /// [`UnsupportedSetting`] for data bits outside 5-8, stop bits other than 1 or 2, or a parity
    /// other than `N`, `E`, `O`.
    pub fn builder(&self) -> Result<serialport::SerialPortBuilder, UnsupportedSetting> {
        use serialport::{DataBits, FlowControl, Parity, StopBits};
        let unsupported = |what: String| UnsupportedSetting { setting: what };
        let data_bits = match self.data_bits {
            5 => DataBits::Five,
            6 => DataBits::Six,
            7 => DataBits::Seven,
            8 => DataBits::Eight,
            n => return Err(unsupported(format!("{n} data bits"))),
        };
        let stop_bits = match self.stop_bits {
            1 => StopBits::One,
            2 => StopBits::Two,
            n => return Err(unsupported(format!("{n} stop bits"))),
        };
        let parity = match self.parity.to_ascii_uppercase() {
            'N' => Parity::None,
            'E' => Parity::Even,
            'O' => Parity::Odd,
            p => return Err(unsupported(format!("parity {p:?}"))),
        };
        Ok(serialport::new(self.port.as_str(), self.baud_rate)
            .data_bits(data_bits)
            .stop_bits(stop_bits)
            .parity(parity)
            .flow_control(FlowControl::None)
            .timeout(SERIAL_POLL_TIMEOUT))
    }

    /// Open the port with every setting applied (blocking).
    ///
    /// # Errors
    /// An unsupported setting or the port's open error.
    pub fn open(&self) -> Result<Box<dyn serialport::SerialPort>, serialport::Error> {
        let builder = self
            .builder()
            .map_err(|e| serialport::Error::new(serialport::ErrorKind::InvalidInput, e.setting))?;
        builder.open()
    }
}

/// Builder of the serial manager.
#[derive(Debug, Clone)]
#[must_use]
pub struct SerialManagerBuilder {
    ports: Vec<SerialPortSettings>,
    rescan_interval: Duration,
}

impl Default for SerialManagerBuilder {
    fn default() -> Self {
        SerialManagerBuilder {
            ports: Vec::new(),
            rescan_interval: DEFAULT_RESCAN_INTERVAL,
        }
    }
}

impl SerialManagerBuilder {
    /// A manager watching no port.
    pub fn new() -> Self {
        Self::default()
    }

    /// A manager watching every port the database's `serial` specifiers name (except
    /// `"default"`).
    pub fn from_database(database: &DeviceDatabase) -> Self {
        database_specifiers(database)
            .filter_map(SerialPortSettings::from_specifier)
            .filter(|settings| settings.port != "default")
            .fold(Self::new(), Self::port)
    }

    /// Watch a port (ignored when the port is already watched).
    pub fn port(mut self, settings: SerialPortSettings) -> Self {
        match self.ports.iter().find(|p| p.port == settings.port) {
            Some(existing) if *existing != settings => tracing::warn!(
                port = %settings.port,
                "port named twice with different settings; using the first"
            ),
            Some(_) => {}
            None => self.ports.push(settings),
        }
        self
    }

    /// The ports watched so far.
    pub fn ports(&self) -> &[SerialPortSettings] {
        &self.ports
    }

    /// How often missing ports are tried again while scanning (default 1 s).
    pub fn rescan_interval(mut self, interval: Duration) -> Self {
        self.rescan_interval = interval;
        self
    }
}

impl DeviceCommunicationManagerBuilder for SerialManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        if self.ports.is_empty() {
            tracing::debug!("serial: no port configured; the manager will find nothing");
        }
        Box::new(TimedRetryManager::new(SerialScanner {
            ports: self.ports,
            interval: self.rescan_interval,
            events,
            in_use: Arc::new(Mutex::new(BTreeSet::new())),
            reported: Mutex::new(BTreeSet::new()),
        }))
    }
}

/// One polling pass over the configured ports.
#[derive(Debug)]
struct SerialScanner {
    ports: Vec<SerialPortSettings>,
    interval: Duration,
    events: CommunicationEventSender,
    /// Ports open right now (by a connector or a device).
    in_use: Arc<Mutex<BTreeSet<String>>>,
    /// Ports whose open error was already logged.
    reported: Mutex<BTreeSet<String>>,
}

#[async_trait]
impl RetryScanner for SerialScanner {
    fn name(&self) -> &'static str {
        SERIAL_MANAGER_NAME
    }

    fn rescan_interval(&self) -> Duration {
        self.interval
    }

    async fn scan(&self) -> Result<(), CommunicationError> {
        for settings in &self.ports {
            let Some(claim) = PortClaim::new(&settings.port, &self.in_use) else {
                continue;
            };
            let s = settings.clone();
            let opened = rt::spawn_blocking(move || s.open()).await;
            let port = match opened {
                Ok(p) => p,
                Err(e) => {
                    let missing = matches!(e.kind(), serialport::ErrorKind::NoDevice)
                        || matches!(
                            e.kind(),
                            serialport::ErrorKind::Io(std::io::ErrorKind::NotFound)
                        );
                    let first = crate::sync::lock(&self.reported).insert(settings.port.clone());
                    if missing || !first {
                        tracing::debug!(port = %settings.port, "serial port not opened: {e}");
                    } else {
                        tracing::warn!(port = %settings.port, "serial port cannot be opened: {e}");
                    }
                    continue;
                }
            };
            crate::sync::lock(&self.reported).remove(&settings.port);
            tracing::info!(port = %settings.port, "serial port opened");
            let connector = SerialConnector {
                settings: settings.clone(),
                port: Mutex::new(Some((port, claim))),
            };
            let (name, address) = (settings.port.clone(), settings.port.clone());
            report_device(&self.events, name, address, Box::new(connector)).await?;
        }
        Ok(())
    }
}

/// An opened port waiting for the device manager.
struct SerialConnector {
    settings: SerialPortSettings,
    port: Mutex<Option<(Box<dyn serialport::SerialPort>, PortClaim)>>,
}

impl std::fmt::Debug for SerialConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialConnector")
            .field("settings", &self.settings)
            .finish()
    }
}

#[async_trait]
impl HardwareConnector for SerialConnector {
    fn specifier(&self) -> CommunicationSpecifier {
        self.settings.to_specifier()
    }

    async fn connect(self: Box<Self>) -> Result<Box<dyn HardwareSpecializer>, HardwareError> {
        let (port, claim) =
            crate::sync::into_inner(self.port).ok_or(HardwareError::Disconnected)?;
        let hardware = SerialHardware::start(&self.settings.port, port, claim)?;
        let hardware: Arc<dyn Hardware> = Arc::new(hardware);
        Ok(Box::new(GenericHardwareSpecializer::new(hardware)))
    }
}

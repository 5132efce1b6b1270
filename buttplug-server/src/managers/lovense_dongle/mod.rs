//! The Lovense USB dongle (feature `lovense-dongle`), both variants: the HID dongle
//! (VID 0x1915, PID 0x520a) and the older serial dongle (a CH340 bridge, VID 0x1a86, PID 0x7523,
//! 115200 baud; upstream dropped it, the protocol is the same).
//!
//! - **How it finds devices:** when scanning starts without a dongle, it looks for one (HID by
//!   vendor/product id through hidapi, serial by USB id in sysfs or at a port given with
//!   [`LovenseDongleManagerBuilder::serial_port`]), and keeps looking every second while scanning.
//!   No dongle is reported once as unavailable. The dongle itself then finds toys.
//! - **The dongle protocol:** JSON messages, one per line (`\r\n` out, `\n` in); over HID each
//!   line travels in 65-byte reports (report id 0, 63 bytes of text, zero padding). On attach the
//!   manager asks `{"type":"toy","func":"statuss"}` (a toy may already be connected: status 202);
//!   scanning sends `{"type":"toy","func":"search"}` and searches again whenever the dongle stops
//!   on its own (result 206) while scanning is on; a found toy (`toyData` with an id) stops the
//!   search (`{"type":"usb","func":"stopSearch"}`) and is connected
//!   (`{"type":"toy","func":"connect","id":..}`, status 202). Toy commands go out as
//!   `{"type":"toy","func":"command","id":..,"cmd":"Vibrate:10;"}` and toy answers come back as
//!   `toyData` with `data.data`; status 403 means the toy went away (the dongle then searches
//!   again if scanning is on). See [`link`] for the message types.
//! - **Scanning:** ends with `ScanningFinished` when a toy is connected (the dongle holds one toy)
//!   or when the search runs longer than the scan timeout
//!   ([`DEFAULT_DONGLE_SCAN_TIMEOUT`]; `None` searches until stopped).
//! - **The toy:** reported as `LVS-DongleDevice` with a `btle` specifier of that name, so the
//!   database's Lovense protocol (`LVS-*`) takes it and identifies it with `DeviceType;` as over
//!   BLE. Endpoints `tx` and `rx`; message gap [`DONGLE_MESSAGE_GAP`] (75 ms).
//! - **Limits:** one dongle and one toy at a time; no reads (battery goes through `Battery;` and
//!   its answer, as the protocol does it).

mod hardware;
pub mod link;
mod machine;

use crate::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use crate::rt;
use async_trait::async_trait;
use link::{HidHalf, HidReportIo, Link, SerialHalf, start_link};
use machine::{Control, Machine};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The manager name.
pub const LOVENSE_DONGLE_MANAGER_NAME: &str = "lovense-dongle";

/// The name (and BLE-style specifier name) of a toy connected through the dongle.
pub const DONGLE_DEVICE_NAME: &str = "LVS-DongleDevice";

/// The HID dongle's vendor and product id.
pub const HID_DONGLE_ID: (u16, u16) = (0x1915, 0x520a);

/// The serial dongle's USB bridge vendor and product id.
pub const SERIAL_DONGLE_ID: (u16, u16) = (0x1a86, 0x7523);

/// The serial dongle's baud rate.
pub const SERIAL_DONGLE_BAUD: u32 = 115_200;

/// The default gap between two writes to a toy behind the dongle.
pub const DONGLE_MESSAGE_GAP: Duration = Duration::from_millis(75);

/// How long a search may run before scanning finishes on its own.
pub const DEFAULT_DONGLE_SCAN_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a missing dongle is looked for while scanning.
pub const DONGLE_SEARCH_INTERVAL: Duration = Duration::from_secs(1);

/// How long to wait for the answer to the "is a toy connected" question (and for a search stop).
pub const DONGLE_STATUS_WAIT: Duration = Duration::from_millis(250);

/// How long connecting a found toy may take.
pub const DONGLE_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Capacity of the manager → machine channel.
pub const DONGLE_CONTROL_CAPACITY: usize = 16;

/// Capacity of a toy's command queue.
pub const DONGLE_COMMAND_CAPACITY: usize = 64;

/// An already-open HID transport (reader and writer handles).
struct HidTransport {
    reader: Box<dyn HidReportIo>,
    writer: Box<dyn HidReportIo>,
}

/// Builder of the dongle manager.
#[must_use]
pub struct LovenseDongleManagerBuilder {
    hid: bool,
    serial: bool,
    serial_port: Option<String>,
    transport: Option<HidTransport>,
    scan_timeout: Option<Duration>,
    search_interval: Duration,
}

impl std::fmt::Debug for LovenseDongleManagerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LovenseDongleManagerBuilder")
            .field("hid", &self.hid)
            .field("serial", &self.serial)
            .field("serial_port", &self.serial_port)
            .field("transport", &self.transport.is_some())
            .field("scan_timeout", &self.scan_timeout)
            .finish()
    }
}

impl Default for LovenseDongleManagerBuilder {
    fn default() -> Self {
        LovenseDongleManagerBuilder {
            hid: true,
            serial: true,
            serial_port: None,
            transport: None,
            scan_timeout: Some(DEFAULT_DONGLE_SCAN_TIMEOUT),
            search_interval: DONGLE_SEARCH_INTERVAL,
        }
    }
}

impl LovenseDongleManagerBuilder {
    /// Look for both dongle variants.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to look for the HID dongle (default on).
    pub fn hid(mut self, on: bool) -> Self {
        self.hid = on;
        self
    }

    /// Whether to look for the serial dongle (default on).
    pub fn serial(mut self, on: bool) -> Self {
        self.serial = on;
        self
    }

    /// Use this port for the serial dongle instead of looking for its USB id.
    pub fn serial_port(mut self, path: impl Into<String>) -> Self {
        self.serial_port = Some(path.into());
        self.serial = true;
        self
    }

    /// Use an already-open HID transport (two handles on the same dongle: one is read, one
    /// written). Tests pass an in-memory dongle here.
    pub fn hid_transport(mut self, reader: impl HidReportIo, writer: impl HidReportIo) -> Self {
        self.transport = Some(HidTransport {
            reader: Box::new(reader),
            writer: Box::new(writer),
        });
        self
    }

    /// How long a search may run before scanning finishes on its own (`None`: until stopped).
    pub fn scan_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.scan_timeout = timeout;
        self
    }

    /// How often a missing dongle is looked for while scanning (default 1 s).
    pub fn search_interval(mut self, interval: Duration) -> Self {
        self.search_interval = interval;
        self
    }
}

/// Where to look for a dongle.
#[derive(Debug, Clone)]
struct Finder {
    hid: bool,
    serial: bool,
    serial_port: Option<String>,
}

impl Finder {
    /// Look for a dongle (blocking).
    fn find(&self) -> Option<Link> {
        if self.hid {
            if let Some(link) = find_hid() {
                return Some(link);
            }
        }
        if self.serial {
            let ports: Vec<String> = match &self.serial_port {
                Some(p) => vec![p.clone()],
                None => serialport::available_ports()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| {
                        matches!(&p.port_type, serialport::SerialPortType::UsbPort(u)
                            if (u.vid, u.pid) == SERIAL_DONGLE_ID)
                    })
                    .map(|p| p.port_name)
                    .collect(),
            };
            for port in ports {
                match open_serial(&port) {
                    Ok(link) => return Some(link),
                    Err(e) => tracing::debug!(%port, "no serial dongle: {e}"),
                }
            }
        }
        None
    }
}

fn find_hid() -> Option<Link> {
    let api = hidapi::HidApi::new().ok()?;
    let info = api
        .device_list()
        .find(|d| (d.vendor_id(), d.product_id()) == HID_DONGLE_ID)?;
    let open = || info.open_device(&api);
    match (open(), open()) {
        (Ok(reader), Ok(writer)) => start_link(
            &format!("hid {}", info.path().to_string_lossy()),
            Box::new(HidHalf(Box::new(reader))),
            Box::new(HidHalf(Box::new(writer))),
        )
        .ok(),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!("Lovense HID dongle cannot be opened: {e}");
            None
        }
    }
}

fn open_serial(port: &str) -> Result<Link, String> {
    let reader = serialport::new(port, SERIAL_DONGLE_BAUD)
        .timeout(link::DONGLE_READ_POLL)
        .open()
        .map_err(|e| e.to_string())?;
    let writer = reader.try_clone().map_err(|e| e.to_string())?;
    start_link(
        &format!("serial {port}"),
        Box::new(SerialHalf(reader)),
        Box::new(SerialHalf(writer)),
    )
    .map_err(|e| e.to_string())
}

impl DeviceCommunicationManagerBuilder for LovenseDongleManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        let (control, control_rx) = async_channel::bounded(DONGLE_CONTROL_CAPACITY);
        let scanning = Arc::new(AtomicBool::new(false));
        let attached = Arc::new(AtomicBool::new(false));
        let machine = Machine::new(
            control_rx,
            events,
            scanning.clone(),
            attached.clone(),
            self.scan_timeout,
        );
        rt::spawn(machine.run());
        if let Some(t) = self.transport {
            match start_link(
                "hid (given transport)",
                Box::new(HidHalf(t.reader)),
                Box::new(HidHalf(t.writer)),
            ) {
                Ok(link) => {
                    attached.store(true, Ordering::SeqCst);
                    if control.try_send(Control::Attach(link)).is_err() {
                        tracing::warn!("Lovense dongle: cannot attach the given transport");
                    }
                }
                Err(e) => tracing::warn!("Lovense dongle: cannot start the given transport: {e}"),
            }
        }
        Box::new(LovenseDongleManager {
            control,
            scanning,
            attached,
            reported: AtomicBool::new(false),
            finder: Finder {
                hid: self.hid,
                serial: self.serial,
                serial_port: self.serial_port,
            },
            search_interval: self.search_interval,
            search: Mutex::new(None),
        })
    }
}

/// The dongle manager.
#[derive(Debug)]
pub struct LovenseDongleManager {
    control: async_channel::Sender<Control>,
    scanning: Arc<AtomicBool>,
    attached: Arc<AtomicBool>,
    reported: AtomicBool,
    finder: Finder,
    search_interval: Duration,
    search: Mutex<Option<rt::Task<()>>>,
}

impl LovenseDongleManager {
    async fn find_and_attach(
        finder: &Finder,
        attached: &AtomicBool,
        control: &async_channel::Sender<Control>,
    ) -> bool {
        if attached.load(Ordering::SeqCst) {
            return true;
        }
        let f = finder.clone();
        match rt::spawn_blocking(move || f.find()).await {
            Some(link) => {
                attached.store(true, Ordering::SeqCst);
                control.send(Control::Attach(link)).await.is_ok()
            }
            None => false,
        }
    }

    fn take_search(&self) -> Option<rt::Task<()>> {
        crate::sync::lock(&self.search).take()
    }
}

#[async_trait]
impl DeviceCommunicationManager for LovenseDongleManager {
    fn name(&self) -> &'static str {
        LOVENSE_DONGLE_MANAGER_NAME
    }

    async fn start_scanning(&self) -> Result<(), CommunicationError> {
        let found = Self::find_and_attach(&self.finder, &self.attached, &self.control).await;
        // Set before the machine sees Start: it may finish scanning at once (a toy is connected).
        self.scanning.store(true, Ordering::SeqCst);
        self.control
            .send(Control::Start)
            .await
            .map_err(|_| CommunicationError::Stopped)?;
        if found {
            return Ok(());
        }
        // Keep looking while scanning.
        let (finder, attached, control) = (
            self.finder.clone(),
            self.attached.clone(),
            self.control.clone(),
        );
        let (interval, scanning) = (self.search_interval, self.scanning.clone());
        let task = rt::spawn(async move {
            while scanning.load(Ordering::SeqCst) && !attached.load(Ordering::SeqCst) {
                rt::sleep(interval).await;
                if Self::find_and_attach(&finder, &attached, &control).await {
                    tracing::info!("Lovense dongle found");
                }
            }
        });
        let old = crate::sync::lock(&self.search).replace(task);
        if let Some(old) = old {
            old.cancel().await;
        }
        if self.reported.swap(true, Ordering::SeqCst) {
            Ok(())
        } else {
            Err(CommunicationError::Unavailable {
                manager: LOVENSE_DONGLE_MANAGER_NAME,
                reason: "no Lovense dongle found (HID 1915:520a or serial 1a86:7523); still looking while scanning".into(),
            })
        }
    }

    async fn stop_scanning(&self) -> Result<(), CommunicationError> {
        self.scanning.store(false, Ordering::SeqCst);
        if let Some(task) = self.take_search() {
            task.cancel().await;
        }
        self.control
            .send(Control::Stop)
            .await
            .map_err(|_| CommunicationError::Stopped)
    }

    fn is_scanning(&self) -> bool {
        self.scanning.load(Ordering::SeqCst)
    }

    async fn shutdown(&self) {
        let _ = self.stop_scanning().await;
        let _ = self.control.send(Control::Shutdown).await;
    }
}

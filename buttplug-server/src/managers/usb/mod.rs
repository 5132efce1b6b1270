//! Raw USB devices (feature `usb`; `rusb` with a vendored libusb).
//!
//! - **How it finds devices:** while scanning it lists the USB bus every second through its own
//!   `rusb::Context` (never rusb's global helpers, which panic where there is no USB file system)
//!   and reports each device whose vendor/product pair appears in a `usb` specifier of the device
//!   database ([`UsbManagerBuilder::from_database`]); today that is the Rez TranceVibrator
//!   (0x0b49:0x064f). The address is `usb-<bus>-<port path>` (stable while the device stays in the
//!   same socket). A device that leaves the bus is disconnected, and reported again when it comes
//!   back.
//! - **Endpoints:** `txvendorcontrol`: a write becomes a host-to-device vendor control transfer
//!   (recipient "other", request 1, `wValue` = the first byte, `wIndex` 0, no data stage), as the
//!   Linux `trancevibrator` driver does.
//! - **Limits:** no bulk or interrupt endpoints (no database protocol needs them); no hot-plug
//!   callbacks (polling only). Where there is no USB (`/dev/bus/usb` missing, as in containers and
//!   CI) the manager says "no USB" once and keeps polling quietly; the rest of the server runs on.

use crate::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use crate::managers::hardware_events::{
    EventHub, ReadyConnector, check_endpoint, database_specifiers, transport_error,
};
use crate::managers::timed_retry::{
    DEFAULT_RESCAN_INTERVAL, InUse, RetryScanner, TimedRetryManager, report_device,
};
use crate::rt;
use async_trait::async_trait;
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase, VidPid};
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::stream::BoxStream;
use rusb::UsbContext;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The manager name.
pub const USB_MANAGER_NAME: &str = "usb";

/// Timeout of one control transfer.
pub const USB_CONTROL_TIMEOUT: Duration = Duration::from_millis(500);

/// `bRequest` of the vendor control write.
pub const VENDOR_CONTROL_REQUEST: u8 = 1;

/// The setup packet of a `txvendorcontrol` write: `(bmRequestType, bRequest, wValue, wIndex)`.
pub fn vendor_control_setup(data: &[u8]) -> (u8, u8, u16, u16) {
    let request_type = rusb::request_type(
        rusb::Direction::Out,
        rusb::RequestType::Vendor,
        rusb::Recipient::Other,
    );
    let value = data.first().copied().map_or(0, u16::from);
    (request_type, VENDOR_CONTROL_REQUEST, value, 0)
}

/// Builder of the USB manager.
#[derive(Debug, Clone)]
#[must_use]
pub struct UsbManagerBuilder {
    pairs: BTreeSet<VidPid>,
    rescan_interval: Duration,
}

impl Default for UsbManagerBuilder {
    fn default() -> Self {
        UsbManagerBuilder {
            pairs: BTreeSet::new(),
            rescan_interval: DEFAULT_RESCAN_INTERVAL,
        }
    }
}

impl UsbManagerBuilder {
    /// A manager looking for no device.
    pub fn new() -> Self {
        Self::default()
    }

    /// A manager looking for every vendor/product pair of the database's `usb` specifiers.
    pub fn from_database(database: &DeviceDatabase) -> Self {
        let mut builder = Self::new();
        for spec in database_specifiers(database) {
            if let CommunicationSpecifier::Usb { pairs } = spec {
                for p in pairs {
                    builder = builder.pair(*p);
                }
            }
        }
        builder
    }

    /// Look for a vendor/product pair.
    pub fn pair(mut self, pair: VidPid) -> Self {
        self.pairs.insert(pair);
        self
    }

    /// The pairs looked for.
    pub fn pairs(&self) -> impl Iterator<Item = &VidPid> {
        self.pairs.iter()
    }

    /// How often the bus is listed while scanning (default 1 s).
    pub fn rescan_interval(mut self, interval: Duration) -> Self {
        self.rescan_interval = interval;
        self
    }
}

impl DeviceCommunicationManagerBuilder for UsbManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        Box::new(TimedRetryManager::new(UsbScanner {
            pairs: self.pairs,
            interval: self.rescan_interval,
            events,
            context: Arc::new(Mutex::new(None)),
            in_use: InUse::default(),
        }))
    }
}

#[derive(Debug)]
struct UsbScanner {
    pairs: BTreeSet<VidPid>,
    interval: Duration,
    events: CommunicationEventSender,
    context: Arc<Mutex<Option<rusb::Context>>>,
    /// Devices handed out, by address (their hubs, to report departures).
    in_use: InUse,
}

/// One device found on the bus.
struct Found {
    name: String,
    address: String,
    pair: VidPid,
    handle: rusb::DeviceHandle<rusb::Context>,
}

fn unavailable(reason: String) -> CommunicationError {
    CommunicationError::Unavailable {
        manager: USB_MANAGER_NAME,
        reason,
    }
}

/// List the bus (blocking): open the wanted devices not yet in use; return them and every
/// address present.
fn list_bus(
    context: &Mutex<Option<rusb::Context>>,
    pairs: &BTreeSet<VidPid>,
    in_use: &BTreeSet<String>,
) -> Result<(Vec<Found>, BTreeSet<String>), CommunicationError> {
    let mut guard = crate::sync::lock(context);
    if guard.is_none() {
        let ctx = rusb::Context::new().map_err(|e| unavailable(format!("no USB: {e}")))?;
        *guard = Some(ctx);
    }
    let Some(ctx) = guard.as_ref() else {
        return Err(unavailable("no USB context".into()));
    };
    let devices = ctx
        .devices()
        .map_err(|e| unavailable(format!("cannot list USB devices: {e}")))?;
    let mut found = Vec::new();
    let mut present = BTreeSet::new();
    for device in devices.iter() {
        let Ok(descriptor) = device.device_descriptor() else {
            continue;
        };
        let pair = VidPid::new(descriptor.vendor_id(), descriptor.product_id());
        let ports = device
            .port_numbers()
            .unwrap_or_default()
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(".");
        let address = format!("usb-{}-{ports}", device.bus_number());
        present.insert(address.clone());
        if !pairs.contains(&pair) || in_use.contains(&address) {
            continue;
        }
        match device.open() {
            Ok(handle) => {
                let name = handle
                    .read_product_string_ascii(&descriptor)
                    .unwrap_or_else(|_| {
                        format!("USB {:04x}:{:04x}", pair.vendor_id, pair.product_id)
                    });
                found.push(Found {
                    name,
                    address,
                    pair,
                    handle,
                });
            }
            Err(e) => tracing::warn!(%address, "USB device cannot be opened: {e}"),
        }
    }
    Ok((found, present))
}

#[async_trait]
impl RetryScanner for UsbScanner {
    fn name(&self) -> &'static str {
        USB_MANAGER_NAME
    }

    fn rescan_interval(&self) -> Duration {
        self.interval
    }

    async fn scan(&self) -> Result<(), CommunicationError> {
        let context = self.context.clone();
        let pairs = self.pairs.clone();
        let taken = self.in_use.addresses();
        let (found, present) =
            rt::spawn_blocking(move || list_bus(&context, &pairs, &taken)).await?;
        self.in_use.forget_gone(|address| present.contains(address));
        for f in found {
            let hub = Arc::new(EventHub::default());
            self.in_use.insert(f.address.clone(), &hub);
            let hardware = UsbHardware {
                name: f.name.clone(),
                address: f.address.clone(),
                handle: Arc::new(f.handle),
                hub,
            };
            let specifier = CommunicationSpecifier::Usb {
                pairs: vec![f.pair],
            };
            let connector = ReadyConnector::new(specifier, hardware);
            report_device(&self.events, f.name, f.address, Box::new(connector)).await?;
        }
        Ok(())
    }
}

/// An open USB device.
#[derive(Debug)]
struct UsbHardware {
    name: String,
    address: String,
    handle: Arc<rusb::DeviceHandle<rusb::Context>>,
    hub: Arc<EventHub>,
}

#[async_trait]
impl Hardware for UsbHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.address
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::TxVendorControl]
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        _write_with_response: bool,
    ) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::TxVendorControl)?;
        self.hub.check_connected()?;
        let (request_type, request, value, index) = vendor_control_setup(data);
        let handle = self.handle.clone();
        let r = rt::spawn_blocking(move || {
            handle.write_control(
                request_type,
                request,
                value,
                index,
                &[],
                USB_CONTROL_TIMEOUT,
            )
        })
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(rusb::Error::NoDevice) => {
                self.hub.disconnected();
                Err(HardwareError::Disconnected)
            }
            Err(e) => Err(transport_error(e)),
        }
    }

    async fn read(
        &self,
        endpoint: Endpoint,
        _length: u32,
        _timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        Err(HardwareError::NoEndpoint { endpoint })
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        Err(HardwareError::NoEndpoint { endpoint })
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        Err(HardwareError::NoEndpoint { endpoint })
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.hub.disconnected();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.hub.stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trancevibrator_setup_packet() {
        // Host-to-device (0), vendor (0b10 << 5), recipient other (3): 0x43.
        assert_eq!(vendor_control_setup(&[200]), (0x43, 1, 200, 0));
        assert_eq!(vendor_control_setup(&[]), (0x43, 1, 0, 0));
    }

    #[test]
    fn database_pairs() {
        let b = UsbManagerBuilder::from_database(DeviceDatabase::builtin());
        assert!(b.pairs.contains(&VidPid::new(2889, 1615)), "{:?}", b.pairs);
    }
}

//! HID devices (feature `hid`; `hidapi` over Linux hidraw with pure-Rust udev enumeration).
//!
//! - **How it finds devices:** while scanning it enumerates HID devices every second and reports
//!   each one whose vendor/product pair appears in a `hid` specifier of the device database
//!   ([`HidManagerBuilder::from_database`]): today the Vorze Cyclone X10 (1155:22352) and the
//!   RealTouch (8020:1). The address is the hidraw path; the name is the product string.
//! - **Why hidapi and not rusb:** HID toys are claimed by the kernel's `usbhid` driver. Through
//!   hidraw (`/dev/hidraw*`) hidapi talks to them without detaching that driver and with ordinary
//!   udev permissions; rusb would have to detach the kernel driver and drive interrupt transfers
//!   by hand, and would not see Bluetooth HID at all. The `linux-native-basic-udev` backend needs
//!   no C library.
//! - **Endpoints:** `tx`: a write is one output report (the first byte is the report id, as the
//!   protocols send it); `rx`: input reports. While `rx` is subscribed each report is a
//!   notification; otherwise the latest [`HID_READ_BACKLOG`] reports are kept for
//!   [`Hardware::read`].
//! - **Limits:** feature reports are not used. A device that fails a read or write is
//!   disconnected and offered again at the next pass if it is still present. Without hidraw
//!   access the manager simply finds nothing.

use crate::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use crate::managers::hardware_events::{
    Backlog, BlockingInput, ReadyConnector, check_endpoint, database_specifiers, transport_error,
};
use crate::managers::timed_retry::{
    DEFAULT_RESCAN_INTERVAL, InUse, RetryScanner, TimedRetryManager, report_device,
};
use crate::rt;
use async_trait::async_trait;
use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase, VidPid};
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::stream::BoxStream;
use std::collections::BTreeSet;
use std::ffi::CString;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The manager name.
pub const HID_MANAGER_NAME: &str = "hid";

/// How long one blocking report read waits (how often the reader checks whether to stop).
pub const HID_POLL_TIMEOUT: Duration = Duration::from_millis(100);

/// How many unread input reports are kept while `rx` is not subscribed.
pub const HID_READ_BACKLOG: usize = 16;

/// Builder of the HID manager.
#[derive(Debug, Clone)]
#[must_use]
pub struct HidManagerBuilder {
    pairs: BTreeSet<VidPid>,
    rescan_interval: Duration,
}

impl Default for HidManagerBuilder {
    fn default() -> Self {
        HidManagerBuilder {
            pairs: BTreeSet::new(),
            rescan_interval: DEFAULT_RESCAN_INTERVAL,
        }
    }
}

impl HidManagerBuilder {
    /// A manager looking for no device.
    pub fn new() -> Self {
        Self::default()
    }

    /// A manager looking for every vendor/product pair of the database's `hid` specifiers.
    pub fn from_database(database: &DeviceDatabase) -> Self {
        let mut builder = Self::new();
        for spec in database_specifiers(database) {
            if let CommunicationSpecifier::Hid { pairs } = spec {
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

    /// How often devices are enumerated while scanning (default 1 s).
    pub fn rescan_interval(mut self, interval: Duration) -> Self {
        self.rescan_interval = interval;
        self
    }
}

impl DeviceCommunicationManagerBuilder for HidManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        Box::new(TimedRetryManager::new(HidScanner {
            pairs: self.pairs,
            interval: self.rescan_interval,
            events,
            in_use: InUse::default(),
        }))
    }
}

#[derive(Debug)]
struct HidScanner {
    pairs: BTreeSet<VidPid>,
    interval: Duration,
    events: CommunicationEventSender,
    /// Devices handed out, by hidraw path.
    in_use: InUse,
}

struct Found {
    name: String,
    path: String,
    pair: VidPid,
    reader: hidapi::HidDevice,
    writer: hidapi::HidDevice,
}

/// Enumerate (blocking) and open the wanted devices not yet in use (twice: one handle reads, the
/// other writes, as a `HidDevice` is not `Sync`).
fn enumerate(
    pairs: &BTreeSet<VidPid>,
    in_use: &BTreeSet<String>,
) -> Result<(Vec<Found>, BTreeSet<String>), CommunicationError> {
    let api = hidapi::HidApi::new().map_err(|e| CommunicationError::Unavailable {
        manager: HID_MANAGER_NAME,
        reason: format!("no HID access: {e}"),
    })?;
    let mut found = Vec::new();
    let mut present = BTreeSet::new();
    for info in api.device_list() {
        let path = info.path().to_string_lossy().into_owned();
        present.insert(path.clone());
        let pair = VidPid::new(info.vendor_id(), info.product_id());
        if !pairs.contains(&pair) || in_use.contains(&path) {
            continue;
        }
        let open = |p: &std::ffi::CStr| api.open_path(p);
        let c_path = CString::from(info.path());
        match (open(&c_path), open(&c_path)) {
            (Ok(reader), Ok(writer)) => {
                let name = info
                    .product_string()
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        format!("HID {:04x}:{:04x}", pair.vendor_id, pair.product_id)
                    });
                found.push(Found {
                    name,
                    path,
                    pair,
                    reader,
                    writer,
                });
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(%path, "HID device cannot be opened: {e}");
            }
        }
    }
    Ok((found, present))
}

#[async_trait]
impl RetryScanner for HidScanner {
    fn name(&self) -> &'static str {
        HID_MANAGER_NAME
    }

    fn rescan_interval(&self) -> Duration {
        self.interval
    }

    async fn scan(&self) -> Result<(), CommunicationError> {
        let pairs = self.pairs.clone();
        let taken = self.in_use.addresses();
        let (found, present) = rt::spawn_blocking(move || enumerate(&pairs, &taken)).await?;
        self.in_use.forget_gone(|path| present.contains(path));
        for f in found {
            let hardware = HidHardware::start(&f.name, &f.path, f.reader, f.writer)?;
            self.in_use.insert(f.path.clone(), hardware.input.hub());
            let specifier = CommunicationSpecifier::Hid {
                pairs: vec![f.pair],
            };
            let connector = ReadyConnector::new(specifier, hardware);
            report_device(&self.events, f.name, f.path, Box::new(connector)).await?;
        }
        Ok(())
    }
}

/// An open HID device: a reader thread owns one handle, writes go through the other.
struct HidHardware {
    name: String,
    address: String,
    writer: Arc<Mutex<hidapi::HidDevice>>,
    input: Arc<BlockingInput>,
}

impl std::fmt::Debug for HidHardware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HidHardware")
            .field("name", &self.name)
            .field("address", &self.address)
            .finish()
    }
}

impl HidHardware {
    fn start(
        name: &str,
        address: &str,
        reader: hidapi::HidDevice,
        writer: hidapi::HidDevice,
    ) -> Result<Self, CommunicationError> {
        let input = Arc::new(BlockingInput::new(Backlog::reports(HID_READ_BACKLOG)));
        let timeout = i32::try_from(HID_POLL_TIMEOUT.as_millis()).unwrap_or(100);
        let log_address = address.to_string();
        input
            .spawn_reader(
                format!("hid-read {address}"),
                move |buf| reader.read_timeout(buf, timeout),
                move |error| {
                    if let Some(e) = error {
                        tracing::info!(address = %log_address, "HID device read failed: {e}");
                    }
                },
            )
            .map_err(|e| CommunicationError::Failed {
                manager: HID_MANAGER_NAME,
                reason: format!("cannot start the HID reader: {e}"),
            })?;
        Ok(HidHardware {
            name: name.to_string(),
            address: address.to_string(),
            writer: Arc::new(Mutex::new(writer)),
            input,
        })
    }
}

impl Drop for HidHardware {
    fn drop(&mut self) {
        self.input.stop();
    }
}

#[async_trait]
impl Hardware for HidHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.address
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::Tx, Endpoint::Rx]
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        _write_with_response: bool,
    ) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Tx)?;
        self.input.hub().check_connected()?;
        let writer = self.writer.clone();
        let data = data.to_vec();
        let r = rt::spawn_blocking(move || crate::sync::lock(&writer).write(&data)).await;
        match r {
            Ok(_) => Ok(()),
            Err(e) => {
                self.input.hub().disconnected();
                Err(transport_error(e))
            }
        }
    }

    async fn read(
        &self,
        endpoint: Endpoint,
        length: u32,
        timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        self.input.read(endpoint, length, timeout).await
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        self.input.set_subscribed(endpoint, true)
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        self.input.set_subscribed(endpoint, false)
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.input.stop();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.input.hub().stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_pairs() {
        let b = HidManagerBuilder::from_database(DeviceDatabase::builtin());
        let pairs: Vec<VidPid> = b.pairs().copied().collect();
        assert!(pairs.contains(&VidPid::new(1155, 22352)), "{pairs:?}");
        assert!(pairs.contains(&VidPid::new(8020, 1)), "{pairs:?}");
    }
}

//! The simulated communication manager: devices declared in config, on the command line or by a
//! test, backed by [`SimulatedHardware`]. They are "found" when scanning starts (and when added
//! while scanning), then go through the same database match, identify and initialize steps as
//! real hardware.

use crate::comm::{
    CommunicationError, CommunicationEvent, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder, GenericHardwareSpecializer, HardwareConnector,
    HardwareSpecializer,
};
use async_trait::async_trait;
use buttplug_devices::config::{CommunicationSpecifier, ManufacturerData};
use buttplug_devices::{Hardware, HardwareError, SimulatedHardware};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One simulated device and how it presents itself to discovery.
#[derive(Debug, Clone)]
pub struct SimulatedDevice {
    /// The hardware (keep a clone to inspect what it received).
    pub hardware: SimulatedHardware,
    /// What discovery reports (e.g. a `Btle` specifier with the device's BLE name).
    pub specifier: CommunicationSpecifier,
}

impl SimulatedDevice {
    /// A device discovered like a BLE device with the hardware's name and manufacturer data.
    pub fn ble(hardware: SimulatedHardware) -> Self {
        let specifier = CommunicationSpecifier::btle_advertisement(
            hardware.name(),
            hardware
                .manufacturer_data()
                .into_iter()
                .map(|(company, data)| ManufacturerData::new(company, Some(data)))
                .collect(),
            Vec::new(),
        );
        SimulatedDevice {
            hardware,
            specifier,
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    devices: Mutex<Vec<SimulatedDevice>>,
    scanning: AtomicBool,
    events: Mutex<Option<CommunicationEventSender>>,
    /// Finish scanning on its own after this long (like a dongle's search timing out).
    scan_duration: Mutex<Option<std::time::Duration>>,
    /// Bumped by every start and stop, so a stale timer does not end a newer scan.
    scan_generation: std::sync::atomic::AtomicU64,
}

impl Shared {
    fn emit(&self, device: &SimulatedDevice) {
        let sender = crate::sync::lock(&self.events).clone();
        if let Some(sender) = sender {
            let event = CommunicationEvent::DeviceFound {
                name: device.hardware.name().to_string(),
                address: device.hardware.address().to_string(),
                connector: Box::new(SimulatedConnector {
                    device: device.clone(),
                }),
            };
            if sender.try_send(event).is_err() {
                tracing::warn!("simulated manager: event queue full, device report dropped");
            }
        }
    }
}

/// A handle to add simulated devices while the server runs.
#[derive(Debug, Clone)]
pub struct SimulatedDevices {
    shared: Arc<Shared>,
}

impl SimulatedDevices {
    /// Add a device; it is reported now if scanning is on, else at the next scan.
    pub fn add(&self, device: SimulatedDevice) {
        let scanning = self.shared.scanning.load(Ordering::SeqCst);
        {
            let mut devices = crate::sync::lock(&self.shared.devices);
            devices.retain(|d| d.hardware.address() != device.hardware.address());
            devices.push(device.clone());
        }
        if scanning {
            self.shared.emit(&device);
        }
    }
}

/// Builder of the simulated manager.
#[derive(Debug, Default)]
#[must_use]
pub struct SimulatedCommunicationManagerBuilder {
    shared: Arc<Shared>,
}

impl SimulatedCommunicationManagerBuilder {
    /// An empty simulated manager.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a device.
    pub fn device(self, device: SimulatedDevice) -> Self {
        self.handle().add(device);
        self
    }

    /// Finish scanning on its own after `duration` (reporting `ScanningFinished`), as managers
    /// with a search timeout do. Default: scan until stopped.
    pub fn scan_duration(self, duration: std::time::Duration) -> Self {
        *crate::sync::lock(&self.shared.scan_duration) = Some(duration);
        self
    }

    /// A handle to add devices later.
    pub fn handle(&self) -> SimulatedDevices {
        SimulatedDevices {
            shared: self.shared.clone(),
        }
    }
}

impl DeviceCommunicationManagerBuilder for SimulatedCommunicationManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        *crate::sync::lock(&self.shared.events) = Some(events);
        Box::new(SimulatedCommunicationManager {
            shared: self.shared,
        })
    }
}

/// The simulated manager.
#[derive(Debug)]
pub struct SimulatedCommunicationManager {
    shared: Arc<Shared>,
}

#[async_trait]
impl DeviceCommunicationManager for SimulatedCommunicationManager {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn start_scanning(&self) -> Result<(), CommunicationError> {
        self.shared.scanning.store(true, Ordering::SeqCst);
        let generation = self.shared.scan_generation.fetch_add(1, Ordering::SeqCst) + 1;
        let duration = *crate::sync::lock(&self.shared.scan_duration);
        if let Some(duration) = duration {
            let shared = self.shared.clone();
            crate::rt::spawn(async move {
                crate::rt::sleep(duration).await;
                if shared.scan_generation.load(Ordering::SeqCst) == generation
                    && shared.scanning.swap(false, Ordering::SeqCst)
                {
                    let sender = crate::sync::lock(&shared.events).clone();
                    if let Some(sender) = sender {
                        let _ = sender
                            .send(CommunicationEvent::ScanningFinished {
                                manager: "simulated",
                            })
                            .await;
                    }
                }
            });
        }
        let devices = crate::sync::lock(&self.shared.devices).clone();
        for d in devices.iter().filter(|d| d.hardware.is_connected()) {
            self.shared.emit(d);
        }
        Ok(())
    }

    async fn stop_scanning(&self) -> Result<(), CommunicationError> {
        self.shared.scan_generation.fetch_add(1, Ordering::SeqCst);
        self.shared.scanning.store(false, Ordering::SeqCst);
        Ok(())
    }

    fn is_scanning(&self) -> bool {
        self.shared.scanning.load(Ordering::SeqCst)
    }
}

#[derive(Debug)]
struct SimulatedConnector {
    device: SimulatedDevice,
}

#[async_trait]
impl HardwareConnector for SimulatedConnector {
    fn specifier(&self) -> CommunicationSpecifier {
        self.device.specifier.clone()
    }

    async fn connect(self: Box<Self>) -> Result<Box<dyn HardwareSpecializer>, HardwareError> {
        if !self.device.hardware.is_connected() {
            return Err(HardwareError::Disconnected);
        }
        Ok(Box::new(GenericHardwareSpecializer::new(Arc::new(
            self.device.hardware,
        ))))
    }
}

//! The async side of a BLE device: connector, specializer (service/characteristic → endpoint
//! mapping) and [`Hardware`], all talking to the btleplug thread by address.

use super::BLE_MESSAGE_GAP;
use super::thread::{BleCommand, CharKey, ServiceMap};
use crate::comm::{HardwareConnector, HardwareSpecializer};
use crate::managers::hardware_events::EventHub;
use async_trait::async_trait;
use buttplug_devices::config::CommunicationSpecifier;
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent, HardwareRef};
use futures::channel::oneshot;
use futures::stream::BoxStream;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

async fn ask<T>(
    commands: &async_channel::Sender<BleCommand>,
    make: impl FnOnce(oneshot::Sender<Result<T, HardwareError>>) -> BleCommand,
) -> Result<T, HardwareError> {
    let (tx, rx) = oneshot::channel();
    commands
        .send(make(tx))
        .await
        .map_err(|_| HardwareError::Disconnected)?;
    rx.await.map_err(|_| HardwareError::Disconnected)?
}

/// A discovered peripheral.
pub(super) struct BtleConnector {
    pub(super) name: String,
    pub(super) address: String,
    pub(super) manufacturer_data: Vec<(u16, Vec<u8>)>,
    pub(super) specifier: CommunicationSpecifier,
    pub(super) commands: async_channel::Sender<BleCommand>,
}

impl std::fmt::Debug for BtleConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BtleConnector")
            .field("name", &self.name)
            .field("address", &self.address)
            .finish()
    }
}

#[async_trait]
impl HardwareConnector for BtleConnector {
    fn specifier(&self) -> CommunicationSpecifier {
        self.specifier.clone()
    }

    async fn connect(self: Box<Self>) -> Result<Box<dyn HardwareSpecializer>, HardwareError> {
        let address = self.address.clone();
        let services = ask(&self.commands, |reply| BleCommand::Connect {
            address,
            reply,
        })
        .await?;
        Ok(Box::new(BtleSpecializer {
            connector: *self,
            services,
        }))
    }
}

/// A connected peripheral and its services.
#[derive(Debug)]
struct BtleSpecializer {
    connector: BtleConnector,
    services: ServiceMap,
}

/// Map a `btle` specifier's services table onto what the device offers.
pub(super) fn map_endpoints(
    specifier: &CommunicationSpecifier,
    services: &ServiceMap,
) -> BTreeMap<Endpoint, CharKey> {
    let mut map = BTreeMap::new();
    let CommunicationSpecifier::Btle {
        services: wanted, ..
    } = specifier
    else {
        return map;
    };
    for (service, endpoints) in wanted {
        let service = service.to_ascii_lowercase();
        let Some(characteristics) = services.get(&service) else {
            continue;
        };
        for (endpoint, characteristic) in endpoints {
            let characteristic = characteristic.to_ascii_lowercase();
            if characteristics.contains(&characteristic) {
                map.entry(*endpoint)
                    .or_insert_with(|| (service.clone(), characteristic));
            }
        }
    }
    map
}

#[async_trait]
impl HardwareSpecializer for BtleSpecializer {
    async fn specialize(
        self: Box<Self>,
        specifiers: &[CommunicationSpecifier],
    ) -> Result<HardwareRef, HardwareError> {
        let endpoints = specifiers
            .iter()
            .map(|s| map_endpoints(s, &self.services))
            .find(|m| !m.is_empty());
        let c = self.connector;
        let Some(endpoints) = endpoints else {
            let address = c.address.clone();
            let _ = ask(&c.commands, |reply| BleCommand::Disconnect {
                address,
                reply,
            })
            .await;
            return Err(HardwareError::Transport {
                message: "the device has none of the candidate protocols' services".into(),
            });
        };
        let hub = Arc::new(EventHub::default());
        let routes: HashMap<String, Endpoint> = endpoints
            .iter()
            .map(|(e, (_, ch))| (ch.clone(), *e))
            .collect();
        c.commands
            .send(BleCommand::Attach {
                address: c.address.clone(),
                hub: hub.clone(),
                routes,
            })
            .await
            .map_err(|_| HardwareError::Disconnected)?;
        Ok(Arc::new(BtleHardware {
            name: c.name,
            address: c.address,
            manufacturer_data: c.manufacturer_data,
            endpoints,
            hub,
            commands: c.commands,
        }))
    }
}

/// A connected BLE device.
#[derive(Debug)]
struct BtleHardware {
    name: String,
    address: String,
    manufacturer_data: Vec<(u16, Vec<u8>)>,
    endpoints: BTreeMap<Endpoint, CharKey>,
    hub: Arc<EventHub>,
    commands: async_channel::Sender<BleCommand>,
}

impl BtleHardware {
    fn characteristic(&self, endpoint: Endpoint) -> Result<CharKey, HardwareError> {
        if !self.hub.is_connected() {
            return Err(HardwareError::Disconnected);
        }
        self.endpoints
            .get(&endpoint)
            .cloned()
            .ok_or(HardwareError::NoEndpoint { endpoint })
    }
}

#[async_trait]
impl Hardware for BtleHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.address
    }

    fn manufacturer_data(&self) -> Vec<(u16, Vec<u8>)> {
        self.manufacturer_data.clone()
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        self.endpoints.keys().copied().collect()
    }

    fn default_message_gap(&self) -> Option<Duration> {
        Some(BLE_MESSAGE_GAP)
    }

    fn supports_rssi(&self) -> bool {
        true
    }

    /// The RSSI btleplug last saw for the peripheral (BlueZ, WinRT and CoreBluetooth keep the
    /// value of the latest advertisement).
    async fn rssi(&self) -> Result<i16, HardwareError> {
        if !self.hub.is_connected() {
            return Err(HardwareError::Disconnected);
        }
        let address = self.address.clone();
        ask(&self.commands, |reply| BleCommand::Rssi { address, reply }).await
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        write_with_response: bool,
    ) -> Result<(), HardwareError> {
        let characteristic = self.characteristic(endpoint)?;
        let address = self.address.clone();
        let data = data.to_vec();
        ask(&self.commands, |reply| BleCommand::Write {
            address,
            characteristic,
            data,
            with_response: write_with_response,
            reply,
        })
        .await
    }

    async fn read(
        &self,
        endpoint: Endpoint,
        length: u32,
        timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        let characteristic = self.characteristic(endpoint)?;
        let address = self.address.clone();
        let read = ask(&self.commands, |reply| BleCommand::Read {
            address,
            characteristic,
            reply,
        });
        let mut data = buttplug_devices::with_timeout(timeout, read)
            .await
            .map_err(|_| HardwareError::Timeout { after: timeout })??;
        if length > 0 {
            data.truncate(length as usize);
        }
        Ok(data)
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        let characteristic = self.characteristic(endpoint)?;
        self.hub.set_subscribed(endpoint, true);
        let address = self.address.clone();
        let r = ask(&self.commands, |reply| BleCommand::Subscribe {
            address,
            characteristic,
            on: true,
            reply,
        })
        .await;
        if r.is_err() {
            self.hub.set_subscribed(endpoint, false);
        }
        r
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        let characteristic = self.characteristic(endpoint)?;
        self.hub.set_subscribed(endpoint, false);
        let address = self.address.clone();
        ask(&self.commands, |reply| BleCommand::Subscribe {
            address,
            characteristic,
            on: false,
            reply,
        })
        .await
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        let address = self.address.clone();
        let r = ask(&self.commands, |reply| BleCommand::Disconnect {
            address,
            reply,
        })
        .await;
        self.hub.disconnected();
        r
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.hub.stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn maps_configured_services_case_insensitively() {
        let spec: CommunicationSpecifier = serde_json::from_value(serde_json::json!({
            "btle": {"names": ["LVS-*"], "services": {
                "5A300001-0023-4BD4-BBD5-A6920E4C5653": {
                    "tx": "5a300002-0023-4bd4-bbd5-a6920e4c5653",
                    "rx": "5a300003-0023-4bd4-bbd5-a6920e4c5653"
                },
                "0000180f-0000-1000-8000-00805f9b34fb": {"rxblebattery": "00002a19-0000-1000-8000-00805f9b34fb"}
            }}
        }))
        .expect("specifier");
        let mut services = ServiceMap::new();
        services.insert(
            "5a300001-0023-4bd4-bbd5-a6920e4c5653".into(),
            BTreeSet::from([
                "5a300002-0023-4bd4-bbd5-a6920e4c5653".to_string(),
                "5a300003-0023-4bd4-bbd5-a6920e4c5653".to_string(),
            ]),
        );
        let map = map_endpoints(&spec, &services);
        assert_eq!(
            map.keys().copied().collect::<Vec<_>>(),
            [Endpoint::Rx, Endpoint::Tx]
        );
        assert_eq!(map[&Endpoint::Tx].1, "5a300002-0023-4bd4-bbd5-a6920e4c5653");
        assert!(map_endpoints(&spec, &ServiceMap::new()).is_empty());
    }
}

//! The toy behind the dongle as [`Hardware`]: `tx` writes become dongle `command` messages,
//! `toyData` answers arrive as `rx` notifications.

use super::{DONGLE_DEVICE_NAME, DONGLE_MESSAGE_GAP};
use crate::comm::HardwareConnector;
use crate::managers::hardware_events::{EventHub, ReadyConnector, check_endpoint};
use async_trait::async_trait;
use buttplug_devices::config::CommunicationSpecifier;
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::stream::BoxStream;
use std::sync::Arc;
use std::time::Duration;

/// The connector of a toy the dongle connected.
///
/// The dongle only ever holds Lovense toys, which the database knows by their BLE names
/// (`LVS-*`): the toy is described as a BLE device with that kind of name.
pub(super) fn connector(
    id: String,
    hub: Arc<EventHub>,
    commands: async_channel::Sender<Vec<u8>>,
) -> Box<dyn HardwareConnector> {
    let specifier =
        CommunicationSpecifier::btle_advertisement(DONGLE_DEVICE_NAME, Vec::new(), Vec::new());
    Box::new(ReadyConnector::new(
        specifier,
        DongleHardware { id, hub, commands },
    ))
}

#[derive(Debug)]
struct DongleHardware {
    id: String,
    hub: Arc<EventHub>,
    commands: async_channel::Sender<Vec<u8>>,
}

#[async_trait]
impl Hardware for DongleHardware {
    fn name(&self) -> &str {
        DONGLE_DEVICE_NAME
    }

    fn address(&self) -> &str {
        &self.id
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::Tx, Endpoint::Rx]
    }

    fn default_message_gap(&self) -> Option<Duration> {
        Some(DONGLE_MESSAGE_GAP)
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        _write_with_response: bool,
    ) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Tx)?;
        self.hub.check_connected()?;
        self.commands
            .send(data.to_vec())
            .await
            .map_err(|_| HardwareError::Disconnected)
    }

    async fn read(
        &self,
        _endpoint: Endpoint,
        _length: u32,
        _timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        Err(HardwareError::Unsupported {
            operation: "read through the Lovense dongle",
        })
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Rx)?;
        self.hub.set_subscribed(endpoint, true);
        Ok(())
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Rx)?;
        self.hub.set_subscribed(endpoint, false);
        Ok(())
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.hub.disconnected();
        self.commands.close();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.hub.stream()
    }
}

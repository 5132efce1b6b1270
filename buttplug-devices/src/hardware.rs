//! The hardware abstraction: what a protocol may do with a connected device.

use crate::Endpoint;
use async_trait::async_trait;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// One command for the hardware, produced by a protocol. Plain data: two commands are equal when
/// every field is equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum HardwareCommand {
    /// Write bytes to an endpoint.
    Write {
        /// Target endpoint.
        endpoint: Endpoint,
        /// The exact bytes.
        data: Vec<u8>,
        /// Whether the transport must confirm the write (BLE write-with-response).
        write_with_response: bool,
    },
    /// Start receiving notifications from an endpoint.
    Subscribe {
        /// Endpoint to subscribe to.
        endpoint: Endpoint,
    },
    /// Stop receiving notifications from an endpoint.
    Unsubscribe {
        /// Endpoint to unsubscribe from.
        endpoint: Endpoint,
    },
}

impl HardwareCommand {
    /// A write without response.
    pub fn write(endpoint: Endpoint, data: impl Into<Vec<u8>>) -> Self {
        HardwareCommand::Write {
            endpoint,
            data: data.into(),
            write_with_response: false,
        }
    }

    /// A write with response.
    pub fn write_with_response(endpoint: Endpoint, data: impl Into<Vec<u8>>) -> Self {
        HardwareCommand::Write {
            endpoint,
            data: data.into(),
            write_with_response: true,
        }
    }

    /// A subscription.
    pub fn subscribe(endpoint: Endpoint) -> Self {
        HardwareCommand::Subscribe { endpoint }
    }

    /// An unsubscription.
    pub fn unsubscribe(endpoint: Endpoint) -> Self {
        HardwareCommand::Unsubscribe { endpoint }
    }

    /// The endpoint this command targets.
    pub fn endpoint(&self) -> Endpoint {
        match self {
            HardwareCommand::Write { endpoint, .. }
            | HardwareCommand::Subscribe { endpoint }
            | HardwareCommand::Unsubscribe { endpoint } => *endpoint,
        }
    }
}

/// Something the hardware reports on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HardwareEvent {
    /// Data arrived on a subscribed endpoint.
    Notification {
        /// The endpoint it arrived on.
        endpoint: Endpoint,
        /// The bytes.
        data: Vec<u8>,
    },
    /// The device went away.
    Disconnected,
}

/// Errors of a hardware operation.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum HardwareError {
    /// The hardware has no such endpoint.
    #[error("device has no endpoint {endpoint}")]
    NoEndpoint {
        /// The endpoint asked for.
        endpoint: Endpoint,
    },
    /// The device is not connected (any more).
    #[error("device is disconnected")]
    Disconnected,
    /// A read or an expected reply did not arrive in time.
    #[error("timed out after {after:?}")]
    Timeout {
        /// How long was waited.
        after: Duration,
    },
    /// The transport does not support this operation (e.g. reads over the WebSocket device link).
    #[error("operation not supported by this transport: {operation}")]
    Unsupported {
        /// What was attempted.
        operation: &'static str,
    },
    /// The transport failed.
    #[error("transport error: {message}")]
    Transport {
        /// What the transport said.
        message: String,
    },
}

/// A connected device, as protocols see it. Implemented by every transport (BLE, serial, USB,
/// WebSocket device link) and by [`crate::SimulatedHardware`].
///
/// All methods take `&self`: implementations serialize access internally.
///
/// # What an implementation must write
///
/// Only [`Hardware::name`], [`Hardware::address`], [`Hardware::endpoints`] and
/// [`Hardware::write`]. Everything else has a default for a write-only device that cannot tell
/// when it goes away:
///
/// | method | default |
/// |---|---|
/// | [`Hardware::read`], [`Hardware::subscribe`], [`Hardware::unsubscribe`] | [`HardwareError::NoEndpoint`] for every endpoint |
/// | [`Hardware::disconnect`] | `Ok(())`, nothing to close |
/// | [`Hardware::event_stream`] | a stream that never yields (no notifications, never [`HardwareEvent::Disconnected`]) |
/// | [`Hardware::manufacturer_data`] | empty |
/// | [`Hardware::default_message_gap`] | `None` |
/// | [`Hardware::requires_keepalive`], [`Hardware::supports_rssi`] | `false` |
/// | [`Hardware::rssi`] | [`HardwareError::Unsupported`] |
///
/// A device that notifies (protocols that subscribe, e.g. Lovense's `DeviceType;` answer) or that
/// can disconnect overrides `subscribe`, `unsubscribe` and `event_stream` together;
/// `buttplug_server::managers::hardware_events::EventHub` implements their bookkeeping.
#[async_trait]
pub trait Hardware: Send + Sync + std::fmt::Debug {
    /// The name the device advertised (BLE name, port name, ...).
    fn name(&self) -> &str;

    /// A stable address identifying this physical device across reconnects.
    fn address(&self) -> &str;

    /// BLE manufacturer data from the advertisement: (company id, payload) pairs. Empty for
    /// other transports.
    fn manufacturer_data(&self) -> Vec<(u16, Vec<u8>)> {
        Vec::new()
    }

    /// The endpoints this hardware offers.
    fn endpoints(&self) -> Vec<Endpoint>;

    /// Whether the hardware has an endpoint.
    fn has_endpoint(&self, endpoint: Endpoint) -> bool {
        self.endpoints().contains(&endpoint)
    }

    /// The transport's minimum gap between writes, if any (BLE: 75 ms).
    fn default_message_gap(&self) -> Option<Duration> {
        None
    }

    /// Whether the transport needs periodic writes to keep the link alive (iOS background BLE).
    fn requires_keepalive(&self) -> bool {
        false
    }

    /// Whether the transport reports the device's signal strength ([`Hardware::rssi`]).
    /// Default: no.
    fn supports_rssi(&self) -> bool {
        false
    }

    /// The device's received signal strength in dBm (negative; closer to 0 is stronger).
    ///
    /// # Errors
    /// [`HardwareError::Unsupported`] when the transport has no signal strength (the default),
    /// or a transport error.
    async fn rssi(&self) -> Result<i16, HardwareError> {
        Err(HardwareError::Unsupported { operation: "rssi" })
    }

    /// Write bytes to an endpoint.
    ///
    /// # Errors
    /// [`HardwareError::NoEndpoint`], [`HardwareError::Disconnected`] or a transport error.
    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        write_with_response: bool,
    ) -> Result<(), HardwareError>;

    /// Read up to `length` bytes from an endpoint, waiting at most `timeout`.
    ///
    /// # Errors
    /// [`HardwareError::Timeout`] when nothing arrives in time, or as for [`Hardware::write`].
    /// The default has nothing to read: [`HardwareError::NoEndpoint`] for every endpoint.
    async fn read(
        &self,
        endpoint: Endpoint,
        length: u32,
        timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        let _ = (length, timeout);
        Err(HardwareError::NoEndpoint { endpoint })
    }

    /// Start notifications from an endpoint; they arrive on [`Hardware::event_stream`].
    ///
    /// # Errors
    /// As for [`Hardware::write`]. The default notifies nothing: [`HardwareError::NoEndpoint`]
    /// for every endpoint.
    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        Err(HardwareError::NoEndpoint { endpoint })
    }

    /// Stop notifications from an endpoint.
    ///
    /// # Errors
    /// As for [`Hardware::write`]. The default (nothing can be subscribed):
    /// [`HardwareError::NoEndpoint`] for every endpoint.
    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        Err(HardwareError::NoEndpoint { endpoint })
    }

    /// Disconnect the device.
    ///
    /// # Errors
    /// A transport error; disconnecting twice is not an error. The default has nothing to
    /// close and returns `Ok(())`.
    async fn disconnect(&self) -> Result<(), HardwareError> {
        Ok(())
    }

    /// A new stream of notifications and the disconnect event. Every call returns an independent
    /// stream that sees events from the moment of the call.
    ///
    /// The default never yields: no notifications, and the device is never reported gone (it
    /// stays in the server until the server itself disconnects it).
    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        Box::pin(futures::stream::pending())
    }
}

impl dyn Hardware + '_ {
    /// Execute one [`HardwareCommand`]. (Not a trait method, so that the command path does not
    /// box one more future per write.)
    ///
    /// # Errors
    /// As for the underlying operation.
    pub async fn execute(&self, command: &HardwareCommand) -> Result<(), HardwareError> {
        match command {
            HardwareCommand::Write {
                endpoint,
                data,
                write_with_response,
            } => self.write(*endpoint, data, *write_with_response).await,
            HardwareCommand::Subscribe { endpoint } => self.subscribe(*endpoint).await,
            HardwareCommand::Unsubscribe { endpoint } => self.unsubscribe(*endpoint).await,
        }
    }
}

/// Shared handle to a hardware object.
pub type HardwareRef = Arc<dyn Hardware>;

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::{FutureExt, StreamExt};

    /// Only the four required methods.
    #[derive(Debug)]
    struct WriteOnly;

    #[async_trait]
    impl Hardware for WriteOnly {
        fn name(&self) -> &str {
            "write-only"
        }
        fn address(&self) -> &str {
            "00"
        }
        fn endpoints(&self) -> Vec<Endpoint> {
            vec![Endpoint::Tx]
        }
        async fn write(&self, _: Endpoint, _: &[u8], _: bool) -> Result<(), HardwareError> {
            Ok(())
        }
    }

    #[test]
    fn defaults_of_a_write_only_device() {
        let hw = WriteOnly;
        let no_rx = |r: Result<(), HardwareError>| {
            matches!(
                r,
                Err(HardwareError::NoEndpoint {
                    endpoint: Endpoint::Rx
                })
            )
        };
        assert!(no_rx(block_on(hw.subscribe(Endpoint::Rx))));
        assert!(no_rx(block_on(hw.unsubscribe(Endpoint::Rx))));
        assert!(no_rx(
            block_on(hw.read(Endpoint::Rx, 1, Duration::ZERO)).map(|_| ())
        ));
        assert!(block_on(hw.disconnect()).is_ok());
        assert!(matches!(
            block_on(hw.rssi()),
            Err(HardwareError::Unsupported { .. })
        ));
        assert!(!hw.requires_keepalive() && !hw.supports_rssi());
        assert_eq!(hw.default_message_gap(), None);
        assert!(hw.manufacturer_data().is_empty());
        // The event stream neither yields nor ends.
        assert!(hw.event_stream().next().now_or_never().is_none());
    }
}

//! Client events and the streams that deliver them.

use crate::device::ButtplugClientDevice;
use crate::error::ClientError;
use crate::lock;
use buttplug_core::InputType;
use futures::Stream;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

/// Default capacity of each [`EventStream`] (events). When a stream is full because nobody
/// reads it, further events for that stream are dropped (with a `tracing` warning) so that a
/// slow reader never stalls the connection.
pub const EVENT_STREAM_CAPACITY: usize = 256;

/// Something that happened on the connection, delivered by [`EventStream`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ButtplugClientEvent {
    /// A device connected to the server (also sent for every device of the initial list).
    DeviceAdded(ButtplugClientDevice),
    /// A device left the server. The handle now reports `connected() == false`.
    DeviceRemoved(ButtplugClientDevice),
    /// The server finished scanning on its own (not sent after an explicit `stop_scanning`).
    ScanningFinished,
    /// A subscribed input produced a value.
    InputReading {
        /// Device index.
        device_index: u32,
        /// Feature index.
        feature_index: u32,
        /// Input type.
        input_type: InputType,
        /// The value (for multi-value spec v3 readings, the first one).
        value: i32,
    },
    /// A subscribed raw endpoint produced data (spec v3 connections only).
    RawReading {
        /// Device index.
        device_index: u32,
        /// Endpoint name.
        endpoint: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// The server closed the connection, or the transport failed. Not sent after
    /// [`ButtplugClient::disconnect`](crate::ButtplugClient::disconnect).
    ServerDisconnect,
    /// The client is about to re-dial after losing the connection (only with
    /// [`ButtplugClientBuilder::reconnect`](crate::ButtplugClientBuilder::reconnect)).
    Reconnecting {
        /// Which attempt this is (from 1).
        attempt: u32,
        /// The wait before dialing.
        delay: std::time::Duration,
    },
    /// Re-dialing stopped because the policy's attempts ran out; the driver ends.
    ReconnectFailed {
        /// How many attempts were made.
        attempts: u32,
    },
    /// The connection is back (handshake done). The server's devices follow as
    /// [`ButtplugClientEvent::DeviceAdded`], with new handles.
    Reconnected {
        /// The spec version of the new connection.
        spec_version: buttplug_core::SpecVersion,
    },
    /// The server reported that the client missed its ping deadline; the server stops all
    /// devices and usually closes the connection.
    PingTimeout,
    /// The server sent an error that answers no request, or something the client could not use.
    Error(ClientError),
}

/// A stream of [`ButtplugClientEvent`]s; see
/// [`ButtplugClient::event_stream`](crate::ButtplugClient::event_stream).
///
/// Each stream is independent and bounded. The stream ends when the client (and its driver) is
/// dropped.
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct EventStream {
    receiver: Pin<Box<async_channel::Receiver<ButtplugClientEvent>>>,
}

impl Stream for EventStream {
    type Item = ButtplugClientEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.receiver.as_mut().poll_next(cx)
    }
}

/// Fans events out to every live [`EventStream`].
#[derive(Debug)]
pub(crate) struct EventHub {
    capacity: usize,
    senders: Mutex<Vec<async_channel::Sender<ButtplugClientEvent>>>,
}

impl EventHub {
    pub(crate) fn new(capacity: usize) -> Self {
        EventHub {
            capacity: capacity.max(1),
            senders: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn subscribe(&self) -> EventStream {
        let (sender, receiver) = async_channel::bounded(self.capacity);
        lock(&self.senders).push(sender);
        EventStream {
            receiver: Box::pin(receiver),
        }
    }

    pub(crate) fn emit(&self, event: ButtplugClientEvent) {
        lock(&self.senders).retain(|s| match s.try_send(event.clone()) {
            Ok(()) => true,
            Err(async_channel::TrySendError::Full(_)) => {
                tracing::warn!("client event stream is full; dropping {event:?}");
                true
            }
            Err(async_channel::TrySendError::Closed(_)) => false,
        });
    }
}

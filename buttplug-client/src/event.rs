//! Client events and the streams that deliver them.

use crate::device::ButtplugClientDevice;
use crate::error::ClientError;
use buttplug_core::InputType;
use futures::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Default capacity of each [`EventStream`] (events). When a stream is this far behind because
/// nobody reads it, its oldest unread events are dropped (with a `tracing` warning) so that a
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
/// Each stream is independent and bounded: a stream that falls behind loses its oldest unread
/// events, never the client. The stream ends when the client (and its driver) is dropped.
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct EventStream {
    receiver: async_broadcast::Receiver<ButtplugClientEvent>,
}

impl Stream for EventStream {
    type Item = ButtplugClientEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Skips the events lost to overflow.
        Pin::new(&mut self.receiver).poll_next(cx)
    }
}

/// Fans events out to every live [`EventStream`] over one bounded [`async_broadcast`] queue in
/// overflow mode: emitting never blocks or waits, and a stream that falls `capacity` events
/// behind loses its oldest unread events (with a `tracing` warning).
#[derive(Debug)]
pub(crate) struct EventHub {
    sender: async_broadcast::Sender<ButtplugClientEvent>,
    /// Keeps the channel open while no stream exists (it holds no events).
    _keep_open: async_broadcast::InactiveReceiver<ButtplugClientEvent>,
}

impl EventHub {
    pub(crate) fn new(capacity: usize) -> Self {
        let (mut sender, receiver) = async_broadcast::broadcast(capacity.max(1));
        sender.set_overflow(true);
        EventHub {
            sender,
            _keep_open: receiver.deactivate(),
        }
    }

    pub(crate) fn subscribe(&self) -> EventStream {
        EventStream {
            receiver: self.sender.new_receiver(),
        }
    }

    pub(crate) fn emit(&self, event: ButtplugClientEvent) {
        // `Err` only when no stream exists (`Inactive`): the event has no reader.
        if let Ok(Some(dropped)) = self.sender.try_broadcast(event) {
            tracing::warn!(
                "a client event stream fell behind; dropping its oldest event {dropped:?}"
            );
        }
    }
}

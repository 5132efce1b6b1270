//! The event side of a hardware object, shared by the hardware backends: a connected flag, a
//! fan-out of [`HardwareEvent`]s to every [`Hardware::event_stream`](buttplug_devices::Hardware)
//! caller, and per-endpoint subscription flags.

// Each backend uses a different part of the hub (USB has no subscriptions), so with one backend
// feature alone some of it is unused.
#![allow(dead_code)]

use crate::broadcast::Broadcaster;
use buttplug_devices::{Endpoint, HardwareEvent};
use futures::stream::BoxStream;
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Capacity of each event stream handed out by a hardware object.
pub const HARDWARE_EVENT_CAPACITY: usize = 256;

/// Connected flag, subscriptions and event fan-out of one device.
#[derive(Debug)]
pub(crate) struct EventHub {
    connected: AtomicBool,
    subscribed: Mutex<BTreeSet<Endpoint>>,
    events: Broadcaster<HardwareEvent>,
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub {
            connected: AtomicBool::new(true),
            subscribed: Mutex::new(BTreeSet::new()),
            events: Broadcaster::new(HARDWARE_EVENT_CAPACITY),
        }
    }
}

impl EventHub {
    /// Whether the device is still connected.
    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Mark the device gone; the first call sends [`HardwareEvent::Disconnected`].
    pub(crate) fn disconnected(&self) {
        if self.connected.swap(false, Ordering::SeqCst) {
            self.events.send(HardwareEvent::Disconnected);
        }
    }

    /// Send a notification if `endpoint` is subscribed; returns whether it was sent.
    pub(crate) fn notify(&self, endpoint: Endpoint, data: Vec<u8>) -> bool {
        if self.is_subscribed(endpoint) {
            self.events
                .send(HardwareEvent::Notification { endpoint, data });
            true
        } else {
            false
        }
    }

    /// Send a notification whatever the subscriptions.
    pub(crate) fn notify_always(&self, endpoint: Endpoint, data: Vec<u8>) {
        self.events
            .send(HardwareEvent::Notification { endpoint, data });
    }

    /// Whether `endpoint` is subscribed.
    pub(crate) fn is_subscribed(&self, endpoint: Endpoint) -> bool {
        self.subscribed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&endpoint)
    }

    /// Record a subscription change.
    pub(crate) fn set_subscribed(&self, endpoint: Endpoint, on: bool) {
        let mut s = self
            .subscribed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if on {
            s.insert(endpoint);
        } else {
            s.remove(&endpoint);
        }
    }

    /// A new event stream (already ended with `Disconnected` when the device is gone).
    pub(crate) fn stream(&self) -> BoxStream<'static, HardwareEvent> {
        if self.is_connected() {
            Box::pin(self.events.subscribe())
        } else {
            Box::pin(futures::stream::iter([HardwareEvent::Disconnected]))
        }
    }
}

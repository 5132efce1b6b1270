//! A small fan-out of events to many bounded receivers. A full receiver loses the event (and a
//! warning is logged) instead of blocking the sender: one slow client never stalls devices.

use std::sync::Mutex;

/// Fan-out sender.
#[derive(Debug)]
pub(crate) struct Broadcaster<T> {
    receivers: Mutex<Vec<async_channel::Sender<T>>>,
    capacity: usize,
}

impl<T: Clone> Broadcaster<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Broadcaster {
            receivers: Mutex::new(Vec::new()),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<async_channel::Sender<T>>> {
        self.receivers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new receiver that sees every event sent from now on.
    pub(crate) fn subscribe(&self) -> async_channel::Receiver<T> {
        let (tx, rx) = async_channel::bounded(self.capacity);
        let mut receivers = self.lock();
        // Drop the senders of receivers that are gone: without an event in between, sessions
        // that come and go would otherwise keep their (preallocated) queues alive.
        receivers.retain(|r| !r.is_closed());
        receivers.push(tx);
        rx
    }

    /// Send to every live receiver.
    pub(crate) fn send(&self, event: T) {
        let mut receivers = self.lock();
        receivers.retain(|r| !r.is_closed());
        for r in receivers.iter() {
            if r.try_send(event.clone()).is_err() {
                tracing::warn!("event receiver is full; event dropped");
            }
        }
    }

    /// How many live receivers there are.
    #[allow(dead_code)]
    pub(crate) fn receiver_count(&self) -> usize {
        let mut receivers = self.lock();
        receivers.retain(|r| !r.is_closed());
        receivers.len()
    }
}

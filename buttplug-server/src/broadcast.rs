//! Fan-out of events to many receivers over one bounded [`async_broadcast`] queue.
//!
//! The queue runs in overflow mode and the sender only ever uses `try_broadcast`, so sending
//! never blocks and never waits: one slow client never stalls devices. A receiver that falls
//! `capacity` events behind loses its *oldest* unread events (the queue drops its front to make
//! room, and a warning is logged); receivers that keep up lose nothing.

/// Fan-out sender.
#[derive(Debug)]
pub(crate) struct Broadcaster<T> {
    sender: async_broadcast::Sender<T>,
    /// Keeps the channel open while nobody is subscribed (it holds no events).
    _keep_open: async_broadcast::InactiveReceiver<T>,
}

impl<T: Clone> Broadcaster<T> {
    /// A fan-out where each receiver may fall up to `capacity` events behind (at least 1).
    pub(crate) fn new(capacity: usize) -> Self {
        let (mut sender, receiver) = async_broadcast::broadcast(capacity.max(1));
        sender.set_overflow(true);
        Broadcaster {
            sender,
            _keep_open: receiver.deactivate(),
        }
    }

    /// A new receiver that sees every event sent from now on.
    pub(crate) fn subscribe(&self) -> async_broadcast::Receiver<T> {
        self.sender.new_receiver()
    }

    /// How many receivers are subscribed.
    pub(crate) fn receiver_count(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Send to every live receiver.
    pub(crate) fn send(&self, event: T) {
        // `Err` only when nobody is subscribed (`Inactive`): the event has no receiver.
        if let Ok(Some(_)) = self.sender.try_broadcast(event) {
            tracing::warn!("an event receiver fell behind; its oldest event was dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use futures::executor::block_on;

    #[test]
    fn a_slow_receiver_loses_its_oldest_events_and_never_blocks_the_sender() {
        let b = Broadcaster::new(2);
        b.send(0); // nobody subscribed: nobody gets it
        let mut fast = b.subscribe();
        let mut slow = b.subscribe();
        for i in 1..=5 {
            b.send(i); // never blocks although `slow` reads nothing
            assert_eq!(fast.try_recv(), Ok(i));
        }
        drop(b);
        let rest: Vec<i32> = block_on(slow.by_ref().collect());
        assert_eq!(rest, vec![4, 5]);
        assert_eq!(block_on(fast.next()), None);
    }

    #[test]
    fn receivers_come_and_go() {
        let b = Broadcaster::new(1);
        drop(b.subscribe());
        b.send(1);
        let mut r = b.subscribe();
        b.send(2);
        assert_eq!(r.try_recv(), Ok(2));
    }
}

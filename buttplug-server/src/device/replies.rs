//! Replies to output and stop requests without a channel or a future per request.
//!
//! A session owns one [`ReplyTracker`]: every client message whose reply waits on device tasks
//! gets a slot there; each device request of it carries a [`UnitReply`] naming the slot. A device
//! task answers by pushing `(slot, result)` into the session's shared queue and waking the
//! session, which folds the results into one `Ok` or the first error per message. A request that
//! is dropped unanswered (its device task ended) answers "device gone" on its own, so every slot
//! is settled.

use super::ServerDeviceError;
use buttplug_core::{ServerMessage, SpecVersion};
use buttplug_devices::DeviceError;
use futures::channel::oneshot;
use futures::task::AtomicWaker;
use std::sync::{Arc, Mutex};
use std::task::Context;

type Answer = (u32, Result<(), ServerDeviceError>);

/// The queue device tasks answer into.
#[derive(Debug, Default)]
pub(crate) struct ReplyQueue {
    answers: Mutex<Vec<Answer>>,
    waker: AtomicWaker,
}

impl ReplyQueue {
    fn push(&self, answer: Answer) {
        crate::sync::lock(&self.answers).push(answer);
        self.waker.wake();
    }
}

/// How a device task answers a request whose result is `()`.
#[derive(Debug)]
pub(crate) enum UnitReply {
    /// A caller waiting on this one request.
    Oneshot(oneshot::Sender<Result<(), DeviceError>>),
    /// A slot of a session's [`ReplyTracker`].
    Queued(QueuedReply),
    /// Several client messages whose outputs went to the device as one change: each is
    /// answered with the change's result.
    Several(Vec<UnitReply>),
}

impl UnitReply {
    /// Answer the request.
    pub(crate) fn send(self, result: Result<(), DeviceError>) {
        match self {
            UnitReply::Oneshot(tx) => {
                let _ = tx.send(result);
            }
            UnitReply::Queued(mut q) => q.settle(result.map_err(ServerDeviceError::from)),
            UnitReply::Several(replies) => {
                for r in replies {
                    r.send(result.clone());
                }
            }
        }
    }

    /// Answer with an error found before the request reached the device task.
    pub(crate) fn fail(self, error: ServerDeviceError) {
        match self {
            UnitReply::Queued(mut q) => q.settle(Err(error)),
            UnitReply::Several(replies) => {
                for r in replies {
                    r.fail(error.clone());
                }
            }
            UnitReply::Oneshot(_) => {}
        }
    }
}

/// A request's place in a session's [`ReplyTracker`].
#[derive(Debug)]
pub(crate) struct QueuedReply {
    /// `None` once answered.
    queue: Option<Arc<ReplyQueue>>,
    slot: u32,
    device: u32,
}

impl QueuedReply {
    /// Answer the slot (the first answer counts; a second one is ignored).
    fn settle(&mut self, result: Result<(), ServerDeviceError>) {
        if let Some(queue) = self.queue.take() {
            queue.push((self.slot, result));
        }
    }
}

impl Drop for QueuedReply {
    fn drop(&mut self) {
        let gone = ServerDeviceError::Gone { index: self.device };
        self.settle(Err(gone));
    }
}

#[derive(Debug)]
struct Slot {
    id: u32,
    version: SpecVersion,
    /// Answers still to come.
    remaining: u32,
    error: Option<ServerDeviceError>,
}

/// How a settled message is answered: `Ok` (no error) or the first error, in the session's shape.
pub(crate) type RenderReply = fn(SpecVersion, u32, Option<&ServerDeviceError>) -> ServerMessage;

/// A session's outstanding messages whose replies wait on device tasks.
#[derive(Debug)]
pub(crate) struct ReplyTracker {
    render: RenderReply,
    queue: Arc<ReplyQueue>,
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    open: usize,
    /// Spare buffer swapped with the queue's, so draining does not allocate.
    spare: Vec<Answer>,
}

impl ReplyTracker {
    /// An empty tracker answering with `render`.
    pub(crate) fn new(render: RenderReply) -> Self {
        ReplyTracker {
            render,
            queue: Arc::default(),
            slots: Vec::new(),
            free: Vec::new(),
            open: 0,
            spare: Vec::new(),
        }
    }

    /// A slot for message `id`; it is settled after [`ReplyTracker::close`] and one answer per
    /// [`ReplyTracker::reply_for`].
    pub(crate) fn open(&mut self, version: SpecVersion, id: u32) -> u32 {
        let slot = Slot {
            id,
            version,
            // The opener's own count, released by `close`.
            remaining: 1,
            error: None,
        };
        self.open += 1;
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(slot);
                i
            }
            None => {
                self.slots.push(Some(slot));
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        }
    }

    /// The reply handle of one more device request for `slot`.
    pub(crate) fn reply_for(&mut self, slot: u32, device: u32) -> UnitReply {
        if let Some(Some(s)) = self.slots.get_mut(slot as usize) {
            s.remaining += 1;
        }
        UnitReply::Queued(QueuedReply {
            queue: Some(self.queue.clone()),
            slot,
            device,
        })
    }

    /// Count one answer for `slot`; the reply goes to `out` once the slot is settled.
    fn answer(
        &mut self,
        slot: u32,
        result: Result<(), ServerDeviceError>,
        out: &mut Vec<ServerMessage>,
    ) {
        let Some(Some(s)) = self.slots.get_mut(slot as usize) else {
            return;
        };
        if let Err(e) = result {
            s.error.get_or_insert(e);
        }
        s.remaining = s.remaining.saturating_sub(1);
        if s.remaining == 0 {
            if let Some(s) = self.slots[slot as usize].take() {
                self.free.push(slot);
                self.open -= 1;
                out.push((self.render)(s.version, s.id, s.error.as_ref()));
            }
        }
    }

    /// The opener is done adding requests to `slot`.
    pub(crate) fn close(&mut self, slot: u32, out: &mut Vec<ServerMessage>) {
        self.answer(slot, Ok(()), out);
    }

    /// Fold the answers that arrived into replies; registers the waker for more.
    pub(crate) fn poll_answers(&mut self, cx: &mut Context<'_>, out: &mut Vec<ServerMessage>) {
        if self.open == 0 {
            return;
        }
        self.queue.waker.register(cx.waker());
        {
            let mut answers = crate::sync::lock(&self.queue.answers);
            std::mem::swap(&mut *answers, &mut self.spare);
        }
        let mut answers = std::mem::take(&mut self.spare);
        for (slot, result) in answers.drain(..) {
            self.answer(slot, result, out);
        }
        self.spare = answers;
    }

    /// Whether no message is waiting on a device task.
    pub(crate) fn is_idle(&self) -> bool {
        self.open == 0
    }
}

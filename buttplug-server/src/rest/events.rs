//! The `/events` stream: device-manager events and observations turned into numbered JSON
//! events, a bounded history for readers that resume, and one bounded queue per reader.

use super::routes::{device_json, reading_json};
use crate::{DeviceManager, DeviceManagerEvent, DeviceObservation};
use buttplug_core::OutputType;
use futures::StreamExt;
use hyper::body::Bytes;
use serde_json::json;
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// Events queued per reader; a reader this far behind is disconnected (it may resume).
pub(crate) const READER_QUEUE: usize = 256;

/// The numbered events and their readers.
#[derive(Debug)]
pub(crate) struct EventLog {
    state: Mutex<LogState>,
    history: usize,
}

#[derive(Debug)]
struct LogState {
    next_id: u64,
    /// Recent events, oldest first, already in SSE form.
    ring: VecDeque<(u64, Bytes)>,
    readers: Vec<async_channel::Sender<Bytes>>,
    closed: bool,
}

/// What a new reader gets: the events to send first, then its queue.
pub(crate) struct Subscription {
    pub replay: Vec<Bytes>,
    pub queue: async_channel::Receiver<Bytes>,
}

impl EventLog {
    pub(crate) fn new(history: usize) -> Self {
        EventLog {
            state: Mutex::new(LogState {
                next_id: 1,
                ring: VecDeque::with_capacity(history.min(4096)),
                readers: Vec::new(),
                closed: false,
            }),
            history,
        }
    }

    fn lock(&self) -> MutexGuard<'_, LogState> {
        crate::sync::lock(&self.state)
    }

    /// Number, keep and send one event.
    pub(crate) fn publish(&self, data: &impl serde::Serialize) {
        // `id: ` and the number are written in front under the lock; the JSON goes after room
        // left for them, so the frame is one allocation.
        const ROOM: usize = "id: 18446744073709551615\ndata: ".len();
        let mut buffer = Vec::with_capacity(ROOM + 128);
        buffer.resize(ROOM, b' ');
        if let Err(e) = serde_json::to_writer(&mut buffer, data) {
            tracing::warn!("REST event not serializable: {e}");
            return;
        }
        buffer.extend_from_slice(b"\n\n");
        let mut st = self.lock();
        if st.closed {
            return;
        }
        let id = st.next_id;
        st.next_id += 1;
        let mut head = [0u8; ROOM];
        let mut cursor = std::io::Cursor::new(&mut head[..]);
        // Cannot fail: ROOM fits the largest id.
        let _ = std::io::Write::write_fmt(&mut cursor, format_args!("id: {id}\ndata: "));
        let len = usize::try_from(cursor.position()).unwrap_or(ROOM);
        let start = ROOM - len;
        buffer[start..ROOM].copy_from_slice(&head[..len]);
        let frame = Bytes::from(buffer).slice(start..);
        if self.history > 0 {
            if st.ring.len() == self.history {
                st.ring.pop_front();
            }
            st.ring.push_back((id, frame.clone()));
        }
        // A reader whose queue is full is dropped: its stream ends and it can resume with
        // Last-Event-ID instead of silently losing events.
        st.readers.retain(|r| match r.try_send(frame.clone()) {
            Ok(()) => true,
            Err(async_channel::TrySendError::Full(_)) => {
                tracing::debug!("REST event reader too slow; disconnected");
                false
            }
            Err(async_channel::TrySendError::Closed(_)) => false,
        });
    }

    /// A new reader, resuming after `last_id` if given.
    pub(crate) fn subscribe(&self, last_id: Option<u64>) -> Subscription {
        let (tx, rx) = async_channel::bounded(READER_QUEUE);
        let mut st = self.lock();
        let mut replay = Vec::new();
        if let Some(last) = last_id {
            let oldest = st.next_id - st.ring.len() as u64;
            // Complete when every id after `last` is still in the history.
            let complete = last < st.next_id && last + 1 >= oldest;
            if !complete {
                let first = st.ring.front().map(|(id, _)| *id);
                let missed = json!({
                    "type": "EventsMissed",
                    "last_event_id": last,
                    "first_available_id": first,
                });
                replay.push(Bytes::from(format!("data: {missed}\n\n")));
            }
            replay.extend(
                st.ring
                    .iter()
                    .filter(|(id, _)| !complete || *id > last)
                    .map(|(_, f)| f.clone()),
            );
        }
        if st.closed {
            tx.close();
        } else {
            st.readers.retain(|r| !r.is_closed());
            st.readers.push(tx);
        }
        Subscription { replay, queue: rx }
    }

    /// End every reader's stream; nothing more is published.
    pub(crate) fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        for r in st.readers.drain(..) {
            r.close();
        }
    }
}

/// The device manager's events and observations, subscribed when made.
pub(crate) struct Sources {
    device_manager: DeviceManager,
    events: async_broadcast::Receiver<DeviceManagerEvent>,
    observations: async_broadcast::Receiver<DeviceObservation>,
}

impl Sources {
    /// Subscribe now: everything from this moment on is numbered.
    pub(crate) fn subscribe(device_manager: DeviceManager) -> Self {
        Sources {
            events: device_manager.event_receiver(),
            observations: device_manager.observe(),
            device_manager,
        }
    }
}

/// An `OutputChanged` event (fields in the alphabetical order of the other events' JSON).
#[derive(serde::Serialize)]
struct OutputChanged {
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u32>,
    feature_index: u32,
    index: u32,
    output_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: i32,
}

/// Turn the device manager's events and observations into log events until both streams end.
pub(crate) async fn pump(sources: Sources, log: &EventLog) {
    enum Item {
        Event(DeviceManagerEvent),
        Observation(DeviceObservation),
    }
    let device_manager = sources.device_manager;
    let events = sources.events.map(Item::Event);
    let observations = sources.observations.map(Item::Observation);
    // Observations first when both are ready: "scanning started" is recorded before the
    // managers start, so it must not be overtaken by the devices they find.
    let items = futures::stream::select_with_strategy(observations, events, |_: &mut ()| {
        futures::stream::PollNext::Left
    });
    futures::pin_mut!(items);
    while let Some(item) = items.next().await {
        let data = match item {
            Item::Event(DeviceManagerEvent::DeviceAdded(device)) => {
                let mut value = device_json(&device_manager, &device);
                value.kind = Some("DeviceAdded");
                log.publish(&value);
                continue;
            }
            Item::Event(DeviceManagerEvent::DeviceRemoved(index)) => {
                json!({"type": "DeviceRemoved", "index": index})
            }
            Item::Event(DeviceManagerEvent::InputReading { index, reading }) => {
                let mut value = reading_json(index, &reading);
                value.kind = Some("InputReading");
                log.publish(&value);
                continue;
            }
            // Scanning changes arrive as observations (which include this one).
            Item::Event(
                DeviceManagerEvent::ScanningFinished | DeviceManagerEvent::RawReading(_),
            ) => {
                continue;
            }
            Item::Observation(DeviceObservation::Output { index, command }) => {
                // The most frequent event: a plain struct, no JSON map built per write.
                log.publish(&OutputChanged {
                    duration_ms: (command.output_type == OutputType::HwPositionWithDuration)
                        .then_some(command.duration_ms),
                    feature_index: command.feature_index,
                    index,
                    output_type: command.output_type.as_str(),
                    kind: "OutputChanged",
                    value: command.value,
                });
                continue;
            }
            Item::Observation(DeviceObservation::Claim { index, client }) => {
                json!({"type": "ClaimChanged", "index": index, "client": client})
            }
            Item::Observation(DeviceObservation::Scanning { scanning }) => {
                let kind = if scanning {
                    "ScanningStarted"
                } else {
                    "ScanningStopped"
                };
                json!({ "type": kind })
            }
        };
        log.publish(&data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(frames: &[Bytes]) -> Vec<String> {
        frames
            .iter()
            .map(|f| {
                String::from_utf8_lossy(f)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn resume_replays_what_was_missed_and_flags_a_gap() {
        let log = EventLog::new(3);
        for n in 0..5 {
            log.publish(&json!({ "n": n }));
        }
        // History holds ids 3, 4, 5.
        assert_eq!(ids(&log.subscribe(Some(3)).replay), ["id: 4", "id: 5"]);
        assert_eq!(
            ids(&log.subscribe(Some(2)).replay),
            ["id: 3", "id: 4", "id: 5"]
        );
        assert!(log.subscribe(Some(5)).replay.is_empty());
        let gap = log.subscribe(Some(1)).replay;
        assert!(String::from_utf8_lossy(&gap[0]).contains(r#""type":"EventsMissed""#));
        assert_eq!(ids(&gap[1..]), ["id: 3", "id: 4", "id: 5"]);
        // An id this log never gave (a previous run) is a gap too.
        let future = log.subscribe(Some(99)).replay;
        assert!(String::from_utf8_lossy(&future[0]).contains("EventsMissed"));
        assert!(log.subscribe(None).replay.is_empty());
    }

    #[test]
    fn frames_are_sse_with_the_id_before_the_json() {
        let log = EventLog::new(2);
        let reader = log.subscribe(None);
        log.publish(&OutputChanged {
            duration_ms: None,
            feature_index: 1,
            index: 0,
            output_type: "Vibrate",
            kind: "OutputChanged",
            value: 10,
        });
        log.publish(&OutputChanged {
            duration_ms: Some(500),
            feature_index: 0,
            index: 3,
            output_type: "HwPositionWithDuration",
            kind: "OutputChanged",
            value: 70,
        });
        assert_eq!(
            reader.queue.try_recv().unwrap(),
            Bytes::from_static(
                b"id: 1\ndata: {\"feature_index\":1,\"index\":0,\"output_type\":\"Vibrate\",\"type\":\"OutputChanged\",\"value\":10}\n\n"
            )
        );
        assert_eq!(
            reader.queue.try_recv().unwrap(),
            Bytes::from_static(
                b"id: 2\ndata: {\"duration_ms\":500,\"feature_index\":0,\"index\":3,\"output_type\":\"HwPositionWithDuration\",\"type\":\"OutputChanged\",\"value\":70}\n\n"
            )
        );
    }

    #[test]
    fn a_full_reader_is_dropped_and_close_ends_the_rest() {
        let log = EventLog::new(0);
        let slow = log.subscribe(None);
        let live = log.subscribe(None);
        for n in 0..=READER_QUEUE {
            log.publish(&json!({ "n": n }));
            let _ = live.queue.try_recv();
        }
        assert_eq!(slow.queue.len(), READER_QUEUE);
        assert!(slow.queue.is_closed());
        assert!(!live.queue.is_closed());
        log.close();
        assert!(live.queue.is_closed());
    }
}

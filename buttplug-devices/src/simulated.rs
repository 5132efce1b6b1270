//! Simulated hardware: a [`Hardware`] that records every command, answers reads and scripted
//! replies, and lets a test (or the CLI) inject notifications and disconnects.
//!
//! It is a shipped backend, not a test-only mock: the server's simulated devices and
//! `buttplug simulate` use it.

use crate::{Endpoint, Hardware, HardwareCommand, HardwareError, HardwareEvent};
use async_trait::async_trait;
use futures::stream::BoxStream;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How far (in events) one event-stream or record-stream subscriber may fall behind before its
/// oldest unread events are dropped (with a warning for hardware events): a slow consumer never
/// blocks the device.
pub const SIMULATED_EVENT_CAPACITY: usize = 1024;

/// Default upper bound of kept records; older ones are dropped first so a long-running simulated
/// device cannot grow without bound ([`SimulatedHardware::set_record_limit`] changes it).
pub const SIMULATED_RECORD_LIMIT: usize = 100_000;

/// One command the simulated device received, with the time it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCommand {
    /// When the command arrived.
    pub at: Instant,
    /// The command.
    pub command: HardwareCommand,
}

#[derive(Debug, Clone)]
struct ScriptedReply {
    endpoint: Endpoint,
    /// `None`: the trigger is a subscription to `endpoint`, not a write.
    data: Option<Vec<u8>>,
    reply_endpoint: Endpoint,
    reply: Vec<u8>,
}

#[derive(Debug, Default)]
struct State {
    connected: bool,
    records: VecDeque<RecordedCommand>,
    record_limit: usize,
    total_recorded: u64,
    subscribed: BTreeSet<Endpoint>,
    read_queue: HashMap<Endpoint, VecDeque<Vec<u8>>>,
    read_value: HashMap<Endpoint, Vec<u8>>,
    replies: Vec<ScriptedReply>,
    rssi: Option<i16>,
}

/// One bounded [`async_broadcast`] queue in overflow mode: sending never blocks or waits, and a
/// receiver [`SIMULATED_EVENT_CAPACITY`] events behind loses its oldest unread ones.
#[derive(Debug)]
struct Fanout<T> {
    sender: async_broadcast::Sender<T>,
    /// Keeps the channel open while nobody is subscribed (it holds no events).
    _keep_open: async_broadcast::InactiveReceiver<T>,
}

impl<T: Clone> Fanout<T> {
    fn new() -> Self {
        let (mut sender, receiver) = async_broadcast::broadcast(SIMULATED_EVENT_CAPACITY);
        sender.set_overflow(true);
        Fanout {
            sender,
            _keep_open: receiver.deactivate(),
        }
    }

    /// Send to every receiver; returns whether a lagging receiver lost its oldest event.
    /// (`Err` only means nobody is subscribed, or the channel is closed after a disconnect.)
    fn send(&self, event: T) -> bool {
        matches!(self.sender.try_broadcast(event), Ok(Some(_)))
    }
}

/// Builder for [`SimulatedHardware`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatedHardwareBuilder {
    name: String,
    address: String,
    endpoints: Vec<Endpoint>,
    manufacturer_data: Vec<(u16, Vec<u8>)>,
    message_gap: Option<Duration>,
    requires_keepalive: bool,
    rssi: Option<i16>,
}

impl SimulatedHardwareBuilder {
    /// Report this signal strength in dBm (default: the device reports none, like a serial or
    /// USB transport). Change it later with [`SimulatedHardware::set_rssi`].
    pub fn rssi(mut self, dbm: i16) -> Self {
        self.rssi = Some(dbm);
        self
    }

    /// The endpoints the device offers (default: `tx` and `rx`).
    pub fn endpoints(mut self, endpoints: impl IntoIterator<Item = Endpoint>) -> Self {
        self.endpoints = endpoints.into_iter().collect();
        self
    }

    /// BLE manufacturer data the device advertises.
    pub fn manufacturer_data(mut self, company: u16, data: impl Into<Vec<u8>>) -> Self {
        self.manufacturer_data.push((company, data.into()));
        self
    }

    /// The transport's default message gap.
    pub fn message_gap(mut self, gap: Option<Duration>) -> Self {
        self.message_gap = gap;
        self
    }

    /// Whether the transport asks for keep-alive writes.
    pub fn requires_keepalive(mut self, yes: bool) -> Self {
        self.requires_keepalive = yes;
        self
    }

    /// Build the device (connected).
    pub fn build(self) -> SimulatedHardware {
        SimulatedHardware {
            inner: Arc::new(Inner {
                name: self.name,
                address: self.address,
                endpoints: self.endpoints,
                manufacturer_data: self.manufacturer_data,
                message_gap: self.message_gap,
                requires_keepalive: self.requires_keepalive,
                state: Mutex::new(State {
                    connected: true,
                    record_limit: SIMULATED_RECORD_LIMIT,
                    rssi: self.rssi,
                    ..State::default()
                }),
                events: Fanout::new(),
                records: Fanout::new(),
            }),
        }
    }
}

#[derive(Debug)]
struct Inner {
    name: String,
    address: String,
    endpoints: Vec<Endpoint>,
    manufacturer_data: Vec<(u16, Vec<u8>)>,
    message_gap: Option<Duration>,
    requires_keepalive: bool,
    state: Mutex<State>,
    /// Hardware events; sent and subscribed with `state` locked (ordered with `connected`),
    /// closed on disconnect.
    events: Fanout<HardwareEvent>,
    /// Recorded commands; closed on disconnect.
    records: Fanout<RecordedCommand>,
}

/// A simulated device. Cloning gives another handle to the same device, so a test can keep one
/// handle while the server owns another.
#[derive(Debug, Clone)]
pub struct SimulatedHardware {
    inner: Arc<Inner>,
}

impl SimulatedHardware {
    /// Start building a simulated device with a name and an address.
    pub fn builder(
        name: impl Into<String>,
        address: impl Into<String>,
    ) -> SimulatedHardwareBuilder {
        SimulatedHardwareBuilder {
            name: name.into(),
            address: address.into(),
            endpoints: vec![Endpoint::Tx, Endpoint::Rx],
            manufacturer_data: Vec::new(),
            message_gap: None,
            requires_keepalive: false,
            rssi: None,
        }
    }

    /// Set the signal strength the device reports in dBm; `None`: the device reports none
    /// ([`Hardware::rssi`] answers [`HardwareError::Unsupported`]).
    pub fn set_rssi(&self, dbm: Option<i16>) {
        self.state().rssi = dbm;
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked while holding it; the state is
        // plain data and still usable.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// When `data` is written to `endpoint`, answer with `reply` as a notification on
    /// `reply_endpoint` (delivered only while that endpoint is subscribed, like a real device).
    pub fn add_reply(
        &self,
        endpoint: Endpoint,
        data: impl Into<Vec<u8>>,
        reply_endpoint: Endpoint,
        reply: impl Into<Vec<u8>>,
    ) {
        self.state().replies.push(ScriptedReply {
            endpoint,
            data: Some(data.into()),
            reply_endpoint,
            reply: reply.into(),
        });
    }

    /// When `endpoint` is subscribed, the device sends `reply` as a notification on
    /// `reply_endpoint` (devices that talk first, e.g. Lelo's security handshake).
    pub fn add_subscribe_reply(
        &self,
        endpoint: Endpoint,
        reply_endpoint: Endpoint,
        reply: impl Into<Vec<u8>>,
    ) {
        self.state().replies.push(ScriptedReply {
            endpoint,
            data: None,
            reply_endpoint,
            reply: reply.into(),
        });
    }

    /// Queue one answer for the next read of `endpoint` (queued answers are used first).
    pub fn push_read(&self, endpoint: Endpoint, data: impl Into<Vec<u8>>) {
        self.state()
            .read_queue
            .entry(endpoint)
            .or_default()
            .push_back(data.into());
    }

    /// Answer every read of `endpoint` with `data` (after queued answers run out).
    pub fn set_read_value(&self, endpoint: Endpoint, data: impl Into<Vec<u8>>) {
        self.state().read_value.insert(endpoint, data.into());
    }

    /// Deliver a notification as if the device sent it (delivered whether or not the endpoint
    /// is subscribed, so tests can also check that unsolicited data is handled).
    pub fn notify(&self, endpoint: Endpoint, data: impl Into<Vec<u8>>) {
        let event = HardwareEvent::Notification {
            endpoint,
            data: data.into(),
        };
        let _state = self.state();
        self.broadcast(event);
    }

    /// Simulate the device going away: further operations fail with
    /// [`HardwareError::Disconnected`] and a [`HardwareEvent::Disconnected`] is delivered.
    pub fn simulate_disconnect(&self) {
        let mut state = self.state();
        if !state.connected {
            return;
        }
        state.connected = false;
        self.broadcast(HardwareEvent::Disconnected);
        // Open streams end after the events they have not read yet.
        self.inner.events.sender.close();
        self.inner.records.sender.close();
    }

    /// Whether the device is connected.
    pub fn is_connected(&self) -> bool {
        self.state().connected
    }

    /// The endpoints currently subscribed.
    pub fn subscribed(&self) -> Vec<Endpoint> {
        self.state().subscribed.iter().copied().collect()
    }

    /// A copy of every recorded command (oldest first).
    pub fn recorded(&self) -> Vec<RecordedCommand> {
        self.state().records.iter().cloned().collect()
    }

    /// The recorded commands without timestamps.
    pub fn commands(&self) -> Vec<HardwareCommand> {
        self.state()
            .records
            .iter()
            .map(|r| r.command.clone())
            .collect()
    }

    /// Remove and return the recorded commands.
    pub fn take_commands(&self) -> Vec<HardwareCommand> {
        self.state().records.drain(..).map(|r| r.command).collect()
    }

    /// Keep at most `limit` recorded commands from now on (oldest dropped first; 0 keeps none).
    /// [`total_recorded`](Self::total_recorded) and [`record_stream`](Self::record_stream)
    /// still see every command. A server that never reads the record (`buttplug serve
    /// --simulate`) sets 0, so its memory does not grow with the commands it is sent.
    pub fn set_record_limit(&self, limit: usize) {
        let mut state = self.state();
        state.record_limit = limit;
        let excess = state.records.len().saturating_sub(limit);
        state.records.drain(..excess);
    }

    /// How many commands were recorded since the device was built (including dropped ones).
    pub fn total_recorded(&self) -> u64 {
        self.state().total_recorded
    }

    /// Only the writes, as (endpoint, bytes).
    pub fn writes(&self) -> Vec<(Endpoint, Vec<u8>)> {
        self.state()
            .records
            .iter()
            .filter_map(|r| match &r.command {
                HardwareCommand::Write { endpoint, data, .. } => Some((*endpoint, data.clone())),
                _ => None,
            })
            .collect()
    }

    /// A stream of every command recorded from now on (a stream that falls 1024 commands behind
    /// loses the oldest ones it has not read). It ends when the device disconnects.
    pub fn record_stream(&self) -> BoxStream<'static, RecordedCommand> {
        let _state = self.state();
        Box::pin(self.inner.records.sender.new_receiver())
    }

    /// Wait until at least `count` commands are held in the record (checked every millisecond),
    /// or `timeout` passes. Returns whether the count was reached.
    pub async fn wait_for_commands(&self, count: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.state().records.len() >= count {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            crate::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Send a hardware event to every event stream (call with `state` locked).
    fn broadcast(&self, event: HardwareEvent) {
        if self.inner.events.send(event) {
            tracing::warn!("simulated hardware: an event stream fell behind, oldest event dropped");
        }
    }

    fn record(&self, command: HardwareCommand) -> Result<(), HardwareError> {
        let mut state = self.state();
        if !state.connected {
            return Err(HardwareError::Disconnected);
        }
        let endpoint = command.endpoint();
        if !self.inner.endpoints.contains(&endpoint) {
            return Err(HardwareError::NoEndpoint { endpoint });
        }
        let rec = RecordedCommand {
            at: Instant::now(),
            command,
        };
        if self.inner.records.sender.receiver_count() > 0 {
            self.inner.records.send(rec.clone());
        }
        let trigger: Option<(Endpoint, Option<&Vec<u8>>)> = match &rec.command {
            HardwareCommand::Subscribe { endpoint } => {
                state.subscribed.insert(*endpoint);
                Some((*endpoint, None))
            }
            HardwareCommand::Unsubscribe { endpoint } => {
                state.subscribed.remove(endpoint);
                None
            }
            HardwareCommand::Write { endpoint, data, .. } => Some((*endpoint, Some(data))),
        };
        if let Some((endpoint, data)) = trigger {
            let replies: Vec<HardwareEvent> = state
                .replies
                .iter()
                .filter(|r| r.endpoint == endpoint && r.data.as_ref() == data)
                .filter(|r| state.subscribed.contains(&r.reply_endpoint))
                .map(|r| HardwareEvent::Notification {
                    endpoint: r.reply_endpoint,
                    data: r.reply.clone(),
                })
                .collect();
            for event in replies {
                self.broadcast(event);
            }
        }
        state.total_recorded += 1;
        if state.record_limit == 0 {
            return Ok(());
        }
        if state.records.len() >= state.record_limit {
            state.records.pop_front();
        }
        state.records.push_back(rec);
        Ok(())
    }
}

#[async_trait]
impl Hardware for SimulatedHardware {
    fn name(&self) -> &str {
        &self.inner.name
    }

    fn address(&self) -> &str {
        &self.inner.address
    }

    fn manufacturer_data(&self) -> Vec<(u16, Vec<u8>)> {
        self.inner.manufacturer_data.clone()
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        self.inner.endpoints.clone()
    }

    fn default_message_gap(&self) -> Option<Duration> {
        self.inner.message_gap
    }

    fn requires_keepalive(&self) -> bool {
        self.inner.requires_keepalive
    }

    fn supports_rssi(&self) -> bool {
        self.state().rssi.is_some()
    }

    async fn rssi(&self) -> Result<i16, HardwareError> {
        let state = self.state();
        if !state.connected {
            return Err(HardwareError::Disconnected);
        }
        state
            .rssi
            .ok_or(HardwareError::Unsupported { operation: "rssi" })
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        write_with_response: bool,
    ) -> Result<(), HardwareError> {
        self.record(HardwareCommand::Write {
            endpoint,
            data: data.to_vec(),
            write_with_response,
        })
    }

    async fn read(
        &self,
        endpoint: Endpoint,
        _length: u32,
        timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        let answer = {
            let mut state = self.state();
            if !state.connected {
                return Err(HardwareError::Disconnected);
            }
            if !self.inner.endpoints.contains(&endpoint) {
                return Err(HardwareError::NoEndpoint { endpoint });
            }
            match state
                .read_queue
                .get_mut(&endpoint)
                .and_then(VecDeque::pop_front)
            {
                Some(v) => Some(v),
                None => state.read_value.get(&endpoint).cloned(),
            }
        };
        match answer {
            Some(v) => Ok(v),
            None => {
                crate::sleep(timeout).await;
                Err(HardwareError::Timeout { after: timeout })
            }
        }
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        self.record(HardwareCommand::Subscribe { endpoint })
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        self.record(HardwareCommand::Unsubscribe { endpoint })
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.simulate_disconnect();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        let state = self.state();
        if state.connected {
            Box::pin(self.inner.events.sender.new_receiver())
        } else {
            Box::pin(futures::stream::iter([HardwareEvent::Disconnected]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use futures::executor::block_on;

    #[test]
    fn rssi_is_settable_and_unsupported_by_default() {
        let plain = SimulatedHardware::builder("plain", "aa:01").build();
        assert!(!plain.supports_rssi());
        assert!(matches!(
            block_on(plain.rssi()),
            Err(HardwareError::Unsupported { operation: "rssi" })
        ));
        let hw = SimulatedHardware::builder("ble", "aa:02").rssi(-60).build();
        assert!(hw.supports_rssi());
        assert_eq!(block_on(hw.rssi()).unwrap(), -60);
        hw.set_rssi(Some(-42));
        assert_eq!(block_on(hw.rssi()).unwrap(), -42);
        hw.simulate_disconnect();
        assert!(matches!(
            block_on(hw.rssi()),
            Err(HardwareError::Disconnected)
        ));
        plain.set_rssi(Some(-70));
        assert!(plain.supports_rssi());
    }

    #[test]
    fn records_writes_and_answers_scripted_replies() {
        let hw = SimulatedHardware::builder("LVS-Z36D", "aa:bb").build();
        hw.add_reply(
            Endpoint::Tx,
            b"DeviceType;".to_vec(),
            Endpoint::Rx,
            b"Z:11:0082059AD3BD;".to_vec(),
        );
        let mut events = hw.event_stream();
        block_on(async {
            // Not subscribed yet: no reply delivered.
            hw.write(Endpoint::Tx, b"DeviceType;", false).await.unwrap();
            hw.subscribe(Endpoint::Rx).await.unwrap();
            hw.write(Endpoint::Tx, b"DeviceType;", false).await.unwrap();
            assert_eq!(
                events.next().await,
                Some(HardwareEvent::Notification {
                    endpoint: Endpoint::Rx,
                    data: b"Z:11:0082059AD3BD;".to_vec()
                })
            );
        });
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::write(Endpoint::Tx, b"DeviceType;".to_vec()),
                HardwareCommand::subscribe(Endpoint::Rx),
                HardwareCommand::write(Endpoint::Tx, b"DeviceType;".to_vec()),
            ]
        );
    }

    #[test]
    fn reads_use_queue_then_fixed_value_then_time_out() {
        let hw = SimulatedHardware::builder("x", "y")
            .endpoints([Endpoint::Tx, Endpoint::RxBleBattery])
            .build();
        hw.push_read(Endpoint::RxBleBattery, vec![1]);
        hw.set_read_value(Endpoint::RxBleBattery, vec![2]);
        block_on(async {
            let t = Duration::from_millis(5);
            assert_eq!(
                hw.read(Endpoint::RxBleBattery, 1, t).await.unwrap(),
                vec![1]
            );
            assert_eq!(
                hw.read(Endpoint::RxBleBattery, 1, t).await.unwrap(),
                vec![2]
            );
            assert!(matches!(
                hw.read(Endpoint::Tx, 1, t).await,
                Err(HardwareError::Timeout { .. })
            ));
            assert!(matches!(
                hw.read(Endpoint::Rx, 1, t).await,
                Err(HardwareError::NoEndpoint { .. })
            ));
        });
    }

    #[test]
    fn disconnect_is_reported_and_stops_io() {
        let hw = SimulatedHardware::builder("x", "y").build();
        let mut events = hw.event_stream();
        hw.simulate_disconnect();
        block_on(async {
            assert_eq!(events.next().await, Some(HardwareEvent::Disconnected));
            assert_eq!(events.next().await, None);
            assert!(matches!(
                hw.write(Endpoint::Tx, &[1], false).await,
                Err(HardwareError::Disconnected)
            ));
        });
        assert!(!hw.is_connected());
    }

    #[test]
    fn a_lagging_stream_loses_its_oldest_events_and_ends_on_disconnect() {
        let hw = SimulatedHardware::builder("x", "y").build();
        let events = hw.event_stream();
        let records = hw.record_stream();
        let total = SIMULATED_EVENT_CAPACITY + 2;
        for i in 0..total {
            let byte = u8::try_from(i % 256).unwrap_or_default();
            hw.notify(Endpoint::Rx, vec![byte]);
            block_on(hw.write(Endpoint::Tx, &[byte], false)).unwrap();
        }
        hw.simulate_disconnect();
        let events: Vec<HardwareEvent> = block_on(events.collect());
        // The queue holds the newest events; the Disconnected event pushed out one more.
        assert_eq!(events.len(), SIMULATED_EVENT_CAPACITY);
        assert_eq!(events.last(), Some(&HardwareEvent::Disconnected));
        assert_eq!(
            events.first(),
            Some(&HardwareEvent::Notification {
                endpoint: Endpoint::Rx,
                data: vec![3],
            })
        );
        let records: Vec<RecordedCommand> = block_on(records.collect());
        assert_eq!(records.len(), SIMULATED_EVENT_CAPACITY);
        assert!(matches!(
            &records[0].command,
            HardwareCommand::Write { data, .. } if data == &vec![2]
        ));
        assert_eq!(hw.total_recorded(), total as u64);
    }

    #[test]
    fn unknown_endpoint_is_an_error() {
        let hw = SimulatedHardware::builder("x", "y")
            .endpoints([Endpoint::Tx])
            .build();
        assert!(matches!(
            block_on(hw.write(Endpoint::TxMode, &[1], false)),
            Err(HardwareError::NoEndpoint {
                endpoint: Endpoint::TxMode
            })
        ));
        assert!(hw.commands().is_empty());
    }

    #[test]
    fn the_record_limit_keeps_the_newest_and_zero_keeps_none() {
        let hw = SimulatedHardware::builder("x", "y").build();
        let mut stream = hw.record_stream();
        block_on(async {
            for b in 1..=5u8 {
                hw.write(Endpoint::Tx, &[b], false).await.unwrap();
            }
        });
        hw.set_record_limit(2);
        let writes = |hw: &SimulatedHardware| {
            hw.writes()
                .into_iter()
                .map(|(_, d)| d[0])
                .collect::<Vec<_>>()
        };
        assert_eq!(writes(&hw), vec![4, 5]);
        block_on(hw.write(Endpoint::Tx, &[6], false)).unwrap();
        assert_eq!(writes(&hw), vec![5, 6]);
        hw.set_record_limit(0);
        assert!(hw.commands().is_empty());
        block_on(hw.write(Endpoint::Tx, &[7], false)).unwrap();
        assert!(hw.commands().is_empty());
        // The count and the stream still see every command.
        assert_eq!(hw.total_recorded(), 7);
        let streamed: Vec<u8> = block_on(stream.by_ref().take(7).collect::<Vec<_>>())
            .into_iter()
            .map(|r| match r.command {
                HardwareCommand::Write { data, .. } => data[0],
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(streamed, vec![1, 2, 3, 4, 5, 6, 7]);
    }
}

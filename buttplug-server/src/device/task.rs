//! The per-device task: the output pipeline (de-duplication, message gap with latest-value
//! coalescing, keep-alive, protocol tick loops), inputs, raw access and disconnect detection.
//!
//! Writes to one device are serialized by this task; devices never wait on each other because
//! each has its own task.

use super::limits::Limits;
use super::{DeviceEvent, DeviceRequest, OutputBatch, RawReading};
use crate::device_manager::{DeviceObservation, Observers};
use crate::rt;
use buttplug_core::{InputType, OutputType};
use buttplug_devices::{
    DeviceDefinition, DeviceError, Endpoint, HardwareCommand, HardwareEvent, HardwareRef,
    KeepaliveStrategy, OutputCommand, ProtocolHandler,
};
use futures::{Stream, StreamExt};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

/// Interval of keep-alive writes when the transport requires them (iOS background BLE).
pub const TRANSPORT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);

/// The output types a stop sets to 0, in the order the stop commands are written.
const STOP_PRIORITY: [OutputType; 7] = [
    OutputType::Constrict,
    OutputType::Temperature,
    OutputType::Spray,
    OutputType::Led,
    OutputType::Oscillate,
    OutputType::Rotate,
    OutputType::Vibrate,
];

/// Most requests a device task takes from its queue in one turn.
const REQUEST_BATCH: usize = 32;

/// Settings of one device task.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TaskOptions {
    /// Minimum time between writes; `None` = write immediately.
    pub gap: Option<Duration>,
    /// Whether keep-alive and tick timers run (off for deterministic fixture runs).
    pub timers: bool,
    /// Stop the device when it runs and its client sent no output command for this long.
    pub idle_stop: Option<Duration>,
}

pub(crate) struct DeviceTask {
    pub index: u32,
    pub hardware: HardwareRef,
    pub handler: Box<dyn ProtocolHandler>,
    pub definition: Arc<DeviceDefinition>,
    pub options: TaskOptions,
    pub events: async_channel::Sender<DeviceEvent>,
    /// Subscribers to the outputs this task writes (checked with one atomic load per output).
    pub observers: Arc<Observers>,
    /// Values already written before the task runs (the stop on connect).
    pub written: Vec<((u32, OutputType), (i32, u32))>,
    /// When the stop on connect was written, and its last packet.
    pub written_at: Option<(Instant, HardwareCommand)>,
    /// Safety limits (level caps, ramps); `None` when no output is limited.
    pub limits: Option<Box<Limits>>,
    /// The device's claim in a shared server: an idle stop frees it.
    pub claim: super::ClaimSlot,
}

struct State {
    /// Last written value and duration per (feature, output); a device has few, so a list is
    /// faster than a hash map.
    last_values: Vec<((u32, OutputType), (i32, u32))>,
    /// Whether writes are time-stamped and kept (for the message gap and keep-alive).
    track_writes: bool,
    pending: Vec<OutputCommand>,
    last_write: Option<Instant>,
    last_packet: Option<HardwareCommand>,
    active: bool,
    subscribed_inputs: BTreeSet<(u32, InputType)>,
    raw_subscribed: BTreeSet<Endpoint>,
    next_tick: Option<Instant>,
    limits: Option<Box<Limits>>,
    /// When the client last sent an output command (kept only with `idle_stop`).
    last_command: Instant,
    /// When the idle check next looks (`None`: not armed). It is not moved by every command,
    /// so commands do not re-arm the timer; when it fires early it is aimed again.
    idle_check: Option<Instant>,
}

impl DeviceTask {
    /// Whether the device is stopped right after initialisation, before it is announced: when
    /// the protocol replays its last packet (always, or because the transport requires it), the
    /// first packet it replays is a stop; and those devices keep running on their last state
    /// across connections, so a new connection must not inherit it.
    pub(crate) fn stops_on_connect(&self) -> bool {
        match self.handler.keepalive() {
            KeepaliveStrategy::RepeatLastEvery(_) => true,
            KeepaliveStrategy::RepeatLastWhenRequired => self.hardware.requires_keepalive(),
            KeepaliveStrategy::RepeatPacketWhenRequired(_) => false,
        }
    }

    /// Write the stop of every output (one change) before the task runs.
    ///
    /// # Errors
    /// The protocol or the hardware failed; the device is then not added.
    pub(crate) async fn stop_on_connect(&mut self) -> Result<(), DeviceError> {
        let targets = stop_targets(&self.definition, None);
        if targets.is_empty() {
            return Ok(());
        }
        for command in self.handler.handle_outputs(&targets)? {
            self.hardware.execute(&command).await?;
            if matches!(command, HardwareCommand::Write { .. }) {
                self.written_at = Some((Instant::now(), command));
            }
        }
        self.written = targets
            .iter()
            .map(|c| ((c.feature_index, c.output_type), (0, 0)))
            .collect();
        Ok(())
    }

    pub(crate) async fn run(mut self, requests: async_channel::Receiver<DeviceRequest>) {
        let mut hw_events = self.hardware.event_stream();
        let track_writes = self.options.gap.is_some()
            || (self.options.timers && self.keepalive_interval().is_some());
        let mut st = State {
            last_values: std::mem::take(&mut self.written),
            track_writes,
            pending: Vec::new(),
            last_write: None,
            last_packet: None,
            active: false,
            subscribed_inputs: BTreeSet::new(),
            raw_subscribed: BTreeSet::new(),
            next_tick: None,
            limits: self.limits.take(),
            last_command: Instant::now(),
            idle_check: None,
        };
        if let (true, Some((at, packet))) = (track_writes, self.written_at.take()) {
            // The stop on connect counts for the message gap and primes the keep-alive.
            st.last_write = Some(at);
            st.last_packet = Some(packet);
        }
        if self.options.timers {
            st.next_tick = self.handler.tick_interval().map(|i| Instant::now() + i);
        }
        let mut requests = Box::pin(requests);
        let mut timer = rt::DeadlineTimer::default();
        let mut batch: Vec<DeviceRequest> = Vec::new();
        'run: loop {
            timer.set(self.next_deadline(&st));
            let mut closed = false;
            let mut hw_event = None;
            let mut timed_out = false;
            // Take every request that is queued (in order), a hardware event and the timer,
            // then handle them; wait only when nothing is ready.
            std::future::poll_fn(|cx| {
                closed = rt::take_ready(&mut batch, REQUEST_BATCH, || {
                    requests.as_mut().poll_next(cx)
                });
                if let Poll::Ready(ev) = hw_events.poll_next_unpin(cx) {
                    hw_event = Some(ev);
                }
                timed_out = timer.poll_expired(cx);
                if closed || hw_event.is_some() || timed_out || !batch.is_empty() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            for req in batch.drain(..) {
                if let DeviceRequest::Disconnect { reply } = req {
                    let _ = self.hardware.disconnect().await;
                    let _ = reply.send(());
                    break 'run;
                }
                self.handle_request(&mut st, req).await;
            }
            if closed {
                // The device manager dropped us: stop the device and let go.
                let _ = self.stop(&mut st, None, true, true).await;
                let _ = self.hardware.disconnect().await;
                break;
            }
            match hw_event {
                Some(Some(HardwareEvent::Notification { endpoint, data })) => {
                    self.on_notification(&st, endpoint, &data);
                }
                Some(Some(HardwareEvent::Disconnected) | None) => break,
                None => {}
            }
            if timed_out {
                timer.reset();
                self.on_timer(&mut st).await;
            }
        }
        // Fail whatever is still queued (a request dropped unanswered answers "gone").
        batch.clear();
        requests.close();
        while let Ok(req) = requests.try_recv() {
            req.fail();
        }
        let _ = self
            .events
            .send(DeviceEvent::Gone { index: self.index })
            .await;
    }

    fn next_deadline(&self, st: &State) -> Option<Instant> {
        let mut deadline: Option<Instant> = None;
        let mut consider = |t: Instant| {
            deadline = Some(deadline.map_or(t, |d: Instant| d.min(t)));
        };
        if !st.pending.is_empty() {
            consider(self.earliest_write(st));
        }
        if self.options.timers {
            if let (Some(interval), true, Some(last)) =
                (self.keepalive_interval(), st.active, st.last_write)
            {
                consider(last + interval);
            }
            if let Some(t) = st.next_tick {
                consider(t);
            }
        }
        if let Some(step) = st.limits.as_deref().and_then(Limits::next_step) {
            consider(step.max(self.earliest_write(st)));
        }
        if let (Some(t), true) = (st.idle_check, st.active) {
            consider(t);
        }
        deadline
    }

    fn keepalive_interval(&self) -> Option<Duration> {
        match self.handler.keepalive() {
            KeepaliveStrategy::RepeatLastEvery(d) => Some(d),
            KeepaliveStrategy::RepeatLastWhenRequired
            | KeepaliveStrategy::RepeatPacketWhenRequired(_) => self
                .hardware
                .requires_keepalive()
                .then_some(TRANSPORT_KEEPALIVE_INTERVAL),
        }
    }

    fn earliest_write(&self, st: &State) -> Instant {
        match (self.options.gap, st.last_write) {
            (Some(gap), Some(last)) => last + gap,
            _ => Instant::now(),
        }
    }

    async fn handle_request(&mut self, st: &mut State, req: DeviceRequest) {
        match req {
            DeviceRequest::Output { commands, reply } => {
                if let Some(idle) = self.options.idle_stop {
                    st.last_command = Instant::now();
                    st.idle_check.get_or_insert(st.last_command + idle);
                }
                let r = self.output(st, commands).await;
                if let Err(e) = &r {
                    tracing::debug!(device = self.index, "output failed: {e}");
                }
                reply.send(r);
            }
            DeviceRequest::Stop {
                feature,
                outputs,
                inputs,
                reply,
            } => {
                let r = self.stop(st, feature, outputs, inputs).await;
                reply.send(r);
            }
            DeviceRequest::SetLimits { limits, reply } => {
                // A ramp in progress ends where it is; the next command meets the new limits.
                st.limits = limits;
                let _ = reply.send(());
            }
            DeviceRequest::ReadInput {
                feature,
                input_type,
                reply,
            } => {
                let r = match self.definition.feature(feature) {
                    Some(f) => {
                        let f = f.clone();
                        self.handler
                            .read_input(self.hardware.as_ref(), &f, input_type)
                            .await
                    }
                    None => Err(DeviceError::NoFeature { index: feature }),
                };
                let _ = reply.send(r);
            }
            DeviceRequest::Subscribe {
                feature,
                input_type,
                subscribe,
                reply,
            } => {
                let r = self.subscription(st, feature, input_type, subscribe).await;
                let _ = reply.send(r);
            }
            DeviceRequest::Raw { command, reply } => {
                let r = self.raw(st, command).await;
                let _ = reply.send(r);
            }
            DeviceRequest::Disconnect { reply } => {
                let _ = reply.send(());
            }
        }
    }

    async fn output(&mut self, st: &mut State, mut batch: OutputBatch) -> Result<(), DeviceError> {
        if let Some(limits) = st.limits.as_deref_mut() {
            // Caps and ramps, before anything else looks at the values: a held command (a
            // ramp takes it over) is answered Ok and neither written nor queued.
            let now = Instant::now();
            let (last_values, pending) = (&st.last_values, &mut st.pending);
            let mut admit = |c: &mut OutputCommand| {
                let key = (c.feature_index, c.output_type);
                let last = last_values
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, (v, _))| *v);
                let admitted = limits.apply(c, last, now);
                if !admitted {
                    // The ramp goes on from what was written; a queued value must not land
                    // in between.
                    pending.retain(|p| (p.feature_index, p.output_type) != key);
                }
                admitted
            };
            match &mut batch {
                OutputBatch::One(c) => {
                    if !admit(c) {
                        return Ok(());
                    }
                }
                OutputBatch::Many(commands) => {
                    commands.retain_mut(|c| admit(c));
                    if commands.is_empty() {
                        return Ok(());
                    }
                }
            }
        }
        let may_write_now = match self.options.gap {
            None => true,
            Some(_) => self.earliest_write(st) <= Instant::now(),
        };
        if !(may_write_now && st.pending.is_empty()) {
            // Coalesce under the message gap: the device always gets the latest value of each
            // output, the queue never grows past one entry per output, and every change that
            // is pending when the gap ends is written as one change.
            for command in batch.as_slice() {
                let key = (command.feature_index, command.output_type);
                let repeat = is_repeat(st, command);
                match st
                    .pending
                    .iter_mut()
                    .find(|p| (p.feature_index, p.output_type) == key)
                {
                    Some(p) => *p = *command,
                    None if repeat => {}
                    None => st.pending.push(*command),
                }
            }
            return Ok(());
        }
        // Identical repeats are answered Ok and not written; the rest is one change.
        match batch {
            OutputBatch::One(command) if is_repeat(st, &command) => Ok(()),
            OutputBatch::One(command) => self.write_outputs(st, &[command]).await,
            OutputBatch::Many(mut commands) => {
                commands.retain(|c| !is_repeat(st, c));
                if commands.is_empty() {
                    return Ok(());
                }
                self.write_outputs(st, &commands).await
            }
        }
    }

    /// Hand one change (the outputs of one client message, a stop, or what the message gap
    /// coalesced) to the protocol in one call and write what it returns.
    async fn write_outputs(
        &mut self,
        st: &mut State,
        commands: &[OutputCommand],
    ) -> Result<(), DeviceError> {
        if commands.is_empty() {
            return Ok(());
        }
        let result = match self.handler.handle_outputs(commands) {
            Ok(hw_commands) => {
                for command in commands {
                    self.remember(st, command);
                }
                self.execute(st, &hw_commands).await
            }
            Err(e) if commands.len() > 1 => {
                // The protocol refused the change as a whole: usually one output the database
                // lists but the protocol cannot drive. Write the rest as one change, so a stop
                // stops what it can without partial packets; the refusal is still reported.
                for skip in 0..commands.len() {
                    let rest: Vec<OutputCommand> = commands
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != skip)
                        .map(|(_, c)| *c)
                        .collect();
                    if let Ok(hw_commands) = self.handler.handle_outputs(&rest) {
                        for command in &rest {
                            self.remember(st, command);
                        }
                        let written = self.execute(st, &hw_commands).await;
                        st.active = any_active(st);
                        return written.and(Err(e));
                    }
                }
                // Several refused: still do what it can, one output at a time.
                tracing::debug!(
                    device = self.index,
                    "change refused ({e}); output by output"
                );
                let mut result = Err(e);
                for command in commands {
                    if let Ok(hw_commands) = self.handler.handle_output(command) {
                        self.remember(st, command);
                        if let Err(e) = self.execute(st, &hw_commands).await {
                            result = Err(e);
                        }
                    }
                }
                result
            }
            Err(e) => Err(e),
        };
        st.active = any_active(st);
        result
    }

    /// Note an output handed to the protocol: its last value, and an observation for whoever
    /// listens (nothing but an atomic load when nobody does).
    fn remember(&self, st: &mut State, command: &OutputCommand) {
        remember(st, command);
        if self.observers.wanted() {
            self.observers.send(DeviceObservation::Output {
                index: self.index,
                command: *command,
            });
        }
    }

    async fn execute(
        &self,
        st: &mut State,
        commands: &[HardwareCommand],
    ) -> Result<(), DeviceError> {
        for c in commands {
            self.hardware.execute(c).await?;
            if st.track_writes && matches!(c, HardwareCommand::Write { .. }) {
                st.last_write = Some(Instant::now());
                st.last_packet = Some(c.clone());
            }
        }
        Ok(())
    }

    async fn stop(
        &mut self,
        st: &mut State,
        feature: Option<u32>,
        outputs: bool,
        inputs: bool,
    ) -> Result<(), DeviceError> {
        let mut result = Ok(());
        if outputs {
            // Every output of the addressed features gets its stop, whether or not this
            // session drove it: the device may be running from before we connected.
            let targets = stop_targets(&self.definition, feature);
            // A queued value or a ramp step must never land after the stop.
            st.pending
                .retain(|p| feature.is_some_and(|i| i != p.feature_index));
            if let Some(limits) = st.limits.as_deref_mut() {
                limits.cancel(feature);
            }
            // Stops skip the message gap: they are the safety path. The protocol gets the stop
            // of every output as one change (one packet where its packets carry every motor).
            result = self.write_outputs(st, &targets).await;
        }
        if inputs {
            let subs: Vec<(u32, InputType)> = st
                .subscribed_inputs
                .iter()
                .filter(|(f, _)| feature.is_none_or(|i| i == *f))
                .copied()
                .collect();
            for (f, t) in subs {
                if let Err(e) = self.subscription(st, f, t, false).await {
                    result = result.and(Err(e));
                }
            }
            if feature.is_none() {
                for ep in std::mem::take(&mut st.raw_subscribed) {
                    let _ = self.hardware.unsubscribe(ep).await;
                }
            }
        }
        result
    }

    async fn subscription(
        &mut self,
        st: &mut State,
        feature: u32,
        input_type: InputType,
        subscribe: bool,
    ) -> Result<(), DeviceError> {
        let key = (feature, input_type);
        if subscribe == st.subscribed_inputs.contains(&key) {
            // Duplicate subscribe / unsubscribe: acknowledged, nothing to do.
            return Ok(());
        }
        let f = self
            .definition
            .feature(feature)
            .cloned()
            .ok_or(DeviceError::NoFeature { index: feature })?;
        let commands = if subscribe {
            self.handler.subscribe_input(&f, input_type)?
        } else {
            self.handler.unsubscribe_input(&f, input_type)?
        };
        self.execute(st, &commands).await?;
        if subscribe {
            st.subscribed_inputs.insert(key);
        } else {
            st.subscribed_inputs.remove(&key);
        }
        Ok(())
    }

    async fn raw(
        &mut self,
        st: &mut State,
        command: super::RawCommand,
    ) -> Result<Vec<u8>, DeviceError> {
        use super::RawCommand;
        match command {
            RawCommand::Write {
                endpoint,
                data,
                write_with_response,
            } => {
                self.hardware
                    .write(endpoint, &data, write_with_response)
                    .await?;
                st.last_write = Some(Instant::now());
                Ok(Vec::new())
            }
            RawCommand::Read {
                endpoint,
                length,
                timeout,
            } => Ok(self.hardware.read(endpoint, length, timeout).await?),
            RawCommand::Subscribe { endpoint } => {
                if st.raw_subscribed.insert(endpoint) {
                    self.hardware.subscribe(endpoint).await?;
                }
                Ok(Vec::new())
            }
            RawCommand::Unsubscribe { endpoint } => {
                if st.raw_subscribed.remove(&endpoint) {
                    self.hardware.unsubscribe(endpoint).await?;
                }
                Ok(Vec::new())
            }
        }
    }

    fn on_notification(&mut self, st: &State, endpoint: Endpoint, data: &[u8]) {
        if st.raw_subscribed.contains(&endpoint) {
            let raw = DeviceEvent::Raw(RawReading {
                index: self.index,
                endpoint,
                data: data.to_vec(),
            });
            if self.events.try_send(raw).is_err() {
                tracing::warn!(device = self.index, "event queue full; raw reading dropped");
            }
        }
        if st.subscribed_inputs.is_empty() {
            return;
        }
        for reading in self.handler.parse_notification(endpoint, data) {
            if st
                .subscribed_inputs
                .contains(&(reading.feature_index, reading.input_type))
            {
                let event = DeviceEvent::Reading {
                    index: self.index,
                    reading,
                };
                if self.events.try_send(event).is_err() {
                    tracing::warn!(device = self.index, "event queue full; reading dropped");
                }
            }
        }
    }

    async fn on_timer(&mut self, st: &mut State) {
        let now = Instant::now();
        if let (Some(idle), Some(check)) = (self.options.idle_stop, st.idle_check) {
            if check <= now {
                if st.active && st.last_command + idle <= now {
                    tracing::warn!(
                        device = self.index,
                        "no command from the client for {idle:?} while running: stopping"
                    );
                    st.idle_check = None;
                    if let Err(e) = self.stop(st, None, true, false).await {
                        tracing::warn!(device = self.index, "idle stop failed: {e}");
                    }
                    // The client that drove it went silent: in a shared server, another
                    // client may take the device now.
                    self.claim.clear();
                } else {
                    // Looked too early (a newer command) or the device is not running: look
                    // again when the newest command is `idle` old (only counted while running).
                    st.idle_check = Some(st.last_command + idle);
                }
            }
        }
        if !st.pending.is_empty() && self.earliest_write(st) <= now {
            let pending = std::mem::take(&mut st.pending);
            if let Err(e) = self.write_outputs(st, &pending).await {
                tracing::warn!(device = self.index, "queued output failed: {e}");
            }
        }
        let ramp_due = st
            .limits
            .as_deref()
            .and_then(Limits::next_step)
            .is_some_and(|t| {
                t <= now && (self.options.gap.is_none() || self.earliest_write(st) <= now)
            });
        if ramp_due {
            if let Some(limits) = st.limits.as_deref_mut() {
                let steps = limits.take_due(now);
                let written = self.write_outputs(st, &steps).await;
                if let Some(limits) = st.limits.as_deref_mut() {
                    limits.give_back(steps);
                }
                if let Err(e) = written {
                    tracing::warn!(device = self.index, "ramp step failed: {e}");
                }
            }
        }
        if !self.options.timers {
            return;
        }
        if let Some(t) = st.next_tick {
            if t <= now {
                let commands = self.handler.tick();
                if let Err(e) = self.execute(st, &commands).await {
                    tracing::warn!(device = self.index, "protocol loop write failed: {e}");
                }
                st.next_tick = self.handler.tick_interval().map(|i| now + i);
            }
        }
        if let (Some(interval), true, Some(last)) =
            (self.keepalive_interval(), st.active, st.last_write)
        {
            if last + interval <= Instant::now() {
                let packet = match self.handler.keepalive() {
                    KeepaliveStrategy::RepeatPacketWhenRequired(p) => Some(p),
                    _ => st.last_packet.clone(),
                };
                if let Some(p) = packet {
                    if let Err(e) = self.execute(st, std::slice::from_ref(&p)).await {
                        tracing::warn!(device = self.index, "keep-alive write failed: {e}");
                    }
                }
            }
        }
    }
}

/// The stop of every output of the addressed features (every feature for `None`), in
/// [`STOP_PRIORITY`] order within a feature.
pub(crate) fn stop_targets(
    definition: &DeviceDefinition,
    feature: Option<u32>,
) -> Vec<OutputCommand> {
    definition
        .features
        .iter()
        .filter(|f| feature.is_none_or(|i| i == f.index))
        .flat_map(|f| {
            STOP_PRIORITY
                .iter()
                .filter(|t| f.output(**t).is_some_and(|o| !o.disabled))
                .map(|t| OutputCommand::new(f.index, *t, 0))
        })
        .collect()
}

/// Whether an output with a stop value is away from it.
fn any_active(st: &State) -> bool {
    st.last_values
        .iter()
        .any(|((_, t), (v, _))| *v != 0 && t.has_stop_value())
}

/// Whether `command` repeats the value last written to its output.
fn is_repeat(st: &State, command: &OutputCommand) -> bool {
    last_value(st, (command.feature_index, command.output_type))
        == Some((command.value, command.duration_ms))
}

fn remember(st: &mut State, command: &OutputCommand) {
    set_last_value(
        st,
        (command.feature_index, command.output_type),
        (command.value, command.duration_ms),
    );
}

fn last_value(st: &State, key: (u32, OutputType)) -> Option<(i32, u32)> {
    st.last_values
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
}

fn set_last_value(st: &mut State, key: (u32, OutputType), value: (i32, u32)) {
    match st.last_values.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => st.last_values.push((key, value)),
    }
}

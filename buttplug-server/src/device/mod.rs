//! A connected device as the server sees it: its definition, its index and the handle to its task.

mod limits;
#[cfg(test)]
mod limits_props;
#[cfg(test)]
pub(crate) mod probe;
mod replies;
mod task;

pub(crate) use replies::{ReplyTracker, UnitReply};

pub(crate) use limits::Limits;
pub use limits::RAMP_STEP_INTERVAL;
pub use task::TRANSPORT_KEEPALIVE_INTERVAL;
pub(crate) use task::{DeviceTask, TaskOptions};

use buttplug_core::{InputCommandType, InputType, OutputType};
use buttplug_devices::{DeviceDefinition, DeviceError, Endpoint, InputReading, OutputCommand};
use futures::channel::oneshot;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Capacity of each device task's request channel.
pub const DEVICE_REQUEST_CAPACITY: usize = 64;

/// Errors of a device operation, as sessions see them.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ServerDeviceError {
    /// No device with that index.
    #[error("no device with index {index}")]
    NoDevice {
        /// The index asked for.
        index: u32,
    },
    /// The device has no such feature.
    #[error("device {device} has no feature {feature}")]
    NoFeature {
        /// Device index.
        device: u32,
        /// Feature index.
        feature: u32,
    },
    /// The feature does not have this output or input.
    #[error("feature {feature} of device {device} has no {what}")]
    NotOnFeature {
        /// Device index.
        device: u32,
        /// Feature index.
        feature: u32,
        /// The output or input type asked for.
        what: String,
    },
    /// The user disabled this output.
    #[error("{output} on feature {feature} of device {device} is disabled")]
    Disabled {
        /// Device index.
        device: u32,
        /// Feature index.
        feature: u32,
        /// Output type.
        output: OutputType,
    },
    /// The value lies outside the feature's range.
    #[error("value {value} is outside the range [{min}, {max}] of feature {feature}")]
    OutOfRange {
        /// Feature index.
        feature: u32,
        /// The value sent.
        value: i64,
        /// Lowest allowed.
        min: i32,
        /// Highest allowed.
        max: i32,
    },
    /// The input command is not allowed on this input.
    #[error("{command:?} is not allowed on {input} of feature {feature}")]
    InputCommandNotAllowed {
        /// Feature index.
        feature: u32,
        /// The input.
        input: InputType,
        /// The command.
        command: InputCommandType,
    },
    /// Raw commands are off in this server.
    #[error("raw commands are not enabled on this server")]
    RawDisabled,
    /// In a server shared by several clients: another client drives this device (it claimed
    /// it with its first command; the claim ends when that client stops the device or leaves).
    #[error(
        "device {device} ({name}) is in use by another client ({client:?}); it is free again \
         when that client stops it or disconnects"
    )]
    Claimed {
        /// Device index.
        device: u32,
        /// Device name.
        name: String,
        /// The name the claiming client gave in its `RequestServerInfo`.
        client: String,
    },
    /// The device has gone away.
    #[error("device {index} is no longer connected")]
    Gone {
        /// Device index.
        index: u32,
    },
    /// The protocol or hardware failed.
    #[error(transparent)]
    Device(#[from] DeviceError),
}

/// Raw endpoint access (when enabled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawCommand {
    /// Write bytes.
    Write {
        /// Endpoint.
        endpoint: Endpoint,
        /// Bytes.
        data: Vec<u8>,
        /// Write with response.
        write_with_response: bool,
    },
    /// Read bytes.
    Read {
        /// Endpoint.
        endpoint: Endpoint,
        /// Expected length.
        length: u32,
        /// How long to wait.
        timeout: Duration,
    },
    /// Subscribe to an endpoint.
    Subscribe {
        /// Endpoint.
        endpoint: Endpoint,
    },
    /// Unsubscribe from an endpoint.
    Unsubscribe {
        /// Endpoint.
        endpoint: Endpoint,
    },
}

/// Data that arrived on a raw-subscribed endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawReading {
    /// Device index.
    pub index: u32,
    /// Endpoint.
    pub endpoint: Endpoint,
    /// Bytes.
    pub data: Vec<u8>,
}

/// Events from device tasks.
#[derive(Debug, Clone)]
pub(crate) enum DeviceEvent {
    /// A subscribed input produced a reading.
    Reading { index: u32, reading: InputReading },
    /// A raw subscription produced data.
    Raw(RawReading),
    /// The device task ended (device disconnected).
    Gone { index: u32 },
}

/// The outputs one client message changes on one device, handed to the device task as one
/// request so the protocol sees the whole change at once. A single command (every v4 `OutputCmd`)
/// needs no allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputBatch {
    /// One output.
    One(OutputCommand),
    /// Several outputs, at most one per (feature, output type).
    Many(Vec<OutputCommand>),
}

impl OutputBatch {
    /// The commands of the batch.
    pub fn as_slice(&self) -> &[OutputCommand] {
        match self {
            OutputBatch::One(c) => std::slice::from_ref(c),
            OutputBatch::Many(v) => v,
        }
    }

    /// A batch of these commands; a later command for the same (feature, output type) replaces
    /// an earlier one. `None` when there are none.
    pub fn collect(commands: impl IntoIterator<Item = OutputCommand>) -> Option<Self> {
        let mut commands = commands.into_iter();
        let first = commands.next()?;
        let Some(second) = commands.next() else {
            return Some(OutputBatch::One(first));
        };
        let mut all: Vec<OutputCommand> = Vec::with_capacity(2 + commands.size_hint().0);
        for c in [first, second].into_iter().chain(commands) {
            match all
                .iter_mut()
                .find(|p| (p.feature_index, p.output_type) == (c.feature_index, c.output_type))
            {
                Some(p) => *p = c,
                None => all.push(c),
            }
        }
        Some(OutputBatch::Many(all))
    }
}

impl From<OutputCommand> for OutputBatch {
    fn from(command: OutputCommand) -> Self {
        OutputBatch::One(command)
    }
}

pub(crate) enum DeviceRequest {
    Output {
        commands: OutputBatch,
        reply: UnitReply,
    },
    Stop {
        feature: Option<u32>,
        outputs: bool,
        inputs: bool,
        reply: UnitReply,
    },
    ReadInput {
        feature: u32,
        input_type: InputType,
        reply: oneshot::Sender<Result<i32, DeviceError>>,
    },
    Subscribe {
        feature: u32,
        input_type: InputType,
        subscribe: bool,
        reply: oneshot::Sender<Result<(), DeviceError>>,
    },
    Raw {
        command: RawCommand,
        reply: oneshot::Sender<Result<Vec<u8>, DeviceError>>,
    },
    Disconnect {
        reply: oneshot::Sender<()>,
    },
    /// Replace the device's safety limits (ramps in progress end).
    SetLimits {
        limits: Option<Box<Limits>>,
        reply: oneshot::Sender<()>,
    },
}

impl DeviceRequest {
    /// Drop the request; its requester sees the channel close and reports the device gone.
    pub(crate) fn fail(self) {}
}

/// The answer to a queued device request.
#[derive(Debug)]
#[must_use]
pub struct PendingReply<T> {
    index: u32,
    rx: oneshot::Receiver<Result<T, DeviceError>>,
}

impl<T> PendingReply<T> {
    /// Wait for the device task's answer.
    ///
    /// # Errors
    /// The device went away before answering, or the request failed.
    pub async fn wait(self) -> Result<T, ServerDeviceError> {
        Ok(self
            .rx
            .await
            .map_err(|_| ServerDeviceError::Gone { index: self.index })??)
    }
}

/// A connected device: definition, index and the channel to its task. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ServerDevice(Arc<Shared>);

/// What every clone of a [`ServerDevice`] shares (one reference count per clone).
#[derive(Debug)]
struct Shared {
    index: u32,
    address: String,
    definition: Arc<DeviceDefinition>,
    requests: async_channel::Sender<DeviceRequest>,
    message_gap_ms: u32,
    endpoints: Vec<Endpoint>,
    /// The client session that drives the device, in a server shared by several clients.
    claim: ClaimSlot,
    /// In a shared server: which sessions want readings of what (and the session). The
    /// hardware subscription is held while anyone wants it.
    readers: Mutex<Vec<(Readable, u64)>>,
}

/// What a client of a shared server can subscribe to on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readable {
    /// A feature's input (`InputCmd` subscribe, v3 `SensorSubscribeCmd`).
    Input(u32, InputType),
    /// A raw endpoint (`RawSubscribeCmd`, with raw commands allowed).
    Raw(Endpoint),
}

/// Where a device's claim is kept: shared with its task, which frees it on an idle stop.
pub(crate) type ClaimSlot = Arc<ClaimCell>;

/// A device's claim. Every change is reported to the device manager's observers
/// ([`DeviceObservation::Claim`](crate::DeviceObservation::Claim)), so monitors such as the web
/// panel show who holds each device.
#[derive(Debug)]
pub(crate) struct ClaimCell {
    index: u32,
    claim: Mutex<Option<Claim>>,
    observers: Option<Arc<crate::device_manager::Observers>>,
}

impl ClaimCell {
    fn new(index: u32, observers: Option<Arc<crate::device_manager::Observers>>) -> Self {
        ClaimCell {
            index,
            claim: Mutex::new(None),
            observers,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Claim>> {
        crate::sync::lock(&self.claim)
    }

    /// Free the device, whoever holds it.
    pub(crate) fn clear(&self) {
        let was = self.lock().take();
        if was.is_some() {
            self.report(None);
        }
    }

    /// Tell the observers (after the lock is released).
    fn report(&self, client: Option<&Arc<str>>) {
        if let Some(observers) = &self.observers {
            if observers.wanted() {
                observers.send(crate::DeviceObservation::Claim {
                    index: self.index,
                    client: client.map(|c| c.to_string()),
                });
            }
        }
    }
}

/// Who holds a device (see [`ServerDevice::claimed_by`]).
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    session: u64,
    client: Arc<str>,
}

/// What [`ServerDevice::claim`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claimed {
    /// The device was free and is now the session's.
    Now,
    /// The session already held it.
    Already,
}

impl ServerDevice {
    pub(crate) fn new(
        index: u32,
        address: String,
        definition: Arc<DeviceDefinition>,
        requests: async_channel::Sender<DeviceRequest>,
        message_gap_ms: u32,
        endpoints: Vec<Endpoint>,
        observers: Option<Arc<crate::device_manager::Observers>>,
    ) -> Self {
        ServerDevice(Arc::new(Shared {
            index,
            address,
            definition,
            requests,
            message_gap_ms,
            endpoints,
            claim: Arc::new(ClaimCell::new(index, observers)),
            readers: Mutex::new(Vec::new()),
        }))
    }

    /// The device's claim slot, for its task.
    pub(crate) fn claim_slot(&self) -> ClaimSlot {
        self.0.claim.clone()
    }

    /// In a server shared by several clients (`ButtplugServerBuilder::max_clients` above 1):
    /// the name of the client that drives this device, `None` while it is free. A client claims
    /// a device with its first command that drives it and releases it by stopping the whole
    /// device or by leaving (an idle stop, `DeviceManagerBuilder::idle_stop`, releases it
    /// too); a stop through [`ServerDevice::stop`] or
    /// [`ServerDevice::queue_stop`] (the operator: REST API, emergency stop, the application)
    /// releases it too.
    pub fn claimed_by(&self) -> Option<String> {
        self.0.claim.lock().as_ref().map(|c| c.client.to_string())
    }

    /// Claim the device for `session` (named `client`), unless another session holds it.
    pub(crate) fn claim(
        &self,
        session: u64,
        client: &Arc<str>,
    ) -> Result<Claimed, ServerDeviceError> {
        let mut claim = self.0.claim.lock();
        match claim.as_ref() {
            None => {
                *claim = Some(Claim {
                    session,
                    client: client.clone(),
                });
                drop(claim);
                self.0.claim.report(Some(client));
                Ok(Claimed::Now)
            }
            Some(c) if c.session == session => Ok(Claimed::Already),
            Some(c) => Err(ServerDeviceError::Claimed {
                device: self.0.index,
                name: self.0.definition.name.clone(),
                client: c.client.to_string(),
            }),
        }
    }

    /// Whether `session` holds the device.
    pub(crate) fn is_claimed_by(&self, session: u64) -> bool {
        self.0
            .claim
            .lock()
            .as_ref()
            .is_some_and(|c| c.session == session)
    }

    /// Release the device if `session` holds it.
    pub(crate) fn release(&self, session: u64) {
        let mut claim = self.0.claim.lock();
        if claim.as_ref().is_some_and(|c| c.session == session) {
            *claim = None;
            drop(claim);
            self.0.claim.report(None);
        }
    }

    /// In a shared server: `session` starts (or stops) wanting readings of `what`. Returns
    /// whether the hardware subscription is to change: the first reader subscribes it, the last
    /// one to leave unsubscribes it; for anyone else the subscription is already as needed.
    pub(crate) fn share_reading(&self, session: u64, what: Readable, subscribe: bool) -> bool {
        let mut readers = crate::sync::lock(&self.0.readers);
        let entry = (what, session);
        let anyone = |r: &Vec<(Readable, u64)>| r.iter().any(|(w, _)| *w == what);
        if subscribe {
            let first = !anyone(&readers);
            if !readers.contains(&entry) {
                readers.push(entry);
            }
            first
        } else {
            let before = readers.len();
            readers.retain(|e| *e != entry);
            readers.len() != before && !anyone(&readers)
        }
    }

    /// The hardware's endpoints (what raw commands may address).
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.0.endpoints
    }

    /// The message gap this device's task enforces, in ms (0 = none); reported to clients as
    /// `DeviceMessageTimingGap`.
    pub fn message_gap_ms(&self) -> u32 {
        self.0.message_gap_ms
    }

    /// Device index.
    pub fn index(&self) -> u32 {
        self.0.index
    }

    /// Hardware address.
    pub fn address(&self) -> &str {
        &self.0.address
    }

    /// The resolved definition.
    pub fn definition(&self) -> &DeviceDefinition {
        &self.0.definition
    }

    /// Whether the device task is still running.
    pub fn is_connected(&self) -> bool {
        !self.0.requests.is_closed()
    }

    async fn request<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, DeviceError>>) -> DeviceRequest,
    ) -> Result<T, ServerDeviceError> {
        self.enqueue(make).await?.wait().await
    }

    async fn enqueue<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, DeviceError>>) -> DeviceRequest,
    ) -> Result<PendingReply<T>, ServerDeviceError> {
        let (tx, rx) = oneshot::channel();
        self.send_request(make(tx)).await?;
        Ok(PendingReply {
            index: self.0.index,
            rx,
        })
    }

    /// Queue a checked output command and return at once; the device task handles queued
    /// requests in order. Await the [`PendingReply`] for the result.
    ///
    /// # Errors
    /// The device is gone.
    pub async fn queue_output(
        &self,
        command: OutputCommand,
    ) -> Result<PendingReply<()>, ServerDeviceError> {
        self.queue_outputs(command.into()).await
    }

    /// Queue the outputs one client message changes, as one request: the protocol writes the
    /// whole change at once (one packet on devices whose packets carry every motor).
    ///
    /// # Errors
    /// The device is gone.
    pub async fn queue_outputs(
        &self,
        commands: OutputBatch,
    ) -> Result<PendingReply<()>, ServerDeviceError> {
        self.enqueue(|reply| DeviceRequest::Output {
            commands,
            reply: UnitReply::Oneshot(reply),
        })
        .await
    }

    /// Queue a stop (see [`ServerDevice::stop`]).
    ///
    /// # Errors
    /// Missing feature or device gone.
    pub async fn queue_stop(
        &self,
        feature: Option<u32>,
        outputs: bool,
        inputs: bool,
    ) -> Result<PendingReply<()>, ServerDeviceError> {
        self.check_stop_target(feature)?;
        let pending = self
            .enqueue(|reply| DeviceRequest::Stop {
                feature,
                outputs,
                inputs,
                reply: UnitReply::Oneshot(reply),
            })
            .await?;
        // Queued first, so a client that claims the device next is served after this stop.
        if feature.is_none() && outputs {
            self.0.claim.clear();
        }
        Ok(pending)
    }

    /// Queue an output command answered through a session's [`ReplyTracker`]. The reply is
    /// always settled: by the device task, or here with the error when the request could not be
    /// queued.
    pub(crate) async fn queue_outputs_tracked(
        &self,
        commands: OutputBatch,
        reply: UnitReply,
    ) -> Result<(), ServerDeviceError> {
        self.send_request(DeviceRequest::Output { commands, reply })
            .await
    }

    /// Queue a stop answered through a session's [`ReplyTracker`].
    pub(crate) async fn queue_stop_tracked(
        &self,
        feature: Option<u32>,
        outputs: bool,
        inputs: bool,
        reply: UnitReply,
    ) -> Result<(), ServerDeviceError> {
        if let Err(e) = self.check_stop_target(feature) {
            reply.fail(e.clone());
            return Err(e);
        }
        self.send_request(DeviceRequest::Stop {
            feature,
            outputs,
            inputs,
            reply,
        })
        .await
    }

    async fn send_request(&self, request: DeviceRequest) -> Result<(), ServerDeviceError> {
        // A request that cannot be queued is dropped here; a tracked reply then answers
        // "gone" on its own, so the caller must not count it again.
        self.0
            .requests
            .send(request)
            .await
            .map_err(|_| ServerDeviceError::Gone {
                index: self.0.index,
            })
    }

    /// Queue an input read (see [`ServerDevice::read_input`]).
    ///
    /// # Errors
    /// Missing feature/input, command not allowed, device gone.
    pub async fn queue_read(
        &self,
        feature: u32,
        input_type: InputType,
    ) -> Result<PendingReply<i32>, ServerDeviceError> {
        self.check_input(feature, input_type, InputCommandType::Read)?;
        self.enqueue(|reply| DeviceRequest::ReadInput {
            feature,
            input_type,
            reply,
        })
        .await
    }

    /// Queue a subscribe/unsubscribe (see [`ServerDevice::subscribe_input`]).
    ///
    /// # Errors
    /// As for [`ServerDevice::queue_read`].
    pub async fn queue_subscribe(
        &self,
        feature: u32,
        input_type: InputType,
        subscribe: bool,
    ) -> Result<PendingReply<()>, ServerDeviceError> {
        let command = if subscribe {
            InputCommandType::Subscribe
        } else {
            InputCommandType::Unsubscribe
        };
        self.check_input(feature, input_type, command)?;
        self.enqueue(|reply| DeviceRequest::Subscribe {
            feature,
            input_type,
            subscribe,
            reply,
        })
        .await
    }

    /// Queue a raw command.
    ///
    /// # Errors
    /// Device gone.
    pub async fn queue_raw(
        &self,
        command: RawCommand,
    ) -> Result<PendingReply<Vec<u8>>, ServerDeviceError> {
        self.enqueue(|reply| DeviceRequest::Raw { command, reply })
            .await
    }

    /// Check a client value against the feature's (user) range and build the hardware command.
    ///
    /// # Errors
    /// Missing feature or output, disabled output, value out of range.
    pub fn check_output(
        &self,
        feature: u32,
        output_type: OutputType,
        value: i64,
        duration_ms: Option<u32>,
    ) -> Result<OutputCommand, ServerDeviceError> {
        let f = self
            .0
            .definition
            .feature(feature)
            .ok_or(ServerDeviceError::NoFeature {
                device: self.0.index,
                feature,
            })?;
        let o = f
            .output(output_type)
            .ok_or_else(|| ServerDeviceError::NotOnFeature {
                device: self.0.index,
                feature,
                what: output_type.to_string(),
            })?;
        if o.disabled {
            return Err(ServerDeviceError::Disabled {
                device: self.0.index,
                feature,
                output: output_type,
            });
        }
        let range = o.client_range();
        if value < i64::from(range.start) || value > i64::from(range.end) {
            return Err(ServerDeviceError::OutOfRange {
                feature,
                value,
                min: range.start,
                max: range.end,
            });
        }
        // In range, so it fits in i32.
        let value = value as i32;
        let duration_ms = duration_ms.unwrap_or(0);
        if let Some(d) = o.duration {
            let d64 = i64::from(duration_ms);
            if d64 < i64::from(d.start) || d64 > i64::from(d.end) {
                return Err(ServerDeviceError::OutOfRange {
                    feature,
                    value: d64,
                    min: d.start,
                    max: d.end,
                });
            }
        }
        Ok(OutputCommand {
            feature_index: feature,
            output_type,
            value: o.to_hardware(value),
            duration_ms,
        })
    }

    /// Send a checked output command.
    ///
    /// # Errors
    /// The device is gone, or the protocol/hardware failed.
    pub async fn output(&self, command: OutputCommand) -> Result<(), ServerDeviceError> {
        self.queue_output(command).await?.wait().await
    }

    /// Send the outputs of one change together (see [`ServerDevice::queue_outputs`]).
    ///
    /// # Errors
    /// The device is gone, or the protocol/hardware failed.
    pub async fn outputs(&self, commands: OutputBatch) -> Result<(), ServerDeviceError> {
        self.queue_outputs(commands).await?.wait().await
    }

    /// Stop outputs and/or inputs of one feature or of the whole device.
    ///
    /// # Errors
    /// The device is gone, or the hardware failed.
    pub async fn stop(
        &self,
        feature: Option<u32>,
        outputs: bool,
        inputs: bool,
    ) -> Result<(), ServerDeviceError> {
        self.queue_stop(feature, outputs, inputs)
            .await?
            .wait()
            .await
    }

    /// A stop may name the whole device or one of its features.
    fn check_stop_target(&self, feature: Option<u32>) -> Result<(), ServerDeviceError> {
        match feature {
            Some(f) if self.0.definition.feature(f).is_none() => {
                Err(ServerDeviceError::NoFeature {
                    device: self.0.index,
                    feature: f,
                })
            }
            _ => Ok(()),
        }
    }

    fn check_input(
        &self,
        feature: u32,
        input_type: InputType,
        command: InputCommandType,
    ) -> Result<(), ServerDeviceError> {
        let f = self
            .0
            .definition
            .feature(feature)
            .ok_or(ServerDeviceError::NoFeature {
                device: self.0.index,
                feature,
            })?;
        let i = f
            .input(input_type)
            .ok_or_else(|| ServerDeviceError::NotOnFeature {
                device: self.0.index,
                feature,
                what: input_type.to_string(),
            })?;
        let allowed = match command {
            InputCommandType::Read => i.commands.contains(&InputCommandType::Read),
            InputCommandType::Subscribe | InputCommandType::Unsubscribe => {
                i.commands.contains(&InputCommandType::Subscribe)
            }
        };
        if !allowed {
            return Err(ServerDeviceError::InputCommandNotAllowed {
                feature,
                input: input_type,
                command,
            });
        }
        Ok(())
    }

    /// Read an input once.
    ///
    /// # Errors
    /// Missing feature/input, command not allowed, device gone, protocol/hardware failure.
    pub async fn read_input(
        &self,
        feature: u32,
        input_type: InputType,
    ) -> Result<i32, ServerDeviceError> {
        self.check_input(feature, input_type, InputCommandType::Read)?;
        self.request(|reply| DeviceRequest::ReadInput {
            feature,
            input_type,
            reply,
        })
        .await
    }

    /// Subscribe to or unsubscribe from an input.
    ///
    /// # Errors
    /// As for [`ServerDevice::read_input`].
    pub async fn subscribe_input(
        &self,
        feature: u32,
        input_type: InputType,
        subscribe: bool,
    ) -> Result<(), ServerDeviceError> {
        let command = if subscribe {
            InputCommandType::Subscribe
        } else {
            InputCommandType::Unsubscribe
        };
        self.check_input(feature, input_type, command)?;
        self.request(|reply| DeviceRequest::Subscribe {
            feature,
            input_type,
            subscribe,
            reply,
        })
        .await
    }

    /// Raw endpoint access (the caller checks that raw commands are enabled).
    ///
    /// # Errors
    /// Device gone or hardware failure.
    pub async fn raw(&self, command: RawCommand) -> Result<Vec<u8>, ServerDeviceError> {
        self.request(|reply| DeviceRequest::Raw { command, reply })
            .await
    }

    /// Replace the safety limits the device task applies; from the next command on. Returns
    /// `false` when the device is gone.
    pub(crate) async fn set_limits(&self, limits: Option<Box<Limits>>) -> bool {
        let (tx, rx) = oneshot::channel();
        if self
            .0
            .requests
            .send(DeviceRequest::SetLimits { limits, reply: tx })
            .await
            .is_err()
        {
            return false;
        }
        rx.await.is_ok()
    }

    /// Disconnect the device (the manager then removes it).
    pub async fn disconnect(&self) {
        let (tx, rx) = oneshot::channel();
        if self
            .0
            .requests
            .send(DeviceRequest::Disconnect { reply: tx })
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}

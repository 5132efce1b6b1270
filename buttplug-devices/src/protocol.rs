//! The protocol framework: identify and initialize hooks (async), pure output handlers.

use crate::{
    DeviceDefinition, Endpoint, FeatureDefinition, Hardware, HardwareCommand, HardwareError,
};
use async_trait::async_trait;
use buttplug_core::{InputType, OutputType};
use std::fmt::Debug;
use std::time::Duration;

/// Errors of the device layer.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The protocol cannot do this (typed, in every build; never a panic).
    #[error("{protocol} does not support {command}")]
    Unsupported {
        /// Protocol id.
        protocol: &'static str,
        /// What was asked, e.g. `"Rotate on feature 1"` or `"Battery read"`.
        command: String,
    },
    /// A command named a feature the device does not have.
    #[error("device has no feature {index}")]
    NoFeature {
        /// The feature index asked for.
        index: u32,
    },
    /// The device answered something the protocol did not expect (handshake, reading).
    #[error("{protocol}: {message}")]
    Protocol {
        /// Protocol id.
        protocol: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The hardware failed.
    #[error(transparent)]
    Hardware(#[from] HardwareError),
}

impl DeviceError {
    /// An [`DeviceError::Unsupported`] for an output command.
    pub fn unsupported_output(protocol: &'static str, cmd: &OutputCommand) -> Self {
        DeviceError::Unsupported {
            protocol,
            command: format!("{} on feature {}", cmd.output_type, cmd.feature_index),
        }
    }

    /// A [`DeviceError::Protocol`].
    pub fn protocol(protocol: &'static str, message: impl Into<String>) -> Self {
        DeviceError::Protocol {
            protocol,
            message: message.into(),
        }
    }
}

/// A checked output command, as a protocol handler receives it: the value is already validated
/// against the feature's range and mapped through the user range, so it is the value to put on the
/// wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputCommand {
    /// Feature index in the device definition.
    pub feature_index: u32,
    /// Output type.
    pub output_type: OutputType,
    /// Hardware value (steps; negative for counter-clockwise rotation or cooling).
    pub value: i32,
    /// Duration in ms, for [`OutputType::HwPositionWithDuration`]; 0 otherwise.
    pub duration_ms: u32,
}

impl OutputCommand {
    /// A value command without duration.
    pub fn new(feature_index: u32, output_type: OutputType, value: i32) -> Self {
        OutputCommand {
            feature_index,
            output_type,
            value,
            duration_ms: 0,
        }
    }

    /// A position-with-duration command.
    pub fn position_with_duration(feature_index: u32, value: i32, duration_ms: u32) -> Self {
        OutputCommand {
            feature_index,
            output_type: OutputType::HwPositionWithDuration,
            value,
            duration_ms,
        }
    }
}

/// A sensor value decoded from the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputReading {
    /// Feature index.
    pub feature_index: u32,
    /// Input type.
    pub input_type: InputType,
    /// The value (battery percent, pressure, ...).
    pub value: i32,
}

/// How a device is kept alive when nothing is written.
///
/// Choose [`KeepaliveStrategy::RepeatLastWhenRequired`] (the default) unless the device itself
/// stops when it does not hear from the host: then use [`KeepaliveStrategy::RepeatLastEvery`] with
/// the device's timeout. Use [`KeepaliveStrategy::RepeatPacketWhenRequired`] when replaying the last
/// packet would be wrong (e.g. packets with counters) and a harmless fixed packet exists. The
/// server never sends a keep-alive after a stop (it then repeats the stop, which is harmless), and
/// never before the first write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeepaliveStrategy {
    /// Only when the transport requires it (iOS background BLE): replay the last write every 5 s.
    RepeatLastWhenRequired,
    /// Only when the transport requires it: write this packet every 5 s.
    RepeatPacketWhenRequired(HardwareCommand),
    /// Always: if nothing was written for this long, replay the last write.
    RepeatLastEvery(Duration),
}

/// What [`Protocol::identify`] found: the identifier that selects the database configuration, and
/// optionally a different protocol to hand the device to (Hismith re-routes to Hismith Mini).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identification {
    /// The configuration identifier (`"Z"`, `"10160"`, a BLE name); `None` = protocol defaults.
    pub identifier: Option<String>,
    /// Another protocol id to use instead of this one.
    pub reroute_protocol: Option<&'static str>,
}

impl Identification {
    /// An identification by identifier string.
    pub fn identifier(id: impl Into<String>) -> Self {
        Identification {
            identifier: Some(id.into()),
            reroute_protocol: None,
        }
    }
}

/// A device protocol: one per protocol id of the database. Implementations are unit structs
/// registered in [`crate::protocols::registry`].
#[async_trait]
pub trait Protocol: Send + Sync + Debug + 'static {
    /// The protocol id used by the device database (`"lovense"`).
    fn id(&self) -> &'static str;

    /// Work out which configuration of this protocol the device is. The default uses the
    /// hardware's advertised name.
    ///
    /// # Errors
    /// A hardware error or an unusable answer from the device.
    async fn identify(&self, hardware: &dyn Hardware) -> Result<Identification, DeviceError> {
        Ok(Identification::identifier(hardware.name()))
    }

    /// Run the protocol's handshake (if any) and build the handler for this device.
    ///
    /// # Errors
    /// A failed handshake; the device is then not added.
    async fn initialize(
        &self,
        hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError>;
}

/// The per-device protocol state. Output handling is pure and synchronous: a checked command in,
/// the exact hardware commands out. Input handling may talk to the hardware.
#[async_trait]
pub trait ProtocolHandler: Send + Sync + Debug {
    /// The protocol id (for error messages).
    fn protocol_id(&self) -> &'static str;

    /// How this device is kept alive. Default: [`KeepaliveStrategy::RepeatLastWhenRequired`].
    fn keepalive(&self) -> KeepaliveStrategy {
        KeepaliveStrategy::RepeatLastWhenRequired
    }

    /// Turn one checked output command into hardware commands.
    ///
    /// # Errors
    /// [`DeviceError::Unsupported`] when the protocol has no such output.
    fn handle_output(&mut self, cmd: &OutputCommand) -> Result<Vec<HardwareCommand>, DeviceError> {
        Err(DeviceError::unsupported_output(self.protocol_id(), cmd))
    }

    /// Turn the whole change of one client message into hardware commands.
    ///
    /// `cmds` holds every output the message changes (a v3 `ScalarCmd` with two motors, a stop of
    /// every output, or the v4 `OutputCmd`s that the message gap coalesced), at most one per
    /// (feature, output type), in the order the client gave them. Outputs not in `cmds` keep the
    /// value this handler last saw. The server calls this, never [`ProtocolHandler::handle_output`]
    /// directly.
    ///
    /// The default suits protocols whose wire format is one packet per output: it concatenates
    /// what [`ProtocolHandler::handle_output`] returns for each command. A protocol whose packet
    /// carries several outputs at once must override it and return that packet once, with every
    /// change applied; otherwise the device briefly gets a state the client never asked for.
    ///
    /// # Errors
    /// [`DeviceError::Unsupported`] when the protocol has no such output; then nothing of this
    /// change is written.
    fn handle_outputs(
        &mut self,
        cmds: &[OutputCommand],
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        if let [cmd] = cmds {
            return self.handle_output(cmd);
        }
        let mut out = Vec::new();
        for cmd in cmds {
            out.extend(self.handle_output(cmd)?);
        }
        Ok(out)
    }

    /// For protocols with their own write loop (stepping, resending): how often
    /// [`ProtocolHandler::tick`] is called. `None` (default) = no loop.
    fn tick_interval(&self) -> Option<Duration> {
        None
    }

    /// One tick of the protocol's own loop: what to write now.
    fn tick(&mut self) -> Vec<HardwareCommand> {
        Vec::new()
    }

    /// Read an input once. Default: battery from the standard BLE battery characteristic
    /// (`rxblebattery`, 1 byte, percent) when the hardware has it.
    ///
    /// # Errors
    /// [`DeviceError::Unsupported`] or a hardware error.
    async fn read_input(
        &mut self,
        hardware: &dyn Hardware,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        if input_type == InputType::Battery && hardware.has_endpoint(Endpoint::RxBleBattery) {
            let data = hardware
                .read(Endpoint::RxBleBattery, 1, DEFAULT_READ_TIMEOUT)
                .await?;
            return data
                .first()
                .map(|b| i32::from(*b))
                .ok_or_else(|| DeviceError::protocol(self.protocol_id(), "empty battery reading"));
        }
        Err(DeviceError::Unsupported {
            protocol: self.protocol_id(),
            command: format!("{input_type} read on feature {}", feature.index),
        })
    }

    /// Commands that start streaming an input; readings then come from
    /// [`ProtocolHandler::parse_notification`]. Default: unsupported.
    ///
    /// # Errors
    /// [`DeviceError::Unsupported`].
    fn subscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        Err(DeviceError::Unsupported {
            protocol: self.protocol_id(),
            command: format!("{input_type} subscribe on feature {}", feature.index),
        })
    }

    /// Commands that stop streaming an input. Default: unsupported.
    ///
    /// # Errors
    /// [`DeviceError::Unsupported`].
    fn unsubscribe_input(
        &mut self,
        feature: &FeatureDefinition,
        input_type: InputType,
    ) -> Result<Vec<HardwareCommand>, DeviceError> {
        Err(DeviceError::Unsupported {
            protocol: self.protocol_id(),
            command: format!("{input_type} unsubscribe on feature {}", feature.index),
        })
    }

    /// Decode a notification into readings for subscribed inputs. Default: none.
    fn parse_notification(&mut self, endpoint: Endpoint, data: &[u8]) -> Vec<InputReading> {
        let _ = (endpoint, data);
        Vec::new()
    }
}

/// Default timeout for single reads.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_millis(500);

/// A protocol without identify step or handshake: the handler is built from the definition.
/// Most protocols are one `pub static PROTOCOL: SimpleProtocol`.
pub struct SimpleProtocol {
    id: &'static str,
    build: fn(&DeviceDefinition) -> Box<dyn ProtocolHandler>,
}

impl SimpleProtocol {
    /// A protocol with this id whose handler `build` makes.
    pub const fn new(
        id: &'static str,
        build: fn(&DeviceDefinition) -> Box<dyn ProtocolHandler>,
    ) -> Self {
        SimpleProtocol { id, build }
    }
}

impl Debug for SimpleProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimpleProtocol")
            .field("id", &self.id)
            .finish()
    }
}

#[async_trait]
impl Protocol for SimpleProtocol {
    fn id(&self) -> &'static str {
        self.id
    }

    async fn initialize(
        &self,
        _hardware: &dyn Hardware,
        definition: &DeviceDefinition,
    ) -> Result<Box<dyn ProtocolHandler>, DeviceError> {
        Ok((self.build)(definition))
    }
}

/// Run `future` with a timeout; the devices layer's one timer (no runtime needed).
///
/// # Errors
/// [`HardwareError::Timeout`] when the timeout elapses first.
pub async fn with_timeout<T>(
    after: Duration,
    future: impl std::future::Future<Output = T>,
) -> Result<T, HardwareError> {
    use futures::FutureExt;
    let timer = async_io::Timer::after(after).fuse();
    let future = future.fuse();
    futures::pin_mut!(timer, future);
    futures::select! {
        v = future => Ok(v),
        _ = timer => Err(HardwareError::Timeout { after }),
    }
}

/// Sleep without a runtime (async-io's timer thread).
pub async fn sleep(duration: Duration) {
    async_io::Timer::after(duration).await;
}

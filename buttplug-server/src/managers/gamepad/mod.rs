//! Gamepads with rumble motors as vibrators (feature `gamepad`; the engine's
//! `--use-sdl-gamepad` and its alias `--use-xinput`).
//!
//! - **How it finds pads:** while scanning it asks its [`GamepadBackend`] for the pads present
//!   every second (hot-plug by polling): a new pad with rumble is reported, a pad that is no
//!   longer listed is disconnected (the server removes its device), and a pad plugged in again
//!   is reported again. Every pad is reported with the `sdl-gamepad` specifier, so the
//!   `sdl-gamepad` protocol drives it, whatever the flag that started the manager.
//! - **Names and configurations:** the device address is `sdl-gamepad-<id>` with the backend's
//!   stable pad id. The configuration follows the pad's motors, as in the v5 database: main and
//!   trigger rumble select `__sdl-rumble-and-triggers` (four motors), trigger rumble alone
//!   `__sdl-triggers-only`, main rumble alone the protocol defaults ("SDL Gamepad", two motors);
//!   a pad without rumble is not reported. The identifier reaches the protocol as the
//!   hardware's name (the protocol identifies devices by name), so a main-rumble pad is
//!   identified by its own name and gets the defaults.
//! - **Rumble:** the protocol writes one 8-byte packet to `tx`, four little-endian `u16` slots
//!   `[low, high, left trigger, right trigger]` ([`Rumble::from_packet`]); each packet becomes
//!   one [`GamepadHandle::set_rumble`] call with the four values unchanged. A packet that
//!   drives a motor the pad does not have is refused. Disconnecting the device writes zeros
//!   first; dropping it closes the pad (which stops what the backend was playing).
//! - **Backends:** on Linux [`default_backend`] is the evdev force-feedback backend
//!   ([`evdev`] module: `FF_RUMBLE` effects on `/dev/input/event*`, which needs read-write
//!   access to the pad's event node, e.g. the `input` group or a udev `uaccess` rule; no trigger
//!   rumble, which evdev does not expose). Elsewhere (Windows, macOS) no backend is built yet
//!   and the manager reports itself unavailable. Tests and out-of-tree code can plug in their
//!   own backend with [`GamepadManagerBuilder::backend`].
//! - **Not supported:** battery reads (the database's battery feature fails to read), trigger
//!   rumble on Linux.

#[cfg(target_os = "linux")]
pub mod evdev;

use crate::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use crate::managers::hardware_events::{EventHub, ReadyConnector, check_endpoint};
use crate::managers::timed_retry::{
    DEFAULT_RESCAN_INTERVAL, InUse, RetryScanner, TimedRetryManager, report_device,
};
use crate::rt;
use async_trait::async_trait;
use buttplug_devices::config::CommunicationSpecifier;
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::stream::BoxStream;
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The manager name.
pub const GAMEPAD_MANAGER_NAME: &str = "gamepad";

/// The start of every pad's address (`sdl-gamepad-<id>`, as upstream names SDL pads).
pub const GAMEPAD_ADDRESS_PREFIX: &str = "sdl-gamepad-";

/// The identifier of the `sdl-gamepad` configuration with main and trigger rumble.
pub const RUMBLE_AND_TRIGGERS_IDENTIFIER: &str = "__sdl-rumble-and-triggers";

/// The identifier of the `sdl-gamepad` configuration with trigger rumble only.
pub const TRIGGERS_ONLY_IDENTIFIER: &str = "__sdl-triggers-only";

/// Length of a rumble packet of the `sdl-gamepad` protocol.
pub const RUMBLE_PACKET_LEN: usize = 8;

/// What went wrong with a gamepad.
#[derive(Debug, thiserror::Error)]
pub enum GamepadError {
    /// Gamepads cannot be reached on this machine (no backend, no input devices).
    #[error("no gamepad access: {0}")]
    Unavailable(String),
    /// The pad is gone (unplugged, or closed).
    #[error("the gamepad is gone")]
    Gone,
    /// A rumble packet of the wrong length.
    #[error("a rumble packet has {RUMBLE_PACKET_LEN} bytes, not {0}")]
    BadPacket(usize),
    /// A packet drives motors the pad does not have.
    #[error("the gamepad has no {0}")]
    NoSuchMotor(&'static str),
    /// The operating system refused an operation.
    #[error("gamepad I/O failed: {0}")]
    Io(#[from] std::io::Error),
}

/// One pad as a backend's scan lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PadInfo {
    /// An id that stays the same while the pad is plugged in and, where the backend can tell,
    /// across replugs (the address is built from it).
    pub id: String,
    /// The pad's own name (`"Xbox Wireless Controller"`).
    pub name: String,
    /// Whether it has the two main rumble motors (low and high frequency).
    pub rumble: bool,
    /// Whether it has trigger rumble motors.
    pub trigger_rumble: bool,
}

impl PadInfo {
    /// The device address: `sdl-gamepad-<id>`.
    pub fn address(&self) -> String {
        format!("{GAMEPAD_ADDRESS_PREFIX}{}", self.id)
    }

    /// The database identifier its motors select (`None`: the protocol defaults, two main
    /// motors).
    pub fn identifier(&self) -> Option<&'static str> {
        match (self.rumble, self.trigger_rumble) {
            (true, true) => Some(RUMBLE_AND_TRIGGERS_IDENTIFIER),
            (false, true) => Some(TRIGGERS_ONLY_IDENTIFIER),
            _ => None,
        }
    }

    /// Whether the pad has any rumble motor (pads without are not reported).
    pub fn can_rumble(&self) -> bool {
        self.rumble || self.trigger_rumble
    }
}

/// The strength of every rumble motor, `0..=65535` each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rumble {
    /// Low-frequency (strong, heavy) main motor.
    pub low: u16,
    /// High-frequency (weak, light) main motor.
    pub high: u16,
    /// Left trigger motor.
    pub left_trigger: u16,
    /// Right trigger motor.
    pub right_trigger: u16,
}

impl Rumble {
    /// Every motor off.
    pub const OFF: Rumble = Rumble {
        low: 0,
        high: 0,
        left_trigger: 0,
        right_trigger: 0,
    };

    /// The motors of one `sdl-gamepad` packet: four little-endian `u16` slots
    /// `[low, high, left trigger, right trigger]`.
    ///
    /// # Errors
    /// [`GamepadError::BadPacket`] unless `data` has exactly [`RUMBLE_PACKET_LEN`] bytes.
    pub fn from_packet(data: &[u8]) -> Result<Self, GamepadError> {
        let slots: &[u8; RUMBLE_PACKET_LEN] = data
            .try_into()
            .map_err(|_| GamepadError::BadPacket(data.len()))?;
        let slot = |i: usize| u16::from_le_bytes([slots[2 * i], slots[2 * i + 1]]);
        Ok(Rumble {
            low: slot(0),
            high: slot(1),
            left_trigger: slot(2),
            right_trigger: slot(3),
        })
    }

    /// Whether every motor is off.
    pub fn is_off(&self) -> bool {
        *self == Rumble::OFF
    }

    /// `Ok` when every running motor exists on `pad`.
    ///
    /// # Errors
    /// [`GamepadError::NoSuchMotor`] naming the first missing pair.
    pub fn check_fits(&self, pad: &PadInfo) -> Result<(), GamepadError> {
        if !pad.rumble && (self.low != 0 || self.high != 0) {
            return Err(GamepadError::NoSuchMotor("main rumble"));
        }
        if !pad.trigger_rumble && (self.left_trigger != 0 || self.right_trigger != 0) {
            return Err(GamepadError::NoSuchMotor("trigger rumble"));
        }
        Ok(())
    }
}

/// Where pads come from: the platform's input API, or a fake in tests. Its calls may block;
/// the manager makes them on blocking threads.
pub trait GamepadBackend: Send + Sync + Debug + 'static {
    /// The hot-plug scan: every pad present now.
    ///
    /// # Errors
    /// [`GamepadError::Unavailable`] when pads cannot be listed on this machine.
    fn pads(&self) -> Result<Vec<PadInfo>, GamepadError>;

    /// Open a listed pad for rumble.
    ///
    /// # Errors
    /// The pad is gone or cannot be opened.
    fn open(&self, pad: &PadInfo) -> Result<Box<dyn GamepadHandle>, GamepadError>;
}

/// An open pad. Dropping it closes the pad and stops its rumble.
pub trait GamepadHandle: Send + Debug {
    /// Set every motor's strength (held until the next call).
    ///
    /// # Errors
    /// [`GamepadError::Gone`] or an I/O error when the pad cannot be driven any more.
    fn set_rumble(&mut self, rumble: Rumble) -> Result<(), GamepadError>;
}

/// The backend of this platform: evdev force feedback on Linux; elsewhere one that reports
/// gamepads unavailable.
pub fn default_backend() -> Arc<dyn GamepadBackend> {
    #[cfg(target_os = "linux")]
    {
        Arc::new(evdev::EvdevBackend::new())
    }
    #[cfg(not(target_os = "linux"))]
    {
        Arc::new(NoBackend)
    }
}

/// Gamepads on a platform without a backend.
#[cfg(not(target_os = "linux"))]
#[derive(Debug)]
struct NoBackend;

#[cfg(not(target_os = "linux"))]
impl GamepadBackend for NoBackend {
    fn pads(&self) -> Result<Vec<PadInfo>, GamepadError> {
        Err(GamepadError::Unavailable(
            "gamepads are only supported on Linux in this build".into(),
        ))
    }

    fn open(&self, _pad: &PadInfo) -> Result<Box<dyn GamepadHandle>, GamepadError> {
        Err(GamepadError::Gone)
    }
}

/// Builder of the gamepad manager.
#[derive(Debug, Clone)]
#[must_use]
pub struct GamepadManagerBuilder {
    backend: Arc<dyn GamepadBackend>,
    rescan_interval: Duration,
}

impl Default for GamepadManagerBuilder {
    fn default() -> Self {
        GamepadManagerBuilder {
            backend: default_backend(),
            rescan_interval: DEFAULT_RESCAN_INTERVAL,
        }
    }
}

impl GamepadManagerBuilder {
    /// A manager over the platform's backend ([`default_backend`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Use another backend (a fake one in tests).
    pub fn backend(mut self, backend: Arc<dyn GamepadBackend>) -> Self {
        self.backend = backend;
        self
    }

    /// How often pads are listed while scanning (default 1 s).
    pub fn rescan_interval(mut self, interval: Duration) -> Self {
        self.rescan_interval = interval;
        self
    }
}

impl DeviceCommunicationManagerBuilder for GamepadManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        Box::new(TimedRetryManager::new(GamepadScanner {
            backend: self.backend,
            interval: self.rescan_interval,
            events,
            in_use: InUse::default(),
        }))
    }
}

#[derive(Debug)]
struct GamepadScanner {
    backend: Arc<dyn GamepadBackend>,
    interval: Duration,
    events: CommunicationEventSender,
    /// Pads handed out, by address.
    in_use: InUse,
}

fn unavailable(e: GamepadError) -> CommunicationError {
    match e {
        GamepadError::Unavailable(reason) => CommunicationError::Unavailable {
            manager: GAMEPAD_MANAGER_NAME,
            reason,
        },
        other => CommunicationError::Failed {
            manager: GAMEPAD_MANAGER_NAME,
            reason: other.to_string(),
        },
    }
}

/// One pass on a blocking thread: the pads present, and the new ones opened.
type Pass = (Vec<(PadInfo, Box<dyn GamepadHandle>)>, BTreeSet<String>);

fn list_and_open(
    backend: &dyn GamepadBackend,
    taken: &BTreeSet<String>,
) -> Result<Pass, GamepadError> {
    let pads = backend.pads()?;
    let present = pads.iter().map(PadInfo::address).collect();
    let mut opened = Vec::new();
    for pad in pads {
        if !pad.can_rumble() || taken.contains(&pad.address()) {
            continue;
        }
        match backend.open(&pad) {
            Ok(handle) => opened.push((pad, handle)),
            Err(e) => tracing::info!(name = %pad.name, id = %pad.id, "gamepad not opened: {e}"),
        }
    }
    Ok((opened, present))
}

#[async_trait]
impl RetryScanner for GamepadScanner {
    fn name(&self) -> &'static str {
        GAMEPAD_MANAGER_NAME
    }

    fn rescan_interval(&self) -> Duration {
        self.interval
    }

    async fn scan(&self) -> Result<(), CommunicationError> {
        let backend = self.backend.clone();
        let taken = self.in_use.addresses();
        let (opened, present) = rt::spawn_blocking(move || list_and_open(&*backend, &taken))
            .await
            .map_err(unavailable)?;
        // Unplugged pads: disconnected, so the server removes their devices.
        self.in_use.forget_gone(|address| present.contains(address));
        for (pad, handle) in opened {
            let hardware = GamepadHardware::new(pad.clone(), handle);
            self.in_use.insert(pad.address(), &hardware.hub);
            let connector = ReadyConnector::new(CommunicationSpecifier::SdlGamepad, hardware);
            report_device(
                &self.events,
                pad.name.clone(),
                pad.address(),
                Box::new(connector),
            )
            .await?;
        }
        Ok(())
    }
}

/// An open pad as [`Hardware`]: `tx` takes the protocol's rumble packets.
struct GamepadHardware {
    pad: PadInfo,
    /// What identification sees as the name: the configuration identifier, else the pad name.
    name: String,
    address: String,
    handle: Arc<Mutex<Option<Box<dyn GamepadHandle>>>>,
    hub: Arc<EventHub>,
}

impl Debug for GamepadHardware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GamepadHardware")
            .field("pad", &self.pad)
            .field("address", &self.address)
            .finish()
    }
}

impl GamepadHardware {
    fn new(pad: PadInfo, handle: Box<dyn GamepadHandle>) -> Self {
        let name = pad
            .identifier()
            .map_or_else(|| pad.name.clone(), str::to_string);
        GamepadHardware {
            address: pad.address(),
            name,
            pad,
            handle: Arc::new(Mutex::new(Some(handle))),
            hub: Arc::new(EventHub::default()),
        }
    }

    /// Drive the pad on a blocking thread; a failure means the pad is gone.
    async fn rumble(&self, rumble: Rumble) -> Result<(), HardwareError> {
        let handle = self.handle.clone();
        let r = rt::spawn_blocking(move || match crate::sync::lock(&handle).as_mut() {
            Some(h) => h.set_rumble(rumble),
            None => Err(GamepadError::Gone),
        })
        .await;
        r.map_err(|e| {
            tracing::info!(address = %self.address, "gamepad rumble failed: {e}");
            self.hub.disconnected();
            crate::sync::lock(&self.handle).take();
            match e {
                GamepadError::Gone => HardwareError::Disconnected,
                other => HardwareError::Transport {
                    message: other.to_string(),
                },
            }
        })
    }
}

#[async_trait]
impl Hardware for GamepadHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.address
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::Tx]
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        _write_with_response: bool,
    ) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Tx)?;
        self.hub.check_connected()?;
        let refused = |e: GamepadError| HardwareError::Transport {
            message: e.to_string(),
        };
        let rumble = Rumble::from_packet(data).map_err(refused)?;
        rumble.check_fits(&self.pad).map_err(refused)?;
        self.rumble(rumble).await
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        if self.hub.is_connected() {
            // Best effort: a pad that is already gone has stopped anyway.
            let _ = self.rumble(Rumble::OFF).await;
        }
        crate::sync::lock(&self.handle).take();
        self.hub.disconnected();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.hub.stream()
    }
}

impl Drop for GamepadHardware {
    fn drop(&mut self) {
        self.hub.disconnected();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails
mod tests {
    use super::*;

    fn pad(rumble: bool, trigger_rumble: bool) -> PadInfo {
        PadInfo {
            id: "7".into(),
            name: "Test Pad".into(),
            rumble,
            trigger_rumble,
        }
    }

    #[test]
    fn a_packet_is_four_little_endian_slots() {
        let r = Rumble::from_packet(&[0x00, 0x80, 0xff, 0x7f, 0x01, 0x00, 0x34, 0x12]).unwrap();
        assert_eq!(
            r,
            Rumble {
                low: 0x8000,
                high: 0x7fff,
                left_trigger: 1,
                right_trigger: 0x1234,
            }
        );
        assert!(Rumble::from_packet(&[0; 8]).unwrap().is_off());
        for len in [0, 4, 7, 9] {
            assert!(matches!(
                Rumble::from_packet(&vec![0; len]),
                Err(GamepadError::BadPacket(l)) if l == len
            ));
        }
    }

    #[test]
    fn motors_select_the_configuration() {
        assert_eq!(
            pad(true, true).identifier(),
            Some(RUMBLE_AND_TRIGGERS_IDENTIFIER)
        );
        assert_eq!(
            pad(false, true).identifier(),
            Some(TRIGGERS_ONLY_IDENTIFIER)
        );
        assert_eq!(pad(true, false).identifier(), None);
        assert!(!pad(false, false).can_rumble());
        assert_eq!(pad(true, false).address(), "sdl-gamepad-7");
    }

    #[test]
    fn a_packet_must_fit_the_motors() {
        let main = Rumble {
            high: 1,
            ..Rumble::OFF
        };
        let trigger = Rumble {
            left_trigger: 1,
            ..Rumble::OFF
        };
        assert!(main.check_fits(&pad(true, false)).is_ok());
        assert!(matches!(
            trigger.check_fits(&pad(true, false)),
            Err(GamepadError::NoSuchMotor("trigger rumble"))
        ));
        assert!(matches!(
            main.check_fits(&pad(false, true)),
            Err(GamepadError::NoSuchMotor("main rumble"))
        ));
        assert!(Rumble::OFF.check_fits(&pad(false, true)).is_ok());
    }

    /// Logs every call; fails with [`GamepadError::Gone`] once `fail` is set.
    #[derive(Debug)]
    struct Logged {
        log: Arc<Mutex<Vec<Option<Rumble>>>>,
        fail: Arc<std::sync::atomic::AtomicBool>,
    }

    impl GamepadHandle for Logged {
        fn set_rumble(&mut self, rumble: Rumble) -> Result<(), GamepadError> {
            if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(GamepadError::Gone);
            }
            self.log.lock().unwrap().push(Some(rumble));
            Ok(())
        }
    }

    impl Drop for Logged {
        fn drop(&mut self) {
            self.log.lock().unwrap().push(None);
        }
    }

    type Log = Arc<Mutex<Vec<Option<Rumble>>>>;

    fn hardware(p: PadInfo) -> (GamepadHardware, Log, Arc<std::sync::atomic::AtomicBool>) {
        let log = Log::default();
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let handle = Logged {
            log: log.clone(),
            fail: fail.clone(),
        };
        (GamepadHardware::new(p, Box::new(handle)), log, fail)
    }

    #[test]
    fn the_hardware_passes_fitting_packets_and_refuses_the_rest() {
        rt::block_on(async {
            let (hw, log, _) = hardware(pad(true, false));
            assert_eq!(hw.name(), "Test Pad");
            assert_eq!(hw.address(), "sdl-gamepad-7");
            hw.write(Endpoint::Tx, &[0x00, 0x80, 0x01, 0x00, 0, 0, 0, 0], false)
                .await
                .unwrap();
            let packets: [&[u8]; 3] = [&[0; 4], &[0; 9], &[0, 0, 0, 0, 1, 0, 0, 0]];
            for bad in packets {
                assert!(matches!(
                    hw.write(Endpoint::Tx, bad, false).await,
                    Err(HardwareError::Transport { .. })
                ));
            }
            assert!(matches!(
                hw.write(Endpoint::Rx, &[0; 8], false).await,
                Err(HardwareError::NoEndpoint {
                    endpoint: Endpoint::Rx
                })
            ));
            let expected = Rumble {
                low: 0x8000,
                high: 1,
                ..Rumble::OFF
            };
            assert_eq!(*log.lock().unwrap(), vec![Some(expected)]);
            // Disconnecting stops the motors, then closes the pad.
            hw.disconnect().await.unwrap();
            assert_eq!(
                *log.lock().unwrap(),
                vec![Some(expected), Some(Rumble::OFF), None]
            );
            assert!(matches!(
                hw.write(Endpoint::Tx, &[0; 8], false).await,
                Err(HardwareError::Disconnected)
            ));
        });
    }

    #[test]
    fn a_pad_that_fails_is_disconnected_and_closed() {
        rt::block_on(async {
            use futures::StreamExt;
            let (hw, log, fail) = hardware(pad(true, true));
            assert_eq!(hw.name(), RUMBLE_AND_TRIGGERS_IDENTIFIER);
            let mut events = hw.event_stream();
            fail.store(true, std::sync::atomic::Ordering::SeqCst);
            assert!(matches!(
                hw.write(Endpoint::Tx, &[0, 0, 0, 0, 0, 0, 1, 0], false)
                    .await,
                Err(HardwareError::Disconnected)
            ));
            assert_eq!(events.next().await, Some(HardwareEvent::Disconnected));
            assert_eq!(*log.lock().unwrap(), vec![None]);
        });
    }
}

//! The Linux gamepad backend: evdev force feedback (the `evdev` crate, pure Rust).
//!
//! - **Scan:** every `/dev/input/event*` node that offers `FF_RUMBLE` and has gamepad or joystick
//!   buttons ([`is_rumble_pad`]) is a pad with main rumble (evdev has no trigger rumble). Nodes are opened
//!   read-write, which rumble needs; a rumble pad that can only be opened read-only is logged
//!   once and skipped (give the user the `input` group or a udev `uaccess` rule).
//! - **Id:** the node's unique id (Bluetooth pads: the MAC address) when it has one, else its
//!   physical path (the USB port), else vendor/product and node name: stable across replugs
//!   into the same port.
//! - **Rumble:** one `FF_RUMBLE` effect per open pad, strong motor = low frequency, weak motor =
//!   high frequency (as SDL maps them). A change updates the effect and plays it; all zeros
//!   stops it. Effects have a finite length ([`EFFECT_LENGTH_MS`]), so a running rumble is
//!   played again every [`REARM_INTERVAL`] by a small thread per pad. Closing the pad removes
//!   the effect, which stops it.

use super::{GamepadBackend, GamepadError, GamepadHandle, PadInfo, Rumble};
use evdev::{
    Device, FFEffect, FFEffectCode, FFEffectData, FFEffectKind, FFReplay, FFTrigger, KeyCode,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Where input device nodes live.
pub const INPUT_DIR: &str = "/dev/input";

/// How long one play of the rumble effect lasts (the kernel's field is a `u16` of ms).
pub const EFFECT_LENGTH_MS: u16 = 30_000;

/// How often a running rumble is played again, well inside [`EFFECT_LENGTH_MS`].
pub const REARM_INTERVAL: Duration = Duration::from_secs(20);

/// The force-feedback effect for a rumble: main motors only (evdev has no trigger motors).
pub fn rumble_effect(rumble: Rumble) -> FFEffectData {
    FFEffectData {
        direction: 0,
        trigger: FFTrigger {
            button: 0,
            interval: 0,
        },
        replay: FFReplay {
            length: EFFECT_LENGTH_MS,
            delay: 0,
        },
        kind: FFEffectKind::Rumble {
            strong_magnitude: rumble.low,
            weak_magnitude: rumble.high,
        },
    }
}

/// A pad's id from what its node tells (see the module docs).
pub fn pad_id(
    uniq: Option<&str>,
    phys: Option<&str>,
    vendor_product: (u16, u16),
    node: &str,
) -> String {
    let present = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    present(uniq)
        .or_else(|| present(phys))
        .unwrap_or_else(|| format!("{:04x}:{:04x}-{node}", vendor_product.0, vendor_product.1))
}

/// The evdev backend.
#[derive(Debug, Default)]
pub struct EvdevBackend {
    /// Node of each pad id, from the latest scan.
    nodes: Mutex<BTreeMap<String, PathBuf>>,
    /// Read-only rumble nodes already logged.
    logged: Mutex<BTreeSet<PathBuf>>,
}

impl EvdevBackend {
    /// A backend over [`INPUT_DIR`].
    pub fn new() -> Self {
        Self::default()
    }
}

/// Whether a node is a pad the manager can drive: `FF_RUMBLE`, and gamepad (`BTN_SOUTH`) or
/// joystick (`BTN_TRIGGER`) buttons, so that rumble-capable keyboards or mice are left alone.
pub fn is_rumble_pad(ff_rumble: bool, has_key: impl Fn(KeyCode) -> bool) -> bool {
    ff_rumble && (has_key(KeyCode::BTN_SOUTH) || has_key(KeyCode::BTN_TRIGGER))
}

fn device_is_rumble_pad(device: &Device) -> bool {
    let rumble = device
        .supported_ff()
        .is_some_and(|ff| ff.contains(FFEffectCode::FF_RUMBLE));
    is_rumble_pad(rumble, |key| {
        device
            .supported_keys()
            .is_some_and(|keys| keys.contains(key))
    })
}

fn open_node(path: &Path, write: bool) -> std::io::Result<Device> {
    let file = OpenOptions::new().read(true).write(write).open(path)?;
    Device::from_fd(file.into())
}

impl GamepadBackend for EvdevBackend {
    fn pads(&self) -> Result<Vec<PadInfo>, GamepadError> {
        let entries = std::fs::read_dir(INPUT_DIR)
            .map_err(|e| GamepadError::Unavailable(format!("cannot list {INPUT_DIR}: {e}")))?;
        let mut nodes = BTreeMap::new();
        let mut pads = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let node = entry.file_name().to_string_lossy().into_owned();
            if !node.starts_with("event") {
                continue;
            }
            let device = match open_node(&path, true) {
                Ok(d) => d,
                Err(e) => {
                    if open_node(&path, false).is_ok_and(|d| device_is_rumble_pad(&d))
                        && crate::sync::lock(&self.logged).insert(path.clone())
                    {
                        tracing::info!(
                            "{}: a rumble gamepad, but it cannot be opened for writing ({e}); \
                             rumble needs write access to the node",
                            path.display()
                        );
                    }
                    continue;
                }
            };
            if !device_is_rumble_pad(&device) {
                continue;
            }
            let input = device.input_id();
            let mut id = pad_id(
                device.unique_name(),
                device.physical_path(),
                (input.vendor(), input.product()),
                &node,
            );
            if nodes.contains_key(&id) {
                id = format!("{id}-{node}");
            }
            let name = device.name().unwrap_or("Gamepad").to_string();
            nodes.insert(id.clone(), path);
            pads.push(PadInfo {
                id,
                name,
                rumble: true,
                trigger_rumble: false,
            });
        }
        *crate::sync::lock(&self.nodes) = nodes;
        Ok(pads)
    }

    fn open(&self, pad: &PadInfo) -> Result<Box<dyn GamepadHandle>, GamepadError> {
        let path = crate::sync::lock(&self.nodes)
            .get(&pad.id)
            .cloned()
            .ok_or(GamepadError::Gone)?;
        let mut device = open_node(&path, true)?;
        let effect = device.upload_ff_effect(rumble_effect(Rumble::OFF))?;
        Ok(Box::new(EvdevPad::start(effect, &path)?))
    }
}

/// The state shared with the re-arm thread.
#[derive(Debug)]
struct Shared {
    effect: Mutex<Option<FFEffect>>,
    current: Mutex<Rumble>,
    closed: Mutex<bool>,
    wake: Condvar,
}

/// An open pad: its effect and the thread that keeps a running rumble going.
#[derive(Debug)]
struct EvdevPad {
    shared: Arc<Shared>,
    rearm: Option<JoinHandle<()>>,
}

impl EvdevPad {
    fn start(effect: FFEffect, path: &Path) -> Result<Self, GamepadError> {
        let shared = Arc::new(Shared {
            effect: Mutex::new(Some(effect)),
            current: Mutex::new(Rumble::OFF),
            closed: Mutex::new(false),
            wake: Condvar::new(),
        });
        let thread_shared = shared.clone();
        let rearm = std::thread::Builder::new()
            .name(format!("gamepad-rumble {}", path.display()))
            .spawn(move || rearm_loop(&thread_shared))?;
        Ok(EvdevPad {
            shared,
            rearm: Some(rearm),
        })
    }
}

fn rearm_loop(shared: &Shared) {
    let mut closed = crate::sync::lock(&shared.closed);
    loop {
        let (guard, _) = shared
            .wake
            .wait_timeout(closed, REARM_INTERVAL)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        closed = guard;
        if *closed {
            return;
        }
        let running = !crate::sync::lock(&shared.current).is_off();
        if running {
            if let Some(effect) = crate::sync::lock(&shared.effect).as_mut() {
                if let Err(e) = effect.play(1) {
                    tracing::debug!("gamepad rumble re-arm failed: {e}");
                }
            }
        }
    }
}

impl GamepadHandle for EvdevPad {
    fn set_rumble(&mut self, rumble: Rumble) -> Result<(), GamepadError> {
        let mut effect = crate::sync::lock(&self.shared.effect);
        let effect = effect.as_mut().ok_or(GamepadError::Gone)?;
        if rumble.is_off() {
            effect.stop()?;
        } else {
            effect.update(rumble_effect(rumble))?;
            effect.play(1)?;
        }
        *crate::sync::lock(&self.shared.current) = rumble;
        Ok(())
    }
}

impl Drop for EvdevPad {
    fn drop(&mut self) {
        *crate::sync::lock(&self.shared.closed) = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.rearm.take() {
            let _ = t.join();
        }
        if let Some(mut effect) = crate::sync::lock(&self.shared.effect).take() {
            let _ = effect.stop();
            // Dropping the effect removes it from the device.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_frequency_is_the_strong_motor() {
        let r = Rumble {
            low: 32768,
            high: 1,
            left_trigger: 9,
            right_trigger: 9,
        };
        let data = rumble_effect(r);
        assert_eq!(
            data.kind,
            FFEffectKind::Rumble {
                strong_magnitude: 32768,
                weak_magnitude: 1
            }
        );
        assert_eq!(data.replay.length, EFFECT_LENGTH_MS);
        assert_eq!(data.replay.delay, 0);
        assert_eq!(FFEffectCode::from(data.kind), FFEffectCode::FF_RUMBLE);
        assert!(REARM_INTERVAL < Duration::from_millis(u64::from(EFFECT_LENGTH_MS)));
    }

    #[test]
    fn rumble_pads_are_gamepads_or_joysticks_with_ff_rumble() {
        let keys = |set: &'static [KeyCode]| move |k: KeyCode| set.contains(&k);
        assert!(is_rumble_pad(true, keys(&[KeyCode::BTN_SOUTH])));
        assert!(is_rumble_pad(true, keys(&[KeyCode::BTN_TRIGGER])));
        assert!(!is_rumble_pad(false, keys(&[KeyCode::BTN_SOUTH])));
        assert!(!is_rumble_pad(
            true,
            keys(&[KeyCode::KEY_A, KeyCode::BTN_LEFT])
        ));
    }

    #[test]
    fn ids_prefer_the_unique_id_then_the_port() {
        assert_eq!(
            pad_id(
                Some("a0:5a:5d:01:02:03"),
                Some("usb-1/input0"),
                (1, 2),
                "event3"
            ),
            "a0:5a:5d:01:02:03"
        );
        assert_eq!(
            pad_id(
                Some(" "),
                Some("usb-0000:00:14.0-2/input0"),
                (1, 2),
                "event3"
            ),
            "usb-0000:00:14.0-2/input0"
        );
        assert_eq!(
            pad_id(None, Some(""), (0x045e, 0x028e), "event3"),
            "045e:028e-event3"
        );
    }

    #[test]
    fn listing_without_input_nodes_is_unavailable() {
        // Here (CI, containers) /dev/input is usually missing: unavailable, not a failure.
        match EvdevBackend::new().pads() {
            Ok(pads) => println!("NOTE: {} rumble pad(s) on this machine", pads.len()),
            Err(e) => assert!(matches!(e, GamepadError::Unavailable(_)), "{e}"),
        }
    }
}

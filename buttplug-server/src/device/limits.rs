//! Safety limits in the device task: a cap on the level of each output and a maximum rise rate
//! (ramps), applied to every value before it reaches the protocol.
//!
//! Every output command of every client path (v0–v4 messages, legacy commands, whatever the
//! session translates) reaches the protocol through the device task's output path, so applying
//! the limits there means no path can exceed them. Stops are not limited: they write 0 at once
//! and end any ramp. A device without limits has no [`Limits`] at all (`None` in the task), so
//! its command path pays one branch.
//!
//! Units: a limit is a fraction of the output's hardware range. For a range `[a, b]` with
//! `a > 0` (a heater's `[37, 42]`) the span is `b - a` above the lowest setting `a`; otherwise
//! it is the largest magnitude (`20` for `[0, 20]` and for `[-20, 20]`). `max_level` f caps the
//! magnitude at `lo + floor(f * span)` (`f = 0`: off); `max_ramp` r allows a rise of `r * span`
//! steps per second.

use buttplug_core::OutputType;
use buttplug_devices::config::OutputLimits;
use buttplug_devices::{DeviceDefinition, OutputCommand};
use std::time::{Duration, Instant};

/// Shortest time between two ramp steps (the step size grows instead).
pub const RAMP_STEP_INTERVAL: Duration = Duration::from_millis(50);

/// Guard against `0.6 * 20 = 11.999…`-style rounding when turning a fraction into steps.
const EPSILON: f64 = 1e-9;

/// A ramp in progress: from the magnitude the output had to the target, at `rate` steps per
/// second since `since`.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    /// Magnitude the ramp started from (at least `lo - 1`, so the first step is `lo`).
    base: i32,
    /// Target value (signed).
    target: i32,
    since: Instant,
    /// When the next step is due.
    next: Instant,
}

/// The limits of one output, in hardware steps.
#[derive(Debug, Clone, Copy)]
struct OutputLimit {
    key: (u32, OutputType),
    /// Lowest non-zero magnitude of the range (0 unless the range starts above 0).
    lo: i32,
    /// Highest magnitude allowed.
    cap: i32,
    /// Steps per second (`None`: no ramp).
    rate: Option<f64>,
    /// Time between ramp steps.
    step: Duration,
    ramp: Option<Ramp>,
}

impl OutputLimit {
    fn clamp(&self, v: i32) -> i32 {
        v.clamp(-self.cap, self.cap)
    }

    /// The value of the ramp at `now`.
    fn ramp_value(&self, ramp: &Ramp, rate: f64, now: Instant) -> i32 {
        let elapsed = now.saturating_duration_since(ramp.since).as_secs_f64();
        let target = ramp.target.unsigned_abs().min(i32::MAX as u32) as i32;
        let risen = (rate * elapsed + EPSILON).floor().min(f64::from(i32::MAX)) as i32;
        let mag = ramp.base.saturating_add(risen).min(target);
        let mag = if mag > 0 && mag < self.lo {
            self.lo
        } else {
            mag
        };
        if ramp.target < 0 { -mag } else { mag }
    }
}

/// The limits of one device's outputs, with the ramps in progress. Built once per device; the
/// command path allocates nothing.
#[derive(Debug)]
pub(crate) struct Limits {
    outputs: Vec<OutputLimit>,
    /// Room for one ramp step per output (taken and given back around a write).
    scratch: Vec<OutputCommand>,
}

impl Limits {
    /// The limits of a device: each output's own limits (from the user config), else
    /// `defaults` (the server's), for every enabled output with a stop value. `None` when no
    /// output ends up limited. `gap` is the device's message gap (ramp steps never come faster).
    pub(crate) fn new(
        definition: &DeviceDefinition,
        own: &[(u32, OutputType, OutputLimits)],
        defaults: OutputLimits,
        gap: Option<Duration>,
    ) -> Option<Box<Limits>> {
        let mut outputs = Vec::new();
        for f in &definition.features {
            for o in f
                .outputs
                .iter()
                .filter(|o| o.output_type.has_stop_value() && !o.disabled)
            {
                let limits = own
                    .iter()
                    .find(|(i, t, _)| (*i, *t) == (f.index, o.output_type))
                    .map_or(defaults, |(_, _, l)| l.or(defaults));
                if limits.is_none() {
                    continue;
                }
                let (start, end) = (o.value.start, o.value.end);
                let hi = start
                    .unsigned_abs()
                    .max(end.unsigned_abs())
                    .min(i32::MAX as u32) as i32;
                let lo = if start > 0 { start } else { 0 };
                let span = f64::from(hi - lo);
                let cap = match limits.max_level() {
                    None => hi,
                    Some(l) if l <= 0.0 => 0,
                    Some(l) => lo + ((l * span + EPSILON).floor() as i32).min(hi - lo),
                };
                let rate = limits.max_ramp().map(|r| r * span).filter(|r| *r > 0.0);
                if cap >= hi && rate.is_none() {
                    continue;
                }
                let step = rate
                    .map(|r| Duration::from_secs_f64((1.0 / r).min(3600.0)))
                    .unwrap_or_default()
                    .max(RAMP_STEP_INTERVAL)
                    .max(gap.unwrap_or_default());
                outputs.push(OutputLimit {
                    key: (f.index, o.output_type),
                    lo,
                    cap,
                    rate,
                    step,
                    ramp: None,
                });
            }
        }
        if outputs.is_empty() {
            return None;
        }
        let scratch = Vec::with_capacity(outputs.len());
        Some(Box::new(Limits { outputs, scratch }))
    }

    /// Apply the limits to a command about to go to the protocol: clamp it to the cap and, for
    /// a rise faster than the ramp allows, start (or retarget) a ramp and hold the command.
    /// `last` is the value last written to the command's output. Returns whether the command is
    /// to be written now; a held command's output is advanced by [`Limits::take_due`].
    pub(crate) fn apply(
        &mut self,
        command: &mut OutputCommand,
        last: Option<i32>,
        now: Instant,
    ) -> bool {
        let key = (command.feature_index, command.output_type);
        let Some(l) = self.outputs.iter_mut().find(|l| l.key == key) else {
            return true;
        };
        command.value = l.clamp(command.value);
        if l.rate.is_none() {
            return true;
        }
        let target = command.value;
        let current = last.unwrap_or(0);
        let same_side = (target > 0) == (current > 0) && current != 0;
        if target == 0 || (same_side && target.abs() <= current.abs()) {
            // Lower or off: at once, and any ramp ends.
            l.ramp = None;
            return true;
        }
        if let Some(r) = &mut l.ramp {
            if (r.target > 0) == (target > 0) {
                // Same direction: keep the ramp's pace, aim it at the new target.
                r.target = target;
                return false;
            }
        }
        // A rise: ramp from where the output is (from off when it turns the other way).
        let from = if same_side { current.abs() } else { 0 };
        let ramp = Ramp {
            base: from.max(l.lo - 1),
            target,
            since: now,
            next: now,
        };
        l.ramp = Some(Ramp {
            next: now + l.step,
            ..ramp
        });
        if !same_side && current != 0 {
            // Turning the other way: off now, then up the other side.
            command.value = 0;
            return true;
        }
        false
    }

    /// When the next ramp step is due, if a ramp is running.
    pub(crate) fn next_step(&self) -> Option<Instant> {
        self.outputs
            .iter()
            .filter_map(|l| l.ramp.map(|r| r.next))
            .min()
    }

    /// The ramp steps due at `now`, as one change (ramps that reach their target end). The
    /// returned buffer must be handed back with [`Limits::give_back`].
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<OutputCommand> {
        let mut due = std::mem::take(&mut self.scratch);
        due.clear();
        for l in &mut self.outputs {
            let (Some(ramp), Some(rate)) = (l.ramp, l.rate) else {
                continue;
            };
            if ramp.next > now {
                continue;
            }
            let value = l.ramp_value(&ramp, rate, now);
            due.push(OutputCommand::new(l.key.0, l.key.1, value));
            l.ramp = (value != ramp.target).then_some(Ramp {
                next: now + l.step,
                ..ramp
            });
        }
        due
    }

    /// Return the buffer [`Limits::take_due`] lent.
    pub(crate) fn give_back(&mut self, scratch: Vec<OutputCommand>) {
        self.scratch = scratch;
    }

    /// End the ramps of one feature (`Some`) or of every feature (a stop).
    pub(crate) fn cancel(&mut self, feature: Option<u32>) {
        for l in &mut self.outputs {
            if feature.is_none_or(|f| f == l.key.0) {
                l.ramp = None;
            }
        }
    }
}

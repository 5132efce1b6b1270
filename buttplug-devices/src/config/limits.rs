//! Safety limits of an output: the highest level it may reach and how fast it may rise.
//!
//! They are set in the user device config (on a device's `user_config`, for all its outputs, and
//! on one output of a feature override, which wins) and by the server's global defaults; the
//! server enforces them on every value it hands a protocol (see `buttplug-server`'s device task).
//! They apply to outputs with a stop value (vibrate, rotate, oscillate, constrict, spray,
//! temperature, led), not to the position types, whose values are places, not intensities.

/// Why a limit value was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// `max_level` outside `0..=1` (or not a number).
    #[error("max_level must be a fraction of the output's range between 0 and 1, got {0}")]
    MaxLevel(f64),
    /// `max_ramp` not a positive, finite number.
    #[error("max_ramp must be a positive number of levels (full ranges) per second, got {0}")]
    MaxRamp(f64),
}

/// The safety limits of one output (or the defaults for every output of a device, or of every
/// device). Both are optional; build them with [`OutputLimits::new`], which checks them.
///
/// - `max_level`: the highest level, as a fraction of the output's hardware range (0.6 on a
///   0–20 vibrator: 12). Higher commands are clamped; 0 keeps the output off.
/// - `max_ramp`: the fastest rise, in levels (full ranges) per second (0.5: from off to full in
///   2 s). A command that rises faster is reached in steps the server writes on a timer; lower
///   commands and stops take effect at once.
///
/// ```
/// use buttplug_devices::config::OutputLimits;
///
/// let l = OutputLimits::new(Some(0.6), None)?;
/// assert_eq!(l.max_level(), Some(0.6));
/// assert!(OutputLimits::new(Some(1.5), None).is_err());
/// // Per field, the more specific setting wins.
/// let device = OutputLimits::new(None, Some(2.0))?;
/// assert_eq!(l.or(device), OutputLimits::new(Some(0.6), Some(2.0))?);
/// # Ok::<(), buttplug_devices::config::LimitError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputLimits {
    max_level: Option<f64>,
    max_ramp: Option<f64>,
}

impl OutputLimits {
    /// No limits.
    pub const NONE: OutputLimits = OutputLimits {
        max_level: None,
        max_ramp: None,
    };

    /// Limits from their values.
    ///
    /// # Errors
    /// [`LimitError::MaxLevel`] for a level outside `0..=1`, [`LimitError::MaxRamp`] for a ramp
    /// that is not a positive finite number.
    pub fn new(max_level: Option<f64>, max_ramp: Option<f64>) -> Result<Self, LimitError> {
        if let Some(l) = max_level {
            if !(0.0..=1.0).contains(&l) {
                return Err(LimitError::MaxLevel(l));
            }
        }
        if let Some(r) = max_ramp {
            if !(r.is_finite() && r > 0.0) {
                return Err(LimitError::MaxRamp(r));
            }
        }
        Ok(OutputLimits {
            max_level,
            max_ramp,
        })
    }

    /// The highest level, as a fraction of the range (`0..=1`).
    pub fn max_level(&self) -> Option<f64> {
        self.max_level
    }

    /// The fastest rise, in full ranges per second.
    pub fn max_ramp(&self) -> Option<f64> {
        self.max_ramp
    }

    /// Whether neither limit is set.
    pub fn is_none(&self) -> bool {
        self.max_level.is_none() && self.max_ramp.is_none()
    }

    /// These limits, with each one that is not set taken from `fallback`.
    #[must_use]
    pub fn or(self, fallback: OutputLimits) -> OutputLimits {
        OutputLimits {
            max_level: self.max_level.or(fallback.max_level),
            max_ramp: self.max_ramp.or(fallback.max_ramp),
        }
    }
}

impl PartialEq for OutputLimits {
    fn eq(&self, other: &Self) -> bool {
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        bits(self.max_level) == bits(other.max_level) && bits(self.max_ramp) == bits(other.max_ramp)
    }
}

// Equality compares bit patterns, which is reflexive (and `new` refuses NaN anyway).
impl Eq for OutputLimits {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_their_range_are_refused() {
        for l in [-0.1, 1.0001, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(
                    OutputLimits::new(Some(l), None),
                    Err(LimitError::MaxLevel(_))
                ),
                "{l}"
            );
        }
        for r in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(
                    OutputLimits::new(None, Some(r)),
                    Err(LimitError::MaxRamp(_))
                ),
                "{r}"
            );
        }
        assert!(OutputLimits::new(Some(0.0), Some(0.01)).is_ok());
        assert!(OutputLimits::new(Some(1.0), Some(1000.0)).is_ok());
    }
}

#[cfg(test)]
mod config_tests {
    use super::OutputLimits;
    use crate::config::{ConfigError, DeviceDatabase};
    use buttplug_core::OutputType;

    fn user(device: &str, output: &str) -> String {
        format!(
            r#"{{"version":{{"major":4,"minor":0}},"user_configs":{{"devices":[
            {{"identifier":{{"protocol":"lovense","identifier":"P","address":"a1"}},
              "config":{{"id":"i","base_id":"b","features":[{output}],
                "user_config":{{"index":0{device}}}}}}}]}}}}"#
        )
    }

    fn edge_feature(n: usize) -> String {
        let db = DeviceDatabase::builtin();
        let def = db.definition("lovense", Some("P"), "a1").expect("edge");
        def.features[n].id.clone()
    }

    #[test]
    fn device_and_output_limits_load_resolve_and_round_trip() -> Result<(), ConfigError> {
        let f1 = edge_feature(1);
        let text = user(
            r#","max_level":0.5,"max_ramp":2"#,
            &format!(r#"{{"id":"x","base_id":"{f1}","output":{{"vibrate":{{"max_level":0.8}}}}}}"#),
        );
        let db = DeviceDatabase::builtin().with_user_config(&text, "u")?;
        let def = db.definition("lovense", Some("P"), "a1").expect("edge");
        let limits = db.output_limits(&def, "a1", "lovense", Some("P"));
        let device = OutputLimits::new(Some(0.5), Some(2.0)).expect("valid");
        let own = OutputLimits::new(Some(0.8), Some(2.0)).expect("valid");
        assert_eq!(
            limits,
            vec![
                (0, OutputType::Vibrate, device),
                (1, OutputType::Vibrate, own)
            ]
        );
        // Another address has no entry, so no limits.
        assert!(
            db.output_limits(&def, "a2", "lovense", Some("P"))
                .is_empty()
        );
        // Saved and loaded again: the same limits.
        let again =
            DeviceDatabase::builtin().with_user_config(&db.to_user_config_json(), "saved")?;
        assert_eq!(
            again.output_limits(&def, "a1", "lovense", Some("P")),
            limits
        );
        Ok(())
    }

    #[test]
    fn out_of_range_limits_are_refused_with_their_place() {
        let f0 = edge_feature(0);
        let cases = [
            (
                user(r#","max_level":1.5"#, ""),
                "user_config.max_level",
                "between 0 and 1",
            ),
            (
                user(r#","max_ramp":0"#, ""),
                "user_config.max_ramp",
                "positive",
            ),
            (
                user(
                    "",
                    &format!(
                        r#"{{"id":"x","base_id":"{f0}","output":{{"vibrate":{{"max_level":-0.1}}}}}}"#
                    ),
                ),
                "output.vibrate.max_level",
                "between 0 and 1",
            ),
        ];
        for (text, path, message) in cases {
            match DeviceDatabase::builtin().with_user_config(&text, "u") {
                Err(ConfigError::Invalid {
                    path: p,
                    message: m,
                    ..
                }) => {
                    assert!(p.ends_with(path), "{p}");
                    assert!(m.contains(message), "{m}");
                }
                other => panic!("{path}: {other:?}"),
            }
        }
    }

    #[test]
    fn limits_on_a_position_output_are_refused() {
        let db = DeviceDatabase::builtin();
        let Some(def) = db.definition("kiiroo-v2", None, "a") else {
            panic!("no kiiroo-v2 defaults");
        };
        let f = def
            .features
            .iter()
            .find(|f| f.output(OutputType::HwPositionWithDuration).is_some())
            .expect("a stroker feature");
        let text = format!(
            r#"{{"version":{{"major":4,"minor":0}},"user_configs":{{"devices":[
            {{"identifier":{{"protocol":"kiiroo-v2","address":"a"}},
              "config":{{"id":"i","base_id":"b","features":[{{"id":"x","base_id":"{}",
                "output":{{"hw_position_with_duration":{{"max_level":0.5}}}}}}],
                "user_config":{{"index":0}}}}}}]}}}}"#,
            f.id
        );
        match db.with_user_config(&text, "u") {
            Err(ConfigError::Invalid { message, .. }) => {
                assert!(message.contains("stop value"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

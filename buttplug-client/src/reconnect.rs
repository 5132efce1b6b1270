//! When and how often a lost connection is re-dialed.

use std::time::Duration;

/// How a client re-dials a lost connection; see
/// [`ButtplugClientBuilder::reconnect`](crate::ButtplugClientBuilder::reconnect).
///
/// Attempt `n` (from 1) waits `initial_delay × 2^(n-1)`, at most `max_delay`, before dialing.
///
/// ```
/// use buttplug_client::ReconnectPolicy;
/// use std::time::Duration;
///
/// let policy = ReconnectPolicy::new()
///     .initial_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(1))
///     .max_attempts(Some(10));
/// let delays: Vec<u128> = (1..=6).map(|n| policy.delay(n).as_millis()).collect();
/// assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct ReconnectPolicy {
    /// Wait before the first attempt (default 250 ms).
    pub initial_delay: Duration,
    /// Longest wait between attempts (default 30 s).
    pub max_delay: Duration,
    /// Attempts before giving up (`None`, the default: never give up).
    pub max_attempts: Option<u32>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_attempts: None,
        }
    }
}

impl ReconnectPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wait before the first attempt.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Longest wait between attempts.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Attempts before giving up (`None`: never).
    pub fn max_attempts(mut self, attempts: Option<u32>) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The wait before attempt `attempt` (counted from 1).
    pub fn delay(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.initial_delay
            .checked_mul(1 << doublings)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

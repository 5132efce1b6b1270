//! The one place this crate touches the async runtime (async-std). Swapping runtimes (e.g. for
//! smol) means editing this file only.

use std::future::Future;
use std::time::Duration;

/// A spawned task; dropping it detaches the task (use [`Task::cancel`] to stop it).
pub(crate) type Task<T> = async_std::task::JoinHandle<T>;

/// Spawn a task on the runtime.
pub(crate) fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    async_std::task::spawn(future)
}

/// Run blocking work (serial I/O, file access) off the async threads.
#[allow(dead_code)] // used by the hardware managers behind features
pub(crate) fn spawn_blocking<F, T>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    async_std::task::spawn_blocking(f)
}

/// Sleep.
pub(crate) async fn sleep(duration: Duration) {
    async_std::task::sleep(duration).await;
}

type Sleep = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// A timer for a task loop whose deadline may change between turns: kept (not rebuilt) while
/// the deadline stays the same, so a loop that polls it every turn registers one timer.
#[derive(Default)]
pub(crate) struct DeadlineTimer {
    armed: Option<(std::time::Instant, Sleep)>,
}

impl DeadlineTimer {
    /// Aim at `deadline` (`None`: never fires).
    pub(crate) fn set(&mut self, deadline: Option<std::time::Instant>) {
        match (deadline, &self.armed) {
            (None, _) => self.armed = None,
            (Some(at), Some((current, _))) if *current == at => {}
            (Some(at), _) => {
                let sleep = sleep(at.saturating_duration_since(std::time::Instant::now()));
                self.armed = Some((at, Box::pin(sleep)));
            }
        }
    }

    /// Whether the deadline has passed; registers the waker otherwise. A timer that fired stays
    /// fired until [`DeadlineTimer::set`] aims it again.
    pub(crate) fn poll_expired(&mut self, cx: &mut std::task::Context<'_>) -> bool {
        self.armed
            .as_mut()
            .is_some_and(|(_, sleep)| sleep.as_mut().poll(cx).is_ready())
    }

    /// Forget the deadline, so the next [`DeadlineTimer::set`] arms a new timer even for the
    /// same instant.
    pub(crate) fn reset(&mut self) {
        self.armed = None;
    }
}

/// Move ready items from `poll` into `batch` until it holds `limit` or nothing more is ready
/// (the waker is then registered). Returns whether the source has ended.
pub(crate) fn take_ready<T>(
    batch: &mut Vec<T>,
    limit: usize,
    mut poll: impl FnMut() -> std::task::Poll<Option<T>>,
) -> bool {
    while batch.len() < limit {
        match poll() {
            std::task::Poll::Ready(Some(item)) => batch.push(item),
            std::task::Poll::Ready(None) => return true,
            std::task::Poll::Pending => break,
        }
    }
    false
}

/// Let the other ready tasks run before continuing.
pub(crate) async fn yield_now() {
    async_std::task::yield_now().await;
}

/// Block the current thread on a future (for `main` and synchronous callers).
pub fn block_on<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// TCP listener type of the runtime.
#[allow(dead_code)] // used by the network managers behind features
pub(crate) type TcpListener = async_std::net::TcpListener;

/// TCP stream type of the runtime.
#[allow(dead_code)]
pub(crate) type TcpStream = async_std::net::TcpStream;

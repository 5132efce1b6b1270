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

/// A boxed sleep that can be kept and polled repeatedly (e.g. a session's ping deadline).
pub(crate) type Sleep = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// A [`Sleep`] that ends at `deadline` (at once if it has passed).
pub(crate) fn sleep_until(deadline: std::time::Instant) -> Sleep {
    Box::pin(sleep(
        deadline.saturating_duration_since(std::time::Instant::now()),
    ))
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

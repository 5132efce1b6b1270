//! The one place this crate touches the async runtime (async-std). Swapping runtimes (e.g. for
//! smol) means editing this file only.

use std::future::Future;
use std::time::Duration;

/// Spawn a task. Tasks of this crate end on their own when the channels they serve close; the
/// accept loop is additionally wrapped in an abort handle owned by the transport.
pub(crate) fn spawn<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    drop(async_std::task::spawn(future));
}

/// Sleep.
pub(crate) async fn sleep(duration: Duration) {
    async_std::task::sleep(duration).await;
}

/// Run `future`, giving up after `duration`.
pub(crate) async fn timeout<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    async_std::future::timeout(duration, future).await.ok()
}

/// TCP listener type of the runtime.
pub(crate) type TcpListener = async_std::net::TcpListener;
/// TCP stream type of the runtime.
pub(crate) type TcpStream = async_std::net::TcpStream;

//! The one place this crate touches the async runtime (async-std).

use std::future::Future;
use std::time::Duration;

/// Spawn a detached task.
pub(crate) fn spawn<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    async_std::task::spawn(future);
}

/// Sleep.
pub(crate) async fn sleep(duration: Duration) {
    async_std::task::sleep(duration).await;
}

/// Run `future`, giving up after `duration`.
pub(crate) async fn timeout<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    async_std::future::timeout(duration, future).await.ok()
}

pub(crate) type TcpListener = async_std::net::TcpListener;
pub(crate) type TcpStream = async_std::net::TcpStream;

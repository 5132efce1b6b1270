//! The one place this crate touches the async runtime (async-std).

use std::future::Future;
use std::time::Duration;

/// Spawn a task.
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

/// TCP listener type of the runtime.
pub(crate) type TcpListener = async_std::net::TcpListener;

//! The one place the CLI touches the async runtime (async-std).

use std::future::Future;

/// Run a future to completion on the runtime.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// Spawn a task.
pub(crate) fn spawn<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    async_std::task::spawn(future);
}

/// TCP stream type.
pub(crate) type TcpStream = async_std::net::TcpStream;

/// Sleep.
pub(crate) async fn sleep(duration: std::time::Duration) {
    async_std::task::sleep(duration).await;
}

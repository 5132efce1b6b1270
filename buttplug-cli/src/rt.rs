//! The one place the CLI touches the async runtime (async-std).

use std::future::Future;

/// Executor threads the tasks run on unless `ASYNC_STD_THREAD_COUNT` says otherwise.
///
/// One: a command crosses tasks (the connection's session task, then the device task), and on a
/// multi-threaded executor nearly every hop wakes a parked thread. Measured with
/// `examples/bench_serve.rs` (10 simulated devices, one WebSocket client) when a command still
/// crossed four tasks, one thread cut the server's CPU per command from about 9 to 5 µs with 64
/// commands in flight and from about 70 to 18 µs with one in flight, at the same throughput.
/// Blocking work (serial, USB, HID enumeration) runs on the separate blocking pool and btleplug
/// on its own thread, so nothing blocks it.
pub(crate) const EXECUTOR_THREADS: usize = 1;

/// Configure the executor. Call first thing in `main`, before anything is spawned.
pub(crate) fn init() {
    async_global_executor::init_with_config(
        async_global_executor::GlobalExecutorConfig::default()
            .with_env_var("ASYNC_STD_THREAD_COUNT")
            .with_min_threads(EXECUTOR_THREADS)
            .with_thread_name_fn(|| "async-std/runtime".to_string()),
    );
}

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

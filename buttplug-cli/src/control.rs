//! Safety settings of `buttplug serve` and the emergency stop from outside the app.
//!
//! - `--max-level`, `--max-ramp`, `--idle-stop`: the device manager's default limits and
//!   dead-man switch (the user device config's per-device and per-output limits win).
//! - `buttplug stop` stops every device of a running server through its control socket, and
//!   SIGUSR1 to the server process does the same.
//!
//! The control endpoint is a Unix domain socket, `$XDG_RUNTIME_DIR/buttplug/control.sock` (or
//! `--control-socket`). Why not a loopback TCP port with a token file: the runtime directory is
//! private to the user (mode 0700, per login session), so the file system already decides who
//! may stop the devices, with no token to create, protect and read, no port to pick or collide
//! with, and nothing reachable from the network or from other users' processes. It is also not
//! the client slot: a hung or hostile app holding the WebSocket does not block it. The protocol
//! is one line: the client writes `stop`, the server stops every device and answers
//! `stopped N`. Unix only (SIGUSR1 too); elsewhere `buttplug stop` says so.

use buttplug_devices::config::OutputLimits;
use buttplug_server::DeviceManager;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Safety flags of `serve`.
#[derive(Debug, Clone, Args)]
pub(crate) struct SafetyArgs {
    /// Highest level of every output, as a fraction of its range (0..1; 0.6 on a 0-20
    /// vibrator: 12). Applies after every translation (any spec version, legacy commands);
    /// stops are never limited. A device's or output's `max_level` in the user device config
    /// wins.
    #[arg(long, value_name = "FRACTION")]
    pub max_level: Option<f64>,
    /// Fastest rise of every output, in levels (full ranges) per second: a faster command is
    /// reached in steps (0.5: off to full in 2 s). Falls are immediate. A device's or output's
    /// `max_ramp` in the user device config wins.
    #[arg(long, value_name = "LEVELS_PER_SECOND")]
    pub max_ramp: Option<f64>,
    /// Stop a running device whose client sent no output command for this many seconds
    /// (dead-man switch for apps that hang with the connection open). Off by default.
    #[arg(long, value_name = "SECONDS")]
    pub idle_stop: Option<f64>,
    /// Control socket for `buttplug stop` (default `$XDG_RUNTIME_DIR/buttplug/control.sock`).
    #[arg(long, value_name = "PATH")]
    pub control_socket: Option<PathBuf>,
}

impl SafetyArgs {
    /// The default limits these flags give every output.
    ///
    /// # Errors
    /// A value out of range, named as its flag.
    pub(crate) fn limits(&self) -> Result<OutputLimits, String> {
        OutputLimits::new(self.max_level, self.max_ramp).map_err(|e| {
            let flag = match e {
                buttplug_devices::config::LimitError::MaxRamp(_) => "--max-ramp",
                _ => "--max-level",
            };
            format!("{flag}: {e}")
        })
    }

    /// The idle-stop time.
    ///
    /// # Errors
    /// A value that is not a positive number of seconds.
    pub(crate) fn idle(&self) -> Result<Option<Duration>, String> {
        match self.idle_stop {
            None => Ok(None),
            Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
            Some(s) => Err(format!(
                "--idle-stop: a positive number of seconds, got {s}"
            )),
        }
    }
}

/// Arguments of `buttplug stop`.
#[derive(Debug, Args)]
pub(crate) struct StopArgs {
    /// The server's control socket (default `$XDG_RUNTIME_DIR/buttplug/control.sock`).
    #[arg(long, value_name = "PATH")]
    pub control_socket: Option<PathBuf>,
}

/// The control socket path: the flag, else `$XDG_RUNTIME_DIR/buttplug/control.sock`.
fn socket_path(flag: Option<&PathBuf>) -> Option<PathBuf> {
    flag.cloned().or_else(|| {
        std::env::var_os("XDG_RUNTIME_DIR")
            .filter(|d| !d.is_empty())
            .map(|d| PathBuf::from(d).join("buttplug").join("control.sock"))
    })
}

/// `buttplug stop`: ask the running server to stop every device.
///
/// # Errors
/// No socket path, no server listening, or no answer.
#[cfg(unix)]
pub(crate) fn run(args: &StopArgs) -> Result<(), String> {
    use std::io::{BufRead, BufReader, Write};
    let path = socket_path(args.control_socket.as_ref())
        .ok_or("XDG_RUNTIME_DIR is not set: pass --control-socket")?;
    let mut stream = std::os::unix::net::UnixStream::connect(&path)
        .map_err(|e| format!("no server at {}: {e}", path.display()))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"stop\n")
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut answer = String::new();
    BufReader::new(stream)
        .read_line(&mut answer)
        .map_err(|e| format!("{}: no answer: {e}", path.display()))?;
    let answer = answer.trim();
    if answer.starts_with("stopped") {
        println!("{answer}");
        Ok(())
    } else {
        Err(format!("unexpected answer {answer:?}"))
    }
}

/// `buttplug stop` where there are no Unix sockets.
#[cfg(not(unix))]
pub(crate) fn run(_args: &StopArgs) -> Result<(), String> {
    Err("buttplug stop needs Unix domain sockets; stop the server itself instead".into())
}

/// Stop every device; returns how many there were.
async fn stop_every_device(devices: &DeviceManager, why: &str) -> usize {
    let n = devices.devices().len();
    tracing::warn!("emergency stop ({why}): stopping {n} device(s)");
    devices.stop_all().await;
    n
}

/// Serve the control socket and SIGUSR1 for the life of the process (Unix). Failing to set
/// them up is logged, not fatal: the server still runs, and Ctrl-C still stops everything.
#[cfg(unix)]
pub(crate) fn start(args: &SafetyArgs, devices: DeviceManager) {
    use signal_hook::consts::SIGUSR1;
    use signal_hook::iterator::Signals;
    match Signals::new([SIGUSR1]) {
        Ok(mut signals) => {
            let (tx, rx) = async_channel::bounded::<()>(1);
            let spawned = std::thread::Builder::new()
                .name("sigusr1".into())
                .spawn(move || {
                    for _ in signals.forever() {
                        // One pending stop is enough; more signals meanwhile add nothing.
                        let _ = tx.try_send(());
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("SIGUSR1 emergency stop unavailable: {e}");
            }
            let devices = devices.clone();
            crate::rt::spawn(async move {
                while rx.recv().await.is_ok() {
                    stop_every_device(&devices, "SIGUSR1").await;
                }
            });
        }
        Err(e) => tracing::error!("SIGUSR1 emergency stop unavailable: {e}"),
    }
    let Some(path) = socket_path(args.control_socket.as_ref()) else {
        tracing::info!(
            "XDG_RUNTIME_DIR is not set and no --control-socket given: no control socket for `buttplug stop`"
        );
        return;
    };
    match bind(&path) {
        Ok(listener) => {
            tracing::info!("control socket for `buttplug stop`: {}", path.display());
            crate::rt::spawn(serve_socket(listener, devices));
        }
        Err(e) => tracing::error!("no control socket for `buttplug stop`: {e}"),
    }
}

#[cfg(not(unix))]
pub(crate) fn start(_args: &SafetyArgs, _devices: DeviceManager) {}

/// Bind the control socket: its directory private to the user, a stale socket replaced, a live
/// one (another server) left alone.
#[cfg(unix)]
fn bind(path: &std::path::Path) -> Result<async_std::os::unix::net::UnixListener, String> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let shown = path.display();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(format!("{shown} belongs to another running server"));
        }
        std::fs::remove_file(path).map_err(|e| format!("{shown}: {e}"))?;
    }
    let listener =
        std::os::unix::net::UnixListener::bind(path).map_err(|e| format!("{shown}: {e}"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("{shown}: {e}"))?;
    Ok(async_std::os::unix::net::UnixListener::from(listener))
}

/// Answer control connections: `stop` stops every device.
#[cfg(unix)]
async fn serve_socket(listener: async_std::os::unix::net::UnixListener, devices: DeviceManager) {
    use futures::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    loop {
        let mut stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                tracing::warn!("control socket: {e}");
                crate::rt::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let devices = devices.clone();
        crate::rt::spawn(async move {
            let mut line = String::new();
            // One short line; a longer one is not a command.
            let mut reader = futures::io::BufReader::new(stream.clone().take(64));
            let read =
                buttplug_devices::with_timeout(Duration::from_secs(5), reader.read_line(&mut line))
                    .await;
            let answer = match read {
                Ok(Ok(_)) if line.trim() == "stop" => {
                    let n = stop_every_device(&devices, "buttplug stop").await;
                    format!("stopped {n}\n")
                }
                _ => "error: expected `stop`\n".to_string(),
            };
            let _ = stream.write_all(answer.as_bytes()).await;
        });
    }
}

//! An open serial port as [`Hardware`]: a reader thread (see [`BlockingInput`]) and a writer
//! thread own clones of the port; the async side talks to the writer over a bounded channel.

use crate::managers::hardware_events::{Backlog, BlockingInput, check_endpoint, transport_error};
use async_trait::async_trait;
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::channel::oneshot;
use futures::stream::BoxStream;
use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most bytes kept for [`Hardware::read`] while `rx` is not subscribed (older bytes are dropped).
pub const SERIAL_READ_BUFFER: usize = 4096;

/// Capacity of the queue of writes waiting for the writer thread.
pub const SERIAL_WRITE_CAPACITY: usize = 64;

/// Marks a port as open; dropping it lets the scanner try the port again.
#[derive(Debug)]
pub(super) struct PortClaim {
    port: String,
    in_use: Arc<Mutex<BTreeSet<String>>>,
}

impl PortClaim {
    /// Claim a port, or `None` when it is already open.
    pub(super) fn new(port: &str, in_use: &Arc<Mutex<BTreeSet<String>>>) -> Option<Self> {
        let inserted = crate::sync::lock(in_use).insert(port.to_string());
        inserted.then(|| PortClaim {
            port: port.to_string(),
            in_use: in_use.clone(),
        })
    }
}

impl Drop for PortClaim {
    fn drop(&mut self) {
        crate::sync::lock(&self.in_use).remove(&self.port);
    }
}

struct WriteRequest {
    data: Vec<u8>,
    reply: oneshot::Sender<Result<(), HardwareError>>,
}

/// A serial port as hardware.
#[derive(Debug)]
pub(super) struct SerialHardware {
    name: String,
    input: Arc<BlockingInput>,
    writes: async_channel::Sender<WriteRequest>,
}

impl std::fmt::Debug for WriteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WriteRequest({} bytes)", self.data.len())
    }
}

impl SerialHardware {
    /// Start the reader and writer threads over an open port.
    pub(super) fn start(
        name: &str,
        port: Box<dyn serialport::SerialPort>,
        claim: PortClaim,
    ) -> Result<Self, HardwareError> {
        let input = Arc::new(BlockingInput::new(Backlog::bytes(SERIAL_READ_BUFFER)));
        let (writes, write_rx) = async_channel::bounded::<WriteRequest>(SERIAL_WRITE_CAPACITY);
        let mut reader = port.try_clone().map_err(transport_error)?;
        let mut writer = port;
        let port_name = name.to_string();
        input
            .spawn_reader(
                format!("serial-read {name}"),
                move |chunk| match reader.read(chunk) {
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::TimedOut | ErrorKind::Interrupted | ErrorKind::WouldBlock
                        ) =>
                    {
                        Ok(0)
                    }
                    read => read,
                },
                move |error| {
                    if let Some(e) = error {
                        tracing::info!(port = %port_name, "serial port closed: {e}");
                    }
                    drop(claim);
                },
            )
            .map_err(transport_error)?;
        std::thread::Builder::new()
            .name(format!("serial-write {name}"))
            .spawn(move || {
                while let Ok(req) = write_rx.recv_blocking() {
                    let r = writer
                        .write_all(&req.data)
                        .and_then(|()| writer.flush())
                        .map_err(transport_error);
                    let _ = req.reply.send(r);
                }
            })
            .map_err(transport_error)?;
        Ok(SerialHardware {
            name: name.to_string(),
            input,
            writes,
        })
    }
}

impl Drop for SerialHardware {
    fn drop(&mut self) {
        self.input.stop();
        self.writes.close();
    }
}

#[async_trait]
impl Hardware for SerialHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.name
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::Tx, Endpoint::Rx]
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        _write_with_response: bool,
    ) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Tx)?;
        self.input.hub().check_connected()?;
        let (reply, done) = oneshot::channel();
        self.writes
            .send(WriteRequest {
                data: data.to_vec(),
                reply,
            })
            .await
            .map_err(|_| HardwareError::Disconnected)?;
        done.await.map_err(|_| HardwareError::Disconnected)?
    }

    async fn read(
        &self,
        endpoint: Endpoint,
        length: u32,
        timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        self.input.read(endpoint, length, timeout).await
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        self.input.set_subscribed(endpoint, true)
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        self.input.set_subscribed(endpoint, false)
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.input.stop();
        self.writes.close();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.input.hub().stream()
    }
}

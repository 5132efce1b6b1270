//! An open serial port as [`Hardware`]: a reader thread and a writer thread own clones of the
//! port; the async side talks to them over bounded channels.

use crate::managers::hardware_events::EventHub;
use async_trait::async_trait;
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::channel::oneshot;
use futures::stream::BoxStream;
use std::collections::{BTreeSet, VecDeque};
use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most bytes kept for [`Hardware::read`] while `rx` is not subscribed (older bytes are dropped).
pub const SERIAL_READ_BUFFER: usize = 4096;

/// Capacity of the queue of writes waiting for the writer thread.
pub const SERIAL_WRITE_CAPACITY: usize = 64;

/// Size of one read from the port.
const READ_CHUNK: usize = 1024;

/// Marks a port as open; dropping it lets the scanner try the port again.
#[derive(Debug)]
pub(super) struct PortClaim {
    port: String,
    in_use: Arc<Mutex<BTreeSet<String>>>,
}

impl PortClaim {
    /// Claim a port, or `None` when it is already open.
    pub(super) fn new(port: &str, in_use: &Arc<Mutex<BTreeSet<String>>>) -> Option<Self> {
        let inserted = in_use
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(port.to_string());
        inserted.then(|| PortClaim {
            port: port.to_string(),
            in_use: in_use.clone(),
        })
    }
}

impl Drop for PortClaim {
    fn drop(&mut self) {
        self.in_use
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.port);
    }
}

struct WriteRequest {
    data: Vec<u8>,
    reply: oneshot::Sender<Result<(), HardwareError>>,
}

#[derive(Debug, Default)]
struct ReadBuffer {
    bytes: Mutex<VecDeque<u8>>,
}

/// A serial port as hardware.
#[derive(Debug)]
pub(super) struct SerialHardware {
    name: String,
    hub: Arc<EventHub>,
    writes: async_channel::Sender<WriteRequest>,
    buffer: Arc<ReadBuffer>,
    doorbell: async_channel::Receiver<()>,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for WriteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WriteRequest({} bytes)", self.data.len())
    }
}

fn transport(e: impl std::fmt::Display) -> HardwareError {
    HardwareError::Transport {
        message: e.to_string(),
    }
}

impl SerialHardware {
    /// Start the reader and writer threads over an open port.
    pub(super) fn start(
        name: &str,
        port: Box<dyn serialport::SerialPort>,
        claim: PortClaim,
    ) -> Result<Self, HardwareError> {
        let hub = Arc::new(EventHub::default());
        let buffer = Arc::new(ReadBuffer::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (doorbell_tx, doorbell) = async_channel::bounded(1);
        let (writes, write_rx) = async_channel::bounded::<WriteRequest>(SERIAL_WRITE_CAPACITY);
        let mut reader = port.try_clone().map_err(transport)?;
        let mut writer = port;
        {
            let hub = hub.clone();
            let buffer = buffer.clone();
            let stop = stop.clone();
            let port_name = name.to_string();
            std::thread::Builder::new()
                .name(format!("serial-read {name}"))
                .spawn(move || {
                    let mut chunk = [0u8; READ_CHUNK];
                    while !stop.load(Ordering::SeqCst) {
                        match reader.read(&mut chunk) {
                            Ok(0) => {}
                            Ok(n) => {
                                let data = chunk[..n].to_vec();
                                if !hub.notify(Endpoint::Rx, data.clone()) {
                                    let mut b = buffer
                                        .bytes
                                        .lock()
                                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                                    b.extend(data);
                                    let excess = b.len().saturating_sub(SERIAL_READ_BUFFER);
                                    b.drain(..excess);
                                    let _ = doorbell_tx.try_send(());
                                }
                            }
                            Err(e)
                                if matches!(
                                    e.kind(),
                                    ErrorKind::TimedOut
                                        | ErrorKind::Interrupted
                                        | ErrorKind::WouldBlock
                                ) => {}
                            Err(e) => {
                                tracing::info!(port = %port_name, "serial port closed: {e}");
                                break;
                            }
                        }
                    }
                    drop(reader);
                    drop(claim);
                    hub.disconnected();
                })
                .map_err(transport)?;
        }
        std::thread::Builder::new()
            .name(format!("serial-write {name}"))
            .spawn(move || {
                while let Ok(req) = write_rx.recv_blocking() {
                    let r = writer
                        .write_all(&req.data)
                        .and_then(|()| writer.flush())
                        .map_err(transport);
                    let _ = req.reply.send(r);
                }
            })
            .map_err(transport)?;
        Ok(SerialHardware {
            name: name.to_string(),
            hub,
            writes,
            buffer,
            doorbell,
            stop,
        })
    }

    fn take_buffered(&self, length: u32) -> Vec<u8> {
        let mut b = self
            .buffer
            .bytes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = if length == 0 {
            b.len()
        } else {
            b.len().min(length as usize)
        };
        b.drain(..n).collect()
    }
}

impl Drop for SerialHardware {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
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
        if endpoint != Endpoint::Tx {
            return Err(HardwareError::NoEndpoint { endpoint });
        }
        if !self.hub.is_connected() {
            return Err(HardwareError::Disconnected);
        }
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
        if endpoint != Endpoint::Rx {
            return Err(HardwareError::NoEndpoint { endpoint });
        }
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let data = self.take_buffered(length);
            if !data.is_empty() {
                return Ok(data);
            }
            if !self.hub.is_connected() {
                return Err(HardwareError::Disconnected);
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero()
                || buttplug_devices::with_timeout(left, self.doorbell.recv())
                    .await
                    .is_err()
            {
                return Err(HardwareError::Timeout { after: timeout });
            }
        }
    }

    async fn subscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        if endpoint != Endpoint::Rx {
            return Err(HardwareError::NoEndpoint { endpoint });
        }
        self.hub.set_subscribed(endpoint, true);
        Ok(())
    }

    async fn unsubscribe(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        if endpoint != Endpoint::Rx {
            return Err(HardwareError::NoEndpoint { endpoint });
        }
        self.hub.set_subscribed(endpoint, false);
        Ok(())
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.stop.store(true, Ordering::SeqCst);
        self.writes.close();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.hub.stream()
    }
}

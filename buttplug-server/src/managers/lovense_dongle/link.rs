//! The dongle's wire: JSON messages, one per line, over a serial port or 65-byte HID reports;
//! a reader and a writer thread turn the blocking transport into bounded message channels.

use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

/// Capacity of the message channels to and from the dongle threads.
pub const DONGLE_LINK_CAPACITY: usize = 64;

/// How long one blocking read waits before the reader checks whether it should stop.
pub const DONGLE_READ_POLL: Duration = Duration::from_millis(100);

/// Size of one HID report including the leading report id (0).
pub const HID_REPORT_LEN: usize = 65;

/// Largest line accepted from the dongle (longer input is dropped).
const MAX_LINE: usize = 64 * 1024;

/// Result codes the dongle sends.
pub mod code {
    /// Command accepted.
    pub const COMMAND_SUCCESS: u16 = 200;
    /// Connecting to a toy.
    pub const CONNECT_IN_PROGRESS: u16 = 201;
    /// Connected to a toy.
    pub const CONNECT_SUCCESS: u16 = 202;
    /// Search started.
    pub const SEARCH_STARTED: u16 = 205;
    /// Search stopped (asked for, or timed out in the dongle).
    pub const SEARCH_STOPPED: u16 = 206;
    /// Connecting failed.
    pub const CONNECT_FAILED: u16 = 402;
    /// The toy disconnected.
    pub const DISCONNECTED: u16 = 403;
    /// No such toy.
    pub const NOT_FOUND: u16 = 404;
}

/// A message to the dongle (`{"type":"toy","func":"search"}`, `{"type":"toy","func":"command",
/// "id":"..","cmd":"Vibrate:10;"}`...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outgoing {
    /// `"toy"` or `"usb"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `search`, `stopSearch`, `statuss`, `connect`, `command`.
    pub func: &'static str,
    /// The toy id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The toy command (`Vibrate:10;`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
}

impl Outgoing {
    /// `{"type":"toy","func":"search"}`.
    pub fn search() -> Self {
        Outgoing {
            kind: "toy",
            func: "search",
            id: None,
            cmd: None,
        }
    }

    /// `{"type":"usb","func":"stopSearch"}`.
    pub fn stop_search() -> Self {
        Outgoing {
            kind: "usb",
            func: "stopSearch",
            id: None,
            cmd: None,
        }
    }

    /// `{"type":"toy","func":"statuss"}`: is a toy connected already?
    pub fn status() -> Self {
        Outgoing {
            kind: "toy",
            func: "statuss",
            id: None,
            cmd: None,
        }
    }

    /// `{"type":"toy","func":"connect","id":..}`.
    pub fn connect(id: &str) -> Self {
        Outgoing {
            kind: "toy",
            func: "connect",
            id: Some(id.to_string()),
            cmd: None,
        }
    }

    /// `{"type":"toy","func":"command","id":..,"cmd":..}`.
    pub fn command(id: &str, cmd: String) -> Self {
        Outgoing {
            kind: "toy",
            func: "command",
            id: Some(id.to_string()),
            cmd: Some(cmd),
        }
    }

    /// The line as sent: JSON then `\r\n`.
    pub fn to_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_default();
        line.extend_from_slice(b"\r\n");
        line
    }
}

/// The `data` object of an incoming message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct IncomingData {
    /// Toy id.
    #[serde(default)]
    pub id: Option<String>,
    /// The toy's answer (`Z:11:0082059AD3BD;`).
    #[serde(default)]
    pub data: Option<String>,
    /// A result code.
    #[serde(default)]
    pub status: Option<u16>,
}

/// A message from the dongle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Incoming {
    /// `"toy"` or `"usb"`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `search`, `stopSearch`, `status`, `toyData`, `connect`, `error`, ...
    #[serde(default)]
    pub func: String,
    /// Toy id, when given at the top level.
    #[serde(default)]
    pub id: Option<String>,
    /// A result code.
    #[serde(default)]
    pub result: Option<u16>,
    /// Payload.
    #[serde(default)]
    pub data: Option<IncomingData>,
    /// Free text.
    #[serde(default)]
    pub message: Option<String>,
}

/// Split complete lines off `buffer` and parse each (a line may hold several JSON objects).
pub fn take_messages(buffer: &mut Vec<u8>) -> Vec<Incoming> {
    let mut out = Vec::new();
    while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
        let line: Vec<u8> = buffer.drain(..=end).collect();
        let text = String::from_utf8_lossy(&line);
        for m in serde_json::Deserializer::from_str(text.trim())
            .into_iter::<Incoming>()
            .flatten()
        {
            out.push(m);
        }
    }
    if buffer.len() > MAX_LINE {
        buffer.clear();
    }
    out
}

/// The reading half of a dongle transport.
pub trait DongleReader: Send + 'static {
    /// Read what arrived, waiting at most about [`DONGLE_READ_POLL`]; `Ok(0)` when nothing came.
    ///
    /// # Errors
    /// The transport is gone.
    fn read_bytes(&mut self, buf: &mut [u8]) -> io::Result<usize>;
}

/// The writing half of a dongle transport.
pub trait DongleWriter: Send + 'static {
    /// Send one complete line (JSON and `\r\n`).
    ///
    /// # Errors
    /// The transport is gone.
    fn write_line(&mut self, line: &[u8]) -> io::Result<()>;
}

/// Raw HID report I/O: implemented by `hidapi::HidDevice`, and by in-memory fakes in tests.
pub trait HidReportIo: Send + 'static {
    /// Write one report (first byte: report id 0).
    ///
    /// # Errors
    /// The device is gone.
    fn write_report(&self, report: &[u8]) -> io::Result<usize>;

    /// Read one input report, waiting at most `timeout`; `Ok(0)` when none came.
    ///
    /// # Errors
    /// The device is gone.
    fn read_report(&self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

impl HidReportIo for hidapi::HidDevice {
    fn write_report(&self, report: &[u8]) -> io::Result<usize> {
        self.write(report).map_err(io::Error::other)
    }

    fn read_report(&self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        self.read_timeout(buf, ms).map_err(io::Error::other)
    }
}

/// A shared HID handle is as good as the handle.
impl<T: HidReportIo + Sync> HidReportIo for Arc<T> {
    fn write_report(&self, report: &[u8]) -> io::Result<usize> {
        (**self).write_report(report)
    }

    fn read_report(&self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        (**self).read_report(buf, timeout)
    }
}

/// The HID framing: a line goes out in 65-byte reports (report id 0, up to 63 bytes of text,
/// zero padding); input reports carry text padded with zeros.
pub struct HidHalf(pub Box<dyn HidReportIo>);

impl std::fmt::Debug for HidHalf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HidHalf")
    }
}

/// The reports carrying one line.
pub fn hid_reports(line: &[u8]) -> Vec<[u8; HID_REPORT_LEN]> {
    line.chunks(HID_REPORT_LEN - 2)
        .map(|chunk| {
            let mut report = [0u8; HID_REPORT_LEN];
            report[1..=chunk.len()].copy_from_slice(chunk);
            report
        })
        .collect()
}

impl DongleWriter for HidHalf {
    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        for report in hid_reports(line) {
            self.0.write_report(&report)?;
        }
        Ok(())
    }
}

impl DongleReader for HidHalf {
    fn read_bytes(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut report = [0u8; 1024];
        let n = self.0.read_report(&mut report, DONGLE_READ_POLL)?;
        let mut len = 0;
        for b in report[..n].iter().filter(|b| **b != 0) {
            if len == buf.len() {
                break;
            }
            buf[len] = *b;
            len += 1;
        }
        Ok(len)
    }
}

/// A serial port half (reads time out after [`DONGLE_READ_POLL`]).
pub struct SerialHalf(pub Box<dyn serialport::SerialPort>);

impl std::fmt::Debug for SerialHalf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SerialHalf")
    }
}

impl DongleWriter for SerialHalf {
    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.0.write_all(line)?;
        self.0.flush()
    }
}

impl DongleReader for SerialHalf {
    fn read_bytes(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf) {
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                        | io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }
}

/// The async ends of an attached dongle.
#[derive(Debug)]
pub(super) struct Link {
    /// What to send.
    pub(super) outgoing: async_channel::Sender<Outgoing>,
    /// What the dongle sent (closed when the dongle is gone).
    pub(super) incoming: async_channel::Receiver<Incoming>,
    /// A description for logs.
    pub(super) label: String,
}

/// Start the reader and writer threads over a transport.
pub(super) fn start_link(
    label: &str,
    mut reader: Box<dyn DongleReader>,
    mut writer: Box<dyn DongleWriter>,
) -> io::Result<Link> {
    let (out_tx, out_rx) = async_channel::bounded::<Outgoing>(DONGLE_LINK_CAPACITY);
    let (in_tx, in_rx) = async_channel::bounded::<Incoming>(DONGLE_LINK_CAPACITY);
    let reader_label = label.to_string();
    std::thread::Builder::new()
        .name(format!("dongle-read {label}"))
        .spawn(move || {
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 1024];
            loop {
                if in_tx.is_closed() {
                    break;
                }
                match reader.read_bytes(&mut chunk) {
                    Ok(0) => {}
                    Ok(n) => {
                        buffer.extend_from_slice(&chunk[..n]);
                        for m in take_messages(&mut buffer) {
                            tracing::trace!("dongle → {m:?}");
                            if in_tx.send_blocking(m).is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        tracing::info!(dongle = %reader_label, "Lovense dongle gone: {e}");
                        break;
                    }
                }
            }
        })?;
    let writer_label = label.to_string();
    let closer = in_rx.clone();
    std::thread::Builder::new()
        .name(format!("dongle-write {label}"))
        .spawn(move || {
            while let Ok(m) = out_rx.recv_blocking() {
                tracing::trace!("dongle ← {m:?}");
                if let Err(e) = writer.write_line(&m.to_line()) {
                    tracing::info!(dongle = %writer_label, "cannot write to the dongle: {e}");
                    closer.close();
                    break;
                }
            }
        })?;
    Ok(Link {
        outgoing: out_tx,
        incoming: in_rx,
        label: label.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_out() {
        assert_eq!(
            Outgoing::search().to_line(),
            b"{\"type\":\"toy\",\"func\":\"search\"}\r\n"
        );
        assert_eq!(
            Outgoing::command("abc", "Vibrate:10;".into()).to_line(),
            b"{\"type\":\"toy\",\"func\":\"command\",\"id\":\"abc\",\"cmd\":\"Vibrate:10;\"}\r\n"
        );
        assert_eq!(
            Outgoing::stop_search().to_line(),
            b"{\"type\":\"usb\",\"func\":\"stopSearch\"}\r\n"
        );
    }

    #[test]
    fn lines_in() {
        let mut b = b"{\"type\":\"toy\",\"func\":\"search\",\"result\":205}\n{\"type\":\"toy\",\"func\":\"toyData\",\"data\":{\"id\":\"a1\"}}{\"type\":\"toy\",\"func\":\"status\",\"data\":{\"id\":\"a1\",\"status\":202}}\r\n{\"partial".to_vec();
        let m = take_messages(&mut b);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].result, Some(code::SEARCH_STARTED));
        assert_eq!(m[1].func, "toyData");
        assert_eq!(
            m[1].data.as_ref().and_then(|d| d.id.clone()),
            Some("a1".into())
        );
        assert_eq!(
            m[2].data.as_ref().and_then(|d| d.status),
            Some(code::CONNECT_SUCCESS)
        );
        assert_eq!(b, b"{\"partial");
    }

    #[test]
    fn hid_framing() {
        let line = vec![b'x'; 100];
        let reports = hid_reports(&line);
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0][0], 0);
        assert_eq!(&reports[0][1..64], &[b'x'; 63][..]);
        assert_eq!(reports[0][64], 0);
        assert_eq!(&reports[1][1..38], &[b'x'; 37][..]);
        assert!(reports[1][38..].iter().all(|b| *b == 0));
    }
}

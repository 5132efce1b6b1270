//! One WebSocket connection as a pair of bounded channels of [`Frame`]s, pumped by a task that
//! also pings the peer and notices when it stops answering.

use crate::rt;
use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::Message;
use buttplug_core::Frame;
use futures::channel::mpsc;
use futures::{AsyncRead, AsyncWrite, FutureExt, SinkExt, StreamExt};
use std::time::{Duration, Instant};

/// Capacity of each direction of a connection's frame channels.
pub const CONNECTION_FRAME_CAPACITY: usize = 256;

/// Read buffer of each WebSocket. tungstenite zero-fills the free part of its read buffer on
/// every read attempt (also one that would block); at its default of 128 KiB that cost several
/// microseconds of CPU per read, more than the rest of a small command's path. Buttplug frames
/// are small, so a small buffer costs nothing in syscalls.
pub(crate) const READ_BUFFER_SIZE: usize = 8 * 1024;

/// One WebSocket connection: frames from the peer, and a sink of frames to it. Dropping both
/// ends closes the socket; sending [`Frame::Close`] closes it too.
#[derive(Debug)]
pub struct Connection {
    /// Frames from the peer (ends when the peer goes away).
    pub incoming: mpsc::Receiver<Frame>,
    /// Frames to the peer.
    pub outgoing: mpsc::Sender<Frame>,
    /// The peer's address, when known.
    pub peer: Option<std::net::SocketAddr>,
}

/// Pump `ws` until either side ends; `on_end` runs when the socket is done.
pub(crate) fn spawn_pump<S>(
    ws: WebSocketStream<S>,
    ping_interval: Option<Duration>,
    peer: Option<std::net::SocketAddr>,
    on_end: impl FnOnce() + Send + 'static,
) -> Connection
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (in_tx, in_rx) = mpsc::channel(CONNECTION_FRAME_CAPACITY);
    let (out_tx, out_rx) = mpsc::channel(CONNECTION_FRAME_CAPACITY);
    rt::spawn(async move {
        let mut to_app = pump(ws, in_tx, out_rx, ping_interval).await;
        // Free the slot before the application hears of the end, so that whoever reacts to the
        // end (a test, a reconnecting client) finds the slot free.
        on_end();
        let _ = to_app.send(Frame::Close).await;
    });
    Connection {
        incoming: in_rx,
        outgoing: out_tx,
        peer,
    }
}

async fn pump<S>(
    ws: WebSocketStream<S>,
    mut to_app: mpsc::Sender<Frame>,
    mut from_app: mpsc::Receiver<Frame>,
    ping_interval: Option<Duration>,
) -> mpsc::Sender<Frame>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut stream) = ws.split();
    let mut pong_seen = true;
    let mut next_ping = ping_interval.map(|i| Instant::now() + i);
    loop {
        let ping_timer = match next_ping {
            Some(at) => rt::sleep(at.saturating_duration_since(Instant::now())).boxed(),
            None => futures::future::pending().boxed(),
        };
        futures::select! {
            msg = stream.next().fuse() => {
                let frame = match msg {
                    Some(Ok(Message::Text(t))) => Frame::Text(t.as_str().to_string()),
                    Some(Ok(Message::Binary(b))) => Frame::Binary(b.to_vec()),
                    Some(Ok(Message::Pong(_))) => { pong_seen = true; continue; }
                    Some(Ok(Message::Ping(_) | Message::Frame(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Err(e)) => {
                        tracing::debug!("websocket read ended: {e}");
                        break;
                    }
                };
                if to_app.send(frame).await.is_err() {
                    break;
                }
            }
            out = from_app.next() => match out {
                Some(Frame::Text(t)) => {
                    if sink.send(Message::Text(t.into())).await.is_err() { break; }
                }
                Some(Frame::Binary(b)) => {
                    if sink.send(Message::Binary(b.into())).await.is_err() { break; }
                }
                Some(Frame::Close) | None => {
                    let _ = sink.close(None).await;
                    break;
                }
            },
            _ = ping_timer.fuse() => {
                if !pong_seen {
                    tracing::info!("websocket peer did not answer a ping; closing");
                    break;
                }
                pong_seen = false;
                if sink.send(Message::Ping(Vec::new().into())).await.is_err() { break; }
                next_ping = ping_interval.map(|i| Instant::now() + i);
            }
        }
    }
    to_app
}

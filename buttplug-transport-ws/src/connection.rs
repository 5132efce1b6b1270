//! One WebSocket connection as a [`Stream`] of incoming [`Frame`]s and a [`Sink`] of outgoing
//! ones, driven by whoever polls it (no task and no channel of its own), which also pings the
//! peer and notices when it stops answering.
//!
//! The server's session task polls the connection directly, so a command travels from the
//! socket to the session without a task hop or a channel in between.

use crate::rt;
use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::error::CapacityError;
use async_tungstenite::tungstenite::protocol::CloseFrame;
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::{Error as WsError, Message};
use buttplug_core::v0::ErrorV0;
use buttplug_core::{ErrorCode, Frame, ServerMessage, SpecVersion, render_server_frame};
use futures::{AsyncRead, AsyncWrite, Sink, Stream};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Read buffer of each WebSocket. tungstenite zero-fills the free part of its read buffer on
/// every read attempt (also one that would block); at its default of 128 KiB that cost several
/// microseconds of CPU per read, more than the rest of a small command's path. Buttplug frames
/// are small, so a small buffer costs nothing in syscalls.
pub(crate) const READ_BUFFER_SIZE: usize = 8 * 1024;

/// What the connection needs of a WebSocket (the stream type erased: TCP or TLS).
trait WsIo: Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Send {}

impl<T> WsIo for T where
    T: Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Send
{
}

type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Pinging: a ping goes out every `interval`; the peer must have answered (any pong) by the next
/// one, else the connection ends.
struct Pinger {
    interval: Duration,
    timer: Sleep,
    pong_seen: bool,
    /// A ping is due but the socket was not ready to take it yet.
    due: bool,
}

/// The last words of a server-side connection whose client sent a frame above the size limit:
/// the `Error` frame, then the WebSocket close, then the end.
enum Farewell {
    /// The `Error` text frame still to queue.
    Error(String),
    /// The close frame still to queue.
    Close,
    /// Both queued; flushing.
    Flush,
}

/// The text of the `Error` (`ERROR_MSG`, Id 0) a client gets for a frame above `limit` bytes,
/// before the connection closes.
pub(crate) fn frame_too_large_message(limit: usize) -> String {
    format!("frame too large: this server accepts frames of at most {limit} bytes")
}

/// The `Error` frame for a client frame above `limit` bytes, in the shape every spec version
/// reads: `[{"Error":{"Id":0,"ErrorMessage":"...","ErrorCode":3}}]`.
fn frame_too_large_frame(limit: usize) -> String {
    render_server_frame(&[ServerMessage::error(
        ErrorV0 {
            id: 0,
            error_message: frame_too_large_message(limit),
            error_code: ErrorCode::Msg,
        },
        SpecVersion::V4,
    )])
}

/// One WebSocket connection: a [`Stream`] of the peer's frames (when the peer goes away, stops
/// answering pings, or breaks the protocol, it yields [`Frame::Close`] once and then ends) and a
/// [`Sink`] of frames to it ([`Frame::Close`] closes the socket). Dropping it closes the socket.
///
/// On the server side (accepted by [`WebsocketServerTransport`](crate::WebsocketServerTransport)
/// or dialled by [`WebsocketClientTransport`](crate::WebsocketClientTransport)), a client frame
/// above the size limit is answered with an `Error` frame (Id 0, `ERROR_MSG`) and a close with
/// code 1009 (message too big) before the stream yields [`Frame::Close`].
///
/// Poll it from one task (e.g. with `StreamExt::next` and `SinkExt::send`); use
/// `StreamExt::split` to drive the two directions from different places.
pub struct Connection {
    /// The socket; `None` once the connection has ended (the socket is released at once).
    ws: Option<Pin<Box<dyn WsIo>>>,
    ping: Option<Pinger>,
    peer: Option<std::net::SocketAddr>,
    on_end: Option<Box<dyn FnOnce() + Send>>,
    /// Answer a frame above the size limit with an `Error` before closing (server side).
    answer_oversized: bool,
    /// Set once such a frame came: what is still to be sent before the end.
    farewell: Option<Farewell>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("peer", &self.peer)
            .field("open", &self.ws.is_some())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Wrap `ws`; `on_end` runs once, when the socket is done (or the connection is dropped).
    pub(crate) fn new<S>(
        ws: WebSocketStream<S>,
        ping_interval: Option<Duration>,
        peer: Option<std::net::SocketAddr>,
        on_end: impl FnOnce() + Send + 'static,
    ) -> Connection
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        Connection {
            ws: Some(Box::pin(ws)),
            ping: ping_interval.map(|interval| Pinger {
                interval,
                timer: Box::pin(rt::sleep(interval)),
                pong_seen: true,
                due: false,
            }),
            peer,
            on_end: Some(Box::new(on_end)),
            answer_oversized: false,
            farewell: None,
        }
    }

    /// Make this a server-side connection: a client frame above the size limit gets an `Error`
    /// frame (and a close with code 1009) before the connection ends.
    pub(crate) fn answer_oversized_frames(mut self) -> Connection {
        self.answer_oversized = true;
        self
    }

    /// The peer's address, when known.
    pub fn peer(&self) -> Option<std::net::SocketAddr> {
        self.peer
    }

    fn end(&mut self) -> Poll<Option<Frame>> {
        self.ws = None;
        // Free whatever the connection held (e.g. the server's client slot) before the
        // application hears of the end, so that whoever reacts to it finds the slot free.
        if let Some(on_end) = self.on_end.take() {
            on_end();
        }
        Poll::Ready(Some(Frame::Close))
    }

    /// Send the farewell (see [`Farewell`]); ready once it is out or the socket failed.
    fn poll_farewell(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            let (Some(ws), Some(step)) = (self.ws.as_mut(), self.farewell.as_mut()) else {
                return Poll::Ready(());
            };
            match step {
                Farewell::Error(_) | Farewell::Close => match ws.as_mut().poll_ready(cx) {
                    Poll::Ready(Ok(())) => {}
                    Poll::Ready(Err(_)) => return Poll::Ready(()),
                    Poll::Pending => return Poll::Pending,
                },
                Farewell::Flush => {
                    return match ws.as_mut().poll_flush(cx) {
                        Poll::Ready(_) => Poll::Ready(()),
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
            let (message, next) = match std::mem::replace(step, Farewell::Flush) {
                Farewell::Error(text) => (Message::Text(text.into()), Farewell::Close),
                _ => (
                    Message::Close(Some(CloseFrame {
                        code: CloseCode::Size,
                        reason: "frame too large".into(),
                    })),
                    Farewell::Flush,
                ),
            };
            *step = next;
            if ws.as_mut().start_send(message).is_err() {
                return Poll::Ready(());
            }
        }
    }

    /// Drive the ping timer; `false` when the peer missed a ping or the socket failed.
    fn poll_ping(&mut self, cx: &mut Context<'_>) -> bool {
        let (Some(p), Some(ws)) = (self.ping.as_mut(), self.ws.as_mut()) else {
            return true;
        };
        if p.timer.as_mut().poll(cx).is_ready() {
            if !p.pong_seen {
                tracing::info!("websocket peer did not answer a ping; closing");
                return false;
            }
            p.pong_seen = false;
            p.due = true;
            p.timer = Box::pin(rt::sleep(p.interval));
            // Register the new timer's waker.
            let _ = p.timer.as_mut().poll(cx);
        }
        if p.due {
            match ws.as_mut().poll_ready(cx) {
                Poll::Ready(Ok(())) => {
                    p.due = false;
                    if ws
                        .as_mut()
                        .start_send(Message::Ping(Vec::new().into()))
                        .is_err()
                    {
                        return false;
                    }
                    if let Poll::Ready(Err(_)) = ws.as_mut().poll_flush(cx) {
                        return false;
                    }
                }
                Poll::Ready(Err(_)) => return false,
                Poll::Pending => {}
            }
        }
        true
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(on_end) = self.on_end.take() {
            on_end();
        }
    }
}

impl Stream for Connection {
    type Item = Frame;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Frame>> {
        let this = &mut *self;
        loop {
            if this.farewell.is_some() {
                return match this.poll_farewell(cx) {
                    Poll::Ready(()) => this.end(),
                    Poll::Pending => Poll::Pending,
                };
            }
            let Some(ws) = this.ws.as_mut() else {
                return Poll::Ready(None);
            };
            match ws.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(Message::Text(t)))) => {
                    return Poll::Ready(Some(Frame::Text(t.as_str().to_string())));
                }
                Poll::Ready(Some(Ok(Message::Binary(b)))) => {
                    return Poll::Ready(Some(Frame::Binary(b.to_vec())));
                }
                Poll::Ready(Some(Ok(Message::Pong(_)))) => {
                    if let Some(p) = this.ping.as_mut() {
                        p.pong_seen = true;
                    }
                }
                // tungstenite answers pings itself.
                Poll::Ready(Some(Ok(Message::Ping(_) | Message::Frame(_)))) => {}
                Poll::Ready(Some(Ok(Message::Close(_))) | None) => return this.end(),
                Poll::Ready(Some(Err(WsError::Capacity(CapacityError::MessageTooLong {
                    size,
                    max_size,
                }))))
                    if this.answer_oversized =>
                {
                    tracing::info!(
                        "client frame of {size} bytes over the {max_size} limit; closing"
                    );
                    this.farewell = Some(Farewell::Error(frame_too_large_frame(max_size)));
                }
                Poll::Ready(Some(Err(e))) => {
                    tracing::debug!("websocket read ended: {e}");
                    return this.end();
                }
                Poll::Pending => {
                    // Only look at the ping timer when there is nothing to read: under load
                    // that is once per batch of frames, not once per frame.
                    if !this.poll_ping(cx) {
                        return this.end();
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl Sink<Frame> for Connection {
    type Error = WsError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        match self.ws.as_mut() {
            Some(ws) => ws.as_mut().poll_ready(cx),
            None => Poll::Ready(Err(WsError::ConnectionClosed)),
        }
    }

    fn start_send(mut self: Pin<&mut Self>, frame: Frame) -> Result<(), WsError> {
        let message = match frame {
            Frame::Text(t) => Message::Text(t.into()),
            Frame::Binary(b) => Message::Binary(b.into()),
            Frame::Close => Message::Close(None),
        };
        match self.ws.as_mut() {
            Some(ws) => ws.as_mut().start_send(message),
            None => Err(WsError::ConnectionClosed),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        match self.ws.as_mut() {
            Some(ws) => ws.as_mut().poll_flush(cx),
            None => Poll::Ready(Err(WsError::ConnectionClosed)),
        }
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        match self.ws.as_mut() {
            Some(ws) => ws.as_mut().poll_close(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}

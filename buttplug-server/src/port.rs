//! What a session talks to: typed messages (a client in the same process) or JSON text frames (a
//! remote transport such as a WebSocket). The session polls its port directly, so a frame goes
//! from the socket through parsing, dispatch and rendering in the session's own task.

use crate::server::MAX_CLIENT_FRAME;
use crate::session::error_message;
use buttplug_core::{
    ClientMessage, ErrorCode, Frame, ServerMessage, SpecVersion, handshake_version,
    parse_client_frame_typed, render_server_frame,
};
use futures::{Sink, SinkExt, Stream, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Most messages rendered into one outgoing text frame.
const MESSAGES_PER_FRAME: usize = 64;

/// What one client item turns into.
pub(crate) enum Inbound {
    /// A message for the session to dispatch.
    Message(ClientMessage),
    /// A reply to send as it is (a frame or message that could not be parsed).
    Reply(ServerMessage),
}

/// One side of a session: where client input comes from and replies go to.
pub(crate) trait Port: Send {
    /// What arrives from the client.
    type Item: Send;

    /// The next item from the client; `None` when the client has gone.
    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Self::Item>>;

    /// Turn one item into client messages and ready replies, in order. `version` is the
    /// session's spec version once the handshake is done. Returns `false` when the item ends the
    /// connection.
    fn decode(
        &mut self,
        item: Self::Item,
        version: Option<SpecVersion>,
        out: &mut Vec<Inbound>,
    ) -> bool;

    /// Send `batch` (drained) to the client; `false` when the client is gone.
    fn send(&mut self, batch: &mut Vec<ServerMessage>) -> impl Future<Output = bool> + Send;

    /// Close the client's side after the last reply.
    fn close(&mut self) -> impl Future<Output = ()> + Send;
}

/// Typed messages in, typed messages out (no serialization).
pub(crate) struct TypedPort<S, K> {
    pub incoming: S,
    pub outgoing: K,
}

impl<S, K> Port for TypedPort<S, K>
where
    S: Stream<Item = ClientMessage> + Send + Unpin,
    K: Sink<ServerMessage> + Send + Unpin,
{
    type Item = ClientMessage;

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<ClientMessage>> {
        self.incoming.poll_next_unpin(cx)
    }

    fn decode(
        &mut self,
        item: ClientMessage,
        _version: Option<SpecVersion>,
        out: &mut Vec<Inbound>,
    ) -> bool {
        out.push(Inbound::Message(item));
        true
    }

    async fn send(&mut self, batch: &mut Vec<ServerMessage>) -> bool {
        for m in batch.drain(..) {
            if self.outgoing.feed(m).await.is_err() {
                return false;
            }
        }
        self.outgoing.flush().await.is_ok()
    }

    async fn close(&mut self) {
        let _ = self.outgoing.close().await;
    }
}

/// JSON text frames: each frame is parsed at the session's spec version (before the handshake,
/// at the version the frame's `RequestServerInfo` asks for); bad frames are answered with an
/// `Error` (Id 0 where no Id can be read); replies go out batched, one frame per batch.
pub(crate) struct FramePort<C> {
    pub connection: C,
}

impl<C> Port for FramePort<C>
where
    C: Stream<Item = Frame> + Sink<Frame> + Send + Unpin,
{
    type Item = Frame;

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Frame>> {
        self.connection.poll_next_unpin(cx)
    }

    fn decode(
        &mut self,
        item: Frame,
        version: Option<SpecVersion>,
        out: &mut Vec<Inbound>,
    ) -> bool {
        let text = match item {
            Frame::Text(t) => t,
            Frame::Binary(_) => {
                out.push(Inbound::Reply(frame_error(
                    version,
                    "binary frames are not supported; send JSON text",
                )));
                return true;
            }
            Frame::Close => return false,
        };
        if text.len() > MAX_CLIENT_FRAME {
            out.push(Inbound::Reply(frame_error(version, "frame too large")));
            return true;
        }
        let v = version.unwrap_or_else(|| {
            // Not a handshake: the session answers ERROR_INIT for the messages it can parse;
            // parse leniently at v4.
            handshake_version(&text).unwrap_or(SpecVersion::V4)
        });
        out.extend(
            parse_client_frame_typed(&text, v)
                .into_iter()
                .map(|r| match r {
                    Ok(m) => Inbound::Message(m),
                    Err(e) => Inbound::Reply(ServerMessage::error(e.to_wire(), v)),
                }),
        );
        true
    }

    async fn send(&mut self, batch: &mut Vec<ServerMessage>) -> bool {
        let mut ok = true;
        for chunk in batch.chunks(MESSAGES_PER_FRAME) {
            let frame = Frame::Text(render_server_frame(chunk));
            if self.connection.feed(frame).await.is_err() {
                ok = false;
                break;
            }
        }
        batch.clear();
        ok && self.connection.flush().await.is_ok()
    }

    async fn close(&mut self) {
        let _ = self.connection.close().await;
    }
}

fn frame_error(version: Option<SpecVersion>, text: &str) -> ServerMessage {
    error_message(version.unwrap_or(SpecVersion::V4), 0, ErrorCode::Msg, text)
}

/// A stream and a sink used as one connection.
pub(crate) struct Duplex<I, O> {
    pub incoming: I,
    pub outgoing: O,
}

impl<I: Stream + Unpin, O: Unpin> Stream for Duplex<I, O> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        self.incoming.poll_next_unpin(cx)
    }
}

impl<T, I: Unpin, O: Sink<T> + Unpin> Sink<T> for Duplex<I, O> {
    type Error = O::Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), O::Error>> {
        self.outgoing.poll_ready_unpin(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, item: T) -> Result<(), O::Error> {
        self.outgoing.start_send_unpin(item)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), O::Error>> {
        self.outgoing.poll_flush_unpin(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), O::Error>> {
        self.outgoing.poll_close_unpin(cx)
    }
}

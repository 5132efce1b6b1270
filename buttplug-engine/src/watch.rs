//! A client connection watched for `ClientConnected` / `ClientDisconnected`: the frames pass
//! through untouched; until the handshake is answered, incoming text frames are looked at for
//! the `RequestServerInfo`'s `ClientName` and outgoing ones for the `ServerInfo` reply.

use crate::engine::Emitter;
use crate::event::EngineEvent;
use buttplug_core::Frame;
use buttplug_server::rest::ClientEntry;
use futures::{Sink, Stream};
use std::pin::Pin;
use std::task::{Context, Poll};

enum State {
    /// Handshake not answered yet; the client name once the request has been seen.
    Handshake(Option<String>),
    /// `ClientConnected` sent; `ClientDisconnected` is sent on drop. On the REST servers'
    /// client list while the entry lives.
    Connected(Option<ClientEntry>),
}

/// A connection (stream of incoming frames, sink of outgoing ones) that reports its client.
pub(crate) struct Watched<C> {
    inner: C,
    state: State,
    emitter: Emitter,
}

impl<C> Watched<C> {
    pub(crate) fn new(inner: C, emitter: Emitter) -> Self {
        Watched {
            inner,
            state: State::Handshake(None),
            emitter,
        }
    }
}

/// The `ClientName` of a frame holding a `RequestServerInfo`.
fn client_name(text: &str) -> Option<String> {
    if !text.contains("RequestServerInfo") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value
        .as_array()?
        .iter()
        .find_map(|m| m.get("RequestServerInfo")?.get("ClientName")?.as_str())
        .map(str::to_string)
}

impl<C: Stream<Item = Frame> + Unpin> Stream for Watched<C> {
    type Item = Frame;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Frame>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_next(cx);
        if let (State::Handshake(name @ None), Poll::Ready(Some(Frame::Text(text)))) =
            (&mut this.state, &polled)
        {
            *name = client_name(text);
        }
        polled
    }
}

impl<C: Sink<Frame> + Unpin> Sink<Frame> for Watched<C> {
    type Error = C::Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), C::Error>> {
        Pin::new(&mut self.inner).poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, frame: Frame) -> Result<(), C::Error> {
        let this = &mut *self;
        if let (State::Handshake(Some(name)), Frame::Text(text)) = (&mut this.state, &frame) {
            if text.contains("{\"ServerInfo\"") {
                let client_name = std::mem::take(name);
                let entry = this
                    .emitter
                    .clients
                    .as_ref()
                    .map(|c| c.connected(&client_name));
                this.emitter
                    .emit(EngineEvent::ClientConnected { client_name });
                this.state = State::Connected(entry);
            }
        }
        Pin::new(&mut this.inner).start_send(frame)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), C::Error>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), C::Error>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

impl<C> Drop for Watched<C> {
    fn drop(&mut self) {
        if let State::Connected(entry) = &mut self.state {
            // Off the client list first, then the engine event.
            drop(entry.take());
            self.emitter.emit(EngineEvent::ClientDisconnected {});
        }
    }
}

#[cfg(test)]
mod tests {
    use super::client_name;

    #[test]
    fn the_client_name_of_a_handshake() {
        let frame =
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"Example Game","MessageVersion":3}}]"#;
        assert_eq!(client_name(frame).as_deref(), Some("Example Game"));
        assert_eq!(client_name(r#"[{"Ping":{"Id":2}}]"#), None);
        assert_eq!(client_name("RequestServerInfo but not json"), None);
    }
}

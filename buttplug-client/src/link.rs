//! The codec between the client's messages and a connector's text frames: requests are
//! rendered as frames, the server's frames are parsed at the connection's spec version.

use buttplug_core::v0::ErrorV0;
use buttplug_core::{
    BoxFrameTransport, ClientMessage, ConnectorError, ErrorCode, ServerMessage, SpecVersion,
    parse_server_frame, render_client_frame,
};
use futures::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::task::{Context, Poll};

/// One connection as messages of one spec version.
pub(crate) struct Link {
    frames: BoxFrameTransport,
    version: SpecVersion,
    /// Messages of a frame already read but not yet handed out.
    inbox: VecDeque<ServerMessage>,
    /// The transport ended (or failed); nothing more will be read.
    ended: bool,
}

impl Link {
    pub(crate) fn new(frames: BoxFrameTransport, version: SpecVersion) -> Self {
        Link {
            frames,
            version,
            inbox: VecDeque::new(),
            ended: false,
        }
    }

    /// Queues one message (one frame: every server reads that); [`Link::flush`] sends.
    pub(crate) async fn feed(&mut self, message: &ClientMessage) -> Result<(), ConnectorError> {
        let frame = render_client_frame(std::slice::from_ref(message));
        self.frames.feed(frame).await
    }

    /// Sends what was fed.
    pub(crate) async fn flush(&mut self) -> Result<(), ConnectorError> {
        self.frames.flush().await
    }

    /// Sends one message now.
    pub(crate) async fn send(&mut self, message: &ClientMessage) -> Result<(), ConnectorError> {
        self.feed(message).await?;
        self.flush().await
    }

    /// Closes the connection (errors are moot: the connection is going away either way).
    pub(crate) async fn close(&mut self) {
        let _ = self.frames.close().await;
    }

    /// The next message from the server; `None` once the connection ended.
    ///
    /// A message that cannot be parsed becomes an `Error` (`ERROR_MSG`) with the message's Id
    /// when it can be read (so the waiting request fails at once) or Id 0 (an error event). A
    /// transport error ends the connection.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<ServerMessage>> {
        loop {
            if let Some(message) = self.inbox.pop_front() {
                return Poll::Ready(Some(message));
            }
            if self.ended {
                return Poll::Ready(None);
            }
            match self.frames.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => self.ended = true,
                Poll::Ready(Some(Err(e))) => {
                    tracing::debug!("transport failed: {e}");
                    self.ended = true;
                }
                Poll::Ready(Some(Ok(frame))) => {
                    let version = self.version;
                    self.inbox
                        .extend(
                            parse_server_frame(&frame, version)
                                .into_iter()
                                .map(|parsed| {
                                    parsed.unwrap_or_else(|e| {
                                        tracing::warn!("unparsable message from the server: {e}");
                                        let error = ErrorV0::new(
                                            e.id().unwrap_or(0),
                                            ErrorCode::Msg,
                                            format!("unparsable message from the server: {e}"),
                                        );
                                        ServerMessage::error(error, version)
                                    })
                                }),
                        );
                }
            }
        }
    }

    /// The next message from the server; `None` once the connection ended.
    pub(crate) async fn next(&mut self) -> Option<ServerMessage> {
        futures::future::poll_fn(|cx| self.poll_next(cx)).await
    }
}

//! The client-side seam: a connection to a server is a stream of JSON text frames from it and a
//! sink of JSON text frames to it ([`FrameTransport`]); a [`ButtplugConnector`] opens such
//! connections (as many as asked, so a client can re-dial).
//!
//! Nothing here knows about messages or spec versions: the client renders its messages into
//! frames and parses the server's frames itself, at the version of its handshake. A transport
//! only moves text, so a new one (a WebSocket, a Unix socket, an in-memory pipe...) is a stream
//! and a sink, glued with [`FrameDuplex`] when they come apart.

use crate::ConnectorError;
use async_trait::async_trait;
use futures::channel::mpsc;
use futures::{Sink, Stream};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Capacity of each direction of a [`frame_pipe`] (frames). Bounded so a stalled reader applies
/// back-pressure instead of growing memory without limit.
pub const FRAME_PIPE_CAPACITY: usize = 256;

/// One connection as text frames: every item of the stream is one frame from the server (a
/// JSON array of messages); every item sent into the sink is one frame to it.
///
/// The stream ends (`None`) when the remote side closes; an `Err` item reports a broken
/// transport (the client treats it as the end of the connection). Closing the sink closes the
/// connection. Implemented for everything with this shape, e.g. a [`FrameDuplex`] or an end of
/// a [`frame_pipe`].
pub trait FrameTransport:
    Stream<Item = Result<String, ConnectorError>> + Sink<String, Error = ConnectorError> + Send
{
}

impl<T> FrameTransport for T where
    T: Stream<Item = Result<String, ConnectorError>>
        + Sink<String, Error = ConnectorError>
        + Send
        + ?Sized
{
}

/// A boxed [`FrameTransport`], what [`ButtplugConnector::connect`] returns.
pub type BoxFrameTransport = Pin<Box<dyn FrameTransport>>;

/// A way for a client to reach a server: opens a new [`FrameTransport`] on every call, so a
/// client can re-dial after the connection is lost (and open a second connection to retry a
/// refused handshake at an older spec version).
///
/// # Example
///
/// A connector whose "server" answers every frame with `Ok` (run with any executor):
///
/// ```
/// use buttplug_core::{
///     BoxFrameTransport, ButtplugConnector, ClientMessage, ConnectorError, ServerMessage,
///     SpecVersion, frame_pipe, parse_client_frame, parse_server_frame, render_client_frame,
///     render_server_frame,
/// };
/// use futures::{SinkExt, StreamExt};
///
/// #[derive(Debug)]
/// struct Echo;
///
/// #[async_trait::async_trait]
/// impl ButtplugConnector for Echo {
///     async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
///         let (client, mut server) = frame_pipe();
///         std::thread::spawn(move || {
///             futures::executor::block_on(async move {
///                 while let Some(Ok(frame)) = server.next().await {
///                     let replies: Vec<ServerMessage> = parse_client_frame(&frame, SpecVersion::V4)
///                         .into_iter()
///                         .flatten()
///                         .map(|m| ServerMessage::ok(m.id(), m.version()))
///                         .collect();
///                     if server.send(render_server_frame(&replies)).await.is_err() {
///                         break;
///                     }
///                 }
///             })
///         });
///         Ok(Box::pin(client))
///     }
/// }
///
/// futures::executor::block_on(async {
///     let mut connection = Echo.connect().await?;
///     connection
///         .send(render_client_frame(&[ClientMessage::ping(1, SpecVersion::V4)]))
///         .await?;
///     let frame = connection.next().await.ok_or(ConnectorError::Closed)??;
///     let reply = parse_server_frame(&frame, SpecVersion::V4).remove(0)?;
///     assert!(reply.is_ok());
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[async_trait]
pub trait ButtplugConnector: Send + Sync + std::fmt::Debug {
    /// Opens a new connection.
    ///
    /// # Errors
    ///
    /// [`ConnectorError::ConnectFailed`] when the transport cannot be opened; other variants as
    /// the implementation documents.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes abandons the attempt; implementations release
    /// whatever they opened.
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError>;
}

#[async_trait]
impl<T: ButtplugConnector + ?Sized> ButtplugConnector for Box<T> {
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        (**self).connect().await
    }
}

#[async_trait]
impl<T: ButtplugConnector + ?Sized> ButtplugConnector for std::sync::Arc<T> {
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        (**self).connect().await
    }
}

/// A [`FrameTransport`] made of a separate stream of incoming frames and sink of outgoing
/// ones (e.g. the read and write halves of a socket, each adapted to frames).
#[derive(Debug)]
pub struct FrameDuplex<St, Si> {
    incoming: St,
    outgoing: Si,
}

impl<St, Si> FrameDuplex<St, Si> {
    /// Glues `incoming` and `outgoing` into one transport.
    pub fn new(incoming: St, outgoing: Si) -> Self {
        FrameDuplex { incoming, outgoing }
    }

    /// The two halves again.
    pub fn into_inner(self) -> (St, Si) {
        (self.incoming, self.outgoing)
    }
}

impl<St: Stream + Unpin, Si: Unpin> Stream for FrameDuplex<St, Si> {
    type Item = St::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<St::Item>> {
        Pin::new(&mut self.incoming).poll_next(cx)
    }
}

impl<St: Unpin, Si: Sink<String> + Unpin> Sink<String> for FrameDuplex<St, Si> {
    type Error = Si::Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Si::Error>> {
        Pin::new(&mut self.outgoing).poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, frame: String) -> Result<(), Si::Error> {
        Pin::new(&mut self.outgoing).start_send(frame)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Si::Error>> {
        Pin::new(&mut self.outgoing).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Si::Error>> {
        Pin::new(&mut self.outgoing).poll_close(cx)
    }
}

/// One end of an in-memory connection of text frames; see [`frame_pipe`].
///
/// A [`FrameTransport`]: the stream yields what the other end sends and ends when the other end
/// is closed or dropped; sending fails with [`ConnectorError::Closed`] once the other end is
/// gone.
#[derive(Debug)]
pub struct FramePipe {
    sender: mpsc::Sender<String>,
    receiver: mpsc::Receiver<String>,
}

/// Both ends of an in-memory connection of text frames, each direction bounded by
/// [`FRAME_PIPE_CAPACITY`]: an in-process transport, and a scripted server for tests.
pub fn frame_pipe() -> (FramePipe, FramePipe) {
    let (a_tx, b_rx) = mpsc::channel(FRAME_PIPE_CAPACITY);
    let (b_tx, a_rx) = mpsc::channel(FRAME_PIPE_CAPACITY);
    (
        FramePipe {
            sender: a_tx,
            receiver: a_rx,
        },
        FramePipe {
            sender: b_tx,
            receiver: b_rx,
        },
    )
}

impl Stream for FramePipe {
    type Item = Result<String, ConnectorError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.receiver)
            .poll_next(cx)
            .map(|frame| frame.map(Ok))
    }
}

impl Sink<String> for FramePipe {
    type Error = ConnectorError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.sender
            .poll_ready(cx)
            .map_err(|_| ConnectorError::Closed)
    }

    fn start_send(mut self: Pin<&mut Self>, frame: String) -> Result<(), Self::Error> {
        self.sender
            .start_send(frame)
            .map_err(|_| ConnectorError::Closed)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.sender)
            .poll_flush(cx)
            .map_err(|_| ConnectorError::Closed)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Closing also stops reading, so the other end sees both directions end.
        self.receiver.close();
        Pin::new(&mut self.sender)
            .poll_close(cx)
            .map_err(|_| ConnectorError::Closed)
    }
}

/// A frame of a text-based transport (websocket), as a server-side transport loop sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Frame {
    /// A text frame: one JSON frame of messages.
    Text(String),
    /// A binary frame (not part of the protocol; the codec answers it with an error).
    Binary(Vec<u8>),
    /// The peer closed the connection.
    Close,
}

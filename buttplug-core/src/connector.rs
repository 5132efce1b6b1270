//! The client-side connector trait and the channel types it hands out.
//!
//! A connector turns some transport (an in-process server, a websocket...) into a pair of
//! bounded channels: the client sends [`ClientMessage`]s into a [`ConnectorSender`] and reads
//! [`ServerMessage`]s from a [`ConnectorReceiver`]. Dropping the sender closes the connection; the
//! receiver ends when the remote side closes.

use crate::{ClientMessage, ConnectorError, ServerMessage};
use async_trait::async_trait;
use futures::channel::mpsc;

/// Capacity of each direction of a connector's channels (messages). Bounded so a stalled
/// transport applies back-pressure instead of growing memory without limit.
pub const CONNECTOR_CHANNEL_CAPACITY: usize = 256;

/// Where the client sends messages to the server.
pub type ConnectorSender = mpsc::Sender<ClientMessage>;
/// Where the client receives messages from the server.
pub type ConnectorReceiver = mpsc::Receiver<ServerMessage>;
/// The remote end's view of the client's messages (used by connector implementations).
pub type RemoteReceiver = mpsc::Receiver<ClientMessage>;
/// The remote end's sender towards the client (used by connector implementations).
pub type RemoteSender = mpsc::Sender<ServerMessage>;

/// Both ends of an in-memory connection, each direction bounded by
/// [`CONNECTOR_CHANNEL_CAPACITY`]: `(client side, remote side)`.
///
/// Connector implementations return the client side from
/// [`ButtplugConnector::connect`] and drive the remote side from their transport; tests can use
/// it directly as a fake server.
pub fn connector_pair() -> (
    (ConnectorSender, ConnectorReceiver),
    (RemoteReceiver, RemoteSender),
) {
    let (to_server, from_client) = mpsc::channel(CONNECTOR_CHANNEL_CAPACITY);
    let (to_client, from_server) = mpsc::channel(CONNECTOR_CHANNEL_CAPACITY);
    ((to_server, from_server), (from_client, to_client))
}

/// A way for a client to reach a server.
///
/// # Example
///
/// A connector whose "server" answers every message with `Ok` (run with any executor):
///
/// ```
/// use buttplug_core::{
///     ButtplugConnector, ConnectorError, ConnectorReceiver, ConnectorSender, ServerMessage,
///     connector_pair,
/// };
/// use futures::{SinkExt, StreamExt};
///
/// #[derive(Debug)]
/// struct Echo;
///
/// #[async_trait::async_trait]
/// impl ButtplugConnector for Echo {
///     async fn connect(
///         self: Box<Self>,
///     ) -> Result<(ConnectorSender, ConnectorReceiver), ConnectorError> {
///         let (client, (mut from_client, mut to_client)) = connector_pair();
///         std::thread::spawn(move || {
///             futures::executor::block_on(async move {
///                 while let Some(m) = from_client.next().await {
///                     let reply = ServerMessage::ok(m.id(), m.version());
///                     if to_client.send(reply).await.is_err() {
///                         break;
///                     }
///                 }
///             })
///         });
///         Ok(client)
///     }
/// }
///
/// futures::executor::block_on(async {
///     let (mut tx, mut rx) = Box::new(Echo).connect().await?;
///     tx.send(buttplug_core::ClientMessage::ping(1, buttplug_core::SpecVersion::V4))
///         .await
///         .map_err(|_| ConnectorError::Closed)?;
///     let reply = rx.next().await.ok_or(ConnectorError::Closed)?;
///     assert!(reply.is_ok());
///     Ok::<(), ConnectorError>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[async_trait]
pub trait ButtplugConnector: Send + std::fmt::Debug {
    /// Connects, consuming the connector, and returns the client's ends of the connection.
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
    async fn connect(
        self: Box<Self>,
    ) -> Result<(ConnectorSender, ConnectorReceiver), ConnectorError>;
}

/// A frame of a text-based transport (websocket), as a connector's transport loop sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Frame {
    /// A text frame: one JSON frame of messages.
    Text(String),
    /// A binary frame (not part of the protocol; the codec answers it with an error).
    Binary(Vec<u8>),
    /// The peer closed the connection.
    Close,
}

//! Helpers: raw WebSocket peers and bounded waits.

use async_std::net::TcpStream;
use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::Message;
use buttplug_transport_ws::WebsocketServerTransport;
use futures::StreamExt;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

/// Upper bound for anything a test waits for.
pub const WAIT: Duration = Duration::from_secs(5);

pub fn block_on<F: Future>(f: F) -> F::Output {
    async_std::task::block_on(f)
}

/// `future`, or a panic after [`WAIT`].
pub async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match async_std::future::timeout(WAIT, future).await {
        Ok(v) => v,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

pub type Ws = WebSocketStream<TcpStream>;

/// A server transport on a free loopback port.
pub async fn bind_loopback() -> WebsocketServerTransport {
    WebsocketServerTransport::builder()
        .port(0)
        .bind()
        .await
        .unwrap()
}

/// The `ws://` URL of a bound transport.
pub fn url_of(transport: &WebsocketServerTransport) -> String {
    format!("ws://{}", transport.local_addr())
}

/// A raw WebSocket client.
pub async fn ws_client(addr: SocketAddr) -> Ws {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (ws, _) = async_tungstenite::client_async(format!("ws://{addr}"), tcp)
        .await
        .unwrap();
    ws
}

/// The next data or close message (pings and pongs skipped); `None` when the stream ended or
/// failed.
pub async fn next_data(ws: &mut Ws) -> Option<Message> {
    loop {
        match within("a websocket message", ws.next()).await {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(m)) => return Some(m),
            Some(Err(_)) | None => return None,
        }
    }
}

/// Whether the peer closed (a Close frame, or the stream ended).
pub async fn closed(ws: &mut Ws) -> bool {
    matches!(next_data(ws).await, Some(Message::Close(_)) | None)
}

//! Repeater mode: accept local WebSocket clients on `127.0.0.1:<port>` and relay each one to a
//! new connection to the remote server, text and binary frames copied unmodified both ways.
//! When either side closes, the other is closed (with a close frame where it is still open).

use crate::engine::{Emitter, EngineError, Listening, chain};
use crate::rt;
use async_tungstenite::tungstenite::Message;
use buttplug_core::Frame;
use buttplug_transport_ws::DialOptions;
use futures::future::{Either, select};
use futures::{SinkExt, StreamExt};
use std::net::{Ipv4Addr, SocketAddr};

const WHAT: &str = "the repeater";

/// The remote URL: `ws://` is added when the address has no scheme.
fn remote_url(remote: &str) -> String {
    if remote.starts_with("ws://") || remote.starts_with("wss://") {
        remote.to_string()
    } else {
        format!("ws://{remote}")
    }
}

/// Listen and relay until the listener fails.
pub(crate) async fn run(port: u16, remote: String, emitter: Emitter) -> Result<(), EngineError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = rt::TcpListener::bind(address)
        .await
        .map_err(|e| EngineError::listen(WHAT, address, &e))?;
    let local = listener
        .local_addr()
        .map_err(|e| EngineError::listen(WHAT, address, &e))?;
    let remote = remote_url(&remote);
    tracing::info!("repeater listening on ws://{local}, relaying to {remote}");
    emitter.listening(Listening::Repeater(local));
    loop {
        let (stream, peer) = listener
            .accept()
            .await
            .map_err(|e| EngineError::listen(WHAT, local, &e))?;
        let _ = stream.set_nodelay(true);
        rt::spawn(relay(stream, peer, remote.clone()));
    }
}

/// Relay one local client.
async fn relay(stream: async_std::net::TcpStream, peer: SocketAddr, remote: String) {
    let local = match async_tungstenite::accept_async(stream).await {
        Ok(ws) => ws,
        Err(e) => {
            tracing::info!(%peer, "repeater: websocket upgrade failed: {e}");
            return;
        }
    };
    // No pings from us: the two ends ping each other through the relay if they want to.
    let options = DialOptions::new().ping_interval(None);
    let upstream = match buttplug_transport_ws::dial_with(&remote, &options).await {
        Ok(connection) => connection,
        Err(e) => {
            tracing::warn!(%peer, "repeater: cannot reach {remote}: {}", chain(&e));
            let mut local = local;
            let _ = local.close(None).await;
            return;
        }
    };
    tracing::info!(%peer, "repeater: relaying to {remote}");
    let (mut local_tx, mut local_rx) = local.split();
    let (mut up_tx, mut up_rx) = upstream.split();
    let to_remote = async move {
        while let Some(Ok(message)) = local_rx.next().await {
            let frame = match message {
                Message::Text(t) => Frame::Text(t.as_str().to_string()),
                Message::Binary(b) => Frame::Binary(b.to_vec()),
                Message::Close(_) => break,
                // tungstenite answers pings itself; pongs and raw frames are not relayed.
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            };
            if up_tx.send(frame).await.is_err() {
                break;
            }
        }
        let _ = up_tx.send(Frame::Close).await;
    };
    let to_local = async move {
        while let Some(frame) = up_rx.next().await {
            let message = match frame {
                Frame::Text(t) => Message::Text(t.into()),
                Frame::Binary(b) => Message::Binary(b.into()),
                Frame::Close => break,
            };
            if local_tx.send(message).await.is_err() {
                break;
            }
        }
        let _ = local_tx.close(None).await;
    };
    match select(Box::pin(to_remote), Box::pin(to_local)).await {
        Either::Left(_) => tracing::info!(%peer, "repeater: local client closed"),
        Either::Right(_) => tracing::info!(%peer, "repeater: remote closed"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ws_is_added_only_without_a_scheme() {
        assert_eq!(super::remote_url("10.0.0.2:12345"), "ws://10.0.0.2:12345");
        assert_eq!(super::remote_url("ws://h:1/x"), "ws://h:1/x");
        assert_eq!(super::remote_url("wss://h:1"), "wss://h:1");
    }
}

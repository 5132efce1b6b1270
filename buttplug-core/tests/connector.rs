//! The in-memory connector pair and Frame.

use buttplug_core::*;
use futures::{SinkExt, StreamExt};

#[test]
fn pair_carries_messages_both_ways_and_closes() {
    futures::executor::block_on(async {
        let ((mut tx, mut rx), (mut remote_rx, mut remote_tx)) = connector_pair();
        tx.send(ClientMessage::ping(1, SpecVersion::V4))
            .await
            .expect("send");
        let got = remote_rx.next().await.expect("message");
        assert_eq!(got.id(), 1);
        remote_tx
            .send(ServerMessage::ok(1, SpecVersion::V4))
            .await
            .expect("send");
        assert!(rx.next().await.expect("reply").is_ok());
        drop(tx);
        assert!(
            remote_rx.next().await.is_none(),
            "dropping the sender closes"
        );
        drop(remote_tx);
        assert!(rx.next().await.is_none());
    });
}

#[test]
fn channels_are_bounded() {
    let ((mut tx, _rx), _remote) = connector_pair();
    let mut sent = 0;
    while tx.try_send(ClientMessage::ping(1, SpecVersion::V4)).is_ok() {
        sent += 1;
        assert!(sent <= CONNECTOR_CHANNEL_CAPACITY + 1, "unbounded");
    }
    assert!(sent >= CONNECTOR_CHANNEL_CAPACITY);
}

#[test]
fn connector_errors_map_to_codes() {
    let e = ConnectorError::connect_failed("ws://127.0.0.1:1", std::io::Error::other("refused"));
    assert!(matches!(e, ConnectorError::ConnectFailed { .. }));
    assert!(std::error::Error::source(&e).is_some());
    assert_eq!(e.error_code(), ErrorCode::Unknown);
    let e = ConnectorError::from(MessageError::EmptyFrame);
    assert_eq!(e.error_code(), ErrorCode::Msg);
    assert_eq!(Frame::Text("[]".into()), Frame::Text("[]".into()));
}

//! The in-memory frame pipe, the duplex glue, and connector errors.

use buttplug_core::*;
use futures::{SinkExt, StreamExt};

#[test]
fn pipe_carries_frames_both_ways_and_closes() {
    futures::executor::block_on(async {
        let (mut client, mut server) = frame_pipe();
        client.send("[1]".to_string()).await.expect("send");
        assert_eq!(server.next().await.expect("frame").expect("ok"), "[1]");
        server.send("[2]".to_string()).await.expect("send");
        assert_eq!(client.next().await.expect("frame").expect("ok"), "[2]");
        client.close().await.expect("close");
        assert!(server.next().await.is_none(), "closing ends the other side");
        assert!(
            matches!(
                server.send("[3]".to_string()).await,
                Err(ConnectorError::Closed)
            ),
            "the closed side reads nothing more"
        );
        drop(server);
        assert!(client.next().await.is_none());
    });
}

#[test]
fn pipe_is_bounded() {
    let (mut client, _server) = frame_pipe();
    let mut sent = 0;
    let waker = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    while futures::Sink::poll_ready(std::pin::Pin::new(&mut client), &mut cx).is_ready() {
        futures::Sink::start_send(std::pin::Pin::new(&mut client), "[]".to_string()).expect("send");
        sent += 1;
        assert!(sent <= FRAME_PIPE_CAPACITY + 1, "unbounded");
    }
    assert!(sent >= FRAME_PIPE_CAPACITY);
}

#[test]
fn duplex_glues_a_stream_and_a_sink() {
    futures::executor::block_on(async {
        let incoming = futures::stream::iter(vec![Ok::<_, ConnectorError>("[a]".to_string())]);
        let (tx, mut rx) = futures::channel::mpsc::channel::<String>(4);
        let outgoing = tx.sink_map_err(|_| ConnectorError::Closed);
        let mut duplex: BoxFrameTransport = Box::pin(FrameDuplex::new(incoming, outgoing));
        duplex.send("[b]".to_string()).await.expect("send");
        assert_eq!(rx.next().await.as_deref(), Some("[b]"));
        assert_eq!(duplex.next().await.expect("frame").expect("ok"), "[a]");
        assert!(duplex.next().await.is_none());
    });
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

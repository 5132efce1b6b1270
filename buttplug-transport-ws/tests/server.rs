//! The server transport: one client slot, error frame for a second client, limits, timeouts.

use crate::util::*;
use async_std::io::ReadExt;
use async_tungstenite::tungstenite::Message;
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use buttplug_core::{ErrorCode, Frame, SpecVersion, parse_server_frame};
use buttplug_transport_ws::{
    BUSY_MESSAGE, DEFAULT_MAX_FRAME_SIZE, WebsocketServerTransport, busy_message,
};
use futures::{SinkExt, StreamExt};
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

#[test]
fn binds_loopback_unless_told_otherwise() {
    block_on(async {
        let local = bind_loopback().await;
        assert_eq!(local.local_addr().ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_ne!(local.local_addr().port(), 0);
        let all = WebsocketServerTransport::builder()
            .use_all_interfaces(true)
            .port(0)
            .bind()
            .await
            .unwrap();
        assert_eq!(all.local_addr().ip(), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let explicit = WebsocketServerTransport::builder()
            .listen_address(IpAddr::V4(Ipv4Addr::LOCALHOST))
            .port(0)
            .bind()
            .await
            .unwrap();
        assert_eq!(explicit.local_addr().ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    });
}

#[test]
fn one_client_at_a_time_and_the_slot_is_freed_when_it_leaves() {
    block_on(async {
        let transport = bind_loopback().await;
        let addr = transport.local_addr();

        let mut first = ws_client(addr).await;
        let mut connection = within("the first client", transport.accept())
            .await
            .unwrap();
        assert_eq!(
            connection.peer().map(|p| p.ip()),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        first.send(Message::Text("hello".into())).await.unwrap();
        assert_eq!(
            within("a frame", connection.next()).await,
            Some(Frame::Text("hello".into()))
        );
        connection.send(Frame::Text("world".into())).await.unwrap();
        assert_eq!(
            next_data(&mut first).await,
            Some(Message::Text("world".into()))
        );

        // A second client gets the Error frame, then the close.
        let mut second = ws_client(addr).await;
        let Some(Message::Text(text)) = next_data(&mut second).await else {
            panic!("no error frame");
        };
        let parsed = parse_server_frame(text.as_str(), SpecVersion::V4);
        let [Ok(message)] = parsed.as_slice() else {
            panic!("{text}")
        };
        let error = message.as_error().unwrap();
        assert_eq!((error.id, error.error_code), (0, ErrorCode::Init));
        assert_eq!(error.error_message, BUSY_MESSAGE);
        assert!(error.error_message.contains("another client is connected"));
        assert!(text.as_str().starts_with(r#"[{"Error":{"Id":0,"#), "{text}");
        assert!(closed(&mut second).await);

        // The first client is unaffected.
        first
            .send(Message::Text("still here".into()))
            .await
            .unwrap();
        assert_eq!(
            within("a frame", connection.next()).await,
            Some(Frame::Text("still here".into()))
        );

        // It leaves; the slot is free for the next one.
        first.close(None).await.unwrap();
        assert_eq!(
            within("the end", connection.next()).await,
            Some(Frame::Close)
        );
        let mut third = ws_client(addr).await;
        let mut connection = within("the third client", transport.accept())
            .await
            .unwrap();
        third.send(Message::Text("third".into())).await.unwrap();
        assert_eq!(
            within("a frame", connection.next()).await,
            Some(Frame::Text("third".into()))
        );
    });
}

#[test]
fn max_clients_three_serves_three_at_once_and_refuses_the_fourth() {
    block_on(async {
        let transport = WebsocketServerTransport::builder()
            .port(0)
            .max_clients(3)
            .bind()
            .await
            .unwrap();
        let addr = transport.local_addr();
        let mut clients = Vec::new();
        let mut connections = Vec::new();
        for n in 0..3 {
            clients.push(ws_client(addr).await);
            connections.push(within("a client", transport.accept()).await.unwrap());
            clients[n]
                .send(Message::Text(format!("client {n}").into()))
                .await
                .unwrap();
            assert_eq!(
                within("a frame", connections[n].next()).await,
                Some(Frame::Text(format!("client {n}")))
            );
        }
        // The fourth gets the Error frame naming the count, then the close.
        let mut fourth = ws_client(addr).await;
        let Some(Message::Text(text)) = next_data(&mut fourth).await else {
            panic!("no error frame");
        };
        let parsed = parse_server_frame(text.as_str(), SpecVersion::V4);
        let [Ok(message)] = parsed.as_slice() else {
            panic!("{text}")
        };
        let error = message.as_error().unwrap();
        assert_eq!((error.id, error.error_code), (0, ErrorCode::Init));
        assert_eq!(error.error_message, busy_message(3));
        assert_eq!(
            error.error_message,
            "Connection refused: 3 clients are connected to this server (3 clients at a time)"
        );
        assert!(closed(&mut fourth).await);
        assert_eq!(busy_message(1), BUSY_MESSAGE);

        // The second leaves: one slot is free again, and only one.
        clients.remove(1).close(None).await.unwrap();
        assert_eq!(
            within("the end", connections[1].next()).await,
            Some(Frame::Close)
        );
        let mut fifth = ws_client(addr).await;
        let mut connection = within("the fifth client", transport.accept())
            .await
            .unwrap();
        fifth.send(Message::Text("fifth".into())).await.unwrap();
        assert_eq!(
            within("a frame", connection.next()).await,
            Some(Frame::Text("fifth".into()))
        );
        let mut sixth = ws_client(addr).await;
        assert!(matches!(
            next_data(&mut sixth).await,
            Some(Message::Text(t)) if t.as_str().contains("3 clients at a time")
        ));
        assert!(closed(&mut sixth).await);
    });
}

#[test]
fn the_slot_is_freed_when_the_server_drops_the_connection() {
    block_on(async {
        let transport = bind_loopback().await;
        let addr = transport.local_addr();
        let mut first = ws_client(addr).await;
        let connection = within("the first client", transport.accept())
            .await
            .unwrap();
        drop(connection);
        assert!(closed(&mut first).await);
        let _second = ws_client(addr).await;
        within("the second client", transport.accept())
            .await
            .unwrap();
    });
}

#[test]
fn binary_frames_arrive_as_binary() {
    block_on(async {
        let transport = bind_loopback().await;
        let mut client = ws_client(transport.local_addr()).await;
        let mut connection = within("the client", transport.accept()).await.unwrap();
        client
            .send(Message::Binary(vec![1, 2, 3].into()))
            .await
            .unwrap();
        assert_eq!(
            within("a frame", connection.next()).await,
            Some(Frame::Binary(vec![1, 2, 3]))
        );
        connection.send(Frame::Binary(vec![4, 5])).await.unwrap();
        assert_eq!(
            next_data(&mut client).await,
            Some(Message::Binary(vec![4, 5].into()))
        );
    });
}

/// What a raw client sees after sending one frame of `size` bytes to a server whose limit is
/// `limit`: the server side yields [`Frame::Close`]; the client gets (text frames, close code).
/// The frame goes out from its own task so that a frame larger than the socket buffers cannot
/// stall the test.
async fn send_oversized(limit: Option<usize>, size: usize) -> (Vec<String>, Option<CloseCode>) {
    let mut builder = WebsocketServerTransport::builder().port(0);
    if let Some(limit) = limit {
        builder = builder.max_frame_size(limit);
    }
    let transport = builder.bind().await.unwrap();
    let client = ws_client(transport.local_addr()).await;
    let mut connection = within("the client", transport.accept()).await.unwrap();
    let (mut to_server, mut from_server) = client.split();
    async_std::task::spawn(async move {
        let _ = to_server.send(Message::Text("x".repeat(size).into())).await;
        // Keep the write half open until the server has closed.
        async_std::task::sleep(WAIT).await;
    });
    assert_eq!(
        within("the end", connection.next()).await,
        Some(Frame::Close)
    );
    let mut texts = Vec::new();
    let mut code = None;
    while let Some(Ok(message)) = within("the farewell", from_server.next()).await {
        match message {
            Message::Text(t) => texts.push(t.as_str().to_string()),
            Message::Close(frame) => {
                code = frame.map(|f| f.code);
                break;
            }
            _ => {}
        }
    }
    (texts, code)
}

/// The `Error` a client gets for a frame above `limit`: Id 0, ERROR_MSG, in the shape every
/// spec version reads.
fn assert_frame_too_large(texts: &[String], limit: usize) {
    let [text] = texts else {
        panic!("expected exactly one Error frame, got {texts:?}")
    };
    let expected = format!(
        r#"[{{"Error":{{"Id":0,"ErrorMessage":"frame too large: this server accepts frames of at most {limit} bytes","ErrorCode":3}}}}]"#
    );
    assert_eq!(text, &expected);
    for version in SpecVersion::ALL {
        let parsed = parse_server_frame(text, version);
        let [Ok(message)] = parsed.as_slice() else {
            panic!("{version}: {text}")
        };
        let error = message.as_error().unwrap();
        assert_eq!((error.id, error.error_code), (0, ErrorCode::Msg));
    }
}

#[test]
fn frames_over_the_size_limit_get_an_error_then_the_close() {
    block_on(async {
        let transport = WebsocketServerTransport::builder()
            .port(0)
            .max_frame_size(1024)
            .bind()
            .await
            .unwrap();
        let mut client = ws_client(transport.local_addr()).await;
        let mut connection = within("the client", transport.accept()).await.unwrap();
        client
            .send(Message::Text("x".repeat(1000).into()))
            .await
            .unwrap();
        assert!(matches!(
            within("a frame", connection.next()).await,
            Some(Frame::Text(t)) if t.len() == 1000
        ));
        drop((client, connection, transport));

        let (texts, code) = send_oversized(Some(1024), 2048).await;
        assert_frame_too_large(&texts, 1024);
        assert_eq!(code, Some(CloseCode::Size));
    });
}

/// At the default limit (1 MiB) the frame is far larger than what the server reads at once:
/// the client still gets the Error and the close, not a reset connection.
#[test]
fn a_frame_over_the_default_limit_gets_the_error_too() {
    block_on(async {
        let (texts, code) = send_oversized(None, DEFAULT_MAX_FRAME_SIZE + 4096).await;
        assert_frame_too_large(&texts, DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(code, Some(CloseCode::Size));
    });
}

#[test]
fn sockets_that_never_upgrade_are_dropped() {
    block_on(async {
        let transport = WebsocketServerTransport::builder()
            .port(0)
            .handshake_timeout(Duration::from_millis(200))
            .bind()
            .await
            .unwrap();
        let addr = transport.local_addr();
        let started = Instant::now();
        let mut stalled = async_std::net::TcpStream::connect(addr).await.unwrap();
        // Meanwhile a real client is served: the stalled socket holds no slot.
        let _client = ws_client(addr).await;
        within("the client", transport.accept()).await.unwrap();
        let mut buffer = [0u8; 16];
        let read = within("the server to drop the socket", stalled.read(&mut buffer)).await;
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
        assert!(started.elapsed() >= Duration::from_millis(200));
    });
}

#[test]
fn the_server_pings_and_drops_a_silent_client() {
    block_on(async {
        let transport = WebsocketServerTransport::builder()
            .port(0)
            .ping_interval(Some(Duration::from_millis(250)))
            .bind()
            .await
            .unwrap();
        // A client that reads gets pings (and answers them automatically). The connection is
        // driven by whoever polls it (a server session polls it all the time), so it is polled
        // here alongside the client.
        let mut reader = ws_client(transport.local_addr()).await;
        let mut connection = within("the client", transport.accept()).await.unwrap();
        let client = async {
            let ping = within("a ping", async {
                loop {
                    match reader.next().await {
                        Some(Ok(Message::Ping(_))) => return true,
                        Some(Ok(_)) => continue,
                        _ => return false,
                    }
                }
            })
            .await;
            assert!(ping);
            // Keep answering for a few intervals: the connection stays up.
            let alive = async_std::future::timeout(Duration::from_millis(700), async {
                while let Some(Ok(_)) = reader.next().await {}
            })
            .await;
            assert!(
                alive.is_err(),
                "the connection ended while the client answered pings"
            );
            drop(reader);
        };
        let server = async { within("the end", connection.next()).await };
        let ((), end) = futures::join!(client, server);
        assert_eq!(end, Some(Frame::Close));

        // A client that never reads never answers: it is dropped after a missed ping.
        let _silent = ws_client(transport.local_addr()).await;
        let mut connection = within("the silent client", transport.accept())
            .await
            .unwrap();
        let started = Instant::now();
        assert_eq!(
            within("the drop", connection.next()).await,
            Some(Frame::Close)
        );
        assert!(started.elapsed() >= Duration::from_millis(400));
    });
}

#[test]
fn connections_are_a_stream_and_dropping_the_transport_stops_listening() {
    block_on(async {
        let mut transport = bind_loopback().await;
        let addr = transport.local_addr();
        let _client = ws_client(addr).await;
        let connection = within("the client", transport.next()).await;
        assert!(connection.is_some());
        drop(transport);
        let refused = within("the listener to close", async {
            loop {
                if async_std::net::TcpStream::connect(addr).await.is_err() {
                    return true;
                }
                async_std::task::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(refused);
    });
}

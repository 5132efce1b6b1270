//! The client connector (with `buttplug-client` on top) and the reverse mode.

use crate::util::*;
use async_tungstenite::tungstenite::Message;
use buttplug_client::{ButtplugClient, ErrorCode};
use buttplug_core::{
    ButtplugConnector, ClientMessage, ConnectorError, DeviceInfo, FeatureInfo, Frame, OutputInfo,
    OutputType, ServerInfo, ServerMessage, SpecVersion, StepRange, device_list_message,
    handshake_version, parse_client_frame, render_server_frame,
};
use buttplug_transport_ws::{
    Connection, DialOptions, TransportError, WebsocketClientConnector, WebsocketClientTransport,
};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use std::time::Duration;

fn vibrator() -> DeviceInfo {
    DeviceInfo::new(0, "Vibrator").with_feature(
        FeatureInfo::new(0, "")
            .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20))),
    )
}

/// A tiny server on one accepted connection: answers the handshake and the device list, `Ok`
/// to anything else, and reports every client message it saw.
async fn tiny_server(mut connection: Connection, seen: mpsc::UnboundedSender<ClientMessage>) {
    let mut version = None;
    while let Some(Frame::Text(text)) = connection.next().await {
        let v = match version {
            Some(v) => v,
            None => {
                let v = handshake_version(&text).unwrap();
                version = Some(v);
                v
            }
        };
        for message in parse_client_frame(&text, v) {
            let message = message.unwrap();
            let reply = match message.name() {
                "RequestServerInfo" => ServerInfo::new("Tiny", 0).to_message(message.id(), v),
                "RequestDeviceList" => device_list_message(message.id(), &[vibrator()], v),
                _ => ServerMessage::ok(message.id(), v),
            };
            let _ = seen.unbounded_send(message);
            let frame = Frame::Text(render_server_frame(&[reply]));
            if connection.send(frame).await.is_err() {
                return;
            }
        }
    }
}

async fn serve_once() -> (String, mpsc::UnboundedReceiver<ClientMessage>) {
    let transport = bind_loopback().await;
    let url = url_of(&transport);
    let (seen, seen_rx) = mpsc::unbounded();
    async_std::task::spawn(async move {
        let connection = transport.accept().await.unwrap();
        tiny_server(connection, seen).await;
    });
    (url, seen_rx)
}

fn client_session(version: SpecVersion) {
    block_on(async {
        let (url, mut seen) = serve_once().await;
        let client = ButtplugClient::builder("WS Test")
            .spec_version(version)
            .build();
        let driver = client
            .connect(WebsocketClientConnector::new(url))
            .await
            .unwrap();
        async_std::task::spawn(driver);
        assert_eq!(client.server_name().as_deref(), Some("Tiny"));
        let first = within("the handshake", seen.next()).await.unwrap();
        assert_eq!(first.handshake_request().unwrap().1, version);
        assert_eq!(
            within("the list", seen.next()).await.unwrap().name(),
            "RequestDeviceList"
        );

        let device = client.device(0).unwrap();
        device.vibrate(0.5).await.unwrap();
        let sent = within("the command", seen.next()).await.unwrap();
        let expected = if version == SpecVersion::V4 {
            "OutputCmd"
        } else {
            "ScalarCmd"
        };
        assert_eq!(sent.name(), expected);

        client.disconnect().await.unwrap();
        assert_eq!(
            within("the stop", seen.next()).await.unwrap().version(),
            version
        );
        // The server saw the connection end.
        assert!(within("the end", seen.next()).await.is_none());
    });
}

#[test]
fn buttplug_client_over_websocket_at_v4() {
    client_session(SpecVersion::V4);
}

#[test]
fn buttplug_client_over_websocket_at_v3() {
    client_session(SpecVersion::V3);
}

#[test]
fn unparsable_replies_fail_the_request_with_error_msg() {
    block_on(async {
        let transport = bind_loopback().await;
        let url = url_of(&transport);
        async_std::task::spawn(async move {
            let mut connection = transport.accept().await.unwrap();
            let Some(Frame::Text(_)) = connection.next().await else {
                return;
            };
            // A ServerInfo with a field of the wrong type: the Id is readable, the rest is not.
            let bad = r#"[{"ServerInfo":{"Id":1,"ServerName":7}}]"#;
            let _ = connection.send(Frame::Text(bad.into())).await;
            let _ = connection.next().await;
        });
        // Without the v3 fallback: a ServerInfo unreadable at v4 would otherwise be retried at
        // v3 on a new connection (an old server answering in its own shape).
        let client = ButtplugClient::builder("WS Test")
            .fallback_to_v3(false)
            .build();
        let error = client
            .connect(WebsocketClientConnector::new(url))
            .await
            .unwrap_err();
        assert_eq!(error.server_error_code(), Some(ErrorCode::Msg), "{error:?}");
    });
}

#[test]
fn queued_messages_leave_one_frame_each_and_in_order() {
    block_on(async {
        let transport = bind_loopback().await;
        let url = url_of(&transport);
        let (frames_tx, mut frames) = mpsc::unbounded();
        async_std::task::spawn(async move {
            let mut connection = transport.accept().await.unwrap();
            while let Some(Frame::Text(text)) = connection.next().await {
                let _ = frames_tx.unbounded_send(text);
            }
        });
        let connector = WebsocketClientConnector::new(url);
        let mut to_server = connector.connect().await.unwrap();
        // Queued, then written together.
        for id in 1..=100u32 {
            let text = format!(r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#);
            to_server.feed(text).await.unwrap();
        }
        to_server.flush().await.unwrap();
        for id in 1..=100u32 {
            let text = within("a frame", frames.next()).await.unwrap();
            let messages = parse_client_frame(&text, SpecVersion::V4);
            assert_eq!(messages.len(), 1, "{text}");
            assert_eq!(messages[0].as_ref().unwrap().id(), id, "{text}");
        }
    });
}

#[test]
fn the_client_connector_enforces_its_frame_limit() {
    block_on(async {
        let transport = bind_loopback().await;
        let url = url_of(&transport);
        async_std::task::spawn(async move {
            let mut connection = transport.accept().await.unwrap();
            let _ = connection
                .send(Frame::Text(format!("[{}]", " ".repeat(4096))))
                .await;
            let _ = connection.next().await;
            let _ = connection.next().await;
        });
        let connector = WebsocketClientConnector::new(url)
            .with_options(DialOptions::new().max_frame_size(1024));
        let mut from_server = connector.connect().await.unwrap();
        // The oversized frame ends the connection instead of reaching the client.
        assert!(within("the end", from_server.next()).await.is_none());
    });
}

#[test]
fn connecting_to_nothing_fails() {
    block_on(async {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let result = WebsocketClientConnector::new(format!("ws://{addr}"))
            .connect()
            .await;
        assert!(matches!(result, Err(ConnectorError::ConnectFailed { .. })));

        let result = WebsocketClientConnector::new("http://nope").connect().await;
        assert!(matches!(result, Err(ConnectorError::ConnectFailed { .. })));
    });
}

#[test]
fn connect_times_out_when_the_upgrade_never_comes() {
    block_on(async {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let _hold = async_std::task::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            async_std::task::sleep(Duration::from_secs(3)).await;
            drop(socket);
        });
        let options = DialOptions::new().connect_timeout(Duration::from_millis(200));
        let result =
            WebsocketClientTransport::connect_with(&format!("ws://{addr}"), &options).await;
        assert!(
            matches!(result, Err(TransportError::Timeout { .. })),
            "{result:?}"
        );
    });
}

#[cfg(not(feature = "tls"))]
#[test]
fn wss_needs_the_tls_feature() {
    block_on(async {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let result = WebsocketClientTransport::connect(&format!("wss://{addr}")).await;
        assert!(
            matches!(result, Err(TransportError::TlsNotCompiled)),
            "{result:?}"
        );
    });
}

#[cfg(feature = "tls")]
#[test]
fn wss_fails_against_a_plain_server() {
    block_on(async {
        let transport = bind_loopback().await;
        let addr = transport.local_addr();
        let options = DialOptions::new().connect_timeout(Duration::from_secs(2));
        let result =
            WebsocketClientTransport::connect_with(&format!("wss://{addr}"), &options).await;
        assert!(result.is_err());
    });
}

#[test]
fn reverse_mode_dials_a_listening_client() {
    block_on(async {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = async_std::task::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = async_tungstenite::accept_async(tcp).await.unwrap();
            ws.send(Message::Text("[]".into())).await.unwrap();
            let reply = next_data(&mut ws).await;
            let _ = ws.close(None).await;
            reply
        });
        let mut connection = WebsocketClientTransport::connect(&format!("ws://{addr}"))
            .await
            .unwrap();
        assert_eq!(
            within("a frame", connection.next()).await,
            Some(Frame::Text("[]".into()))
        );
        connection.send(Frame::Text("hi".into())).await.unwrap();
        assert_eq!(
            within("the app", app).await,
            Some(Message::Text("hi".into()))
        );
        assert_eq!(
            within("the end", connection.next()).await,
            Some(Frame::Close)
        );
    });
}

/// In reverse mode the dialled connection is the server's side: an oversized frame from the
/// listening app gets the `Error` (Id 0, ERROR_MSG) and a close, like on an accepted one.
#[test]
fn reverse_mode_answers_an_oversized_frame_with_an_error() {
    block_on(async {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = async_std::task::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = async_tungstenite::accept_async(tcp).await.unwrap();
            ws.send(Message::Text("y".repeat(2048).into()))
                .await
                .unwrap();
            let error = next_data(&mut ws).await;
            let close = next_data(&mut ws).await;
            (error, close)
        });
        let options = DialOptions::new().max_frame_size(1024);
        let mut connection =
            WebsocketClientTransport::connect_with(&format!("ws://{addr}"), &options)
                .await
                .unwrap();
        assert_eq!(
            within("the end", connection.next()).await,
            Some(Frame::Close)
        );
        let (error, close) = within("the app", app).await;
        assert_eq!(
            error,
            Some(Message::Text(
                r#"[{"Error":{"Id":0,"ErrorMessage":"frame too large: this server accepts frames of at most 1024 bytes","ErrorCode":3}}]"#.into()
            ))
        );
        assert!(matches!(close, Some(Message::Close(Some(_)))), "{close:?}");
    });
}

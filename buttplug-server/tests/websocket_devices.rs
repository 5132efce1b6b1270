//! The WebSocket device server: handshake rules and the full path to a device simulator.

use crate::util::{Client, name};
use async_tungstenite::tungstenite::Message;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::managers::websocket_devices::WebsocketDeviceServerBuilder;
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

type Ws = async_tungstenite::WebSocketStream<async_std::net::TcpStream>;

async fn server(ping: Duration) -> (ButtplugServer, SocketAddr) {
    let wsdm = WebsocketDeviceServerBuilder::new()
        .listen_address(SocketAddr::from(([127, 0, 0, 1], 0)))
        .ping_interval(ping);
    let bound = wsdm.bound_address();
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(wsdm)
        .message_gap_override(Some(Duration::ZERO))
        .finish()
        .unwrap();
    let addr = bound.await.unwrap();
    (
        ButtplugServerBuilder::new().device_manager(dm).finish(),
        addr,
    )
}

async fn dial(addr: SocketAddr) -> Ws {
    let tcp = async_std::net::TcpStream::connect(addr).await.unwrap();
    let (ws, _) = async_tungstenite::client_async(format!("ws://{addr}"), tcp)
        .await
        .unwrap();
    ws
}

/// After a bad first frame the server closes: the next read ends (close frame or EOF).
async fn expect_closed(ws: &mut Ws) {
    let r = buttplug_devices::with_timeout(Duration::from_secs(3), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(r.is_ok(), "server did not close the connection");
}

async fn device_count(c: &mut Client) -> usize {
    let list = c.request(json!({"RequestDeviceList": {}})).await;
    list["DeviceList"]["Devices"]
        .as_object()
        .map_or(0, |o| o.len())
}

#[test]
fn bad_first_frames_are_closed_and_add_nothing() {
    buttplug_server::block_on(async {
        let (server, addr) = server(Duration::from_secs(10)).await;
        let mut c = Client::new(&server);
        c.handshake(4).await;
        for first in [
            Message::Text("not json".into()),
            Message::Text(r#"{"identifier":"lovense","address":"x"}"#.into()),
            Message::Text(r#"{"identifier":"lovense","address":"x","version":0,"extra":1}"#.into()),
            Message::Binary(
                br#"{"identifier":"lovense","address":"x","version":0}"#
                    .to_vec()
                    .into(),
            ),
        ] {
            let mut ws = dial(addr).await;
            ws.send(first).await.unwrap();
            expect_closed(&mut ws).await;
        }
        assert_eq!(device_count(&mut c).await, 0);
    });
}

#[test]
fn a_good_handshake_connects_a_lovense_and_commands_arrive_as_binary() {
    buttplug_server::block_on(async {
        let (server, addr) = server(Duration::from_secs(10)).await;
        let mut ws = dial(addr).await;
        ws.send(Message::Text(
            r#"{"identifier":"lovense","address":"ws:01","version":0}"#.into(),
        ))
        .await
        .unwrap();
        // Identification arrives as a binary frame; answer like a Hush.
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => assert_eq!(&b[..], b"DeviceType;"),
            other => panic!("expected DeviceType;, got {other:?}"),
        }
        ws.send(Message::Text("Z:11:0082059AD3BD;".into()))
            .await
            .unwrap();
        let mut c = Client::new(&server);
        c.handshake(4).await;
        for _ in 0..200 {
            if device_count(&mut c).await == 1 {
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(10)).await;
        }
        let list = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(
            list["DeviceList"]["Devices"]["0"]["DeviceName"],
            json!("Lovense Hush"),
            "{list}"
        );
        let r = c
            .request(json!({"OutputCmd": {"DeviceIndex": 0, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": 10}}}}))
            .await;
        assert_eq!(name(&r), "Ok");
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => assert_eq!(&b[..], b"Vibrate:10;"),
            other => panic!("expected Vibrate:10;, got {other:?}"),
        }
        // Closing the device socket removes the device.
        ws.close(None).await.unwrap();
        for _ in 0..200 {
            if device_count(&mut c).await == 0 {
                return;
            }
            buttplug_devices::sleep(Duration::from_millis(10)).await;
        }
        panic!("device was not removed after its socket closed");
    });
}

#[test]
fn a_device_that_stops_answering_pings_is_removed() {
    buttplug_server::block_on(async {
        let (server, addr) = server(Duration::from_millis(100)).await;
        // A raw TCP peer that finishes the WebSocket handshake and then never reads again:
        // pings go unanswered.
        let mut ws = dial(addr).await;
        ws.send(Message::Text(
            r#"{"identifier":"lovense","address":"ws:02","version":0}"#.into(),
        ))
        .await
        .unwrap();
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => assert_eq!(&b[..], b"DeviceType;"),
            other => panic!("expected DeviceType;, got {other:?}"),
        }
        ws.send(Message::Text("Z:11:0082059AD3BD;".into()))
            .await
            .unwrap();
        let mut c = Client::new(&server);
        c.handshake(4).await;
        let mut added = false;
        for _ in 0..200 {
            if device_count(&mut c).await == 1 {
                added = true;
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        assert!(added);
        // Stop reading: tungstenite answers pings only while the stream is polled.
        for _ in 0..200 {
            if device_count(&mut c).await == 0 {
                drop(ws);
                return;
            }
            buttplug_devices::sleep(Duration::from_millis(10)).await;
        }
        panic!("device without pongs was not removed");
    });
}

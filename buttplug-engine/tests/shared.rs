//! An engine shared by several clients (`max_clients`): two of our clients over WebSocket at
//! once, the device held by the one that drives it, the third client refused.

use async_tungstenite::tungstenite::Message;
use buttplug_client::{ButtplugClient, ButtplugClientDevice, ButtplugClientEvent, ClientError};
use buttplug_core::ErrorCode;
use buttplug_engine::{Engine, EngineOptions, Listening};
use buttplug_transport_ws::{WebsocketClientConnector, busy_message};
use futures::StreamExt;
use std::future::Future;
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(10);

async fn within<F: Future>(what: &str, future: F) -> F::Output {
    async_std::future::timeout(WITHIN, future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

async fn client(url: &str, name: &str) -> ButtplugClient {
    let client = ButtplugClient::new(name);
    let driver = within(
        "the handshake",
        client.connect(WebsocketClientConnector::new(url.to_string())),
    )
    .await
    .unwrap();
    async_std::task::spawn(driver);
    client
}

/// The client's one device, once it is there (waits on the client's events).
pub(crate) async fn the_device(client: &ButtplugClient) -> ButtplugClientDevice {
    let mut events = client.event_stream();
    if client.devices().is_empty() {
        within("the device", async {
            while !matches!(
                events.next().await,
                Some(ButtplugClientEvent::DeviceAdded(_))
            ) {}
        })
        .await;
    }
    client.devices().remove(0)
}

#[test]
fn two_clients_share_the_engine_and_a_third_is_refused() {
    async_std::task::block_on(async {
        let engine = Engine::new(EngineOptions {
            websocket_listen_address: Some("127.0.0.1:0".parse().unwrap()),
            simulated_devices: vec!["Lovense Hush".to_string()],
            max_clients: 2,
            ..EngineOptions::default()
        });
        let listening = engine.listening();
        let stop = engine.stop_handle();
        let run = async_std::task::spawn(engine.run());
        let Listening::Client(address) = within("the listener", listening.recv()).await.unwrap()
        else {
            panic!("not the client listener")
        };
        let url = format!("ws://{address}");

        let alice = client(&url, "alice").await;
        let bob = client(&url, "bob").await;
        alice.start_scanning().await.unwrap();
        // Both see the device alice's scan found.
        let hers = the_device(&alice).await;
        let his = the_device(&bob).await;
        assert_eq!(hers.index(), his.index());

        // A third client is refused while both are connected.
        let tcp = async_std::net::TcpStream::connect(address).await.unwrap();
        let (mut third, _) = async_tungstenite::client_async(url.as_str(), tcp)
            .await
            .unwrap();
        let refusal = within("the refusal", third.next()).await;
        let Some(Ok(Message::Text(text))) = refusal else {
            panic!("{refusal:?}")
        };
        assert!(text.as_str().contains(&busy_message(2)), "{text}");

        hers.vibrate(0.5).await.unwrap();
        let refused = his.vibrate(1.0).await;
        let Err(ClientError::Server { error, .. }) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(error.error_code, ErrorCode::Device);
        assert!(
            error
                .error_message
                .contains("in use by another client (\"alice\")"),
            "{}",
            error.error_message
        );
        // Alice leaves: her device is bob's to drive.
        alice.disconnect().await.unwrap();
        let mut freed = false;
        for _ in 0..100 {
            if his.vibrate(1.0).await.is_ok() {
                freed = true;
                break;
            }
            async_std::task::sleep(Duration::from_millis(20)).await;
        }
        assert!(freed, "alice's device was not released");
        bob.disconnect().await.unwrap();
        stop.stop();
        within("the engine's end", run).await.unwrap();
    });
}

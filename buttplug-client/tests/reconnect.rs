//! Re-dialing a lost connection (`ButtplugClientBuilder::reconnect`) against the scripted
//! server; `real_server` restarts the real one.

use crate::util::*;
use buttplug_client::{ButtplugClient, ButtplugClientEvent, EventStream, ReconnectPolicy};
use futures::StreamExt;
use std::time::{Duration, Instant};

const STEP: Duration = Duration::from_millis(40);

fn client() -> ButtplugClient {
    ButtplugClient::builder("Test Client")
        .reconnect(
            ReconnectPolicy::new()
                .initial_delay(STEP)
                .max_delay(STEP * 3),
        )
        .build()
}

/// The next event that is not a `DeviceAdded`/`DeviceRemoved`, within the receive timeout.
async fn next_event(events: &mut EventStream) -> ButtplugClientEvent {
    let next = events.next();
    match futures::future::select(next, async_io::Timer::after(RECV_TIMEOUT)).await {
        futures::future::Either::Left((Some(event), _)) => event,
        futures::future::Either::Left((None, _)) => panic!("event stream ended"),
        futures::future::Either::Right(_) => panic!("no event in time"),
    }
}

/// The server closes the connection: the client reports it, re-dials with backoff (a failed
/// handshake counts as a failed attempt), handshakes again, rescans because the app was
/// scanning, and announces the devices again with new handles.
#[test]
fn a_lost_connection_is_redialed_with_backoff_and_devices_come_back() {
    block_on(async {
        let client = client();
        let (connector, mut remotes) = fake_multi();
        let (driver, mut first) = futures::join!(client.connect(connector), async {
            let mut first = remotes.next().await.unwrap();
            first.handshake(0, &[test_device(0)]).await;
            first
        });
        let driver = spawn(driver.unwrap());
        let old_device = client.device(0).unwrap();
        let (result, _) = futures::join!(client.start_scanning(), first.recv_ok());
        result.unwrap();

        let mut events = client.event_stream();
        let lost = Instant::now();
        first.close().await;
        assert!(matches!(
            next_event(&mut events).await,
            ButtplugClientEvent::ServerDisconnect
        ));
        // Attempt 1 reaches a server that hangs up during the handshake.
        match next_event(&mut events).await {
            ButtplugClientEvent::Reconnecting { attempt: 1, delay } => assert_eq!(delay, STEP),
            other => panic!("{other:?}"),
        }
        let mut second = remotes.next().await.unwrap();
        assert!(lost.elapsed() >= STEP);
        let _ = second.recv().await;
        second.close().await;
        drop(second);
        match next_event(&mut events).await {
            ButtplugClientEvent::Reconnecting { attempt: 2, delay } => {
                assert_eq!(delay, STEP * 2);
            }
            other => panic!("{other:?}"),
        }
        // Attempt 2 succeeds, with another device.
        let mut third = remotes.next().await.unwrap();
        third.handshake(0, &[test_device(5)]).await;
        let rescan = third.recv_ok().await;
        assert_eq!(rescan.name(), "StartScanning");
        assert!(lost.elapsed() >= STEP * 3, "backoff: 1 then 2 steps");
        assert!(matches!(
            next_event(&mut events).await,
            ButtplugClientEvent::Reconnected {
                spec_version: buttplug_client::SpecVersion::V4
            }
        ));
        match next_event(&mut events).await {
            ButtplugClientEvent::DeviceAdded(device) => assert_eq!(device.index(), 5),
            other => panic!("{other:?}"),
        }
        assert!(client.connected());
        assert!(!old_device.connected(), "old handles stay disconnected");
        let device = client.device(5).unwrap();
        let (result, command) = futures::join!(device.stop(), third.recv_ok());
        result.unwrap();
        assert_eq!(command.name(), "StopCmd");

        // A disconnect the client asks for is not re-dialed.
        let (result, _) = futures::join!(client.disconnect(), third.recv_ok());
        result.unwrap();
        driver.join().unwrap();
        assert!(remotes.next().await.is_none(), "no further connection");
    });
}

/// The backoff is capped, attempts can be limited, and `disconnect` stops re-dialing.
#[test]
fn redialing_gives_up_after_max_attempts_and_stops_on_disconnect() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .reconnect(
                ReconnectPolicy::new()
                    .initial_delay(STEP)
                    .max_delay(STEP * 2)
                    .max_attempts(Some(3)),
            )
            .build();
        let (connector, mut remotes) = fake_multi();
        let (driver, mut first) = futures::join!(client.connect(connector), async {
            let mut first = remotes.next().await.unwrap();
            first.handshake(0, &[]).await;
            first
        });
        let driver = spawn(driver.unwrap());
        let mut events = client.event_stream();
        first.close().await;
        let mut delays = Vec::new();
        loop {
            match next_event(&mut events).await {
                ButtplugClientEvent::ServerDisconnect => {}
                ButtplugClientEvent::Reconnecting { delay, .. } => {
                    delays.push(delay);
                    // Every attempt reaches a server that hangs up at once.
                    drop(remotes.next().await.unwrap());
                    if delays.len() == 3 {
                        break;
                    }
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(delays, [STEP, STEP * 2, STEP * 2]);
        assert!(matches!(
            next_event(&mut events).await,
            ButtplugClientEvent::ReconnectFailed { attempts: 3 }
        ));
        driver.join().unwrap();
        assert!(!client.connected());

        // Again, but the app disconnects while the client waits to re-dial.
        let client = ButtplugClient::builder("Test Client")
            .reconnect(ReconnectPolicy::new().initial_delay(Duration::from_secs(30)))
            .build();
        let (connector, mut remotes) = fake_multi();
        let (driver, mut first) = futures::join!(client.connect(connector), async {
            let mut first = remotes.next().await.unwrap();
            first.handshake(0, &[]).await;
            first
        });
        let driver = spawn(driver.unwrap());
        let mut events = client.event_stream();
        first.close().await;
        assert!(matches!(
            next_event(&mut events).await,
            ButtplugClientEvent::ServerDisconnect
        ));
        assert!(matches!(
            next_event(&mut events).await,
            ButtplugClientEvent::Reconnecting { attempt: 1, .. }
        ));
        let asked = Instant::now();
        client.disconnect().await.unwrap();
        driver.join().unwrap();
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "the wait was cut short"
        );
        assert!(matches!(
            client.disconnect().await,
            Err(buttplug_client::ClientError::NotConnected)
        ));
    });
}

/// Without a policy a lost connection ends the driver, as before.
#[test]
fn without_a_policy_a_lost_connection_is_not_redialed() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (connector, mut remotes) = fake_multi();
        let (driver, mut first) = futures::join!(client.connect(connector), async {
            let mut first = remotes.next().await.unwrap();
            first.handshake(0, &[]).await;
            first
        });
        let driver = spawn(driver.unwrap());
        first.close().await;
        driver.join().unwrap();
        assert!(!client.connected());
        assert!(remotes.next().await.is_none(), "no second connection");
    });
}

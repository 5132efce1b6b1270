//! Request/reply matching, timeouts, pings, disconnects.

use crate::util::*;
use buttplug_client::{ButtplugClient, ButtplugClientEvent, ClientError, ErrorCode, SpecVersion};
use buttplug_core::v0::ErrorV0;
use buttplug_core::v4::{InputReadingV4, InputValueV4, ServerMessageV4, StopCmdV4};
use buttplug_core::{ClientMessage, InputType, ServerMessage};
use futures::StreamExt;
use std::time::{Duration, Instant};

fn reading(id: u32, device_index: u32, value: i32) -> ServerMessage {
    ServerMessage::V4(ServerMessageV4::InputReading(InputReadingV4 {
        id,
        device_index,
        feature_index: 3,
        reading: InputValueV4::new(InputType::Battery, value),
    }))
}

#[test]
fn replies_are_matched_by_id_even_out_of_order() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0), test_device(1)]).await;
        let first = client.device(0).unwrap();
        let second = client.device(1).unwrap();
        let (a, b, ()) = futures::join!(first.battery(), second.battery(), async {
            let m1 = remote.recv().await;
            let m2 = remote.recv().await;
            assert_ne!(m1.id(), m2.id());
            let index_of = |m: &ClientMessage| match m {
                ClientMessage::V4(buttplug_core::v4::ClientMessageV4::InputCmd(c)) => {
                    c.device_index
                }
                other => panic!("unexpected {other:?}"),
            };
            // Answer the second request first.
            remote
                .send(reading(m2.id(), index_of(&m2), 20 + index_of(&m2) as i32))
                .await;
            remote
                .send(reading(m1.id(), index_of(&m1), 20 + index_of(&m1) as i32))
                .await;
        });
        assert_eq!(a.unwrap(), 20);
        assert_eq!(b.unwrap(), 21);
    });
}

#[test]
fn requests_from_other_threads_are_answered() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[]).await;
        let clone = client.clone();
        let other = std::thread::spawn(move || block_on(clone.start_scanning()));
        let m = remote.recv_ok().await;
        assert_eq!(m, ClientMessage::start_scanning(m.id(), SpecVersion::V4));
        other.join().unwrap().unwrap();
    });
}

#[test]
fn every_request_times_out_and_late_replies_are_ignored() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .request_timeout(Duration::from_millis(100))
            .build();
        let (mut remote, _driver) = connected(&client, 0, &[]).await;
        let started = Instant::now();
        let (result, late) = futures::join!(client.start_scanning(), remote.recv());
        assert!(
            matches!(
                result,
                Err(ClientError::Timeout {
                    request: "StartScanning",
                    ..
                })
            ),
            "{result:?}"
        );
        assert!(started.elapsed() >= Duration::from_millis(100));
        // The late reply goes nowhere; the next request still works.
        remote.ok(&late).await;
        let (result, m) = futures::join!(client.stop_scanning(), remote.recv_ok());
        result.unwrap();
        assert_eq!(m, ClientMessage::stop_scanning(m.id(), SpecVersion::V4));
        assert!(client.connected());
    });
}

#[test]
fn server_error_replies_carry_the_code() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[]).await;
        let (result, ()) = futures::join!(client.start_scanning(), async {
            let m = remote.recv().await;
            let e = ErrorV0::new(m.id(), ErrorCode::Unknown, "no comm managers");
            remote.send(ServerMessage::error(e, SpecVersion::V4)).await;
        });
        let error = result.unwrap_err();
        assert!(
            matches!(
                error,
                ClientError::Server {
                    request: "StartScanning",
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(error.server_error_code(), Some(ErrorCode::Unknown));
    });
}

#[test]
fn pings_at_half_the_max_ping_time() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 200, &[]).await;
        assert_eq!(client.max_ping_time(), Some(Duration::from_millis(200)));
        let started = Instant::now();
        let mut times = Vec::new();
        while started.elapsed() < Duration::from_millis(1_000) {
            if let Some(Some(m)) = remote.try_recv(Duration::from_millis(20)).await {
                assert_eq!(m, ClientMessage::ping(m.id(), SpecVersion::V4));
                remote.ok(&m).await;
                times.push(started.elapsed());
            }
        }
        // One ping every 100 ms: about 10 in a second (timers may run late on a busy machine).
        assert!((6..=11).contains(&times.len()), "{times:?}");
        assert!(times[0] >= Duration::from_millis(80), "{times:?}");
    });
}

#[test]
fn no_pings_when_the_server_needs_none() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[]).await;
        remote.expect_silence(Duration::from_millis(300)).await;
    });
}

#[test]
fn ping_error_is_a_ping_timeout_event() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let mut events = client.event_stream();
        let (mut remote, _driver) = connected(&client, 100, &[]).await;
        let ping = remote.recv().await;
        assert_eq!(ping.name(), "Ping");
        let e = ErrorV0::new(ping.id(), ErrorCode::Ping, "PingedOut");
        remote.send(ServerMessage::error(e, SpecVersion::V4)).await;
        assert!(matches!(
            events.next().await,
            Some(ButtplugClientEvent::PingTimeout)
        ));
        // The server's broadcast form (Id 0) too.
        let e = ErrorV0::new(0, ErrorCode::Ping, "PingedOut");
        remote.send(ServerMessage::error(e, SpecVersion::V4)).await;
        assert!(matches!(
            events.next().await,
            Some(ButtplugClientEvent::PingTimeout)
        ));
    });
}

#[test]
fn server_disconnect_fails_pending_requests_and_emits_an_event() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let mut events = client.event_stream();
        let (mut remote, driver) = connected(&client, 0, &[test_device(0)]).await;
        assert!(matches!(
            events.next().await,
            Some(ButtplugClientEvent::DeviceAdded(_))
        ));
        let device = client.device(0).unwrap();
        let (result, ()) = futures::join!(client.start_scanning(), async {
            let _ = remote.recv().await;
            remote.close().await;
        });
        assert!(
            matches!(
                result,
                Err(ClientError::ConnectionClosed {
                    request: "StartScanning"
                })
            ),
            "{result:?}"
        );
        assert!(matches!(
            events.next().await,
            Some(ButtplugClientEvent::ServerDisconnect)
        ));
        driver.join().unwrap();
        assert!(!client.connected());
        assert!(!device.connected());
        assert!(client.devices().is_empty());
        assert!(matches!(
            client.start_scanning().await,
            Err(ClientError::NotConnected)
        ));
        assert!(matches!(
            device.vibrate(0.5).await,
            Err(ClientError::NotConnected)
        ));
    });
}

#[test]
fn disconnect_stops_all_devices_then_closes() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let mut events = client.event_stream();
        let (mut remote, driver) = connected(&client, 0, &[]).await;
        let (result, stop) = futures::join!(client.disconnect(), remote.recv_ok());
        result.unwrap();
        assert_eq!(stop, v4(StopCmdV4::all(stop.id())));
        // The connection is closed: the server sees the end of the client's messages.
        assert!(matches!(remote.try_recv(RECV_TIMEOUT).await, Some(None)));
        driver.join().unwrap();
        assert!(!client.connected());
        assert!(matches!(
            client.disconnect().await,
            Err(ClientError::NotConnected)
        ));
        // No ServerDisconnect for a disconnect the client asked for.
        let next = futures::future::select(
            events.next(),
            async_io::Timer::after(Duration::from_millis(100)),
        )
        .await;
        assert!(matches!(next, futures::future::Either::Right(_)));
    });
}

#[test]
fn disconnect_at_v3_sends_stop_all_devices() {
    block_on(async {
        let client = v3_client("Test Client");
        let (mut remote, driver) = connected(&client, 0, &[]).await;
        let (result, stop) = futures::join!(client.disconnect(), remote.recv_ok());
        result.unwrap();
        assert_eq!(
            stop,
            v3(buttplug_core::v0::StopAllDevicesV0::new(stop.id()))
        );
        driver.join().unwrap();
    });
}

#[test]
fn stop_all_devices_and_ping() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[]).await;
        let (result, m) = futures::join!(client.stop_all_devices(), remote.recv_ok());
        result.unwrap();
        assert_eq!(m, v4(StopCmdV4::all(m.id())));
        let (result, m) = futures::join!(client.ping(), remote.recv_ok());
        result.unwrap();
        assert_eq!(m, ClientMessage::ping(m.id(), SpecVersion::V4));
    });
}

#[test]
fn without_a_running_driver_requests_time_out() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .request_timeout(Duration::from_millis(100))
            .build();
        let (connector, remote) = fake();
        let (driver, _remote) = futures::join!(client.connect(connector), async {
            let mut remote = remote.await.unwrap();
            remote.handshake(0, &[]).await;
            remote
        });
        let driver = driver.unwrap();
        let result = client.start_scanning().await;
        assert!(
            matches!(result, Err(ClientError::Timeout { .. })),
            "{result:?}"
        );
        // Dropping the driver ends the connection.
        drop(driver);
        assert!(!client.connected());
    });
}

#[test]
fn dropping_every_handle_ends_the_driver() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, driver) = connected(&client, 0, &[test_device(0)]).await;
        drop(client);
        driver.join().unwrap();
        assert!(matches!(remote.try_recv(RECV_TIMEOUT).await, Some(None)));
    });
}

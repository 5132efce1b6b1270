//! Handshake at v4 and v3, refusals and timeouts.

use crate::util::*;
use buttplug_client::{ButtplugClient, ClientError, ErrorCode, Level, OutputType, SpecVersion};
use buttplug_core::v0::ErrorV0;
use buttplug_core::v1::RequestServerInfoV1;
use buttplug_core::v3::ClientMessageV3;
use buttplug_core::v4::{ClientMessageV4, RequestServerInfoV4};
use buttplug_core::{ClientMessage, HandshakeError, ServerInfo, ServerMessage};
use futures::StreamExt;
use std::time::Duration;

#[test]
fn handshake_v4_sends_request_server_info_then_device_list() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (connector, remote) = fake();
        let (driver, _remote) = futures::join!(client.connect(connector), async {
            let mut remote = remote.await.unwrap();
            let request = remote.recv().await;
            assert_eq!(
                request,
                ClientMessage::V4(ClientMessageV4::RequestServerInfo(RequestServerInfoV4 {
                    id: request.id(),
                    client_name: "Test Client".into(),
                    protocol_version_major: 4,
                    protocol_version_minor: 0,
                }))
            );
            assert_ne!(request.id(), 0);
            remote
                .send(ServerInfo::new("Fake Server", 0).to_message(request.id(), SpecVersion::V4))
                .await;
            let list = remote.recv().await;
            assert_eq!(
                list,
                ClientMessage::request_device_list(list.id(), SpecVersion::V4)
            );
            assert_ne!(list.id(), request.id());
            remote
                .send(buttplug_core::device_list_message(
                    list.id(),
                    &[test_device(3)],
                    SpecVersion::V4,
                ))
                .await;
            remote
        });
        let _driver = spawn(driver.unwrap());
        assert!(client.connected());
        assert_eq!(client.server_name().as_deref(), Some("Fake Server"));
        assert_eq!(client.max_ping_time(), None);
        let devices = client.devices();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].index(), 3);
        assert_eq!(devices[0].name(), "Test Device");
        assert_eq!(devices[0].info(), &test_device(3));
        assert!(client.device(3).is_some());
        assert!(client.device(0).is_none());
    });
}

#[test]
fn handshake_v3_uses_message_version_and_v3_device_shapes() {
    block_on(async {
        let client = v3_client("Old Client");
        let (connector, remote) = fake();
        let (driver, _remote) = futures::join!(client.connect(connector), async {
            let mut remote = remote.await.unwrap();
            let request = remote.recv().await;
            assert_eq!(
                request,
                ClientMessage::V3(ClientMessageV3::RequestServerInfo(RequestServerInfoV1 {
                    id: request.id(),
                    client_name: "Old Client".into(),
                    message_version: 3,
                }))
            );
            remote
                .send(ServerInfo::new("Old Server", 0).to_message(request.id(), SpecVersion::V3))
                .await;
            let list = remote.recv().await;
            assert_eq!(
                list,
                ClientMessage::request_device_list(list.id(), SpecVersion::V3)
            );
            remote
                .send(buttplug_core::device_list_message(
                    list.id(),
                    &[test_device(0)],
                    SpecVersion::V3,
                ))
                .await;
            remote
        });
        let _driver = spawn(driver.unwrap());
        assert_eq!(client.spec_version(), SpecVersion::V3);
        let device = client.device(0).unwrap();
        // v3 has no feature identity: features are rebuilt from the v3 arrays.
        assert!(device.has_output(OutputType::Vibrate));
        assert!(device.has_output(OutputType::Rotate));
        assert!(device.has_output(OutputType::HwPositionWithDuration));
        assert_eq!(device.output_features(OutputType::Vibrate).len(), 2);
    });
}

#[test]
fn refused_handshake_keeps_the_server_error_code() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .fallback_to_v3(false)
            .build();
        let (connector, remote) = fake();
        let (result, ()) = futures::join!(client.connect(connector), async {
            let mut remote = remote.await.unwrap();
            let request = remote.recv().await;
            let error = ErrorV0::new(request.id(), ErrorCode::Init, "MessageSpecVersionMismatch");
            remote
                .send(ServerMessage::error(error, SpecVersion::V4))
                .await;
        });
        let error = result.unwrap_err();
        assert!(
            matches!(error, ClientError::Handshake(HandshakeError::Refused(_))),
            "{error:?}"
        );
        assert_eq!(error.server_error_code(), Some(ErrorCode::Init));
        assert!(!client.connected());
    });
}

#[test]
fn server_answering_an_older_version_is_rejected() {
    block_on(async {
        let client = v3_client("Test Client");
        let (connector, remote) = fake();
        let (result, ()) = futures::join!(client.connect(connector), async {
            let mut remote = remote.await.unwrap();
            let request = remote.recv().await;
            remote
                .send(ServerInfo::new("v2 server", 0).to_message(request.id(), SpecVersion::V2))
                .await;
        });
        // A v2-shaped ServerInfo converted to the v3 message set still announces 2.
        assert!(
            matches!(
                result,
                Err(ClientError::Handshake(
                    HandshakeError::ServerVersionTooOld { server: 2, .. }
                ))
            ),
            "{result:?}"
        );
    });
}

#[test]
fn handshake_times_out() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .request_timeout(Duration::from_millis(100))
            .fallback_to_v3(false)
            .build();
        let (connector, remote) = fake();
        let (result, _remote) = futures::join!(client.connect(connector), async {
            let mut remote = remote.await.unwrap();
            let _ = remote.recv().await; // never answered
            remote
        });
        assert!(
            matches!(
                result,
                Err(ClientError::Timeout {
                    request: "RequestServerInfo",
                    ..
                })
            ),
            "{result:?}"
        );
    });
}

#[test]
fn connector_that_never_connects_times_out() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .request_timeout(Duration::from_millis(50))
            .build();
        let result = client.connect(HangingConnector).await;
        assert!(
            matches!(
                result,
                Err(ClientError::Timeout {
                    request: "connect",
                    ..
                })
            ),
            "{result:?}"
        );
    });
}

#[test]
fn versions_below_v3_are_rejected_before_connecting() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .spec_version(SpecVersion::V2)
            .build();
        let result = client.connect(HangingConnector).await;
        assert!(matches!(
            result,
            Err(ClientError::UnsupportedSpecVersion {
                version: SpecVersion::V2
            })
        ));
    });
}

#[test]
fn second_connect_while_connected_fails() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (_remote, _driver) = connected(&client, 0, &[]).await;
        let result = client.connect(HangingConnector).await;
        assert!(matches!(result, Err(ClientError::AlreadyConnected)));
    });
}

#[test]
fn reconnect_after_disconnect() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, driver) = connected(&client, 0, &[test_device(0)]).await;
        let (result, ()) = futures::join!(client.disconnect(), async {
            remote.recv_ok().await;
        });
        result.unwrap();
        driver.join().unwrap();
        assert!(!client.connected());
        assert!(client.devices().is_empty());
        let (_remote, _driver) = connected(&client, 0, &[test_device(1)]).await;
        assert!(client.connected());
        assert_eq!(client.devices()[0].index(), 1);
    });
}

#[test]
fn connect_boxed_takes_a_connector_chosen_at_run_time() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (connector, remote) = fake();
        let boxed: Box<dyn buttplug_client::ButtplugConnector> = Box::new(connector);
        let (driver, _remote) = futures::join!(client.connect_boxed(boxed), async {
            let mut remote = remote.await.unwrap();
            remote.handshake(0, &[]).await;
            remote
        });
        let _driver = spawn(driver.unwrap());
        assert!(client.connected());
    });
}

/// The first connection of a fallback test: answers the v4 `RequestServerInfo` with `refusal`
/// (a frame, `{id}` replaced by the request's Id; `None`: no answer at all) and checks that the
/// client then closes it.
async fn refuse_v4(mut first: Remote, refusal: Option<&str>) {
    let request = first.recv().await;
    assert_eq!(request.handshake_request().unwrap().1, SpecVersion::V4);
    if let Some(refusal) = refusal {
        first
            .send_frame(refusal.replace("{id}", &request.id().to_string()))
            .await;
    }
    assert!(
        matches!(first.try_recv(RECV_TIMEOUT).await, Some(None)),
        "the refused connection is closed"
    );
}

fn falls_back_to_v3(refusal: &str) {
    falls_back_to_v3_with(ButtplugClient::new("Test Client"), Some(refusal));
}

/// `client` (asking for v4, with the fallback on) meets a server that refuses v4 (see
/// [`refuse_v4`]) and then completes a v3 handshake on a second connection: the client speaks
/// v3 from then on.
fn falls_back_to_v3_with(client: ButtplugClient, refusal: Option<&str>) {
    block_on(async {
        let (connector, mut remotes) = fake_multi();
        let (driver, mut second) = futures::join!(client.connect(connector), async {
            refuse_v4(remotes.next().await.unwrap(), refusal).await;
            let mut second = remotes.next().await.unwrap();
            assert_eq!(
                second.handshake(0, &[test_device(0)]).await,
                SpecVersion::V3
            );
            second
        });
        let _driver = spawn(driver.unwrap());
        assert_eq!(client.spec_version(), SpecVersion::V4);
        assert_eq!(client.server_spec_version(), Some(SpecVersion::V3));
        // The device API speaks v3 now.
        let device = client.device(0).unwrap();
        let (result, command) = futures::join!(device.vibrate(Level::Steps(10)), second.recv_ok());
        result.unwrap();
        assert_eq!(command.name(), "ScalarCmd");
        assert_eq!(command.version(), SpecVersion::V3);
    });
}

#[test]
fn a_v4_handshake_refused_with_its_id_is_retried_at_v3_on_a_new_connection() {
    falls_back_to_v3(
        r#"[{"Error":{"Id":{id},"ErrorMessage":"unknown spec version","ErrorCode":1}}]"#,
    );
}

/// A server that cannot read the v4 handshake at all answers with Id 0.
#[test]
fn a_v4_handshake_refused_with_id_0_is_retried_at_v3() {
    falls_back_to_v3(r#"[{"Error":{"Id":0,"ErrorMessage":"unknown field","ErrorCode":3}}]"#);
}

/// A v3 server that parses the request but answers in its own shape (MessageVersion 3): a
/// `ServerInfo` announcing an older spec.
#[test]
fn a_server_announcing_v3_to_a_v4_handshake_is_retried_at_v3() {
    falls_back_to_v3(
        r#"[{"ServerInfo":{"Id":{id},"ServerName":"old","MaxPingTime":0,"ProtocolVersionMajor":3,"ProtocolVersionMinor":0}}]"#,
    );
}

/// Upstream's servers before v4 (buttplug-rs 9) drop a v4 `RequestServerInfo` that fails
/// their schema and say nothing: silence is a refusal too, after a short wait (here the
/// request timeout, shorter than the 2 s grace).
#[test]
fn a_v4_handshake_left_unanswered_is_retried_at_v3() {
    falls_back_to_v3_with(
        ButtplugClient::builder("Test Client")
            .request_timeout(Duration::from_millis(300))
            .build(),
        None,
    );
}

#[test]
fn without_the_fallback_a_refused_v4_handshake_fails() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .fallback_to_v3(false)
            .build();
        let (connector, mut remotes) = fake_multi();
        let (result, ()) = futures::join!(client.connect(connector), async {
            refuse_v4(
                remotes.next().await.unwrap(),
                Some(r#"[{"Error":{"Id":{id},"ErrorMessage":"no","ErrorCode":1}}]"#),
            )
            .await;
        });
        assert!(
            matches!(
                result,
                Err(ClientError::Handshake(HandshakeError::Refused(_)))
            ),
            "{result:?}"
        );
        assert!(remotes.next().await.is_none(), "no second connection");
    });
}

#[test]
fn a_server_refusing_v3_too_fails_with_the_v3_error() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (connector, mut remotes) = fake_multi();
        let refusal = r#"[{"Error":{"Id":{id},"ErrorMessage":"no","ErrorCode":1}}]"#;
        let (result, ()) = futures::join!(client.connect(connector), async {
            refuse_v4(remotes.next().await.unwrap(), Some(refusal)).await;
            let mut second = remotes.next().await.unwrap();
            let request = second.recv().await;
            assert_eq!(request.handshake_request().unwrap().1, SpecVersion::V3);
            let error = ErrorV0::new(request.id(), ErrorCode::Init, "v3 neither");
            second
                .send(ServerMessage::error(error, SpecVersion::V3))
                .await;
        });
        match result {
            Err(ClientError::Handshake(HandshakeError::Refused(e))) => {
                assert_eq!(e.error_message, "v3 neither");
            }
            other => panic!("{other:?}"),
        }
        assert!(!client.connected());
    });
}

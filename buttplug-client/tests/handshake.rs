//! Handshake at v4 and v3, refusals and timeouts.

use crate::util::*;
use buttplug_client::{ButtplugClient, ClientError, ErrorCode, OutputType, SpecVersion};
use buttplug_core::v0::ErrorV0;
use buttplug_core::v1::RequestServerInfoV1;
use buttplug_core::v3::ClientMessageV3;
use buttplug_core::v4::{ClientMessageV4, RequestServerInfoV4};
use buttplug_core::{ClientMessage, HandshakeError, ServerInfo, ServerMessage};
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

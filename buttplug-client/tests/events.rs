//! Server events become client events, on every stream.

use crate::util::*;
use buttplug_client::{
    ButtplugClient, ButtplugClientEvent, ClientError, ErrorCode, InputType, SpecVersion,
};
use buttplug_core::v0::ErrorV0;
use buttplug_core::v3::{SensorReadingV3, SensorTypeV3, ServerMessageV3};
use buttplug_core::v4::{InputReadingV4, InputValueV4, ServerMessageV4};
use buttplug_core::{DeviceInfo, ServerMessage, device_list_message, device_removed_message};
use futures::StreamExt;

async fn next(events: &mut buttplug_client::EventStream) -> ButtplugClientEvent {
    let timer = async_io::Timer::after(RECV_TIMEOUT);
    match futures::future::select(events.next(), timer).await {
        futures::future::Either::Left((Some(e), _)) => e,
        _ => panic!("no event"),
    }
}

#[test]
fn device_list_events_add_and_remove_devices() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let mut events = client.event_stream();
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let mut second = client.event_stream();
        match next(&mut events).await {
            ButtplugClientEvent::DeviceAdded(d) => assert_eq!(d.index(), 0),
            other => panic!("{other:?}"),
        }
        // A device arrives (v4: a full DeviceList with Id 0).
        let both = [test_device(0), test_device(7)];
        remote
            .send(device_list_message(0, &both, SpecVersion::V4))
            .await;
        for stream in [&mut events, &mut second] {
            match next(stream).await {
                ButtplugClientEvent::DeviceAdded(d) => assert_eq!(d.index(), 7),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(client.devices().len(), 2);
        let leaving = client.device(0).unwrap();
        // Device 0 leaves.
        remote
            .send(device_list_message(0, &[test_device(7)], SpecVersion::V4))
            .await;
        match next(&mut events).await {
            ButtplugClientEvent::DeviceRemoved(d) => {
                assert_eq!(d.index(), 0);
                assert_eq!(d, leaving);
            }
            other => panic!("{other:?}"),
        }
        assert!(!leaving.connected());
        assert!(matches!(
            leaving.vibrate(0.5).await,
            Err(ClientError::DeviceNotConnected { device_index: 0 })
        ));
        assert_eq!(client.devices().len(), 1);
    });
}

#[test]
fn v3_device_added_and_removed() {
    block_on(async {
        let client = v3_client("Test Client");
        let mut events = client.event_stream();
        let (mut remote, _driver) = connected(&client, 0, &[]).await;
        let added = test_device(4).device_added(SpecVersion::V3).unwrap();
        remote.send(added).await;
        match next(&mut events).await {
            ButtplugClientEvent::DeviceAdded(d) => {
                assert_eq!(d.index(), 4);
                assert_eq!(d.info(), &DeviceInfo::from_v3(&test_device(4).to_v3()));
            }
            other => panic!("{other:?}"),
        }
        remote
            .send(device_removed_message(4, SpecVersion::V3).unwrap())
            .await;
        assert!(
            matches!(next(&mut events).await, ButtplugClientEvent::DeviceRemoved(d) if d.index() == 4)
        );
        assert!(client.devices().is_empty());
    });
}

#[test]
fn scanning_finished_readings_and_errors() {
    block_on(async {
        let client = ButtplugClient::new("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let mut events = client.event_stream();
        remote
            .send(ServerMessage::scanning_finished(SpecVersion::V4))
            .await;
        assert!(matches!(
            next(&mut events).await,
            ButtplugClientEvent::ScanningFinished
        ));

        remote
            .send(ServerMessage::V4(ServerMessageV4::InputReading(
                InputReadingV4 {
                    id: 0,
                    device_index: 0,
                    feature_index: 3,
                    reading: InputValueV4::new(InputType::Battery, 42),
                },
            )))
            .await;
        assert!(matches!(
            next(&mut events).await,
            ButtplugClientEvent::InputReading {
                device_index: 0,
                feature_index: 3,
                input_type: InputType::Battery,
                value: 42
            }
        ));

        let e = ErrorV0::new(0, ErrorCode::Device, "device exploded");
        remote.send(ServerMessage::error(e, SpecVersion::V4)).await;
        match next(&mut events).await {
            ButtplugClientEvent::Error(e) => {
                assert_eq!(e.server_error_code(), Some(ErrorCode::Device))
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn v3_sensor_readings_map_to_features() {
    block_on(async {
        let client = v3_client("Test Client");
        let (mut remote, _driver) = connected(&client, 0, &[test_device(0)]).await;
        let mut events = client.event_stream();
        let device = client.device(0).unwrap();
        let battery_feature = device
            .features()
            .iter()
            .find(|f| f.input(InputType::Battery).is_some())
            .unwrap()
            .index;
        remote
            .send(ServerMessage::V3(ServerMessageV3::SensorReading(
                SensorReadingV3 {
                    id: 0,
                    device_index: 0,
                    sensor_index: 0,
                    sensor_type: SensorTypeV3::Battery,
                    data: vec![77],
                },
            )))
            .await;
        match next(&mut events).await {
            ButtplugClientEvent::InputReading {
                device_index: 0,
                feature_index,
                input_type: InputType::Battery,
                value: 77,
            } => assert_eq!(feature_index, battery_feature),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn a_full_stream_drops_events_without_blocking_the_client() {
    block_on(async {
        let client = ButtplugClient::builder("Test Client")
            .event_capacity(1)
            .build();
        let mut stalled = client.event_stream();
        let (mut remote, _driver) = connected(&client, 0, &[]).await;
        for _ in 0..5 {
            remote
                .send(ServerMessage::scanning_finished(SpecVersion::V4))
                .await;
        }
        // The connection still works while one stream is full.
        let (result, _) = futures::join!(client.start_scanning(), remote.recv_ok());
        result.unwrap();
        assert!(matches!(
            next(&mut stalled).await,
            ButtplugClientEvent::ScanningFinished
        ));
    });
}

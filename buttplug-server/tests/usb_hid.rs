//! The USB and HID managers on a machine without USB hardware: they say so (USB: once) and the
//! server goes on serving other devices.
#![cfg(all(feature = "usb", feature = "hid", feature = "simulated"))]

use crate::util::{Client, hush};
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::comm::{
    COMMUNICATION_EVENT_CAPACITY, CommunicationError, DeviceCommunicationManagerBuilder,
};
use buttplug_server::managers::hid::HidManagerBuilder;
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::managers::usb::UsbManagerBuilder;
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn usb_without_usbfs_is_reported_once() {
    buttplug_server::block_on(async {
        let (tx, rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let manager = Box::new(
            UsbManagerBuilder::from_database(DeviceDatabase::builtin())
                .rescan_interval(Duration::from_millis(20)),
        )
        .finish(tx);
        let first = manager.start_scanning().await;
        if std::path::Path::new("/dev/bus/usb").exists() {
            println!("NOTE: this machine has /dev/bus/usb; only checking that scanning works");
            assert!(first.is_ok(), "{first:?}");
        } else {
            match first {
                Err(CommunicationError::Unavailable { manager, reason }) => {
                    assert_eq!(manager, "usb");
                    assert!(reason.contains("no USB"), "{reason}");
                }
                other => panic!("expected 'no USB', got {other:?}"),
            }
            // Polling goes on quietly; a second start is not reported again.
            buttplug_devices::sleep(Duration::from_millis(60)).await;
            manager.stop_scanning().await.unwrap();
            assert!(manager.start_scanning().await.is_ok());
        }
        manager.stop_scanning().await.unwrap();
        manager.shutdown().await;
        assert!(rx.is_empty(), "no device can be found here");
    });
}

#[test]
fn hid_scans_without_devices() {
    buttplug_server::block_on(async {
        let (tx, rx) = async_channel::bounded(COMMUNICATION_EVENT_CAPACITY);
        let manager =
            Box::new(HidManagerBuilder::from_database(DeviceDatabase::builtin())).finish(tx);
        // No hidraw device matches here: scanning works and finds nothing.
        let r = manager.start_scanning().await;
        assert!(
            r.is_ok() || matches!(r, Err(CommunicationError::Unavailable { .. })),
            "{r:?}"
        );
        manager.stop_scanning().await.unwrap();
        manager.shutdown().await;
        assert!(rx.is_empty());
    });
}

#[test]
fn server_with_usb_and_hid_serves_simulated_devices() {
    buttplug_server::block_on(async {
        let db = Arc::new(DeviceDatabase::builtin().clone());
        let dm = DeviceManagerBuilder::new(db.clone())
            .comm_manager(UsbManagerBuilder::from_database(&db))
            .comm_manager(HidManagerBuilder::from_database(&db))
            .comm_manager(
                SimulatedCommunicationManagerBuilder::new()
                    .device(SimulatedDevice::ble(hush("sim-hush"))),
            )
            .message_gap_override(Some(Duration::ZERO))
            .finish()
            .unwrap();
        let server = ButtplugServerBuilder::new().device_manager(dm).finish();
        let mut client = Client::new(&server);
        client.handshake(4).await;
        let list = client.wait_for_devices(1).await;
        assert!(list.to_string().contains("Lovense Hush"), "{list}");
        let r = client
            .request(serde_json::json!({"StopScanning": {}}))
            .await;
        assert!(r.get("Ok").is_some(), "{r}");
    });
}

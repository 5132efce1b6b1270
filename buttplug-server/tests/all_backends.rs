//! A server with every hardware backend on, on a machine without hardware (no Bluetooth, USB,
//! HID, gamepad, dongle or Lovense app): it starts, scans, and serves simulated and WebSocket
//! devices.
#![cfg(all(
    feature = "btleplug",
    feature = "serial",
    feature = "usb",
    feature = "hid",
    feature = "gamepad",
    feature = "lovense-dongle",
    feature = "lovense-connect",
    feature = "simulated",
    feature = "websocket-devices"
))]

use crate::util::{Client, hush};
use async_tungstenite::tungstenite::Message;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::managers::btleplug::BtleplugManagerBuilder;
use buttplug_server::managers::gamepad::GamepadManagerBuilder;
use buttplug_server::managers::hid::HidManagerBuilder;
use buttplug_server::managers::lovense_connect::LovenseConnectManagerBuilder;
use buttplug_server::managers::lovense_dongle::LovenseDongleManagerBuilder;
use buttplug_server::managers::serial::SerialManagerBuilder;
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::managers::usb::UsbManagerBuilder;
use buttplug_server::managers::websocket_devices::WebsocketDeviceServerBuilder;
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn every_backend_on_without_hardware() {
    buttplug_server::block_on(async {
        let db = DeviceDatabase::builtin()
            .with_user_config(
                &json!({"version": {"major": 4, "minor": 0}, "user_configs": {"protocols": {
                    "lovense": {"communication": [{"websocket": {"name": "LVSDevice"}}]}}}})
                .to_string(),
                "user.json",
            )
            .unwrap();
        let ws = WebsocketDeviceServerBuilder::new()
            .listen_address(SocketAddr::from(([127, 0, 0, 1], 0)));
        let bound = ws.bound_address();
        let dm = DeviceManagerBuilder::new(Arc::new(db.clone()))
            .comm_manager(BtleplugManagerBuilder::from_database(&db))
            .comm_manager(SerialManagerBuilder::from_database(&db))
            .comm_manager(UsbManagerBuilder::from_database(&db))
            .comm_manager(HidManagerBuilder::from_database(&db))
            .comm_manager(GamepadManagerBuilder::new())
            .comm_manager(LovenseDongleManagerBuilder::new())
            .comm_manager(LovenseConnectManagerBuilder::new())
            .comm_manager(
                SimulatedCommunicationManagerBuilder::new()
                    .device(SimulatedDevice::ble(hush("sim-hush"))),
            )
            .comm_manager(ws)
            .message_gap_override(Some(Duration::ZERO))
            .finish()
            .unwrap();
        assert_eq!(dm.manager_names().len(), 9);
        let server = ButtplugServerBuilder::new().device_manager(dm).finish();
        let mut client = Client::new(&server);
        client.handshake(4).await;
        client.wait_for_devices(1).await;

        // A WebSocket device dials in and is identified like a Lovense toy.
        let address = bound.await.unwrap();
        let stream = async_std::net::TcpStream::connect(address).await.unwrap();
        let (mut device, _) = async_tungstenite::client_async(format!("ws://{address}"), stream)
            .await
            .unwrap();
        device
            .send(Message::Text(
                json!({"identifier": "LVSDevice", "address": "ws-toy-1", "version": 0})
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
        let responder = async_std::task::spawn(async move {
            let mut received = Vec::new();
            while let Some(Ok(m)) = device.next().await {
                if let Message::Binary(b) = m {
                    let text = String::from_utf8_lossy(&b).to_string();
                    if text == "DeviceType;" {
                        let _ = device
                            .send(Message::Text("Z:11:0082059AD3BD;".into()))
                            .await;
                    }
                    received.push(text.clone());
                    if text == "Vibrate:3;" {
                        break;
                    }
                }
            }
            received
        });
        let list = client.wait_for_devices(2).await;
        let text = list.to_string();
        assert_eq!(text.matches("Lovense Hush").count(), 2, "{list}");
        for index in 0..2 {
            let r = client
                .request(
                    json!({"OutputCmd": {"DeviceIndex": index, "FeatureIndex": 0,
                    "Command": {"Vibrate": {"Value": 3}}}}),
                )
                .await;
            assert!(r.get("Ok").is_some(), "{r}");
        }
        let received = buttplug_devices::with_timeout(Duration::from_secs(5), responder)
            .await
            .unwrap();
        assert_eq!(received.last().map(String::as_str), Some("Vibrate:3;"));
        let r = client.request(json!({"StopScanning": {}})).await;
        assert!(r.get("Ok").is_some(), "{r}");
    });
}

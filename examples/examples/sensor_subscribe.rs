//! Subscribe to a sensor and print its readings. A simulated Kegel trainer (KGoal Boost) reports
//! pressure; the example plays the device's notifications itself.
//!
//! Run: `cargo run -p buttplug-examples --example sensor_subscribe`

use buttplug_client::{ButtplugClient, ButtplugClientEvent};
use buttplug_core::InputType;
use buttplug_devices::{DeviceDatabase, Endpoint, simulated_device};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServerBuilder, DeviceManagerBuilder};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    async_std::task::block_on(async {
        let db = DeviceDatabase::builtin();
        let plan = simulated_device(db, "kgoal-boost:", "SI:MU:LA:TE:00:01")?;
        let sensor = plan.hardware.clone();
        let devices = DeviceManagerBuilder::new(Arc::new(db.clone()))
            .comm_manager(
                SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice {
                    hardware: plan.hardware,
                    specifier: plan.specifier,
                }),
            )
            .finish()?;
        let server = ButtplugServerBuilder::new()
            .device_manager(devices)
            .finish();
        let client = ButtplugClient::new("sensor example");
        async_std::task::spawn(client.connect(server.in_process_connector()).await?);
        let mut events = client.event_stream();
        client.start_scanning().await?;
        let device = loop {
            match events.next().await {
                Some(ButtplugClientEvent::DeviceAdded(d)) => break d,
                Some(_) => {}
                None => return Err("the client closed before a device appeared".into()),
            }
        };
        // The Boost has two pressure features (normalized and raw): pick feature 0.
        let pressure = device.feature(0).ok_or("no feature 0")?;
        println!("{}: subscribing to pressure", device.name());
        let mut events = client.event_stream();
        pressure.subscribe_input(InputType::Pressure).await?;

        // The device squeezes three times: bytes 3-4 carry the normalized pressure.
        for level in [100u16, 400, 250] {
            let [hi, lo] = level.to_be_bytes();
            let raw = level.saturating_mul(2).to_be_bytes();
            sensor.notify(Endpoint::RxPressure, vec![0, 0, 0, hi, lo, raw[0], raw[1]]);
        }
        let mut seen = 0;
        while seen < 3 {
            match async_std::future::timeout(Duration::from_secs(2), events.next()).await {
                Ok(Some(ButtplugClientEvent::InputReading {
                    feature_index,
                    input_type,
                    value,
                    ..
                })) => {
                    println!("feature {feature_index}: {input_type} = {value}");
                    seen += 1;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        pressure.unsubscribe_input(InputType::Pressure).await?;
        client.disconnect().await?;
        Ok(())
    })
}

//! The gamepad manager over a fake pad backend, through the real server and a JSON client: a pad
//! appears as the database's `sdl-gamepad` configuration its motors select, commands become the
//! exact rumble values, and unplugging / replugging removes and re-adds it.
#![cfg(feature = "gamepad")]

use crate::util::{Client, name};
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::managers::gamepad::{
    GamepadBackend, GamepadError, GamepadHandle, GamepadManagerBuilder, PadInfo, Rumble,
};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the fake backend saw happen to a pad.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Rumble(Rumble),
    Closed,
}

/// Pads that tests plug in and out; every rumble and close is logged per pad id.
#[derive(Debug, Default)]
struct FakePads {
    plugged: Mutex<Vec<PadInfo>>,
    log: Arc<Mutex<Vec<(String, Call)>>>,
}

impl FakePads {
    fn plug(&self, pad: PadInfo) {
        self.plugged.lock().unwrap().push(pad);
    }

    fn unplug(&self, id: &str) {
        self.plugged.lock().unwrap().retain(|p| p.id != id);
    }

    fn calls(&self, id: &str) -> Vec<Call> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|(pad, _)| pad == id)
            .map(|(_, c)| c.clone())
            .collect()
    }
}

impl GamepadBackend for FakePads {
    fn pads(&self) -> Result<Vec<PadInfo>, GamepadError> {
        Ok(self.plugged.lock().unwrap().clone())
    }

    fn open(&self, pad: &PadInfo) -> Result<Box<dyn GamepadHandle>, GamepadError> {
        Ok(Box::new(FakeHandle {
            id: pad.id.clone(),
            log: self.log.clone(),
        }))
    }
}

#[derive(Debug)]
struct FakeHandle {
    id: String,
    log: Arc<Mutex<Vec<(String, Call)>>>,
}

impl GamepadHandle for FakeHandle {
    fn set_rumble(&mut self, rumble: Rumble) -> Result<(), GamepadError> {
        self.log
            .lock()
            .unwrap()
            .push((self.id.clone(), Call::Rumble(rumble)));
        Ok(())
    }
}

impl Drop for FakeHandle {
    fn drop(&mut self) {
        self.log
            .lock()
            .unwrap()
            .push((self.id.clone(), Call::Closed));
    }
}

fn pad(id: &str, name: &str, rumble: bool, trigger_rumble: bool) -> PadInfo {
    PadInfo {
        id: id.into(),
        name: name.into(),
        rumble,
        trigger_rumble,
    }
}

fn server(backend: Arc<FakePads>) -> ButtplugServer {
    let db = Arc::new(DeviceDatabase::builtin().clone());
    let dm = DeviceManagerBuilder::new(db)
        .comm_manager(
            GamepadManagerBuilder::new()
                .backend(backend)
                .rescan_interval(Duration::from_millis(10)),
        )
        .message_gap_override(Some(Duration::ZERO))
        .finish()
        .unwrap();
    ButtplugServerBuilder::new().device_manager(dm).finish()
}

/// The database's definition of an `sdl-gamepad` configuration: (name, step count of every
/// vibrate feature).
fn database_gamepad(identifier: Option<&str>) -> (String, Vec<u32>) {
    let def = DeviceDatabase::builtin()
        .definition("sdl-gamepad", identifier, "sdl-gamepad-test")
        .unwrap();
    let steps = def
        .features
        .iter()
        .filter_map(|f| f.output(buttplug_core::OutputType::Vibrate))
        .map(|o| u32::try_from(o.value.end).unwrap())
        .collect();
    (def.name.clone(), steps)
}

/// The server's float → step rule (v3 `ScalarCmd`): ceil(steps × value).
fn steps_of(value: f64, step_count: u32) -> u16 {
    u16::try_from((f64::from(step_count) * value).ceil() as i64).unwrap()
}

/// Wait for a message named `what`, keeping the others.
async fn next_named(c: &mut Client, what: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(i) = c.backlog.iter().position(|m| name(m) == what) {
            return c.backlog.remove(i);
        }
        assert!(Instant::now() < deadline, "no {what}");
        let m = c.recv().await;
        if name(&m) == what {
            return m;
        }
    }
}

/// Wait until the fake logs calls for `id` past `seen` and return them.
async fn new_calls(pads: &FakePads, id: &str, seen: &mut usize) -> Vec<Call> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let calls = pads.calls(id);
        if calls.len() > *seen {
            let new = calls[*seen..].to_vec();
            *seen = calls.len();
            return new;
        }
        assert!(Instant::now() < deadline, "no new call for pad {id}");
        buttplug_devices::sleep(Duration::from_millis(5)).await;
    }
}

fn scalar(index: u32, value: f64) -> Value {
    json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [
        {"Index": index, "Scalar": value, "ActuatorType": "Vibrate"}]}})
}

#[test]
fn a_rumble_and_trigger_pad_is_four_motors_with_exact_rumble_values() {
    buttplug_server::block_on(async {
        let pads = Arc::new(FakePads::default());
        pads.plug(pad("1", "Test Pad 1", true, true));
        let server = server(pads.clone());
        let mut c = Client::new(&server);
        c.handshake(3).await;
        let list = c.wait_for_devices(1).await;
        let device = &list["DeviceList"]["Devices"][0];
        let (db_name, db_steps) = database_gamepad(Some("__sdl-rumble-and-triggers"));
        assert_eq!(db_steps.len(), 4, "{db_steps:?}");
        assert_eq!(device["DeviceName"], json!(db_name), "{device}");
        let scalars = device["DeviceMessages"]["ScalarCmd"].as_array().unwrap();
        let steps: Vec<u32> = scalars
            .iter()
            .map(|s| u32::try_from(s["StepCount"].as_u64().unwrap()).unwrap())
            .collect();
        assert_eq!(steps, db_steps, "{device}");

        let mut seen = 0;
        // Low-frequency motor at half: one rumble call with that motor only.
        assert_eq!(name(&c.request(scalar(0, 0.5)).await), "Ok");
        let half_low = steps_of(0.5, db_steps[0]);
        assert_eq!(half_low, 32768);
        assert_eq!(
            new_calls(&pads, "1", &mut seen).await,
            vec![Call::Rumble(Rumble {
                low: half_low,
                ..Rumble::OFF
            })]
        );
        // Right trigger full: the low motor keeps its value.
        assert_eq!(name(&c.request(scalar(3, 1.0)).await), "Ok");
        assert_eq!(
            new_calls(&pads, "1", &mut seen).await,
            vec![Call::Rumble(Rumble {
                low: half_low,
                right_trigger: steps_of(1.0, db_steps[3]),
                ..Rumble::OFF
            })]
        );
        // High motor and left trigger in one message: one call.
        let both = json!({"ScalarCmd": {"DeviceIndex": 0, "Scalars": [
            {"Index": 1, "Scalar": 0.25, "ActuatorType": "Vibrate"},
            {"Index": 2, "Scalar": 0.1, "ActuatorType": "Vibrate"}]}});
        assert_eq!(name(&c.request(both).await), "Ok");
        assert_eq!(
            new_calls(&pads, "1", &mut seen).await,
            vec![Call::Rumble(Rumble {
                low: half_low,
                high: steps_of(0.25, db_steps[1]),
                left_trigger: steps_of(0.1, db_steps[2]),
                right_trigger: steps_of(1.0, db_steps[3]),
            })]
        );
        // Stop: all zeros.
        let r = c
            .request(json!({"StopDeviceCmd": {"DeviceIndex": 0}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(
            new_calls(&pads, "1", &mut seen).await,
            vec![Call::Rumble(Rumble::OFF)]
        );
    });
}

#[test]
fn pads_get_the_configuration_their_motors_select() {
    buttplug_server::block_on(async {
        let pads = Arc::new(FakePads::default());
        pads.plug(pad("main", "Xbox Wireless Controller", true, false));
        pads.plug(pad("trig", "Trigger Pad", false, true));
        pads.plug(pad("none", "No Rumble Pad", false, false));
        let server = server(pads.clone());
        let mut c = Client::new(&server);
        c.handshake(3).await;
        let list = c.wait_for_devices(2).await;
        // The pad without rumble is never listed.
        buttplug_devices::sleep(Duration::from_millis(50)).await;
        let list2 = c.request(json!({"RequestDeviceList": {}})).await;
        assert_eq!(list2["DeviceList"]["Devices"].as_array().unwrap().len(), 2);
        assert!(pads.calls("none").is_empty());
        let devices = list["DeviceList"]["Devices"].as_array().unwrap();
        let by_name = |n: &str| {
            devices
                .iter()
                .find(|d| d["DeviceName"] == json!(n))
                .unwrap_or_else(|| panic!("no {n} in {list}"))
        };
        let (main_name, main_steps) = database_gamepad(None);
        let (trig_name, trig_steps) = database_gamepad(Some("__sdl-triggers-only"));
        let main = by_name(&main_name);
        let trig = by_name(&trig_name);
        assert_eq!(
            main["DeviceMessages"]["ScalarCmd"]
                .as_array()
                .unwrap()
                .len(),
            main_steps.len()
        );
        assert_eq!(
            trig["DeviceMessages"]["ScalarCmd"]
                .as_array()
                .unwrap()
                .len(),
            trig_steps.len()
        );

        // Triggers-only: feature 0 is the left trigger slot.
        let (trig_index, main_index) = (trig["DeviceIndex"].clone(), main["DeviceIndex"].clone());
        let mut seen = 0;
        let r = c
            .request(json!({"ScalarCmd": {"DeviceIndex": trig_index, "Scalars": [
                {"Index": 0, "Scalar": 1.0, "ActuatorType": "Vibrate"}]}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(
            new_calls(&pads, "trig", &mut seen).await,
            vec![Call::Rumble(Rumble {
                left_trigger: steps_of(1.0, trig_steps[0]),
                ..Rumble::OFF
            })]
        );
        // Main only: feature 1 is the high-frequency motor.
        let mut seen = 0;
        let r = c
            .request(json!({"ScalarCmd": {"DeviceIndex": main_index, "Scalars": [
                {"Index": 1, "Scalar": 0.5, "ActuatorType": "Vibrate"}]}}))
            .await;
        assert_eq!(name(&r), "Ok", "{r}");
        assert_eq!(
            new_calls(&pads, "main", &mut seen).await,
            vec![Call::Rumble(Rumble {
                high: steps_of(0.5, main_steps[1]),
                ..Rumble::OFF
            })]
        );
    });
}

#[test]
fn unplugging_removes_the_pad_and_replugging_adds_it_again() {
    buttplug_server::block_on(async {
        let pads = Arc::new(FakePads::default());
        pads.plug(pad("9", "Test Pad 9", true, false));
        let server = server(pads.clone());
        let mut c = Client::new(&server);
        c.handshake(3).await;
        let list = c.wait_for_devices(1).await;
        let (main_name, main_steps) = database_gamepad(None);
        assert_eq!(
            list["DeviceList"]["Devices"][0]["DeviceName"],
            json!(main_name)
        );
        let mut seen = 0;
        assert_eq!(name(&c.request(scalar(0, 1.0)).await), "Ok");
        assert_eq!(
            new_calls(&pads, "9", &mut seen).await,
            vec![Call::Rumble(Rumble {
                low: steps_of(1.0, main_steps[0]),
                ..Rumble::OFF
            })]
        );

        pads.unplug("9");
        let removed = next_named(&mut c, "DeviceRemoved").await;
        assert_eq!(removed["DeviceRemoved"]["DeviceIndex"], json!(0));
        // The pad is closed (the handle dropped), and nothing is written after.
        assert_eq!(new_calls(&pads, "9", &mut seen).await, vec![Call::Closed]);
        let r = c.request(scalar(0, 0.5)).await;
        assert_eq!(name(&r), "Error", "{r}");

        pads.plug(pad("9", "Test Pad 9", true, false));
        let added = next_named(&mut c, "DeviceAdded").await;
        assert_eq!(added["DeviceAdded"]["DeviceName"], json!(main_name));
        assert_eq!(
            added["DeviceAdded"]["DeviceIndex"],
            json!(0),
            "same address, same index"
        );
        assert_eq!(name(&c.request(scalar(0, 0.5)).await), "Ok");
        assert_eq!(
            new_calls(&pads, "9", &mut seen).await,
            vec![Call::Rumble(Rumble {
                low: steps_of(0.5, main_steps[0]),
                ..Rumble::OFF
            })]
        );
    });
}

#[test]
fn a_pad_removed_by_the_server_stops_and_closes() {
    buttplug_server::block_on(async {
        let pads = Arc::new(FakePads::default());
        pads.plug(pad("5", "Test Pad 5", true, true));
        let server = server(pads.clone());
        let mut c = Client::new(&server);
        c.handshake(3).await;
        c.wait_for_devices(1).await;
        let mut seen = 0;
        assert_eq!(name(&c.request(scalar(2, 1.0)).await), "Ok");
        assert_eq!(new_calls(&pads, "5", &mut seen).await.len(), 1);
        server.device_manager().shutdown().await;
        // Whatever the stop path (the session's stop, the hardware's disconnect), the last
        // rumble is all zeros and the pad is closed.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let calls = pads.calls("5");
            if calls.last() == Some(&Call::Closed) {
                let rumbles: Vec<_> = calls
                    .iter()
                    .filter_map(|c| match c {
                        Call::Rumble(r) => Some(*r),
                        Call::Closed => None,
                    })
                    .collect();
                assert_eq!(rumbles.last(), Some(&Rumble::OFF), "{calls:?}");
                break;
            }
            assert!(Instant::now() < deadline, "{calls:?}");
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
    });
}

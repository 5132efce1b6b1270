//! A server shared by several clients (`max_clients` above 1): a device is held by the client
//! that drives it, others are refused with ERROR_DEVICE, and each client's stops and departure
//! touch only what it holds. Two JSON sessions (one spec v4, one spec v3) on one server, checked
//! where it lands: the bytes the simulated toys receive.

use crate::util::{Client, hush, name, texts};
use buttplug_devices::SimulatedHardware;
use buttplug_devices::config::DeviceDatabase;
use buttplug_server::managers::simulated::{
    SimulatedCommunicationManagerBuilder, SimulatedDevice, SimulatedDevices,
};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    buttplug_server::block_on(f)
}

/// Two Lovense Hush toys on a server shared by `max_clients` clients.
struct Setup {
    server: ButtplugServer,
    toys: Vec<SimulatedHardware>,
    sim: SimulatedDevices,
}

fn setup(max_clients: usize, ping: Duration) -> Setup {
    setup_with(max_clients, ping, None)
}

/// [`setup`] with the dead-man switch (`idle_stop`) on.
fn setup_with(max_clients: usize, ping: Duration, idle_stop: Option<Duration>) -> Setup {
    let toys = vec![hush("aa:c0:00:00:00:01"), hush("aa:c0:00:00:00:02")];
    let devices = toys
        .iter()
        .map(|t| SimulatedDevice::ble(t.clone()))
        .collect();
    let (server, sim) = shared_server(devices, max_clients, ping, idle_stop, false);
    Setup { server, toys, sim }
}

/// A server of simulated `devices` (no message gap) for `max_clients` clients at once, with
/// the ping time, idle stop and raw commands a test asks for.
fn shared_server(
    devices: Vec<SimulatedDevice>,
    max_clients: usize,
    ping: Duration,
    idle_stop: Option<Duration>,
    allow_raw: bool,
) -> (ButtplugServer, SimulatedDevices) {
    let sim = SimulatedCommunicationManagerBuilder::new();
    let handle = sim.handle();
    for d in devices {
        handle.add(d);
    }
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(sim)
        .message_gap_override(Some(Duration::ZERO))
        .idle_stop(idle_stop)
        .finish()
        .unwrap();
    let server = ButtplugServerBuilder::new()
        .max_ping_time(ping)
        .max_clients(max_clients)
        .allow_raw(allow_raw)
        .device_manager(dm)
        .finish();
    (server, handle)
}

impl Setup {
    /// The toy behind device `index`, which scanning assigned.
    fn toy(&self, index: u32) -> &SimulatedHardware {
        let address = self
            .server
            .device_manager()
            .device(index)
            .unwrap_or_else(|| panic!("no device {index}"))
            .address()
            .to_string();
        self.toys
            .iter()
            .find(|t| buttplug_devices::Hardware::address(*t) == address)
            .unwrap()
    }

    fn forget_writes(&self) {
        for t in &self.toys {
            t.take_commands();
        }
    }
}

/// The two clients of most tests: alice at spec v4 and bob at v3, once bob's scan found both
/// toys, with the toys' writes so far forgotten.
async fn alice_and_bob(s: &Setup) -> (Client, Client) {
    let alice = client(&s.server, "alice", 4).await;
    let mut bob = client(&s.server, "bob", 3).await;
    bob.wait_for_devices(2).await;
    s.forget_writes();
    (alice, bob)
}

/// A session that introduced itself as `client` at spec `version` (3 or 4).
async fn client(server: &ButtplugServer, client: &str, version: u32) -> Client {
    let mut c = Client::new(server);
    let msg = if version == 4 {
        json!({"RequestServerInfo": {"ClientName": client, "ProtocolVersionMajor": 4, "ProtocolVersionMinor": 0}})
    } else {
        json!({"RequestServerInfo": {"ClientName": client, "MessageVersion": version}})
    };
    let r = c.request(msg).await;
    assert_eq!(name(&r), "ServerInfo", "{r}");
    c
}

/// Vibrate device `index` at `step` (of 20) in the client's spec version.
async fn vibrate(c: &mut Client, version: u32, index: u32, step: u32) -> Value {
    if version == 4 {
        c.request(json!({"OutputCmd": {"DeviceIndex": index, "FeatureIndex": 0, "Command": {"Vibrate": {"Value": step}}}}))
            .await
    } else {
        let scalar = f64::from(step) / 20.0;
        c.request(json!({"ScalarCmd": {"DeviceIndex": index, "Scalars": [{"Index": 0, "Scalar": scalar, "ActuatorType": "Vibrate"}]}}))
            .await
    }
}

fn assert_ok(r: &Value) {
    assert_eq!(name(r), "Ok", "{r}");
}

/// The refusal: ERROR_DEVICE (4), naming the device and the client holding it.
fn assert_held_by(r: &Value, index: u32, holder: &str) {
    assert_eq!(name(r), "Error", "{r}");
    assert_eq!(r["Error"]["ErrorCode"], json!(4), "{r}");
    let text = r["Error"]["ErrorMessage"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "device {index} (Lovense Hush) is in use by another client (\"{holder}\"); it is \
             free again when that client stops it or disconnects"
        )
    );
}

/// Wait for the next writes of `toy` (as text).
async fn writes(toy: &SimulatedHardware, n: usize) -> Vec<String> {
    assert!(
        toy.wait_for_commands(n, Duration::from_secs(3)).await,
        "only {:?}",
        toy.commands()
    );
    texts(toy)
}

/// `toy` receives nothing for a while.
async fn silent(toy: &SimulatedHardware) {
    buttplug_devices::sleep(Duration::from_millis(150)).await;
    assert_eq!(texts(toy), Vec::<String>::new());
}

#[test]
fn the_first_client_to_drive_a_device_holds_it_and_the_other_is_refused() {
    run(async {
        let s = setup(2, Duration::ZERO);
        let mut alice = client(&s.server, "alice", 4).await;
        let mut bob = client(&s.server, "bob", 3).await;
        // Bob scans; both clients see both devices (alice through the v4 DeviceList event).
        bob.wait_for_devices(2).await;
        let mut lists = 0;
        while lists == 0 {
            let m = alice.recv().await;
            if name(&m) == "DeviceList"
                && m["DeviceList"]["Devices"].as_object().unwrap().len() == 2
            {
                lists += 1;
            }
        }
        s.forget_writes();

        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:10;"]);
        assert_eq!(
            s.server.device_manager().device(0).unwrap().claimed_by(),
            Some("alice".to_string())
        );
        // Bob may not drive nor stop alice's toy: refused, and the toy gets nothing.
        assert_held_by(&vibrate(&mut bob, 3, 0, 20).await, 0, "alice");
        let r = bob
            .request(json!({"StopDeviceCmd": {"DeviceIndex": 0}}))
            .await;
        assert_held_by(&r, 0, "alice");
        let r = bob
            .request(json!({"LinearCmd": {"DeviceIndex": 0, "Vectors": [{"Index": 0, "Duration": 100, "Position": 0.5}]}}))
            .await;
        assert_eq!(name(&r), "Error", "{r}");
        silent(s.toy(0)).await;
        // Reading is open to every client.
        let r = bob
            .request(json!({"SensorReadCmd": {"DeviceIndex": 0, "SensorIndex": 0, "SensorType": "Battery"}}))
            .await;
        assert_eq!(name(&r), "SensorReading", "{r}");
        texts(s.toy(0));
        // The other toy is free: bob takes it, and alice in turn is refused there.
        assert_ok(&vibrate(&mut bob, 3, 1, 5).await);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:5;"]);
        assert_held_by(&vibrate(&mut alice, 4, 1, 3).await, 1, "bob");
        // Alice keeps driving her own.
        assert_ok(&vibrate(&mut alice, 4, 0, 12).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:12;"]);
    });
}

#[test]
fn stopping_the_device_releases_it_for_the_other_client() {
    run(async {
        let s = setup(2, Duration::ZERO);
        let (mut alice, mut bob) = alice_and_bob(&s).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        // A stop of one feature keeps the claim.
        let r = alice
            .request(json!({"StopCmd": {"DeviceIndex": 0, "FeatureIndex": 0}}))
            .await;
        assert_ok(&r);
        assert_held_by(&vibrate(&mut bob, 3, 0, 20).await, 0, "alice");
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_eq!(
            writes(s.toy(0), 3).await,
            ["Vibrate:10;", "Vibrate:0;", "Vibrate:10;"]
        );
        // A stop of the whole device releases it.
        let r = alice.request(json!({"StopCmd": {"DeviceIndex": 0}})).await;
        assert_ok(&r);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:0;"]);
        assert_eq!(
            s.server.device_manager().device(0).unwrap().claimed_by(),
            None
        );
        assert_ok(&vibrate(&mut bob, 3, 0, 20).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:20;"]);
        assert_held_by(&vibrate(&mut alice, 4, 0, 1).await, 0, "bob");
    });
}

#[test]
fn an_idle_stop_releases_the_device_of_a_silent_client() {
    run(async {
        let s = setup_with(2, Duration::ZERO, Some(Duration::from_millis(200)));
        let (mut alice, mut bob) = alice_and_bob(&s).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_held_by(&vibrate(&mut bob, 3, 0, 20).await, 0, "alice");
        // Alice goes silent with her connection open: the dead-man switch stops the toy and
        // frees it.
        assert_eq!(writes(s.toy(0), 2).await, ["Vibrate:10;", "Vibrate:0;"]);
        assert_eq!(
            s.server.device_manager().device(0).unwrap().claimed_by(),
            None
        );
        assert_ok(&vibrate(&mut bob, 3, 0, 20).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:20;"]);
        assert_held_by(&vibrate(&mut alice, 4, 0, 1).await, 0, "bob");
    });
}

#[test]
fn stop_all_devices_stops_what_no_other_client_holds() {
    run(async {
        let s = setup(2, Duration::ZERO);
        let (mut alice, mut bob) = alice_and_bob(&s).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_ok(&vibrate(&mut bob, 3, 1, 10).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:10;"]);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:10;"]);
        // Bob's StopAllDevices stops his toy, not alice's, and releases his.
        assert_ok(&bob.request(json!({"StopAllDevices": {}})).await);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:0;"]);
        silent(s.toy(0)).await;
        assert_held_by(&vibrate(&mut bob, 3, 0, 20).await, 0, "alice");
        assert_ok(&vibrate(&mut alice, 4, 1, 4).await);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:4;"]);
    });
}

#[test]
fn a_client_that_leaves_stops_only_what_it_drove_and_releases_it() {
    run(async {
        let s = setup(2, Duration::ZERO);
        let (mut alice, mut bob) = alice_and_bob(&s).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_ok(&vibrate(&mut bob, 3, 1, 10).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:10;"]);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:10;"]);
        // Alice's connection goes away: her toy stops, bob's runs on.
        drop(alice);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:0;"]);
        silent(s.toy(1)).await;
        // Bob may take the toy alice left, and his session goes on.
        assert_ok(&vibrate(&mut bob, 3, 0, 7).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:7;"]);
        // Bob leaves too: both toys he holds stop, and carol may take them.
        let mut carol = client(&s.server, "carol", 4).await;
        drop(bob);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:0;"]);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:0;"]);
        assert_ok(&vibrate(&mut carol, 4, 1, 2).await);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:2;"]);
        // A v4 Disconnect message is a departure too.
        let r = carol.request(json!({"Disconnect": {}})).await;
        assert_ok(&r);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:0;"]);
        silent(s.toy(0)).await;
    });
}

#[test]
fn a_client_that_misses_its_ping_releases_what_it_drove() {
    run(async {
        let s = setup(2, Duration::from_millis(200));
        let (mut alice, mut bob) = alice_and_bob(&s).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_ok(&vibrate(&mut bob, 3, 1, 10).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:10;"]);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:10;"]);
        // Bob pings, alice does not: within her ping time her toy stops, bob's does not.
        let mut stopped = Vec::new();
        for _ in 0..40 {
            assert_ok(&bob.request(json!({"Ping": {}})).await);
            stopped.extend(texts(s.toy(0)));
            if !stopped.is_empty() {
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(stopped, ["Vibrate:0;"]);
        assert_eq!(texts(s.toy(1)), Vec::<String>::new());
        let mut pinged_out = false;
        while let Ok(frame) = alice.rx.try_recv() {
            pinged_out |= frame.contains("\"ErrorCode\":2");
        }
        pinged_out |= alice
            .backlog
            .iter()
            .any(|m| m["Error"]["ErrorCode"] == json!(2));
        assert!(pinged_out, "alice got no ping error");
        assert_ok(&vibrate(&mut bob, 3, 0, 3).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:3;"]);
    });
}

#[test]
fn a_device_that_goes_away_is_free_when_it_comes_back() {
    run(async {
        let s = setup(2, Duration::ZERO);
        let mut alice = client(&s.server, "alice", 4).await;
        let mut bob = client(&s.server, "bob", 3).await;
        bob.wait_for_devices(2).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_held_by(&vibrate(&mut bob, 3, 0, 20).await, 0, "alice");
        let address = s
            .server
            .device_manager()
            .device(0)
            .unwrap()
            .address()
            .to_string();
        s.toy(0).simulate_disconnect();
        for _ in 0..200 {
            if s.server.device_manager().device(0).is_none() {
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        assert!(s.server.device_manager().device(0).is_none());
        // The same toy comes back (same address, same index): nobody holds it.
        let back = hush(&address);
        s.sim.add(SimulatedDevice::ble(back.clone()));
        bob.wait_for_devices(2).await;
        assert_eq!(
            s.server.device_manager().device(0).unwrap().address(),
            address
        );
        back.take_commands();
        assert_ok(&vibrate(&mut bob, 3, 0, 20).await);
        assert_eq!(writes(&back, 1).await, ["Vibrate:20;"]);
    });
}

#[test]
fn the_operators_stop_is_not_refused_and_releases_the_device() {
    run(async {
        let s = setup(2, Duration::ZERO);
        let (mut alice, mut bob) = alice_and_bob(&s).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:10;"]);
        assert_held_by(&vibrate(&mut bob, 3, 0, 20).await, 0, "alice");
        // What the REST API and the emergency stop call.
        let device = s.server.device_manager().device(0).unwrap();
        assert_eq!(device.claimed_by(), Some("alice".to_string()));
        device.stop(None, true, true).await.unwrap();
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:0;"]);
        assert_eq!(device.claimed_by(), None);
        assert_ok(&vibrate(&mut bob, 3, 0, 20).await);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:20;"]);
    });
}

/// With one client (the default) nothing is claimed, and a session that leaves stops every
/// device, as before sharing existed.
#[test]
fn max_clients_one_claims_nothing_and_leaving_stops_every_device() {
    run(async {
        let s = setup(1, Duration::ZERO);
        let (mut alice, mut bob) = alice_and_bob(&s).await;
        assert_ok(&vibrate(&mut alice, 4, 0, 10).await);
        assert_ok(&vibrate(&mut bob, 3, 0, 20).await);
        assert_ok(&vibrate(&mut alice, 4, 1, 10).await);
        assert_eq!(writes(s.toy(0), 2).await, ["Vibrate:10;", "Vibrate:20;"]);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:10;"]);
        assert_eq!(
            s.server.device_manager().device(0).unwrap().claimed_by(),
            None
        );
        drop(bob);
        assert_eq!(writes(s.toy(0), 1).await, ["Vibrate:0;"]);
        assert_eq!(writes(s.toy(1), 1).await, ["Vibrate:0;"]);
    });
}

/// A client that leaves stops the scan only if it started it; with one client it always does.
#[test]
fn a_client_that_leaves_stops_only_its_own_scan() {
    run(async {
        let s = setup(2, Duration::ZERO);
        let dm = s.server.device_manager().clone();
        let alice = client(&s.server, "alice", 4).await;
        let mut bob = client(&s.server, "bob", 3).await;
        assert_ok(&bob.request(json!({"StartScanning": {}})).await);
        assert!(dm.is_scanning());
        drop(alice);
        // Time for alice's session to end.
        buttplug_devices::sleep(Duration::from_millis(100)).await;
        assert!(dm.is_scanning(), "alice's departure stopped bob's scan");
        drop(bob);
        for _ in 0..200 {
            if !dm.is_scanning() {
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        assert!(!dm.is_scanning(), "bob's departure did not stop his scan");

        let s = setup(1, Duration::ZERO);
        let dm = s.server.device_manager().clone();
        let alice = client(&s.server, "alice", 4).await;
        let mut bob = client(&s.server, "bob", 3).await;
        assert_ok(&bob.request(json!({"StartScanning": {}})).await);
        drop(alice);
        for _ in 0..200 {
            if !dm.is_scanning() {
                break;
            }
            buttplug_devices::sleep(Duration::from_millis(5)).await;
        }
        assert!(
            !dm.is_scanning(),
            "with one client, leaving stops every scan"
        );
    });
}

/// The next `SensorReading` `c` receives (its `Data`), or `None` within 150 ms.
async fn reading(c: &mut Client) -> Option<Value> {
    let deadline = std::time::Instant::now() + Duration::from_millis(150);
    loop {
        if let Some(at) = c.backlog.iter().position(|m| name(m) == "SensorReading") {
            return Some(c.backlog.remove(at)["SensorReading"]["Data"].clone());
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match buttplug_devices::with_timeout(left, c.rx.recv()).await {
            Ok(Ok(frame)) => {
                let v: Value = serde_json::from_str(&frame).unwrap();
                c.backlog.extend(v.as_array().unwrap().iter().cloned());
            }
            _ => return None,
        }
    }
}

#[test]
fn clients_share_a_sensor_subscription_until_the_last_one_leaves() {
    use buttplug_devices::{Endpoint, HardwareCommand};
    run(async {
        let db = DeviceDatabase::builtin();
        let plan =
            buttplug_devices::simulated_device(db, "kgoal-boost:", "aa:c0:00:00:00:09").unwrap();
        let hw = plan.hardware.clone();
        let kgoal = SimulatedDevice {
            hardware: plan.hardware,
            specifier: plan.specifier,
        };
        let (server, _sim) = shared_server(vec![kgoal], 2, Duration::ZERO, None, false);
        let mut alice = client(&server, "alice", 3).await;
        let mut bob = client(&server, "bob", 3).await;
        bob.wait_for_devices(1).await;
        hw.take_commands();
        let subscribe = json!({"SensorSubscribeCmd": {"DeviceIndex": 0, "SensorIndex": 0, "SensorType": "Pressure"}});
        let unsubscribe = json!({"SensorUnsubscribeCmd": {"DeviceIndex": 0, "SensorIndex": 0, "SensorType": "Pressure"}});
        // Bytes 3 and 4 are the big-endian pressure: n × 256 + 44.
        let pressure = |n: u8| hw.notify(Endpoint::RxPressure, vec![0, 0, 0, n, 44, 2, 88]);
        let subscribed = |commands: Vec<HardwareCommand>| {
            commands
                .iter()
                .filter(|c| matches!(c, HardwareCommand::Subscribe { .. }))
                .count()
        };

        assert_ok(&alice.request(subscribe.clone()).await);
        assert_ok(&bob.request(subscribe.clone()).await);
        assert_eq!(
            subscribed(hw.take_commands()),
            1,
            "one hardware subscription"
        );
        pressure(1);
        assert_eq!(reading(&mut alice).await, Some(json!([300])));
        assert_eq!(reading(&mut bob).await, Some(json!([300])));

        // Alice stops reading: Bob still gets readings, Alice none.
        assert_ok(&alice.request(unsubscribe.clone()).await);
        assert!(
            !hw.take_commands()
                .iter()
                .any(|c| matches!(c, HardwareCommand::Unsubscribe { .. }))
        );
        pressure(2);
        assert_eq!(reading(&mut bob).await, Some(json!([556])));
        assert_eq!(reading(&mut alice).await, None);

        // Alice reads again, then leaves: Bob's readings go on.
        assert_ok(&alice.request(subscribe.clone()).await);
        assert_ok(&alice.request(json!({"StopAllDevices": {}})).await);
        drop(alice);
        buttplug_devices::sleep(Duration::from_millis(100)).await;
        assert!(
            !hw.take_commands()
                .iter()
                .any(|c| matches!(c, HardwareCommand::Unsubscribe { .. })),
            "another client still reads"
        );
        pressure(3);
        assert_eq!(reading(&mut bob).await, Some(json!([812])));

        // The last reader leaves: the hardware subscription ends.
        assert_ok(&bob.request(unsubscribe).await);
        assert_eq!(
            hw.take_commands(),
            vec![HardwareCommand::unsubscribe(Endpoint::RxPressure)]
        );
    });
}

#[test]
fn clients_share_a_raw_subscription_until_the_last_one_leaves() {
    use buttplug_devices::{Endpoint, HardwareCommand};
    run(async {
        let toy = hush("aa:c0:00:00:00:0a");
        let devices = vec![SimulatedDevice::ble(toy.clone())];
        let (server, _sim) = shared_server(devices, 2, Duration::ZERO, None, true);
        let mut alice = client(&server, "alice", 3).await;
        let mut bob = client(&server, "bob", 3).await;
        bob.wait_for_devices(1).await;
        toy.take_commands();
        let subscribe = json!({"RawSubscribeCmd": {"DeviceIndex": 0, "Endpoint": "rx"}});
        let unsubscribe = json!({"RawUnsubscribeCmd": {"DeviceIndex": 0, "Endpoint": "rx"}});
        let raw = |c: &mut Client| {
            let at = c.backlog.iter().position(|m| name(m) == "RawReading");
            at.map(|at| c.backlog.remove(at)["RawReading"]["Data"].clone())
        };
        let settle = || buttplug_devices::sleep(Duration::from_millis(100));

        assert_ok(&alice.request(subscribe.clone()).await);
        assert_ok(&bob.request(subscribe.clone()).await);
        assert_eq!(
            toy.take_commands(),
            vec![HardwareCommand::subscribe(Endpoint::Rx)],
            "one hardware subscription"
        );

        // Alice leaves the endpoint: no unsubscribe reaches the toy, Bob still reads it.
        assert_ok(&alice.request(unsubscribe.clone()).await);
        assert_eq!(toy.take_commands(), vec![]);
        toy.notify(Endpoint::Rx, b"Battery:80;".to_vec());
        settle().await;
        // Each client reads its frames (a request drains what arrived before its reply).
        let _ = bob.request(json!({"Ping": {}})).await;
        let _ = alice.request(json!({"Ping": {}})).await;
        assert_eq!(raw(&mut bob), Some(json!(b"Battery:80;".to_vec())));
        assert_eq!(raw(&mut alice), None);

        // The last reader leaves: the toy's subscription ends.
        assert_ok(&bob.request(unsubscribe).await);
        assert_eq!(
            toy.take_commands(),
            vec![HardwareCommand::unsubscribe(Endpoint::Rx)]
        );
    });
}

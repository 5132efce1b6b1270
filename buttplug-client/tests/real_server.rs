//! The client end to end against the real server (`buttplug-server` with simulated devices from
//! the built-in database), over both connections an app uses: in-process and WebSocket on
//! loopback. What matters is checked where it lands: the bytes the simulated hardware receives.

use buttplug_client::{
    ButtplugClient, ButtplugClientDevice, ButtplugClientEvent, ClientError, ReconnectPolicy,
};
use buttplug_core::{BoxFrameTransport, ButtplugConnector, ConnectorError, InputType};
use buttplug_devices::{DeviceDatabase, Endpoint, Hardware, SIMULATED_BATTERY, SimulatedHardware};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use buttplug_transport_ws::{WebsocketClientConnector, WebsocketServerTransport};
use futures::future::AbortHandle;
use futures::{SinkExt, StreamExt};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Upper bound for anything a test waits for.
const WAIT: Duration = Duration::from_secs(5);

fn block_on<F: Future>(f: F) -> F::Output {
    async_std::task::block_on(f)
}

async fn within<F: Future>(what: &str, future: F) -> F::Output {
    async_std::future::timeout(WAIT, future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// One simulated device of the built-in database (`protocol:identifier`), and its hardware.
fn device(query: &str, address: &str) -> (SimulatedDevice, SimulatedHardware) {
    let plan = buttplug_devices::simulated_device(DeviceDatabase::builtin(), query, address)
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    let hardware = plan.hardware.clone();
    (
        SimulatedDevice {
            hardware: plan.hardware,
            specifier: plan.specifier,
        },
        hardware,
    )
}

/// A real server with these devices (no message gap, so every command reaches the hardware).
fn server(devices: Vec<SimulatedDevice>, max_ping: Option<Duration>) -> ButtplugServer {
    let mut sim = SimulatedCommunicationManagerBuilder::new();
    for d in devices {
        sim = sim.device(d);
    }
    let dm = DeviceManagerBuilder::new(Arc::new(DeviceDatabase::builtin().clone()))
        .comm_manager(sim)
        .message_gap_override(Some(Duration::ZERO))
        .finish()
        .unwrap();
    let mut builder = ButtplugServerBuilder::new().name("real server");
    if let Some(ping) = max_ping {
        builder = builder.max_ping_time(ping);
    }
    builder.device_manager(dm).finish()
}

/// How the client reaches the server.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    InProcess,
    Websocket,
}

/// A server reachable over `link`; dropping it stops the WebSocket listener and every
/// connection it serves (the server going away).
struct Served {
    server: ButtplugServer,
    url: Option<String>,
    abort: Option<AbortHandle>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(abort) = &self.abort {
            abort.abort();
        }
    }
}

impl Served {
    async fn new(server: ButtplugServer, link: Link) -> Served {
        if link == Link::InProcess {
            return Served {
                server,
                url: None,
                abort: None,
            };
        }
        Served::websocket_on(server, 0).await
    }

    /// The server over WebSocket on loopback `port` (0: any free port).
    async fn websocket_on(server: ButtplugServer, port: u16) -> Served {
        let transport = WebsocketServerTransport::builder()
            .port(port)
            .bind()
            .await
            .unwrap();
        let url = format!("ws://{}", transport.local_addr());
        let serving = server.clone();
        let (task, abort) = futures::future::abortable(async move {
            // One client at a time, as the transport serves them.
            while let Ok(connection) = transport.accept().await {
                serving.serve_connection(connection).await;
            }
        });
        async_std::task::spawn(task);
        Served {
            server,
            url: Some(url),
            abort: Some(abort),
        }
    }

    fn connector(&self) -> Box<dyn ButtplugConnector> {
        match &self.url {
            None => Box::new(self.server.in_process_connector()),
            Some(url) => Box::new(WebsocketClientConnector::new(url.clone())),
        }
    }

    /// A connected client (its driver spawned).
    async fn client(&self, connector: Box<dyn ButtplugConnector>) -> ButtplugClient {
        let client = ButtplugClient::new("end-to-end test");
        let driver = within("the handshake", client.connect_boxed(connector))
            .await
            .unwrap();
        async_std::task::spawn(driver);
        assert!(client.connected());
        assert_eq!(client.server_name().as_deref(), Some("real server"));
        client
    }
}

/// Scan until `count` devices are there; returns them by name.
async fn scan_for(client: &ButtplugClient, count: usize) -> Vec<ButtplugClientDevice> {
    let mut events = client.event_stream();
    client.start_scanning().await.unwrap();
    let mut added = 0;
    within("the devices", async {
        while added < count {
            if let Some(ButtplugClientEvent::DeviceAdded(_)) = events.next().await {
                added += 1;
            }
        }
    })
    .await;
    client.stop_scanning().await.unwrap();
    let devices = client.devices();
    assert_eq!(devices.len(), count);
    devices
}

fn named(devices: &[ButtplugClientDevice], name: &str) -> ButtplugClientDevice {
    devices
        .iter()
        .find(|d| d.name() == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = devices.iter().map(|d| d.name()).collect();
            panic!("no {name} among {names:?}")
        })
        .clone()
}

/// The writes `hardware` received since the last call (bytes only).
fn take_writes(hardware: &SimulatedHardware) -> Vec<Vec<u8>> {
    hardware
        .take_commands()
        .into_iter()
        .filter_map(|c| match c {
            buttplug_devices::HardwareCommand::Write { data, .. } => Some(data),
            _ => None,
        })
        .collect()
}

/// Wait until `hardware` has received `expected` as its first writes since the last check
/// (anything after them, such as a keep-alive repeat, is dropped).
async fn expect_writes(hardware: &SimulatedHardware, expected: &[&[u8]]) {
    let deadline = Instant::now() + WAIT;
    let mut writes: Vec<Vec<u8>> = Vec::new();
    while writes.len() < expected.len() {
        assert!(
            Instant::now() < deadline,
            "{} received {writes:02x?}, expected {expected:02x?}",
            hardware.name()
        );
        async_std::task::sleep(Duration::from_millis(5)).await;
        writes.extend(take_writes(hardware));
    }
    assert!(
        writes
            .iter()
            .map(Vec::as_slice)
            .take(expected.len())
            .eq(expected.iter().copied()),
        "{} received {writes:02x?}, expected {expected:02x?} first",
        hardware.name()
    );
}

/// Wait until the latest write to `hardware` is `last` (for outputs stepped by a loop).
async fn expect_last_write(hardware: &SimulatedHardware, last: &[u8]) {
    let deadline = Instant::now() + WAIT;
    let mut writes: Vec<Vec<u8>> = Vec::new();
    loop {
        writes.extend(take_writes(hardware));
        if writes.last().map(Vec::as_slice) == Some(last) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} received {writes:02x?}, expected to end with {last:02x?}",
            hardware.name()
        );
        async_std::task::sleep(Duration::from_millis(5)).await;
    }
}

fn outputs(link: Link) {
    block_on(async {
        let (hush_dev, hush) = device("lovense:Z", "AA:00:00:00:00:01");
        let (nora_dev, nora) = device("lovense:A", "AA:00:00:00:00:02");
        let (gravity_dev, gravity) = device("lovense:EA", "AA:00:00:00:00:03");
        let (max_dev, max) = device("lovense:B", "AA:00:00:00:00:04");
        let (solace_dev, solace) = device("lovense:BA", "AA:00:00:00:00:05");
        let (vero_dev, vero) = device("umove:Vx", "AA:00:00:00:00:06");
        let (dodge_dev, dodge) = device("joyhub:J-Dodge", "AA:00:00:00:00:07");
        let (rainbow_dev, rainbow) = device("joyhub:J-Rainbow", "AA:00:00:00:00:08");
        let (melody_dev, melody) = device("joyhub:J-Melody", "AA:00:00:00:00:09");
        let served = Served::new(
            server(
                vec![
                    hush_dev,
                    nora_dev,
                    gravity_dev,
                    max_dev,
                    solace_dev,
                    vero_dev,
                    dodge_dev,
                    rainbow_dev,
                    melody_dev,
                ],
                None,
            ),
            link,
        )
        .await;
        let client = served.client(served.connector()).await;
        let devices = scan_for(&client, 9).await;
        for hw in [
            &hush, &nora, &gravity, &max, &solace, &vero, &dodge, &rainbow, &melody,
        ] {
            take_writes(hw);
        }

        let d = named(&devices, "Lovense Hush");
        d.vibrate(0.5).await.unwrap();
        expect_writes(&hush, &[b"Vibrate:10;"]).await;
        let d = named(&devices, "Lovense Nora");
        d.rotate(0.25).await.unwrap();
        expect_writes(&nora, &[b"Rotate:5;"]).await;
        d.rotate_with_direction(0.25, false).await.unwrap();
        expect_writes(&nora, &[b"RotateChange;", b"Rotate:5;"]).await;
        let d = named(&devices, "Lovense Gravity");
        d.oscillate(1.0).await.unwrap();
        expect_writes(&gravity, &[b"Vibrate2:20;"]).await;
        let d = named(&devices, "Lovense Max");
        d.constrict(0.6).await.unwrap();
        expect_writes(&max, &[b"Air:Level:2;"]).await;
        let d = named(&devices, "Lovense Solace Pro");
        d.position_with_duration(0.5, Duration::from_millis(500))
            .await
            .unwrap();
        expect_last_write(&solace, b"FSetSite:50;").await;
        let d = named(&devices, "Umove Vero");
        // 0.5 of 0..=732 is 366 = 0x016e; the state packet's position is little-endian.
        d.position(0.5).await.unwrap();
        expect_writes(
            &vero,
            &[&[
                0x5a, 0xa5, 0x55, 0x00, 0, 0, 0x01, 0x00, 0, 0, 0, 0, 0x6e, 0x01, 0, 0,
            ]],
        )
        .await;
        let d = named(&devices, "JoyHub Dodge");
        d.spray(1.0).await.unwrap();
        expect_writes(&dodge, &[&[0xa0, 0x24, 0x01, 0x00, 0x01, 0xff]]).await;
        let d = named(&devices, "JoyHub Rainbow");
        d.led(1.0).await.unwrap();
        expect_writes(&rainbow, &[&[0xa0, 0x14, 0x01, 0x00, 0x01, 0xff]]).await;
        let d = named(&devices, "JoyHub Melody");
        d.temperature(1.0).await.unwrap();
        expect_writes(&melody, &[&[0xa0, 0x04, 0x01, 0x00, 0x01, 0xff]]).await;

        client.disconnect().await.unwrap();
    });
}

#[test]
fn every_output_type_reaches_the_hardware_in_process() {
    outputs(Link::InProcess);
}

#[test]
fn every_output_type_reaches_the_hardware_over_websocket() {
    outputs(Link::Websocket);
}

fn sensors_stop_and_disconnect(link: Link) {
    block_on(async {
        let (hush_dev, hush) = device("lovense:Z", "AA:00:00:00:00:01");
        let (boost_dev, boost) = device("kgoal-boost:", "AA:00:00:00:00:02");
        let served = Served::new(server(vec![hush_dev, boost_dev], None), link).await;
        let client = served.client(served.connector()).await;
        let devices = scan_for(&client, 2).await;
        let toy = named(&devices, "Lovense Hush");
        let sensor = named(&devices, "KGoal Boost");
        take_writes(&hush);

        // Battery: the toy is asked and its answer comes back as a percentage.
        assert_eq!(toy.battery().await.unwrap(), u32::from(SIMULATED_BATTERY));
        expect_writes(&hush, &[b"Battery;"]).await;

        // Subscribed pressure readings arrive as events, in order.
        let pressure = sensor.feature(0).unwrap();
        let mut events = client.event_stream();
        pressure.subscribe_input(InputType::Pressure).await.unwrap();
        assert!(boost.subscribed().contains(&Endpoint::RxPressure));
        for level in [100u16, 400] {
            let [hi, lo] = level.to_be_bytes();
            boost.notify(Endpoint::RxPressure, vec![0, 0, 0, hi, lo, 0, 0]);
        }
        let mut readings = Vec::new();
        within("two readings", async {
            while readings.len() < 2 {
                if let Some(ButtplugClientEvent::InputReading {
                    feature_index: 0,
                    input_type: InputType::Pressure,
                    value,
                    ..
                }) = events.next().await
                {
                    readings.push(value);
                }
            }
        })
        .await;
        assert_eq!(readings, [100, 400]);
        pressure
            .unsubscribe_input(InputType::Pressure)
            .await
            .unwrap();
        assert!(!boost.subscribed().contains(&Endpoint::RxPressure));

        // Stop: one device, then all.
        toy.vibrate(0.5).await.unwrap();
        expect_writes(&hush, &[b"Vibrate:10;"]).await;
        toy.stop().await.unwrap();
        expect_writes(&hush, &[b"Vibrate:0;"]).await;
        toy.vibrate(1.0).await.unwrap();
        expect_writes(&hush, &[b"Vibrate:20;"]).await;
        client.stop_all_devices().await.unwrap();
        expect_writes(&hush, &[b"Vibrate:0;"]).await;

        // Disconnect: the server stops the toys; the client reports no ServerDisconnect.
        toy.vibrate(0.25).await.unwrap();
        expect_writes(&hush, &[b"Vibrate:5;"]).await;
        client.disconnect().await.unwrap();
        assert!(!client.connected());
        expect_writes(&hush, &[b"Vibrate:0;"]).await;
        assert!(matches!(
            toy.vibrate(0.5).await,
            Err(ClientError::NotConnected)
        ));
        let after = async_std::future::timeout(Duration::from_millis(200), async {
            loop {
                match events.next().await {
                    Some(ButtplugClientEvent::ServerDisconnect) => return true,
                    Some(_) => continue,
                    None => return false,
                }
            }
        })
        .await;
        assert!(
            !matches!(after, Ok(true)),
            "ServerDisconnect after disconnect()"
        );

        // The same client connects again: the devices still connected to the server are in
        // its initial list, and they answer.
        let driver = client.connect_boxed(served.connector()).await.unwrap();
        async_std::task::spawn(driver);
        assert!(client.connected());
        let again = client.devices();
        assert_eq!(again.len(), 2);
        named(&again, "Lovense Hush").vibrate(0.5).await.unwrap();
        expect_writes(&hush, &[b"Vibrate:10;"]).await;
        client.disconnect().await.unwrap();
    });
}

#[test]
fn sensors_stop_and_disconnect_in_process() {
    sensors_stop_and_disconnect(Link::InProcess);
}

#[test]
fn sensors_stop_and_disconnect_over_websocket() {
    sensors_stop_and_disconnect(Link::Websocket);
}

/// The server goes away (its listener and the connection are dropped): the client reports
/// `ServerDisconnect`, is no longer connected, and its requests fail.
#[test]
fn the_server_going_away_is_a_server_disconnect() {
    block_on(async {
        let (hush_dev, _hush) = device("lovense:Z", "AA:00:00:00:00:01");
        let served = Served::new(server(vec![hush_dev], None), Link::Websocket).await;
        let client = served.client(served.connector()).await;
        let devices = scan_for(&client, 1).await;
        let mut events = client.event_stream();
        drop(served);
        within("ServerDisconnect", async {
            loop {
                match events.next().await {
                    Some(ButtplugClientEvent::ServerDisconnect) => break,
                    Some(_) => continue,
                    None => panic!("event stream ended without ServerDisconnect"),
                }
            }
        })
        .await;
        assert!(!client.connected());
        assert!(devices[0].vibrate(0.5).await.is_err());
    });
}

/// A connector that forwards to another one but drops the client's `Ping`s once told to: a
/// client whose pings stop reaching the server.
#[derive(Debug)]
struct PingDropper {
    inner: Box<dyn ButtplugConnector>,
    drop_pings: Arc<AtomicBool>,
}

#[async_trait::async_trait]
impl ButtplugConnector for PingDropper {
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        Ok(Box::pin(DroppingPings {
            inner: self.inner.connect().await?,
            drop_pings: self.drop_pings.clone(),
        }))
    }
}

/// A connection whose outgoing `Ping` frames vanish while `drop_pings` is set.
struct DroppingPings {
    inner: BoxFrameTransport,
    drop_pings: Arc<AtomicBool>,
}

impl futures::Stream for DroppingPings {
    type Item = Result<String, ConnectorError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl futures::Sink<String> for DroppingPings {
    type Error = ConnectorError;

    fn poll_ready(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), ConnectorError>> {
        self.inner.poll_ready_unpin(cx)
    }

    fn start_send(mut self: std::pin::Pin<&mut Self>, frame: String) -> Result<(), ConnectorError> {
        // The client sends one message per frame.
        if frame.starts_with(r#"[{"Ping""#) && self.drop_pings.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.inner.start_send_unpin(frame)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), ConnectorError>> {
        self.inner.poll_flush_unpin(cx)
    }

    fn poll_close(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), ConnectorError>> {
        self.inner.poll_close_unpin(cx)
    }
}

/// With a max ping time the client pings by itself and stays connected; once its pings stop
/// reaching the server, the server stops the devices and says so: the client reports
/// `PingTimeout` and then `ServerDisconnect`.
fn ping_out(link: Link) {
    block_on(async {
        const MAX_PING: Duration = Duration::from_millis(300);
        let (hush_dev, hush) = device("lovense:Z", "AA:00:00:00:00:01");
        let served = Served::new(server(vec![hush_dev], Some(MAX_PING)), link).await;
        let drop_pings = Arc::new(AtomicBool::new(false));
        let client = served
            .client(Box::new(PingDropper {
                inner: served.connector(),
                drop_pings: drop_pings.clone(),
            }))
            .await;
        assert_eq!(client.max_ping_time(), Some(MAX_PING));
        let devices = scan_for(&client, 1).await;
        take_writes(&hush);
        devices[0].vibrate(0.5).await.unwrap();
        expect_writes(&hush, &[b"Vibrate:10;"]).await;

        // Pinging on its own, the client outlives several ping periods.
        async_std::task::sleep(MAX_PING * 4).await;
        assert!(client.connected());
        assert!(take_writes(&hush).is_empty(), "the toy was stopped");

        let mut events = client.event_stream();
        let stopped_pinging = Instant::now();
        drop_pings.store(true, Ordering::SeqCst);
        let mut seen: Vec<&str> = Vec::new();
        within("PingTimeout and ServerDisconnect", async {
            while let Some(event) = events.next().await {
                match event {
                    ButtplugClientEvent::PingTimeout => seen.push("PingTimeout"),
                    ButtplugClientEvent::ServerDisconnect => {
                        seen.push("ServerDisconnect");
                        break;
                    }
                    _ => {}
                }
            }
        })
        .await;
        assert_eq!(seen, ["PingTimeout", "ServerDisconnect"]);
        assert!(stopped_pinging.elapsed() >= MAX_PING / 2);
        expect_writes(&hush, &[b"Vibrate:0;"]).await;
        assert!(!client.connected());
    });
}

#[test]
fn a_client_that_stops_pinging_is_timed_out_in_process() {
    ping_out(Link::InProcess);
}

#[test]
fn a_client_that_stops_pinging_is_timed_out_over_websocket() {
    ping_out(Link::Websocket);
}

/// The real server restarts on the same port (a new server process: a new device manager that
/// has found nothing yet). A client with a reconnect policy re-dials with backoff until the new
/// server answers, runs the handshake again, rescans (the app was scanning) and announces the
/// device again; the new handle drives the new server's hardware.
#[test]
fn a_restarted_server_is_redialed_and_its_device_comes_back() {
    block_on(async {
        let (hush_dev, _old_hush) = device("lovense:Z", "AA:00:00:00:00:01");
        let served = Served::new(server(vec![hush_dev], None), Link::Websocket).await;
        let url = served.url.clone().unwrap();
        let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
        let client = ButtplugClient::builder("restart test")
            .reconnect(
                ReconnectPolicy::new()
                    .initial_delay(Duration::from_millis(20))
                    .max_delay(Duration::from_millis(200)),
            )
            .build();
        let driver = within(
            "the handshake",
            client.connect(WebsocketClientConnector::new(url)),
        )
        .await
        .unwrap();
        async_std::task::spawn(driver);
        let mut events = client.event_stream();
        client.start_scanning().await.unwrap();
        let old_device = within("the device", async {
            loop {
                if let Some(ButtplugClientEvent::DeviceAdded(d)) = events.next().await {
                    break d;
                }
            }
        })
        .await;

        drop(served);
        // The server is down for a while: several attempts fail.
        let mut failed_attempts = 0;
        within("ServerDisconnect and failed re-dials", async {
            while failed_attempts < 3 {
                match events.next().await {
                    Some(ButtplugClientEvent::Reconnecting { attempt, .. }) => {
                        failed_attempts = attempt - 1;
                    }
                    Some(ButtplugClientEvent::ServerDisconnect) => {}
                    other => panic!("{other:?}"),
                }
            }
        })
        .await;
        assert!(!client.connected());
        assert!(!old_device.connected());

        let (hush_dev, hush) = device("lovense:Z", "AA:00:00:00:00:01");
        let _restarted = Served::websocket_on(server(vec![hush_dev], None), port).await;
        let device = within("Reconnected and the device", async {
            let mut reconnected = false;
            loop {
                match events.next().await {
                    Some(ButtplugClientEvent::Reconnected { .. }) => reconnected = true,
                    Some(ButtplugClientEvent::DeviceAdded(d)) => {
                        assert!(reconnected, "devices come after Reconnected");
                        break d;
                    }
                    Some(ButtplugClientEvent::Reconnecting { .. }) => {}
                    other => panic!("{other:?}"),
                }
            }
        })
        .await;
        assert!(client.connected());
        assert_eq!(device.name(), old_device.name());
        assert!(device.connected());
        assert!(!old_device.connected(), "the old handle stays disconnected");
        take_writes(&hush);
        device.vibrate(0.5).await.unwrap();
        expect_writes(&hush, &[b"Vibrate:10;"]).await;
        client.disconnect().await.unwrap();
    });
}

//! Benchmark: latency from the client call to the simulated hardware write, one command in
//! flight, over three paths:
//!
//! 1. the typed session channel (`ButtplugServer::connect`: no client library, no JSON);
//! 2. `ButtplugClient` with the server's in-process connector (JSON frames over an in-memory pipe);
//! 3. `ButtplugClient` over a WebSocket on loopback (transport-ws server transport glued to
//!    `ButtplugServer::serve_connection`, as `buttplug serve` does, in this process so the simulated
//!    device's write timestamps can be read).
//!
//! The device is a simulated Lovense Hush (database message gap: none). Values cycle through
//! 1..=20 so that no command is an identical repeat (repeats are answered without a write).
//! "to write" is the time from the call to the simulated device recording the write
//! (`SimulatedHardware::record_stream` timestamps); "round trip" is until the call returned.
//!
//! Run: `cargo run --release -p buttplug-examples --example bench_latency [-- COMMANDS]`
//! (default 10,000 commands per path, after 500 warm-up commands).
//! `... -- COMMANDS throughput` instead pipelines COMMANDS commands over the typed channel to 10
//! devices and prints this process's CPU time per command (the server core without JSON or
//! sockets); values cycle through 1..=12. `... -- COMMANDS throughput limits` does the same with
//! `--max-level 0.6 --idle-stop 60` on every output: every value goes through the cap (12 of the
//! Hush's 20) without being changed by it, so both runs write the same bytes and the difference
//! is the cost of the limit path. (A `--max-ramp` holds every rise until the next ramp step, so
//! it changes what is written and is not measured here.) `... -- COMMANDS throughput panel`
//! runs the web panel's HTTP server (`buttplug_server::rest` with the panel) with one reader of
//! its `/api/v1/events` stream, as an open panel has: every write then becomes an output event
//! rendered as JSON and sent over loopback. The reader is a thread of this process that only
//! drains the socket, so its (small) CPU time is counted too. `panel-idle` runs the same server
//! with nobody reading `/events` (the server still keeps its event history for readers that come
//! later). `limits panel` combines both.
//!
//! `buttplug serve` runs its executor on one thread; set `ASYNC_STD_THREAD_COUNT=1` to measure
//! the same configuration here.

use buttplug_client::{ButtplugClient, Level};
use buttplug_core::v4::{ClientMessageV4, OutputCmdV4, OutputCommandV4};
use buttplug_core::{ClientMessage, OutputType};
use buttplug_devices::config::OutputLimits;
use buttplug_devices::{DeviceDatabase, RecordedCommand, SimulatedHardware, simulated_device};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::rest::RestOptions;
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use buttplug_transport_ws::{WebsocketClientConnector, WebsocketServerTransport};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error>;

const WARM_UP: usize = 500;

/// p50 / p99 / max of a set of durations, in microseconds.
fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    format!(
        "p50 {:>7.1} µs   p99 {:>7.1} µs   max {:>8.1} µs",
        us(at(0.5)),
        us(at(0.99)),
        us(*samples.last().unwrap_or(&Duration::ZERO))
    )
}

fn server() -> Result<(ButtplugServer, SimulatedHardware), BoxError> {
    let db = DeviceDatabase::builtin();
    let hush = simulated_device(db, "Lovense Hush", "SI:MU:LA:TE:00:01")?;
    let toy = hush.hardware.clone();
    let devices = DeviceManagerBuilder::new(Arc::new(db.clone()))
        .comm_manager(
            SimulatedCommunicationManagerBuilder::new().device(SimulatedDevice {
                hardware: hush.hardware,
                specifier: hush.specifier,
            }),
        )
        .finish()?;
    let server = ButtplugServerBuilder::new()
        .device_manager(devices)
        .finish();
    Ok((server, toy))
}

/// The next write the device records (the call has returned, so it is already there).
async fn next_write(
    records: &mut BoxStream<'static, RecordedCommand>,
) -> Result<Instant, BoxError> {
    let r = async_std::future::timeout(Duration::from_secs(5), records.next())
        .await?
        .ok_or("record stream ended")?;
    Ok(r.at)
}

struct Samples {
    to_write: Vec<Duration>,
    round_trip: Vec<Duration>,
}

impl Samples {
    fn new(n: usize) -> Self {
        Samples {
            to_write: Vec::with_capacity(n),
            round_trip: Vec::with_capacity(n),
        }
    }

    fn print(self, label: &str) {
        println!("{label}");
        println!("  call -> hardware write   {}", summary(self.to_write));
        println!("  call -> reply (Ok)       {}", summary(self.round_trip));
    }
}

async fn typed_channel(n: usize) -> Result<Samples, BoxError> {
    let (server, toy) = server()?;
    let (tx, rx) = server.connect();
    tx.send(ClientMessage::request_server_info(
        1,
        "bench",
        buttplug_core::SpecVersion::V4,
    ))
    .await?;
    rx.recv().await?;
    server.device_manager().start_scanning().await?;
    while server.device_manager().devices().is_empty() {
        async_std::task::sleep(Duration::from_millis(2)).await;
    }
    let mut records = toy.record_stream();
    let mut samples = Samples::new(n);
    for i in 0..WARM_UP + n {
        let id = u32::try_from(i + 2)?;
        let value = (i % 20 + 1) as i32;
        let msg = ClientMessage::V4(ClientMessageV4::from(OutputCmdV4::new(
            id,
            0,
            0,
            OutputCommandV4::new(OutputType::Vibrate, value),
        )));
        let start = Instant::now();
        tx.send(msg).await?;
        // Skip events (Id 0), e.g. the DeviceList event of the device being added.
        let reply = loop {
            let m = rx.recv().await?;
            if m.id() == id {
                break m;
            }
        };
        let end = Instant::now();
        if !reply.is_ok() {
            return Err(format!("unexpected reply {reply:?}").into());
        }
        let wrote = next_write(&mut records).await?;
        if i >= WARM_UP {
            samples
                .to_write
                .push(wrote.saturating_duration_since(start));
            samples.round_trip.push(end - start);
        }
    }
    Ok(samples)
}

async fn with_client(
    client: &ButtplugClient,
    toy: &SimulatedHardware,
    n: usize,
) -> Result<Samples, BoxError> {
    client.start_scanning().await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while client.devices().is_empty() {
        if Instant::now() > deadline {
            return Err("the simulated device did not appear".into());
        }
        async_std::task::sleep(Duration::from_millis(2)).await;
    }
    let device = client.devices().remove(0);
    let mut records = toy.record_stream();
    let mut samples = Samples::new(n);
    for i in 0..WARM_UP + n {
        let value = (i % 20 + 1) as i32;
        let start = Instant::now();
        device.vibrate(Level::Steps(value)).await?;
        let end = Instant::now();
        let wrote = next_write(&mut records).await?;
        if i >= WARM_UP {
            samples
                .to_write
                .push(wrote.saturating_duration_since(start));
            samples.round_trip.push(end - start);
        }
    }
    client.disconnect().await?;
    Ok(samples)
}

async fn in_process_client(n: usize) -> Result<Samples, BoxError> {
    let (server, toy) = server()?;
    let client = ButtplugClient::new("bench");
    let driver = client.connect(server.in_process_connector()).await?;
    async_std::task::spawn(driver);
    with_client(&client, &toy, n).await
}

async fn websocket_client(n: usize) -> Result<Samples, BoxError> {
    let (server, toy) = server()?;
    let transport = WebsocketServerTransport::builder().port(0).bind().await?;
    let url = format!("ws://{}", transport.local_addr());
    async_std::task::spawn(async move {
        while let Ok(connection) = transport.accept().await {
            let server = server.clone();
            async_std::task::spawn(async move {
                server.serve_connection(connection).await;
            });
        }
    });
    let client = ButtplugClient::new("bench");
    let driver = client.connect(WebsocketClientConnector::new(url)).await?;
    async_std::task::spawn(driver);
    with_client(&client, &toy, n).await
}

/// utime + stime of this process, in clock ticks (100 Hz on Linux).
fn own_cpu_ticks() -> Result<u64, BoxError> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let rest = stat.rsplit_once(')').ok_or("bad stat")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11).ok_or("bad stat")?.parse()?;
    let stime: u64 = f.get(12).ok_or("bad stat")?.parse()?;
    Ok(utime + stime)
}

/// CPU per command of the server core alone: typed session channel (no JSON, no socket),
/// 64 commands in flight to 10 simulated Hushes. Process CPU time, so it includes this
/// benchmark's own (small) sending loop.
/// Whether the web panel's HTTP server runs during the throughput run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Off,
    /// Running, nobody reads `/events`.
    Idle,
    /// Running, one reader drains `/events`.
    Open,
}

async fn typed_throughput(n: usize, limits: bool, panel: Panel) -> Result<(), BoxError> {
    let db = DeviceDatabase::builtin();
    let mut sim = SimulatedCommunicationManagerBuilder::new();
    for i in 0..10 {
        let plan = simulated_device(db, "Lovense Hush", &format!("SI:MU:LA:TE:01:{i:02X}"))?;
        sim = sim.device(SimulatedDevice {
            hardware: plan.hardware,
            specifier: plan.specifier,
        });
    }
    let mut builder = DeviceManagerBuilder::new(Arc::new(db.clone())).comm_manager(sim);
    if limits {
        builder = builder
            .limits(OutputLimits::new(Some(0.6), None)?)
            .idle_stop(Some(Duration::from_secs(60)));
    }
    let devices = builder.finish()?;
    let drained = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let _panel = if panel != Panel::Off {
        let mut options = RestOptions::port(0);
        options.panel = true;
        let rest = buttplug_server::rest::serve(devices.clone(), options).await?;
        if panel == Panel::Open {
            let mut reader = std::net::TcpStream::connect(rest.local_addr())?;
            reader.write_all(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
            let counter = drained.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 1 << 16];
                while let Ok(read) = reader.read(&mut buf) {
                    if read == 0 {
                        break;
                    }
                    counter.fetch_add(read, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        Some(rest)
    } else {
        None
    };
    let server = ButtplugServerBuilder::new()
        .device_manager(devices)
        .finish();
    let (tx, rx) = server.connect();
    tx.send(ClientMessage::request_server_info(
        1,
        "bench",
        buttplug_core::SpecVersion::V4,
    ))
    .await?;
    rx.recv().await?;
    server.device_manager().start_scanning().await?;
    while server.device_manager().devices().len() < 10 {
        async_std::task::sleep(Duration::from_millis(2)).await;
    }
    let indexes: Vec<u32> = server
        .device_manager()
        .devices()
        .iter()
        .map(|d| d.index())
        .collect();
    const IN_FLIGHT: usize = 64;
    let total = n + 20_000;
    let sender = {
        let tx = tx.clone();
        let indexes = indexes.clone();
        async_std::task::spawn(async move {
            for i in 0..total {
                let device = indexes[i % indexes.len()];
                let value = ((i / indexes.len()) % 12 + 1) as i32;
                let msg = ClientMessage::V4(ClientMessageV4::from(OutputCmdV4::new(
                    u32::try_from(i + 2)?,
                    device,
                    0,
                    OutputCommandV4::new(OutputType::Vibrate, value),
                )));
                tx.send(msg).await?;
            }
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
    };
    let _ = IN_FLIGHT; // the session's incoming queue bounds what is in flight
    let mut replies = 0;
    let mut start = (Instant::now(), own_cpu_ticks()?);
    while replies < total {
        let m = rx.recv().await?;
        if m.id() != 0 {
            replies += 1;
            if replies == 20_000 {
                start = (Instant::now(), own_cpu_ticks()?);
            }
        }
    }
    sender.await.map_err(|e| e.to_string())?;
    let wall = start.0.elapsed();
    let ticks = own_cpu_ticks()? - start.1;
    let with = match (limits, panel) {
        (false, Panel::Off) => "",
        (true, Panel::Off) => ", limits on (max level 0.6, idle stop 60 s)",
        (false, Panel::Idle) => ", web panel server running, nobody reading",
        (true, Panel::Idle) => ", limits on, web panel server running, nobody reading",
        (false, Panel::Open) => ", web panel open (events stream read)",
        (true, Panel::Open) => ", limits on and web panel open",
    };
    println!("typed session channel, {n} commands pipelined to 10 devices{with}");
    println!(
        "  {:.0} commands/s, process CPU per command {:.2} µs",
        n as f64 / wall.as_secs_f64(),
        ticks as f64 * 1e4 / n as f64
    );
    if panel == Panel::Open {
        let bytes = drained.load(std::sync::atomic::Ordering::Relaxed);
        println!("  events stream: {bytes} bytes read by the panel's reader");
    }
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let n: usize = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 10_000,
    };
    if std::env::args().nth(2).as_deref() == Some("throughput") {
        let modes: Vec<String> = std::env::args().skip(3).collect();
        let limits = modes.iter().any(|m| m == "limits");
        let panel = if modes.iter().any(|m| m == "panel") {
            Panel::Open
        } else if modes.iter().any(|m| m == "panel-idle") {
            Panel::Idle
        } else {
            Panel::Off
        };
        return async_std::task::block_on(typed_throughput(n, limits, panel));
    }
    async_std::task::block_on(async {
        println!("{n} commands per path, one in flight, after {WARM_UP} warm-up commands");
        typed_channel(n)
            .await?
            .print("typed session channel (ButtplugServer::connect)");
        in_process_client(n)
            .await?
            .print("ButtplugClient, in-process connector");
        websocket_client(n)
            .await?
            .print("ButtplugClient, WebSocket loopback (transport-ws + serve_connection)");
        Ok(())
    })
}

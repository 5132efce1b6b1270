//! Benchmark: stop latency. Ten simulated Lovense Hushes are vibrating; then the WebSocket client
//! goes away, and we measure the time from that event to the stop bytes (`Vibrate:0;`) recorded
//! by every device (the slowest of the ten counts):
//!
//! - graceful: the client sends a WebSocket close frame;
//! - abrupt: the client's TCP socket is dropped without a close frame;
//! - missed ping: the client stops pinging (MaxPingTime 200 ms); the event is the deadline (last
//!   ping + MaxPingTime), and we also report when the ping Error reached the client.
//!
//! The server runs in this process (transport-ws server transport glued to
//! `ButtplugServer::serve_connection`, as `buttplug serve` does) so the simulated devices' timestamps
//! can be read; the client is a raw WebSocket on 127.0.0.1. 20 rounds per case.
//!
//! Run: `cargo run --release -p buttplug-examples --example bench_stop`

use async_tungstenite::tungstenite::Message;
use buttplug_devices::{DeviceDatabase, Endpoint, HardwareCommand, SimulatedHardware};
use buttplug_server::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
use buttplug_server::{ButtplugServer, ButtplugServerBuilder, DeviceManagerBuilder};
use buttplug_transport_ws::WebsocketServerTransport;
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Ws = async_tungstenite::WebSocketStream<async_std::net::TcpStream>;

const DEVICES: usize = 10;
const ROUNDS: usize = 20;
const MAX_PING: Duration = Duration::from_millis(200);

async fn serve(server: ButtplugServer) -> Result<String, BoxError> {
    let transport = WebsocketServerTransport::builder().port(0).bind().await?;
    let url = format!("ws://{}", transport.local_addr());
    async_std::task::spawn(async move {
        while let Ok(c) = transport.accept().await {
            let server = server.clone();
            async_std::task::spawn(async move {
                server.serve_connection(c).await;
            });
        }
    });
    Ok(url)
}

fn server(ping: Duration) -> Result<(ButtplugServer, Vec<SimulatedHardware>), BoxError> {
    let db = DeviceDatabase::builtin();
    let mut sim = SimulatedCommunicationManagerBuilder::new();
    let mut toys = Vec::new();
    for i in 0..DEVICES {
        let plan = buttplug_devices::simulated_device(
            db,
            "Lovense Hush",
            &format!("SI:MU:LA:TE:02:{i:02X}"),
        )?;
        toys.push(plan.hardware.clone());
        sim = sim.device(SimulatedDevice {
            hardware: plan.hardware,
            specifier: plan.specifier,
        });
    }
    let devices = DeviceManagerBuilder::new(Arc::new(db.clone()))
        .comm_manager(sim)
        .finish()?;
    let server = ButtplugServerBuilder::new()
        .max_ping_time(ping)
        .device_manager(devices)
        .finish();
    Ok((server, toys))
}

async fn dial(url: &str) -> Result<Ws, BoxError> {
    let addr = url.strip_prefix("ws://").ok_or("not ws://")?;
    let tcp = async_std::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    Ok(async_tungstenite::client_async(url, tcp).await?.0)
}

async fn text(ws: &mut Ws) -> Result<Option<String>, BoxError> {
    loop {
        match async_std::future::timeout(Duration::from_secs(5), ws.next()).await? {
            Some(Ok(Message::Text(t))) => return Ok(Some(t.as_str().to_string())),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(None),
            Some(Ok(_)) => continue,
        }
    }
}

/// Send one message and wait until a frame contains `"Id":<id>` (replies to this client).
async fn request(ws: &mut Ws, id: u32, body: &str) -> Result<String, BoxError> {
    ws.send(Message::Text(body.to_string().into())).await?;
    let needle = format!("\"Id\":{id}");
    loop {
        let t = text(ws).await?.ok_or("closed")?;
        if t.contains(&needle) {
            return Ok(t);
        }
    }
}

/// A session with every device vibrating. Returns the socket and the device indexes.
async fn vibrating(url: &str, round: usize) -> Result<Ws, BoxError> {
    let mut ws = None;
    for _ in 0..500 {
        let mut w = dial(url).await?;
        let r = request(
            &mut w,
            1,
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"bench","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#,
        )
        .await;
        if r.is_ok_and(|t| t.contains("ServerInfo")) {
            ws = Some(w);
            break;
        }
        async_std::task::sleep(Duration::from_millis(2)).await;
    }
    let mut ws = ws.ok_or("no session")?;
    request(&mut ws, 2, r#"[{"StartScanning":{"Id":2}}]"#).await?;
    let mut id = 3;
    loop {
        let list = request(
            &mut ws,
            id,
            &format!(r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#),
        )
        .await?;
        id += 1;
        if list.matches("\"DeviceIndex\"").count() >= DEVICES {
            break;
        }
        async_std::task::sleep(Duration::from_millis(5)).await;
    }
    let value = round % 19 + 1;
    let cmds: Vec<String> = (0..DEVICES)
        .map(|d| {
            format!(
                r#"{{"OutputCmd":{{"Id":{},"DeviceIndex":{d},"FeatureIndex":0,"Command":{{"Vibrate":{{"Value":{value}}}}}}}}}"#,
                100 + d
            )
        })
        .collect();
    ws.send(Message::Text(format!("[{}]", cmds.join(",")).into()))
        .await?;
    let mut oks = 0;
    while oks < DEVICES {
        let t = text(&mut ws).await?.ok_or("closed")?;
        oks += t.matches(r#"{"Ok":"#).count();
    }
    Ok(ws)
}

/// The latest time any device recorded its stop bytes after `after` (waits up to 5 s).
async fn all_stopped(toys: &[SimulatedHardware], after: Instant) -> Result<Instant, BoxError> {
    let stop = HardwareCommand::write(Endpoint::Tx, b"Vibrate:0;".to_vec());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let times: Vec<Option<Instant>> = toys
            .iter()
            .map(|t| {
                t.recorded()
                    .into_iter()
                    .rev()
                    .find(|r| r.at >= after && r.command == stop)
                    .map(|r| r.at)
            })
            .collect();
        if times.iter().all(Option::is_some) {
            return times
                .into_iter()
                .flatten()
                .max()
                .ok_or_else(|| "no devices".into());
        }
        if Instant::now() > deadline {
            return Err("not every device got its stop bytes".into());
        }
        async_std::task::sleep(Duration::from_millis(1)).await;
    }
}

fn report(label: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label:<44} p50 {:>7.3} ms   max {:>7.3} ms",
        ms(v[v.len() / 2]),
        ms(v[v.len() - 1])
    );
}

fn main() -> Result<(), BoxError> {
    async_std::task::block_on(async {
        let (srv, toys) = server(Duration::ZERO)?;
        let url = serve(srv).await?;
        let mut graceful = Vec::new();
        let mut abrupt = Vec::new();
        for round in 0..ROUNDS {
            let mut ws = vibrating(&url, round).await?;
            let t = Instant::now();
            ws.close(None).await?;
            graceful.push(all_stopped(&toys, t).await? - t);
            let ws = vibrating(&url, round + 1).await?;
            let t = Instant::now();
            drop(ws);
            abrupt.push(all_stopped(&toys, t).await? - t);
        }
        let (srv, toys) = server(MAX_PING)?;
        let url = serve(srv).await?;
        let mut after_deadline = Vec::new();
        let mut error_after_ping = Vec::new();
        for round in 0..ROUNDS {
            let mut ws = vibrating(&url, round).await?;
            request(&mut ws, 9, r#"[{"Ping":{"Id":9}}]"#).await?;
            let last_ping = Instant::now();
            // No more pings: wait for the ping Error.
            let mut noticed = None;
            while let Some(t) = text(&mut ws).await? {
                if t.contains(r#""ErrorCode":2"#) {
                    noticed = Some(last_ping.elapsed());
                    break;
                }
            }
            error_after_ping.push(noticed.ok_or("no ping Error")?);
            let stopped = all_stopped(&toys, last_ping).await?;
            after_deadline.push(stopped.saturating_duration_since(last_ping + MAX_PING));
        }
        println!(
            "stop latency, {DEVICES} simulated devices, slowest device per round, {ROUNDS} rounds"
        );
        report("graceful close -> every device stopped", graceful);
        report("abrupt TCP drop -> every device stopped", abrupt);
        report(
            &format!("last ping -> ping Error at the client ({MAX_PING:?})"),
            error_after_ping,
        );
        report("ping deadline -> every device stopped", after_deadline);
        Ok(())
    })
}

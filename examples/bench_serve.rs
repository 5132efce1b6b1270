//! Benchmark of the `buttplug serve` process, driven over WebSocket on loopback:
//!
//! - `startup`: time from process start to accepting connections (the "listening" line, and the
//!   first `ServerInfo` over a fresh WebSocket), 20 starts.
//! - `throughput`: server CPU time per command (utime+stime from `/proc/<pid>/stat`, and the sum
//!   of the threads' `schedstat` run time) and commands per second, 64 in flight over one
//!   WebSocket connection to 10 simulated devices, values varied so no command is a repeat; once
//!   with a client that writes each frame at once, once with one that coalesces the frames it has
//!   ready into one write (the server's per-frame work is the same; its socket reads are fewer).
//! - `rss`: VmRSS idle; with 100 simulated devices while one client sends 100 Hz to each (10 s);
//!   and after 2,000 client sessions connected and left (compared with the RSS after the first
//!   50 sessions).
//! - `multi`: frames carrying 1, 2, 4, 8 commands (to different devices): time until every reply
//!   arrived, to show that no Nagle/delayed-ACK pause (40 ms) is added (TCP_NODELAY).
//!
//! Build the binary first: `cargo build --release -p buttplug-cli`, then
//! `cargo run --release -p buttplug-examples --example bench_serve -- [startup|throughput|rss|multi|all]`.
//! `BUTTPLUG_BIN` overrides the path of the binary (default `target/release/buttplug`).
//! Every socket is on 127.0.0.1 and every loop is bounded in count and time.

use async_tungstenite::tungstenite::Message;
use futures::{SinkExt, StreamExt};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T> = std::result::Result<T, BoxError>;
type Ws = async_tungstenite::WebSocketStream<async_std::net::TcpStream>;

/// Commands in flight in the throughput run (`BENCH_IN_FLIGHT` overrides it).
const IN_FLIGHT: usize = 64;

fn in_flight() -> usize {
    std::env::var("BENCH_IN_FLIGHT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(IN_FLIGHT)
}

fn bin() -> PathBuf {
    match std::env::var_os("BUTTPLUG_BIN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/buttplug"),
    }
}

/// A `buttplug serve` child on a free port.
struct Server {
    child: Child,
    url: String,
    started: Instant,
    listening_after: Duration,
    _lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(extra: &[String]) -> Result<Server> {
        let started = Instant::now();
        let mut child = Command::new(bin())
            .args(["serve", "--websocket-port", "0", "--log", "warn"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e} (build it first)", bin().display()))?;
        let out = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).map_err(|_| "server did not start")?;
            if let Some(url) = line.strip_prefix("client websocket listening on ") {
                return Ok(Server {
                    child,
                    url: url.trim().to_string(),
                    started,
                    listening_after: started.elapsed(),
                    _lines: rx,
                });
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn rss_kb(&self) -> Result<u64> {
        self.status_kb("VmRSS:")
    }

    /// A `kB` field of `/proc/<pid>/status` (`VmRSS:`, `RssAnon:`, `RssFile:`).
    fn status_kb(&self, field: &str) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {field}").into())
    }

    /// utime + stime in clock ticks.
    fn cpu_ticks(&self) -> Result<u64> {
        let (u, s) = self.cpu_ticks_split()?;
        Ok(u + s)
    }

    /// User and system CPU time (clock ticks) of the whole process.
    fn cpu_ticks_split(&self) -> Result<(u64, u64)> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        // Fields after the command name (which is in parentheses).
        let rest = stat.rsplit_once(')').ok_or("bad stat")?.1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        // rest starts at field 3 (state): utime is field 14, stime 15.
        let utime: u64 = f.get(11).ok_or("bad stat")?.parse()?;
        let stime: u64 = f.get(12).ok_or("bad stat")?.parse()?;
        Ok((utime, stime))
    }

    /// Sum of every thread's time on CPU (schedstat, nanoseconds).
    fn cpu_ns(&self) -> Result<u64> {
        let mut total = 0;
        for t in std::fs::read_dir(format!("/proc/{}/task", self.pid()))? {
            let path = t?.path().join("schedstat");
            if let Ok(s) = std::fs::read_to_string(path) {
                total += s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        Ok(total)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first (the server stops its devices and exits; a profiler wrapping it gets to
        // write its output), SIGKILL after 30 s.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

async fn dial(url: &str) -> Result<Ws> {
    let addr = url.strip_prefix("ws://").ok_or("not a ws:// url")?;
    let tcp = async_std::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (ws, _) = async_tungstenite::client_async(url, tcp).await?;
    Ok(ws)
}

async fn next_text(ws: &mut Ws) -> Result<String> {
    loop {
        match async_std::future::timeout(Duration::from_secs(10), ws.next()).await? {
            Some(Ok(Message::Text(t))) => return Ok(t.as_str().to_string()),
            Some(Ok(Message::Close(_))) | None => return Err("connection closed".into()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
        }
    }
}

/// Connect and handshake at v4; retries while the previous session still holds the slot.
async fn session(url: &str) -> Result<Ws> {
    for _ in 0..500 {
        let mut ws = dial(url).await?;
        ws.send(Message::Text(
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"bench","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#.into(),
        ))
        .await?;
        let reply = next_text(&mut ws).await?;
        if reply.contains("ServerInfo") {
            return Ok(ws);
        }
        // Busy: the previous connection is still being torn down.
        async_std::task::sleep(Duration::from_millis(1)).await;
    }
    Err("no session after 500 tries".into())
}

/// Start scanning and wait for `count` devices; returns their indexes.
async fn devices(ws: &mut Ws, count: usize) -> Result<Vec<u32>> {
    ws.send(Message::Text(r#"[{"StartScanning":{"Id":2}}]"#.into()))
        .await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut id = 3;
    while Instant::now() < deadline {
        ws.send(Message::Text(
            format!(r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#).into(),
        ))
        .await?;
        loop {
            let text = next_text(ws).await?;
            let v: serde_json::Value = serde_json::from_str(&text)?;
            let Some(list) = v.as_array().and_then(|a| {
                a.iter()
                    .find(|m| m["DeviceList"]["Id"] == serde_json::json!(id))
                    .cloned()
            }) else {
                continue;
            };
            let indexes: Vec<u32> = list["DeviceList"]["Devices"]
                .as_object()
                .map(|o| o.keys().filter_map(|k| k.parse().ok()).collect())
                .unwrap_or_default();
            if indexes.len() >= count {
                return Ok(indexes);
            }
            break;
        }
        id += 1;
        async_std::task::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("{count} devices did not appear").into())
}

fn vibrate_frame(id: u64, device: u32, value: u32) -> String {
    format!(
        r#"[{{"OutputCmd":{{"Id":{id},"DeviceIndex":{device},"FeatureIndex":0,"Command":{{"Vibrate":{{"Value":{value}}}}}}}}}]"#
    )
}

/// Replies (Ok or Error with an Id) in a frame; Errors counted separately.
fn count_replies(text: &str) -> (usize, usize) {
    let ok = text.matches(r#"{"Ok":"#).count();
    let err = text.matches(r#"{"Error":"#).count();
    (ok, err)
}

fn simulate_args(n: usize) -> Vec<String> {
    (0..n)
        .flat_map(|_| ["--simulate".to_string(), "Lovense Hush".to_string()])
        .collect()
}

fn percentiles(mut v: Vec<Duration>) -> String {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "min {:.2} ms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(v[0]),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(v[v.len() - 1])
    )
}

async fn startup() -> Result<()> {
    let mut listening = Vec::new();
    let mut first_reply = Vec::new();
    for extra in [vec![], simulate_args(1)] {
        listening.clear();
        first_reply.clear();
        for _ in 0..20 {
            let s = Server::start(&extra)?;
            listening.push(s.listening_after);
            let _ws = session(&s.url).await?;
            first_reply.push(s.started.elapsed());
        }
        let what = if extra.is_empty() {
            "no devices"
        } else {
            "one simulated device"
        };
        println!("startup ({what}), 20 starts");
        println!(
            "  spawn -> listening line     {}",
            percentiles(listening.clone())
        );
        println!(
            "  spawn -> first ServerInfo   {}",
            percentiles(first_reply.clone())
        );
    }
    Ok(())
}

/// `coalesce`: the client writes every frame it has ready in one write (as a client that batches its
/// socket writes would) instead of one write per frame (as buttplug-js and most clients do).
async fn throughput(commands: u64, coalesce: bool) -> Result<()> {
    let s = Server::start(&simulate_args(10))?;
    let ws = session(&s.url).await?;
    let mut ws = ws;
    let indexes = devices(&mut ws, 10).await?;
    let (mut sink, mut stream) = ws.split();
    let in_flight = in_flight();
    let (credit_tx, credit_rx) = async_channel::bounded::<()>(in_flight);
    for _ in 0..in_flight {
        credit_tx.send(()).await?;
    }
    // Warm up and settle.
    let run = |n: u64, first_id: u64| {
        let indexes = indexes.clone();
        let credit_rx = credit_rx.clone();
        async move {
            let mut frames = Vec::with_capacity(n as usize);
            for i in 0..n {
                let device = indexes[(i % indexes.len() as u64) as usize];
                let value = ((i / indexes.len() as u64) % 20 + 1) as u32;
                frames.push(vibrate_frame(first_id + i, device, value));
            }
            (frames, credit_rx)
        }
    };
    let mut next_id = 100;
    for (label, n) in [("warm-up", 20_000u64), ("measured", commands)] {
        let (frames, credit_rx) = run(n, next_id).await;
        next_id += n;
        let cpu_ticks0 = s.cpu_ticks()?;
        let split0 = s.cpu_ticks_split()?;
        let cpu_ns0 = s.cpu_ns()?;
        let start = Instant::now();
        let writer = async {
            let mut frames = frames.into_iter();
            while let Some(f) = frames.next() {
                credit_rx.recv().await?;
                if !coalesce {
                    sink.send(Message::Text(f.into())).await?;
                    continue;
                }
                // Every frame whose credit is already back goes out in the same write.
                sink.feed(Message::Text(f.into())).await?;
                while credit_rx.try_recv().is_ok() {
                    let Some(f) = frames.next() else { break };
                    sink.feed(Message::Text(f.into())).await?;
                }
                sink.flush().await?;
            }
            Ok::<(), BoxError>(())
        };
        let reader = async {
            let mut replies = 0usize;
            let mut errors = 0usize;
            while (replies + errors) < n as usize {
                let msg = async_std::future::timeout(Duration::from_secs(10), stream.next())
                    .await?
                    .ok_or("closed")??;
                if let Message::Text(t) = msg {
                    let (ok, err) = count_replies(t.as_str());
                    replies += ok;
                    errors += err;
                    for _ in 0..ok + err {
                        credit_tx.send(()).await?;
                    }
                }
            }
            Ok::<(usize, usize), BoxError>((replies, errors))
        };
        let (w, r) = futures::join!(writer, reader);
        w?;
        let (ok, errors) = r?;
        let elapsed = start.elapsed();
        let ticks = s.cpu_ticks()? - cpu_ticks0;
        let ns = s.cpu_ns()? - cpu_ns0;
        let split1 = s.cpu_ticks_split()?;
        if label == "measured" {
            let hz = clock_ticks_per_second();
            let writes = if coalesce {
                "client coalesces ready frames into one write"
            } else {
                "client writes each frame at once"
            };
            println!(
                "throughput: {n} commands, {in_flight} in flight, one WebSocket, 10 simulated devices; {writes}"
            );
            println!("  replies Ok {ok}, Error {errors}");
            println!(
                "  {:.0} commands/s (wall {:.2} s)",
                n as f64 / elapsed.as_secs_f64(),
                elapsed.as_secs_f64()
            );
            println!(
                "  server CPU per command: {:.2} µs (threads' schedstat), {:.2} µs (utime+stime, {hz} Hz ticks)",
                ns as f64 / 1e3 / n as f64,
                ticks as f64 * 1e6 / hz as f64 / n as f64
            );
            println!(
                "    of which user {:.2} µs, kernel {:.2} µs",
                (split1.0 - split0.0) as f64 * 1e6 / hz as f64 / n as f64,
                (split1.1 - split0.1) as f64 * 1e6 / hz as f64 / n as f64
            );
        }
    }
    Ok(())
}

async fn rss() -> Result<()> {
    // Idle.
    for extra in [vec![], simulate_args(1)] {
        let s = Server::start(&extra)?;
        async_std::task::sleep(Duration::from_millis(500)).await;
        let what = if extra.is_empty() {
            "no devices"
        } else {
            "one simulated device, no client"
        };
        println!(
            "RSS idle ({what}): {} kB (RssAnon {} kB private, RssFile {} kB mapped from the binary and libraries)",
            s.rss_kb()?,
            s.status_kb("RssAnon:")?,
            s.status_kb("RssFile:")?
        );
    }

    // 100 devices, 100 Hz to each for 10 s.
    let s = Server::start(&simulate_args(100))?;
    let mut ws = session(&s.url).await?;
    let indexes = devices(&mut ws, 100).await?;
    let with_devices = s.rss_kb()?;
    let (mut sink, mut stream) = ws.split();
    let seconds = 10u64;
    let ticks = seconds * 100;
    let expected = ticks as usize * indexes.len();
    let writer = async {
        let start = Instant::now();
        let mut id = 1000u64;
        let mut peak = 0;
        for tick in 0..ticks {
            let due = start + Duration::from_millis(10 * tick);
            async_std::task::sleep(due.saturating_duration_since(Instant::now())).await;
            for (k, d) in indexes.iter().enumerate() {
                let value = ((tick + k as u64) % 20 + 1) as u32;
                sink.send(Message::Text(vibrate_frame(id, *d, value).into()))
                    .await?;
                id += 1;
            }
            if tick % 100 == 0 {
                peak = peak.max(s.rss_kb()?);
            }
        }
        Ok::<(u64, Duration), BoxError>((peak, start.elapsed()))
    };
    let reader = async {
        let mut n = 0;
        let mut errors = 0;
        while n + errors < expected {
            let msg = async_std::future::timeout(Duration::from_secs(10), stream.next())
                .await?
                .ok_or("closed")??;
            if let Message::Text(t) = msg {
                let (ok, err) = count_replies(t.as_str());
                n += ok;
                errors += err;
            }
        }
        Ok::<(usize, usize), BoxError>((n, errors))
    };
    let (w, r) = futures::join!(writer, reader);
    let (peak, took) = w?;
    let (ok, errors) = r?;
    println!(
        "RSS with 100 simulated devices: {with_devices} kB connected; while 100 Hz to each ({} commands in {:.1} s, Ok {ok}, Error {errors}): peak {peak} kB, after {} kB",
        expected,
        took.as_secs_f64(),
        s.rss_kb()?
    );
    drop((sink, stream));
    drop(s);

    // 2,000 sessions.
    let s = Server::start(&simulate_args(1))?;
    let mut ws = session(&s.url).await?;
    devices(&mut ws, 1).await?;
    ws.close(None).await?;
    let mut at_50 = 0;
    let start = Instant::now();
    for i in 1..=2000 {
        let mut ws = session(&s.url).await?;
        ws.send(Message::Text(
            vibrate_frame(2, 0, (i % 20 + 1) as u32).into(),
        ))
        .await?;
        next_text(&mut ws).await?;
        ws.close(None).await?;
        // Wait for the server's end of the close.
        while let Ok(Some(Ok(_))) =
            async_std::future::timeout(Duration::from_secs(2), ws.next()).await
        {}
        if i == 50 {
            at_50 = s.rss_kb()?;
        }
    }
    async_std::task::sleep(Duration::from_millis(200)).await;
    let after = s.rss_kb()?;
    println!(
        "RSS over 2,000 sessions ({:.1} s): after 50 sessions {at_50} kB, after 2,000 {after} kB, difference {} kB (target <= 1024 kB)",
        start.elapsed().as_secs_f64(),
        after as i64 - at_50 as i64
    );
    Ok(())
}

async fn multi() -> Result<()> {
    let s = Server::start(&simulate_args(8))?;
    let mut ws = session(&s.url).await?;
    let indexes = devices(&mut ws, 8).await?;
    let mut id = 100u64;
    println!("frames carrying several commands (each to another device), 2,000 frames each:");
    for k in [1usize, 2, 4, 8] {
        let mut samples = Vec::new();
        for rep in 0..2_000u64 {
            let messages: Vec<String> = (0..k)
                .map(|j| {
                    id += 1;
                    let value = ((rep + j as u64) % 20 + 1) as u32;
                    format!(
                        r#"{{"OutputCmd":{{"Id":{id},"DeviceIndex":{},"FeatureIndex":0,"Command":{{"Vibrate":{{"Value":{value}}}}}}}}}"#,
                        indexes[j]
                    )
                })
                .collect();
            let frame = format!("[{}]", messages.join(","));
            let start = Instant::now();
            ws.send(Message::Text(frame.into())).await?;
            let mut got = 0;
            while got < k {
                let (ok, err) = count_replies(&next_text(&mut ws).await?);
                got += ok + err;
            }
            samples.push(start.elapsed());
        }
        println!(
            "  {k} per frame: all replies after {}",
            percentiles(samples)
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    let commands: u64 = std::env::var("BENCH_COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    async_std::task::block_on(async {
        if what == "startup" || what == "all" {
            startup().await?;
        }
        if what == "throughput" || what == "all" {
            throughput(commands, false).await?;
            throughput(commands, true).await?;
        }
        if what == "rss" || what == "all" {
            rss().await?;
        }
        if what == "multi" || what == "all" {
            multi().await?;
        }
        Ok(())
    })
}

//! `buttplug simulate DEVICE`: a simulated device that dials into a device WebSocket server
//! (ours with `serve --use-device-websocket-server`, or any upstream-compatible one), answers
//! identification like the real device and prints every command it receives, so app developers
//! without hardware can see their commands land.

use async_tungstenite::tungstenite::Message;
use buttplug_devices::config::DeviceDatabase;
use clap::Args;
use futures::StreamExt;
use std::io::Write as _;

/// Arguments of `simulate`.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// The device: a database name ("Lovense Hush") or protocol:identifier ("lovense:Z").
    device: String,
    /// The device WebSocket server to dial.
    #[arg(long, default_value = "ws://127.0.0.1:54817")]
    server: String,
    /// The device's address (its identity on the server).
    #[arg(long, default_value = "SI:MU:LA:TE:D0:01")]
    address: String,
    /// The identifier sent in the handshake (default: the protocol id, which our server matches
    /// without any user config; upstream servers need a `websocket` specifier in the user
    /// config).
    #[arg(long)]
    identifier: Option<String>,
    /// Exit after receiving this many frames (for scripts and tests).
    #[arg(long)]
    frames: Option<usize>,
}

fn show(data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(s) if s.chars().all(|c| !c.is_control() || c == '\n' || c == '\r') => {
            format!("{s:?}")
        }
        _ => {
            let hex: Vec<String> = data.iter().map(|b| format!("{b:02x}")).collect();
            format!("[{}]", hex.join(" "))
        }
    }
}

pub(crate) fn run(args: &SimulateArgs) -> Result<(), String> {
    crate::init_logging(None)?;
    let db = DeviceDatabase::builtin();
    let plan = buttplug_devices::simulated_device(db, &args.device, &args.address)
        .map_err(|e| e.to_string())?;
    let identifier = args
        .identifier
        .clone()
        .unwrap_or_else(|| plan.protocol.clone());
    crate::rt::block_on(async move {
        let url = args.server.as_str();
        let host = url
            .strip_prefix("ws://")
            .ok_or("only ws:// device servers are supported")?
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let tcp = crate::rt::TcpStream::connect(&host)
            .await
            .map_err(|e| format!("cannot reach {url}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let (mut ws, _) = async_tungstenite::client_async(url, tcp)
            .await
            .map_err(|e| format!("websocket handshake with {url} failed: {e}"))?;
        let hello = serde_json::json!({
            "identifier": identifier,
            "address": args.address,
            "version": 0
        });
        ws.send(Message::Text(hello.to_string().into()))
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "simulating {} ({}) as identifier {identifier:?} on {url}",
            plan.name, plan.protocol
        );
        let _ = std::io::stdout().flush();
        let mut received = 0usize;
        while let Some(msg) = ws.next().await {
            let data = match msg.map_err(|e| e.to_string())? {
                Message::Binary(b) => b.to_vec(),
                Message::Text(t) => t.as_bytes().to_vec(),
                Message::Close(_) => break,
                _ => continue,
            };
            println!("received {}", show(&data));
            let _ = std::io::stdout().flush();
            for (write, reply) in &plan.replies {
                if *write == data {
                    ws.send(Message::Binary(reply.clone().into()))
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            received += 1;
            if args.frames.is_some_and(|n| received >= n) {
                let _ = ws.close(None).await;
                break;
            }
        }
        Ok(())
    })
}

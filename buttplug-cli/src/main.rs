//! `buttplug`: run a Buttplug server, simulate devices, search the device database.
//!
//! ```text
//! buttplug serve --websocket-port 12345 --use-bluetooth-le --simulate "Lovense Hush"
//! buttplug devices hush
//! buttplug simulate "Lovense Hush" --server ws://127.0.0.1:54817
//! buttplug fixture buttplug-devices/fixtures/lovense/hush.json
//! ```
//!
//! `serve` accepts the flags intiface-engine users already know (same names, same meaning).

mod control;
mod devices;
mod fixture;
mod managers;
mod rt;
mod serve;
mod simulate;
mod transport;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Command line.
#[derive(Debug, Parser)]
#[command(name = "buttplug", version, about = "Buttplug server and tools", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a server that apps connect to over WebSocket.
    Serve(Box<serve::ServeArgs>),
    /// Search the device database (name, protocol, transport).
    Devices(devices::DevicesArgs),
    /// Run a simulated device that dials into a device WebSocket server and prints what it
    /// receives.
    Simulate(simulate::SimulateArgs),
    /// Run device fixture files (data-driven protocol tests) against an in-process server.
    Fixture(fixture::FixtureArgs),
    /// Emergency stop: stop every device of the running server (through its control socket,
    /// not the client connection).
    Stop(control::StopArgs),
}

fn main() -> ExitCode {
    rt::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(*args),
        Command::Devices(args) => devices::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Fixture(args) => fixture::run(&args),
        Command::Stop(args) => control::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("buttplug: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Set up logging: `RUST_LOG` wins, else `level` (default info).
fn init_logging(level: Option<&str>) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(level.unwrap_or("info").to_ascii_lowercase())
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

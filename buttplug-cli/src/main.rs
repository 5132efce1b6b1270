//! `buttplug`: a drop-in for intiface-engine, plus tools to simulate devices and search the
//! device database.
//!
//! ```text
//! buttplug --websocket-port 12345 --use-bluetooth-le        # intiface-engine's command line
//! buttplug serve --use-bluetooth-le --simulate "Lovense Hush"  # the same, port 12345 by default
//! buttplug devices hush
//! buttplug simulate "Lovense Hush" --server ws://127.0.0.1:54817
//! buttplug fixture buttplug-devices/fixtures/lovense/hush.json
//! ```
//!
//! Without a subcommand the flags are intiface-engine 5.0.5's (same names, value forms and
//! defaults); `serve` takes the same flags. The server itself is `buttplug-engine`.

mod devices;
mod fixture;
mod rt;
mod serve;
mod simulate;

use clap::{ArgAction, Command as ClapCommand, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "buttplug",
    about = "Buttplug server (an intiface-engine drop-in) and tools",
    long_about = None,
    disable_version_flag = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    engine: serve::EngineArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a server that apps connect to over WebSocket (the flags without a subcommand, with
    /// the client port defaulting to 12345).
    Serve(Box<serve::EngineArgs>),
    /// Search the device database (name, protocol, transport).
    Devices(devices::DevicesArgs),
    /// Run a simulated device that dials into a device WebSocket server and prints what it
    /// receives.
    Simulate(simulate::SimulateArgs),
    /// Run device fixture files (data-driven protocol tests) against an in-process server.
    Fixture(fixture::FixtureArgs),
}

/// Switches may be given more than once (as with intiface-engine's parser); options may not.
fn repeatable_switches(command: ClapCommand) -> ClapCommand {
    command.mut_args(|arg| {
        if matches!(arg.get_action(), ArgAction::SetTrue) {
            let id = arg.get_id().clone();
            arg.overrides_with(id)
        } else {
            arg
        }
    })
}

/// The command definition with its parsing rules.
fn command() -> ClapCommand {
    repeatable_switches(Cli::command()).mut_subcommand("serve", repeatable_switches)
}

/// Parse the command line: help and errors are printed here. `Err` is the exit code: 0 after
/// help, 1 after a usage error (as intiface-engine; clap alone would exit 2).
fn parse(argv: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, u8> {
    let parsed = command()
        .try_get_matches_from(argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| {
        let _ = e.print();
        u8::from(e.use_stderr())
    })
}

fn main() -> ExitCode {
    rt::init();
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    let result = match cli.command {
        None => serve::run(&cli.engine, false),
        Some(Command::Serve(args)) => serve::run(&args, true),
        Some(Command::Devices(args)) => devices::run(&args),
        Some(Command::Simulate(args)) => simulate::run(&args),
        Some(Command::Fixture(args)) => fixture::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("buttplug: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The tracing level of `--log`: a level name (any case) or 1-5 (1 = error).
fn log_level(level: &str) -> Result<&'static str, String> {
    Ok(match level.to_ascii_lowercase().as_str() {
        "error" | "1" => "error",
        "warn" | "2" => "warn",
        "info" | "3" => "info",
        "debug" | "4" => "debug",
        "trace" | "5" => "trace",
        _ => {
            return Err(format!(
                "--log {level:?}: expected error, warn, info, debug, trace or 1-5"
            ));
        }
    })
}

/// Set up logging (to stderr): `--log` wins, else `RUST_LOG`, else info.
fn init_logging(level: Option<&str>) -> Result<(), String> {
    let filter = match level {
        Some(level) => tracing_subscriber::EnvFilter::new(log_level(level)?),
        None => tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    Ok(())
}

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

mod control;
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
    /// Emergency stop: stop every device of the running server (through its control socket,
    /// not the client connection).
    Stop(control::StopArgs),
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
        Some(Command::Stop(args)) => control::run(&args),
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails
mod tests {
    use super::*;
    use buttplug_devices::config::DeviceDatabase;
    use buttplug_engine::managers::{USE_FLAGS, manager_plans};

    fn engine_args(flags: &[&str]) -> serve::EngineArgs {
        let argv = std::iter::once("buttplug").chain(flags.iter().copied());
        let cli = parse(argv.map(std::ffi::OsString::from)).unwrap();
        assert!(cli.command.is_none());
        cli.engine
    }

    /// Each `--use-*` flag turns on exactly the manager the engine runs for it.
    #[test]
    fn every_use_flag_reaches_its_manager() {
        let db = DeviceDatabase::builtin();
        for flag in USE_FLAGS {
            let options = engine_args(&["--websocket-port", "0", flag])
                .to_options(false)
                .unwrap();
            let plans = manager_plans(&options, db).unwrap();
            assert_eq!(plans.len(), 1, "{flag}: {plans:?}");
            assert_eq!(plans[0].flags, vec![flag], "{flag}");
        }
    }

    #[test]
    fn values_reach_the_engine_options() {
        let o = engine_args(&[
            "--websocket-port",
            "4000",
            "--websocket-use-all-interfaces",
            "--server-name",
            "N",
            "--max-ping-time",
            "70",
            "--device-websocket-server-port",
            "5000",
            "--frontend-websocket-port",
            "6000",
            "--mdns-suffix",
            "den",
            "--rest-api-port",
            "7000",
            "--simulate",
            "Lovense Hush",
            "--max-clients",
            "3",
        ])
        .to_options(false)
        .unwrap();
        assert_eq!(
            o.websocket_listen_address,
            Some("0.0.0.0:4000".parse().unwrap())
        );
        assert!(o.device_websocket_server_all_interfaces);
        assert_eq!(o.server_name, "N");
        assert_eq!(o.max_ping_time, 70);
        assert_eq!(o.device_websocket_server_port, 5000);
        assert_eq!(o.frontend_websocket_port, Some(6000));
        assert_eq!(o.mdns_suffix.as_deref(), Some("den"));
        assert_eq!(o.rest_api_port, Some(7000));
        assert_eq!(o.simulated_devices, vec!["Lovense Hush".to_string()]);
        assert_eq!(o.max_clients, 3);
        let r = engine_args(&[
            "--repeater",
            "--repeater-port",
            "1",
            "--websocket-client-address",
            "h:2",
        ])
        .to_options(false)
        .unwrap();
        assert!(r.repeater_mode);
        assert_eq!(r.repeater_local_port, Some(1));
        assert_eq!(r.repeater_remote_address.as_deref(), Some("h:2"));
        assert_eq!(r.websocket_client_address, None);
        assert_eq!(r.websocket_listen_address, None);
    }

    /// Dial-out serves one connection, so a client limit there is refused, not ignored.
    #[test]
    fn max_clients_is_refused_with_dial_out() {
        for argv in [
            &[
                "buttplug",
                "--max-clients",
                "2",
                "--websocket-client-address",
                "ws://h:1",
            ][..],
            &[
                "buttplug",
                "serve",
                "--websocket-client-address",
                "ws://h:1",
                "--max-clients",
                "2",
            ],
        ] {
            let e = command().try_get_matches_from(argv).expect_err("accepted");
            assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict, "{e}");
        }
        // The default of 1 is no conflict.
        assert!(
            command()
                .try_get_matches_from(["buttplug", "--websocket-client-address", "ws://h:1"])
                .is_ok()
        );
    }

    #[test]
    fn defaults_are_the_engine_defaults_and_serve_keeps_12345() {
        let o = engine_args(&[]).to_options(false).unwrap();
        assert_eq!(o, buttplug_engine::EngineOptions::default());
        let cli = parse(["buttplug", "serve"].map(std::ffi::OsString::from)).unwrap();
        let Some(Command::Serve(args)) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(
            args.to_options(true).unwrap().websocket_listen_address,
            Some("127.0.0.1:12345".parse().unwrap())
        );
    }
}

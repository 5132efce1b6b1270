//! `buttplug fixture FILE...`: run device fixture files.

use buttplug_devices::config::DeviceDatabase;
use buttplug_server::fixture::{discover_fixtures, load_fixture, run_fixture};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `fixture`.
#[derive(Debug, Args)]
pub(crate) struct FixtureArgs {
    /// Fixture files or folders (folders are searched for `*.json`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub(crate) fn run(args: &FixtureArgs) -> Result<(), String> {
    let mut files = Vec::new();
    for p in &args.paths {
        if p.is_dir() {
            files.extend(discover_fixtures(p));
        } else {
            files.push(p.clone());
        }
    }
    let db = DeviceDatabase::builtin();
    let mut failed = 0usize;
    for f in &files {
        let result = load_fixture(f)
            .and_then(|fixture| crate::rt::block_on(async { run_fixture(&fixture, db).await }));
        match result {
            Ok(()) => println!("ok      {}", f.display()),
            Err(e) => {
                failed += 1;
                println!("FAILED  {}\n        {e}", f.display());
            }
        }
    }
    println!("{} passed, {failed} failed", files.len() - failed);
    if failed > 0 {
        Err(format!("{failed} fixture(s) failed"))
    } else {
        Ok(())
    }
}

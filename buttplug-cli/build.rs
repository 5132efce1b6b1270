//! Code layout of the `buttplug` binary.
//!
//! A release build on x86_64 Linux with Rust's bundled LLD (the default since Rust 1.90) places the
//! functions listed in `link/symbol-order.txt` first: the ones that run at start-up, while idle and
//! on the per-command path. The kernel maps code in 64 kB windows, so grouping them keeps the idle
//! server's resident code small. A name that no longer exists is skipped by the linker; the list
//! is refreshed with `scripts/symbol-order.sh` (see docs/DESIGN.md). Set
//! `BUTTPLUG_NO_SYMBOL_ORDER=1` to build without it.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=link/symbol-order.txt");
    println!("cargo:rerun-if-env-changed=BUTTPLUG_NO_SYMBOL_ORDER");
    if env::var_os("BUTTPLUG_NO_SYMBOL_ORDER").is_some() {
        return;
    }
    let var = |name: &str| env::var(name).unwrap_or_default();
    // Only where the linker is known to be LLD: the target whose default it is, no linker chosen
    // by configuration, and a compiler new enough to use it.
    if var("TARGET") != "x86_64-unknown-linux-gnu"
        || var("PROFILE") != "release"
        || env::var_os("RUSTC_LINKER").is_some()
        || var("CARGO_ENCODED_RUSTFLAGS").contains("link")
        || !rustc_uses_lld()
    {
        return;
    }
    let list = format!("{}/link/symbol-order.txt", var("CARGO_MANIFEST_DIR"));
    println!("cargo:rustc-link-arg-bin=buttplug=-Wl,--symbol-ordering-file={list}");
    println!("cargo:rustc-link-arg-bin=buttplug=-Wl,--no-warn-symbol-ordering");
}

/// Whether the compiler is 1.90 or newer (the first to link with its bundled LLD by default
/// here) and ships that LLD (a distribution's own build may not, and then links with the
/// system's `ld`, which does not know the option).
fn rustc_uses_lld() -> bool {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(sysroot) = Command::new(&rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    let bundled =
        Path::new(&sysroot).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld");
    if !bundled.exists() {
        return false;
    }
    let Ok(out) = Command::new(&rustc).arg("-vV").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(release) = text.lines().find_map(|l| l.strip_prefix("release: ")) else {
        return false;
    };
    let mut parts = release
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (1, 90)
}

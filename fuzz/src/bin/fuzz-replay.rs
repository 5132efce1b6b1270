//! Stable fuzzing harness: no libFuzzer, no nightly toolchain.
//!
//! For each target it first replays every file of the seed corpus (`corpus/<target>/`), then
//! mutates corpus entries with a deterministic PRNG (bit flips, byte edits, range insert, delete
//! and duplicate, splices between inputs, JSON dictionary tokens, interesting numbers, deep
//! nesting) and calls the same target function as the libFuzzer driver, for a time budget or an
//! iteration count. Mutants that get further than the input they came from (the target's score)
//! join a bounded pool and are mutated in turn: a cheap stand-in for coverage feedback.
//!
//! A panic is a finding: the input is written to `artifacts/<target>/crash-<hash>` (replay it with
//! `fuzz-replay <target> --input FILE`, or `cargo +nightly fuzz run <target> FILE`) and the run
//! exits with status 1 after the other targets have run.
//!
//! ```text
//! fuzz-replay [--seconds N] [--iterations N] [--seed N] [--max-len N]
//!             [--corpus DIR] [--artifacts DIR] [--input FILE] (all | TARGET...)
//! ```
//!
//! Arguments are parsed by clap and the PRNG is `fastrand`'s (seeded, so a run is reproducible);
//! what stays here is the mutation strategy itself, which no stable-toolchain crate provides
//! (libFuzzer through cargo-fuzz needs nightly: `FUZZ_ENGINE=libfuzzer .ci/fuzz-smoke`).
#![forbid(unsafe_code)]

use buttplug_fuzz::{TARGETS, Target};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Largest number of mutants kept in the pool per target.
const POOL_CAPACITY: usize = 512;

/// JSON and protocol tokens spliced into inputs.
const DICTIONARY: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e309",
    "-0",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "0.5",
    "1.0000000000000002",
    "NaN",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"Id\"",
    "\"Id\":1",
    "\"Id\":0",
    "\"DeviceIndex\":0",
    "\"FeatureIndex\":0",
    "\"Value\":10",
    "\"Scalar\":0.5",
    "\"Speed\":1.5",
    "\"Duration\":500",
    "\"Command\":{\"Vibrate\":{\"Value\":1}}",
    "\"ActuatorType\":\"Vibrate\"",
    "{\"Ping\":{\"Id\":1}}",
    "{\"RequestServerInfo\":{\"Id\":1,\"ClientName\":\"f\",\"MessageVersion\":3}}",
    "\"ProtocolVersionMajor\":4",
    "\"ProtocolVersionMinor\":0",
    "\"MessageVersion\":2",
    "\"Scalars\":[{\"Index\":0,\"Scalar\":0.5,\"ActuatorType\":\"Vibrate\"}]",
    "\"Speeds\":[{\"Index\":0,\"Speed\":0.5}]",
    "\"Vectors\":[{\"Index\":0,\"Duration\":500,\"Position\":0.5}]",
    "\"Rotations\":[{\"Index\":0,\"Speed\":0.5,\"Clockwise\":true}]",
    "\"Endpoint\":\"tx\"",
    "\"Data\":[1,2]",
    "\"SensorType\":\"Battery\"",
    "\"Type\":\"Battery\"",
    "\"Command\":\"Read\"",
    "\"Devices\":[]",
    "\"Devices\":{}",
    "\"ErrorCode\":4",
    "\"ErrorMessage\":\"x\"",
    "\"version\":{\"major\":4,\"minor\":0}",
    "\"version\":{\"major\":5,\"minor\":0}",
    "\"protocols\":{}",
    "\"user_configs\":{}",
    "\"devices\":[]",
    "\"communication\":[]",
    "\"configurations\":[]",
    "\"defaults\":{}",
    "\"identifier\":[\"Z\"]",
    "\"identifier\":\"Z\"",
    "\"features\":[]",
    "\"output\":{\"vibrate\":{\"value\":[0,20]}}",
    "\"input\":{\"battery\":{\"value\":[0,100],\"command\":[\"Read\"]}}",
    "\"btle\":{\"names\":[\"LVS-*\"],\"services\":{}}",
    "\"websocket\":{\"name\":\"LVSDevice\"}",
    "\"serial\":{\"port\":\"COM1\",\"baud_rate\":9600,\"data_bits\":8,\"stop_bits\":1,\"parity\":\"N\"}",
    "\"user_config\":{\"allow\":false,\"deny\":false,\"index\":0}",
    "\"address\":\"AA\"",
    "\"protocol\":\"lovense\"",
    "\"id\":\"37642e1c-a416-44d3-bada-76b6d9e245c9\"",
    "\"base_id\":\"37642e1c-a416-44d3-bada-76b6d9e245c9\"",
    "\"user_range\":[0,10]",
    "\"disabled\":true",
    "\"reverse\":true",
    "\"message_gap_ms\":50",
    "\"simulated_devices\":[]",
    "\"identifier\":\"lovense\"",
    "\"version\":0",
    "\u{1F600}",
    "\u{00e9}",
];

/// Numbers that sit on edges.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "1e-7",
    "1e308",
    "-1e308",
    "0.000001",
    "0.9999999",
    "1.0",
    "2.5",
    "-0.0",
];

/// The seeded PRNG (`fastrand`) with the two draws the mutator uses.
struct Rng(fastrand::Rng);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.u64(..)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n)
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Stable fuzzing harness: replay the seed corpus, then mutate it for a time budget.
#[derive(Debug, clap::Parser)]
#[command(name = "fuzz-replay")]
struct Options {
    /// Time budget per target, in seconds.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Stop after this many mutated inputs per target (instead of the time budget).
    #[arg(long)]
    iterations: Option<u64>,
    /// PRNG seed (runs are reproducible per seed).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Longest mutated input, in bytes.
    #[arg(long, default_value_t = 4096)]
    max_len: usize,
    /// Seed corpus folder (one subfolder per target).
    #[arg(long, default_value_os_t = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))]
    corpus: PathBuf,
    /// Where crashing inputs are written (one subfolder per target).
    #[arg(long, default_value_os_t = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts"))]
    artifacts: PathBuf,
    /// Run this one input and nothing else.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Targets to run, or `all`.
    #[arg(required = true, value_parser = target_name)]
    targets: Vec<String>,
}

/// A target name or `all`.
fn target_name(s: &str) -> Result<String, String> {
    if s == "all" || TARGETS.iter().any(|(n, _)| *n == s) {
        Ok(s.to_string())
    } else {
        let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
        Err(format!("not a target (targets: all, {})", names.join(", ")))
    }
}

fn parse_args() -> Options {
    let mut o = <Options as clap::Parser>::parse();
    if o.targets.iter().any(|t| t == "all") {
        o.targets = TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    }
    o
}

fn read_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn hash(data: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

/// Apply one random mutation.
fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>], max_len: usize) {
    let len = data.len();
    match rng.below(12) {
        // Flip a bit.
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        // Set a byte to a JSON-significant or random value.
        1 if len > 0 => {
            const BYTES: &[u8] = b"[]{}\":,0-9.eE\\ \nnulltruefalse\x00\xff\xc3";
            let i = rng.below(len);
            data[i] = if rng.chance(2) {
                BYTES[rng.below(BYTES.len())]
            } else {
                rng.next() as u8
            };
        }
        // Delete a range.
        2 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(16.min(len - start))).min(len);
            data.drain(start..end);
        }
        // Duplicate a range somewhere.
        3 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(64.min(len - start))).min(len);
            let piece = data[start..end].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, piece);
        }
        // Insert a dictionary token.
        4 | 5 => {
            let token = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
            let at = rng.below(len + 1);
            data.splice(at..at, token.iter().copied());
        }
        // Replace a number with an edge value.
        6 if len > 0 => {
            let digits: Vec<usize> = (0..len).filter(|&i| data[i].is_ascii_digit()).collect();
            if !digits.is_empty() {
                let start = digits[rng.below(digits.len())];
                let mut end = start;
                while end < len && (data[end].is_ascii_digit() || b".eE+-".contains(&data[end])) {
                    end += 1;
                }
                let mut start = start;
                while start > 0 && (data[start - 1].is_ascii_digit() || data[start - 1] == b'-') {
                    start -= 1;
                }
                let n = NUMBERS[rng.below(NUMBERS.len())].as_bytes();
                data.splice(start..end, n.iter().copied());
            }
        }
        // Splice with another corpus input.
        7 if !corpus.is_empty() => {
            let other = &corpus[rng.below(corpus.len())];
            if !other.is_empty() && len > 0 {
                let cut = rng.below(len);
                let from = rng.below(other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
        }
        // Swap two quoted strings' worth of bytes: copy a range over another.
        8 if len > 1 => {
            let a = rng.below(len);
            let b = rng.below(len);
            let n = 1 + rng.below(8.min(len - a.max(b)));
            let piece = data[a..a + n].to_vec();
            data[b..b + n].copy_from_slice(&piece);
        }
        // Wrap in nesting (deep structures).
        9 => {
            let max_depth = if rng.chance(8) { 200 } else { 4 };
            let depth = 1 + rng.below(max_depth);
            let (open, close) = if rng.chance(2) {
                (b'[', b']')
            } else {
                (b'{', b'}')
            };
            let mut out = Vec::with_capacity(len + depth * 2);
            for _ in 0..depth {
                if open == b'{' {
                    out.extend_from_slice(b"{\"a\":");
                } else {
                    out.push(open);
                }
            }
            out.extend_from_slice(data);
            out.extend(std::iter::repeat_n(close, depth));
            *data = out;
        }
        // Truncate.
        10 if len > 0 => data.truncate(rng.below(len)),
        // Insert random bytes.
        _ => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(4);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
        }
    }
    data.truncate(max_len);
}

struct Finding {
    target: String,
    path: PathBuf,
    message: String,
}

/// Run one input; on a panic, save it and return the finding.
fn run_one(name: &str, f: Target, data: &[u8], artifacts: &Path) -> Result<u32, Finding> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| f(data))) {
        Ok(score) => Ok(score),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".to_string());
            let dir = artifacts.join(name);
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("crash-{:016x}", hash(data)));
            if let Err(e) = std::fs::write(&path, data) {
                eprintln!("cannot save {}: {e}", path.display());
            }
            Err(Finding {
                target: name.to_string(),
                path,
                message,
            })
        }
    }
}

struct Stats {
    replayed: usize,
    executions: u64,
    pool: usize,
    findings: Vec<Finding>,
    elapsed: Duration,
}

fn fuzz_target(name: &str, f: Target, o: &Options) -> Stats {
    let start = Instant::now();
    let seeds = read_corpus(&o.corpus.join(name));
    let mut findings = Vec::new();
    let mut pool: Vec<(Vec<u8>, u32)> = Vec::new();
    for s in &seeds {
        match run_one(name, f, s, &o.artifacts) {
            Ok(score) => pool.push((s.clone(), score)),
            Err(finding) => findings.push(finding),
        }
    }
    let replayed = seeds.len();
    if pool.is_empty() {
        pool.push((b"[]".to_vec(), 0));
    }
    let base = pool.len();
    let mut rng = Rng(fastrand::Rng::with_seed(o.seed ^ hash(name.as_bytes())));
    let budget = Duration::from_secs_f64(o.seconds.max(0.0));
    let mut executions: u64 = replayed as u64;
    let mut seen_crashes = std::collections::HashSet::new();
    loop {
        match o.iterations {
            Some(n) if executions >= n + replayed as u64 => break,
            None if executions.is_multiple_of(64) && start.elapsed() >= budget => break,
            _ => {}
        }
        let (parent, parent_score) = {
            let (d, s) = &pool[rng.below(pool.len())];
            (d.clone(), *s)
        };
        let mut data = parent;
        let rounds = 1 + rng.below(6);
        for _ in 0..rounds {
            mutate_once(&mut rng, &mut data, &seeds, o.max_len);
        }
        executions += 1;
        match run_one(name, f, &data, &o.artifacts) {
            Ok(score) => {
                if score > parent_score {
                    if pool.len() < POOL_CAPACITY + base {
                        pool.push((data, score));
                    } else {
                        // Replace a mutant, never a seed.
                        let i = base + rng.below(pool.len() - base);
                        pool[i] = (data, score);
                    }
                }
            }
            Err(finding) => {
                if seen_crashes.insert(finding.message.clone()) {
                    eprintln!(
                        "{name}: CRASH ({}) saved to {}",
                        finding.message,
                        finding.path.display()
                    );
                    findings.push(finding);
                }
            }
        }
    }
    Stats {
        replayed,
        executions,
        pool: pool.len() - base,
        findings,
        elapsed: start.elapsed(),
    }
}

fn main() -> ExitCode {
    let o = parse_args();
    // Panics are reported through the findings; keep the default hook's backtrace off.
    std::panic::set_hook(Box::new(|_| {}));
    if let Some(input) = &o.input {
        let data = match std::fs::read(input) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{}: {e}", input.display());
                return ExitCode::from(2);
            }
        };
        let mut failed = false;
        for name in &o.targets {
            let Some((_, f)) = TARGETS.iter().find(|(n, _)| n == name) else {
                continue;
            };
            match run_one(name, *f, &data, &o.artifacts) {
                Ok(score) => println!("{name}: ok (score {score})"),
                Err(finding) => {
                    println!("{name}: CRASH: {}", finding.message);
                    failed = true;
                }
            }
        }
        return if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let mut total = 0u64;
    let mut all_findings = Vec::new();
    for name in &o.targets {
        let Some((_, f)) = TARGETS.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let s = fuzz_target(name, *f, &o);
        let secs = s.elapsed.as_secs_f64();
        println!(
            "{name:<18} seeds {:>4}  executions {:>10}  ({:>8.0}/s, {secs:.1} s)  pool {:>4}  crashes {}",
            s.replayed,
            s.executions,
            s.executions as f64 / secs.max(1e-9),
            s.pool,
            s.findings.len()
        );
        total += s.executions;
        all_findings.extend(s.findings);
    }
    println!("total executions {total}, crashes {}", all_findings.len());
    for f in &all_findings {
        println!("CRASH {}: {} ({})", f.target, f.message, f.path.display());
    }
    if all_findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! `leadgate qualify --format json` as a whole process against the
//! library's in-memory pipeline on the same leads, and the process's peak
//! memory at two input sizes.
//!
//! ```sh
//! cargo bench -p leadgate-cli --bench throughput              # 200,000 leads
//! LEADGATE_BENCH_LEADS=1000000 cargo bench -p leadgate-cli --bench throughput
//! ```
//!
//! The leads are the shipped samples repeated under new ids, one NDJSON
//! line each, written to a file first. The pipeline's three steps (parse,
//! decide, serialise) are timed apart, in memory, serialising with
//! serde_json (the tool writes with its own writer, `cli/src/json.rs`); the
//! process reads the file and writes to `/dev/null`, three times, and the
//! median is reported. Peak memory is the child's maximum resident set
//! size, read with GNU time where it is installed. One run on a shared
//! machine: compare the ratios, not the absolute figures.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use leadgate::{Pack, Qualifier};

const AS_OF: &str = "2026-11-23T00:00:00Z";

fn write_leads(path: &Path, n: usize) -> std::io::Result<()> {
    let samples: Vec<serde_json::Value> = include_str!("../../examples/data/leads.ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a sample lead"))
        .collect();
    let mut out = BufWriter::new(File::create(path)?);
    for i in 0..n {
        let mut lead = samples[i % samples.len()].clone();
        lead["id"] = format!("G-{i}").into();
        serde_json::to_writer(&mut out, &lead)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Seconds the process took, and its peak resident set size in KiB.
fn run_process(path: &Path) -> (f64, Option<u64>) {
    let exe = env!("CARGO_BIN_EXE_leadgate");
    let args = ["qualify", "--as-of", AS_OF, "--format", "json", path.to_str().unwrap()];
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut command = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M", exe]).args(args);
        c
    } else {
        let mut c = Command::new(exe);
        c.args(args);
        c
    };
    let start = Instant::now();
    let out = command
        .stdout(File::create("/dev/null").unwrap())
        .stderr(Stdio::piped())
        .output()
        .expect("leadgate runs");
    let seconds = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rss =
        gnu_time.then(|| String::from_utf8_lossy(&out.stderr).trim().lines().last()?.parse().ok()).flatten();
    (seconds, rss)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("LEADGATE_BENCH_LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let (big, small) = (dir.join("throughput-big.ndjson"), dir.join("throughput-small.ndjson"));
    write_leads(&big, n)?;
    write_leads(&small, n / 10)?;
    let as_of = AS_OF.parse()?;
    let q = Qualifier::new(&Pack::b2b_bant())?;

    // The process first, while the file just written is in the page cache:
    // the in-memory pipeline below holds every lead and may evict it. Three
    // runs, the median reported: on a shared machine one run can read 30% off.
    let mut runs: Vec<_> = (0..3).map(|_| run_process(&big)).collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (process, rss_big) = runs[1];
    let (_, rss_small) = run_process(&small);

    // The library, in memory: parse, decide, serialise, each timed apart.
    let text = std::fs::read_to_string(&big)?;
    let start = Instant::now();
    let leads: Vec<_> = leadgate::read_leads(&text).map(|r| r.map(|r| r.lead)).collect::<Result<_, _>>()?;
    let parse = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let decisions = q.evaluate_batch(&leads, as_of);
    let decide = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut json = Vec::with_capacity(text.len() * 2);
    for d in &decisions {
        serde_json::to_writer(&mut json, d.as_ref().expect("every lead is decided"))?;
        json.push(b'\n');
    }
    let write = start.elapsed().as_secs_f64();
    drop((text, leads, decisions, json));

    let rate = |s: f64| n as f64 / s;
    println!("{n} leads, default pack, one core");
    println!("  library in memory: parse {:>8.0} leads/s", rate(parse));
    println!("                     decide {:>7.0} leads/s (evaluate_batch)", rate(decide));
    println!("                     write {:>8.0} leads/s", rate(write));
    let pipeline = parse + decide + write;
    println!("                     all three {:>4.0} leads/s", rate(pipeline));
    let rates: Vec<_> = runs.iter().map(|r| format!("{:.0}", rate(r.0))).collect();
    println!(
        "  leadgate qualify --format json, file to /dev/null: {:.0} leads/s (median of {})",
        rate(process),
        rates.join(", ")
    );
    println!("  ratio, process to in-memory pipeline: {:.2}", pipeline / process);
    println!("  ratio, process to evaluate_batch alone: {:.2}", decide / process);
    if let (Some(big), Some(small)) = (rss_big, rss_small) {
        println!("  peak memory: {} KiB for {} leads, {} KiB for {n}", small, n / 10, big);
    }
    Ok(())
}

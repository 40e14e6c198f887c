//! DataFusion against the in-process batch, on the same leads and cores,
//! in one run: `qualify` over a Parquet file against
//! `Qualifier::evaluate_batch_par` on the same leads held in memory.
//!
//! ```sh
//! LEADGATE_BENCH_LEADS=1000000 cargo bench -p leadgate-datafusion --bench parquet
//! ```
//!
//! The leads are the shipped samples repeated under new ids, written once to
//! Parquet in row groups of 65,536 (a lake's writer makes groups of about
//! 128 MB; DataFusion reads a file's row groups in parallel, so a file of
//! one group would run on one core). Each side is timed three times and the
//! best run is reported, with the CPU time the process spent in it, which
//! shows how many cores each side kept busy. One run on a shared machine:
//! compare the ratio, not the absolute figures.
//!
//! With the feature `ballista`, the same queries also run on a Ballista
//! cluster of separate processes on this machine (the `leadgate-ballista`
//! binary as a scheduler and one single-slot executor per core, over
//! loopback, with the repository's pack directory), once summing the scores
//! on the executors and once shipping every decision back to the client,
//! which measures what moving decision batches between processes costs.
//! Their CPU time counts the executors' and the scheduler's:
//!
//! ```sh
//! LEADGATE_BENCH_LEADS=1000000 cargo bench -p leadgate-datafusion --features ballista --bench parquet
//! ```

use std::time::{Duration, Instant};

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use leadgate::{Lead, Pack, Qualifier};
use leadgate_datafusion::{Registry, leads_to_arrow, register};

const SAMPLES: &str = include_str!("../../examples/data/leads.ndjson");
const AS_OF: &str = "2026-11-23T00:00:00Z";

/// One side's best run: its wall time, the CPU time the whole process spent
/// meanwhile, and the score total it computed.
#[derive(Default)]
struct Run {
    wall: Duration,
    cpu: Duration,
    total: i64,
}

/// CPU time this process has spent so far, all threads together (from
/// Linux's `/proc`; zero elsewhere, where the column then reads 0).
fn cpu_time() -> Duration {
    cpu_time_of("self")
}

/// CPU time process `pid` (or `self`) has spent so far.
fn cpu_time_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name, in parentheses: utime and stime are the 12th
    // and 13th fields, in ticks of 1/100 s (USER_HZ on Linux).
    let ticks: u64 = stat.rsplit_once(')').map_or(0, |(_, rest)| {
        rest.split_whitespace().skip(11).take(2).filter_map(|f| f.parse::<u64>().ok()).sum()
    });
    Duration::from_millis(ticks * 10)
}

fn best(f: impl FnMut() -> i64) -> Run {
    best_on(cpu_time, f)
}

/// The best of three runs, CPU time read by `cpu`.
fn best_on(cpu: impl Fn() -> Duration, mut f: impl FnMut() -> i64) -> Run {
    (0..3)
        .map(|_| {
            let (start, before) = (Instant::now(), cpu());
            let total = f();
            Run { wall: start.elapsed(), cpu: cpu().saturating_sub(before), total }
        })
        .min_by_key(|run| run.wall)
        .unwrap_or_default()
}

/// The sum of the `score` field of the decision structs in column 0.
fn score_total(batches: &[RecordBatch]) -> i64 {
    let scores = |b: &RecordBatch| {
        let score =
            b.column(0).as_struct().column_by_name("score").map(|c| c.as_primitive::<Int64Type>().clone());
        score.map_or(0, |s| s.iter().flatten().sum::<i64>())
    };
    batches.iter().map(scores).sum()
}

fn collect(runtime: &tokio::runtime::Runtime, ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    runtime.block_on(async {
        let df = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{e}"));
        df.collect().await.unwrap_or_else(|e| panic!("{e}"))
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("LEADGATE_BENCH_LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let samples: Vec<Lead> =
        leadgate::read_leads(SAMPLES).map(|r| r.map(|r| r.lead)).collect::<Result<_, _>>()?;
    let leads: Vec<Lead> = (0..n)
        .map(|i| {
            let mut lead = samples[i % samples.len()].clone();
            lead.id = format!("B-{i}").into();
            lead
        })
        .collect();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("leads.parquet");
    let first = leads_to_arrow(&leads[..leads.len().min(8192)])?;
    let properties = WriterProperties::builder().set_max_row_group_row_count(Some(65_536)).build();
    let mut writer = ArrowWriter::try_new(std::fs::File::create(&path)?, first.schema(), Some(properties))?;
    for chunk in leads.chunks(8192) {
        writer.write(&leads_to_arrow(chunk)?)?;
    }
    let row_groups = writer.close()?.row_groups().len();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let q = Qualifier::new(&Pack::b2b_bant())?;
    let as_of = AS_OF.parse()?;

    let batch =
        best(|| q.evaluate_batch_par(&leads, as_of).iter().map(|d| d.as_ref().map_or(0, |d| d.score)).sum());

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build()?;
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(cores));
    register(&ctx, Registry::new(Qualifier::new(&Pack::b2b_bant())?));
    let file = path.to_str().unwrap_or_default();
    runtime.block_on(ctx.register_parquet("leads", file, ParquetReadOptions::default()))?;
    let sum = format!("SELECT sum(qualify(lead, TIMESTAMP '{AS_OF}')['score']) FROM leads");
    let every = format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}') FROM leads");
    let sum_of = |ctx: &SessionContext| {
        let batches = collect(&runtime, ctx, &sum);
        batches[0].column(0).as_primitive::<Int64Type>().value(0)
    };
    let sql = best(|| sum_of(&ctx));
    let sql_every = best(|| score_total(&collect(&runtime, &ctx, &every)));
    for run in [&sql, &sql_every] {
        assert_eq!(run.total, batch.total, "both sides decide the same leads alike");
    }

    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    let show = |label: &str, run: &Run| {
        let busy = run.cpu.as_secs_f64() / run.wall.as_secs_f64();
        println!(
            "{label:<48} {:>9.0} leads/s  {:>8.2?}  CPU {:>8.2?} ({busy:.1} cores)  {:.2}x",
            rate(run.wall),
            run.wall,
            run.cpu,
            run.wall.as_secs_f64() / batch.wall.as_secs_f64()
        );
    };
    println!("{n} leads, {cores} cores, {row_groups} row groups, score total {}", batch.total);
    show("evaluate_batch_par, leads in memory", &batch);
    show("DataFusion, sum of qualify over Parquet", &sql);
    show("DataFusion, every decision to the caller", &sql_every);

    #[cfg(feature = "ballista")]
    {
        // Wire size of the decisions the second query ships: Arrow IPC, as
        // Ballista's Flight service sends them.
        let decisions = collect(&runtime, &ctx, &every);
        let mut ipc =
            datafusion::arrow::ipc::writer::StreamWriter::try_new(Vec::new(), &decisions[0].schema())?;
        for b in &decisions {
            ipc.write(b)?;
        }
        let bytes = ipc.into_inner()?.len();
        let packs = concat!(env!("CARGO_MANIFEST_DIR"), "/../packs");
        let processes = cluster::start(packs, cores)?;
        let registry = Registry::from_dir(std::path::Path::new(packs))?;
        let cluster =
            runtime.block_on(leadgate_datafusion::ballista::client(processes.scheduler, registry))?;
        runtime.block_on(cluster.register_parquet("leads", file, ParquetReadOptions::default()))?;
        // The executors register with the scheduler on their own: the first
        // query waits for them, untimed.
        assert_eq!(sum_of(&cluster), batch.total, "Ballista decides the same leads alike");
        let cpu = || cpu_time() + processes.pids().map(|pid| cpu_time_of(&pid.to_string())).sum::<Duration>();
        let ballista = best_on(cpu, || sum_of(&cluster));
        let ballista_every = best_on(cpu, || score_total(&collect(&runtime, &cluster, &every)));
        for run in [&ballista, &ballista_every] {
            assert_eq!(run.total, batch.total, "Ballista decides the same leads alike");
        }
        show(&format!("Ballista, {cores} executor processes: sum"), &ballista);
        show(&format!("Ballista, {cores} executor processes: every decision"), &ballista_every);
        println!(
            "every decision ships {bytes} bytes of Arrow IPC ({} per lead); shipping them costs {:.2?} over the sum",
            bytes / n.max(1),
            ballista_every.wall.saturating_sub(ballista.wall)
        );
    }
    Ok(())
}

/// The cluster the Ballista test starts, shared with it.
#[cfg(feature = "ballista")]
#[path = "../tests/common/cluster.rs"]
mod cluster;

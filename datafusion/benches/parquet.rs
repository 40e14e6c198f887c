//! DataFusion against the in-process batch, on the same leads and cores,
//! in one run: `qualify` over a Parquet file against
//! `Qualifier::evaluate_batch_par` on the same leads held in memory.
//!
//! ```sh
//! LEADGATE_BENCH_LEADS=1000000 cargo bench -p leadgate-datafusion --bench parquet
//! ```
//!
//! The leads are the shipped samples repeated under new ids, written once to
//! Parquet in batches of 8,192. Each side is timed three times and the best
//! run is reported. One run on a shared machine: compare the ratio, not the
//! absolute figures.

use std::time::{Duration, Instant};

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use leadgate::{Lead, Pack, Qualifier};
use leadgate_datafusion::{Registry, leads_to_arrow, register};

const SAMPLES: &str = include_str!("../../examples/data/leads.ndjson");
const AS_OF: &str = "2026-11-23T00:00:00Z";

fn best(mut f: impl FnMut() -> i64) -> (Duration, i64) {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let total = f();
            (start.elapsed(), total)
        })
        .min_by_key(|(d, _)| *d)
        .unwrap_or_default()
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
    let mut writer = datafusion::parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path)?,
        first.schema(),
        None,
    )?;
    for chunk in leads.chunks(8192) {
        writer.write(&leads_to_arrow(chunk)?)?;
    }
    writer.close()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let q = Qualifier::new(&Pack::b2b_bant())?;
    let as_of = AS_OF.parse()?;

    let (batch_time, batch_total) =
        best(|| q.evaluate_batch_par(&leads, as_of).iter().map(|d| d.as_ref().map_or(0, |d| d.score)).sum());

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build()?;
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(cores));
    register(&ctx, Registry::new(Qualifier::new(&Pack::b2b_bant())?));
    runtime.block_on(ctx.register_parquet(
        "leads",
        path.to_str().unwrap_or_default(),
        ParquetReadOptions::default(),
    ))?;
    let sql = format!("SELECT sum(qualify(lead, TIMESTAMP '{AS_OF}')['score']) FROM leads");
    let (sql_time, sql_total) = best(|| {
        runtime.block_on(async {
            let batches = ctx.sql(&sql).await.unwrap_or_else(|e| panic!("{e}")).collect().await;
            let batches = batches.unwrap_or_else(|e| panic!("{e}"));
            batches[0].column(0).as_primitive::<Int64Type>().value(0)
        })
    });
    assert_eq!(sql_total, batch_total, "both sides decide the same leads alike");
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("{n} leads, {cores} cores, score total {batch_total}");
    println!("evaluate_batch_par, leads in memory: {:>10.0} leads/s ({:.2?})", rate(batch_time), batch_time);
    println!("DataFusion, qualify over Parquet:    {:>10.0} leads/s ({:.2?})", rate(sql_time), sql_time);
    println!("ratio: {:.2}x", sql_time.as_secs_f64() / batch_time.as_secs_f64());
    Ok(())
}

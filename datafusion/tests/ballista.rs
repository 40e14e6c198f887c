//! A Ballista cluster on this machine (loopback only): a scheduler and two
//! executors, each with leadgate's functions, return for a distributed query
//! exactly the decisions of the library in this process.
#![cfg(feature = "ballista")]

use datafusion::prelude::ParquetReadOptions;
use leadgate::{Lead, Pack};
use leadgate_datafusion::ballista::{client, local_cluster};
use leadgate_datafusion::leads_to_arrow;

#[path = "common/cluster.rs"]
mod cluster;
mod common;

use common::*;

/// `leads` in `files` Parquet files, so that the query has a task per file.
fn write_parquet(dir: &std::path::Path, leads: &[Lead], files: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, part) in leads.chunks(leads.len().div_ceil(files)).enumerate() {
        let batch = leads_to_arrow(part).unwrap();
        let file = std::fs::File::create(dir.join(format!("part-{i}.parquet"))).unwrap();
        let mut writer =
            datafusion::parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributed_query_returns_the_library_decisions() {
    let mut rng = 0xBA11_u64;
    let mut leads = samples();
    leads.extend((0..600).map(|i| generated(&mut rng, i)));
    let dir = std::env::temp_dir().join(format!("leadgate-ballista-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_parquet(&dir, &leads, 4);

    let scheduler = local_cluster(registry(), 2).await.unwrap();
    let ctx = client(scheduler, registry()).await.unwrap();
    let path = format!("{}/", dir.display());
    ctx.register_parquet("leads", &path, ParquetReadOptions::default()).await.unwrap();
    let sql = format!(
        "SELECT id, qualify(lead, TIMESTAMP '{AS_OF}') AS d, qualify(lead, TIMESTAMP '{AS_OF}', 'meddic') AS m \
         FROM leads ORDER BY id"
    );
    // The plan is the scheduler's to run, not this process's.
    let plan = ctx.sql(&sql).await.unwrap().create_physical_plan().await.unwrap();
    let shown = datafusion::physical_plan::displayable(plan.as_ref()).indent(false).to_string();
    assert!(shown.starts_with("DistributedQueryExec"), "{shown}");
    let batch = query(&ctx, &sql).await;
    leads.sort_by(|a, b| a.id.cmp(&b.id));
    let ids = batch.column(0).as_any().downcast_ref::<datafusion::arrow::array::StringArray>().unwrap();
    assert_eq!(
        ids.iter().map(Option::unwrap).collect::<Vec<_>>(),
        leads.iter().map(|l| l.id.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(rows(batch.column(1)), library(&Pack::b2b_bant(), &leads));
    assert_eq!(rows(batch.column(2)), library(&Pack::meddic(), &leads));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The deployment the docs describe, on loopback: `leadgate-ballista` as a
/// scheduler and two executors, separate processes loading the repository's
/// pack directory, and a client in this process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_a_cluster_of_processes() {
    let packs = concat!(env!("CARGO_MANIFEST_DIR"), "/../packs");
    // Killed when the test ends, however it ends.
    let processes = cluster::start(packs, 2).unwrap();
    let dir = std::env::temp_dir().join(format!("leadgate-ballista-bin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut leads = samples();
    write_parquet(&dir, &leads, 2);
    let registry = leadgate_datafusion::Registry::from_dir(std::path::Path::new(packs)).unwrap();
    // The scheduler listens; an executor retries until it reaches it.
    let ctx = client(processes.scheduler, registry).await.unwrap();
    ctx.register_parquet("leads", &format!("{}/", dir.display()), ParquetReadOptions::default())
        .await
        .unwrap();
    let batch = query(
        &ctx,
        &format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}', 'meddic') AS m FROM leads ORDER BY id"),
    )
    .await;
    leads.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(rows(batch.column(0)), library(&Pack::meddic(), &leads));
    drop(processes);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_binary_names_what_is_wrong() {
    let run = |args: &[&str]| {
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_leadgate-ballista")).args(args).output().unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let packs = concat!(env!("CARGO_MANIFEST_DIR"), "/../packs");
    for (args, message) in [
        (vec![], "error: name a role: scheduler or executor"),
        (vec!["scheduler"], "error: --packs DIR is required"),
        (vec!["executor", "--packs", packs], "error: --scheduler HOST:PORT is required"),
        (vec!["planner", "--packs", packs], "error: unknown role \"planner\": scheduler or executor"),
        (vec!["scheduler", "--packs", "/no/such/dir"], "error: Execution error: /no/such/dir: "),
        (
            vec!["executor", "--packs", packs, "--scheduler", "127.0.0.1:1", "--vcores", "x"],
            "error: --vcores takes a number, got \"x\"",
        ),
    ] {
        let (code, stderr) = run(&args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(
            stderr.starts_with(message) && stderr.contains("usage: leadgate-ballista"),
            "{args:?}: {stderr}"
        );
    }
}

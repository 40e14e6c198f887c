//! Many tenants in one process: the heap 10,000 compiled default packs hold
//! (each with its own parameters, counted exactly), and deciding leads
//! round-robin over 1,000 tenants against all on one tenant.
//!
//! `cargo bench --bench tenants`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadgate::{Lead, Pack, Qualifier};

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// A tenant: the default pack with a threshold of its own.
fn tenant(i: usize) -> Qualifier {
    Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40 + (i % 40) as i64).build().unwrap()
}

fn memory(_: &mut Criterion) {
    let pack = Pack::b2b_bant();
    drop(Qualifier::new(&pack).unwrap()); // the process-wide parts, built once
    let (tenants, bytes) = counting::held(|| (0..10_000).map(tenant).collect::<Vec<_>>());
    println!(
        "10,000 compiled default packs hold {:.1} MB of heap: {:.1} KiB each",
        bytes as f64 / 1e6,
        bytes as f64 / tenants.len() as f64 / 1024.0
    );
}

fn round_robin(c: &mut Criterion) {
    let as_of = "2026-11-23T00:00:00Z".parse().unwrap();
    let leads: Vec<Lead> = leadgate::read_leads(include_str!("../examples/data/leads.ndjson"))
        .map(|r| r.unwrap().lead)
        .collect();
    let tenants: Vec<Qualifier> = (0..1_000).map(tenant).collect();
    let mut g = c.benchmark_group("tenants");
    g.throughput(Throughput::Elements(leads.len() as u64));
    g.bench_function("one", |b| {
        b.iter(|| leads.iter().map(|l| tenants[0].evaluate(black_box(l), as_of).unwrap().score).sum::<i64>())
    });
    // Each lead goes to the next tenant, through all 1,000.
    let mut next = 0;
    g.bench_function("round_robin_1000", |b| {
        b.iter(|| {
            leads
                .iter()
                .map(|l| {
                    next = (next + 1) % tenants.len();
                    tenants[next].evaluate(black_box(l), as_of).unwrap().score
                })
                .sum::<i64>()
        })
    });
    g.finish();
}

criterion_group!(benches, memory, round_robin);
criterion_main!(benches);

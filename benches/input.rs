//! Reading is linear in the input: leads from a JSON array and from NDJSON
//! (1k, 10k, 100k small leads), and packs of 10, 100 and 1000 inline rules,
//! loaded and compiled.
//! Time per element should stay flat as the count grows.
//!
//! `cargo bench --bench input`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leadgate::{Pack, read_leads};

fn lead(i: usize) -> String {
    format!(
        r#"{{"id": "L-{i}", "created_at": "2026-01-01T00:00:00Z", "company": {{"industry": "software"}}}}"#
    )
}

fn leads(c: &mut Criterion) {
    let mut group = c.benchmark_group("read_leads");
    group.sample_size(10);
    for n in [1_000, 10_000, 100_000] {
        let items: Vec<String> = (0..n).map(lead).collect();
        let ndjson = items.join("\n") + "\n";
        let array = format!("[\n{}\n]\n", items.join(",\n"));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("array", n), &array, |b, input| {
            b.iter(|| assert_eq!(read_leads(input).filter(Result::is_ok).count(), n))
        });
        group.bench_with_input(BenchmarkId::new("ndjson", n), &ndjson, |b, input| {
            b.iter(|| assert_eq!(read_leads(input).filter(Result::is_ok).count(), n))
        });
    }
    group.finish();
}

fn packs(c: &mut Criterion) {
    let mut group = c.benchmark_group("from_toml");
    group.sample_size(10);
    for n in [10, 100, 1000] {
        let mut toml = String::from("name = \"many\"\nversion = \"1\"\n");
        for i in 0..n {
            toml.push_str(&format!(
                "[[rules]]\nname = \"r{i}\"\nscript = '''\nif lead.industry == \"software\" {{ decision.fit(1, \"r{i}\"); }}\n'''\n"
            ));
        }
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("rules", n), &toml, |b, toml| {
            b.iter(|| assert_eq!(Pack::from_toml(toml).map(|p| p.rules().count()).ok(), Some(n)))
        });
        // Compiling too: each rule compiles apart, and the compiled rules are joined.
        let pack = Pack::from_toml(&toml).expect("a valid pack");
        group.bench_with_input(BenchmarkId::new("compile", n), &pack, |b, pack| {
            b.iter(|| assert!(leadgate::Qualifier::new(pack).is_ok()))
        });
    }
    group.finish();
}

criterion_group!(benches, leads, packs);
criterion_main!(benches);

//! leadgate against a hand-written native-Rust implementation of the same
//! default pack, in the same run, so the ratio is what counts.
//!
//! `cargo bench --bench qualify`. Before timing, the native implementation is
//! checked to agree with the engine on the sample leads and thousands of
//! generated ones; then the three targets' ratios are measured interleaved
//! (see [`interleaved`]), before criterion's groups.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leadgate::{CriterionStatus, Lead, Pack, Qualifier};

#[path = "support/leads.rs"]
mod leads;
mod native;

use leads::{SAMPLE_LEADS, as_of, generated, lead_with_touchpoints};

/// The baseline is only a baseline if it decides what the engine decides:
/// every score, criterion (status, evidence, rule), contribution (rule,
/// points, reason), the stage, the grade, the temperature and the handoff,
/// on the sample leads, the bench's leads and thousands of generated ones.
fn check_native_agrees(q: &Qualifier) {
    let mut leads: Vec<Lead> = leadgate::read_leads(SAMPLE_LEADS).map(|r| r.unwrap().lead).collect();
    leads.extend([0, 10, 30, 100, 1000].map(lead_with_touchpoints));
    let mut rng = 0x5EED_u64;
    leads.extend((0..10_000).map(|i| generated(&mut rng, i)));
    // How often each branch of the pack was taken, so that "agrees" means something.
    let mut seen: std::collections::BTreeMap<&str, usize> = Default::default();
    for lead in &leads {
        let e = q.evaluate(lead, as_of()).unwrap();
        let n = native::decide(lead, as_of());
        let mut saw = |branch| *seen.entry(branch).or_default() += 1;
        if e.disqualified.is_some() {
            saw("disqualified");
        }
        match e.handoff.as_ref().map(|h| h.stage) {
            Some(leadgate::Stage::Sql) => saw("SQL-ready"),
            Some(_) => saw("MQL"),
            None if e.why_not_yet.as_ref().is_some_and(|w| w.held.is_some()) => saw("held"),
            None => {}
        }
        for c in &e.contributions {
            saw(match (c.rule.as_str(), c.reason.as_str()) {
                ("caps", _) => "capped",
                ("engagement", r) if r.starts_with("Gone quiet") => "gone quiet",
                ("engagement", _) => "engagement points",
                ("fit", _) => "fit points",
                _ => "point table",
            });
        }
        if e.criteria.get("need").is_some_and(|c| c.rule.as_deref() == Some("engagement")) {
            saw("need from a demo");
        }
        for status in e.criteria.iter().map(|(_, c)| c.status) {
            saw(match status {
                CriterionStatus::Met => "criterion met",
                CriterionStatus::NotMet => "criterion not met",
                _ => "criterion unknown",
            });
        }
        let engine = (e.fit, e.engagement, e.negative, e.score, e.stage, e.grade, e.temperature);
        let native = (n.fit, n.engagement, n.negative, n.score, n.stage, Some(n.grade), Some(n.temperature));
        assert_eq!(engine, native, "lead {}", lead.id);
        assert_eq!(e.disqualified.is_some(), n.disqualified, "lead {}", lead.id);
        let handoff = e.handoff.as_ref().map(|h| (h.stage, h.reason.to_string()));
        assert_eq!(handoff, n.handoff, "lead {}", lead.id);
        for (name, n) in native::CRITERIA.iter().zip(&n.criteria) {
            let c = e.criteria.get(name).unwrap();
            let engine = (c.status, c.evidence.as_deref(), c.rule.as_deref());
            let native = n.as_ref().map_or((CriterionStatus::Unknown, None, None), |n| {
                (n.status, Some(&*n.evidence), Some(n.rule))
            });
            assert_eq!(engine, native, "lead {}, criterion {name}", lead.id);
        }
        let engine: Vec<_> =
            e.contributions.iter().map(|c| (c.rule.as_str(), c.points, c.reason.as_str())).collect();
        let native: Vec<_> = n.contributions.iter().map(|c| (c.rule, c.points, &*c.reason)).collect();
        assert_eq!(engine, native, "lead {}", lead.id);
    }
    println!("the native baseline agrees with the engine on {} leads: {seen:?}", leads.len());
    for branch in ["disqualified", "SQL-ready", "MQL", "held", "capped", "gone quiet", "need from a demo"] {
        assert!(
            seen.get(branch).is_some_and(|&n| n >= 20),
            "the generated leads rarely reach {branch}: {seen:?}"
        );
    }
}

/// The targets' ratios, interleaved: rounds of about a millisecond of the
/// engine and as long of the native code on the same leads (which goes
/// first alternates), and the median of the rounds' ratios. This machine's
/// speed drifts over the seconds between criterion's groups, by tens of
/// percent; within one round it barely moves.
fn interleaved(q: &Qualifier) {
    let samples: Vec<Lead> = leadgate::read_leads(SAMPLE_LEADS).map(|r| r.unwrap().lead).collect();
    let workloads = [
        ("30 touchpoints", vec![lead_with_touchpoints(30)]),
        ("0 touchpoints", vec![lead_with_touchpoints(0)]),
        ("the sample leads", samples),
    ];
    for (name, leads) in &workloads {
        let engine = |reps: usize| {
            for _ in 0..reps {
                for lead in leads {
                    black_box(q.evaluate(black_box(lead), as_of()).unwrap());
                }
            }
        };
        let native = |reps: usize| {
            for _ in 0..reps {
                for lead in leads {
                    black_box(native::decide(black_box(lead), as_of()));
                }
            }
        };
        let time = |f: &dyn Fn(usize), reps| {
            let start = Instant::now();
            f(reps);
            start.elapsed().as_secs_f64()
        };
        engine(100);
        let reps = ((1e-3 / (time(&native, 100) / 100.0)) as usize).max(1);
        let mut ratios: Vec<f64> = (0..101)
            .map(|round| {
                if round % 2 == 0 {
                    let e = time(&engine, reps);
                    e / time(&native, reps)
                } else {
                    let n = time(&native, reps);
                    time(&engine, reps) / n
                }
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "interleaved, {name}: engine / native = {:.2} (median of 101 rounds of {reps} native runs each side; quartiles {:.2} and {:.2})",
            ratios[50], ratios[25], ratios[75]
        );
    }
}

fn decision(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    check_native_agrees(&q);
    interleaved(&q);
    let lead = lead_with_touchpoints(30);
    let mut g = c.benchmark_group("decision_30_touchpoints");
    g.throughput(Throughput::Elements(1));
    g.bench_function("leadgate", |b| b.iter(|| q.evaluate(black_box(&lead), as_of()).unwrap()));
    g.bench_function("native", |b| b.iter(|| native::decide(black_box(&lead), as_of())));
    g.finish();
}

fn touchpoint_scaling(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let mut g = c.benchmark_group("touchpoints");
    for n in [0, 10, 100, 1000] {
        let lead = lead_with_touchpoints(n);
        g.bench_with_input(BenchmarkId::new("leadgate", n), &lead, |b, lead| {
            b.iter(|| q.evaluate(black_box(lead), as_of()).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("native", n), &lead, |b, lead| {
            b.iter(|| native::decide(black_box(lead), as_of()))
        });
    }
    g.finish();
}

/// What one scripted rule costs: a pack of ten one-`if` rules, none taken,
/// against the same pack without rules, on a lead with no touchpoints. The
/// difference over ten is one rule.
fn scripted_rules(c: &mut Criterion) {
    let lead = lead_with_touchpoints(0);
    let mut g = c.benchmark_group("scripted_rules");
    let none = Qualifier::new(&leads::scripted_pack(0, "")).unwrap();
    g.bench_function("none", |b| b.iter(|| none.evaluate(black_box(&lead), as_of()).unwrap()));
    for (name, test) in leads::ONE_IF {
        let q = Qualifier::new(&leads::scripted_pack(10, test)).unwrap();
        g.bench_function(format!("ten_{name}"), |b| {
            b.iter(|| q.evaluate(black_box(&lead), as_of()).unwrap())
        });
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let pack = Pack::b2b_bant();
    c.bench_function("load_default_pack", |b| b.iter(|| Qualifier::new(black_box(&pack)).unwrap()));
}

fn sample_batch(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads: Vec<Lead> = leadgate::read_leads(SAMPLE_LEADS).map(|r| r.unwrap().lead).collect();
    let mut g = c.benchmark_group("sample_leads");
    g.throughput(Throughput::Elements(leads.len() as u64));
    g.bench_function("leadgate", |b| b.iter(|| q.evaluate_batch(black_box(&leads), as_of())));
    g.bench_function("native", |b| {
        b.iter(|| leads.iter().map(|l| native::decide(black_box(l), as_of())).collect::<Vec<_>>())
    });
    g.finish();
}

/// `n` sample-like leads as NDJSON, with unique ids.
fn ndjson(n: usize) -> String {
    let lines: Vec<&str> = SAMPLE_LEADS.lines().collect();
    (0..n)
        .map(|i| lines[i % lines.len()].replacen("\"id\":\"L-", &format!("\"id\":\"B{i}-"), 1) + "\n")
        .collect()
}

/// What `qualify --format json` does per lead: read NDJSON, decide, write NDJSON.
fn end_to_end(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let input = ndjson(1000);
    let leads: Vec<Lead> = leadgate::read_leads(&input).map(|r| r.unwrap().lead).collect();
    assert_eq!(leads.len(), 1000, "ids are unique");
    let decisions: Vec<_> = leads.iter().map(|l| q.evaluate(l, as_of()).unwrap()).collect();
    let mut g = c.benchmark_group("end_to_end_1000_leads");
    g.throughput(Throughput::Elements(1000));
    g.sample_size(20);
    g.bench_function("parse", |b| b.iter(|| leadgate::read_leads(black_box(&input)).count()));
    g.bench_function("evaluate", |b| b.iter(|| q.evaluate_batch(black_box(&leads), as_of())));
    g.bench_function("serialise", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(2 << 20);
            for d in &decisions {
                serde_json::to_writer(&mut out, d).unwrap();
                out.push(b'\n');
            }
            out
        })
    });
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(2 << 20);
            for leadgate::lead::Record { lead, .. } in
                leadgate::read_leads(black_box(&input)).map(Result::unwrap)
            {
                serde_json::to_writer(&mut out, &q.evaluate(&lead, as_of()).unwrap()).unwrap();
                out.push(b'\n');
            }
            out
        })
    });
    g.finish();
}

/// `cargo bench --features parallel`: one shared pack on every core.
#[cfg(feature = "parallel")]
fn parallel(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads: Vec<Lead> = leadgate::read_leads(&ndjson(100_000)).map(|r| r.unwrap().lead).collect();
    assert_eq!(q.evaluate_batch_par(&leads, as_of()), q.evaluate_batch(&leads, as_of()));
    let mut g = c.benchmark_group("batch_100000_leads");
    g.throughput(Throughput::Elements(leads.len() as u64));
    g.sample_size(10);
    g.bench_function("sequential", |b| b.iter(|| q.evaluate_batch(black_box(&leads), as_of())));
    g.bench_function("parallel", |b| b.iter(|| q.evaluate_batch_par(black_box(&leads), as_of())));
    g.finish();
}

#[cfg(not(feature = "parallel"))]
fn parallel(_: &mut Criterion) {}

criterion_group!(
    benches,
    decision,
    touchpoint_scaling,
    scripted_rules,
    load,
    sample_batch,
    end_to_end,
    parallel
);
criterion_main!(benches);

//! SLA due times cost the same for any length: 8 business hours and
//! 2,000,000 (about 960 years of working days), in Los Angeles with a year
//! of holidays, and around the clock for comparison.
//!
//! `cargo bench --bench sla`

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use leadgate::workflow::{Calendar, Sla};

fn due(c: &mut Criterion) {
    let at: DateTime<Utc> = "2026-11-20T23:30:00Z".parse().unwrap();
    let holidays =
        "2026-11-26\n2026-11-27\n2026-12-24\n2026-12-25\n2027-01-01\n2027-05-31\n2027-07-05\n2027-09-06\n";
    let pacific = Calendar::new("America/Los_Angeles").unwrap().hours("08:30", "17:30").unwrap();
    let pacific = pacific.holidays(holidays).unwrap();
    let mut group = c.benchmark_group("sla_due");
    for hours in [8, 2_000, 2_000_000] {
        let slas = [
            ("around_the_clock", Sla::hours(hours)),
            ("business_utc", Sla::business_hours(hours)),
            ("business_pacific_holidays", Sla::business_hours(hours).with_calendar(pacific.clone())),
        ];
        for (name, sla) in slas {
            group.bench_with_input(BenchmarkId::new(name, hours), &sla, |b, sla| {
                b.iter(|| black_box(sla.due(black_box(at)).unwrap()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, due);
criterion_main!(benches);

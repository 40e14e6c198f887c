//! Heap allocations per decision, counted with a counting global allocator.
//!
//! `cargo bench --bench allocations` prints the counts; they are exact and
//! repeatable (no timing involved), so they are reported rather than timed.

use chrono::{DateTime, Duration, Utc};
use leadgate::{Channel, Lead, Pack, Qualifier, Touchpoint};

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = counting::allocations();
    let out = f();
    (out, counting::allocations() - before)
}

fn main() {
    let as_of: DateTime<Utc> = "2026-11-23T00:00:00Z".parse().unwrap();
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let sample = include_str!("../examples/data/leads.ndjson");
    let base = leadgate::read_leads(sample).next().unwrap().unwrap().lead;
    let channels =
        [Channel::WebVisit, Channel::EmailOpen, Channel::PricingPage, Channel::Webinar, Channel::Call];
    println!("allocations per decision (default pack; lead L-1001's profile):");
    for n in [0usize, 10, 30, 100] {
        let mut lead: Lead = base.clone();
        lead.touchpoints = (0..n)
            .map(|i| Touchpoint::new(as_of - Duration::hours(i as i64 * 70 + 1), channels[i % 5].clone()))
            .collect();
        let _ = q.evaluate(&lead, as_of); // warm up lazily built state
        let (_, count) = counted(|| q.evaluate(&lead, as_of).unwrap());
        println!("  {n:>4} touchpoints: {count} allocations");
    }
    // Fields leadgate does not know are kept with the lead; a decision must
    // not pay for them.
    for n in [20usize, 100] {
        let mut json: serde_json::Value = serde_json::from_str(sample.lines().next().unwrap()).unwrap();
        for i in 0..n {
            let (object, key) = match i % 3 {
                0 => (&mut json, format!("crm_field_{i}")),
                1 => (&mut json["person"], format!("person_field_{i}")),
                _ => (&mut json["company"], format!("company_field_{i}")),
            };
            object[key] = serde_json::json!({"value": i, "label": format!("label {i}")});
        }
        let lead = Lead::from_json(&json.to_string()).unwrap();
        let _ = q.evaluate(&lead, as_of);
        let (_, count) = counted(|| q.evaluate(&lead, as_of).unwrap());
        println!("  {n:>4} unknown fields: {count} allocations");
    }
    let leads: Vec<Lead> = leadgate::read_leads(sample).map(|r| r.unwrap().lead).collect();
    let (_, count) = counted(|| q.evaluate_batch(&leads, as_of));
    println!(
        "  the 50 sample leads: {:.1} allocations per lead on average",
        count as f64 / leads.len() as f64
    );

    // No growth as leads accumulate: what stays allocated after each round of
    // 10,000 distinct leads, decided and dropped, once the per-thread state
    // (the rule variables and the bounded cache of repeated reasons) is built.
    println!("heap still allocated after rounds of 10,000 decisions (bytes):");
    let mut after = Vec::new();
    for round in 0..5 {
        for i in 0..10_000 {
            let mut lead = leads[i % leads.len()].clone();
            lead.id = format!("R{round}-{i}").into();
            drop(q.evaluate(&lead, as_of).unwrap());
        }
        after.push(counting::live());
    }
    let rounds: Vec<String> = after.iter().map(|b| b.to_string()).collect();
    println!("  {}", rounds.join(", "));
    let growth = after[4] as i64 - after[1] as i64;
    println!("  growth over the last 30,000 decisions: {growth} bytes");

    // What one more tenant costs: the heap a compiled pack holds.
    for (name, pack) in [("default", Pack::b2b_bant()), ("empty", Pack::from_script("empty", "").unwrap())] {
        let (tenants, bytes) =
            counting::held(|| (0..100).map(|_| Qualifier::new(&pack).unwrap()).collect::<Vec<_>>());
        let per_tenant = bytes / tenants.len();
        println!(
            "heap held by one compiled {name} pack: {per_tenant} bytes ({:.1} KiB)",
            per_tenant as f64 / 1024.0
        );
    }
}

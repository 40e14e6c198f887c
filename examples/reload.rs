//! Swapping the live pack while workers decide leads.
//!
//! `cargo run --example reload`: four workers decide the sample leads in a
//! loop while the main thread publishes a new pack version; every decision
//! names the version that made it, and none is lost or made by a mix.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use leadgate::authoring::LiveQualifier;
use leadgate::{Lead, Pack, Qualifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let leads: Vec<Lead> = leadgate::read_leads(include_str!("data/leads.ndjson"))
        .filter_map(Result::ok)
        .map(|r| r.lead)
        .collect();
    let as_of = "2026-11-23T00:00:00Z".parse()?;
    let live = LiveQualifier::new(Qualifier::new(&Pack::b2b_bant())?);
    let stop = AtomicBool::new(false);

    let counts = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut by_version: BTreeMap<String, usize> = BTreeMap::new();
                    while !stop.load(Ordering::Relaxed) {
                        // One qualifier per batch: the whole batch is decided by one version.
                        let q = live.current();
                        for d in q.evaluate_batch(&leads, as_of).into_iter().flatten() {
                            *by_version
                                .entry(format!("{} {}", d.pack.name, d.pack.params_hash[..8].to_owned()))
                                .or_default() += 1;
                        }
                    }
                    by_version
                })
            })
            .collect();

        std::thread::sleep(Duration::from_millis(200));
        // "Version 2": the same pack with a stricter threshold. Compile first, then swap.
        let stricter =
            Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 75).build().expect("valid");
        let old = live.replace(stricter);
        println!("swapped out {} (params {}…)", old.pack().name, &old.pack().params_hash[..8]);
        std::thread::sleep(Duration::from_millis(200));
        stop.store(true, Ordering::Relaxed);

        let mut total: BTreeMap<String, usize> = BTreeMap::new();
        for w in workers {
            for (version, n) in w.join().expect("worker") {
                *total.entry(version).or_default() += n;
            }
        }
        total
    });
    for (version, n) in counts {
        println!("{n:>8} decisions by {version}…");
    }
    Ok(())
}

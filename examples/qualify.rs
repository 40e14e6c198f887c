//! The library in a few lines: `cargo run --example qualify`.
//!
//! Compiles the shipped pack with one tenant's threshold, reads the sample
//! leads, decides them all as of one instant and prints each decision with
//! the points behind the first. (The command-line tool, `leadgate qualify`,
//! does the same for files and streams, with tables, JSON and CSV.)

use leadgate::{Pack, Qualifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Compile once; a `Qualifier` is shared across threads and tenants.
    let qualifier = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 70).build()?;
    let as_of = "2026-11-23T00:00:00Z".parse()?;

    // Each bad lead is an error for that lead only; reading goes on.
    let mut leads = Vec::new();
    for record in leadgate::read_leads(include_str!("data/leads.ndjson")) {
        match record {
            Ok(record) => leads.push(record.lead),
            Err(e) => eprintln!("skipped: {e}"),
        }
    }

    for (lead, decision) in leads.iter().zip(qualifier.evaluate_batch(&leads, as_of)) {
        match decision {
            Ok(d) => match &d.handoff {
                Some(h) => println!("{:<8} {:>3}  to sales as {}: {}", d.lead_id, d.score, h.stage, h.reason),
                None => println!("{:<8} {:>3}  {}", d.lead_id, d.score, d.stage),
            },
            Err(e) => println!("{:<8} error: {e}", lead.id),
        }
    }

    let first = qualifier.evaluate(&leads[0], as_of)?;
    println!("\nwhy {} scored {}:", first.lead_id, first.score);
    for c in &first.contributions {
        println!("  {:+4} {}", c.points, c.reason);
    }
    Ok(())
}

//! Accounts: groups the sample leads into accounts and decides each with
//! the shipped pack's `[account]` section, showing the buying group, every
//! point down to the contact that earned it, and what is missing.
//!
//! ```sh
//! cargo run --example accounts [-- path/to/leads.ndjson]
//! ```

use leadgate::account;
use leadgate::{Lead, Pack, Qualifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "examples/data/accounts.ndjson".into());
    let text = std::fs::read_to_string(&path)?;
    let mut leads: Vec<Lead> = Vec::new();
    for record in leadgate::read_leads(&text) {
        match record {
            Ok(record) => leads.push(record.lead),
            Err(e) => eprintln!("skipped: {e}"),
        }
    }
    let qualifier = Qualifier::new(&Pack::b2b_bant())?;
    let as_of = "2026-11-23T00:00:00Z".parse()?;
    let grouping = account::group(&leads);
    for account in &grouping.accounts {
        let d = match qualifier.evaluate_account(account, as_of) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let temperature = d.temperature.map_or("-", |t| t.as_str());
        let grade = d.grade.map_or("-", |g| g.as_str());
        println!(
            "{} ({} contacts): score {} ({temperature}, grade {grade})",
            d.account,
            d.contacts.len(),
            d.score
        );
        for c in &d.contributions {
            let from = c.contact.as_deref().map(|id| format!(" [{id}]")).unwrap_or_default();
            println!("  {:>+4}  {}{from}", c.points, c.reason);
        }
        for role in &d.buying_group {
            let required = if role.required { " (required)" } else { "" };
            println!("  {}{required}: {:?}, engaged {:?}", role.role, role.contacts, role.engaged);
        }
        if let Some(h) = &d.handoff {
            println!("  -> MQA: {}; buying group {:?}", h.reason, h.buying_group);
        } else if let Some(why) = &d.disqualified {
            println!("  -> disqualified: {} ({})", why.reason, why.rule);
        } else if let Some(gap) = &d.why_not_yet {
            println!("  -> not yet: {}", gap.missing.join("; "));
        }
    }
    let unassigned: Vec<&str> = grouping.unassigned.iter().map(|l| l.id.as_str()).collect();
    println!("no account (free mail or no domain): {unassigned:?}");
    Ok(())
}

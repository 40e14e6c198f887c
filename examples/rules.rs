//! Tools for rule writers: check a pack, run its tests, preview a change.
//!
//! ```text
//! cargo run --example rules -- check packs/b2b-bant       # every problem and warning, with positions
//! cargo run --example rules -- test packs/b2b-bant        # the pack's [[tests]], and rule coverage
//! cargo run --example rules -- diff packs/b2b-bant my-pack [--leads FILE] [--as-of RFC3339] [--param NAME=VALUE]... [--outcomes FILE]
//! cargo run --example rules -- definitions > leadgate.d.rhai   # for editors
//! ```
//!
//! `diff` decides the same leads (the shipped sample leads unless `--leads`)
//! with both packs and reports what the second one changes: handoffs,
//! stages, criteria, grades, temperatures, disqualifications, score moves,
//! and the contributions behind each change; `--param` overrides apply to
//! the second pack. `--outcomes FILE` reads what became of the leads, one
//! `lead_id,outcome` line each (`converted`, `not_converted` or `unknown`;
//! a `lead_id,outcome` header line is allowed; leads not listed are
//! unknown), and adds what the second pack would have done to them. Exit
//! code: 0 when all is well, 1 when checks or tests fail, 2 for bad options.

use std::collections::HashMap;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use leadgate::calibration::Outcome;
use leadgate::{Lead, Pack, Qualifier};

const SAMPLE_LEADS: &str = include_str!("data/leads.ndjson");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") if args.len() == 2 => check(&args[1]),
        Some("test") if args.len() == 2 => test(&args[1]),
        Some("diff") if args.len() >= 3 => diff(&args[1], &args[2], &args[3..]),
        Some("definitions") if args.len() == 1 => {
            print!("{}", leadgate::authoring::editor_definitions());
            Ok(true)
        }
        _ => Err("usage: rules check PATH | rules test PATH | rules diff OLD NEW [--leads FILE] [--as-of RFC3339] [--param NAME=VALUE]... [--outcomes FILE] | rules definitions".into()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn load(path: &str) -> Result<Pack, String> {
    Pack::load(path).map_err(|e| format!("{path}: the pack cannot be loaded:\n{e}"))
}

fn check(path: &str) -> Result<bool, String> {
    let pack = load(path)?;
    match Qualifier::new(&pack) {
        Ok(q) => {
            for w in q.warnings() {
                println!("warning: {w}");
            }
            println!(
                "{} {}: {} rules, {} tests, no errors",
                pack.name(),
                pack.version(),
                pack.rules().count(),
                pack_tests(&pack)
            );
            Ok(true)
        }
        Err(e) => {
            println!("{e}");
            println!("{} problem(s)", e.problems().len());
            Ok(false)
        }
    }
}

fn pack_tests(pack: &Pack) -> usize {
    pack.run_tests().map_or(0, |r| r.cases().len())
}

fn test(path: &str) -> Result<bool, String> {
    let pack = load(path)?;
    let report = match pack.run_tests() {
        Ok(r) => r,
        Err(e) => {
            println!("{e}");
            return Ok(false);
        }
    };
    println!("{report}");
    for case in report.cases().iter().filter(|c| !c.passed()) {
        let Some(d) = &case.decision else { continue };
        println!("\n{}: the decision in full", case.name);
        println!(
            "  score {} (fit {}, engagement {}, negative {}), stage {}",
            d.score, d.fit, d.engagement, d.negative, d.stage
        );
        for c in &d.contributions {
            println!("  {:>+5}  {:<10} {:<11} {}", c.points, c.category.as_str(), c.rule, c.reason);
        }
        for (name, c) in d.criteria.iter() {
            println!("  {:<18} {:<8} {}", name, c.status.as_str(), c.evidence.as_deref().unwrap_or(""));
        }
        if let Some(h) = &d.handoff {
            println!("  handoff as {}: {}", h.stage, h.reason);
        }
    }
    Ok(report.passed())
}

fn diff(old: &str, new: &str, options: &[String]) -> Result<bool, String> {
    let mut leads_path = None;
    let mut outcomes_path: Option<String> = None;
    let mut as_of: DateTime<Utc> = std::time::SystemTime::now().into();
    let mut params = Vec::new();
    let mut it = options.iter();
    while let Some(option) = it.next() {
        let value = it.next().ok_or_else(|| format!("{option} needs a value"))?;
        match option.as_str() {
            "--leads" => leads_path = Some(value.clone()),
            "--outcomes" => outcomes_path = Some(value.clone()),
            "--as-of" => {
                as_of = DateTime::parse_from_rfc3339(value)
                    .map_err(|e| format!("--as-of {value:?}: {e}"))?
                    .with_timezone(&Utc)
            }
            "--param" => params.push(
                value.split_once('=').ok_or_else(|| format!("--param {value:?}: expected NAME=VALUE"))?,
            ),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let outcomes = outcomes_path.as_deref().map(read_outcomes).transpose()?;
    let live = Qualifier::new(&load(old)?).map_err(|e| format!("{old}:\n{e}"))?;
    let candidate_pack = load(new)?;
    let mut builder = Qualifier::builder(&candidate_pack);
    for (name, value) in params {
        builder = builder.param_str(name, value);
    }
    let candidate = builder.build().map_err(|e| format!("{new}:\n{e}"))?;
    let text = match &leads_path {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?,
        None => SAMPLE_LEADS.to_owned(),
    };
    let mut leads: Vec<Lead> = Vec::new();
    for record in leadgate::read_leads(&text) {
        match record {
            Ok(record) => leads.push(record.lead),
            Err(e) => eprintln!("skipped: {e}"),
        }
    }
    println!("as of {}", as_of.to_rfc3339());
    let report = match outcomes {
        Some(outcomes) => {
            let outcome = |lead: &Lead| outcomes.get(lead.id.as_str()).copied().unwrap_or(Outcome::Unknown);
            leadgate::authoring::shadow_compare_with_outcomes(&live, &candidate, &leads, as_of, outcome)
        }
        None => leadgate::authoring::shadow_compare(&live, &candidate, &leads, as_of),
    };
    print!("{report}");
    Ok(true)
}

/// `lead_id,outcome` lines, with an optional header; every bad line is
/// reported, with its number.
fn read_outcomes(path: &str) -> Result<HashMap<String, Outcome>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut outcomes = HashMap::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.replace(' ', "") == "lead_id,outcome") {
            continue;
        }
        let parsed = match line.rsplit_once(',').map(|(id, o)| (id.trim(), o.trim())) {
            Some((id, outcome)) if !id.is_empty() => match outcome.parse::<Outcome>() {
                Ok(o) if outcomes.insert(id.to_owned(), o).is_none() => Ok(()),
                Ok(_) => Err(format!("lead {id:?} is listed twice")),
                Err(e) => Err(e.to_string()),
            },
            _ => Err(format!("expected lead_id,outcome, got {line:?}")),
        };
        if let Err(e) = parsed {
            bad.push(format!("{path}:{}: {e}", i + 1));
        }
    }
    if bad.is_empty() { Ok(outcomes) } else { Err(bad.join("\n")) }
}

//! Qualifies leads with a rule pack and prints the decisions.
//!
//! ```text
//! cargo run --example qualify                      # default pack, shipped sample leads, as of now
//! cargo run --example qualify -- --explain L-1004  # every point behind one decision
//! cargo run --example qualify -- --rules packs/meddic --leads my-leads.ndjson --format json
//! cat leads.ndjson | cargo run --example qualify -- --leads - --as-of 2026-11-23T00:00:00Z
//! ```
//!
//! Options:
//!   --rules PATH         a `.rhai` file, a `pack.toml` or a pack directory (default: the shipped b2b-bant pack)
//!   --leads PATH         NDJSON or a JSON array; `-` reads stdin (default: the shipped sample leads)
//!   --as-of TIME         RFC 3339 time to decide as of (default: now)
//!   --param NAME=VALUE   override a pack parameter (repeatable)
//!   --format table|json  a readable table (default) or one JSON decision per line
//!   --explain ID         after the table, every contribution behind lead ID's decision
//!
//! With `--format json`, a lead that cannot be read or evaluated gets the line
//! `{"line": N, "lead_id": ..., "error": "..."}`, and the others go on. The exit
//! code is 1 if any lead failed, 2 for bad options or a bad pack.

use std::io::{self, BufReader, Write};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use leadgate::{CriterionStatus, Decision, Pack, Qualifier};

const SAMPLE_LEADS: &str = include_str!("data/leads.ndjson");

struct Options {
    rules: Option<String>,
    leads: Option<String>,
    as_of: DateTime<Utc>,
    params: Vec<(String, String)>,
    json: bool,
    explain: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        rules: None,
        leads: None,
        as_of: DateTime::<Utc>::from(std::time::SystemTime::now()),
        params: Vec::new(),
        json: false,
        explain: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--rules" => o.rules = Some(value("--rules")?),
            "--leads" => o.leads = Some(value("--leads")?),
            "--as-of" => {
                let v = value("--as-of")?;
                o.as_of = DateTime::parse_from_rfc3339(&v)
                    .map_err(|e| format!("--as-of {v:?}: not an RFC 3339 time ({e})"))?
                    .with_timezone(&Utc);
            }
            "--param" => {
                let v = value("--param")?;
                let (name, val) =
                    v.split_once('=').ok_or_else(|| format!("--param {v:?}: expected NAME=VALUE"))?;
                o.params.push((name.trim().to_owned(), val.to_owned()));
            }
            "--format" => match value("--format")?.as_str() {
                "table" => o.json = false,
                "json" => o.json = true,
                other => return Err(format!("--format {other:?}: expected table or json")),
            },
            "--explain" => o.explain = Some(value("--explain")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!(
                "usage: qualify [--rules PATH] [--leads PATH|-] [--as-of RFC3339] [--param NAME=VALUE]... [--format table|json] [--explain ID]"
            );
            return ExitCode::from(2);
        }
    };
    let pack = match &options.rules {
        Some(path) => Pack::load(path),
        None => Ok(Pack::b2b_bant()),
    };
    let qualifier = pack.and_then(|pack| {
        let mut builder = Qualifier::builder(&pack);
        for (name, value) in &options.params {
            builder = builder.param_str(name, value);
        }
        builder.build()
    });
    let qualifier = match qualifier {
        Ok(q) => q,
        Err(e) => {
            eprintln!("error: the rule pack cannot be used:\n{e}");
            return ExitCode::from(2);
        }
    };

    for warning in qualifier.warnings() {
        eprintln!("warning: {warning}");
    }

    let records: Box<dyn Iterator<Item = _>> = match options.leads.as_deref() {
        None => Box::new(leadgate::read_leads(SAMPLE_LEADS).collect::<Vec<_>>().into_iter()),
        Some("-") => Box::new(leadgate::read_leads_from(io::stdin().lock())),
        Some(path) => match std::fs::File::open(path) {
            Ok(f) => Box::new(leadgate::read_leads_from(BufReader::new(f))),
            Err(e) => {
                eprintln!("error: cannot open {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = if options.json {
        write_json(&mut out, &qualifier, records, options.as_of)
    } else {
        write_table(&mut out, &qualifier, records, &options)
    };
    match result.and_then(|failed| out.flush().map(|()| failed)) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The line written for a lead that failed, fields in the documented order.
#[derive(serde::Serialize)]
struct Failure {
    line: Option<usize>,
    lead_id: Option<String>,
    error: String,
}

type Records<'a> = Box<dyn Iterator<Item = Result<leadgate::lead::Record, leadgate::InputError>> + 'a>;

/// One decision per line; one error object per failed lead. Returns the number of failures.
fn write_json(
    out: &mut impl Write,
    q: &Qualifier,
    records: Records,
    as_of: DateTime<Utc>,
) -> io::Result<usize> {
    let mut failed = 0;
    for record in records {
        let outcome = record.map_err(|e| (e.line(), e.lead_id().map(str::to_owned), e.to_string())).and_then(
            |leadgate::lead::Record { line, lead, .. }| {
                q.evaluate(&lead, as_of)
                    .map_err(|e| (Some(line), Some(e.lead_id().to_owned()), e.to_string()))
            },
        );
        match outcome {
            Ok(decision) => serde_json::to_writer(&mut *out, &decision)?,
            Err((line, lead_id, error)) => {
                failed += 1;
                serde_json::to_writer(&mut *out, &Failure { line, lead_id, error })?
            }
        }
        out.write_all(b"\n")?;
    }
    Ok(failed)
}

fn write_table(out: &mut impl Write, q: &Qualifier, records: Records, o: &Options) -> io::Result<usize> {
    let pack = q.pack();
    writeln!(
        out,
        "pack {} {} ({}…), as of {}",
        pack.name,
        pack.version,
        &pack.hash[..12],
        o.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<10} {:>5} {:>4} {:>4} {:>4}  {:<5} {:<4}  {:<12} {:<12} handoff / why not yet",
        "lead", "score", "fit", "eng", "neg", "grade", "temp", "criteria", "stage"
    )?;
    let (mut failed, mut handed_off, mut total, mut explained) = (0, 0, 0, None);
    for record in records {
        total += 1;
        let leadgate::lead::Record { line, lead, .. } = match record {
            Ok(r) => r,
            Err(e) => {
                failed += 1;
                writeln!(out, "{:<10} error: {e}", e.lead_id().unwrap_or("?"))?;
                continue;
            }
        };
        let d = match q.evaluate(&lead, o.as_of) {
            Ok(d) => d,
            Err(e) => {
                failed += 1;
                writeln!(out, "{:<10} error (line {line}): {e}", lead.id)?;
                continue;
            }
        };
        handed_off += usize::from(d.handoff.is_some());
        writeln!(
            out,
            "{:<10} {:>5} {:>4} {:>4} {:>4}  {:<5} {:<4}  {:<12} {:<12} {}",
            d.lead_id,
            d.score,
            d.fit,
            d.engagement,
            d.negative,
            d.grade.map_or("-", |g| g.as_str()),
            d.temperature.map_or("-", |t| t.as_str()),
            bant(&d),
            d.stage.as_str(),
            verdict(&d)
        )?;
        if o.explain.as_deref() == Some(lead.id.as_str()) {
            explained = Some(d);
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{total} leads: {handed_off} handed to sales, {failed} failed. BANT: ✓ met, ✗ not met, ? unknown."
    )?;
    if let Some(d) = explained {
        explain(out, &d)?;
    } else if let Some(id) = &o.explain {
        writeln!(out, "no decision for lead {id:?} to explain")?;
    }
    Ok(failed)
}

/// `B✓ A? N✗ T?`: the first letter of each criterion and its status.
fn bant(d: &Decision) -> String {
    d.criteria
        .iter()
        .map(|(name, c)| {
            let mark = match c.status {
                CriterionStatus::Met => '✓',
                CriterionStatus::NotMet => '✗',
                _ => '?',
            };
            format!("{}{mark}", name.chars().next().unwrap_or('?').to_ascii_uppercase())
        })
        .collect::<Vec<_>>()
        .join("")
}

fn verdict(d: &Decision) -> String {
    if let Some(dq) = &d.disqualified {
        return format!("disqualified: {}", dq.reason);
    }
    if let Some(h) = &d.handoff {
        return format!("→ sales as {}: {}", h.stage, h.reason);
    }
    match &d.why_not_yet {
        Some(w) => {
            let mut parts = Vec::new();
            if let Some(held) = &w.held {
                parts.push(format!("held: {}", held.reason));
            }
            match w.points_needed {
                Some(n) if n > 0 => parts.push(format!("needs {n} more points")),
                _ => {}
            }
            if !w.unmet.is_empty() {
                parts.push(format!("unmet: {}", join(&w.unmet)));
            }
            if !w.unknown.is_empty() {
                parts.push(format!("ask about: {}", join(&w.unknown)));
            }
            format!("not yet: {}", parts.join("; "))
        }
        None if d.stage == leadgate::Stage::Disqualified => "disqualified earlier".to_owned(),
        None => format!("with sales already ({})", d.stage),
    }
}

fn join(names: &[leadgate::Text]) -> String {
    names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
}

fn explain(out: &mut impl Write, d: &Decision) -> io::Result<()> {
    writeln!(
        out,
        "\nwhy {} scored {} (fit {}, engagement {}, negative {}):",
        d.lead_id, d.score, d.fit, d.engagement, d.negative
    )?;
    for c in &d.contributions {
        writeln!(out, "  {:>+5}  {:<10} {:<11} {}", c.points, c.category.as_str(), c.rule, c.reason)?;
    }
    writeln!(out, "criteria:")?;
    for (name, c) in d.criteria.iter() {
        writeln!(out, "  {:<18} {:<8} {}", name, c.status.as_str(), c.evidence.as_deref().unwrap_or(""))?;
    }
    writeln!(out, "rules fired: {}", join(&d.fired))?;
    if let Some(rule) = &d.stopped_by {
        writeln!(out, "stopped by rule {rule}")?;
    }
    Ok(())
}

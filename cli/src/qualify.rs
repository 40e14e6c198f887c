//! `leadgate qualify`: decide leads as they arrive and write each decision
//! at once.

use std::cell::RefCell;
use std::io::{self, BufWriter, Write};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use clap::Args;
use leadgate::{CriterionStatus, Decision, Pack, Qualifier};

use crate::input::{Failed, LeadArgs};
use crate::style::Style;
use crate::{Error, Format, Outcome, PackArgs};

/// Decides leads with a rule pack, writing each decision as soon as it is made.
///
/// Decisions are written as soon as each lead is decided, so a stream
/// (`tail -f leads.ndjson | leadgate qualify --format json`) is answered
/// lead by lead and memory stays flat however long the input. A lead that
/// cannot be read or decided is reported in its place, and the others go on.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate qualify                                  the shipped pack on the shipped sample leads
  leadgate qualify --as-of 2026-11-23 --explain L-1004
  leadgate qualify leads.ndjson --rules packs/meddic --format json > decisions.ndjson
  leadgate qualify --param mql_threshold=70 --format csv leads.ndjson
  tail -f leads.ndjson | leadgate qualify --format json
  leadgate qualify --leads contacts.csv --mapping hubspot-contacts --activities activities.csv
  leadgate qualify --accounts examples/data/accounts.ndjson --explain brightlane.io

Exit codes: 0 every lead decided; 1 some leads failed (each is reported); 2 a usage, file or pack error.")]
pub struct QualifyArgs {
    #[command(flatten)]
    leads: LeadArgs,
    #[command(flatten)]
    pack: PackArgs,
    /// The time to decide as of: RFC 3339 or a date [default: now].
    #[arg(long, value_name = "TIME", value_parser = crate::parse_time)]
    as_of: Option<DateTime<Utc>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// After the table, every point, criterion and rule behind this lead's
    /// decision (with --accounts, this account's).
    #[arg(long, value_name = "ID")]
    explain: Option<String>,
    /// Decide accounts instead of leads: the leads grouped by account id,
    /// else company domain (free mail forms no account), each account
    /// decided by the pack's account section. Reads the whole input first.
    #[arg(long)]
    accounts: bool,
}

/// Standard output, shared with the input's wait hook so that it can be
/// flushed before the input blocks.
type Shared = Rc<RefCell<BufWriter<io::Stdout>>>;

pub fn run(args: QualifyArgs) -> Result<Outcome, Error> {
    let (pack, qualifier) = args.pack.qualifier()?;
    let err = Style::stderr();
    for warning in qualifier.warnings() {
        err.warning(&warning.to_string());
    }
    let as_of = args.as_of.unwrap_or_else(Utc::now);
    let out: Shared = Rc::new(RefCell::new(BufWriter::with_capacity(64 * 1024, io::stdout())));
    let flush = out.clone();
    // A failed flush resurfaces on the next write, where it is handled.
    let before_wait = Rc::new(move || drop(flush.borrow_mut().flush()));
    let progress = crate::input::progress_bar(args.leads.total_file_bytes());
    let opened = args.leads.open(progress.as_ref(), Some(before_wait))?;

    if args.accounts {
        let (leads, failures) = crate::accounts::read(opened.items);
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        let written = (|| -> io::Result<(usize, bool)> {
            let out = &mut *out.borrow_mut();
            let (failed, missed) = crate::accounts::write(
                out,
                &leads,
                &failures,
                &qualifier,
                as_of,
                args.format,
                args.explain.as_deref(),
            )?;
            out.flush()?;
            Ok((failed + opened.failed_activities, missed))
        })();
        return match written {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Outcome::Success),
            Err(e) => Err(Error::Io(format!("cannot write the decisions: {e}"))),
            Ok((failed, missed)) if failed > 0 || missed => Ok(Outcome::Failures),
            Ok(_) => Ok(Outcome::Success),
        };
    }
    let mut writer: Box<dyn Sink> = match args.format {
        Format::Json => Box::new(JsonSink::default()),
        Format::Csv => Box::new(CsvSink::new(&pack)),
        Format::Table => Box::new(TableSink::new(Style::stdout(), args.explain.clone())),
    };
    let mut failed = opened.failed_activities;
    let written = (|| -> io::Result<()> {
        writer.start(&mut *out.borrow_mut(), &qualifier, as_of)?;
        for item in opened.items {
            let result = item.and_then(|item| {
                qualifier.evaluate(&item.lead, as_of).map_err(|e| Failed {
                    line: Some(item.line),
                    lead_id: Some(e.lead_id().to_owned()),
                    error: e.to_string(),
                })
            });
            let out = &mut *out.borrow_mut();
            match result {
                Ok(decision) => writer.decision(out, &decision)?,
                Err(failure) => {
                    failed += 1;
                    writer.failure(out, &failure)?;
                }
            }
        }
        writer.finish(&mut *out.borrow_mut())?;
        out.borrow_mut().flush()
    })();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    match written {
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Outcome::Success),
        Err(e) => Err(Error::Io(format!("cannot write the decisions: {e}"))),
        Ok(()) if failed > 0 || writer.missed() => Ok(Outcome::Failures),
        Ok(()) => Ok(Outcome::Success),
    }
}

/// One output format.
trait Sink {
    fn start(&mut self, _out: &mut dyn Write, _q: &Qualifier, _as_of: DateTime<Utc>) -> io::Result<()> {
        Ok(())
    }
    fn decision(&mut self, out: &mut dyn Write, d: &Decision) -> io::Result<()>;
    fn failure(&mut self, out: &mut dyn Write, f: &Failed) -> io::Result<()>;
    fn finish(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// Whether something asked for was not there (the lead to explain).
    fn missed(&self) -> bool {
        false
    }
}

/// NDJSON: the decision JSON per lead; `{"line", "lead_id", "error"}` for a
/// lead that failed, each line made whole in a buffer (see [`crate::json`]).
#[derive(Default)]
struct JsonSink(crate::json::Lines);

impl Sink for JsonSink {
    fn decision(&mut self, out: &mut dyn Write, d: &Decision) -> io::Result<()> {
        self.0.write(out, d)
    }

    fn failure(&mut self, out: &mut dyn Write, f: &Failed) -> io::Result<()> {
        self.0.write(out, f)
    }
}

/// CSV: the headline numbers, one column per criterion, the handoff or why
/// not yet; failed leads have only `line`, `lead_id` and `error`.
struct CsvSink {
    criteria: Vec<String>,
    row: Vec<String>,
}

impl CsvSink {
    fn new(pack: &Pack) -> CsvSink {
        CsvSink { criteria: pack.criteria().iter().map(|c| c.to_string()).collect(), row: Vec::new() }
    }

    /// Writes the row as one CSV record and clears it.
    fn write_row(&mut self, out: &mut dyn Write) -> io::Result<()> {
        csv_record(out, &self.row)?;
        self.row.clear();
        Ok(())
    }
}

/// Writes `fields` as one CSV record (RFC 4180 quoting). Written by hand,
/// not with a `csv::Writer`, whose own buffer would hold a decision back
/// until it fills.
pub fn csv_record(out: &mut dyn Write, fields: &[String]) -> io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if field.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", field.replace('"', "\"\""))?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

const CSV_COLUMNS: [&str; 14] = [
    "line",
    "lead_id",
    "score",
    "fit",
    "engagement",
    "negative",
    "grade",
    "temperature",
    "stage",
    "handoff_stage",
    "handoff_reason",
    "disqualified",
    "why_not_yet",
    "error",
];

impl Sink for CsvSink {
    fn start(&mut self, out: &mut dyn Write, _q: &Qualifier, _as_of: DateTime<Utc>) -> io::Result<()> {
        self.row.extend(CSV_COLUMNS.iter().map(|c| c.to_string()));
        self.row.extend(self.criteria.clone());
        self.write_row(out)
    }

    fn decision(&mut self, out: &mut dyn Write, d: &Decision) -> io::Result<()> {
        let opt = |s: Option<&str>| s.unwrap_or("").to_owned();
        self.row.extend([
            String::new(),
            d.lead_id.to_string(),
            d.score.to_string(),
            d.fit.to_string(),
            d.engagement.to_string(),
            d.negative.to_string(),
            opt(d.grade.map(|g| g.as_str())),
            opt(d.temperature.map(|t| t.as_str())),
            d.stage.to_string(),
            opt(d.handoff.as_ref().map(|h| h.stage.as_str())),
            opt(d.handoff.as_ref().map(|h| h.reason.as_str())),
            opt(d.disqualified.as_ref().map(|q| q.reason.as_str())),
            if d.handoff.is_none() { not_yet(d) } else { String::new() },
            String::new(),
        ]);
        for name in &self.criteria {
            let status = d.criteria.iter().find(|(n, _)| n == name).map(|(_, c)| c.status.as_str());
            self.row.push(opt(status));
        }
        self.write_row(out)
    }

    fn failure(&mut self, out: &mut dyn Write, f: &Failed) -> io::Result<()> {
        self.row.push(f.line.map_or(String::new(), |l| l.to_string()));
        self.row.push(f.lead_id.clone().unwrap_or_default());
        self.row.extend((2..CSV_COLUMNS.len() - 1).map(|_| String::new()));
        self.row.push(f.error.clone());
        self.row.extend(self.criteria.iter().map(|_| String::new()));
        self.write_row(out)
    }
}

/// A readable table, and the explanation of one lead at the end.
struct TableSink {
    style: Style,
    explain: Option<String>,
    explained: Option<Decision>,
    total: usize,
    handed_off: usize,
    failed: usize,
}

impl TableSink {
    fn new(style: Style, explain: Option<String>) -> TableSink {
        TableSink { style, explain, explained: None, total: 0, handed_off: 0, failed: 0 }
    }
}

impl Sink for TableSink {
    fn start(&mut self, out: &mut dyn Write, q: &Qualifier, as_of: DateTime<Utc>) -> io::Result<()> {
        let pack = q.pack();
        writeln!(
            out,
            "pack {} {} ({}…), as of {}\n",
            pack.name,
            pack.version,
            &pack.hash[..12],
            as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )?;
        let header = format!(
            "{:<10} {:>5} {:>4} {:>4} {:>4}  {:<5} {:<4}  {:<12} {:<12} handoff / why not yet",
            "lead", "score", "fit", "eng", "neg", "grade", "temp", "criteria", "stage"
        );
        writeln!(out, "{}", self.style.bold(&header))
    }

    fn decision(&mut self, out: &mut dyn Write, d: &Decision) -> io::Result<()> {
        self.total += 1;
        self.handed_off += usize::from(d.handoff.is_some());
        let verdict = if let Some(q) = &d.disqualified {
            self.style.red(&format!("disqualified: {}", q.reason))
        } else if let Some(h) = &d.handoff {
            self.style.green(&format!("→ sales as {}: {}", h.stage, h.reason))
        } else if d.why_not_yet.is_some() {
            format!("not yet: {}", not_yet(d))
        } else if d.stage == leadgate::Stage::Disqualified {
            "disqualified earlier".to_owned()
        } else {
            format!("with sales already ({})", d.stage)
        };
        writeln!(
            out,
            "{:<10} {:>5} {:>4} {:>4} {:>4}  {:<5} {:<4}  {:<12} {:<12} {verdict}",
            d.lead_id,
            d.score,
            d.fit,
            d.engagement,
            d.negative,
            d.grade.map_or("-", |g| g.as_str()),
            d.temperature.map_or("-", |t| t.as_str()),
            criteria_marks(d),
            d.stage.as_str(),
        )?;
        if self.explain.as_deref() == Some(d.lead_id.as_str()) {
            self.explained = Some(d.clone());
        }
        Ok(())
    }

    fn failure(&mut self, out: &mut dyn Write, f: &Failed) -> io::Result<()> {
        self.total += 1;
        self.failed += 1;
        // The error names its line.
        let id = f.lead_id.as_deref().unwrap_or("?");
        writeln!(out, "{id:<10} {} {}", self.style.red("error:"), f.error)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "\n{}: {} handed to sales, {} failed. Criteria: ✓ met, ✗ not met, ? unknown.",
            crate::count(self.total, "lead"),
            self.handed_off,
            self.failed
        )?;
        match (&self.explained, &self.explain) {
            (Some(d), _) => explain(out, d),
            (None, Some(id)) => writeln!(out, "no decision for lead {id:?} to explain"),
            (None, None) => Ok(()),
        }
    }

    fn missed(&self) -> bool {
        self.explain.is_some() && self.explained.is_none()
    }
}

/// `B✓ A? N✗ T?`: the first letter of each criterion and its status.
fn criteria_marks(d: &Decision) -> String {
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
        .collect()
}

/// What keeps a lead from sales: a hold, points, unmet and unknown criteria.
fn not_yet(d: &Decision) -> String {
    let Some(w) = &d.why_not_yet else { return String::new() };
    let mut parts = Vec::new();
    if let Some(held) = &w.held {
        parts.push(format!("held: {}", held.reason));
    }
    if let Some(n) = w.points_needed.filter(|&n| n > 0) {
        parts.push(format!("needs {n} more points"));
    }
    let join = |names: &[leadgate::Text]| names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
    if !w.unmet.is_empty() {
        parts.push(format!("unmet: {}", join(&w.unmet)));
    }
    if !w.unknown.is_empty() {
        parts.push(format!("ask about: {}", join(&w.unknown)));
    }
    parts.join("; ")
}

/// Every contribution, criterion and rule behind a decision.
pub fn explain(out: &mut dyn Write, d: &Decision) -> io::Result<()> {
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
        let line = format!("  {:<18} {:<8} {}", name, c.status.as_str(), c.evidence.as_deref().unwrap_or(""));
        writeln!(out, "{}", line.trim_end())?;
    }
    let fired: Vec<&str> = d.fired.iter().map(|r| r.as_str()).collect();
    writeln!(out, "rules fired: {}", fired.join(", "))?;
    if let Some(rule) = &d.stopped_by {
        writeln!(out, "stopped by rule {rule}")?;
    }
    Ok(())
}

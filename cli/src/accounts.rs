//! `leadgate qualify --accounts`: the leads grouped into accounts, each
//! account decided, in the same formats as leads.
//!
//! An account needs all of its contacts, so this mode reads the whole input
//! before it decides: memory grows with the input, unlike lead by lead.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use leadgate::account::{self, AccountDecision};
use leadgate::{Lead, Qualifier};
use serde::Serialize;

use crate::Format;
use crate::input::{Failed, Items};
use crate::qualify::csv_record;
use crate::style::Style;

/// An account that could not be decided, or a lead that could not be read.
#[derive(Serialize)]
struct AccountFailure<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(flatten)]
    failed: &'a Failed,
}

/// Every lead of the input, and the records that could not be read.
pub fn read(items: Items) -> (Vec<Lead>, Vec<Failed>) {
    let mut failures = Vec::new();
    let mut leads = Vec::new();
    for item in items {
        match item {
            Ok(item) => leads.push(item.lead),
            Err(f) => failures.push(f),
        }
    }
    (leads, failures)
}

/// Groups `leads` into accounts and writes each account's decision, after
/// the leads that could not be read. Returns how many failed, and whether
/// the account to explain was missing.
pub fn write(
    out: &mut dyn Write,
    leads: &[Lead],
    failures: &[Failed],
    qualifier: &Qualifier,
    as_of: DateTime<Utc>,
    format: Format,
    explain: Option<&str>,
) -> io::Result<(usize, bool)> {
    let grouping = account::group(leads);
    let mut sink: Box<dyn Sink> = match format {
        Format::Json => Box::new(JsonSink::default()),
        Format::Csv => Box::new(CsvSink),
        Format::Table => {
            Box::new(TableSink { style: Style::stdout(), explain, explained: None, handed_off: 0 })
        }
    };
    sink.start(out, qualifier, as_of)?;
    for failed in failures {
        sink.failure(out, None, failed)?;
    }
    let mut failed = failures.len();
    for account in &grouping.accounts {
        match qualifier.evaluate_account(account, as_of) {
            Ok(d) => sink.decision(out, &d)?,
            Err(e) => {
                failed += 1;
                let lead_id = (!e.lead_id().is_empty()).then(|| e.lead_id().to_owned());
                let failure = Failed { line: None, lead_id, error: e.to_string() };
                sink.failure(out, Some(account.key.as_str()), &failure)?;
            }
        }
    }
    sink.finish(out, grouping.accounts.len(), failed, grouping.unassigned.len())?;
    Ok((failed, sink.missed()))
}

trait Sink {
    fn start(&mut self, _out: &mut dyn Write, _q: &Qualifier, _as_of: DateTime<Utc>) -> io::Result<()> {
        Ok(())
    }
    fn decision(&mut self, out: &mut dyn Write, d: &AccountDecision) -> io::Result<()>;
    fn failure(&mut self, out: &mut dyn Write, account: Option<&str>, f: &Failed) -> io::Result<()>;
    fn finish(
        &mut self,
        _out: &mut dyn Write,
        _accounts: usize,
        _failed: usize,
        _unassigned: usize,
    ) -> io::Result<()> {
        Ok(())
    }
    fn missed(&self) -> bool {
        false
    }
}

/// NDJSON: the account decision JSON per account.
#[derive(Default)]
struct JsonSink(crate::json::Lines);

impl Sink for JsonSink {
    fn decision(&mut self, out: &mut dyn Write, d: &AccountDecision) -> io::Result<()> {
        self.0.write(out, d)
    }

    fn failure(&mut self, out: &mut dyn Write, account: Option<&str>, failed: &Failed) -> io::Result<()> {
        self.0.write(out, &AccountFailure { account, failed })
    }
}

const CSV_COLUMNS: [&str; 16] = [
    "account",
    "contacts",
    "engaged_contacts",
    "score",
    "fit",
    "engagement",
    "negative",
    "grade",
    "temperature",
    "mqa",
    "handoff_reason",
    "buying_group",
    "disqualified",
    "why_not_yet",
    "lead_id",
    "error",
];

/// CSV: one row per account; the buying group as ids separated by spaces.
struct CsvSink;

impl Sink for CsvSink {
    fn start(&mut self, out: &mut dyn Write, _q: &Qualifier, _as_of: DateTime<Utc>) -> io::Result<()> {
        csv_record(out, &CSV_COLUMNS.map(str::to_owned))
    }

    fn decision(&mut self, out: &mut dyn Write, d: &AccountDecision) -> io::Result<()> {
        let ids = |ids: &[leadgate::Text]| ids.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" ");
        csv_record(
            out,
            &[
                d.account.to_string(),
                d.contacts.len().to_string(),
                d.contacts.iter().filter(|c| c.engaged).count().to_string(),
                d.score.to_string(),
                d.fit.to_string(),
                d.engagement.to_string(),
                d.negative.to_string(),
                d.grade.map_or("", |g| g.as_str()).to_owned(),
                d.temperature.map_or("", |t| t.as_str()).to_owned(),
                d.handoff.is_some().to_string(),
                d.handoff.as_ref().map_or(String::new(), |h| h.reason.to_string()),
                d.handoff.as_ref().map_or(String::new(), |h| ids(&h.buying_group)),
                d.disqualified.as_ref().map_or(String::new(), |q| q.reason.to_string()),
                d.why_not_yet.as_ref().map_or(String::new(), |w| {
                    w.missing.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("; ")
                }),
                String::new(),
                String::new(),
            ],
        )
    }

    fn failure(&mut self, out: &mut dyn Write, account: Option<&str>, f: &Failed) -> io::Result<()> {
        let mut row = vec![String::new(); CSV_COLUMNS.len()];
        row[0] = account.unwrap_or("").to_owned();
        row[CSV_COLUMNS.len() - 2] = f.lead_id.clone().unwrap_or_default();
        row[CSV_COLUMNS.len() - 1] = f.error.clone();
        csv_record(out, &row)
    }
}

/// A readable table, and the explanation of one account at the end.
struct TableSink<'a> {
    style: Style,
    explain: Option<&'a str>,
    explained: Option<AccountDecision>,
    handed_off: usize,
}

impl Sink for TableSink<'_> {
    fn start(&mut self, out: &mut dyn Write, q: &Qualifier, as_of: DateTime<Utc>) -> io::Result<()> {
        let pack = q.pack();
        writeln!(
            out,
            "pack {} {} ({}…), accounts as of {}\n",
            pack.name,
            pack.version,
            &pack.hash[..12],
            as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )?;
        let header = format!(
            "{:<20} {:>8} {:>5} {:>4} {:>4} {:>4}  {:<5} {:<4}  MQA / why not yet",
            "account", "contacts", "score", "fit", "eng", "neg", "grade", "temp"
        );
        writeln!(out, "{}", self.style.bold(&header))
    }

    fn decision(&mut self, out: &mut dyn Write, d: &AccountDecision) -> io::Result<()> {
        self.handed_off += usize::from(d.handoff.is_some());
        let verdict = if let Some(q) = &d.disqualified {
            self.style.red(&format!("disqualified: {}", q.reason))
        } else if let Some(h) = &d.handoff {
            let group: Vec<&str> = h.buying_group.iter().map(|t| t.as_str()).collect();
            self.style.green(&format!("→ sales as MQA: {}; buying group {}", h.reason, group.join(", ")))
        } else {
            let missing: Vec<&str> =
                d.why_not_yet.iter().flat_map(|w| &w.missing).map(|t| t.as_str()).collect();
            format!("not yet: {}", missing.join("; "))
        };
        let engaged = d.contacts.iter().filter(|c| c.engaged).count();
        writeln!(
            out,
            "{:<20} {:>8} {:>5} {:>4} {:>4} {:>4}  {:<5} {:<4}  {verdict}",
            d.account.as_str(),
            format!("{engaged}/{}", d.contacts.len()),
            d.score,
            d.fit,
            d.engagement,
            d.negative,
            d.grade.map_or("-", |g| g.as_str()),
            d.temperature.map_or("-", |t| t.as_str()),
        )?;
        if self.explain == Some(d.account.as_str()) {
            self.explained = Some(d.clone());
        }
        Ok(())
    }

    fn failure(&mut self, out: &mut dyn Write, account: Option<&str>, f: &Failed) -> io::Result<()> {
        let who = account.or(f.lead_id.as_deref()).unwrap_or("?");
        writeln!(out, "{who:<20} {} {}", self.style.red("error:"), f.error)
    }

    fn finish(
        &mut self,
        out: &mut dyn Write,
        accounts: usize,
        failed: usize,
        unassigned: usize,
    ) -> io::Result<()> {
        writeln!(
            out,
            "\n{}: {} handed to sales as MQA, {} failed; {} without an account (free mail or no domain). \
             Contacts: engaged/all.",
            crate::count(accounts, "account"),
            self.handed_off,
            failed,
            crate::count(unassigned, "lead"),
        )?;
        match (&self.explained, self.explain) {
            (Some(d), _) => explain(out, d),
            (None, Some(id)) => writeln!(out, "no decision for account {id:?} to explain"),
            (None, None) => Ok(()),
        }
    }

    fn missed(&self) -> bool {
        self.explain.is_some() && self.explained.is_none()
    }
}

/// Every contribution down to the contact, the buying group and the gaps.
fn explain(out: &mut dyn Write, d: &AccountDecision) -> io::Result<()> {
    writeln!(
        out,
        "\nwhy {} scored {} (fit {}, engagement {}, negative {}):",
        d.account, d.score, d.fit, d.engagement, d.negative
    )?;
    for c in &d.contributions {
        let contact = c.contact.as_deref().unwrap_or("");
        writeln!(
            out,
            "  {:>+5}  {:<10} {:<14} {:<10} {}",
            c.points,
            c.category.as_str(),
            c.rule,
            contact,
            c.reason
        )?;
    }
    writeln!(out, "buying group:")?;
    for role in &d.buying_group {
        let ids = |ids: &[leadgate::Text]| ids.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
        let required = if role.required { " (required)" } else { "" };
        writeln!(
            out,
            "  {:<26} in role: {}; engaged: {}",
            format!("{}{required}", role.role),
            ids(&role.contacts),
            ids(&role.engaged)
        )?;
    }
    let fired: Vec<&str> = d.fired.iter().map(|r| r.as_str()).collect();
    writeln!(out, "rules fired: {}", fired.join(", "))
}

//! `leadgate calibrate`: decisions held against what became of the leads.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use clap::Args;
use leadgate::Decision;
use leadgate::calibration::{Calibration, Observation, Outcome as LeadOutcome, Rate, Signal};

use crate::{Error, Outcome, Report};

/// Holds decisions against outcomes: lifts, and precision per threshold.
///
/// Per rule, table row, reason and
/// criterion status, the win rate with its 95% interval, its lift over the
/// base rate and its risk ratio; per MQL threshold, precision and recall,
/// flagged where unknown outcomes make it unjudgeable (selection bias).
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate qualify leads.ndjson --as-of 2026-11-23 --format json > decisions.ndjson
  leadgate calibrate --decisions decisions.ndjson --outcomes outcomes.csv
  leadgate calibrate --decisions decisions.ndjson --outcomes outcomes.csv --format json

The outcomes file has `lead_id,outcome[,value]` lines: `converted`, `not_converted` or `unknown`,
and optionally the deal's value; a header line is allowed; a lead not listed is unknown.

Exit codes: 0 the report ran; 2 a usage or file error.")]
pub struct CalibrateArgs {
    /// Decisions, one JSON object per line, as `leadgate qualify --format json` writes them
    /// (its error lines are skipped).
    #[arg(long, value_name = "FILE")]
    decisions: PathBuf,
    /// What became of the leads: `lead_id,outcome[,value]` lines.
    #[arg(long, value_name = "FILE")]
    outcomes: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Report::Table)]
    format: Report,
}

/// The longest decision line read: a decision is bounded by its pack's
/// limits, far below this.
const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

pub fn run(args: CalibrateArgs) -> Result<Outcome, Error> {
    let outcomes = crate::pack_tools::read_outcomes(&args.outcomes)?;
    let file = std::fs::File::open(&args.decisions)
        .map_err(|e| Error::Io(format!("{}: {e}", args.decisions.display())))?;
    let mut observed = Vec::new();
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    for i in 0.. {
        line.clear();
        // Bounded, so one endless line cannot take all the memory.
        let read = (&mut reader)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::Io(format!("{}: {e}", args.decisions.display())))?;
        if read == 0 {
            break;
        }
        if line.len() as u64 > MAX_LINE_BYTES {
            return Err(Error::Usage(format!(
                "{}:{}: a line longer than {MAX_LINE_BYTES} bytes is no decision",
                args.decisions.display(),
                i + 1
            )));
        }
        if line.trim_ascii().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_slice(&line)
            .map_err(|e| Error::Usage(format!("{}:{}: {e}", args.decisions.display(), i + 1)))?;
        if value.get("error").is_some() {
            continue; // a lead `qualify` could not decide
        }
        let decision: Decision = serde_json::from_value(value).map_err(|e| {
            Error::Usage(format!("{}:{}: not a decision: {e}", args.decisions.display(), i + 1))
        })?;
        let (outcome, deal) =
            outcomes.get(decision.lead_id.as_str()).copied().unwrap_or((LeadOutcome::Unknown, None));
        let observation = Observation::new(decision, outcome);
        observed.push(match deal {
            Some(v) => observation
                .with_value(v)
                .map_err(|e| Error::Usage(format!("{}: {e}", args.outcomes.display())))?,
            None => observation,
        });
    }
    let calibration = Calibration::of(&observed);
    match args.format {
        Report::Json => {
            let json = serde_json::to_string_pretty(&calibration).map_err(|e| Error::Io(e.to_string()))?;
            outln!("{json}");
        }
        Report::Table => {
            // Table rows are shown with the reason they give.
            let mut reasons = HashMap::new();
            for c in observed.iter().flat_map(|o| &o.decision.contributions) {
                if let Some(row) = c.row {
                    reasons.entry((c.rule.to_string(), row)).or_insert_with(|| c.reason.to_string());
                }
            }
            print_table(&calibration, &reasons)?
        }
    }
    Ok(Outcome::Success)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A rate and its interval: `17.6% [15.9%, 19.6%]`.
fn rate(r: &Rate) -> String {
    format!("{} [{}, {}]", r.rate.map_or("n/a".into(), pct), pct(r.low), pct(r.high))
}

fn print_table(c: &Calibration, reasons: &HashMap<(String, u32), String>) -> Result<(), Error> {
    outln!(
        "{} leads: {} with a known outcome, {} won, {} unknown; base win rate {}",
        c.leads,
        c.base.count,
        c.base.hits,
        c.unknown,
        rate(&c.base)
    );
    outln!(
        "\n{:<48} {:>6}  {:<24} {:>6} {:>10}",
        "signal",
        "leads",
        "win rate [95% interval]",
        "lift",
        "risk ratio"
    );
    let ratio = |r: Option<f64>| r.map_or("n/a".into(), |r| format!("{r:.2}"));
    for l in &c.lifts {
        outln!(
            "{:<48} {:>6}  {:<24} {:>6} {:>10}",
            match &l.signal {
                Signal::Row { rule, row } => match reasons.get(&(rule.to_string(), *row)) {
                    Some(reason) => format!("{} ({reason})", l.signal),
                    None => l.signal.to_string(),
                },
                other => other.to_string(),
            },
            l.when.count,
            rate(&l.when),
            ratio(l.lift),
            ratio(l.risk_ratio)
        );
    }
    outln!(
        "\n{:>9} {:>8}  {:<24} {:>7} {:>9}  flag",
        "threshold",
        "passing",
        "precision [95% interval]",
        "recall",
        "by value"
    );
    for p in c.sweep.iter().filter(|p| p.threshold % 10 == 0) {
        let line = format!(
            "{:>9} {:>8}  {:<24} {:>7} {:>9}  {}",
            p.threshold,
            p.passing,
            rate(&p.precision),
            p.recall.rate.map_or("n/a".into(), pct),
            p.value_precision.map_or("n/a".into(), pct),
            if p.selection_bias { format!("bias: {} unknown", p.unknown) } else { String::new() }
        );
        outln!("{}", line.trim_end());
    }
    let show = |t: Option<i64>| t.map_or("none".into(), |t| t.to_string());
    outln!(
        "\nsuggested MQL threshold: {} for 30% precision, {} to keep 80% of wins (judged thresholds only)",
        show(c.threshold_for_precision(0.3)),
        show(c.threshold_for_recall(0.8))
    );
    Ok(())
}

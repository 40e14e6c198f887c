//! `leadgate funnel`: the numbers both teams steer by, from leads and their
//! stage histories.

use chrono::{DateTime, Utc};
use clap::Args;
use leadgate::funnel::{self, Funnel, GroupBy};
use serde_json::json;

use crate::input::LeadArgs;
use crate::{Error, Outcome, Report};

/// Funnel numbers: conversion, time in stage, rejection reasons.
///
/// Conversion per stage, time in stage, MQL to first sales touch and the
/// reasons sales sent leads back, overall or by group, over all time or a
/// period.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate funnel leads.ndjson
  leadgate funnel leads.ndjson --by source
  leadgate funnel leads.ndjson --accounts             accounts reaching MQA, SAL, opportunity, won
  leadgate funnel leads.ndjson --by attribute:region --from 2026-11-01 --to 2026-12-01
  leadgate funnel leads.ndjson --from 2026-11-01 --to 2026-12-01 --entries --format json

Exit codes: 0 the report ran; 2 a usage or file error.")]
pub struct FunnelArgs {
    #[command(flatten)]
    leads: LeadArgs,
    /// Groups by `source`, `campaign`, `first-touch`, `account` or `attribute:NAME`.
    #[arg(long, value_name = "GROUP", value_parser = parse_group)]
    by: Option<GroupBy>,
    /// The period's start (with --to): leads created in it, followed as far as they went.
    #[arg(long, value_name = "TIME", value_parser = crate::parse_time, requires = "to")]
    from: Option<DateTime<Utc>>,
    /// The period's end, excluded.
    #[arg(long, value_name = "TIME", value_parser = crate::parse_time, requires = "from")]
    to: Option<DateTime<Utc>>,
    /// Counts the leads that reached each stage in the period, instead of the cohort created in it.
    #[arg(long, requires = "from")]
    entries: bool,
    /// Counts accounts instead of leads: an account reached a stage when one of its contacts did.
    #[arg(long, conflicts_with_all = ["by", "from", "to"])]
    accounts: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Report::Table)]
    format: Report,
}

fn parse_group(s: &str) -> Result<GroupBy, String> {
    match s {
        "source" => Ok(GroupBy::Source),
        "campaign" => Ok(GroupBy::Campaign),
        "first-touch" => Ok(GroupBy::FirstTouch),
        "account" => Ok(GroupBy::Account),
        _ => match s.strip_prefix("attribute:") {
            Some(name) if !name.is_empty() => Ok(GroupBy::Attribute(name.to_owned())),
            _ => Err(format!("expected source, campaign, first-touch, account or attribute:NAME, got {s:?}")),
        },
    }
}

pub fn run(args: FunnelArgs) -> Result<Outcome, Error> {
    let leads = crate::pack_tools::read_all(&args.leads)?;
    let one = |leads: &[leadgate::Lead]| match (args.from, args.to) {
        (Some(from), Some(to)) if args.entries => Funnel::entries(leads, from..to),
        (Some(from), Some(to)) => Funnel::cohort(leads, from..to),
        _ => Funnel::of(leads),
    };
    let by = args.by.clone().unwrap_or(GroupBy::Source);
    let groups: Vec<(String, Funnel)> = match &args.by {
        None if args.accounts => vec![("all accounts".to_owned(), Funnel::of_accounts(&leads))],
        None => vec![("all leads".to_owned(), one(&leads))],
        Some(by) => {
            let mut groups: std::collections::BTreeMap<String, Vec<leadgate::Lead>> = Default::default();
            for lead in &leads {
                groups.entry(by.key(lead)).or_default().push(lead.clone());
            }
            groups.into_iter().map(|(k, ls)| (k, one(&ls))).collect()
        }
    };
    let stays = funnel::time_in_stage(&leads);
    let first_touch = funnel::mql_to_first_sales_touch(&leads);
    let rejections = funnel::rejection_reasons(&leads, &by);
    match args.format {
        Report::Json => {
            let stays: serde_json::Map<String, serde_json::Value> =
                stays.iter().map(|(s, d)| (s.to_string(), json!(d))).collect();
            let report = json!({
                "leads": leads.len(),
                "funnels": groups.iter().map(|(k, f)| json!({"group": k, "funnel": f})).collect::<Vec<_>>(),
                "time_in_stage": stays,
                "mql_to_first_sales_touch": first_touch,
                "rejection_reasons": rejections,
            });
            outln!("{}", serde_json::to_string_pretty(&report).map_err(|e| Error::Io(e.to_string()))?);
        }
        Report::Table => {
            outln!("{}", crate::count(leads.len(), "lead"));
            for (group, f) in &groups {
                outln!("\n{group}");
                for s in &f.steps {
                    outln!(
                        "  {:<12} -> {:<12} {:>6} of {:>6}  {:>5.1}%",
                        s.from.as_str(),
                        s.to.as_str(),
                        s.converted,
                        s.reached,
                        s.rate * 100.0
                    );
                }
            }
            outln!("\ntime in stage (completed stays, days)");
            for (stage, d) in &stays {
                outln!(
                    "  {:<12} median {:>6.1}  p90 {:>6.1}  ({})",
                    stage.as_str(),
                    d.median_days,
                    d.p90_days,
                    crate::count(d.count, "stay")
                );
            }
            if let Some(d) = first_touch {
                outln!("  MQL to first sales touch: median {:.1}, p90 {:.1} days", d.median_days, d.p90_days);
            }
            outln!("\nwhy sales sent leads back");
            for (group, reasons) in &rejections {
                let mut reasons: Vec<_> = reasons.iter().collect();
                reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                let list: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
                outln!("  {group:<20} {}", list.join(", "));
            }
        }
    }
    Ok(Outcome::Success)
}

//! The closed loop on a simulated history: `cargo run --example funnel`.
//!
//! Generates 3,000 leads (seeded, so every run is the same), qualifies each
//! with the default pack a month after it arrived, hands the ready ones to
//! sales under an SLA policy on a New York business calendar, lets a
//! simulated sales team answer, and prints the numbers both teams steer by:
//! the funnel overall and by source, time in stage, SLA breaches by policy
//! rule, rejection reasons by campaign, how well the pack's rules and MQL
//! threshold predict wins (with 95% intervals, and with the selection bias
//! of a real history), and what a lower threshold would have done to the
//! leads whose outcome is known.

use chrono::{DateTime, Duration, Utc};
use leadgate::authoring::{Rates, shadow_compare_with_outcomes};
use leadgate::calibration::{Calibration, Observation, Outcome, Rate, Signal};
use leadgate::funnel::{Funnel, GroupBy, mql_to_first_sales_touch, rejection_reasons, time_in_stage};
use leadgate::workflow::{
    Calendar, HandoffRecord, Rejection, Sla, SlaPolicy, SlaRule, Workflow, sla_breaches,
};
use leadgate::{Channel, Lead, Pack, Qualifier, Seniority, Stage, Touchpoint};
use std::collections::HashMap;

/// xorshift64*: small, seeded, good enough for a simulation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const SOURCES: [&str; 6] = ["webinar", "paid_search", "organic", "referral", "event", "content"];
const CAMPAIGNS: [&str; 4] = ["q3-webinar-series", "q4-launch", "retargeting", "partner-program"];
const INDUSTRIES: [&str; 8] =
    ["software", "saas", "fintech", "healthcare", "retail", "education", "manufacturing", "media"];
const COUNTRIES: [&str; 6] = ["US", "GB", "DE", "FR", "BR", "IN"];
const CHANNELS: [Channel; 8] = [
    Channel::WebVisit,
    Channel::EmailOpen,
    Channel::EmailClick,
    Channel::ContentDownload,
    Channel::PricingPage,
    Channel::Webinar,
    Channel::AdClick,
    Channel::DemoRequest,
];

/// `lead` with every time moved by `by`.
fn moved(lead: &Lead, by: Duration) -> Lead {
    let mut lead = lead.clone();
    lead.created_at += by;
    lead.touchpoints.iter_mut().for_each(|t| t.at += by);
    lead
}

/// A lead and its hidden readiness to buy, which only the simulation knows.
fn generate(rng: &mut Rng, i: usize, start: DateTime<Utc>) -> (Lead, f64) {
    let created = start + Duration::hours((rng.next() % (60 * 24)) as i64);
    let mut lead = Lead::new(format!("S-{i:04}"), created);
    let source = *rng.pick(&SOURCES);
    lead.source = Some(source.into());
    lead.campaign = Some((*rng.pick(&CAMPAIGNS)).into());
    let industry = *rng.pick(&INDUSTRIES);
    lead.company.industry = Some(industry.into());
    lead.company.employees = Some(10u64 * (1 << (rng.next() % 9)));
    lead.company.country = Some((*rng.pick(&COUNTRIES)).into());
    let seniority = *rng.pick(Seniority::ALL);
    lead.person.seniority = Some(seniority);
    let domain = if rng.chance(0.15) { "gmail.com" } else { "example.com" };
    lead.person.email = Some(format!("person{i}@{domain}").into());
    // Readiness: fit and source matter, plus noise.
    let mut ready = rng.unit() * 0.5;
    ready += if ["software", "saas", "fintech"].contains(&industry) { 0.25 } else { 0.0 };
    ready +=
        if matches!(seniority, Seniority::CLevel | Seniority::Vp | Seniority::Director) { 0.15 } else { 0.0 };
    ready += if source == "referral" || source == "event" { 0.1 } else { 0.0 };
    if rng.chance(0.4) {
        let amount = if ready > 0.5 { 20_000.0 + rng.unit() * 80_000.0 } else { rng.unit() * 15_000.0 };
        lead.qualification.budget =
            serde_json::from_value(serde_json::json!({"amount": amount.round(), "currency": "USD"})).ok();
    }
    // Ready leads engage more, and more recently.
    let touches = (rng.unit() * 6.0 + ready * 18.0) as usize;
    for _ in 0..touches {
        let channel = if ready > 0.6 && rng.chance(0.15) {
            Channel::DemoRequest
        } else {
            rng.pick(&CHANNELS[..7]).clone()
        };
        let after = Duration::hours((rng.next() % (30 * 24)) as i64);
        lead.touchpoints.push(Touchpoint::new(created + after, channel));
    }
    (lead, ready.min(1.0))
}

fn pct(x: f64) -> String {
    format!("{:5.1}%", x * 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Rng(0x5EED_1EAD);
    let start: DateTime<Utc> = "2026-08-01T00:00:00Z".parse()?;
    let end: DateTime<Utc> = "2026-11-23T00:00:00Z".parse()?;
    let q = Qualifier::new(&Pack::b2b_bant())?;
    // The sales team works 9 to 5 in New York, Monday to Friday, and not on
    // US holidays. Referrals get an hour of its time, SQL-ready leads four,
    // other MQLs eight. (The default pack makes every MQL hot, so a rule on
    // temperature would not tell them apart here.)
    let calendar = Calendar::new("America/New_York")?
        .hours("09:00", "17:00")?
        .holidays("2026-09-07 Labor Day\n2026-10-12 Columbus Day\n2026-11-11 Veterans Day\n")?;
    let in_hours = |sla: Sla| sla.with_calendar(calendar.clone());
    let policy = SlaPolicy::new(in_hours(Sla::business_hours(8)))
        .rule(SlaRule::new("referral", in_hours(Sla::business_hours(1))).source("referral"))
        .rule(SlaRule::new("sql", in_hours(Sla::business_hours(4))).stage(Stage::Sql));
    let workflow = Workflow::new(policy);
    let (mut leads, mut handoffs, mut outcomes) = (Vec::new(), Vec::<HandoffRecord>::new(), Vec::new());
    // The leads as marketing decided them, for the preview at the end; each
    // is moved in time so that all are decided at `end`, exactly as they
    // were (decay depends only on ages).
    let mut as_decided = Vec::new();

    for i in 0..3000 {
        let (mut lead, ready) = generate(&mut rng, i, start);
        let decided_at = lead.created_at + Duration::days(30);
        let decision = q.evaluate(&lead, decided_at)?;
        as_decided.push(moved(&lead, end - decided_at));
        let mut won = false;
        if let Some(mut handoff) = workflow.hand_off(&mut lead, &decision, decided_at)? {
            // Sales picks referrals up within 3 hours, the others within
            // 40, nights and weekends included: the SLA clock runs only in
            // business hours, so a Friday-evening handoff is on time on Monday.
            let within = if lead.source.as_deref() == Some("referral") { 3 * 60 } else { 40 * 60 };
            let answered = decided_at + Duration::minutes((rng.next() % within) as i64);
            lead.touchpoints.push(Touchpoint::new(answered, Channel::Call));
            if rng.chance(0.3 + ready * 0.6) {
                workflow.accept(&mut lead, &mut handoff, answered)?;
                let t = |d: i64| answered + Duration::days(d);
                if rng.chance(0.4 + ready * 0.5) {
                    workflow.qualify(&mut lead, t(5), None)?;
                    lead.touchpoints.push(Touchpoint::new(t(6), Channel::Meeting));
                    if rng.chance(0.5 + ready * 0.3) {
                        workflow.open_opportunity(&mut lead, t(10))?;
                        if rng.chance(ready * 0.8) {
                            workflow.win(&mut lead, t(30 + (rng.next() % 30) as i64))?;
                            won = true;
                        } else {
                            workflow.lose(
                                &mut lead,
                                t(40),
                                *rng.pick(&[Rejection::NoBudget, Rejection::BadTiming, Rejection::Other]),
                                None,
                            )?;
                        }
                    }
                }
            } else {
                let reason = if lead.qualification.budget.as_ref().is_some_and(|b| b.amount() < 10_000.0) {
                    Rejection::NoBudget
                } else {
                    *rng.pick(Rejection::ALL)
                };
                workflow.reject(&mut lead, &mut handoff, answered, reason, None)?;
            }
            handoffs.push(handoff);
        }
        // Every lead's outcome, as only a simulation knows it: what sales made
        // of the leads it received, and what it would have made of the others
        // (drawn from a generator of their own, so the run above is unchanged).
        if decision.handoff.is_none() && decision.disqualified.is_none() {
            let mut what_if = Rng(0xD1CE ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let chance = (0.3 + ready * 0.6) * (0.4 + ready * 0.5) * (0.5 + ready * 0.3) * (ready * 0.8);
            won = what_if.chance(chance);
        }
        // The deal's value grows with the company.
        let value = 5_000.0 + 20.0 * lead.company.employees.unwrap_or(0) as f64;
        outcomes.push(Observation::new(decision, won).with_value(value)?);
        leads.push(lead);
    }

    println!(
        "Simulated closed loop: {} leads, {} handed to sales, default pack\n",
        leads.len(),
        handoffs.len()
    );
    println!("Funnel");
    for s in &Funnel::of(&leads).steps {
        println!(
            "  {:<12} -> {:<12} {:>5} of {:>5}  {}",
            s.from.as_str(),
            s.to.as_str(),
            s.converted,
            s.reached,
            pct(s.rate)
        );
    }

    println!("\nBy source              lead->MQL  MQL->SAL   won of MQL");
    for (source, f) in Funnel::grouped(&leads, &GroupBy::Source) {
        let mql = f.step(Stage::Lead).map_or(0.0, |s| s.rate);
        let sal = f.step(Stage::Mql).map_or(0.0, |s| s.rate);
        let mqls = f.step(Stage::Mql).map_or(0, |s| s.reached);
        let won = f.step(Stage::Opportunity).map_or(0, |s| s.converted);
        println!("  {source:<20} {}     {}     {won:>3} of {mqls}", pct(mql), pct(sal));
    }

    println!("\nTime in stage (completed stays, days)");
    for (stage, d) in time_in_stage(&leads) {
        println!(
            "  {:<12} median {:>6.1}  p90 {:>6.1}  ({} stays)",
            stage.as_str(),
            d.median_days,
            d.p90_days,
            d.count
        );
    }
    if let Some(d) = mql_to_first_sales_touch(&leads) {
        println!("  MQL to first sales touch: median {:.1}, p90 {:.1} days", d.median_days, d.p90_days);
    }
    println!("\nSLA breaches by policy rule (New York business hours: referral 1 h, SQL 4 h, others 8 h)");
    for (rule, b) in sla_breaches(&handoffs, end) {
        let rate = b.rate().map_or("n/a".into(), pct);
        println!("  {rule:<8} {:>4} of {:>4} answered late  {rate}", b.breached, b.settled);
    }

    println!("\nWhy sales sent leads back, by campaign");
    for (campaign, reasons) in rejection_reasons(&leads, &GroupBy::Campaign) {
        let mut reasons: Vec<_> = reasons.into_iter().collect();
        reasons.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let top: Vec<String> = reasons.iter().take(3).map(|(r, n)| format!("{r} {n}")).collect();
        println!("  {campaign:<20} {}", top.join(", "));
    }

    let calibration = Calibration::of(&outcomes);
    let base = &calibration.base;
    println!(
        "\nCalibration, every outcome known (only a simulation knows them): {} of {} leads won, {}",
        base.hits,
        base.count,
        short(base)
    );
    println!(
        "  signal                                      leads  win rate [95% interval]    lift  risk ratio"
    );
    // Table rows are shown with the reason they give.
    let reason = |rule: &str, row: u32| {
        outcomes
            .iter()
            .flat_map(|o| &o.decision.contributions)
            .find(|c| c.rule == rule && c.row == Some(row))
            .map_or(String::new(), |c| format!(" ({})", c.reason))
    };
    for l in &calibration.lifts {
        let name = match &l.signal {
            Signal::Rule { .. } | Signal::Criterion { .. } => l.signal.to_string(),
            Signal::Row { rule, row } if rule == "fit" => format!("{}{}", l.signal, reason(rule, *row)),
            _ => continue, // other rows, and reasons: in the JSON
        };
        let ratio = |r: Option<f64>| r.map_or("   n/a".into(), |r| format!("{r:6.2}"));
        println!(
            "  {name:<42} {:>6}  {}  {}  {}",
            l.when.count,
            rate(&l.when),
            ratio(l.lift),
            ratio(l.risk_ratio)
        );
    }
    let live = q.param("mql_threshold").map_or("?".into(), ToString::to_string);
    sweep(&calibration, &live);

    // As in real life: sales only judged the leads it was handed, so the
    // others' outcomes are unknown.
    let seen: Vec<Observation> = outcomes
        .iter()
        .cloned()
        .map(|mut o| {
            if o.decision.handoff.is_none() {
                o.outcome = Outcome::Unknown;
            }
            o
        })
        .collect();
    let real = Calibration::of(&seen);
    println!(
        "\nCalibration as in real life, outcomes only for the {} leads handed off: {} won, {}",
        real.base.count,
        real.base.hits,
        short(&real.base)
    );
    sweep(&real, &live);
    println!(
        "  bias: leads that would pass were never handed off, so their outcome is unknown; this\n  \
         history cannot judge thresholds below {live} (recall counts only the wins sales saw),\n  \
         and suggests only among those it can judge"
    );

    // A preview of a lower MQL threshold, judged against the outcomes. With
    // every outcome known it agrees with the sweep's lines at 60 and 50.
    let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 50).build()?;
    let all: HashMap<&str, Outcome> =
        outcomes.iter().map(|o| (o.decision.lead_id.as_str(), o.outcome)).collect();
    let known: HashMap<&str, Outcome> =
        seen.iter().map(|o| (o.decision.lead_id.as_str(), o.outcome)).collect();
    println!("\nPreview: MQL threshold 50 instead of {live}, on the same leads");
    for (name, outcome) in [("every outcome known", &all), ("as in real life", &known)] {
        let report =
            shadow_compare_with_outcomes(&q, &candidate, &as_decided, end, |l: &Lead| outcome[l.id.as_str()]);
        let judged = report.outcomes.expect("outcomes were given");
        let show = |r: &Rates| {
            let pct = |x: Option<f64>| x.map_or("n/a".into(), |x| format!("{:.1}%", x * 100.0));
            format!(
                "{} handed off with a known outcome, precision {}, recall {}",
                r.handed_off,
                pct(r.precision()),
                pct(r.recall())
            )
        };
        println!(
            "  {name} ({} won, {} lost, {} unknown): {} leads change handoff",
            judged.converted, judged.not_converted, judged.unknown, report.handoff_changes
        );
        println!(
            "    of those, {} won and {} lost; {} won leads held back",
            judged.converted_newly_handed_off.len(),
            judged.not_converted_newly_handed_off.len(),
            judged.converted_newly_held_back.len()
        );
        println!("    live:      {}", show(&judged.live));
        println!("    candidate: {}", show(&judged.candidate));
    }
    println!(
        "  real life cannot say: every lead only the candidate hands off has an unknown outcome, and\n  \
         the live pack's recall is 100% by construction; hand off a sample below the threshold to learn"
    );

    /// A rate, its interval, as fixed-width text.
    fn rate(r: &Rate) -> String {
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        format!("{:>6} [{:>6}, {:>6}]", r.rate.map_or("n/a".into(), pct), pct(r.low), pct(r.high))
    }

    /// A rate and its interval, unpadded.
    fn short(r: &Rate) -> String {
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        format!("{} [{}, {}]", r.rate.map_or("n/a".into(), pct), pct(r.low), pct(r.high))
    }

    /// The sweep, every 10 points, and the suggested thresholds.
    fn sweep(c: &Calibration, live: &str) {
        println!("  threshold  passing  precision [95% interval]   recall  by value  flag");
        for p in c.sweep.iter().filter(|p| p.threshold % 10 == 0 && p.threshold >= 0) {
            let line = format!(
                "  {:>9}  {:>7}  {}   {:>6}  {:>8}  {}",
                p.threshold,
                p.passing,
                rate(&p.precision),
                p.recall.rate.map_or("n/a".into(), |r| format!("{:.1}%", r * 100.0)),
                p.value_precision.map_or("n/a".into(), |r| format!("{:.1}%", r * 100.0)),
                if p.selection_bias { format!("bias: {} unknown", p.unknown) } else { String::new() }
            );
            println!("{}", line.trim_end());
        }
        let show = |t: Option<i64>| t.map_or("none".into(), |t| t.to_string());
        println!(
            "  suggested: {} for 30% precision, {} to keep 80% of wins (the pack says {live})",
            show(c.threshold_for_precision(0.3)),
            show(c.threshold_for_recall(0.8)),
        );
    }
    Ok(())
}

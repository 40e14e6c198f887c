//! Funnel numbers both teams steer by: conversion between stages, time spent
//! in each stage, and why sales sent leads back. Pure functions over leads
//! and their stage histories.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::workflow::Rejection;
use crate::{Lead, Stage, Team, Text};

/// The main path, in order; conversion is counted between neighbours.
const PATH: [Stage; 6] =
    [Stage::Lead, Stage::Mql, Stage::Sal, Stage::Sql, Stage::Opportunity, Stage::Customer];

/// Conversion from one stage to the next.
///
/// ```
/// use leadgate::{Lead, Stage};
/// use leadgate::funnel::Funnel;
/// # let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
/// let mut lead = Lead::new("a", at(1));
/// lead.move_to(Stage::Mql, at(2), None)?;
/// let step = &Funnel::of(&[lead]).steps[1];
/// assert_eq!((step.from, step.to), (Stage::Mql, Stage::Sal));
/// assert_eq!((step.reached, step.converted, step.rate), (1, 0, 0.0));
/// # Ok::<(), leadgate::TransitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Step {
    /// The stage converted from.
    pub from: Stage,
    /// The next stage on the main path.
    pub to: Stage,
    /// Leads that reached `from`.
    pub reached: usize,
    /// Of those, leads that went on to reach `to`.
    pub converted: usize,
    /// `converted / reached`, or 0 when no lead reached `from`.
    pub rate: f64,
}

impl Step {
    fn new(from: Stage, to: Stage, reached: usize, converted: usize) -> Step {
        let rate = if reached == 0 { 0.0 } else { converted as f64 / reached as f64 };
        Step { from, to, reached, converted, rate }
    }
}

/// Conversion along the main path, lead → MQL → SAL → SQL → opportunity →
/// customer, over a set of leads.
///
/// A lead has *reached* a stage when its history or its current stage is at
/// or beyond it on the main path (a lead made an SQL directly has passed
/// through MQL). Recycled and disqualified leads count for the furthest stage
/// they reached before.
///
/// ```
/// use leadgate::{Lead, Stage};
/// use leadgate::funnel::Funnel;
///
/// let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
/// let mut a = Lead::new("a", at(1));
/// a.move_to(Stage::Mql, at(2), None)?;
/// a.move_to(Stage::Sal, at(3), None)?;
/// let b = Lead::new("b", at(1));
/// let funnel = Funnel::of(&[a, b]);
/// let step = funnel.step(Stage::Lead).unwrap();
/// assert_eq!((step.reached, step.converted, step.rate), (2, 1, 0.5));
/// assert_eq!(funnel.step(Stage::Mql).unwrap().rate, 1.0);
/// # Ok::<(), leadgate::TransitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Funnel {
    /// Leads counted.
    pub leads: usize,
    /// One step per pair of neighbouring stages, in order.
    pub steps: Vec<Step>,
}

/// How to group leads for per-group funnels and rejection reasons.
///
/// ```
/// use leadgate::Lead;
/// use leadgate::funnel::GroupBy;
/// let lead = Lead::from_json(r#"{"id": "a", "created_at": "2026-11-01T00:00:00Z", "source": "webinar",
///     "touchpoints": [{"at": "2026-11-03T00:00:00Z", "channel": "email_click"},
///                     {"at": "2026-11-02T00:00:00Z", "channel": "ad_click"}]}"#)?;
/// assert_eq!(GroupBy::Source.key(&lead), "webinar");
/// assert_eq!(GroupBy::FirstTouch.key(&lead), "ad_click"); // the earliest, not the first listed
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupBy {
    /// The lead's `source`.
    Source,
    /// The lead's `campaign`.
    Campaign,
    /// The channel of the lead's earliest touchpoint.
    FirstTouch,
    /// A custom attribute, by name (its JSON value as text).
    Attribute(String),
    /// The lead's [account](crate::account): its account id, else its
    /// company's domain; `"(none)"` for free mail.
    Account,
}

impl GroupBy {
    /// The group of `lead`; `"(none)"` when it has no value.
    ///
    /// ```
    /// use leadgate::Lead;
    /// use leadgate::funnel::GroupBy;
    /// let lead = Lead::from_json(r#"{"id": "a", "created_at": "2026-11-01T00:00:00Z",
    ///     "attributes": {"region": "emea", "tier": 2}}"#)?;
    /// assert_eq!(GroupBy::Attribute("region".into()).key(&lead), "emea");
    /// assert_eq!(GroupBy::Attribute("tier".into()).key(&lead), "2");
    /// assert_eq!(GroupBy::Campaign.key(&lead), "(none)");
    /// assert_eq!(GroupBy::Account.key(&lead), "(none)"); // no account id, no domain
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self, lead: &Lead) -> String {
        let value = match self {
            GroupBy::Source => lead.source.as_ref().map(Text::to_string),
            GroupBy::Campaign => lead.campaign.as_ref().map(Text::to_string),
            GroupBy::FirstTouch => {
                lead.touchpoints.iter().min_by_key(|t| t.at).map(|t| t.channel.to_string())
            }
            GroupBy::Attribute(name) => lead.attributes.get(name).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            GroupBy::Account => crate::account::AccountKey::of(lead).map(|k| k.to_string()),
        };
        value.unwrap_or_else(|| "(none)".to_owned())
    }
}

/// The furthest main-path stage a lead reached, if any.
/// When `lead` first reached the main path's stage `i` or one beyond it.
fn reached_at(lead: &Lead, i: usize) -> DateTime<Utc> {
    let beyond = |s: Stage| PATH.iter().position(|&p| p == s).is_some_and(|p| p >= i);
    match i {
        0 => lead.created_at,
        _ => lead.history().iter().find(|c| beyond(c.stage)).map_or(lead.created_at, |c| c.at),
    }
}

fn furthest(lead: &Lead) -> Option<usize> {
    let stages = lead.history().iter().map(|c| c.stage).chain([lead.stage()]);
    stages.filter_map(|s| PATH.iter().position(|&p| p == s)).max()
}

impl Funnel {
    /// The funnel of `leads`.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// use leadgate::funnel::Funnel;
    /// # let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
    /// let mut lead = Lead::new("a", at(1));
    /// lead.move_to(Stage::Mql, at(2), None)?;
    /// lead.move_to(Stage::Recycled, at(3), Some("bad timing"))?;
    /// let funnel = Funnel::of(&[lead]);
    /// assert_eq!((funnel.leads, funnel.steps.len()), (1, 5));
    /// assert_eq!(funnel.steps[0].converted, 1); // recycled, but it reached MQL
    /// # Ok::<(), leadgate::TransitionError>(())
    /// ```
    pub fn of<'a>(leads: impl IntoIterator<Item = &'a Lead>) -> Funnel {
        Funnel::from_furthest(leads.into_iter().map(furthest))
    }

    /// The funnel of units (leads or accounts) by the furthest stage each reached.
    fn from_furthest(units: impl IntoIterator<Item = Option<usize>>) -> Funnel {
        let mut reached = [0usize; PATH.len()];
        let mut count = 0;
        for furthest in units {
            count += 1;
            if let Some(f) = furthest {
                reached.iter_mut().take(f + 1).for_each(|r| *r += 1);
            }
        }
        let steps = PATH
            .windows(2)
            .enumerate()
            .map(|(i, pair)| Step::new(pair[0], pair[1], reached[i], reached[i + 1]))
            .collect();
        Funnel { leads: count, steps }
    }

    /// The funnel of accounts rather than leads: [`leads`](Funnel::leads)
    /// counts accounts, and an account has reached a stage when one of its
    /// contacts has (an account with a contact at MQL has been handed to
    /// sales; one with a customer is won). Leads without an account are
    /// left out.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// use leadgate::funnel::Funnel;
    /// let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
    /// let contact = |id: &str, domain: &str| {
    ///     let mut lead = Lead::new(id, at(1));
    ///     lead.company.domain = Some(domain.into());
    ///     lead
    /// };
    /// let (mut a1, a2, b1) = (contact("a1", "acme.com"), contact("a2", "acme.com"), contact("b1", "globex.com"));
    /// a1.move_to(Stage::Mql, at(2), None)?;
    /// a1.move_to(Stage::Sal, at(3), None)?;
    /// let funnel = Funnel::of_accounts(&[a1, a2, b1]);
    /// assert_eq!(funnel.leads, 2); // accounts
    /// let mqa = funnel.step(Stage::Lead).unwrap();
    /// assert_eq!((mqa.reached, mqa.converted), (2, 1));
    /// assert_eq!(funnel.step(Stage::Mql).unwrap().converted, 1); // and accepted by sales
    /// # Ok::<(), leadgate::TransitionError>(())
    /// ```
    pub fn of_accounts<'a>(leads: impl IntoIterator<Item = &'a Lead>) -> Funnel {
        let mut furthest_of: BTreeMap<crate::account::AccountKey, Option<usize>> = BTreeMap::new();
        for lead in leads {
            if let Some(key) = crate::account::AccountKey::of(lead) {
                let f = furthest_of.entry(key).or_default();
                *f = (*f).max(furthest(lead));
            }
        }
        Funnel::from_furthest(furthest_of.into_values())
    }

    /// One funnel per group, by the group's name.
    ///
    /// ```
    /// use leadgate::Lead;
    /// use leadgate::funnel::{Funnel, GroupBy};
    /// let mut web = Lead::new("a", "2026-11-01T00:00:00Z".parse()?);
    /// web.source = Some("webinar".into());
    /// let other = Lead::new("b", "2026-11-01T00:00:00Z".parse()?);
    /// let by_source = Funnel::grouped(&[web, other], &GroupBy::Source);
    /// assert_eq!(by_source["webinar"].leads, 1);
    /// assert_eq!(by_source["(none)"].leads, 1);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn grouped(leads: &[Lead], by: &GroupBy) -> BTreeMap<String, Funnel> {
        group(leads, by).into_iter().map(|(k, v)| (k, Funnel::of(v))).collect()
    }

    /// The funnel of a cohort: the leads created in `period` (from its start,
    /// included, to its end, excluded), followed as far as they have gone.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// use leadgate::funnel::Funnel;
    /// let at = |m: u32, d: u32| format!("2026-{m:02}-{d:02}T00:00:00Z").parse().unwrap();
    /// let mut october = Lead::new("a", at(10, 20));
    /// october.move_to(Stage::Mql, at(11, 2), None)?; // an October lead, an MQL in November
    /// let november = Lead::new("b", at(11, 5));
    /// let leads = [october, november];
    /// let cohort = Funnel::cohort(&leads, at(10, 1)..at(11, 1));
    /// assert_eq!(cohort.leads, 1);
    /// assert_eq!(cohort.step(Stage::Lead).map(|s| (s.reached, s.converted)), Some((1, 1)));
    /// # Ok::<(), leadgate::TransitionError>(())
    /// ```
    pub fn cohort(leads: &[Lead], period: Range<DateTime<Utc>>) -> Funnel {
        Funnel::of(leads.iter().filter(|l| period.contains(&l.created_at)))
    }

    /// The funnel of stage entries in `period`: for each step, the leads
    /// that first reached its `from` stage within the period, and how many
    /// of them went on to its `to` stage (at any time since). "Of the
    /// leads that became MQLs in November, how many has sales accepted?"
    ///
    /// A lead reaches a stage when it first enters it or a stage beyond it
    /// on the main path; it reaches `lead` when it is created, and a lead
    /// imported mid-funnel without history reaches its stage when created.
    /// `leads` is the number of leads that reached any stage in the period.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// use leadgate::funnel::Funnel;
    /// let at = |m: u32, d: u32| format!("2026-{m:02}-{d:02}T00:00:00Z").parse().unwrap();
    /// let mut a = Lead::new("a", at(10, 20));
    /// a.move_to(Stage::Mql, at(11, 2), None)?;
    /// a.move_to(Stage::Sal, at(12, 1), None)?; // accepted in December
    /// let mut b = Lead::new("b", at(10, 1));
    /// b.move_to(Stage::Mql, at(10, 5), None)?; // an MQL in October
    /// let leads = [a, b];
    /// let november = Funnel::entries(&leads, at(11, 1)..at(12, 1));
    /// let mql = november.step(Stage::Mql).unwrap();
    /// assert_eq!((mql.reached, mql.converted), (1, 1)); // a: an MQL in November, since accepted
    /// assert_eq!(november.step(Stage::Lead).unwrap().reached, 0); // no lead created in November
    /// # Ok::<(), leadgate::TransitionError>(())
    /// ```
    pub fn entries(leads: &[Lead], period: Range<DateTime<Utc>>) -> Funnel {
        let mut reached = [0usize; PATH.len()];
        let mut converted = [0usize; PATH.len()];
        let mut count = 0;
        for lead in leads {
            let Some(furthest) = furthest(lead) else { continue };
            let mut counted = false;
            for i in 0..=furthest {
                if period.contains(&reached_at(lead, i)) {
                    counted = true;
                    reached[i] += 1;
                    converted[i] += usize::from(furthest > i);
                }
            }
            count += usize::from(counted);
        }
        let steps = PATH
            .windows(2)
            .enumerate()
            .map(|(i, pair)| Step::new(pair[0], pair[1], reached[i], converted[i]))
            .collect();
        Funnel { leads: count, steps }
    }

    /// The step out of `from`.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// use leadgate::funnel::Funnel;
    /// let funnel = Funnel::of(&[Lead::new("a", "2026-11-01T00:00:00Z".parse()?)]);
    /// assert_eq!(funnel.step(Stage::Sal).map(|s| s.to), Some(Stage::Sql));
    /// assert_eq!(funnel.step(Stage::Customer), None); // the end of the path
    /// assert_eq!(funnel.step(Stage::Recycled), None); // off the path
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn step(&self, from: Stage) -> Option<&Step> {
        self.steps.iter().find(|s| s.from == from)
    }
}

/// How long stays lasted, in days.
///
/// ```
/// use leadgate::{Lead, Stage};
/// use leadgate::funnel::time_in_stage;
/// # let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
/// let mut leads = Vec::new();
/// for (id, days) in [("a", 2), ("b", 4), ("c", 10)] {
///     let mut lead = Lead::new(id, at(1));
///     lead.move_to(Stage::Mql, at(1), None)?;
///     lead.move_to(Stage::Sal, at(1 + days), None)?;
///     leads.push(lead);
/// }
/// let mql = &time_in_stage(&leads)[&Stage::Mql];
/// assert_eq!((mql.count, mql.median_days, mql.p90_days), (3, 4.0, 10.0));
/// # Ok::<(), leadgate::TransitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Durations {
    /// Completed stays counted.
    pub count: usize,
    /// Median, in days.
    pub median_days: f64,
    /// 90th percentile, in days.
    pub p90_days: f64,
}

impl Durations {
    /// Median and p90 of `days` (nearest rank); `None` when empty.
    fn of(mut days: Vec<f64>) -> Option<Durations> {
        if days.is_empty() {
            return None;
        }
        days.sort_by(f64::total_cmp);
        let rank = |q: f64| days[((q * days.len() as f64).ceil() as usize).clamp(1, days.len()) - 1];
        Some(Durations { count: days.len(), median_days: rank(0.5), p90_days: rank(0.9) })
    }
}

fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds() as f64 / 86_400.0
}

/// Time spent in each stage, over completed stays (a stay ends when the next
/// stage change is recorded; the current stage's stay is still open and not
/// counted).
///
/// ```
/// use leadgate::{Lead, Stage};
/// use leadgate::funnel::time_in_stage;
/// let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
/// let mut lead = Lead::new("a", at(1));
/// lead.move_to(Stage::Mql, at(1), None)?;
/// lead.move_to(Stage::Sal, at(4), None)?;
/// let mql = &time_in_stage(&[lead])[&Stage::Mql];
/// assert_eq!((mql.count, mql.median_days), (1, 3.0));
/// # Ok::<(), leadgate::TransitionError>(())
/// ```
pub fn time_in_stage<'a>(leads: impl IntoIterator<Item = &'a Lead>) -> BTreeMap<Stage, Durations> {
    let mut stays: BTreeMap<Stage, Vec<f64>> = BTreeMap::new();
    for lead in leads {
        for pair in lead.history().windows(2) {
            stays.entry(pair[0].stage).or_default().push(days_between(pair[0].at, pair[1].at));
        }
    }
    stays.into_iter().filter_map(|(stage, days)| Durations::of(days).map(|d| (stage, d))).collect()
}

/// [`time_in_stage`] for each group of leads, grouped as
/// [`Funnel::grouped`] groups them.
///
/// ```
/// use leadgate::{Lead, Stage};
/// use leadgate::funnel::{time_in_stage_grouped, GroupBy};
/// let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
/// let lead = |id: &str, source: &str, days_as_mql: u32| -> Result<Lead, leadgate::TransitionError> {
///     let mut lead = Lead::new(id, at(1));
///     lead.source = Some(source.into());
///     lead.move_to(Stage::Mql, at(1), None)?;
///     lead.move_to(Stage::Sal, at(1 + days_as_mql), None)?;
///     Ok(lead)
/// };
/// let leads = [lead("a", "webinar", 1)?, lead("b", "webinar", 3)?, lead("c", "partner", 7)?];
/// let by_source = time_in_stage_grouped(&leads, &GroupBy::Source);
/// assert_eq!(by_source["webinar"][&Stage::Mql].count, 2);
/// assert_eq!(by_source["partner"][&Stage::Mql].median_days, 7.0);
/// # Ok::<(), leadgate::TransitionError>(())
/// ```
pub fn time_in_stage_grouped(leads: &[Lead], by: &GroupBy) -> BTreeMap<String, BTreeMap<Stage, Durations>> {
    group(leads, by).into_iter().map(|(k, v)| (k, time_in_stage(v))).collect()
}

/// `leads` by `by`'s key, each group in the leads' order.
fn group<'a>(leads: &'a [Lead], by: &GroupBy) -> BTreeMap<String, Vec<&'a Lead>> {
    let mut groups: BTreeMap<String, Vec<&Lead>> = BTreeMap::new();
    for lead in leads {
        groups.entry(by.key(lead)).or_default().push(lead);
    }
    groups
}

/// Days from becoming an MQL to the first sales touchpoint after it, over
/// leads that have both.
///
/// ```
/// use leadgate::{Channel, Lead, Stage, Touchpoint};
/// use leadgate::funnel::mql_to_first_sales_touch;
/// let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
/// let mut lead = Lead::new("a", at(1));
/// lead.move_to(Stage::Mql, at(2), None)?;
/// lead.touchpoints.push(Touchpoint::new(at(5), Channel::Call));
/// assert_eq!(mql_to_first_sales_touch(&[lead]).unwrap().median_days, 3.0);
/// # Ok::<(), leadgate::TransitionError>(())
/// ```
pub fn mql_to_first_sales_touch(leads: &[Lead]) -> Option<Durations> {
    let days = leads.iter().filter_map(|lead| {
        let mql = lead.history().iter().find(|c| c.stage == Stage::Mql)?.at;
        let touch =
            lead.touchpoints.iter().filter(|t| t.team() == Team::Sales && t.at >= mql).map(|t| t.at).min()?;
        Some(days_between(mql, touch))
    });
    Durations::of(days.collect())
}

/// Why sales sent leads back: for each group, how many leads went from MQL
/// or SAL to recycled or disqualified for each reason code of the
/// [`Rejection`] taxonomy.
///
/// The code is what the history's reason starts with (the workflow writes
/// `bad_timing: Q2 budget`): sales' note never splits a count. A reason that
/// does not start with a code (a stage moved by hand, say) counts as
/// `(unclassified)`, and a move with no reason as `(no reason)`.
///
/// ```
/// use leadgate::{Lead, Stage};
/// use leadgate::funnel::{rejection_reasons, GroupBy};
/// let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
/// let rejected = |id: &str, reason: &str| -> Result<Lead, leadgate::TransitionError> {
///     let mut lead = Lead::new(id, at(1));
///     lead.campaign = Some("q4".into());
///     lead.move_to(Stage::Mql, at(2), None)?;
///     lead.move_to(Stage::Recycled, at(3), Some(reason))?;
///     Ok(lead)
/// };
/// let leads = [rejected("a", "bad_timing: Q2 budget")?, rejected("b", "bad_timing")?, rejected("c", "wrong person")?];
/// let q4 = &rejection_reasons(&leads, &GroupBy::Campaign)["q4"];
/// assert_eq!(q4.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), [("(unclassified)", 1), ("bad_timing", 2)]);
/// # Ok::<(), leadgate::TransitionError>(())
/// ```
pub fn rejection_reasons(leads: &[Lead], by: &GroupBy) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut out: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for lead in leads {
        for pair in lead.history().windows(2) {
            let rejected = matches!(pair[0].stage, Stage::Mql | Stage::Sal)
                && matches!(pair[1].stage, Stage::Recycled | Stage::Disqualified);
            if rejected {
                let code = match pair[1].reason.as_deref() {
                    None => "(no reason)",
                    Some(reason) => {
                        let code = reason.split(':').next().unwrap_or("").trim();
                        code.parse::<Rejection>().map_or("(unclassified)", Rejection::as_str)
                    }
                };
                *out.entry(by.key(lead)).or_default().entry(code.to_owned()).or_default() += 1;
            }
        }
    }
    out
}

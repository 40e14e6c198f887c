//! Calibration against outcomes: which rules, rows, reasons and criteria
//! point at leads that convert, and what MQL threshold trades precision for
//! recall the way you want, with honest uncertainty.
//!
//! Every rate is a [`Rate`]: its count, and a Wilson 95% interval, so that a
//! rate over 16 leads is not read like one over 9,000. Leads whose outcome is
//! [unknown](Outcome::Unknown) never enter a rate; they are counted apart, and
//! a threshold whose passing leads include some is flagged
//! ([`ThresholdPoint::selection_bias`]) rather than judged.
//!
//! The file is long for its doc examples, one per public item; the code is
//! under 300 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lead::keyword::keyword_enum;
use crate::{CriterionStatus, Decision, Text, ValueError};

keyword_enum! {
    /// What became of a lead after it was decided: converted (won, or
    /// accepted by sales: the outcome you steer by), not converted, or not
    /// known (typically a lead that was never handed off, so sales never
    /// judged it).
    ///
    /// ```
    /// use leadgate::calibration::Outcome;
    /// assert_eq!("not_converted".parse::<Outcome>()?, Outcome::NotConverted);
    /// assert_eq!(Outcome::Unknown.as_str(), "unknown");
    /// assert_eq!(Outcome::from(true), Outcome::Converted);
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub enum Outcome as "outcome" {
        /// Won, or accepted by sales.
        Converted = "converted",
        /// Lost, or rejected by sales.
        NotConverted = "not_converted",
        /// Not known: leave these in, so that what the rules held back is seen.
        Unknown = "unknown",
    }
}

impl From<bool> for Outcome {
    /// `true` is [`Outcome::Converted`], `false` [`Outcome::NotConverted`].
    fn from(converted: bool) -> Outcome {
        if converted { Outcome::Converted } else { Outcome::NotConverted }
    }
}

/// A decision, what became of its lead and, optionally, the deal's value.
///
/// ```
/// use leadgate::calibration::{Observation, Outcome};
/// # use leadgate::{Lead, Pack, Qualifier};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
/// let decision = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
/// let seen = Observation::new(decision, true).with_value(12_000.0)?;
/// assert_eq!((seen.outcome, seen.value), (Outcome::Converted, Some(12_000.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Observation {
    /// The decision.
    pub decision: Decision,
    /// What became of the lead.
    pub outcome: Outcome,
    /// The deal's value (won, or what it was worth when lost), in one
    /// currency across the observations: finite and at least 0. Only
    /// [value-weighted](ThresholdPoint::value_precision) numbers read it.
    pub value: Option<f64>,
}

impl Observation {
    /// `decision` and its `outcome`: an [`Outcome`], or `true` (converted) /
    /// `false` (not converted). No value.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// use leadgate::calibration::{Observation, Outcome};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let decision = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
    /// let rejected = Observation::new(decision.clone(), false); // sales rejected it
    /// assert_eq!((rejected.decision.lead_id.as_str(), rejected.outcome), ("L-1", Outcome::NotConverted));
    /// let unseen = Observation::new(decision, Outcome::Unknown); // never handed off
    /// assert_eq!((unseen.outcome, unseen.value), (Outcome::Unknown, None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(decision: Decision, outcome: impl Into<Outcome>) -> Observation {
        Observation { decision, outcome: outcome.into(), value: None }
    }

    /// With the deal's `value`; refuses a value that is not a number from 0
    /// to 10¹⁵ ([`ValueErrorKind::Invalid`](crate::lead::ValueErrorKind::Invalid)):
    /// no deal is worth more, and the bound keeps every sum of values finite.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// use leadgate::calibration::Observation;
    /// use leadgate::lead::ValueErrorKind;
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let seen = Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, true);
    /// assert_eq!(seen.clone().with_value(0.0)?.value, Some(0.0));
    /// assert!(seen.clone().with_value(f64::NAN).is_err());
    /// assert!(seen.clone().with_value(2e15).is_err());
    /// let err = seen.with_value(-1.0).unwrap_err();
    /// assert_eq!(err.kind(), ValueErrorKind::Invalid);
    /// assert_eq!(err.to_string(), "a deal value must be a number from 0 to 1e15, got -1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_value(self, value: f64) -> Result<Observation, ValueError> {
        if (0.0..=MAX_VALUE).contains(&value) {
            Ok(Observation { value: Some(value), ..self })
        } else {
            Err(ValueError::invalid(
                "deal value",
                value.to_string(),
                format!("a deal value must be a number from 0 to 1e15, got {value}"),
            ))
        }
    }
}

/// The largest deal value: sums of up to 10²⁹³ of them stay finite.
const MAX_VALUE: f64 = 1e15;

/// The z of a two-sided 95% interval: the 97.5th percentile of the normal
/// distribution.
const Z95: f64 = 1.959963984540054;

/// A share of leads: `hits` of `count`, with its Wilson 95% score interval.
///
/// The interval is Wilson's (1927), with z = 1.959963984540054: unlike
/// `rate ± 1.96 × standard error` it stays within [0, 1] and is honest for
/// small counts and for rates near 0 or 1. Its lower bound is exactly 0 when
/// nothing hit, its upper bound exactly 1 when everything did.
///
/// An empty rate (`count` 0) has no rate (`rate` is `None`) and the whole
/// [0, 1] as its interval: these leads say nothing.
///
/// ```
/// use leadgate::calibration::Rate;
/// let r = Rate::new(9, 10).unwrap();
/// assert_eq!((r.hits, r.count, r.rate), (9, 10, Some(0.9)));
/// assert_eq!((format!("{:.4}", r.low), format!("{:.4}", r.high)), ("0.5958".into(), "0.9821".into()));
/// let none = Rate::new(0, 5).unwrap();
/// assert_eq!((none.rate, none.low), (Some(0.0), 0.0)); // high is 0.4345
/// let empty = Rate::new(0, 0).unwrap();
/// assert_eq!((empty.rate, empty.low, empty.high), (None, 0.0, 1.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rate {
    /// Leads that converted (or, for recall, converted leads that pass).
    pub hits: usize,
    /// Leads counted: the denominator, leads with a known outcome only.
    pub count: usize,
    /// `hits / count`; `None` when `count` is 0.
    pub rate: Option<f64>,
    /// The interval's lower bound.
    pub low: f64,
    /// The interval's upper bound.
    pub high: f64,
}

impl Rate {
    /// `hits` of `count`, with its interval; `None` when `hits` is more
    /// than `count`.
    ///
    /// ```
    /// use leadgate::calibration::Rate;
    /// let half = Rate::new(1, 2).unwrap();
    /// assert_eq!(half.rate, Some(0.5));
    /// assert_eq!((format!("{:.4}", half.low), format!("{:.4}", half.high)), ("0.0945".into(), "0.9055".into()));
    /// assert_eq!(Rate::new(3, 2), None);
    /// ```
    pub fn new(hits: usize, count: usize) -> Option<Rate> {
        (hits <= count).then(|| Rate::of(hits, count))
    }

    /// `hits` of `count`, which the caller has counted so that `hits <= count`.
    fn of(hits: usize, count: usize) -> Rate {
        debug_assert!(hits <= count);
        let hits = hits.min(count);
        if count == 0 {
            return Rate { hits, count, rate: None, low: 0.0, high: 1.0 };
        }
        let (h, n) = (hits as f64, count as f64);
        let z2 = Z95 * Z95;
        // (h + z²/2 ± z √(h(n−h)/n + z²/4)) / (n + z²): Wilson's bounds,
        // multiplied through by n.
        let centre = h + z2 / 2.0;
        let spread = Z95 * (h * (n - h) / n + z2 / 4.0).sqrt();
        let low = if hits == 0 { 0.0 } else { ((centre - spread) / (n + z2)).max(0.0) };
        let high = if hits == count { 1.0 } else { ((centre + spread) / (n + z2)).min(1.0) };
        Rate { hits, count, rate: Some(h / n), low, high }
    }
}

/// Something that holds, or not, for each decided lead: what a [`Lift`]
/// measures.
///
/// Sorted (in [`Calibration::lifts`]) by kind in the order below, then by
/// name; criterion statuses in the order unknown, met, not met. Its
/// `Display` is short, for reports.
///
/// ```
/// use leadgate::CriterionStatus;
/// use leadgate::calibration::Signal;
/// let row = Signal::Row { rule: "fit".into(), row: 1 };
/// assert_eq!(row.to_string(), "fit row 1");
/// let met = Signal::Criterion { name: "budget".into(), status: CriterionStatus::Met };
/// assert_eq!(met.to_string(), "budget = met");
/// assert_eq!(Signal::Rule { rule: "fit".into() }.to_string(), "fit");
/// let reason = Signal::Reason { rule: "fit".into(), reason: "Student".into() };
/// assert_eq!(reason.to_string(), "fit: Student");
/// assert!(Signal::Rule { rule: "z".into() } < row); // rules first
/// assert_eq!(serde_json::to_string(&row)?, r#"{"kind":"row","rule":"fit","row":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Signal {
    /// The rule fired (is in the decision's [`fired`](Decision::fired)): it
    /// awarded points, set a criterion (met, not met or unknown alike), or
    /// decided something.
    Rule {
        /// The rule.
        rule: Text,
    },
    /// This decision-table row awarded points
    /// ([`Contribution::row`](crate::decision::Contribution::row)). A row
    /// that sets a criterion shows as that criterion's status instead.
    Row {
        /// The table's rule.
        rule: Text,
        /// The row, counted from 1.
        row: u32,
    },
    /// A contribution, or the disqualification, gave this reason.
    Reason {
        /// The rule that gave it.
        rule: Text,
        /// The reason, as written in the decision.
        reason: Text,
    },
    /// The criterion had this status in the decision.
    Criterion {
        /// The criterion.
        name: Text,
        /// Its status.
        status: CriterionStatus,
    },
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signal::Rule { rule } => write!(f, "{rule}"),
            Signal::Row { rule, row } => write!(f, "{rule} row {row}"),
            Signal::Reason { rule, reason } => write!(f, "{rule}: {reason}"),
            Signal::Criterion { name, status } => write!(f, "{name} = {status}"),
        }
    }
}

/// How leads a [`Signal`] holds for converted, against all leads and
/// against the leads it does not hold for.
///
/// ```
/// use leadgate::calibration::{Calibration, Observation, Signal};
/// # use leadgate::{Lead, Pack, Qualifier};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let decide = |industry: &str, converted: bool| -> Result<Observation, Box<dyn std::error::Error>> {
/// #     let lead = Lead::from_json(&format!(
/// #         r#"{{"id": "L", "created_at": "2026-11-01T00:00:00Z",
/// #             "company": {{"industry": "{industry}"}}}}"#))?;
/// #     Ok(Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, converted))
/// # };
/// // The `fit` table's first row (a target industry) holds for the software
/// // leads only; one of each kind converted.
/// let decided = [
///     decide("software", true)?, decide("software", false)?,
///     decide("retail", true)?, decide("retail", false)?,
///     decide("retail", false)?, decide("retail", false)?,
/// ];
/// let c = Calibration::of(&decided);
/// let row = c.lift(&Signal::Row { rule: "fit".into(), row: 1 }).unwrap();
/// assert_eq!((row.when.hits, row.when.count, row.when.rate), (1, 2, Some(0.5)));
/// assert_eq!((row.otherwise.hits, row.otherwise.count), (1, 4));
/// assert_eq!(c.base.rate, Some(2.0 / 6.0));
/// assert_eq!(row.lift, Some(0.5 / (2.0 / 6.0))); // 1.5: half of them against a third overall
/// assert_eq!(row.risk_ratio, Some(2.0)); // half against a quarter of the others
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lift {
    /// What held.
    pub signal: Signal,
    /// Leads it held for, with a known outcome, and how many converted.
    pub when: Rate,
    /// Leads it did not hold for, with a known outcome, and how many converted.
    pub otherwise: Rate,
    /// Leads it held for whose outcome is unknown (in no rate).
    pub unknown: usize,
    /// `when.rate / base.rate`: how much likelier to convert a lead it holds
    /// for is than a lead taken at random. Above 1, it points at converting
    /// leads. `None` when either rate is undefined or the base rate is 0.
    pub lift: Option<f64>,
    /// `when.rate / otherwise.rate`: the risk ratio against the leads it
    /// does not hold for. It swings wildly when a signal holds for almost
    /// every lead (the others are few); read it with `otherwise.count`.
    /// `None` when either rate is undefined or `otherwise.rate` is 0.
    pub risk_ratio: Option<f64>,
}

/// What an MQL threshold would have done to these leads.
///
/// A lead passes when it scores at least `threshold` and was not
/// disqualified: a disqualified lead passes no threshold, and if it
/// converted it is a miss in `recall`.
///
/// ```
/// use leadgate::calibration::{Calibration, Observation};
/// # use leadgate::{Lead, Pack, Qualifier};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let decide = |industry: &str, converted: bool| -> Result<Observation, Box<dyn std::error::Error>> {
/// #     let lead = Lead::from_json(&format!(
/// #         r#"{{"id": "L", "created_at": "2026-11-01T00:00:00Z",
/// #             "company": {{"industry": "{industry}"}}}}"#))?;
/// #     Ok(Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, converted))
/// # };
/// // Software leads score 15, retail leads 0; one software lead converted.
/// let decided = [decide("software", true)?, decide("software", false)?, decide("retail", false)?];
/// let c = Calibration::of(&decided);
/// let sweep: Vec<_> = c.sweep.iter().map(|p| (p.threshold, p.passing, p.precision.rate, p.recall.rate)).collect();
/// assert_eq!(sweep, [(0, 3, Some(1.0 / 3.0), Some(1.0)), (15, 2, Some(0.5), Some(1.0))]);
/// assert!(c.sweep.iter().all(|p| p.unknown == 0 && !p.selection_bias));
/// assert_eq!(c.sweep[1].value_precision, None); // no deal values given
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThresholdPoint {
    /// The threshold: leads scoring at least this pass.
    pub threshold: i64,
    /// Passing leads with a known outcome (`precision.count`).
    pub passing: usize,
    /// Passing leads whose outcome is unknown (in no rate).
    pub unknown: usize,
    /// Of the passing leads with a known outcome, those that converted.
    pub precision: Rate,
    /// Of all converted leads (disqualified ones too), those that pass.
    pub recall: Rate,
    /// `unknown > 0`: some passing leads have no known outcome, typically
    /// because leads under the threshold in use were never handed off, so
    /// this threshold cannot be judged from these outcomes (its precision
    /// and recall describe only the leads sales saw).
    pub selection_bias: bool,
    /// Value-weighted precision: among passing leads with a known outcome
    /// and a value, the value of those that converted over the value of all
    /// of them. `None` when that total is 0 (no such lead, or only zero
    /// values).
    pub value_precision: Option<f64>,
    /// Value-weighted recall: the value of converted passing leads over the
    /// value of all converted leads (disqualified ones too), counting leads
    /// with a value only. `None` when that total is 0.
    pub value_recall: Option<f64>,
}

/// Decisions held against what became of their leads.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::calibration::{Calibration, Observation, Outcome, Signal};
///
/// let q = Qualifier::new(&Pack::b2b_bant())?;
/// let as_of = "2026-11-23T00:00:00Z".parse()?;
/// let lead = |id: &str, industry: &str| Lead::from_json(&format!(
///     r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z", "company": {{"industry": "{industry}"}}}}"#));
/// let decided = [
///     Observation::new(q.evaluate(&lead("a", "software")?, as_of)?, true),  // won
///     Observation::new(q.evaluate(&lead("b", "software")?, as_of)?, false), // lost
///     Observation::new(q.evaluate(&lead("c", "retail")?, as_of)?, Outcome::Unknown),
/// ];
/// let c = Calibration::of(&decided);
/// assert_eq!((c.leads, c.unknown, c.base.hits, c.base.count), (3, 1, 1, 2));
/// let fit = c.lift(&Signal::Rule { rule: "fit".into() }).unwrap();
/// assert_eq!((fit.when.count, fit.when.rate), (2, Some(0.5)));
/// // Score 0 (the retail lead) has an unknown outcome: that threshold is not judged.
/// assert_eq!(c.threshold_for_precision(0.1), Some(15));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Calibration {
    /// Observations counted.
    pub leads: usize,
    /// Of those, leads whose outcome is unknown (in no rate).
    pub unknown: usize,
    /// The base rate: converted leads among all leads with a known outcome.
    pub base: Rate,
    /// One per signal that held for at least one lead, sorted by signal.
    pub lifts: Vec<Lift>,
    /// One point per distinct score among leads not disqualified, lowest
    /// threshold first.
    pub sweep: Vec<ThresholdPoint>,
}

/// Known-outcome counts, and unknowns, for one signal.
#[derive(Default)]
struct Tally {
    known: usize,
    converted: usize,
    unknown: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Converted => {
                self.known += 1;
                self.converted += 1;
            }
            Outcome::NotConverted => self.known += 1,
            Outcome::Unknown => self.unknown += 1,
        }
    }
}

/// The signals that hold for one decision, each once.
fn signals(d: &Decision) -> BTreeSet<Signal> {
    let mut out = BTreeSet::new();
    out.extend(d.fired.iter().map(|rule| Signal::Rule { rule: rule.clone() }));
    for c in &d.contributions {
        if let Some(row) = c.row {
            out.insert(Signal::Row { rule: c.rule.clone(), row });
        }
        out.insert(Signal::Reason { rule: c.rule.clone(), reason: c.reason.clone() });
    }
    if let Some(why) = &d.disqualified {
        out.insert(Signal::Reason { rule: why.rule.clone(), reason: why.reason.clone() });
    }
    for (name, c) in d.criteria.iter() {
        out.insert(Signal::Criterion { name: name.into(), status: c.status });
    }
    out
}

/// `part / whole` when `whole` is positive.
fn ratio(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

impl Calibration {
    /// Calibrates on decisions and their outcomes.
    ///
    /// ```
    /// use leadgate::calibration::{Calibration, Observation, Signal};
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let decide = |industry: &str, converted: bool| -> Result<Observation, Box<dyn std::error::Error>> {
    /// #     let lead = Lead::from_json(&format!(
    /// #         r#"{{"id": "L", "created_at": "2026-11-01T00:00:00Z",
    /// #             "company": {{"industry": "{industry}"}}}}"#))?;
    /// #     Ok(Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, converted))
    /// # };
    /// // Software leads score 15, retail leads 0; one software lead converted.
    /// let decided = [decide("software", true)?, decide("software", false)?, decide("retail", false)?];
    /// let c = Calibration::of(&decided);
    /// assert_eq!((c.leads, c.base.hits, c.base.count), (3, 1, 3));
    /// let shown: Vec<String> = c.lifts.iter().map(|l| l.signal.to_string()).collect();
    /// assert_eq!(shown[..3], ["fit", "fit row 1", "fit: In a target industry"]);
    /// // ... then each BANT criterion's status (all unknown for these leads).
    /// assert_eq!(shown[3..], ["authority = unknown", "budget = unknown", "need = unknown", "timeline = unknown"]);
    /// assert_eq!(c.sweep.len(), 2); // one point per distinct score
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of(decided: &[Observation]) -> Calibration {
        let mut base = Tally::default();
        let mut tallies: BTreeMap<Signal, Tally> = BTreeMap::new();
        for o in decided {
            base.add(o.outcome);
            for signal in signals(&o.decision) {
                tallies.entry(signal).or_default().add(o.outcome);
            }
        }
        let base_rate = Rate::of(base.converted, base.known);
        let lifts = tallies
            .into_iter()
            .map(|(signal, t)| {
                let when = Rate::of(t.converted, t.known);
                let otherwise = Rate::of(base.converted - t.converted, base.known - t.known);
                let over = |r: Rate| when.rate.zip(r.rate).and_then(|(w, r)| ratio(w, r));
                Lift {
                    signal,
                    when,
                    otherwise,
                    unknown: t.unknown,
                    lift: over(base_rate),
                    risk_ratio: over(otherwise),
                }
            })
            .collect();
        Calibration {
            leads: decided.len(),
            unknown: base.unknown,
            base: base_rate,
            lifts,
            sweep: sweep(decided, base.converted),
        }
    }

    /// The lift of `signal`; `None` if it held for no lead.
    ///
    /// ```
    /// use leadgate::CriterionStatus;
    /// use leadgate::calibration::{Calibration, Observation, Signal};
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let decide = |industry: &str, converted: bool| -> Result<Observation, Box<dyn std::error::Error>> {
    /// #     let lead = Lead::from_json(&format!(
    /// #         r#"{{"id": "L", "created_at": "2026-11-01T00:00:00Z",
    /// #             "company": {{"industry": "{industry}"}}}}"#))?;
    /// #     Ok(Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, converted))
    /// # };
    /// let c = Calibration::of(&[decide("software", true)?, decide("retail", false)?]);
    /// // Budget is unknown for every lead: no other leads to compare with.
    /// let budget = c.lift(&Signal::Criterion { name: "budget".into(), status: CriterionStatus::Unknown }).unwrap();
    /// assert_eq!((budget.lift, budget.risk_ratio, budget.otherwise.count), (Some(1.0), None, 0));
    /// assert_eq!(c.lift(&Signal::Rule { rule: "screen".into() }), None); // it never fired
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lift(&self, signal: &Signal) -> Option<&Lift> {
        self.lifts.binary_search_by(|l| l.signal.cmp(signal)).ok().map(|i| &self.lifts[i])
    }

    /// The lowest threshold (so the most leads, the best recall) whose
    /// precision reaches `target`, among the points that can be judged: no
    /// [`selection_bias`](ThresholdPoint::selection_bias) and at least one
    /// passing lead. `None` if none does. It compares the point estimate
    /// (`precision.rate`); look at `precision.low` before trusting it.
    ///
    /// ```
    /// use leadgate::calibration::{Calibration, Observation};
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let decide = |industry: &str, converted: bool| -> Result<Observation, Box<dyn std::error::Error>> {
    /// #     let lead = Lead::from_json(&format!(
    /// #         r#"{{"id": "L", "created_at": "2026-11-01T00:00:00Z",
    /// #             "company": {{"industry": "{industry}"}}}}"#))?;
    /// #     Ok(Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, converted))
    /// # };
    /// // Software leads score 15, retail leads 0; one software lead converted.
    /// let decided = [decide("software", true)?, decide("software", false)?, decide("retail", false)?];
    /// let c = Calibration::of(&decided);
    /// assert_eq!(c.threshold_for_precision(0.3), Some(0)); // 1 of 3 converted
    /// assert_eq!(c.threshold_for_precision(0.5), Some(15)); // 1 of 2
    /// assert_eq!(c.threshold_for_precision(0.9), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn threshold_for_precision(&self, target: f64) -> Option<i64> {
        self.judged().find(|p| p.precision.rate.is_some_and(|r| r >= target)).map(|p| p.threshold)
    }

    /// The highest threshold (so the fewest leads, the best precision) that
    /// still passes at least `target` of the converted leads, among the
    /// points that can be judged (as for
    /// [`threshold_for_precision`](Calibration::threshold_for_precision)).
    /// `None` if none does, and always when no lead converted.
    ///
    /// ```
    /// use leadgate::calibration::{Calibration, Observation};
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let decide = |industry: &str, converted: bool| -> Result<Observation, Box<dyn std::error::Error>> {
    /// #     let lead = Lead::from_json(&format!(
    /// #         r#"{{"id": "L", "created_at": "2026-11-01T00:00:00Z",
    /// #             "company": {{"industry": "{industry}"}}}}"#))?;
    /// #     Ok(Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, converted))
    /// # };
    /// // Software leads score 15, retail leads 0; one of each converted.
    /// let decided = [
    ///     decide("software", true)?, decide("software", false)?,
    ///     decide("retail", true)?, decide("retail", false)?,
    ///     decide("retail", false)?, decide("retail", false)?,
    /// ];
    /// let c = Calibration::of(&decided);
    /// assert_eq!(c.threshold_for_recall(1.0), Some(0)); // every lead, to keep both that converted
    /// assert_eq!(c.threshold_for_recall(0.5), Some(15)); // the software leads: one of the two
    /// let lost = Calibration::of(&[decide("software", false)?]);
    /// assert_eq!(lost.threshold_for_recall(0.0), None); // nothing converted: no recall to keep
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn threshold_for_recall(&self, target: f64) -> Option<i64> {
        self.judged().rev().find(|p| p.recall.rate.is_some_and(|r| r >= target)).map(|p| p.threshold)
    }

    /// The sweep points that can be judged from the outcomes.
    fn judged(&self) -> impl DoubleEndedIterator<Item = &ThresholdPoint> {
        self.sweep.iter().filter(|p| !p.selection_bias && p.passing > 0)
    }
}

/// The sweep: leads not disqualified, highest score first, accumulated.
fn sweep(decided: &[Observation], converted: usize) -> Vec<ThresholdPoint> {
    let (mut eligible, disqualified): (Vec<&Observation>, Vec<&Observation>) =
        decided.iter().partition(|o| o.decision.disqualified.is_none());
    eligible.sort_by_key(|o| std::cmp::Reverse(o.decision.score));
    let (mut passing, mut hits, mut unknown) = (0, 0, 0);
    let (mut value, mut value_hits) = (0.0, 0.0);
    let mut points = Vec::new();
    for (i, o) in eligible.iter().enumerate() {
        if o.outcome == Outcome::Unknown {
            unknown += 1;
        } else {
            let won = o.outcome == Outcome::Converted;
            passing += 1;
            hits += usize::from(won);
            value += o.value.unwrap_or(0.0);
            value_hits += if won { o.value.unwrap_or(0.0) } else { 0.0 };
        }
        let threshold = o.decision.score;
        if eligible.get(i + 1).is_none_or(|next| next.decision.score != threshold) {
            let point = ThresholdPoint {
                threshold,
                passing,
                unknown,
                precision: Rate::of(hits, passing),
                recall: Rate::of(hits, converted),
                selection_bias: unknown > 0,
                value_precision: ratio(value_hits, value),
                value_recall: None,
            };
            points.push((point, value_hits));
        }
    }
    // Every converted value, summed on from the last point's, so that no
    // value-weighted recall exceeds 1 by a rounding.
    let converted_value = disqualified
        .iter()
        .filter(|o| o.outcome == Outcome::Converted)
        .filter_map(|o| o.value)
        .fold(value_hits, |sum, v| sum + v);
    points
        .into_iter()
        .rev()
        .map(|(point, captured)| ThresholdPoint { value_recall: ratio(captured, converted_value), ..point })
        .collect()
}

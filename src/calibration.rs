//! Calibration against outcomes: which rules point at leads that convert,
//! and what MQL threshold trades precision for recall the way you want.

use serde::{Deserialize, Serialize};

use crate::lead::keyword::keyword_enum;
use crate::{Decision, Text};

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

/// How leads a rule fired on converted, against leads it did not fire on.
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
/// let fit = Calibration::of(&decided).rules.into_iter().find(|r| r.rule == "fit").unwrap();
/// assert_eq!((fit.fired, fit.rate_when_fired), (2, 0.5)); // the software leads
/// assert_eq!((fit.not_fired, fit.rate_when_not), (4, 0.25));
/// assert_eq!(fit.lift, Some(2.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleLift {
    /// The rule (or `points`, `caps` for the engine's steps).
    pub rule: Text,
    /// Leads it fired on.
    pub fired: usize,
    /// Conversion rate of those leads.
    pub rate_when_fired: f64,
    /// Leads it did not fire on.
    pub not_fired: usize,
    /// Conversion rate of those leads.
    pub rate_when_not: f64,
    /// `rate_when_fired / rate_when_not`: above 1, the rule points at
    /// converting leads; `None` when either side is empty or never converts.
    pub lift: Option<f64>,
}

/// What an MQL threshold would do to these leads.
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
/// let sweep: Vec<_> = c.sweep.iter().map(|p| (p.threshold, p.passing, p.precision, p.recall)).collect();
/// assert_eq!(sweep, [(0, 3, 1.0 / 3.0, 1.0), (15, 2, 0.5, 1.0)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThresholdPoint {
    /// The threshold: leads scoring at least this pass.
    pub threshold: i64,
    /// Leads that would pass.
    pub passing: usize,
    /// Share of passing leads that converted.
    pub precision: f64,
    /// Share of converting leads that would pass.
    pub recall: f64,
}

/// A decision and what happened to its lead: converted (won, or accepted
/// by sales: the outcome you steer by) or not.
///
/// ```
/// use leadgate::calibration::Observation;
/// # use leadgate::{Lead, Pack, Qualifier};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
/// let outcome = Observation::new(q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?, true);
/// assert!(outcome.converted);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Observation {
    /// The decision.
    pub decision: Decision,
    /// Whether the lead converted.
    pub converted: bool,
}

impl Observation {
    /// `decision`, and whether its lead `converted`.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// use leadgate::calibration::Observation;
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let decision = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
    /// let outcome = Observation::new(decision, false); // sales rejected it
    /// assert_eq!((outcome.decision.lead_id.as_str(), outcome.converted), ("L-1", false));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(decision: Decision, converted: bool) -> Observation {
        Observation { decision, converted }
    }
}

/// Decisions held against what happened to the leads.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::calibration::{Calibration, Observation};
///
/// let q = Qualifier::new(&Pack::b2b_bant())?;
/// let as_of = "2026-11-23T00:00:00Z".parse()?;
/// let lead = |id: &str, industry: &str| Lead::from_json(&format!(
///     r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z", "company": {{"industry": "{industry}"}}}}"#));
/// let decided = [
///     Observation::new(q.evaluate(&lead("a", "software")?, as_of)?, true),  // won
///     Observation::new(q.evaluate(&lead("b", "software")?, as_of)?, false), // lost
///     Observation::new(q.evaluate(&lead("c", "retail")?, as_of)?, false),   // lost
/// ];
/// let c = Calibration::of(&decided);
/// let fit = c.rules.iter().find(|r| r.rule == "fit").unwrap();
/// assert_eq!((fit.fired, fit.rate_when_fired), (2, 0.5));
/// assert_eq!(c.threshold_for_precision(0.5), Some(15)); // the software leads score 15
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Calibration {
    /// Leads counted.
    pub leads: usize,
    /// Of those, leads that converted.
    pub converted: usize,
    /// Every rule that fired on at least one lead, by name.
    pub rules: Vec<RuleLift>,
    /// One point per distinct score, lowest threshold first.
    pub sweep: Vec<ThresholdPoint>,
}

fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

impl Calibration {
    /// Calibrates on decisions and their outcomes.
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
    /// assert_eq!((c.leads, c.converted), (3, 1));
    /// let rules: Vec<&str> = c.rules.iter().map(|r| r.rule.as_str()).collect();
    /// assert_eq!(rules, ["fit"]); // the only rule that fired on these leads
    /// assert_eq!(c.sweep.len(), 2); // one point per distinct score
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of(decided: &[Observation]) -> Calibration {
        let converted = decided.iter().filter(|o| o.converted).count();
        let mut names: Vec<&Text> = decided.iter().flat_map(|o| &o.decision.fired).collect();
        names.sort();
        names.dedup();
        let rules = names
            .into_iter()
            .map(|rule| {
                let (mut fired, mut fired_won, mut won_without) = (0, 0, 0);
                for Observation { decision, converted: won } in decided {
                    if decision.fired.contains(rule) {
                        fired += 1;
                        fired_won += usize::from(*won);
                    } else {
                        won_without += usize::from(*won);
                    }
                }
                let not_fired = decided.len() - fired;
                let (when, without) = (rate(fired_won, fired), rate(won_without, not_fired));
                RuleLift {
                    rule: rule.clone(),
                    fired,
                    rate_when_fired: when,
                    not_fired,
                    rate_when_not: without,
                    lift: (fired > 0 && not_fired > 0 && without > 0.0).then(|| when / without),
                }
            })
            .collect();
        let mut scores: Vec<i64> = decided.iter().map(|o| o.decision.score).collect();
        scores.sort_unstable();
        scores.dedup();
        let sweep = scores
            .into_iter()
            .map(|threshold| {
                let passing: Vec<bool> =
                    decided.iter().filter(|o| o.decision.score >= threshold).map(|o| o.converted).collect();
                let hits = passing.iter().filter(|c| **c).count();
                ThresholdPoint {
                    threshold,
                    passing: passing.len(),
                    precision: rate(hits, passing.len()),
                    recall: rate(hits, converted),
                }
            })
            .collect();
        Calibration { leads: decided.len(), converted, rules, sweep }
    }

    /// The lowest threshold (so the most leads, the best recall) whose
    /// precision reaches `target`; `None` if none does.
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
        self.sweep.iter().find(|p| p.passing > 0 && p.precision >= target).map(|p| p.threshold)
    }

    /// The highest threshold (so the fewest leads, the best precision) that
    /// still passes at least `target` of the converting leads.
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
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn threshold_for_recall(&self, target: f64) -> Option<i64> {
        self.sweep.iter().rev().find(|p| p.recall >= target).map(|p| p.threshold)
    }
}

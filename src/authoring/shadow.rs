//! Shadow evaluation: what a candidate pack would change, against the live
//! one, over the same leads, and, given what became of those leads, what
//! the change would have done to them.
//!
//! The file is long for its doc examples, one per public item; the code is
//! under 460 lines.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calibration::Outcome;
use crate::decision::{Contribution, PackId};
use crate::{CriterionStatus, Decision, EvalError, Lead, Qualifier, Text};

/// A part of a decision that changes someone's work when it changes.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::authoring::{Field, shadow_compare};
/// # let live = Qualifier::new(&Pack::b2b_bant())?;
/// // The candidate asks for a larger budget: a 40,000 budget no longer meets it.
/// let candidate = Qualifier::builder(&Pack::b2b_bant()).param("min_budget", 50000).build()?;
/// let lead = Lead::from_json(r#"{"id": "a", "created_at": "2026-11-01T00:00:00Z",
///     "qualification": {"budget": {"amount": 40000, "currency": "EUR"}}}"#)?;
/// let report = shadow_compare(&live, &candidate, &[lead], "2026-11-23T00:00:00Z".parse()?);
/// assert_eq!(report.changes[0].fields, [Field::Criterion("budget".into())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// The lead (or account) starts or stops being handed off.
    Handoff,
    /// Both packs hand the lead off, in different stages (`mql`, `sql`).
    HandoffStage,
    /// An account's buying group handed to sales differs (accounts only).
    BuyingGroup,
    /// The recommended stage.
    Stage,
    /// The status (met, not met, unknown) of the named criterion; a
    /// criterion only one pack's framework has counts as changed.
    Criterion(Text),
    /// The fit grade.
    Grade,
    /// The temperature.
    Temperature,
    /// The lead starts or stops being disqualified.
    Disqualified,
    /// The score.
    Score,
}

impl Field {
    /// The position of its variant, for sorting.
    pub(super) fn order(&self) -> usize {
        match self {
            Field::Handoff => 0,
            Field::HandoffStage => 1,
            Field::BuyingGroup => 2,
            Field::Stage => 3,
            Field::Criterion(_) => 4,
            Field::Grade => 5,
            Field::Temperature => 6,
            Field::Disqualified => 7,
            Field::Score => 8,
        }
    }
}

impl fmt::Display for Field {
    /// As reports name it: `handoff`, `criterion budget`...
    ///
    /// ```
    /// use leadgate::authoring::Field;
    /// assert_eq!(Field::Criterion("budget".into()).to_string(), "criterion budget");
    /// assert_eq!(Field::HandoffStage.to_string(), "handoff stage");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Handoff => f.write_str("handoff"),
            Field::HandoffStage => f.write_str("handoff stage"),
            Field::BuyingGroup => f.write_str("buying group"),
            Field::Stage => f.write_str("stage"),
            Field::Criterion(name) => write!(f, "criterion {name}"),
            Field::Grade => f.write_str("grade"),
            Field::Temperature => f.write_str("temperature"),
            Field::Disqualified => f.write_str("disqualification"),
            Field::Score => f.write_str("score"),
        }
    }
}

/// How one lead's decision differs between the live and the candidate pack.
///
/// ```
/// # use leadgate::{Grade, Lead, Pack, Qualifier};
/// use leadgate::authoring::{Field, shadow_compare};
/// # let live = Qualifier::new(&Pack::b2b_bant())?;
/// // The candidate targets retail instead of the default industries.
/// let candidate =
///     Qualifier::builder(&Pack::b2b_bant()).param("target_industries", vec!["retail"]).build()?;
/// # let lead = |id: &str, industry: &str| Lead::from_json(&format!(
/// #     r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
/// #         "company": {{"industry": "{industry}"}}}}"#));
/// # let as_of = "2026-11-23T00:00:00Z".parse()?;
/// let report = shadow_compare(&live, &candidate, &[lead("a", "retail")?], as_of);
/// let change = &report.changes[0];
/// assert_eq!(change.lead_id, "a");
/// assert_eq!(change.fields, [Field::Grade, Field::Score]);
/// assert_eq!((change.before.score, change.after.score), (0, 15));
/// assert_eq!((change.before.grade, change.after.grade), (Some(Grade::F), Some(Grade::D)));
/// let added: Vec<&str> = change.added.iter().map(|c| c.reason.as_str()).collect();
/// assert_eq!(added, ["In a target industry"]);
/// assert_eq!(change.removed.len(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LeadChange {
    /// The lead.
    pub lead_id: Text,
    /// What changed, in the order of [`Field`]'s variants (criteria in the
    /// live pack's framework order); never empty.
    pub fields: Vec<Field>,
    /// The live pack's decision.
    pub before: Decision,
    /// The candidate pack's decision.
    pub after: Decision,
    /// Contributions only the candidate awards.
    pub added: Vec<Contribution>,
    /// Contributions only the live pack awards.
    pub removed: Vec<Contribution>,
}

impl LeadChange {
    /// The change in score, saturating: a change past `i64`'s range (scores
    /// at opposite extremes) is reported at the bound, in the right bucket.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// use leadgate::authoring::shadow_compare;
    /// # let live = Qualifier::new(&Pack::b2b_bant())?;
    /// // The candidate targets retail instead of the default industries.
    /// let candidate =
    ///     Qualifier::builder(&Pack::b2b_bant()).param("target_industries", vec!["retail"]).build()?;
    /// # let lead = |id: &str, industry: &str| Lead::from_json(&format!(
    /// #     r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
    /// #         "company": {{"industry": "{industry}"}}}}"#));
    /// # let as_of = "2026-11-23T00:00:00Z".parse()?;
    /// let leads = [lead("a", "retail")?, lead("b", "software")?];
    /// let report = shadow_compare(&live, &candidate, &leads, as_of);
    /// let deltas: Vec<i64> = report.changes.iter().map(|c| c.score_delta()).collect();
    /// assert_eq!(deltas, [15, -15]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn score_delta(&self) -> i64 {
        self.after.score.saturating_sub(self.before.score)
    }
}

/// A lead one pack or both could not decide: which, and why.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::authoring::shadow_compare;
///
/// let live = Qualifier::new(&Pack::b2b_bant())?;
/// // The candidate adds a rule that fails on leads without an industry.
/// let candidate = Qualifier::new(&Pack::from_script("strict", r#"if lead.industry == "" { throw "no industry" }"#)?)?;
/// let lead = Lead::new("a", "2026-11-01T00:00:00Z".parse()?);
/// let report = shadow_compare(&live, &candidate, &[lead], "2026-11-23T00:00:00Z".parse()?);
/// let failure = &report.failed[0];
/// assert_eq!(failure.lead_id, "a");
/// assert!(failure.live.is_none()); // the live pack decided it
/// assert_eq!(failure.candidate.as_ref().unwrap().message(), "no industry");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Failure {
    /// The lead.
    pub lead_id: Text,
    /// Why the live pack could not decide it, if it could not.
    pub live: Option<EvalError>,
    /// Why the candidate pack could not decide it, if it could not.
    pub candidate: Option<EvalError>,
}

/// One pack's handoffs held against outcomes: precision and recall with the
/// counts behind them. Leads whose outcome is unknown count nowhere.
///
/// ```
/// use leadgate::authoring::Rates;
/// # use leadgate::{Lead, Pack, Qualifier};
/// # use leadgate::calibration::Outcome;
/// # let live = Qualifier::new(&Pack::b2b_bant())?;
/// # let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
/// # let lead = |id: &str| Lead::from_json(&format!(r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
/// #     "company": {{"industry": "software", "employees": 300}}, "person": {{"seniority": "vp"}}}}"#));
/// # let leads = [lead("a")?, lead("b")?];
/// # let outcome = |l: &Lead| if l.id == "a" { Outcome::Converted } else { Outcome::NotConverted };
/// # let report = leadgate::authoring::shadow_compare_with_outcomes(
/// #     &live, &candidate, &leads, "2026-11-23T00:00:00Z".parse()?, outcome);
/// // Two leads scoring 42, one converted: the live pack (MQL at 60) hands
/// // off neither, the candidate (MQL at 40) both.
/// let judged = report.outcomes.unwrap();
/// let Rates { hits, handed_off, converted, .. } = judged.candidate;
/// assert_eq!((hits, handed_off, converted), (1, 2, 1));
/// assert_eq!((judged.candidate.precision(), judged.candidate.recall()), (Some(0.5), Some(1.0)));
/// assert_eq!((judged.live.precision(), judged.live.recall()), (None, Some(0.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rates {
    /// Leads handed off that converted.
    pub hits: usize,
    /// Leads handed off whose outcome is known (converted or not).
    pub handed_off: usize,
    /// Leads that converted, handed off or not.
    pub converted: usize,
}

impl Rates {
    /// `hits / handed_off`: of the leads this pack sends to sales (with a
    /// known outcome), the share that converted; `None` when it sends none.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # use leadgate::calibration::Outcome;
    /// # let live = Qualifier::new(&Pack::b2b_bant())?;
    /// # let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
    /// # let lead = |id: &str| Lead::from_json(&format!(r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
    /// #     "company": {{"industry": "software", "employees": 300}}, "person": {{"seniority": "vp"}}}}"#));
    /// # let leads = [lead("a")?, lead("b")?, lead("c")?];
    /// // a converted, b did not, c is unknown; the candidate hands off all three.
    /// let outcome = |l: &Lead| match l.id.as_str() {
    ///     "a" => Outcome::Converted,
    ///     "b" => Outcome::NotConverted,
    ///     _ => Outcome::Unknown,
    /// };
    /// # let report = leadgate::authoring::shadow_compare_with_outcomes(
    /// #     &live, &candidate, &leads, "2026-11-23T00:00:00Z".parse()?, outcome);
    /// assert_eq!(report.outcomes.unwrap().candidate.precision(), Some(0.5)); // c counts nowhere
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn precision(&self) -> Option<f64> {
        ratio(self.hits, self.handed_off)
    }

    /// `hits / converted`: of the leads that converted, the share this pack
    /// sends to sales; `None` when none converted.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # use leadgate::calibration::Outcome;
    /// # let live = Qualifier::new(&Pack::b2b_bant())?;
    /// # let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
    /// # let lead = |id: &str| Lead::from_json(&format!(r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
    /// #     "company": {{"industry": "software", "employees": 300}}, "person": {{"seniority": "vp"}}}}"#));
    /// # let leads = [lead("a")?];
    /// # let report = leadgate::authoring::shadow_compare_with_outcomes(
    /// #     &live, &candidate, &leads, "2026-11-23T00:00:00Z".parse()?, |_: &Lead| Outcome::Converted);
    /// // One converted lead at 42 points: held back at 60, handed off at 40.
    /// let judged = report.outcomes.unwrap();
    /// assert_eq!((judged.live.recall(), judged.candidate.recall()), (Some(0.0), Some(1.0)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recall(&self) -> Option<f64> {
        ratio(self.hits, self.converted)
    }
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// What the candidate would have done to leads whose outcome is known, and
/// both packs' precision and recall on the same leads.
///
/// Leads whose outcome is [`Outcome::Unknown`] are counted in `unknown` and
/// nowhere else. Beware selection bias: when outcomes are known only for the
/// leads the live pack handed off (sales never sees the rest), every
/// converted lead was handed off by the live pack, so its recall is 1 by
/// construction and the leads only the candidate hands off are all unknown.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::authoring::shadow_compare_with_outcomes;
/// use leadgate::calibration::Outcome;
///
/// let live = Qualifier::new(&Pack::b2b_bant())?;
/// let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
/// let lead = |id: &str, employees: u32| Lead::from_json(&format!(
///     r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z", "person": {{"seniority": "vp"}},
///         "company": {{"industry": "software", "employees": {employees}}}}}"#));
/// // 42 points with 300 employees (handed off only by the candidate), 35 with 100 (by neither).
/// let leads = [lead("won", 300)?, lead("lost", 300)?, lead("won-small", 100)?, lead("quiet", 300)?];
/// let outcome = |l: &Lead| match l.id.as_str() {
///     "won" | "won-small" => Outcome::Converted,
///     "lost" => Outcome::NotConverted,
///     _ => Outcome::Unknown,
/// };
/// let report = shadow_compare_with_outcomes(&live, &candidate, &leads, "2026-11-23T00:00:00Z".parse()?, outcome);
/// let judged = report.outcomes.unwrap();
/// assert_eq!((judged.converted, judged.not_converted, judged.unknown), (2, 1, 1));
/// assert_eq!(judged.converted_newly_handed_off, ["won"]);
/// assert_eq!(judged.not_converted_newly_handed_off, ["lost"]);
/// assert!(judged.converted_newly_held_back.is_empty() && judged.not_converted_newly_held_back.is_empty());
/// assert_eq!((judged.live.hits, judged.live.handed_off, judged.live.converted), (0, 0, 2));
/// assert_eq!((judged.candidate.hits, judged.candidate.handed_off, judged.candidate.converted), (1, 2, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgainstOutcomes {
    /// Decided leads (by both packs) that converted.
    pub converted: usize,
    /// Decided leads that did not convert.
    pub not_converted: usize,
    /// Decided leads whose outcome is unknown: in no other number here.
    pub unknown: usize,
    /// Converted leads the candidate hands off and the live pack does not:
    /// sales gains them.
    pub converted_newly_handed_off: Vec<Text>,
    /// Converted leads the live pack hands off and the candidate does not:
    /// sales would have missed them.
    pub converted_newly_held_back: Vec<Text>,
    /// Leads that did not convert, handed off only by the candidate: wasted
    /// sales time.
    pub not_converted_newly_handed_off: Vec<Text>,
    /// Leads that did not convert, handed off only by the live pack: sales
    /// time saved.
    pub not_converted_newly_held_back: Vec<Text>,
    /// The live pack's handoffs against the outcomes.
    pub live: Rates,
    /// The candidate's handoffs against the same outcomes.
    pub candidate: Rates,
}

/// What a candidate pack would change over a batch of leads.
///
/// Each count is the number of leads (decided by both packs) on which that
/// part of the decision differs; a lead counts once per part that changed,
/// and is in [`changes`](Comparison::changes) when any part did.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
///
/// let live = Qualifier::new(&Pack::b2b_bant())?;
/// let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
/// let leads = [Lead::from_json(
///     r#"{"id": "a", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "software", "employees": 300},
///         "person": {"seniority": "vp"}}"#,
/// )?];
/// let report = leadgate::authoring::shadow_compare(&live, &candidate, &leads, "2026-11-23T00:00:00Z".parse()?);
/// assert_eq!(report.handoff_changes, 1); // 42 points: not an MQL at 60, an MQL at 40
/// assert_eq!((report.stage_changes, report.score_changes, report.grade_changes), (1, 0, 0));
/// assert_eq!((report.handoff_stage_changes, report.temperature_changes, report.disqualification_changes), (0, 0, 0));
/// let criteria: Vec<(&str, usize)> = report.criterion_changes.iter().map(|(n, c)| (n.as_str(), *c)).collect();
/// assert_eq!(criteria, [("budget", 0), ("authority", 0), ("need", 0), ("timeline", 0)]);
/// assert_eq!(report.changes[0].after.stage, leadgate::Stage::Mql);
/// // The same pack, other parameters: the header tells them apart by the parameters' hash.
/// assert_eq!((report.live.hash.as_str(), report.live.name.as_str()), (Pack::b2b_bant().hash(), "b2b-bant"));
/// assert_eq!(report.candidate.hash, report.live.hash);
/// assert_ne!(report.candidate.params_hash, report.live.params_hash);
/// assert!(report.outcomes.is_none()); // see `shadow_compare_with_outcomes`
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Comparison {
    /// The live pack.
    pub live: Arc<PackId>,
    /// The candidate pack.
    pub candidate: Arc<PackId>,
    /// Leads compared.
    pub leads: usize,
    /// Leads either pack could not decide (left out of every other number).
    pub failed: Vec<Failure>,
    /// Leads that start or stop being handed off.
    pub handoff_changes: usize,
    /// Leads both packs hand off, in different stages.
    pub handoff_stage_changes: usize,
    /// Leads whose recommended stage changes.
    pub stage_changes: usize,
    /// For each criterion (the live pack's, then any only the candidate
    /// has), how many leads' status of it changes; empty when no lead was
    /// decided.
    pub criterion_changes: Vec<(Text, usize)>,
    /// Leads whose grade changes.
    pub grade_changes: usize,
    /// Leads whose temperature changes.
    pub temperature_changes: usize,
    /// Leads that start or stop being disqualified.
    pub disqualification_changes: usize,
    /// Leads whose score changes.
    pub score_changes: usize,
    /// Every lead with any change, in input order.
    pub changes: Vec<LeadChange>,
    /// How many leads' scores moved by how much, from the largest drop to
    /// the largest rise.
    pub score_deltas: Vec<ScoreBucket>,
    /// The changes held against outcomes, when outcomes were given
    /// ([`shadow_compare_with_outcomes`]).
    pub outcomes: Option<AgainstOutcomes>,
}

/// A range of score changes and how many leads fell in it.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::authoring::shadow_compare;
/// # let live = Qualifier::new(&Pack::b2b_bant())?;
/// // The candidate targets retail instead of the default industries.
/// let candidate =
///     Qualifier::builder(&Pack::b2b_bant()).param("target_industries", vec!["retail"]).build()?;
/// # let lead = |id: &str, industry: &str| Lead::from_json(&format!(
/// #     r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
/// #         "company": {{"industry": "{industry}"}}}}"#));
/// # let as_of = "2026-11-23T00:00:00Z".parse()?;
/// let leads = [lead("a", "retail")?, lead("b", "software")?, lead("c", "energy")?];
/// let report = shadow_compare(&live, &candidate, &leads, as_of);
/// let moved: Vec<(&str, usize)> =
///     report.score_deltas.iter().filter(|b| b.count > 0).map(|b| (b.label, b.count)).collect();
/// assert_eq!(moved, [("-19 to -10", 1), ("unchanged", 1), ("+10 to +19", 1)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScoreBucket {
    /// The range, as shown: `"-9 to -1"`, `"unchanged"`, `"+20 or more"`.
    pub label: &'static str,
    /// Leads whose score changed by an amount in the range.
    pub count: usize,
}

const BUCKETS: [(&str, i64, i64); 7] = [
    ("-20 or less", i64::MIN, -20),
    ("-19 to -10", -19, -10),
    ("-9 to -1", -9, -1),
    ("unchanged", 0, 0),
    ("+1 to +9", 1, 9),
    ("+10 to +19", 10, 19),
    ("+20 or more", 20, i64::MAX),
];

/// Decides every lead with both packs and reports the differences.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::authoring::shadow_compare;
/// # let live = Qualifier::new(&Pack::b2b_bant())?;
/// // The candidate targets retail instead of the default industries.
/// let candidate =
///     Qualifier::builder(&Pack::b2b_bant()).param("target_industries", vec!["retail"]).build()?;
/// # let lead = |id: &str, industry: &str| Lead::from_json(&format!(
/// #     r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
/// #         "company": {{"industry": "{industry}"}}}}"#));
/// # let as_of = "2026-11-23T00:00:00Z".parse()?;
/// let leads = [
///     lead("a", "retail")?,
///     lead("b", "software")?,
///     Lead::new("c", "2026-12-01T00:00:00Z".parse()?), // created after `as_of`: cannot be decided
/// ];
/// let report = shadow_compare(&live, &candidate, &leads, as_of);
/// assert_eq!((report.leads, report.changes.len(), report.failed.len()), (3, 2, 1));
/// assert_eq!(report.failed[0].lead_id, "c");
/// assert_eq!((report.stage_changes, report.handoff_changes, report.score_changes), (0, 0, 2));
/// assert_eq!(
///     report.to_string().lines().nth(1),
///     Some("3 leads: 2 changed, 0 unchanged, 1 failed")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn shadow_compare(
    live: &Qualifier,
    candidate: &Qualifier,
    leads: &[Lead],
    as_of: DateTime<Utc>,
) -> Comparison {
    compare(live, candidate, leads, as_of, None::<fn(&Lead) -> Outcome>)
}

/// [`shadow_compare`], and what the candidate would have done to leads
/// whose outcome `outcome` tells ([`Comparison::outcomes`]).
///
/// `outcome` is asked once for each lead both packs decide.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::authoring::shadow_compare_with_outcomes;
/// use leadgate::calibration::Outcome;
///
/// let live = Qualifier::new(&Pack::b2b_bant())?;
/// let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
/// let lead = Lead::from_json(r#"{"id": "a", "created_at": "2026-11-01T00:00:00Z",
///     "company": {"industry": "software", "employees": 300}, "person": {"seniority": "vp"}}"#)?;
/// let won = ["a"];
/// let report = shadow_compare_with_outcomes(&live, &candidate, &[lead], "2026-11-23T00:00:00Z".parse()?,
///     |l: &Lead| Outcome::from(won.contains(&l.id.as_str())));
/// assert_eq!(report.outcomes.unwrap().converted_newly_handed_off, ["a"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn shadow_compare_with_outcomes(
    live: &Qualifier,
    candidate: &Qualifier,
    leads: &[Lead],
    as_of: DateTime<Utc>,
    outcome: impl FnMut(&Lead) -> Outcome,
) -> Comparison {
    compare(live, candidate, leads, as_of, Some(outcome))
}

fn compare(
    live: &Qualifier,
    candidate: &Qualifier,
    leads: &[Lead],
    as_of: DateTime<Utc>,
    mut outcome: Option<impl FnMut(&Lead) -> Outcome>,
) -> Comparison {
    let mut criteria: Vec<(Text, usize)> = Vec::new();
    let mut report = Comparison {
        live: Arc::new(live.pack().clone()),
        candidate: Arc::new(candidate.pack().clone()),
        leads: leads.len(),
        failed: Vec::new(),
        handoff_changes: 0,
        handoff_stage_changes: 0,
        stage_changes: 0,
        criterion_changes: Vec::new(),
        grade_changes: 0,
        temperature_changes: 0,
        disqualification_changes: 0,
        score_changes: 0,
        changes: Vec::new(),
        score_deltas: BUCKETS.iter().map(|&(label, ..)| ScoreBucket { label, count: 0 }).collect(),
        outcomes: None,
    };
    let mut judged = outcome.as_ref().map(|_| AgainstOutcomes {
        converted: 0,
        not_converted: 0,
        unknown: 0,
        converted_newly_handed_off: Vec::new(),
        converted_newly_held_back: Vec::new(),
        not_converted_newly_handed_off: Vec::new(),
        not_converted_newly_held_back: Vec::new(),
        live: Rates { hits: 0, handed_off: 0, converted: 0 },
        candidate: Rates { hits: 0, handed_off: 0, converted: 0 },
    });
    let before = live.evaluate_batch(leads, as_of);
    let after = candidate.evaluate_batch(leads, as_of);
    for (lead, (before, after)) in leads.iter().zip(before.into_iter().zip(after)) {
        let (before, after) = match (before, after) {
            (Ok(b), Ok(a)) => (b, a),
            (b, a) => {
                let lead_id = lead.id.clone();
                report.failed.push(Failure { lead_id, live: b.err(), candidate: a.err() });
                continue;
            }
        };
        let delta = after.score.saturating_sub(before.score);
        if let Some(i) = BUCKETS.iter().position(|(_, lo, hi)| (*lo..=*hi).contains(&delta)) {
            report.score_deltas[i].count += 1;
        }
        let fields = changed(&before, &after, &mut criteria);
        for field in &fields {
            let count = match field {
                Field::Handoff => &mut report.handoff_changes,
                Field::HandoffStage => &mut report.handoff_stage_changes,
                // Never for leads.
                Field::BuyingGroup => continue,
                Field::Stage => &mut report.stage_changes,
                Field::Criterion(_) => continue, // counted by `changed`
                Field::Grade => &mut report.grade_changes,
                Field::Temperature => &mut report.temperature_changes,
                Field::Disqualified => &mut report.disqualification_changes,
                Field::Score => &mut report.score_changes,
            };
            *count += 1;
        }
        if let (Some(judged), Some(outcome)) = (&mut judged, &mut outcome) {
            judge(judged, outcome(lead), &lead.id, before.handoff.is_some(), after.handoff.is_some());
        }
        if !fields.is_empty() {
            let added = only_in(&after.contributions, &before.contributions);
            let removed = only_in(&before.contributions, &after.contributions);
            report.changes.push(LeadChange {
                lead_id: lead.id.clone(),
                fields,
                before,
                after,
                added,
                removed,
            });
        }
    }
    report.criterion_changes = criteria;
    report.outcomes = judged;
    report
}

/// What differs between two decisions of one lead. Adds the criteria either
/// has to `criteria` (each once, in order of first appearance) and counts
/// the changed ones there; the other counts are the caller's.
fn changed(before: &Decision, after: &Decision, criteria: &mut Vec<(Text, usize)>) -> Vec<Field> {
    let mut fields = Vec::new();
    let (handoff, handoff_after) = (before.handoff.as_ref(), after.handoff.as_ref());
    if handoff.is_some() != handoff_after.is_some() {
        fields.push(Field::Handoff);
    }
    if let (Some(b), Some(a)) = (handoff, handoff_after)
        && b.stage != a.stage
    {
        fields.push(Field::HandoffStage);
    }
    if before.stage != after.stage {
        fields.push(Field::Stage);
    }
    let status = |d: &Decision, name: &str| d.criteria.get(name).map(|c| c.status);
    for (name, _) in before.criteria.iter().chain(after.criteria.iter()) {
        if !criteria.iter().any(|(n, _)| n == name) {
            criteria.push((name.into(), 0));
        }
    }
    for (name, count) in criteria.iter_mut() {
        if status(before, name) != status(after, name) {
            *count += 1;
            fields.push(Field::Criterion(name.clone()));
        }
    }
    if before.grade != after.grade {
        fields.push(Field::Grade);
    }
    if before.temperature != after.temperature {
        fields.push(Field::Temperature);
    }
    if before.disqualified.is_some() != after.disqualified.is_some() {
        fields.push(Field::Disqualified);
    }
    if before.score != after.score {
        fields.push(Field::Score);
    }
    fields
}

/// Counts one lead's outcome against both packs' handoffs.
fn judge(judged: &mut AgainstOutcomes, outcome: Outcome, id: &Text, live: bool, candidate: bool) {
    let converted = match outcome {
        Outcome::Converted => true,
        Outcome::NotConverted => false,
        Outcome::Unknown => {
            judged.unknown += 1;
            return;
        }
    };
    *if converted { &mut judged.converted } else { &mut judged.not_converted } += 1;
    for (rates, handed_off) in [(&mut judged.live, live), (&mut judged.candidate, candidate)] {
        rates.converted += usize::from(converted);
        rates.handed_off += usize::from(handed_off);
        rates.hits += usize::from(handed_off && converted);
    }
    let list = match (converted, live, candidate) {
        (true, false, true) => &mut judged.converted_newly_handed_off,
        (true, true, false) => &mut judged.converted_newly_held_back,
        (false, false, true) => &mut judged.not_converted_newly_handed_off,
        (false, true, false) => &mut judged.not_converted_newly_held_back,
        _ => return,
    };
    list.push(id.clone());
}

/// The contributions of `a` that `b` does not have (as a multiset).
pub(super) fn only_in(a: &[Contribution], b: &[Contribution]) -> Vec<Contribution> {
    let mut rest: Vec<&Contribution> = b.iter().collect();
    a.iter()
        .filter(|c| match rest.iter().position(|r| r == c) {
            Some(i) => {
                rest.swap_remove(i);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

/// A pack as the header shows it: name, version, and short hashes of its
/// content and of its parameters.
pub(super) struct Short<'a>(pub(super) &'a PackId);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |h: &str| h.chars().take(12).collect::<String>();
        let p = self.0;
        write!(f, "{} {} (pack {}, params {})", p.name, p.version, short(&p.hash), short(&p.params_hash))
    }
}

/// `hits/of (percent)`, or `-` when `of` is zero.
fn rate(hits: usize, of: usize) -> String {
    match ratio(hits, of) {
        Some(r) => format!("{hits}/{of} ({:.1}%)", r * 100.0),
        None => format!("{hits}/{of} (-)"),
    }
}

/// At most ten ids, then how many more.
fn ids(list: &[Text]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let shown: Vec<&str> = list.iter().take(10).map(Text::as_str).collect();
    let more = list.len().saturating_sub(10);
    let more = if more > 0 { format!(", and {more} more") } else { String::new() };
    format!(" ({}{more})", shown.join(", "))
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} -> {}", Short(&self.live), Short(&self.candidate))?;
        let decided = self.leads - self.failed.len();
        writeln!(
            f,
            "{} leads: {} changed, {} unchanged, {} failed",
            self.leads,
            self.changes.len(),
            decided - self.changes.len(),
            self.failed.len()
        )?;
        writeln!(f, "leads changed, by what changed:")?;
        let mut counts: Vec<(String, usize)> = vec![
            ("handoff".into(), self.handoff_changes),
            ("handoff stage".into(), self.handoff_stage_changes),
            ("stage".into(), self.stage_changes),
        ];
        counts.extend(self.criterion_changes.iter().map(|(name, n)| (format!("criterion {name}"), *n)));
        counts.extend([
            ("grade".into(), self.grade_changes),
            ("temperature".into(), self.temperature_changes),
            ("disqualification".into(), self.disqualification_changes),
            ("score".into(), self.score_changes),
        ]);
        let width = counts.iter().map(|(label, _)| label.len()).max().unwrap_or(0) + 1;
        for (label, n) in counts {
            writeln!(f, "  {:<width$} {n}", format!("{label}:"))?;
        }
        writeln!(f, "score changes:")?;
        for ScoreBucket { label, count } in &self.score_deltas {
            writeln!(f, "  {:<12} {count}", format!("{label}:"))?;
        }
        if let Some(o) = &self.outcomes {
            writeln!(
                f,
                "against outcomes: {} converted, {} not converted, {} unknown (in no number below)",
                o.converted, o.not_converted, o.unknown
            )?;
            for (label, list) in [
                ("converted, newly handed off", &o.converted_newly_handed_off),
                ("converted, newly held back", &o.converted_newly_held_back),
                ("not converted, newly handed off", &o.not_converted_newly_handed_off),
                ("not converted, newly held back", &o.not_converted_newly_held_back),
            ] {
                writeln!(f, "  {label}: {}{}", list.len(), ids(list))?;
            }
            let (l, c) = (&o.live, &o.candidate);
            writeln!(
                f,
                "  precision: live {}, candidate {}",
                rate(l.hits, l.handed_off),
                rate(c.hits, c.handed_off)
            )?;
            writeln!(
                f,
                "  recall:    live {}, candidate {}",
                rate(l.hits, l.converted),
                rate(c.hits, c.converted)
            )?;
        }
        if !self.changes.is_empty() {
            writeln!(f, "changed leads:")?;
        }
        for c in &self.changes {
            write!(
                f,
                "{}: score {} -> {} ({:+})",
                c.lead_id,
                c.before.score,
                c.after.score,
                c.score_delta()
            )?;
            let handoff = |d: &Decision| d.handoff.as_ref().map_or("none", |h| h.stage.as_str());
            let opt = |s: Option<&'static str>| s.unwrap_or("none");
            for field in &c.fields {
                let (b, a) = (&c.before, &c.after);
                match field {
                    Field::Handoff | Field::HandoffStage | Field::BuyingGroup => {
                        write!(f, "; handoff {} -> {}", handoff(b), handoff(a))?
                    }
                    Field::Stage => write!(f, "; stage {} -> {}", b.stage, a.stage)?,
                    Field::Criterion(name) => {
                        let status = |d: &Decision| d.criteria.get(name).map(|x| x.status);
                        let show = |s: Option<CriterionStatus>| opt(s.map(|s| s.as_str()));
                        write!(f, "; {name} {} -> {}", show(status(b)), show(status(a)))?
                    }
                    Field::Grade => write!(
                        f,
                        "; grade {} -> {}",
                        opt(b.grade.map(|g| g.as_str())),
                        opt(a.grade.map(|g| g.as_str()))
                    )?,
                    Field::Temperature => write!(
                        f,
                        "; temperature {} -> {}",
                        opt(b.temperature.map(|t| t.as_str())),
                        opt(a.temperature.map(|t| t.as_str()))
                    )?,
                    Field::Disqualified => {
                        let dq = |d: &Decision| if d.disqualified.is_some() { "yes" } else { "no" };
                        write!(f, "; disqualified {} -> {}", dq(b), dq(a))?
                    }
                    Field::Score => {}
                }
            }
            writeln!(f)?;
            for (sign, list) in [("+", &c.added), ("-", &c.removed)] {
                for x in list.iter() {
                    writeln!(f, "    {sign} {:+} {} ({})", x.points, x.reason, x.rule)?;
                }
            }
        }
        for failure in &self.failed {
            for (pack, error) in [("live", &failure.live), ("candidate", &failure.candidate)] {
                if let Some(error) = error {
                    writeln!(f, "{}: failed with the {pack} pack: {}", failure.lead_id, error.message())?;
                }
            }
        }
        Ok(())
    }
}

//! Shadow evaluation: what a candidate pack would change, against the live
//! one, over the same leads.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::decision::Contribution;
use crate::{Decision, EvalError, Lead, Qualifier, Stage, Text};

/// How one lead's decision differs between the live and the candidate pack.
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
/// let report = shadow_compare(&live, &candidate, &[lead("a", "retail")?], as_of);
/// let change = &report.changes[0];
/// assert_eq!(change.lead_id, "a");
/// assert_eq!((change.before.score, change.after.score), (0, 15));
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

/// What a candidate pack would change over a batch of leads.
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
/// assert_eq!(report.changes[0].after.stage, leadgate::Stage::Mql);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Comparison {
    /// Leads compared.
    pub leads: usize,
    /// Leads either pack could not decide (left out of the rest).
    pub failed: Vec<EvalError>,
    /// Leads whose recommended stage changes.
    pub stage_changes: usize,
    /// Leads that start or stop being handed off.
    pub handoff_changes: usize,
    /// Every lead whose stage, handoff or score changes, in input order.
    pub changes: Vec<LeadChange>,
    /// How many leads' scores moved by how much, from the largest drop to
    /// the largest rise.
    pub score_deltas: Vec<ScoreBucket>,
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
/// assert_eq!(report.failed[0].lead_id(), "c");
/// assert_eq!((report.stage_changes, report.handoff_changes), (0, 0));
/// assert_eq!(
///     report.to_string().lines().next(),
///     Some("3 leads: 0 change stage, 0 change handoff, 2 change score, 1 failed")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn shadow_compare(
    live: &Qualifier,
    candidate: &Qualifier,
    leads: &[Lead],
    as_of: DateTime<Utc>,
) -> Comparison {
    let mut report = Comparison {
        leads: leads.len(),
        failed: Vec::new(),
        stage_changes: 0,
        handoff_changes: 0,
        changes: Vec::new(),
        score_deltas: BUCKETS.iter().map(|&(label, ..)| ScoreBucket { label, count: 0 }).collect(),
    };
    let before = live.evaluate_batch(leads, as_of);
    let after = candidate.evaluate_batch(leads, as_of);
    for (lead, (before, after)) in leads.iter().zip(before.into_iter().zip(after)) {
        let (before, after) = match (before, after) {
            (Ok(b), Ok(a)) => (b, a),
            (Err(e), _) | (_, Err(e)) => {
                report.failed.push(e);
                continue;
            }
        };
        let delta = after.score.saturating_sub(before.score);
        if let Some(i) = BUCKETS.iter().position(|(_, lo, hi)| (*lo..=*hi).contains(&delta)) {
            report.score_deltas[i].count += 1;
        }
        let stage_changed = before.stage != after.stage;
        let handoff_changed = before.handoff.is_some() != after.handoff.is_some();
        report.stage_changes += usize::from(stage_changed);
        report.handoff_changes += usize::from(handoff_changed);
        if stage_changed || handoff_changed || delta != 0 {
            let added = only_in(&after.contributions, &before.contributions);
            let removed = only_in(&before.contributions, &after.contributions);
            report.changes.push(LeadChange { lead_id: lead.id.clone(), before, after, added, removed });
        }
    }
    report
}

/// The contributions of `a` that `b` does not have (as a multiset).
fn only_in(a: &[Contribution], b: &[Contribution]) -> Vec<Contribution> {
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

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} leads: {} change stage, {} change handoff, {} change score, {} failed",
            self.leads,
            self.stage_changes,
            self.handoff_changes,
            self.changes.iter().filter(|c| c.score_delta() != 0).count(),
            self.failed.len()
        )?;
        writeln!(f, "score changes:")?;
        for ScoreBucket { label, count } in &self.score_deltas {
            writeln!(f, "  {label:>12}: {count}")?;
        }
        for c in &self.changes {
            let handoff = |d: &Decision| if d.handoff.is_some() { "handoff" } else { "no handoff" };
            let stage = |s: Stage| s.as_str();
            writeln!(
                f,
                "{}: score {} -> {} ({:+}), {} -> {}, {} -> {}",
                c.lead_id,
                c.before.score,
                c.after.score,
                c.score_delta(),
                stage(c.before.stage),
                stage(c.after.stage),
                handoff(&c.before),
                handoff(&c.after)
            )?;
            for (sign, list) in [("+", &c.added), ("-", &c.removed)] {
                for x in list.iter() {
                    writeln!(f, "    {sign} {:+} {} ({})", x.points, x.reason, x.rule)?;
                }
            }
        }
        for error in &self.failed {
            writeln!(f, "{}: failed: {}", error.lead_id(), error.message())?;
        }
        Ok(())
    }
}

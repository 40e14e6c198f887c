//! The decision: scores, grade, temperature, criteria, recommended stage,
//! handoff, and every point that made them. Its JSON is a public contract.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lead::keyword::keyword_enum;
use crate::{Assessment, Grade, Stage, Temperature, Text};

keyword_enum! {
    /// Which score a contribution counts towards.
    ///
    /// ```
    /// use leadgate::decision::Category;
    /// assert_eq!(Category::Fit.as_str(), "fit");
    /// assert_eq!("negative".parse::<Category>()?, Category::Negative);
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub enum Category as "category" {
        /// Who they are: industry, size, role, country.
        Fit = "fit",
        /// What they did: touchpoints, decayed with age.
        Engagement = "engagement",
        /// Bad signals: unsubscribes, bounces, competitors, free-mail addresses.
        Negative = "negative",
    }
}

/// Points awarded (or taken away) by one rule, with the reason.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::decision::Category;
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "person": {"email": "kim@gmail.com"}, "company": {"industry": "software"}}"#)?;
/// let d = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
/// let shown: Vec<(i64, &str, Category, &str)> =
///     d.contributions.iter().map(|c| (c.points, c.reason.as_str(), c.category, c.rule.as_str())).collect();
/// assert_eq!(shown, [
///     (15, "In a target industry", Category::Fit, "fit"),
///     (-10, "Free-mail address", Category::Negative, "fit"),
/// ]);
/// // Both came from rows of the pack's `fit` table: the first and the eleventh.
/// let rows: Vec<Option<u32>> = d.contributions.iter().map(|c| c.row).collect();
/// assert_eq!(rows, [Some(1), Some(11)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contribution {
    /// The points; negative for the `negative` category and for caps.
    pub points: i64,
    /// Why, in words a sales rep understands.
    pub reason: Text,
    /// The score it counts towards.
    pub category: Category,
    /// The rule that awarded it (`points` for the pack's point table, `caps`
    /// for cap adjustments).
    pub rule: Text,
    /// The decision-table row that awarded it, counted from 1 in the order
    /// the table lists its rows; `None` for points from a script, the point
    /// table or the caps. Absent from the JSON when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// In an [account decision](crate::account::AccountDecision), the
    /// contact whose engagement this is; `None` for points the account
    /// earned itself, and always in a lead's decision. Absent from the JSON
    /// when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Text>,
}

/// The pack that made a decision.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// let pack = Pack::b2b_bant();
/// # let q = Qualifier::new(&pack)?;
/// # let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
/// let d = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
/// assert_eq!((d.pack.name.as_str(), d.pack.version.as_str()), ("b2b-bant", "1.0.0"));
/// assert_eq!(d.pack.hash, pack.hash());
/// assert_eq!(d.pack.params_hash.len(), 64); // hex SHA-256
/// assert_eq!(*d.pack, *q.pack());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PackId {
    /// The pack's name.
    pub name: Text,
    /// The pack's version.
    pub version: Text,
    /// The pack's content hash ([`Pack::hash`](crate::Pack::hash)).
    pub hash: Text,
    /// A SHA-256 of the effective parameters (defaults plus overrides), so
    /// that two tenants of one pack can be told apart.
    pub params_hash: Text,
}

/// A recommendation to hand the lead to sales now.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier, Stage};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
///     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// let d = q.evaluate(&lead, "2026-11-23T09:00:00Z".parse()?)?;
/// let handoff = d.handoff.unwrap();
/// assert_eq!(handoff.stage, Stage::Mql); // 2 of 4 BANT criteria met: not SQL-ready
/// assert_eq!(handoff.reason, "Score 70 reached the MQL threshold of 60");
/// assert_eq!(handoff.rule, None); // the engine's MQL threshold, not a rule
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Handoff {
    /// The stage sales receives it in (`mql` for acceptance, `sql` when it is
    /// already sales-ready).
    pub stage: Stage,
    /// Why now.
    pub reason: Text,
    /// The rule that decided it, or `None` when the engine derived it from
    /// the MQL threshold.
    pub rule: Option<Text>,
}

/// A statement with the rule that made it.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "person": {"email": "spy@rivalcrm.com"}}"#)?;
/// let d = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
/// let why = d.disqualified.unwrap();
/// assert_eq!((why.reason.as_str(), why.rule.as_str()), ("Works for a competitor", "screen"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleReason {
    /// Why.
    pub reason: Text,
    /// The rule that said it.
    pub rule: Text,
}

/// Why a lead is not handed off yet, and how far it is.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 300},
///     "qualification": {"timeline": "no_plans"}}"#)?;
/// let d = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
/// let gap = d.why_not_yet.unwrap();
/// assert_eq!((gap.threshold, gap.points_needed), (Some(60), Some(18))); // 42 points
/// assert_eq!(gap.unmet, ["timeline"]);
/// assert_eq!(gap.unknown, ["budget", "need"]);
/// assert_eq!(gap.held, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WhyNotYet {
    /// The MQL threshold, if the pack declares one.
    pub threshold: Option<i64>,
    /// Points still needed to reach it (0 when the score is there).
    pub points_needed: Option<i64>,
    /// Criteria known not to be met.
    pub unmet: Vec<Text>,
    /// Criteria not known yet: questions for the next conversation.
    pub unknown: Vec<Text>,
    /// A rule's explicit reason for holding the lead back, if any.
    pub held: Option<RuleReason>,
}

/// What the engine decided about one lead as of one time, and why.
///
/// Every point is in [`contributions`](Decision::contributions): `fit`,
/// `engagement` and `negative` are the sums of the contributions in each
/// category and `score` is the sum of all of them, exactly (points are whole
/// numbers).
///
/// The JSON form is a public contract, documented in the README:
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// let qualifier = Qualifier::new(&Pack::b2b_bant())?;
/// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z"}"#)?;
/// let decision = qualifier.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
/// let json = serde_json::to_value(&decision)?;
/// assert_eq!(json["lead_id"], "L-1");
/// assert_eq!(json["stage"], "lead");
/// assert!(json["handoff"].is_null());
/// assert_eq!(json["criteria"]["budget"]["status"], "unknown");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// The lead's id.
    pub lead_id: Text,
    /// The time the decision was made as of; touchpoints after it were ignored.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub as_of: DateTime<Utc>,
    /// The pack that made it.
    pub pack: Arc<PackId>,
    /// Fit score.
    pub fit: i64,
    /// Engagement score.
    pub engagement: i64,
    /// Negative points (zero or less).
    pub negative: i64,
    /// Total: `fit + engagement + negative`.
    pub score: i64,
    /// Fit grade, set by a rule or derived from the pack's grade thresholds.
    pub grade: Option<Grade>,
    /// Temperature, set by a rule or derived from the pack's thresholds.
    pub temperature: Option<Temperature>,
    /// One entry per criterion of the pack's framework (BANT by default).
    pub criteria: Assessment,
    /// The lead's stage as of `as_of`, read from its history: the stage the
    /// decision starts from. [`Workflow::hand_off`](crate::workflow::Workflow::hand_off)
    /// refuses a decision whose lead has moved since.
    pub lead_stage: Stage,
    /// The recommended stage.
    pub stage: Stage,
    /// Why that stage, when a rule said so.
    pub stage_reason: Option<Text>,
    /// Hand to sales now? `None` means not yet (see `why_not_yet`).
    pub handoff: Option<Handoff>,
    /// For a lead marketing still owns and is not handing off: the gap.
    pub why_not_yet: Option<WhyNotYet>,
    /// Set when a rule disqualified the lead.
    pub disqualified: Option<RuleReason>,
    /// Every point awarded, in the order it was awarded.
    pub contributions: Vec<Contribution>,
    /// The rules that did something (awarded points, set a criterion,
    /// decided something), in run order.
    pub fired: Vec<Text>,
    /// The rule that stopped evaluation early, if one did.
    pub stopped_by: Option<Text>,
}

impl Decision {
    /// The sum of the contributions in `category`.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # use leadgate::decision::Category;
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #     "company": {"industry": "software", "employees": 300}}"#)?;
    /// let d = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
    /// assert_eq!(d.total(Category::Fit), d.fit);
    /// assert_eq!(d.fit + d.engagement + d.negative, d.score);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn total(&self, category: Category) -> i64 {
        self.contributions.iter().filter(|c| c.category == category).map(|c| c.points).sum()
    }
}

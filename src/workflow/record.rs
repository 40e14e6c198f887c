//! Handoff records, where each stands, and the SLA numbers over them.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Rejection;
use crate::decision::PackId;
use crate::{Assessment, Stage, Text};

/// Where a handoff stands.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier, Stage};
/// # use leadgate::workflow::{Sla, Workflow};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let mut lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
/// #     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
/// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// # let now = "2026-11-23T09:00:00Z".parse()?;
/// # let workflow = Workflow::new(Sla::hours(24));
/// # let decision = q.evaluate(&lead, now)?;
/// # let mut handoff = workflow.hand_off(&mut lead, &decision, now)?.expect("handed off");
/// use leadgate::workflow::HandoffStatus;
/// assert_eq!(handoff.status, HandoffStatus::Open);
/// let later = "2026-11-23T11:00:00Z".parse()?;
/// workflow.accept(&mut lead, &mut handoff, later)?;
/// assert_eq!(handoff.status, HandoffStatus::Accepted { at: later });
/// let json = serde_json::to_string(&handoff.status)?;
/// assert_eq!(json, r#"{"status":"accepted","at":"2026-11-23T11:00:00Z"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HandoffStatus {
    /// Waiting for sales.
    Open,
    /// Sales accepted it (the lead is a SAL).
    Accepted {
        /// When.
        #[serde(with = "crate::lead::time::rfc3339")]
        at: DateTime<Utc>,
    },
    /// Sales rejected it.
    Rejected {
        /// When.
        #[serde(with = "crate::lead::time::rfc3339")]
        at: DateTime<Utc>,
        /// Why, from the taxonomy.
        reason: Rejection,
        /// Sales' own words.
        note: Option<Text>,
    },
}

/// One handoff from marketing to sales: the lead, when, the decision that
/// caused it, and the time by which sales must act.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier, Stage};
/// # use leadgate::workflow::{Sla, Workflow};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let mut lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
/// #     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
/// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// # let now = "2026-11-23T09:00:00Z".parse()?;
/// # let workflow = Workflow::new(Sla::hours(24));
/// let decision = q.evaluate(&lead, now)?;
/// let handoff = workflow.hand_off(&mut lead, &decision, now)?.expect("handed off");
/// assert_eq!(handoff.lead_id, "L-1");
/// assert_eq!((handoff.at, handoff.due), (now, "2026-11-24T09:00:00Z".parse()?)); // 24 hours
/// assert_eq!((handoff.recommended, handoff.score), (Stage::Mql, 70));
/// assert_eq!(handoff.sla, "default"); // the policy rule that set `due`
/// assert_eq!(handoff.reason, "Score 70 reached the MQL threshold of 60");
/// assert_eq!(handoff.pack, decision.pack);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HandoffRecord {
    /// The lead.
    pub lead_id: Text,
    /// When it was handed off.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// When sales must have acted.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub due: DateTime<Utc>,
    /// The stage the decision recommended (`mql`, or `sql` when sales-ready).
    pub recommended: Stage,
    /// The [`SlaPolicy`](super::SlaPolicy) rule that set `due` (`default`
    /// when no other matched).
    #[serde(default = "default_rule")]
    pub sla: Text,
    /// The decision's reason for the handoff.
    pub reason: Text,
    /// The pack (name, version, hashes) that decided it.
    pub pack: Arc<PackId>,
    /// The score at the time.
    pub score: i64,
    /// The criteria at the time.
    pub criteria: Assessment,
    /// Where it stands.
    pub status: HandoffStatus,
}

fn default_rule() -> Text {
    Text::from("default")
}

impl HandoffRecord {
    /// When sales answered, if it has.
    fn answered(&self) -> Option<DateTime<Utc>> {
        match &self.status {
            HandoffStatus::Open => None,
            HandoffStatus::Accepted { at } | HandoffStatus::Rejected { at, .. } => Some(*at),
        }
    }

    /// Whether the SLA is settled as of `as_of` (`Some(true)` breached,
    /// `Some(false)` met), or still running (`None`).
    fn breached(&self, as_of: DateTime<Utc>) -> Option<bool> {
        match self.answered() {
            Some(at) => Some(at > self.due),
            None => (as_of > self.due).then_some(true),
        }
    }

    /// Whether sales has not acted and the deadline has passed at `as_of`.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier, Stage};
    /// # use leadgate::workflow::{Sla, Workflow};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let mut lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
    /// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
    /// # let now = "2026-11-23T09:00:00Z".parse()?;
    /// # let workflow = Workflow::new(Sla::hours(24));
    /// # let decision = q.evaluate(&lead, now)?;
    /// # let mut handoff = workflow.hand_off(&mut lead, &decision, now)?.expect("handed off");
    /// let time = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>();
    /// assert_eq!(handoff.due, time("2026-11-24T09:00:00Z")?);
    /// assert!(!handoff.is_overdue(time("2026-11-24T09:00:00Z")?)); // due, not yet overdue
    /// assert!(handoff.is_overdue(time("2026-11-24T09:00:01Z")?));
    /// // Once sales answers, even late, it is no longer overdue.
    /// workflow.accept(&mut lead, &mut handoff, time("2026-11-24T10:00:00Z")?)?;
    /// assert!(!handoff.is_overdue(time("2026-11-24T10:00:00Z")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_overdue(&self, as_of: DateTime<Utc>) -> bool {
        self.status == HandoffStatus::Open && as_of > self.due
    }

    /// Whether sales has not acted and the deadline is within `margin` of `as_of`.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier, Stage};
    /// # use leadgate::workflow::{Sla, Workflow};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let mut lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
    /// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
    /// # let now = "2026-11-23T09:00:00Z".parse()?;
    /// # let workflow = Workflow::new(Sla::hours(24));
    /// # let decision = q.evaluate(&lead, now)?;
    /// # let mut handoff = workflow.hand_off(&mut lead, &decision, now)?.expect("handed off");
    /// let time = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>();
    /// let margin = chrono::Duration::hours(4); // due at 09:00 the next day
    /// assert!(!handoff.is_at_risk(time("2026-11-24T04:59:00Z")?, margin));
    /// assert!(handoff.is_at_risk(time("2026-11-24T05:00:00Z")?, margin));
    /// assert!(!handoff.is_at_risk(time("2026-11-24T09:01:00Z")?, margin)); // overdue instead
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_at_risk(&self, as_of: DateTime<Utc>, margin: Duration) -> bool {
        self.status == HandoffStatus::Open && as_of <= self.due && self.due - as_of <= margin
    }
}

/// The handoffs sales has not acted on by their deadline, as of `as_of`.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::workflow::{overdue, sla_breach_rate, Sla, Workflow};
///
/// let q = Qualifier::new(&Pack::b2b_bant())?;
/// let mut lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
///     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// let monday = "2026-11-23T09:00:00Z".parse()?;
/// let decision = q.evaluate(&lead, monday)?;
/// let handoff = Workflow::new(Sla::hours(24)).hand_off(&mut lead, &decision, monday)?.expect("handed off");
/// let handoffs = [handoff];
/// let time = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>();
/// assert!(overdue(&handoffs, time("2026-11-24T08:00:00Z")?).is_empty());
/// assert_eq!(overdue(&handoffs, time("2026-11-24T10:00:00Z")?).len(), 1);
/// assert_eq!(sla_breach_rate(&handoffs, time("2026-11-24T10:00:00Z")?), Some(1.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn overdue(handoffs: &[HandoffRecord], as_of: DateTime<Utc>) -> Vec<&HandoffRecord> {
    handoffs.iter().filter(|h| h.is_overdue(as_of)).collect()
}

/// The handoffs sales has not acted on whose deadline falls within `margin`
/// of `as_of`: the ones to chase now.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # use leadgate::workflow::{Sla, Workflow};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let lead = |id: &str| Lead::from_json(&format!(r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
/// #     "person": {{"seniority": "vp"}}, "company": {{"industry": "software", "employees": 500, "country": "US"}},
/// #     "touchpoints": [{{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}}]}}"#));
/// # let (mut a, mut b) = (lead("L-1")?, lead("L-2")?);
/// # let workflow = Workflow::new(Sla::hours(24));
/// # let time = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>();
/// # let now = time("2026-11-23T09:00:00Z")?;
/// # let decision = q.evaluate(&a, now)?;
/// # let mut first = workflow.hand_off(&mut a, &decision, now)?.expect("handed off");
/// # let decision = q.evaluate(&b, now)?;
/// # let second = workflow.hand_off(&mut b, &decision, now)?.expect("handed off");
/// use leadgate::workflow::at_risk;
/// // Both are due at 09:00 the next day; sales accepts one in time.
/// workflow.accept(&mut a, &mut first, time("2026-11-23T15:00:00Z")?)?;
/// let handoffs = [first, second];
/// let chase = at_risk(&handoffs, time("2026-11-24T06:00:00Z")?, chrono::Duration::hours(4));
/// let ids: Vec<&str> = chase.iter().map(|h| h.lead_id.as_str()).collect();
/// assert_eq!(ids, ["L-2"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn at_risk(handoffs: &[HandoffRecord], as_of: DateTime<Utc>, margin: Duration) -> Vec<&HandoffRecord> {
    handoffs.iter().filter(|h| h.is_at_risk(as_of, margin)).collect()
}

/// The share of answered or overdue handoffs that sales answered late or not
/// at all, as of `as_of`; `None` when there are none yet.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # use leadgate::workflow::{Sla, Workflow};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let lead = |id: &str| Lead::from_json(&format!(r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
/// #     "person": {{"seniority": "vp"}}, "company": {{"industry": "software", "employees": 500, "country": "US"}},
/// #     "touchpoints": [{{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}}]}}"#));
/// # let (mut a, mut b) = (lead("L-1")?, lead("L-2")?);
/// # let workflow = Workflow::new(Sla::hours(24));
/// # let time = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>();
/// # let now = time("2026-11-23T09:00:00Z")?;
/// # let decision = q.evaluate(&a, now)?;
/// # let mut first = workflow.hand_off(&mut a, &decision, now)?.expect("handed off");
/// # let decision = q.evaluate(&b, now)?;
/// # let second = workflow.hand_off(&mut b, &decision, now)?.expect("handed off");
/// use leadgate::workflow::sla_breach_rate;
/// workflow.accept(&mut a, &mut first, time("2026-11-23T15:00:00Z")?)?; // in time
/// let handoffs = [first, second];
/// assert_eq!(sla_breach_rate(&handoffs, time("2026-11-24T09:00:00Z")?), Some(0.0)); // L-2 is due now
/// assert_eq!(sla_breach_rate(&handoffs, time("2026-11-24T10:00:00Z")?), Some(0.5)); // L-2 is late
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sla_breach_rate(handoffs: &[HandoffRecord], as_of: DateTime<Utc>) -> Option<f64> {
    let mut all = Breaches::default();
    handoffs.iter().for_each(|h| all.count(h, as_of));
    all.rate()
}

/// SLA breaches per [`SlaPolicy`](super::SlaPolicy) rule, counted as
/// [`sla_breach_rate`] counts them.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let lead = |id: &str, source: &str| Lead::from_json(&format!(r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
/// #     "source": "{source}", "person": {{"seniority": "vp"}}, "company": {{"industry": "software", "employees": 500, "country": "US"}},
/// #     "touchpoints": [{{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}}]}}"#));
/// # let (mut a, mut b) = (lead("L-1", "webinar")?, lead("L-2", "partner")?);
/// # let time = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>();
/// # let now = time("2026-11-23T09:00:00Z")?;
/// use leadgate::workflow::{sla_breaches, Sla, SlaPolicy, SlaRule, Workflow};
/// let workflow = Workflow::new(SlaPolicy::new(Sla::hours(24)).rule(SlaRule::new("partner", Sla::hours(2)).source("partner")));
/// let (da, db) = (q.evaluate(&a, now)?, q.evaluate(&b, now)?);
/// let mut first = workflow.hand_off(&mut a, &da, now)?.expect("handed off");
/// let second = workflow.hand_off(&mut b, &db, now)?.expect("handed off");
/// workflow.accept(&mut a, &mut first, time("2026-11-23T15:00:00Z")?)?; // in time
/// let by_rule = sla_breaches(&[first, second], time("2026-11-23T12:00:00Z")?);
/// let shown: Vec<_> = by_rule.iter().map(|(rule, b)| (rule.as_str(), b.settled, b.breached)).collect();
/// assert_eq!(shown, [("default", 1, 0), ("partner", 1, 1)]); // L-2 is an hour late
/// assert_eq!(by_rule["partner"].rate(), Some(1.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sla_breaches(handoffs: &[HandoffRecord], as_of: DateTime<Utc>) -> BTreeMap<Text, Breaches> {
    let mut by_rule: BTreeMap<Text, Breaches> = BTreeMap::new();
    for h in handoffs {
        by_rule.entry(h.sla.clone()).or_default().count(h, as_of);
    }
    by_rule
}

/// How many handoffs have a settled SLA, and how many of those breached it.
///
/// A handoff's SLA is settled once sales answered (breached if it answered
/// after `due`) or, unanswered, once `due` has passed (breached).
///
/// ```
/// use leadgate::workflow::Breaches;
/// let b = Breaches::default();
/// assert_eq!((b.settled, b.breached, b.rate()), (0, 0, None));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Breaches {
    /// Handoffs answered, or unanswered past their due time.
    pub settled: usize,
    /// Of those, answered late or not answered in time.
    pub breached: usize,
}

impl Breaches {
    fn count(&mut self, handoff: &HandoffRecord, as_of: DateTime<Utc>) {
        if let Some(breached) = handoff.breached(as_of) {
            self.settled += 1;
            self.breached += usize::from(breached);
        }
    }

    /// `breached / settled`; `None` when nothing is settled.
    ///
    /// ```
    /// use leadgate::workflow::sla_breaches;
    /// let none = sla_breaches(&[], "2026-11-23T00:00:00Z".parse()?);
    /// assert!(none.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rate(&self) -> Option<f64> {
        (self.settled > 0).then(|| self.breached as f64 / self.settled as f64)
    }
}

//! The handoff workflow: marketing hands a lead to sales with a deadline,
//! sales answers (accept, or reject with a reason), and the deal moves on to
//! won or lost. Every move goes through the lifecycle's transition table and
//! is recorded in the lead's history.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

mod sla;

pub use sla::Sla;

use crate::decision::PackId;
use crate::lead::keyword::keyword_enum;
use crate::{Assessment, Decision, Lead, Stage, Text, TransitionError};

keyword_enum! {
    /// Why sales rejected a lead: the taxonomy marketing reports on.
    ///
    /// Rejections for data or fit problems disqualify the lead; the others send
    /// it back to marketing for nurture (recycled).
    ///
    /// ```
    /// use leadgate::Stage;
    /// use leadgate::workflow::Rejection;
    /// assert_eq!(Rejection::BadTiming.outcome(), Stage::Recycled);
    /// assert_eq!(Rejection::Competitor.outcome(), Stage::Disqualified);
    /// assert_eq!(serde_json::to_string(&Rejection::NotDecisionMaker)?, "\"not_decision_maker\"");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub enum Rejection as "rejection reason" {
        /// No budget, or not enough.
        NoBudget = "no_budget",
        /// The contact does not decide and cannot reach who does.
        NotDecisionMaker = "not_decision_maker",
        /// No need for the product.
        NoNeed = "no_need",
        /// Interested, but not now.
        BadTiming = "bad_timing",
        /// The contact data is wrong or unreachable.
        WrongContactData = "wrong_contact_data",
        /// The lead already exists.
        Duplicate = "duplicate",
        /// The lead works for a competitor.
        Competitor = "competitor",
        /// Anything else (say what in the note).
        Other = "other",
    }
}

impl Rejection {
    /// Where a lead rejected for this reason goes: recycled to nurture, or
    /// disqualified when there is nothing to nurture.
    ///
    /// ```
    /// use leadgate::Stage;
    /// use leadgate::workflow::Rejection;
    /// assert_eq!(Rejection::NoBudget.outcome(), Stage::Recycled); // nurture until there is budget
    /// assert_eq!(Rejection::WrongContactData.outcome(), Stage::Disqualified);
    /// ```
    pub const fn outcome(self) -> Stage {
        match self {
            Rejection::WrongContactData | Rejection::Duplicate | Rejection::Competitor => Stage::Disqualified,
            _ => Stage::Recycled,
        }
    }
}

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

impl HandoffRecord {
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

/// A workflow step that cannot be taken; nothing was changed.
///
/// ```
/// use leadgate::workflow::{Workflow, WorkflowErrorKind};
/// use leadgate::{Lead, Stage};
/// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
/// let err = Workflow::default().win(&mut lead, "2026-11-02T00:00:00Z".parse()?).unwrap_err();
/// assert_eq!(err.kind(), WorkflowErrorKind::Transition);
/// assert_eq!(err.lead_id(), "L-1");
/// assert_eq!(err.transition().map(|t| t.to()), Some(Stage::Customer));
/// assert!(std::error::Error::source(&err).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowError {
    kind: WorkflowErrorKind,
    lead: Text,
    message: String,
    transition: Option<TransitionError>,
}

/// Why a workflow step could not be taken.
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
/// use leadgate::workflow::WorkflowErrorKind;
/// workflow.accept(&mut lead, &mut handoff, now)?;
/// let err = workflow.accept(&mut lead, &mut handoff, now).unwrap_err();
/// assert_eq!(err.kind(), WorkflowErrorKind::AlreadyAnswered);
/// assert_eq!(err.to_string(), r#"the handoff of lead "L-1" was already answered"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WorkflowErrorKind {
    /// The lifecycle's transition table refuses the move
    /// ([`WorkflowError::transition`] says why).
    Transition,
    /// The decision or the handoff record is for another lead.
    WrongLead,
    /// Sales already answered this handoff.
    AlreadyAnswered,
    /// The handoff is not the lead's current one: the lead was handed off
    /// again, or moved on, since.
    Superseded,
    /// The decision was taken on the lead as it was before its last stage
    /// change, or in another stage than the one it is in now (a decision
    /// from before a recycle, say): acting on it would undo what happened
    /// since. Decide again.
    StaleDecision,
    /// The SLA's due time cannot be written: it is outside the years RFC
    /// 3339 can write, 0000 to 9999 UTC ([`Sla::checked_due`]).
    SlaOverflow,
}

impl WorkflowError {
    fn new(kind: WorkflowErrorKind, lead: &Text, message: String) -> Self {
        WorkflowError { kind, lead: lead.clone(), message, transition: None }
    }

    /// Why the step could not be taken.
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
    /// use leadgate::workflow::WorkflowErrorKind;
    /// let decision = q.evaluate(&lead, now)?;
    /// workflow.hand_off(&mut lead, &decision, now)?;
    /// // The decision saw a lead; it is an MQL now.
    /// let err = workflow.hand_off(&mut lead, &decision, now).unwrap_err();
    /// assert_eq!(err.kind(), WorkflowErrorKind::StaleDecision);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> WorkflowErrorKind {
        self.kind
    }

    /// The lead the step was for.
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
    /// let mut other = Lead::new("L-2", "2026-11-01T00:00:00Z".parse()?);
    /// let err = workflow.hand_off(&mut other, &decision, now).unwrap_err();
    /// assert_eq!(err.lead_id(), "L-2");
    /// assert_eq!(err.to_string(), r#"the decision is for lead "L-1", not "L-2""#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lead_id(&self) -> &str {
        &self.lead
    }

    /// The refused stage move, for [`WorkflowErrorKind::Transition`].
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// use leadgate::workflow::Workflow;
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// // Sales cannot qualify a lead it was never handed.
    /// let err = Workflow::default().qualify(&mut lead, "2026-11-02T00:00:00Z".parse()?, None).unwrap_err();
    /// let refused = err.transition().unwrap();
    /// assert_eq!((refused.from(), refused.to()), (Stage::Lead, Stage::Sql));
    /// assert_eq!(err.to_string(), refused.to_string());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn transition(&self) -> Option<&TransitionError> {
        self.transition.as_ref()
    }
}

impl From<(&Lead, TransitionError)> for WorkflowError {
    fn from((lead, e): (&Lead, TransitionError)) -> Self {
        WorkflowError {
            kind: WorkflowErrorKind::Transition,
            lead: lead.id.clone(),
            message: e.to_string(),
            transition: Some(e),
        }
    }
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WorkflowError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.transition.as_ref().map(|e| e as _)
    }
}

/// Moves `lead`, turning a refusal into a [`WorkflowError`] that keeps it as its source.
fn step(lead: &mut Lead, to: Stage, at: DateTime<Utc>, reason: Option<&str>) -> Result<(), WorkflowError> {
    match lead.move_to(to, at, reason) {
        Ok(_) => Ok(()),
        Err(e) => Err(WorkflowError::from((&*lead, e))),
    }
}

/// The handoff workflow, with its SLA.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier, Stage};
/// use leadgate::workflow::{Rejection, Sla, Workflow};
///
/// let q = Qualifier::new(&Pack::b2b_bant())?;
/// let mut lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
///     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// let now = "2026-11-23T09:00:00Z".parse()?;
/// let workflow = Workflow::new(Sla::business_hours(8));
///
/// // Marketing hands the lead off once: deciding again does not hand it off twice.
/// let decision = q.evaluate(&lead, now)?;
/// let mut handoff = workflow.hand_off(&mut lead, &decision, now)?.expect("handed off");
/// assert_eq!(lead.stage(), Stage::Mql);
/// let again = q.evaluate(&lead, now)?;
/// assert!(workflow.hand_off(&mut lead, &again, now)?.is_none());
///
/// // Sales answers: not now, it goes back to nurture.
/// workflow.reject(&mut lead, &mut handoff, now, Rejection::BadTiming, Some("budget cycle in Q2"))?;
/// assert_eq!(lead.stage(), Stage::Recycled);
/// assert_eq!(lead.history().last().unwrap().reason.as_deref(), Some("bad_timing: budget cycle in Q2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Workflow {
    sla: Sla,
}

impl Workflow {
    /// A workflow whose handoffs are due within `sla`.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier, Stage};
    /// # use leadgate::workflow::{Sla, Workflow};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let mut lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
    /// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
    /// # let now = "2026-11-23T09:00:00Z".parse()?;
    /// let workflow = Workflow::new(Sla::business_hours(8)); // a working day
    /// let decision = q.evaluate(&lead, now)?;
    /// let handoff = workflow.hand_off(&mut lead, &decision, now)?.expect("handed off");
    /// // Handed off on Monday at 9:00: due at 17:00 the same day.
    /// assert_eq!(handoff.due, "2026-11-23T17:00:00Z".parse::<chrono::DateTime<chrono::Utc>>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(sla: Sla) -> Self {
        Workflow { sla }
    }

    /// The SLA.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, Workflow};
    /// assert_eq!(Workflow::new(Sla::business_hours(8)).sla(), Sla::business_hours(8));
    /// assert_eq!(Workflow::default().sla(), Sla::hours(24));
    /// ```
    pub fn sla(&self) -> Sla {
        self.sla
    }

    /// Acts on a decision: when it says to hand the lead off and marketing
    /// still owns the lead, moves it to MQL and returns the handoff record.
    ///
    /// Returns `None`, changing nothing, when there is nothing to hand off:
    /// no handoff in the decision, or the lead already handed off (an MQL)
    /// or with sales. Deciding again and acting again is therefore safe;
    /// acting twice on the same decision is not (the lead moved since it was
    /// taken: [`WorkflowErrorKind::StaleDecision`]).
    ///
    /// The decision must be about the lead as it is:
    /// [`WorkflowErrorKind::StaleDecision`] when it was taken as of a time before
    /// the lead's last stage change, or saw another stage than the lead's
    /// current one. A decision taken before a recycle cannot hand the
    /// recycled lead straight back to sales.
    ///
    /// Everything that can fail is done before the lead changes: on an error
    /// ([`WorkflowErrorKind::SlaOverflow`] when the due time cannot be written,
    /// a refused transition) the lead is as it was.
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
    /// assert_eq!((lead.stage(), handoff.recommended), (Stage::Mql, Stage::Mql));
    /// let moved = lead.history().last().unwrap();
    /// assert_eq!(moved.at, now);
    /// assert_eq!(moved.reason.as_deref(), Some("Score 70 reached the MQL threshold of 60"));
    ///
    /// // A decision without a handoff changes nothing.
    /// let mut cold = Lead::new("L-2", "2026-11-01T00:00:00Z".parse()?);
    /// let decision = q.evaluate(&cold, now)?;
    /// assert_eq!(workflow.hand_off(&mut cold, &decision, now)?, None);
    /// assert_eq!(cold.stage(), Stage::Lead);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hand_off(
        &self,
        lead: &mut Lead,
        decision: &Decision,
        at: DateTime<Utc>,
    ) -> Result<Option<HandoffRecord>, WorkflowError> {
        if decision.lead_id != lead.id {
            return Err(wrong_lead("decision", &decision.lead_id, lead));
        }
        let since = lead.stage_entered_at();
        if decision.lead_stage != lead.stage() || since.is_some_and(|at| decision.as_of < at) {
            let message = format!(
                "the decision on lead {:?} as of {} saw it in stage {}, but it is in {} since {}: decide again",
                lead.id.as_str(),
                crate::lead::time::display(decision.as_of),
                decision.lead_stage,
                lead.stage(),
                since.map_or_else(|| "its creation".to_owned(), crate::lead::time::display)
            );
            return Err(WorkflowError::new(WorkflowErrorKind::StaleDecision, &lead.id, message));
        }
        let Some(handoff) = &decision.handoff else { return Ok(None) };
        if !matches!(lead.stage(), Stage::Subscriber | Stage::Lead | Stage::Recycled) {
            return Ok(None);
        }
        let due = self.sla.checked_due(at).ok_or_else(|| {
            let message = format!(
                "the handoff of lead {:?} at {} would be due {} hours later, \
                 outside the years RFC 3339 can write (0000 to 9999)",
                lead.id.as_str(),
                crate::lead::time::display(at),
                self.sla.hours
            );
            WorkflowError::new(WorkflowErrorKind::SlaOverflow, &lead.id, message)
        })?;
        step(lead, Stage::Mql, at, Some(&handoff.reason))?;
        Ok(Some(HandoffRecord {
            lead_id: lead.id.clone(),
            at,
            due,
            recommended: handoff.stage,
            reason: handoff.reason.clone(),
            pack: decision.pack.clone(),
            score: decision.score,
            criteria: decision.criteria.clone(),
            status: HandoffStatus::Open,
        }))
    }

    /// Sales accepts the handoff: the lead becomes a SAL.
    ///
    /// The handoff must be the lead's current one, still open
    /// ([`WorkflowErrorKind::Superseded`], [`WorkflowErrorKind::AlreadyAnswered`]).
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
    /// let later = "2026-11-23T10:30:00Z".parse()?;
    /// workflow.accept(&mut lead, &mut handoff, later)?;
    /// assert_eq!(lead.stage(), Stage::Sal);
    /// assert_eq!(lead.history().last().unwrap().reason.as_deref(), Some("accepted by sales"));
    /// assert_eq!(handoff.status, HandoffStatus::Accepted { at: later });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accept(
        &self,
        lead: &mut Lead,
        handoff: &mut HandoffRecord,
        at: DateTime<Utc>,
    ) -> Result<(), WorkflowError> {
        answerable(lead, handoff)?;
        step(lead, Stage::Sal, at, Some("accepted by sales"))?;
        handoff.status = HandoffStatus::Accepted { at };
        Ok(())
    }

    /// Sales rejects the handoff for `reason`: the lead is recycled or
    /// disqualified ([`Rejection::outcome`]), with the reason and the note
    /// in its history. Returns the stage it went to.
    ///
    /// The handoff must be the lead's current one, still open
    /// ([`WorkflowErrorKind::Superseded`], [`WorkflowErrorKind::AlreadyAnswered`]).
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
    /// use leadgate::workflow::{HandoffStatus, Rejection};
    /// let note = Some("works at RivalCRM");
    /// let to = workflow.reject(&mut lead, &mut handoff, now, Rejection::Competitor, note)?;
    /// assert_eq!((to, lead.stage()), (Stage::Disqualified, Stage::Disqualified));
    /// assert_eq!(lead.history().last().unwrap().reason.as_deref(), Some("competitor: works at RivalCRM"));
    /// let note = note.map(Into::into);
    /// assert_eq!(handoff.status, HandoffStatus::Rejected { at: now, reason: Rejection::Competitor, note });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reject(
        &self,
        lead: &mut Lead,
        handoff: &mut HandoffRecord,
        at: DateTime<Utc>,
        reason: Rejection,
        note: Option<&str>,
    ) -> Result<Stage, WorkflowError> {
        answerable(lead, handoff)?;
        let to = reason.outcome();
        step(lead, to, at, Some(&explain(reason, note)))?;
        handoff.status = HandoffStatus::Rejected { at, reason, note: note.map(Text::from) };
        Ok(to)
    }

    /// Sales qualifies an accepted lead: SAL → SQL.
    ///
    /// ```
    /// # use leadgate::{Lead, Stage};
    /// # use leadgate::workflow::Workflow;
    /// # let workflow = Workflow::default();
    /// # let at = "2026-11-24T00:00:00Z".parse()?;
    /// # let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// # lead.move_to(Stage::Mql, at, None)?;
    /// # lead.move_to(Stage::Sal, at, None)?;
    /// assert_eq!(lead.stage(), Stage::Sal);
    /// workflow.qualify(&mut lead, at, Some("budget confirmed on the call"))?;
    /// assert_eq!(lead.stage(), Stage::Sql);
    /// assert_eq!(lead.history().last().unwrap().reason.as_deref(), Some("budget confirmed on the call"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn qualify(
        &self,
        lead: &mut Lead,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<(), WorkflowError> {
        step(lead, Stage::Sql, at, reason)
    }

    /// An SQL becomes an open deal: SQL → opportunity.
    ///
    /// ```
    /// # use leadgate::{Lead, Stage};
    /// # use leadgate::workflow::Workflow;
    /// # let workflow = Workflow::default();
    /// # let at = "2026-11-24T00:00:00Z".parse()?;
    /// # let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// # lead.move_to(Stage::Mql, at, None)?;
    /// # lead.move_to(Stage::Sal, at, None)?;
    /// # lead.move_to(Stage::Sql, at, None)?;
    /// workflow.open_opportunity(&mut lead, at)?;
    /// assert_eq!(lead.stage(), Stage::Opportunity);
    /// assert_eq!(lead.history().last().unwrap().reason, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_opportunity(&self, lead: &mut Lead, at: DateTime<Utc>) -> Result<(), WorkflowError> {
        step(lead, Stage::Opportunity, at, None)
    }

    /// The deal is won: opportunity → customer.
    ///
    /// ```
    /// # use leadgate::{Lead, Stage};
    /// # use leadgate::workflow::Workflow;
    /// # let workflow = Workflow::default();
    /// # let at = "2026-11-24T00:00:00Z".parse()?;
    /// # let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// # lead.move_to(Stage::Mql, at, None)?;
    /// # lead.move_to(Stage::Sal, at, None)?;
    /// # lead.move_to(Stage::Sql, at, None)?;
    /// # lead.move_to(Stage::Opportunity, at, None)?;
    /// workflow.win(&mut lead, at)?;
    /// assert_eq!(lead.stage(), Stage::Customer);
    /// assert_eq!(lead.history().last().unwrap().reason.as_deref(), Some("won"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn win(&self, lead: &mut Lead, at: DateTime<Utc>) -> Result<(), WorkflowError> {
        step(lead, Stage::Customer, at, Some("won"))
    }

    /// The deal is lost for `reason`: back to nurture (recycled), or
    /// disqualified for the reasons that disqualify.
    ///
    /// ```
    /// # use leadgate::{Lead, Stage};
    /// # use leadgate::workflow::Workflow;
    /// # let workflow = Workflow::default();
    /// # let at = "2026-11-24T00:00:00Z".parse()?;
    /// # let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// # lead.move_to(Stage::Mql, at, None)?;
    /// # lead.move_to(Stage::Sal, at, None)?;
    /// # lead.move_to(Stage::Sql, at, None)?;
    /// # lead.move_to(Stage::Opportunity, at, None)?;
    /// use leadgate::workflow::Rejection;
    /// let to = workflow.lose(&mut lead, at, Rejection::NoBudget, Some("budget frozen"))?;
    /// assert_eq!((to, lead.stage()), (Stage::Recycled, Stage::Recycled));
    /// assert_eq!(lead.history().last().unwrap().reason.as_deref(), Some("lost: no_budget: budget frozen"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lose(
        &self,
        lead: &mut Lead,
        at: DateTime<Utc>,
        reason: Rejection,
        note: Option<&str>,
    ) -> Result<Stage, WorkflowError> {
        let to = reason.outcome();
        step(lead, to, at, Some(&format!("lost: {}", explain(reason, note))))?;
        Ok(to)
    }
}

/// The history's reason for a rejection: the taxonomy's name, then sales' note.
fn explain(reason: Rejection, note: Option<&str>) -> String {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{reason}: {n}"),
        None => reason.to_string(),
    }
}

fn wrong_lead(what: &str, record: &Text, lead: &Lead) -> WorkflowError {
    let message = format!("the {what} is for lead {:?}, not {:?}", record.as_str(), lead.id.as_str());
    WorkflowError::new(WorkflowErrorKind::WrongLead, &lead.id, message)
}

fn answerable(lead: &Lead, handoff: &HandoffRecord) -> Result<(), WorkflowError> {
    if handoff.lead_id != lead.id {
        return Err(wrong_lead("handoff", &handoff.lead_id, lead));
    }
    if handoff.status != HandoffStatus::Open {
        let message = format!("the handoff of lead {:?} was already answered", lead.id.as_str());
        return Err(WorkflowError::new(WorkflowErrorKind::AlreadyAnswered, &lead.id, message));
    }
    // The current handoff is the lead's latest move to MQL, while it is an
    // MQL: an older record (a copy kept from before a rejection and a new
    // handoff, say) cannot answer for it.
    let current = lead.stage() == Stage::Mql
        && lead.history().iter().rev().find(|c| c.stage == Stage::Mql).is_none_or(|c| c.at == handoff.at);
    if !current {
        let message = format!(
            "the handoff of lead {:?} made at {} is not its current handoff",
            lead.id.as_str(),
            crate::lead::time::display(handoff.at)
        );
        return Err(WorkflowError::new(WorkflowErrorKind::Superseded, &lead.id, message));
    }
    Ok(())
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
    let (mut counted, mut breached) = (0usize, 0usize);
    for h in handoffs {
        let answered = match &h.status {
            HandoffStatus::Open => None,
            HandoffStatus::Accepted { at } | HandoffStatus::Rejected { at, .. } => Some(*at),
        };
        match answered {
            Some(at) => {
                counted += 1;
                breached += usize::from(at > h.due);
            }
            None if as_of > h.due => {
                counted += 1;
                breached += 1;
            }
            None => {}
        }
    }
    (counted > 0).then(|| breached as f64 / counted as f64)
}

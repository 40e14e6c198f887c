//! The handoff workflow: marketing hands a lead to sales with a deadline,
//! sales answers (accept, or reject with a reason), and the deal moves on to
//! won or lost. Every move goes through the lifecycle's transition table and
//! is recorded in the lead's history.

use chrono::{DateTime, Utc};

mod account;
mod calendar;
mod error;
mod policy;
mod record;
mod sla;

pub use account::AccountHandoffRecord;
pub use calendar::Calendar;
pub use error::{WorkflowError, WorkflowErrorKind};
pub use policy::{SlaPolicy, SlaRule};
pub use record::{Breaches, HandoffRecord, HandoffStatus, at_risk, overdue, sla_breach_rate, sla_breaches};
pub use sla::{Sla, SlaError, SlaErrorKind};

use crate::lead::keyword::keyword_enum;
use crate::{Decision, Lead, Stage, Text};

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

/// Moves `lead`, turning a refusal into a [`WorkflowError`] that keeps it as its source.
fn step(lead: &mut Lead, to: Stage, at: DateTime<Utc>, reason: Option<&str>) -> Result<(), WorkflowError> {
    match lead.move_to(to, at, reason) {
        Ok(_) => Ok(()),
        Err(e) => Err(WorkflowError::from((&*lead, e))),
    }
}

/// The handoff workflow, with its SLA policy.
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workflow {
    policy: SlaPolicy,
}

impl Workflow {
    /// A workflow whose handoffs are due within `sla`: one [`Sla`] for
    /// every handoff, or an [`SlaPolicy`] that chooses one per handoff.
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
    pub fn new(sla: impl Into<SlaPolicy>) -> Self {
        Workflow { policy: sla.into() }
    }

    /// The SLA policy.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, Workflow};
    /// let workflow = Workflow::new(Sla::business_hours(8));
    /// assert_eq!(workflow.policy().default_rule().sla(), &Sla::business_hours(8));
    /// assert_eq!(Workflow::default().policy().default_rule().sla(), &Sla::hours(24));
    /// ```
    pub fn policy(&self) -> &SlaPolicy {
        &self.policy
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
    /// The SLA comes from the workflow's [`SlaPolicy`]; the record names the
    /// policy rule that gave it.
    ///
    /// Everything that can fail is done before the lead changes: on an error
    /// ([`WorkflowErrorKind::Sla`] when the SLA gives no due time, a refused
    /// transition) the lead is as it was.
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
        let rule = self.policy.choose(lead, decision);
        let due = rule.sla().due(at).map_err(|e| WorkflowError::from((&*lead, e)))?;
        step(lead, Stage::Mql, at, Some(&handoff.reason))?;
        Ok(Some(HandoffRecord {
            lead_id: lead.id.clone(),
            at,
            due,
            recommended: handoff.stage,
            sla: rule.name().into(),
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

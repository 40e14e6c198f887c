//! Why a workflow step could not be taken.

use std::fmt;

use super::SlaError;
use crate::{Lead, Text, TransitionError};

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
    source: Option<Source>,
}

/// The underlying error, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Transition(TransitionError),
    Sla(SlaError),
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
    /// The SLA gives no due time: past the years RFC 3339 can write, or a
    /// calendar that is never open. The [`SlaError`] is the
    /// [`source`](std::error::Error::source).
    Sla,
}

impl WorkflowError {
    pub(super) fn new(kind: WorkflowErrorKind, lead: &Text, message: String) -> Self {
        WorkflowError { kind, lead: lead.clone(), message, source: None }
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
        match &self.source {
            Some(Source::Transition(e)) => Some(e),
            _ => None,
        }
    }
}

impl From<(&Lead, TransitionError)> for WorkflowError {
    fn from((lead, e): (&Lead, TransitionError)) -> Self {
        WorkflowError {
            kind: WorkflowErrorKind::Transition,
            lead: lead.id.clone(),
            message: e.to_string(),
            source: Some(Source::Transition(e)),
        }
    }
}

impl From<(&Lead, SlaError)> for WorkflowError {
    fn from((lead, e): (&Lead, SlaError)) -> Self {
        WorkflowError {
            kind: WorkflowErrorKind::Sla,
            lead: lead.id.clone(),
            message: format!("lead {:?}: {e}", lead.id.as_str()),
            source: Some(Source::Sla(e)),
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
        match &self.source {
            Some(Source::Transition(e)) => Some(e),
            Some(Source::Sla(e)) => Some(e),
            None => None,
        }
    }
}

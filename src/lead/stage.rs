//! Lifecycle stages and the transition table between them.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::keyword::keyword_enum;
use crate::{Team, Text};

keyword_enum! {
    /// A lifecycle stage.
    ///
    /// The main path is subscriber → lead → MQL → SAL → SQL → opportunity →
    /// customer, with two side exits: *recycled* (handed back to marketing for
    /// nurture) and *disqualified*. Marketing owns the stages up to MQL (and
    /// recycled), sales owns SAL onwards. See [`Stage::can_move_to`] for the
    /// transition table.
    ///
    /// ```
    /// use leadgate::{Stage, Team};
    /// assert_eq!(Stage::Mql.owner(), Some(Team::Marketing));
    /// assert_eq!(Stage::Sal.owner(), Some(Team::Sales));
    /// assert_eq!("sql".parse::<Stage>()?, Stage::Sql);
    /// assert!(Stage::Lead < Stage::Customer); // ordered along the main path
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub enum Stage as "stage" {
        /// Opted in to content, not yet a lead.
        Subscriber = "subscriber",
        /// A potential customer, not yet qualified.
        Lead = "lead",
        /// Marketing-qualified lead: ready for sales to look at.
        Mql = "mql",
        /// Sales-accepted lead.
        Sal = "sal",
        /// Sales-qualified lead: sales confirmed the opportunity is real.
        Sql = "sql",
        /// An open deal.
        Opportunity = "opportunity",
        /// Won.
        Customer = "customer",
        /// Handed back to marketing for nurture, with a reason.
        Recycled = "recycled",
        /// Not a fit, with a reason.
        Disqualified = "disqualified",
    }
}

impl Stage {
    /// The team that owns leads in this stage; `None` for disqualified leads,
    /// which nobody works.
    ///
    /// ```
    /// use leadgate::{Stage, Team};
    /// assert_eq!(Stage::Recycled.owner(), Some(Team::Marketing));
    /// assert_eq!(Stage::Opportunity.owner(), Some(Team::Sales));
    /// assert_eq!(Stage::Disqualified.owner(), None);
    /// ```
    pub const fn owner(self) -> Option<Team> {
        match self {
            Stage::Subscriber | Stage::Lead | Stage::Mql | Stage::Recycled => Some(Team::Marketing),
            Stage::Sal | Stage::Sql | Stage::Opportunity | Stage::Customer => Some(Team::Sales),
            Stage::Disqualified => None,
        }
    }

    /// Whether the transition table allows moving from `self` to `to`.
    ///
    /// | from | to | meaning |
    /// |---|---|---|
    /// | subscriber | lead, mql | marketing qualifies (a form fill may skip a step) |
    /// | lead | mql | marketing qualifies |
    /// | mql | sal | sales accepts the handoff |
    /// | sal → sql → opportunity → customer | the next one | sales moves the deal forward |
    /// | mql, sal, sql, opportunity | recycled | sales rejects or loses it: back to nurture (reason required) |
    /// | recycled | lead, mql | re-engagement |
    /// | any but customer and disqualified | disqualified | not a fit (reason required) |
    /// | disqualified | lead | reopened (reason required) |
    ///
    /// Every other move, including staying in the same stage, is illegal;
    /// customer is final.
    ///
    /// ```
    /// use leadgate::Stage;
    /// assert!(Stage::Mql.can_move_to(Stage::Sal));
    /// assert!(!Stage::Lead.can_move_to(Stage::Sql)); // sales must accept first
    /// assert!(!Stage::Customer.can_move_to(Stage::Recycled));
    /// ```
    pub const fn can_move_to(self, to: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, to),
            (Subscriber, Lead | Mql)
                | (Lead, Mql)
                | (Mql, Sal)
                | (Sal, Sql)
                | (Sql, Opportunity)
                | (Opportunity, Customer)
                | (Mql | Sal | Sql | Opportunity, Recycled)
                | (Recycled, Lead | Mql)
                | (Subscriber | Lead | Mql | Sal | Sql | Opportunity | Recycled, Disqualified)
                | (Disqualified, Lead)
        )
    }

    /// Whether a move from `self` to `to` must say why: recycling,
    /// disqualifying and reopening a disqualified lead.
    ///
    /// ```
    /// use leadgate::Stage;
    /// assert!(Stage::Sal.requires_reason(Stage::Recycled));
    /// assert!(!Stage::Lead.requires_reason(Stage::Mql));
    /// ```
    pub const fn requires_reason(self, to: Stage) -> bool {
        matches!(to, Stage::Recycled | Stage::Disqualified) || matches!(self, Stage::Disqualified)
    }
}

/// One entry of a lead's stage history: the stage entered, when, and why.
///
/// ```
/// use leadgate::{Stage, StageChange};
/// let change: StageChange = serde_json::from_str(
///     r#"{"stage": "recycled", "at": "2026-10-02T08:00:00Z", "reason": "bad timing"}"#)?;
/// assert_eq!(change.stage, Stage::Recycled);
/// assert_eq!(change.reason.as_deref(), Some("bad timing"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StageChange {
    /// The stage entered.
    pub stage: Stage,
    /// When it was entered.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// Why (required for recycling and disqualifying).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// Fields this library does not know, kept on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StageChange {
    /// A change into `stage` at `at`.
    ///
    /// ```
    /// use leadgate::{Stage, StageChange};
    /// let c = StageChange::new(Stage::Mql, "2026-11-01T00:00:00Z".parse()?, Some("score 72".into()));
    /// assert_eq!(c.stage, Stage::Mql);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn new(stage: Stage, at: DateTime<Utc>, reason: Option<Text>) -> Self {
        StageChange { stage, at, reason, extra: Map::new() }
    }
}

/// A stage move the transition table refuses. The lead is left unchanged.
///
/// ```
/// use leadgate::lead::TransitionErrorKind;
/// use leadgate::{Lead, Stage};
/// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
/// let err = lead.move_to(Stage::Customer, "2026-11-02T00:00:00Z".parse()?, None).unwrap_err();
/// assert_eq!(err.kind(), TransitionErrorKind::Illegal);
/// assert_eq!((err.from(), err.to()), (Stage::Lead, Stage::Customer));
/// assert_eq!(err.to_string(), "illegal stage transition from lead to customer");
/// assert_eq!(lead.stage(), Stage::Lead);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    kind: TransitionErrorKind,
    from: Stage,
    to: Stage,
    at: DateTime<Utc>,
    /// The earliest time the move could be dated, for the time kinds.
    earliest: Option<DateTime<Utc>>,
}

/// Why a stage move was refused.
///
/// ```
/// use leadgate::lead::TransitionErrorKind;
/// use leadgate::{Lead, Stage};
/// let mut lead = Lead::new("L-1", "2026-11-10T00:00:00Z".parse()?);
/// let before = lead.move_to(Stage::Mql, "2026-11-01T00:00:00Z".parse()?, None).unwrap_err();
/// assert_eq!(before.kind(), TransitionErrorKind::BeforeCreated);
/// lead.move_to(Stage::Mql, "2026-11-12T00:00:00Z".parse()?, None)?;
/// let out_of_order = lead.move_to(Stage::Sal, "2026-11-11T00:00:00Z".parse()?, None).unwrap_err();
/// assert_eq!(out_of_order.kind(), TransitionErrorKind::OutOfOrder);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransitionErrorKind {
    /// The table has no move from `from` to `to`.
    Illegal,
    /// Recycling, disqualifying and reopening must give a reason.
    ReasonRequired,
    /// The move is dated before the lead entered its current stage.
    OutOfOrder,
    /// The move is dated before the lead was created.
    BeforeCreated,
}

impl TransitionError {
    fn new(
        kind: TransitionErrorKind,
        from: Stage,
        change: &StageChange,
        earliest: Option<DateTime<Utc>>,
    ) -> Self {
        TransitionError { kind, from, to: change.stage, at: change.at, earliest }
    }

    /// Why the move was refused.
    ///
    /// ```
    /// use leadgate::lead::TransitionErrorKind;
    /// use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let err = lead.move_to(Stage::Disqualified, "2026-11-02T00:00:00Z".parse()?, Some(" ")).unwrap_err();
    /// assert_eq!(err.kind(), TransitionErrorKind::ReasonRequired);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> TransitionErrorKind {
        self.kind
    }

    /// The stage the lead was in.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// lead.move_to(Stage::Mql, "2026-11-02T00:00:00Z".parse()?, None)?;
    /// let err = lead.move_to(Stage::Sql, "2026-11-03T00:00:00Z".parse()?, None).unwrap_err();
    /// assert_eq!(err.from(), Stage::Mql);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from(&self) -> Stage {
        self.from
    }

    /// The stage asked for.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let err = lead.move_to(Stage::Opportunity, "2026-11-02T00:00:00Z".parse()?, None).unwrap_err();
    /// assert_eq!(err.to(), Stage::Opportunity);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to(&self) -> Stage {
        self.to
    }

    /// When the refused move was dated.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let at = "2026-11-02T00:00:00Z".parse()?;
    /// let err = lead.move_to(Stage::Customer, at, None).unwrap_err();
    /// assert_eq!(err.at(), at);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// For a move dated too early: the earliest time it could be dated
    /// (when the current stage was entered, or when the lead was created).
    ///
    /// ```
    /// # use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-10T00:00:00Z".parse()?);
    /// let err = lead.move_to(Stage::Mql, "2026-11-01T00:00:00Z".parse()?, None).unwrap_err();
    /// assert_eq!(err.earliest(), Some("2026-11-10T00:00:00Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn earliest(&self) -> Option<DateTime<Utc>> {
        self.earliest
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to, at) = (self.from, self.to, self.at);
        let earliest = self.earliest.unwrap_or(at);
        match self.kind {
            TransitionErrorKind::Illegal => write!(f, "illegal stage transition from {from} to {to}"),
            TransitionErrorKind::ReasonRequired => write!(f, "moving from {from} to {to} requires a reason"),
            TransitionErrorKind::OutOfOrder => {
                write!(f, "stage change at {at} is earlier than the previous one at {earliest}")
            }
            TransitionErrorKind::BeforeCreated => {
                write!(f, "stage change at {at} is earlier than the lead's creation at {earliest}")
            }
        }
    }
}

impl std::error::Error for TransitionError {}

/// Checks one step of a lead's history: `previous` is the entry before it,
/// `None` for the first one.
///
/// The first entry may enter any stage (a lead imported mid-funnel), but it
/// obeys every other rule: recycling and disqualifying need a reason there
/// too, and no entry is dated before the lead was created.
pub(crate) fn check_step(
    previous: Option<(Stage, DateTime<Utc>)>,
    created_at: DateTime<Utc>,
    change: &StageChange,
) -> Result<(), TransitionError> {
    let to = change.stage;
    // Where a history starts is unknown; `lead` is where `Lead::new` starts.
    let from = previous.map_or(Stage::Lead, |(stage, _)| stage);
    let refuse = |kind, earliest| Err(TransitionError::new(kind, from, change, earliest));
    if previous.is_some() && !from.can_move_to(to) {
        return refuse(TransitionErrorKind::Illegal, None);
    }
    if from.requires_reason(to) && change.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return refuse(TransitionErrorKind::ReasonRequired, None);
    }
    if change.at < created_at {
        return refuse(TransitionErrorKind::BeforeCreated, Some(created_at));
    }
    if let Some((_, previous)) = previous.filter(|(_, at)| change.at < *at) {
        return refuse(TransitionErrorKind::OutOfOrder, Some(previous));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_is_final_and_self_moves_are_illegal() {
        for &s in Stage::ALL {
            assert!(!Stage::Customer.can_move_to(s));
            assert!(!s.can_move_to(s));
        }
    }

    #[test]
    fn every_stage_but_customer_can_be_disqualified() {
        for &s in Stage::ALL {
            let expected = !matches!(s, Stage::Customer | Stage::Disqualified);
            assert_eq!(s.can_move_to(Stage::Disqualified), expected, "{s}");
        }
    }

    #[test]
    fn names_round_trip_and_typos_get_a_hint() {
        for &s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert!("mqll".parse::<Stage>().unwrap_err().to_string().contains("did you mean \"mql\""));
    }
}

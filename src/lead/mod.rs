//! The lead model: a lead (the person, the company, what is known for
//! qualification, the stage history and the touchpoints), its lifecycle
//! stages, criteria, grade and temperature, and reading leads from JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub(crate) mod assessment;
pub(crate) mod input;
pub(crate) mod keyword;
mod money;
mod parts;
pub(crate) mod stage;
pub(crate) mod temperature;
pub(crate) mod text;
pub(crate) mod time;
pub(crate) mod touchpoint;

pub use assessment::{Assessment, Criterion, CriterionStatus};
pub use input::{
    DUPLICATE_WINDOW, InputError, InputErrorKind, MAX_ARRAY_BYTES, MAX_LEAD_BYTES, Record, read_lead_stream,
    read_leads, read_leads_from,
};
pub use keyword::{ValueError, ValueErrorKind};
pub use money::{Currency, Money};
pub use parts::{BuyingRole, Company, Person, Qualification, Seniority, Timeline};
pub use stage::{Stage, StageChange, TransitionError, TransitionErrorKind};
pub use temperature::{Grade, Temperature};
pub use text::Text;
pub use touchpoint::{Channel, CustomName, Direction, Team, Touchpoint};

use stage::check_step;

/// Free-mail domains: an address there says nothing about the company
/// (`free_email` in rules), and forms no [account](crate::account). Sorted,
/// for [`is_free_mail`]'s binary search.
const FREE_MAIL: &[&str] = &[
    "163.com",
    "aol.com",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "web.de",
    "yahoo.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
];

/// Whether `domain` is a free-mail domain, in any case.
pub(crate) fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL
        .binary_search_by(|free| free.bytes().cmp(domain.bytes().map(|b| b.to_ascii_lowercase())))
        .is_ok()
}

/// A potential customer, with everything the engine may read about them.
///
/// Fields are public and plain; only the stage is private, because it may
/// change only through the transition table ([`Lead::move_to`]). A `Lead`
/// read from JSON keeps every field, including the ones this library does
/// not know (in the `extra` map of each object), so writing it back loses
/// nothing.
///
/// # Stage and history
///
/// The stage history is checked as it is read, like every later move: each
/// entry follows the transition table from the one before, recycling and
/// disqualifying give a reason, and no entry is dated before `created_at`
/// or before the entry it follows. The first entry may enter any stage, and
/// a lead may arrive with a `stage` and no history at all: both are imports
/// of a lead that is already somewhere in the funnel. The lead is then in
/// that stage since `created_at`, as far as the engine can tell, and its
/// next move ([`Lead::move_to`], or a [`Workflow`](crate::workflow::Workflow) step)
/// goes through the table from there.
///
/// # What is versioned
///
/// Deciding as of a time ([`Qualifier::evaluate`](crate::Qualifier::evaluate))
/// sees the touchpoints up to that time and the stage the history had then.
/// Everything else (person, company, qualification facts, source, campaign,
/// attributes) has no history here and is read as it is now: replaying an
/// old decision with facts learnt since gives today's facts.
///
/// ```
/// use leadgate::{Channel, Lead, Stage, Touchpoint};
///
/// let created = "2026-11-01T09:00:00Z".parse()?;
/// let mut lead = Lead::new("L-1001", created);
/// lead.company.industry = Some("software".into());
/// lead.company.employees = Some(450);
/// lead.touchpoints.push(Touchpoint::new("2026-11-20T10:00:00Z".parse()?, Channel::PricingPage));
///
/// lead.move_to(Stage::Mql, "2026-11-20T10:05:00Z".parse()?, Some("score 72"))?;
/// assert_eq!(lead.stage(), Stage::Mql);
/// assert_eq!(lead.history().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LeadRepr")]
#[non_exhaustive]
pub struct Lead {
    /// Stable identifier, unique within a batch.
    pub id: Text,
    /// When the lead was created.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// The person.
    pub person: Person,
    /// Their company.
    pub company: Company,
    /// What is known for qualification (budget, authority, need, timeline).
    pub qualification: Qualification,
    /// Where the lead came from (for example `"webinar"` or `"paid_search"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Text>,
    /// The campaign that generated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<Text>,
    /// The account (the buying company) the host files the lead under, if
    /// it knows: it groups leads into accounts before the company's domain
    /// does (see [`account`](crate::account)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Text>,
    stage: Stage,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stage_history: Vec<StageChange>,
    /// Every contact with the lead, in any order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub touchpoints: Vec<Touchpoint>,
    /// Custom attributes: anything the host knows that the library does not.
    /// Rule scripts read them with `lead.attr("name")`.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
    /// Top-level fields this library does not know, kept on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Lead {
    /// A new lead in stage [`Stage::Lead`], with an empty history.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// assert_eq!(lead.id, "L-1");
    /// assert_eq!(lead.stage(), Stage::Lead);
    /// assert!(lead.history().is_empty());
    /// assert_eq!(lead.person.name, None);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn new(id: impl Into<Text>, created_at: DateTime<Utc>) -> Self {
        Lead {
            id: id.into(),
            created_at,
            person: Person::default(),
            company: Company::default(),
            qualification: Qualification::default(),
            source: None,
            campaign: None,
            account_id: None,
            stage: Stage::Lead,
            stage_history: Vec::new(),
            touchpoints: Vec::new(),
            attributes: Map::new(),
            extra: Map::new(),
        }
    }

    /// A lead imported already in `stage`, with no history: what the JSON's
    /// `stage` without a `stage_history` reads as (see [`Lead`]). Its next
    /// move goes through the transition table from there.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// let lead = Lead::imported("L-1", "2026-11-01T00:00:00Z".parse()?, Stage::Sal);
    /// assert_eq!((lead.stage(), lead.history().len()), (Stage::Sal, 0));
    /// assert_eq!(lead, Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z", "stage": "sal"}"#)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn imported(id: impl Into<Text>, created_at: DateTime<Utc>, stage: Stage) -> Self {
        Lead { stage, ..Lead::new(id, created_at) }
    }

    /// A lead with a recorded stage history, checked as reading one from
    /// JSON checks it: each entry follows the transition table from the one
    /// before (the first may enter any stage), recycling and disqualifying
    /// give a reason, and no entry is dated before `created_at` or before
    /// the entry it follows. The lead is in the last entry's stage.
    ///
    /// ```
    /// use leadgate::{Lead, Stage, StageChange};
    /// let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
    /// let lead = Lead::with_history("L-1", at(1), vec![
    ///     StageChange::new(Stage::Mql, at(2), Some("score 64".into())),
    ///     StageChange::new(Stage::Sal, at(3), None),
    /// ])?;
    /// assert_eq!((lead.stage(), lead.stage_entered_at()), (Stage::Sal, Some(at(3))));
    /// // Straight from SAL back to a lead is not in the table.
    /// let refused = Lead::with_history("L-2", at(1), vec![
    ///     StageChange::new(Stage::Sal, at(2), None),
    ///     StageChange::new(Stage::Lead, at(3), None),
    /// ]);
    /// assert!(refused.is_err());
    /// # Ok::<(), leadgate::TransitionError>(())
    /// ```
    pub fn with_history(
        id: impl Into<Text>,
        created_at: DateTime<Utc>,
        history: Vec<StageChange>,
    ) -> Result<Self, TransitionError> {
        let mut previous = None;
        for change in &history {
            check_step(previous, created_at, change)?;
            previous = Some((change.stage, change.at));
        }
        let stage = history.last().map_or(Stage::Lead, |c| c.stage);
        Ok(Lead { stage, stage_history: history, ..Lead::new(id, created_at) })
    }

    /// The current stage.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// // Imported mid-funnel: a stage and no history.
    /// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z", "stage": "sql"}"#)?;
    /// assert_eq!(lead.stage(), Stage::Sql);
    /// # Ok::<(), leadgate::InputError>(())
    /// ```
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// Every recorded stage change, oldest first. The last one, if any, is
    /// the current stage. A lead created without history has none.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// lead.move_to(Stage::Mql, "2026-11-02T00:00:00Z".parse()?, Some("score 64"))?;
    /// lead.move_to(Stage::Sal, "2026-11-03T00:00:00Z".parse()?, None)?;
    /// let stages: Vec<Stage> = lead.history().iter().map(|c| c.stage).collect();
    /// assert_eq!(stages, [Stage::Mql, Stage::Sal]);
    /// assert_eq!(lead.history()[0].reason.as_deref(), Some("score 64"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn history(&self) -> &[StageChange] {
        &self.stage_history
    }

    /// When the lead entered its current stage, if recorded.
    ///
    /// ```
    /// # use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// assert_eq!(lead.stage_entered_at(), None);
    /// let at = "2026-11-03T00:00:00Z".parse()?;
    /// lead.move_to(Stage::Mql, at, None)?;
    /// assert_eq!(lead.stage_entered_at(), Some(at));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stage_entered_at(&self) -> Option<DateTime<Utc>> {
        self.stage_history.last().map(|c| c.at)
    }

    /// The stage the lead was in at time `at`, by its history: the last
    /// change at or before `at`. Before its first recorded change a lead was
    /// a `lead` (or a `subscriber`, if that is where its history starts); a
    /// lead without history is in its current stage. Returns the stage and
    /// when it was entered, if recorded.
    ///
    /// ```
    /// use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// lead.move_to(Stage::Mql, "2026-11-10T00:00:00Z".parse()?, None)?;
    /// assert_eq!(lead.stage_at("2026-11-05T00:00:00Z".parse()?), (Stage::Lead, None));
    /// assert_eq!(lead.stage_at("2026-11-20T00:00:00Z".parse()?).0, Stage::Mql);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stage_at(&self, at: DateTime<Utc>) -> (Stage, Option<DateTime<Utc>>) {
        let Some(first) = self.stage_history.first() else { return (self.stage, None) };
        match self.stage_history.iter().rev().find(|c| c.at <= at) {
            Some(change) => (change.stage, Some(change.at)),
            None if first.stage == Stage::Subscriber => (Stage::Subscriber, None),
            None => (Stage::Lead, None),
        }
    }

    /// Moves the lead to `to` at `at`, through the transition table
    /// ([`Stage::can_move_to`]), and records the change in the history.
    ///
    /// Recycling and disqualifying need a non-empty `reason`. On error the
    /// lead is unchanged.
    ///
    /// ```
    /// use leadgate::lead::TransitionErrorKind;
    /// use leadgate::{Lead, Stage};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let at = "2026-11-05T00:00:00Z".parse()?;
    /// lead.move_to(Stage::Mql, at, Some("score 64"))?;
    /// lead.move_to(Stage::Sal, at, None)?;
    /// let err = lead.move_to(Stage::Recycled, at, None).unwrap_err();
    /// assert_eq!(err.kind(), TransitionErrorKind::ReasonRequired);
    /// assert_eq!(err.to_string(), "moving from sal to recycled requires a reason");
    /// lead.move_to(Stage::Recycled, at, Some("bad timing"))?;
    /// assert_eq!(lead.stage(), Stage::Recycled);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn move_to(
        &mut self,
        to: Stage,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<&StageChange, TransitionError> {
        let change = StageChange::new(to, at, reason.map(Text::from));
        // A lead without history is in its stage since it was created.
        let previous = (self.stage, self.stage_entered_at().unwrap_or(self.created_at));
        check_step(Some(previous), self.created_at, &change)?;
        self.stage = to;
        self.stage_history.push(change);
        Ok(&self.stage_history[self.stage_history.len() - 1])
    }
}

/// The wire form of a lead, validated into a [`Lead`].
#[derive(Deserialize)]
struct LeadRepr {
    id: Text,
    #[serde(with = "crate::lead::time::rfc3339")]
    created_at: DateTime<Utc>,
    #[serde(default)]
    person: Person,
    #[serde(default)]
    company: Company,
    #[serde(default)]
    qualification: Qualification,
    #[serde(default)]
    source: Option<Text>,
    #[serde(default)]
    campaign: Option<Text>,
    #[serde(default)]
    account_id: Option<Text>,
    #[serde(default)]
    stage: Option<Stage>,
    #[serde(default)]
    stage_history: Vec<StageChange>,
    #[serde(default)]
    touchpoints: Vec<Touchpoint>,
    #[serde(default)]
    attributes: Map<String, Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl TryFrom<LeadRepr> for Lead {
    type Error = String;

    fn try_from(r: LeadRepr) -> Result<Self, String> {
        if r.id.trim().is_empty() {
            return Err("id: must not be empty".into());
        }
        let mut previous = None;
        for (i, change) in r.stage_history.iter().enumerate() {
            check_step(previous, r.created_at, change).map_err(|e| format!("stage_history[{i}]: {e}"))?;
            previous = Some((change.stage, change.at));
        }
        let stage = match (r.stage, r.stage_history.last()) {
            (Some(stage), Some(last)) if stage != last.stage => {
                return Err(format!(
                    "stage: {stage} does not match the last entry of stage_history ({})",
                    last.stage
                ));
            }
            (Some(stage), _) => stage,
            (None, Some(last)) => last.stage,
            (None, None) => Stage::Lead,
        };
        Ok(Lead {
            id: r.id,
            created_at: r.created_at,
            person: r.person,
            company: r.company,
            qualification: r.qualification,
            source: r.source,
            campaign: r.campaign,
            account_id: r.account_id,
            stage,
            stage_history: r.stage_history,
            touchpoints: r.touchpoints,
            attributes: r.attributes,
            extra: r.extra,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(json: &str) -> Result<Lead, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn free_mail_is_sorted_and_matched_in_any_case() {
        assert!(FREE_MAIL.windows(2).all(|w| w[0] < w[1]));
        for domain in FREE_MAIL {
            assert!(is_free_mail(domain));
            assert!(is_free_mail(&domain.to_ascii_uppercase()));
        }
        for domain in ["acme.io", "gmail.co", "mail.com", "", "zzz.com", "0.com"] {
            assert!(!is_free_mail(domain), "{domain}");
        }
    }

    #[test]
    fn stage_defaults_from_history_or_to_lead() {
        let l = lead(r#"{"id":"a","created_at":"2026-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(l.stage(), Stage::Lead);
        let l = lead(
            r#"{"id":"a","created_at":"2026-01-01T00:00:00Z",
               "stage_history":[{"stage":"lead","at":"2026-01-01T00:00:00Z"},
                                {"stage":"mql","at":"2026-01-02T00:00:00Z"}]}"#,
        )
        .unwrap();
        assert_eq!(l.stage(), Stage::Mql);
    }

    #[test]
    fn history_must_follow_the_table_and_match_the_stage() {
        let err = lead(
            r#"{"id":"a","created_at":"2026-01-01T00:00:00Z",
               "stage_history":[{"stage":"lead","at":"2026-01-01T00:00:00Z"},
                                {"stage":"customer","at":"2026-01-02T00:00:00Z"}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("stage_history[1]: illegal stage transition from lead to customer"), "{err}");
        let err = lead(
            r#"{"id":"a","created_at":"2026-01-01T00:00:00Z","stage":"sql",
               "stage_history":[{"stage":"mql","at":"2026-01-01T00:00:00Z"}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("stage: sql does not match"), "{err}");
    }

    #[test]
    fn empty_id_is_refused() {
        assert!(lead(r#"{"id":" ","created_at":"2026-01-01T00:00:00Z"}"#).is_err());
    }

    #[test]
    fn refused_move_leaves_the_lead_unchanged() {
        let mut l = Lead::new("a", "2026-01-02T00:00:00Z".parse().unwrap());
        l.move_to(Stage::Mql, "2026-01-03T00:00:00Z".parse().unwrap(), None).unwrap();
        let before = l.clone();
        let err = l.move_to(Stage::Sal, "2026-01-02T12:00:00Z".parse().unwrap(), None).unwrap_err();
        assert_eq!(err.kind(), TransitionErrorKind::OutOfOrder);
        assert_eq!(l, before);
    }
}

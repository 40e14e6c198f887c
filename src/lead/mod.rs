//! The lead model: a lead (the person, the company, what is known for
//! qualification, the stage history and the touchpoints), its lifecycle
//! stages, criteria, grade and temperature, and reading leads from JSON.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub(crate) mod assessment;
pub(crate) mod input;
pub(crate) mod stage;
pub(crate) mod temperature;
pub(crate) mod text;
pub(crate) mod time;
pub(crate) mod touchpoint;

pub use assessment::{Assessment, Criterion, CriterionStatus};
pub use input::{read_leads, read_leads_from, InputError, Record, MAX_ARRAY_BYTES, MAX_LEAD_BYTES};
pub use stage::{Stage, StageChange, TransitionError};
pub use temperature::{Grade, Temperature};
pub use text::Text;
pub use touchpoint::{Channel, Direction, Team, Touchpoint};

use stage::check_step;

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
    pub fn new(id: impl Into<Text>, created_at: DateTime<Utc>) -> Self {
        Lead {
            id: id.into(),
            created_at,
            person: Person::default(),
            company: Company::default(),
            qualification: Qualification::default(),
            source: None,
            campaign: None,
            stage: Stage::Lead,
            stage_history: Vec::new(),
            touchpoints: Vec::new(),
            attributes: Map::new(),
            extra: Map::new(),
        }
    }

    /// The current stage.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// Every recorded stage change, oldest first. The last one, if any, is
    /// the current stage. A lead created without history has none.
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
    /// use leadgate::{Lead, Stage, TransitionError};
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let at = "2026-11-05T00:00:00Z".parse()?;
    /// lead.move_to(Stage::Mql, at, Some("score 64"))?;
    /// lead.move_to(Stage::Sal, at, None)?;
    /// assert_eq!(
    ///     lead.move_to(Stage::Recycled, at, None),
    ///     Err(TransitionError::ReasonRequired { from: Stage::Sal, to: Stage::Recycled })
    /// );
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
                ))
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
            stage,
            stage_history: r.stage_history,
            touchpoints: r.touchpoints,
            attributes: r.attributes,
            extra: r.extra,
        })
    }
}

/// The person behind a lead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Person {
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Text>,
    /// Job title as written by the person (for example "VP Engineering").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<Text>,
    /// Seniority, normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seniority: Option<Seniority>,
    /// Department (for example "engineering", "finance").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Text>,
    /// Fields this library does not know, kept on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The lead's company (firmographics).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Company {
    /// Company name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Web domain (for example "acme.io").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<Text>,
    /// Industry (for example "software", "healthcare").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<Text>,
    /// Number of employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u64>,
    /// Annual revenue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_revenue: Option<Money>,
    /// Country, preferably as an ISO 3166 alpha-2 code (for example "DE").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Text>,
    /// Fields this library does not know, kept on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What is known for qualification: the facts behind BANT and its cousins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Qualification {
    /// Declared budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Money>,
    /// Whether the budget has been confirmed (for example by a sales call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_confirmed: Option<bool>,
    /// The person's role in the buying decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buying_role: Option<BuyingRole>,
    /// The stated need, in the lead's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<Text>,
    /// Pain points the lead mentioned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pain_points: Vec<Text>,
    /// When they expect to buy, as a horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// When they expect to buy, as a date.
    #[serde(default, with = "crate::lead::time::date_option", skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<NaiveDate>,
    /// Fields this library does not know, kept on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An amount of money in a currency.
///
/// ```
/// use leadgate::Money;
/// let m: Money = serde_json::from_str(r#"{"amount": 50000, "currency": "EUR"}"#)?;
/// assert_eq!(m.amount, 50000.0);
/// assert_eq!(m.currency.as_str(), "EUR");
/// assert!(serde_json::from_str::<Money>(r#"{"amount": -1, "currency": "EUR"}"#).is_err());
/// assert!(serde_json::from_str::<Money>(r#"{"amount": 1, "currency": "euro"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Money {
    /// The amount, finite and not negative.
    #[serde(deserialize_with = "non_negative", serialize_with = "whole_if_integral")]
    pub amount: f64,
    /// The currency.
    pub currency: Currency,
    /// Fields this library does not know (a CRM's `"converted"` amount,
    /// say), kept on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Money {
    /// `amount` of `currency`; the amount must be finite and not negative,
    /// as when it is read from JSON.
    ///
    /// ```
    /// use leadgate::Money;
    /// let m = Money::new(50_000.0, "EUR".parse()?)?;
    /// assert_eq!(m.amount, 50_000.0);
    /// assert!(Money::new(-1.0, "EUR".parse()?).is_err());
    /// assert!(Money::new(f64::NAN, "EUR".parse()?).is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn new(amount: f64, currency: Currency) -> Result<Money, String> {
        check_amount(amount)?;
        Ok(Money { amount, currency, extra: Map::new() })
    }
}

/// `50000`, not `50000.0`: amounts written back look as they were read.
fn whole_if_integral<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    check_amount(v).map_err(serde::de::Error::custom)?;
    Ok(v)
}

fn check_amount(v: f64) -> Result<(), String> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(format!("amount must be a finite number >= 0, got {v}"))
    }
}

/// An ISO 4217 currency code: three upper-case ASCII letters.
///
/// ```
/// use leadgate::Currency;
/// let usd: Currency = "USD".parse()?;
/// assert_eq!(usd.to_string(), "USD");
/// assert!("usd".parse::<Currency>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The code as a string.
    pub fn as_str(&self) -> &str {
        // Only upper-case ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl FromStr for Currency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(format!("invalid currency {s:?}, expected an ISO 4217 code such as \"USD\"")),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The snake_case name used in JSON and scripts.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

keyword_enum! {
    /// How senior a person is, most senior first.
    ///
    /// ```
    /// use leadgate::Seniority;
    /// assert!(Seniority::CLevel < Seniority::Manager);
    /// assert_eq!(Seniority::Vp.as_str(), "vp");
    /// ```
    Seniority {
        /// Chief officer, founder or owner.
        CLevel = "c_level",
        /// Vice president.
        Vp = "vp",
        /// Director or head of.
        Director = "director",
        /// Manager or team lead.
        Manager = "manager",
        /// Individual contributor.
        IndividualContributor = "individual_contributor",
        /// Student or intern.
        Student = "student",
    }
}

keyword_enum! {
    /// A person's role in the buying decision.
    ///
    /// ```
    /// use leadgate::BuyingRole;
    /// let r: BuyingRole = serde_json::from_str("\"economic_buyer\"")?;
    /// assert_eq!(r, BuyingRole::EconomicBuyer);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    BuyingRole {
        /// Makes the decision.
        DecisionMaker = "decision_maker",
        /// Controls the money.
        EconomicBuyer = "economic_buyer",
        /// Sells the product internally.
        Champion = "champion",
        /// Shapes the decision.
        Influencer = "influencer",
        /// Evaluates the product (often technically).
        Evaluator = "evaluator",
        /// Will use the product.
        EndUser = "end_user",
        /// Controls access to the decision makers.
        Gatekeeper = "gatekeeper",
    }
}

keyword_enum! {
    /// When the lead expects to buy, as CRMs' "purchase timeframe" picklists say it.
    ///
    /// ```
    /// use leadgate::Timeline;
    /// assert_eq!(Timeline::Within3Months.max_days(), Some(90));
    /// assert_eq!(Timeline::NoPlans.max_days(), None);
    /// ```
    Timeline {
        /// Now.
        Immediate = "immediate",
        /// Within three months.
        Within3Months = "within_3_months",
        /// Within six months.
        Within6Months = "within_6_months",
        /// Within a year.
        Within12Months = "within_12_months",
        /// More than a year away.
        Over12Months = "over_12_months",
        /// No purchase planned.
        NoPlans = "no_plans",
    }
}

impl Timeline {
    /// The latest number of days from now the purchase is expected in, if bounded.
    pub const fn max_days(self) -> Option<i64> {
        match self {
            Timeline::Immediate => Some(0),
            Timeline::Within3Months => Some(90),
            Timeline::Within6Months => Some(180),
            Timeline::Within12Months => Some(365),
            Timeline::Over12Months | Timeline::NoPlans => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(json: &str) -> Result<Lead, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
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
        assert!(matches!(err, TransitionError::OutOfOrder { .. }));
        assert_eq!(l, before);
    }
}

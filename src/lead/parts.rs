//! The parts of a lead: the person, the company and what is known for
//! qualification, with their keyword enums.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Money;
use super::keyword::keyword_enum;
use crate::Text;

/// A number of employees: a whole number of 0 or more, or null. The error
/// says so, rather than naming Rust's `u64`.
fn employees<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::de::{Error, Unexpected, Visitor};
    struct Count;
    impl<'de> Visitor<'de> for Count {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a whole number of employees, 0 or more")
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_u64(self)
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        // TOML and some other formats give every integer as `i64`.
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v).map(Some).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
        }
    }
    d.deserialize_option(Count)
}

/// The person behind a lead.
///
/// ```
/// use leadgate::Seniority;
/// use leadgate::lead::Person;
/// let json = r#"{"name": "Ada Lovelace", "seniority": "vp", "linkedin": "ada"}"#;
/// let person: Person = serde_json::from_str(json)?;
/// assert_eq!(person.name.as_deref(), Some("Ada Lovelace"));
/// assert_eq!(person.seniority, Some(Seniority::Vp));
/// assert_eq!(person.extra["linkedin"], "ada"); // kept on a round trip
/// # Ok::<(), serde_json::Error>(())
/// ```
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
///
/// ```
/// use leadgate::lead::Company;
/// let json = r#"{"name": "Analytical Engines", "employees": 450,
///                "annual_revenue": {"amount": 12000000, "currency": "GBP"}}"#;
/// let company: Company = serde_json::from_str(json)?;
/// assert_eq!(company.employees, Some(450));
/// let revenue = company.annual_revenue.unwrap();
/// assert_eq!((revenue.amount(), revenue.currency.as_str()), (12_000_000.0, "GBP"));
/// assert_eq!(company.industry, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
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
    #[serde(default, deserialize_with = "employees", skip_serializing_if = "Option::is_none")]
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
///
/// ```
/// use leadgate::lead::Qualification;
/// use leadgate::{BuyingRole, Timeline};
/// let json = r#"{"budget_confirmed": true, "buying_role": "champion",
///                "timeline": "within_3_months", "purchase_date": "2027-01-31"}"#;
/// let q: Qualification = serde_json::from_str(json)?;
/// assert_eq!((q.budget_confirmed, q.buying_role), (Some(true), Some(BuyingRole::Champion)));
/// assert_eq!(q.timeline, Some(Timeline::Within3Months));
/// assert_eq!(q.purchase_date, chrono::NaiveDate::from_ymd_opt(2027, 1, 31));
/// # Ok::<(), serde_json::Error>(())
/// ```
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

keyword_enum! {
    /// How senior a person is, most senior first.
    ///
    /// ```
    /// use leadgate::Seniority;
    /// assert!(Seniority::CLevel < Seniority::Manager);
    /// assert_eq!(Seniority::Vp.as_str(), "vp");
    /// ```
    pub enum Seniority as "seniority" {
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
    pub enum BuyingRole as "buying role" {
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
    pub enum Timeline as "timeline" {
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
    ///
    /// ```
    /// use leadgate::Timeline;
    /// assert_eq!(Timeline::Immediate.max_days(), Some(0));
    /// assert_eq!(Timeline::Within12Months.max_days(), Some(365));
    /// assert_eq!(Timeline::Over12Months.max_days(), None);
    /// ```
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

// Copies without the unknown fields, for the rules' snapshot: rules never
// read them, and copying them would make a lead with many unknown fields
// cost allocations on every decision.

impl Person {
    pub(crate) fn known(&self) -> Person {
        Person {
            name: self.name.clone(),
            email: self.email.clone(),
            job_title: self.job_title.clone(),
            seniority: self.seniority,
            department: self.department.clone(),
            extra: Map::new(),
        }
    }
}

impl Company {
    pub(crate) fn known(&self) -> Company {
        Company {
            name: self.name.clone(),
            domain: self.domain.clone(),
            industry: self.industry.clone(),
            employees: self.employees,
            annual_revenue: self.annual_revenue.as_ref().map(Money::known),
            country: self.country.clone(),
            extra: Map::new(),
        }
    }
}

impl Qualification {
    pub(crate) fn known(&self) -> Qualification {
        Qualification {
            budget: self.budget.as_ref().map(Money::known),
            budget_confirmed: self.budget_confirmed,
            buying_role: self.buying_role,
            need: self.need.clone(),
            pain_points: self.pain_points.clone(),
            timeline: self.timeline,
            purchase_date: self.purchase_date,
            extra: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employees_are_a_whole_number_of_zero_or_more_in_any_format() {
        let json = |v: &str| serde_json::from_str::<Company>(&format!(r#"{{"employees": {v}}}"#));
        assert_eq!(json("0").unwrap().employees, Some(0));
        assert_eq!(json("18446744073709551615").unwrap().employees, Some(u64::MAX));
        assert_eq!(json("null").unwrap().employees, None);
        assert_eq!(serde_json::from_str::<Company>("{}").unwrap().employees, None);
        // TOML gives integers as i64.
        assert_eq!(toml::from_str::<Company>("employees = 450").unwrap().employees, Some(450));
        for (v, message) in [
            ("-1", "invalid value: integer `-1`, expected a whole number of employees, 0 or more"),
            ("12.5", "invalid type: floating point `12.5`, expected a whole number of employees, 0 or more"),
            (r#""many""#, r#"invalid type: string "many", expected a whole number of employees, 0 or more"#),
        ] {
            let err = json(v).unwrap_err().to_string();
            assert!(err.starts_with(message), "{v}: {err}");
        }
    }
}

//! Qualification assessments: BANT and any other framework's criteria.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ValueError;
use super::keyword::keyword_enum;
use crate::Text;

keyword_enum! {
    /// Whether a qualification criterion is met.
    ///
    /// ```
    /// use leadgate::CriterionStatus;
    /// assert_eq!(serde_json::to_string(&CriterionStatus::NotMet)?, "\"not_met\"");
    /// assert_eq!(CriterionStatus::default(), CriterionStatus::Unknown);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Default)]
    pub enum CriterionStatus as "criterion status" {
        /// Not yet known (not asked, no evidence).
        #[default]
        Unknown = "unknown",
        /// Met, with evidence.
        Met = "met",
        /// Not met, with evidence.
        NotMet = "not_met",
    }
}

/// The status of one criterion and the evidence that decided it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Criterion {
    /// Met, not met or unknown.
    pub status: CriterionStatus,
    /// What decided it, in words (for example "budget of 50,000 USD confirmed").
    #[serde(default)]
    pub evidence: Option<Text>,
    /// The rule that decided it, when a rule pack did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Text>,
}

/// An assessment against a qualification framework: one [`Criterion`] per
/// criterion name, in the framework's order.
///
/// BANT (budget, authority, need, timeline) is the default framework; a rule
/// pack may declare any other (CHAMP, ANUM, MEDDIC...). In JSON it is an
/// object keyed by criterion name, in order.
///
/// ```
/// use leadgate::{Assessment, CriterionStatus};
///
/// let mut bant = Assessment::bant();
/// bant.set("budget", CriterionStatus::Met, Some("50k USD confirmed".into()))?;
/// assert_eq!(bant.get("budget").unwrap().status, CriterionStatus::Met);
/// assert_eq!(bant.count(CriterionStatus::Unknown), 3);
/// assert!(bant.set("budjet", CriterionStatus::Met, None).is_err());
/// assert_eq!(
///     serde_json::to_string(&bant)?,
///     r#"{"budget":{"status":"met","evidence":"50k USD confirmed"},"authority":{"status":"unknown","evidence":null},"need":{"status":"unknown","evidence":null},"timeline":{"status":"unknown","evidence":null}}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    criteria: Vec<(Text, Criterion)>,
}

impl Assessment {
    /// The BANT criteria names.
    pub const BANT: [&'static str; 4] = ["budget", "authority", "need", "timeline"];

    /// An assessment of the given criteria, all unknown.
    ///
    /// ```
    /// let champ = leadgate::Assessment::new(["challenges", "authority", "money", "prioritization"]);
    /// assert_eq!(champ.len(), 4);
    /// ```
    pub fn new<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Text>,
    {
        Assessment { criteria: names.into_iter().map(|n| (n.into(), Criterion::default())).collect() }
    }

    /// BANT, all unknown.
    pub fn bant() -> Self {
        Assessment::new(Self::BANT)
    }

    /// The criterion called `name`.
    pub fn get(&self, name: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// Sets a criterion's status and evidence; an unknown name is an error
    /// that lists the framework's criteria.
    pub fn set(
        &mut self,
        name: &str,
        status: CriterionStatus,
        evidence: Option<Text>,
    ) -> Result<&mut Criterion, ValueError> {
        match self.criteria.iter().position(|(n, _)| n == name) {
            Some(i) => {
                let c = &mut self.criteria[i].1;
                c.status = status;
                c.evidence = evidence;
                Ok(c)
            }
            None => Err(self.unknown_name(name)),
        }
    }

    /// The criteria in order, with their names.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Criterion)> {
        self.criteria.iter().map(|(n, c)| (n.as_str(), c))
    }

    /// How many criteria have `status`.
    pub fn count(&self, status: CriterionStatus) -> usize {
        self.criteria.iter().filter(|(_, c)| c.status == status).count()
    }

    /// The number of criteria.
    pub fn len(&self) -> usize {
        self.criteria.len()
    }

    /// Whether the framework has no criteria.
    pub fn is_empty(&self) -> bool {
        self.criteria.is_empty()
    }

    /// The names of the criteria with `status`, in order.
    pub fn names_with(&self, status: CriterionStatus) -> Vec<Text> {
        self.criteria.iter().filter(|(_, c)| c.status == status).map(|(n, _)| n.clone()).collect()
    }

    /// The error for a criterion name this framework does not have.
    pub(crate) fn unknown_name(&self, name: &str) -> ValueError {
        let names = || self.criteria.iter().map(|(n, _)| n.as_str());
        let message = crate::suggest::unknown_criterion(name, names());
        ValueError::unknown_as("criterion", name, crate::suggest::closest(name, names()), message)
    }
}

impl Serialize for Assessment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.criteria.len()))?;
        for (name, c) in &self.criteria {
            map.serialize_entry(name, c)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Assessment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Assessment;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of criteria")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Assessment, A::Error> {
                let mut criteria: Vec<(Text, Criterion)> = Vec::new();
                while let Some((name, c)) = map.next_entry::<Text, Criterion>()? {
                    if criteria.iter().any(|(n, _)| *n == name) {
                        return Err(serde::de::Error::custom(format!("duplicate criterion {name:?}")));
                    }
                    criteria.push((name, c));
                }
                Ok(Assessment { criteria })
            }
        }
        d.deserialize_map(V)
    }
}

//! Qualification assessments: BANT and any other framework's criteria.

use std::fmt;
use std::sync::{Arc, LazyLock};

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
///
/// ```
/// use leadgate::CriterionStatus;
/// use leadgate::lead::Criterion;
/// let c: Criterion = serde_json::from_str(r#"{"status": "met", "evidence": "VP Engineering"}"#)?;
/// assert_eq!(c.status, CriterionStatus::Met);
/// assert_eq!(c.evidence.as_deref(), Some("VP Engineering"));
/// assert_eq!(c.rule, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
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
#[derive(Clone, PartialEq, Eq)]
pub struct Assessment {
    /// Shared: every decision of a pack names the same criteria, and a
    /// shared list costs one reference count, not one per name.
    names: Arc<[Text]>,
    /// One per name, in order.
    criteria: Vec<Criterion>,
}

impl Default for Assessment {
    /// No criteria; making one does not allocate.
    fn default() -> Self {
        static NONE: LazyLock<Arc<[Text]>> = LazyLock::new(|| Arc::from([]));
        Assessment { names: NONE.clone(), criteria: Vec::new() }
    }
}

impl fmt::Debug for Assessment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Assessment {
    /// The BANT criteria names.
    ///
    /// ```
    /// use leadgate::Assessment;
    /// assert_eq!(Assessment::BANT, ["budget", "authority", "need", "timeline"]);
    /// let bant = Assessment::bant();
    /// let names: Vec<&str> = bant.iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, Assessment::BANT);
    /// ```
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
        let names: Arc<[Text]> = names.into_iter().map(Into::into).collect();
        Assessment { criteria: vec![Criterion::default(); names.len()], names }
    }

    /// BANT, all unknown.
    ///
    /// ```
    /// use leadgate::{Assessment, CriterionStatus};
    /// let bant = Assessment::bant();
    /// assert_eq!(bant.len(), 4);
    /// assert_eq!(bant.count(CriterionStatus::Unknown), 4);
    /// ```
    pub fn bant() -> Self {
        Assessment::new(Self::BANT)
    }

    /// The criterion called `name`.
    ///
    /// ```
    /// use leadgate::{Assessment, CriterionStatus};
    /// let bant = Assessment::bant();
    /// assert_eq!(bant.get("need").map(|c| c.status), Some(CriterionStatus::Unknown));
    /// assert_eq!(bant.get("metrics"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&Criterion> {
        self.position(name).map(|i| &self.criteria[i])
    }

    /// Sets a criterion's status and evidence; an unknown name is an error
    /// that lists the framework's criteria.
    ///
    /// ```
    /// use leadgate::{Assessment, CriterionStatus};
    /// let mut bant = Assessment::bant();
    /// let c = bant.set("authority", CriterionStatus::NotMet, Some("intern".into()))?;
    /// assert_eq!(c.evidence.as_deref(), Some("intern"));
    /// assert_eq!(bant.get("authority").unwrap().status, CriterionStatus::NotMet);
    /// let err = bant.set("budjet", CriterionStatus::Met, None).unwrap_err();
    /// assert_eq!(err.suggestion(), Some("budget"));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "unknown criterion \"budjet\" (did you mean \"budget\"?); this pack's criteria are: budget, authority, need, timeline"
    /// );
    /// # Ok::<(), leadgate::ValueError>(())
    /// ```
    pub fn set(
        &mut self,
        name: &str,
        status: CriterionStatus,
        evidence: Option<Text>,
    ) -> Result<&mut Criterion, ValueError> {
        match self.position(name) {
            Some(i) => {
                let c = &mut self.criteria[i];
                c.status = status;
                c.evidence = evidence;
                Ok(c)
            }
            None => Err(self.unknown_name(name)),
        }
    }

    /// Where the criterion `name` is in order.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The criterion at `index` in order, for rules that resolved its name
    /// when they were compiled.
    pub(crate) fn at_mut(&mut self, index: usize) -> Option<&mut Criterion> {
        self.criteria.get_mut(index)
    }

    pub(crate) fn status_at(&self, index: usize) -> Option<CriterionStatus> {
        self.criteria.get(index).map(|c| c.status)
    }

    /// The criteria in order, with their names.
    ///
    /// ```
    /// use leadgate::Assessment;
    /// use leadgate::CriterionStatus::{Met, Unknown};
    /// let mut bant = Assessment::bant();
    /// bant.set("need", Met, None)?;
    /// let statuses: Vec<_> = bant.iter().map(|(name, c)| (name, c.status)).collect();
    /// assert_eq!(statuses, [("budget", Unknown), ("authority", Unknown), ("need", Met), ("timeline", Unknown)]);
    /// # Ok::<(), leadgate::ValueError>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Criterion)> {
        self.names.iter().map(Text::as_str).zip(&self.criteria)
    }

    /// How many criteria have `status`.
    ///
    /// ```
    /// use leadgate::{Assessment, CriterionStatus};
    /// let mut bant = Assessment::bant();
    /// bant.set("budget", CriterionStatus::Met, None)?;
    /// bant.set("need", CriterionStatus::Met, None)?;
    /// assert_eq!(bant.count(CriterionStatus::Met), 2);
    /// assert_eq!(bant.count(CriterionStatus::NotMet), 0);
    /// # Ok::<(), leadgate::ValueError>(())
    /// ```
    pub fn count(&self, status: CriterionStatus) -> usize {
        self.criteria.iter().filter(|c| c.status == status).count()
    }

    /// The number of criteria.
    ///
    /// ```
    /// use leadgate::Assessment;
    /// assert_eq!(Assessment::bant().len(), 4);
    /// assert_eq!(Assessment::new(["need", "timeline"]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.criteria.len()
    }

    /// Whether the framework has no criteria.
    ///
    /// ```
    /// use leadgate::Assessment;
    /// assert!(Assessment::default().is_empty());
    /// assert!(!Assessment::bant().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.criteria.is_empty()
    }

    /// The names of the criteria with `status`, in order.
    ///
    /// ```
    /// use leadgate::{Assessment, CriterionStatus};
    /// let mut bant = Assessment::bant();
    /// bant.set("timeline", CriterionStatus::Met, None)?;
    /// bant.set("budget", CriterionStatus::Met, None)?;
    /// assert_eq!(bant.names_with(CriterionStatus::Met), ["budget", "timeline"]);
    /// assert_eq!(bant.names_with(CriterionStatus::Unknown), ["authority", "need"]);
    /// # Ok::<(), leadgate::ValueError>(())
    /// ```
    pub fn names_with(&self, status: CriterionStatus) -> Vec<Text> {
        self.iter_texts().filter(|(_, c)| c.status == status).map(|(n, _)| n.clone()).collect()
    }

    /// The error for a criterion name this framework does not have.
    fn iter_texts(&self) -> impl Iterator<Item = (&Text, &Criterion)> {
        self.names.iter().zip(&self.criteria)
    }

    pub(crate) fn unknown_name(&self, name: &str) -> ValueError {
        let names = || self.names.iter().map(Text::as_str);
        let message = crate::suggest::unknown_criterion(name, names());
        ValueError::unknown_as("criterion", name, crate::suggest::closest(name, names()), message)
    }
}

impl Serialize for Assessment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.criteria.len()))?;
        for (name, c) in self.iter() {
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
                let (mut names, mut criteria) = (Vec::<Text>::new(), Vec::new());
                while let Some((name, c)) = map.next_entry::<Text, Criterion>()? {
                    if names.contains(&name) {
                        return Err(serde::de::Error::custom(format!("duplicate criterion {name:?}")));
                    }
                    names.push(name);
                    criteria.push(c);
                }
                Ok(Assessment { names: names.into(), criteria })
            }
        }
        d.deserialize_map(V)
    }
}

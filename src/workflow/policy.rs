//! SLA policies: which SLA a handoff gets, from its temperature, stage and
//! source.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Sla;
use crate::{Decision, Lead, Stage, Temperature, Text};

/// One line of an [`SlaPolicy`]: the SLA for handoffs that match every
/// condition it sets (a rule with none matches every handoff).
///
/// ```
/// use leadgate::Temperature;
/// use leadgate::workflow::{Sla, SlaRule};
/// let hot = SlaRule::new("hot", Sla::business_hours(1)).temperature(Temperature::Hot);
/// assert_eq!(hot.name(), "hot");
/// assert_eq!(hot.sla(), &Sla::business_hours(1));
/// ```
///
/// It reads and writes as `{"name": ..., "sla": ..., "temperature": ...,
/// "stage": ..., "source": ...}`, the conditions it does not set left out
/// (see [`SlaPolicy`]'s example).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaRule {
    name: Text,
    sla: Sla,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temperature: Option<Temperature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<Text>,
}

impl SlaRule {
    /// A rule named `name` (the name handoff records and breach reports
    /// carry) giving `sla`.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaRule};
    /// let rule = SlaRule::new("partner leads", Sla::hours(48)).source("partner");
    /// assert_eq!(rule.name(), "partner leads");
    /// ```
    pub fn new(name: &str, sla: Sla) -> SlaRule {
        SlaRule { name: name.into(), sla, temperature: None, stage: None, source: None }
    }

    /// Only for decisions of this temperature.
    ///
    /// ```
    /// use leadgate::Temperature;
    /// use leadgate::workflow::{Sla, SlaRule};
    /// let rule = SlaRule::new("hot", Sla::business_hours(1)).temperature(Temperature::Hot);
    /// # assert_eq!(rule.name(), "hot");
    /// ```
    pub fn temperature(self, temperature: Temperature) -> SlaRule {
        SlaRule { temperature: Some(temperature), ..self }
    }

    /// Only for handoffs to this stage (the decision's handoff stage: MQL,
    /// or SQL for an SQL-ready lead).
    ///
    /// ```
    /// use leadgate::Stage;
    /// use leadgate::workflow::{Sla, SlaRule};
    /// let rule = SlaRule::new("sql", Sla::business_hours(4)).stage(Stage::Sql);
    /// # assert_eq!(rule.name(), "sql");
    /// ```
    pub fn stage(self, stage: Stage) -> SlaRule {
        SlaRule { stage: Some(stage), ..self }
    }

    /// Only for leads from this source (the lead's `source`, exactly).
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaRule};
    /// let rule = SlaRule::new("events", Sla::business_hours(16)).source("trade_show");
    /// # assert_eq!(rule.name(), "events");
    /// ```
    pub fn source(self, source: &str) -> SlaRule {
        SlaRule { source: Some(source.into()), ..self }
    }

    /// The rule's name.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaRule};
    /// assert_eq!(SlaRule::new("sql", Sla::business_hours(4)).name(), "sql");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SLA it gives.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaRule};
    /// assert_eq!(SlaRule::new("sql", Sla::business_hours(4)).sla(), &Sla::business_hours(4));
    /// ```
    pub fn sla(&self) -> &Sla {
        &self.sla
    }

    fn matches(&self, lead: &Lead, decision: &Decision) -> bool {
        self.temperature.is_none_or(|t| decision.temperature == Some(t))
            && self.stage.is_none_or(|s| decision.handoff.as_ref().is_some_and(|h| h.stage == s))
            && self.source.as_ref().is_none_or(|s| lead.source.as_ref() == Some(s))
    }
}

/// Which SLA each handoff gets: the first rule that matches, in the order
/// they were added, else the default.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier, Stage, Temperature};
/// use leadgate::workflow::{Sla, SlaPolicy, SlaRule};
///
/// let policy = SlaPolicy::new(Sla::business_hours(8))
///     .rule(SlaRule::new("hot", Sla::business_hours(1)).temperature(Temperature::Hot))
///     .rule(SlaRule::new("sql", Sla::business_hours(4)).stage(Stage::Sql));
///
/// let q = Qualifier::new(&Pack::b2b_bant())?;
/// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
///     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// let decision = q.evaluate(&lead, "2026-11-23T09:00:00Z".parse()?)?;
/// assert_eq!(decision.temperature, Some(Temperature::Hot));
/// let rule = policy.choose(&lead, &decision);
/// assert_eq!((rule.name(), rule.sla()), ("hot", &Sla::business_hours(1)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy {
    rules: Vec<SlaRule>,
    default: SlaRule,
}

impl SlaPolicy {
    /// A policy giving every handoff `default` (the rule named `default`)
    /// until rules are added.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaPolicy};
    /// let policy = SlaPolicy::new(Sla::business_hours(8));
    /// assert_eq!(policy.default_rule().name(), "default");
    /// assert_eq!(policy.rules().len(), 0);
    /// ```
    pub fn new(default: Sla) -> SlaPolicy {
        SlaPolicy { rules: Vec::new(), default: SlaRule::new("default", default) }
    }

    /// Adds a rule after those already added.
    ///
    /// ```
    /// use leadgate::Temperature;
    /// use leadgate::workflow::{Sla, SlaPolicy, SlaRule};
    /// let policy = SlaPolicy::new(Sla::hours(24))
    ///     .rule(SlaRule::new("hot", Sla::hours(1)).temperature(Temperature::Hot));
    /// assert_eq!(policy.rules()[0].name(), "hot");
    /// ```
    pub fn rule(mut self, rule: SlaRule) -> SlaPolicy {
        self.rules.push(rule);
        self
    }

    /// The rules, in the order they are tried.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaPolicy, SlaRule};
    /// let policy = SlaPolicy::new(Sla::hours(24)).rule(SlaRule::new("all", Sla::hours(2)));
    /// assert_eq!(policy.rules().iter().map(|r| r.name()).collect::<Vec<_>>(), ["all"]);
    /// ```
    pub fn rules(&self) -> &[SlaRule] {
        &self.rules
    }

    /// The rule that applies when no other matches.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaPolicy};
    /// assert_eq!(SlaPolicy::new(Sla::hours(24)).default_rule().sla(), &Sla::hours(24));
    /// ```
    pub fn default_rule(&self) -> &SlaRule {
        &self.default
    }

    /// The rule that gives the SLA for handing `lead` off on `decision`.
    ///
    /// ```
    /// use leadgate::{Lead, Pack, Qualifier, Stage};
    /// use leadgate::workflow::{Sla, SlaPolicy, SlaRule};
    /// let policy = SlaPolicy::new(Sla::business_hours(8))
    ///     .rule(SlaRule::new("sql", Sla::business_hours(4)).stage(Stage::Sql));
    /// let q = Qualifier::new(&Pack::b2b_bant())?;
    /// let cold = Lead::new("L-2", "2026-11-01T00:00:00Z".parse()?);
    /// let decision = q.evaluate(&cold, "2026-11-23T00:00:00Z".parse()?)?;
    /// assert_eq!(policy.choose(&cold, &decision).name(), "default");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn choose(&self, lead: &Lead, decision: &Decision) -> &SlaRule {
        self.rules.iter().find(|r| r.matches(lead, decision)).unwrap_or(&self.default)
    }
}

impl Default for SlaPolicy {
    /// Every handoff due within 24 hours around the clock.
    fn default() -> Self {
        SlaPolicy::new(Sla::default())
    }
}

impl From<Sla> for SlaPolicy {
    /// One SLA for every handoff.
    fn from(sla: Sla) -> Self {
        SlaPolicy::new(sla)
    }
}

/// A policy as written and read: the SLA of handoffs no rule matches, and
/// the rules, tried in order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyForm<S, R> {
    default: S,
    #[serde(default)]
    rules: R,
}

impl Serialize for SlaPolicy {
    /// `{"default": {"minutes": 480, ...}, "rules": [{"name": "hot", "sla": {...},
    /// "temperature": "hot"}, ...]}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PolicyForm { default: &self.default.sla, rules: &self.rules }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SlaPolicy {
    /// A `default` SLA and `rules` (none unless given), each with a `name`,
    /// an `sla`, and the conditions it sets: `temperature`, `stage`,
    /// `source`. Fields it does not know are refused.
    ///
    /// ```
    /// use leadgate::Temperature;
    /// use leadgate::workflow::{Calendar, Sla, SlaPolicy, SlaRule};
    /// let policy: SlaPolicy = toml::from_str(r#"
    ///     default = { hours = 8, calendar = { zone = "Europe/Berlin" } }
    ///
    ///     [[rules]]
    ///     name = "hot"
    ///     temperature = "hot"
    ///     sla = { hours = 1, calendar = { zone = "Europe/Berlin" } }
    ///
    ///     [[rules]]
    ///     name = "partner leads"
    ///     source = "partner"
    ///     sla = { hours = 48 }
    /// "#)?;
    /// let berlin = || Calendar::new("Europe/Berlin");
    /// let built = SlaPolicy::new(Sla::business_hours(8).with_calendar(berlin()?))
    ///     .rule(SlaRule::new("hot", Sla::business_hours(1).with_calendar(berlin()?)).temperature(Temperature::Hot))
    ///     .rule(SlaRule::new("partner leads", Sla::hours(48)).source("partner"));
    /// assert_eq!(policy, built);
    ///
    /// // Written back, it reads the same.
    /// let json = serde_json::to_string(&policy)?;
    /// assert_eq!(serde_json::from_str::<SlaPolicy>(&json)?, policy);
    ///
    /// let err = toml::from_str::<SlaPolicy>("default = { hours = 8 }\n[[rules]]\nname = \"x\"\nsla = { hours = 1 }\ntemprature = \"hot\"\n").unwrap_err();
    /// assert!(err.to_string().contains("unknown field `temprature`"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let form = PolicyForm::<Sla, Vec<SlaRule>>::deserialize(deserializer)?;
        Ok(SlaPolicy { rules: form.rules, default: SlaRule::new("default", form.default) })
    }
}

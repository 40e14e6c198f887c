//! What rule scripts see: `lead` (read-only), `params` (read-only) and
//! `decision` (the result the rules fill). Registered natively so that the
//! natural way to write a rule is also the fast one: touchpoint
//! aggregations run in Rust, never as script loops.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Position, FLOAT, INT};

use crate::decision::{Contribution, Reasoned};
use crate::lead::{Company, Person, Qualification};
use crate::pack::params::ParamTable;
use crate::{
    Assessment, Category, Channel, CriterionStatus, Grade, Lead, ParamValue, Stage, Team, Temperature, Text,
};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// One touchpoint, reduced to what aggregations need.
#[derive(Debug, Clone)]
pub(crate) struct Touch {
    pub(crate) age_days: f64,
    /// Days since the Unix epoch (UTC), for per-day caps.
    pub(crate) day: i64,
    pub(crate) channel: Channel,
    pub(crate) team: Team,
    pub(crate) campaign: Option<Text>,
}

/// The lead as scripts see it: a read-only snapshot as of the evaluation time.
#[derive(Debug, Clone)]
pub(crate) struct ScriptLead {
    id: Text,
    created_at: DateTime<Utc>,
    person: Person,
    company: Company,
    qualification: Qualification,
    source: Option<Text>,
    campaign: Option<Text>,
    stage: Stage,
    stage_entered_at: Option<DateTime<Utc>>,
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
    as_of: DateTime<Utc>,
    /// Touchpoints at or before `as_of`, sorted by channel then day.
    pub(crate) touches: Vec<Touch>,
}

impl Default for ScriptLead {
    fn default() -> Self {
        ScriptLead {
            id: Text::default(),
            created_at: DateTime::default(),
            person: Person::default(),
            company: Company::default(),
            qualification: Qualification::default(),
            source: None,
            campaign: None,
            stage: Stage::Lead,
            stage_entered_at: None,
            attributes: None,
            as_of: DateTime::default(),
            touches: Vec::new(),
        }
    }
}

/// The snapshot as a script value: `lead`. Copies (`let l = lead`, a list
/// of leads) share it, so a script cannot multiply the lead's memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot(pub(crate) Arc<ScriptLead>);

impl std::ops::Deref for Snapshot {
    type Target = ScriptLead;
    fn deref(&self) -> &ScriptLead {
        &self.0
    }
}

impl Snapshot {
    /// The snapshot to fill for the next lead: this one's, when no copy of
    /// it outlived the last run (the usual case), else a new one.
    pub(crate) fn get_mut(&mut self) -> &mut ScriptLead {
        if Arc::get_mut(&mut self.0).is_none() {
            self.0 = Arc::default();
        }
        // Unique by now, so this never copies.
        Arc::make_mut(&mut self.0)
    }
}

impl ScriptLead {
    /// Takes a snapshot of `lead`, reusing this one's buffer for touches.
    pub(crate) fn fill(&mut self, lead: &Lead, as_of: DateTime<Utc>, with_attributes: bool) {
        let now = as_of.timestamp_millis();
        self.touches.clear();
        self.touches.extend(lead.touchpoints.iter().filter(|t| t.at <= as_of).map(|t| {
            let at = t.at.timestamp_millis();
            Touch {
                age_days: (now - at) as f64 / (SECONDS_PER_DAY * 1000.0),
                day: at.div_euclid(86_400_000),
                channel: t.channel.clone(),
                team: t.team(),
                campaign: t.campaign.clone(),
            }
        }));
        // Unstable is enough: ties are touches at the same instant, equal for every sum.
        self.touches.sort_unstable_by(|a, b| {
            a.channel.cmp(&b.channel).then(a.day.cmp(&b.day)).then(a.age_days.total_cmp(&b.age_days))
        });
        (self.stage, self.stage_entered_at) = lead.stage_at(as_of);
        self.id = lead.id.clone();
        self.created_at = lead.created_at;
        self.person = lead.person.clone();
        self.company = lead.company.clone();
        self.qualification = lead.qualification.clone();
        self.source = lead.source.clone();
        self.campaign = lead.campaign.clone();
        self.attributes = with_attributes.then(|| lead.attributes.clone());
        self.as_of = as_of;
    }

    /// A custom attribute as a table reads it (`attr.name`): text, numbers
    /// and booleans compare; a list or an object is only present.
    pub(crate) fn attribute(&self, name: &str) -> Value<'_> {
        use serde_json::Value as Json;
        match self.attributes.as_ref().and_then(|m| m.get(name)) {
            None | Some(Json::Null) => Value::Missing,
            Some(Json::String(s)) => Value::Str(std::borrow::Cow::Borrowed(s)),
            Some(Json::Bool(b)) => Value::Bool(*b),
            Some(Json::Number(n)) => {
                n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int)
            }
            Some(Json::Array(_) | Json::Object(_)) => Value::Structured,
        }
    }

    /// Drops the lead's data, keeping only the touch buffer's capacity.
    pub(crate) fn clear(&mut self) {
        let mut touches = std::mem::take(&mut self.touches);
        touches.clear();
        *self = ScriptLead { touches, ..ScriptLead::default() };
    }

    /// Every touch, for a function to scan: the scan is charged to the
    /// evaluation's native budget first, so no script call walks the touches
    /// uncounted.
    fn scan(&self) -> Fallible<std::slice::Iter<'_, Touch>> {
        crate::engine::sandbox::charge(self.touches.len())?;
        Ok(self.touches.iter())
    }

    fn days_since(&self, at: DateTime<Utc>) -> FLOAT {
        (self.as_of - at).num_milliseconds() as FLOAT / (SECONDS_PER_DAY * 1000.0)
    }

    fn within(&self, days: FLOAT) -> Fallible<impl Iterator<Item = &Touch>> {
        Ok(self.scan()?.filter(move |t| t.age_days <= days))
    }
}

/// A list of text as scripts see it: a list parameter or the lead's pain
/// points. `x in list` is a native lookup, binary search for parameters.
#[derive(Debug, Clone)]
pub(crate) struct List {
    items: Arc<[ImmutableString]>,
    /// The items sorted, for lists looked up often (parameters).
    sorted: Option<Arc<[ImmutableString]>>,
}

impl List {
    fn new(items: impl Iterator<Item = ImmutableString>, indexed: bool) -> Self {
        let items: Arc<[ImmutableString]> = items.collect();
        let sorted = indexed.then(|| {
            let mut sorted = items.to_vec();
            sorted.sort_unstable();
            sorted.into()
        });
        List { items, sorted }
    }

    /// Whether the list holds `item`, charging the work first.
    fn contains(&self, item: &str) -> Fallible<bool> {
        match &self.sorted {
            Some(sorted) => {
                crate::engine::sandbox::charge(usize::BITS as usize - sorted.len().leading_zeros() as usize)?;
                Ok(sorted.binary_search_by(|x| x.as_str().cmp(item)).is_ok())
            }
            None => {
                crate::engine::sandbox::charge(self.items.len())?;
                Ok(self.items.iter().any(|x| x == item))
            }
        }
    }
}

/// The pack's effective parameters, shared by every evaluation.
#[derive(Debug, Clone)]
pub(crate) struct Params(Arc<Vec<(Text, Dynamic)>>);

impl Params {
    pub(crate) fn new(table: &ParamTable) -> Self {
        let values = table
            .iter()
            .map(|(name, value)| {
                let dynamic = match value {
                    ParamValue::Bool(b) => Dynamic::from_bool(*b),
                    ParamValue::Int(i) => Dynamic::from_int(*i),
                    ParamValue::Float(f) => Dynamic::from_float(*f),
                    ParamValue::Text(t) => t.to_script().into(),
                    ParamValue::List(items) => {
                        Dynamic::from(List::new(items.iter().map(Text::to_script), true))
                    }
                };
                (name.clone(), dynamic)
            })
            .collect();
        Params(Arc::new(values))
    }

    fn get(&self, name: &str) -> Fallible<Dynamic> {
        match self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => Ok(self.0[i].1.clone()),
            Err(_) => Err(crate::suggest::unknown_param(name, self.0.iter().map(|(n, _)| n.as_str())).into()),
        }
    }
}

/// The pack's caps. Rules read totals with the caps applied, so what a rule
/// sees (`decision.score`) is what the decision reports.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Caps {
    pub(crate) fit: Option<i64>,
    pub(crate) engagement: Option<i64>,
    pub(crate) score: Option<i64>,
}

/// Points a cap takes away.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cut {
    pub(crate) category: Category,
    pub(crate) points: i64,
    /// What was capped: 0 for fit, 1 for engagement, 2 for the score.
    pub(crate) what: usize,
}

impl Caps {
    /// The cuts that bring raw totals under the caps: category caps first,
    /// then the score cap, which takes from engagement before fit so the fit
    /// grade keeps its meaning.
    pub(crate) fn cuts(&self, fit: i64, engagement: i64, negative: i64) -> [Option<Cut>; 4] {
        let cut = |category, total: i64, cap: Option<i64>, what| {
            cap.filter(|&c| total > c).map(|c| Cut { category, points: c - total, what })
        };
        let fit_cut = cut(Category::Fit, fit, self.fit, 0);
        let engagement_cut = cut(Category::Engagement, engagement, self.engagement, 1);
        let fit = fit + fit_cut.map_or(0, |c| c.points);
        let engagement = engagement + engagement_cut.map_or(0, |c| c.points);
        let (mut from_engagement, mut from_fit) = (None, None);
        if let Some(limit) = self.score {
            // Exact: a saturated partial sum would misjudge the excess.
            let excess = i128::from(fit) + i128::from(engagement) + i128::from(negative) - i128::from(limit);
            let excess = i64::try_from(excess).unwrap_or(i64::MAX);
            if excess > 0 {
                let e = excess.min(engagement.max(0));
                let score_cut = |category, points| Cut { category, points, what: 2 };
                from_engagement = (e > 0).then(|| score_cut(Category::Engagement, -e));
                from_fit = (excess > e).then(|| score_cut(Category::Fit, e - excess));
            }
        }
        [fit_cut, engagement_cut, from_engagement, from_fit]
    }
}

/// How the handoff was decided by rules, if at all.
#[derive(Debug, Clone, Default)]
pub(crate) enum HandoffChoice {
    #[default]
    Derive,
    Now(Reasoned),
    Hold(Reasoned),
}

/// The decision being built; `decision` in scripts.
#[derive(Debug)]
pub(crate) struct Draft {
    /// A copy made by the script (`let d = decision`): using it would lose
    /// its effects silently, so every call on it fails instead.
    detached: bool,
    /// The pack's rule names, by index.
    rules: Arc<[Text]>,
    /// The running rule's index; `None` outside the pack's rules.
    pub(crate) current: Option<usize>,
    pub(crate) rule: Text,
    acted: bool,
    /// Rules that did something, in run order.
    pub(crate) fired: Vec<Text>,
    pub(crate) contributions: Vec<Contribution>,
    pub(crate) fit: i64,
    pub(crate) engagement: i64,
    pub(crate) negative: i64,
    pub(crate) caps: Caps,
    pub(crate) bant: Assessment,
    pub(crate) grade: Option<Grade>,
    pub(crate) temperature: Option<Temperature>,
    pub(crate) stage: Option<(Stage, Reasoned)>,
    pub(crate) handoff: HandoffChoice,
    pub(crate) disqualified: Option<Reasoned>,
    /// Contributions and bytes of reasons and evidence this decision may
    /// still take (see [`Budget`]).
    budget: Budget,
}

/// What one decision may accumulate, so that no rule can grow it without
/// bound: contributions up to `Limits::max_array_size`, text of reasons and
/// evidence up to `Limits::max_string_size` in all.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Budget {
    pub(crate) items: usize,
    pub(crate) bytes: usize,
}

impl Budget {
    pub(crate) fn new(limits: &crate::Limits) -> Self {
        Budget {
            items: limits.max_array_size.clamp(1, crate::engine::sandbox::MAX_ARRAY_SIZE),
            bytes: limits.max_string_size.max(1),
        }
    }

    /// Takes `items` and `bytes` out of the budget, or fails leaving it as it was.
    fn take(&mut self, items: usize, bytes: usize) -> Fallible<()> {
        if items > self.items {
            return Err(too_large("Number of the decision's contributions"));
        }
        if bytes > self.bytes {
            return Err(too_large("Length of the decision's reasons"));
        }
        self.items -= items;
        self.bytes -= bytes;
        Ok(())
    }
}

fn too_large(what: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorDataTooLarge(what.to_owned(), Position::NONE))
}

impl Clone for Draft {
    fn clone(&self) -> Self {
        Draft::placeholder()
    }
}

impl Draft {
    /// A detached, empty draft that allocates nothing: what a copy of
    /// `decision` is, and what the engine leaves in its place between leads.
    pub(crate) fn placeholder() -> Self {
        static NO_RULES: std::sync::OnceLock<Arc<[Text]>> = std::sync::OnceLock::new();
        let rules = NO_RULES.get_or_init(|| Arc::from([])).clone();
        let empty = Budget::default();
        Draft {
            detached: true,
            ..Draft::with(Assessment::default(), Caps::default(), rules, Vec::new(), empty)
        }
    }

    /// A draft for a run of `steps` rules and engine steps, which `fired` has room for.
    pub(crate) fn new(
        bant: Assessment,
        caps: Caps,
        rules: Arc<[Text]>,
        steps: usize,
        budget: Budget,
    ) -> Self {
        let fired = Vec::with_capacity(steps);
        Draft { contributions: Vec::with_capacity(16), ..Draft::with(bant, caps, rules, fired, budget) }
    }

    fn with(bant: Assessment, caps: Caps, rules: Arc<[Text]>, fired: Vec<Text>, budget: Budget) -> Self {
        Draft {
            detached: false,
            rules,
            current: None,
            rule: Text::default(),
            acted: false,
            fired,
            contributions: Vec::new(),
            fit: 0,
            engagement: 0,
            negative: 0,
            caps,
            bant,
            grade: None,
            temperature: None,
            stage: None,
            handoff: HandoffChoice::Derive,
            disqualified: None,
            budget,
        }
    }

    /// Fit, engagement and negative totals with the caps applied. Cuts only
    /// lower a total towards its cap, so they cannot overflow.
    pub(crate) fn totals(&self) -> (i64, i64, i64) {
        let (mut fit, mut engagement) = (self.fit, self.engagement);
        for cut in self.caps.cuts(self.fit, self.engagement, self.negative).into_iter().flatten() {
            match cut.category {
                Category::Fit => fit = fit.saturating_add(cut.points),
                _ => engagement = engagement.saturating_add(cut.points),
            }
        }
        (fit, engagement, self.negative)
    }

    /// The score so far, caps applied.
    pub(crate) fn score(&self) -> Fallible<i64> {
        let (fit, engagement, negative) = self.totals();
        sum(fit, engagement, negative).ok_or_else(|| "score overflow".into())
    }

    /// Starts attributing effects to `rule` (an engine-side step such as
    /// `points` or `caps`, or one of the pack's rules).
    pub(crate) fn begin(&mut self, rule: Text, index: Option<usize>) {
        self.end();
        self.rule = rule;
        self.current = index;
    }

    /// Records the running rule as fired if it did anything.
    pub(crate) fn end(&mut self) {
        if std::mem::take(&mut self.acted) {
            self.fired.push(self.rule.clone());
        }
    }

    /// Refuses a copy of `decision` (`let d = decision`): its effects would be lost.
    fn read(&self) -> Fallible<&Self> {
        if self.detached {
            return Err("this is a copy of `decision`; use `decision` itself".into());
        }
        Ok(self)
    }

    fn check(&mut self) -> Fallible<()> {
        self.read()?;
        self.acted = true;
        Ok(())
    }

    /// Adds points; the caller has checked the rule may act. The category's
    /// total and the score must both stay representable, so that every
    /// later sum, cap and comparison is exact.
    pub(crate) fn add(&mut self, category: Category, points: i64, reason: Text) -> Fallible<()> {
        self.acted = true;
        let total = match category {
            Category::Fit => self.fit,
            Category::Engagement => self.engagement,
            Category::Negative => self.negative,
        };
        let total = total.checked_add(points).ok_or("score overflow")?;
        let raw = i128::from(self.fit) + i128::from(self.engagement) + i128::from(self.negative);
        i64::try_from(raw + i128::from(points)).map_err(|_| "score overflow")?;
        self.budget.take(1, reason.len())?;
        match category {
            Category::Fit => self.fit = total,
            Category::Engagement => self.engagement = total,
            Category::Negative => self.negative = total,
        }
        self.contributions.push(Contribution { points, reason, category, rule: self.rule.clone() });
        Ok(())
    }

    fn award(&mut self, category: Category, points: i64, reason: ImmutableString) -> Fallible<()> {
        self.check()?;
        let points = if category == Category::Negative {
            -points.checked_abs().ok_or("score overflow")?
        } else {
            points
        };
        if points == 0 {
            return Ok(());
        }
        self.add(category, points, Text::from_script(reason))
    }

    fn criterion(&mut self, name: &str, status: CriterionStatus, evidence: ImmutableString) -> Fallible<()> {
        self.check()?;
        let evidence = (!evidence.is_empty()).then(|| Text::from_script(evidence));
        self.set_criterion(name, status, evidence)
    }

    /// Sets a criterion for the running rule; the caller has checked the rule may act.
    pub(crate) fn set_criterion(
        &mut self,
        name: &str,
        status: CriterionStatus,
        evidence: Option<Text>,
    ) -> Fallible<()> {
        self.acted = true;
        self.budget.take(0, evidence.as_ref().map_or(0, |e| e.len()))?;
        let rule = self.rule.clone();
        let c = self.bant.set(name, status, evidence)?;
        c.rule = Some(rule);
        Ok(())
    }

    /// Marks the running rule as having done something.
    pub(crate) fn act(&mut self) {
        self.acted = true;
    }

    /// Disqualifies for the running rule; the caller ends the run.
    pub(crate) fn disqualify(&mut self, reason: Text) {
        self.acted = true;
        self.disqualified = Some(Reasoned { reason, rule: self.rule.clone() });
    }

    fn reasoned(&mut self, reason: ImmutableString) -> Fallible<Reasoned> {
        self.budget.take(0, reason.len())?;
        Ok(Reasoned { reason: Text::from_script(reason), rule: self.rule.clone() })
    }
}

/// `fit + engagement + negative`, when it is representable whatever the order.
pub(crate) fn sum(fit: i64, engagement: i64, negative: i64) -> Option<i64> {
    i64::try_from(i128::from(fit) + i128::from(engagement) + i128::from(negative)).ok()
}

/// Points from a script number: integers as they are, floats rounded.
fn whole_points(points: Dynamic) -> Fallible<i64> {
    if let Some(i) = points.clone().try_cast::<INT>() {
        return Ok(i);
    }
    match points.try_cast::<FLOAT>() {
        Some(f) if f.is_finite() && f.abs() < 1e15 => Ok(f.round() as i64),
        Some(f) => Err(format!("points must be a finite number, got {f}").into()),
        None => Err("points must be a number".into()),
    }
}

/// Ends the run of rules; recognised by the engine, not an error.
#[derive(Debug, Clone)]
pub(crate) struct Stop;

fn stop() -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorTerminated(Dynamic::from(Stop), Position::NONE))
}

pub(crate) fn is_stop(err: &EvalAltResult) -> bool {
    matches!(err, EvalAltResult::ErrorTerminated(token, _) if token.is::<Stop>())
}

fn opt<T: Into<Dynamic>>(value: Option<T>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Into::into)
}

fn channel(name: &str) -> Fallible<Channel> {
    name.parse::<Channel>().map_err(Into::into)
}

/// A JSON object from a custom attribute, read-only: `obj.key` or
/// `obj["key"]`. Not a rhai map, which a script could grow with keys of any
/// size.
#[derive(Debug, Clone)]
pub(crate) struct Object(Arc<serde_json::Map<String, serde_json::Value>>);

/// A JSON value as a script value, each node charged before it is made.
fn json_to_dynamic(value: &serde_json::Value) -> Fallible<Dynamic> {
    use serde_json::Value;
    // An object is copied whole, so each of its nodes is charged; any other
    // value is charged as it is made (an array's items by the calls below).
    match value {
        Value::Object(_) => charge_nodes(value)?,
        _ => crate::engine::sandbox::charge(1)?,
    }
    Ok(match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or(f64::NAN).into(),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => items.iter().map(json_to_dynamic).collect::<Fallible<rhai::Array>>()?.into(),
        Value::Object(map) => Dynamic::from(Object(Arc::new(map.clone()))),
    })
}

/// Charges a copy of `value`, node by node, before it is made.
fn charge_nodes(value: &serde_json::Value) -> Fallible<()> {
    crate::engine::sandbox::charge(1)?;
    match value {
        serde_json::Value::Array(items) => items.iter().try_for_each(charge_nodes),
        serde_json::Value::Object(map) => map.values().try_for_each(charge_nodes),
        _ => Ok(()),
    }
}

const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "163.com",
    "zoho.com",
];

fn email_domain(lead: &ScriptLead) -> Option<&str> {
    lead.person.email.as_deref().and_then(|e| e.rsplit_once('@')).map(|(_, d)| d)
}

/// What the first argument of a function names, for load-time checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arg {
    Any,
    Channel,
    Team,
    Stage,
    Grade,
    Temperature,
    Criterion,
}

/// One field or function of `lead` or `decision` that rules may use.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) object: &'static str,
    pub(crate) name: &'static str,
    /// Parameters besides the object, as (name, type); `None` for a field.
    pub(crate) params: Option<&'static [(&'static str, &'static str)]>,
    /// How many trailing parameters may be left out.
    pub(crate) optional: usize,
    pub(crate) returns: &'static str,
    pub(crate) first: Arg,
    pub(crate) doc: &'static str,
}

impl Entry {
    /// The argument counts a call accepts; empty for a field.
    pub(crate) fn arities(&self) -> Vec<usize> {
        self.params.map_or_else(Vec::new, |p| (p.len() - self.optional..=p.len()).collect())
    }
}

macro_rules! api {
    ($(
        #[doc = $doc:literal]
        $object:ident . $name:ident
        $( ( $($param:ident : $ty:ident),* $(; $($opt:ident : $opt_ty:ident),*)? ) )?
        -> $returns:ident $([$first:ident])?;
    )*) => {
        /// The script API as rules see it: the load-time checks and the editor
        /// definitions are made from it, and a test checks it against the
        /// registrations below, both ways.
        pub(crate) const API: &[Entry] = &[$(
            Entry {
                object: stringify!($object),
                name: stringify!($name),
                params: api!(@params $( ( $($param : $ty),* $(; $($opt : $opt_ty),*)? ) )?),
                optional: api!(@optional $( ( $($param : $ty),* $(; $($opt : $opt_ty),*)? ) )?),
                returns: stringify!($returns),
                first: api!(@first $($first)?),
                doc: $doc.trim_ascii(),
            },
        )*];
    };
    (@params) => { None };
    (@params ( $($param:ident : $ty:ident),* $(; $($opt:ident : $opt_ty:ident),*)? )) => {
        Some(&[$((stringify!($param), stringify!($ty)),)* $($((stringify!($opt), stringify!($opt_ty)),)*)?])
    };
    (@optional) => { 0 };
    (@optional ( $($param:ident : $ty:ident),* $(; $($opt:ident : $opt_ty:ident),*)? )) => {
        0 $($(+ { let _ = stringify!($opt); 1 })*)?
    };
    (@first) => { Arg::Any };
    (@first $first:ident) => { Arg::$first };
}

api! {
    /// The lead's id.
    lead.id -> String;
    /// Days since the lead was created, as of the evaluation time.
    lead.age_days -> float;
    /// Where the lead came from; "" when unknown.
    lead.source -> String;
    /// The campaign that brought the lead; "" when unknown.
    lead.campaign -> String;
    /// The lead's stage at the evaluation time: "lead", "mql", "sal"...
    lead.stage -> String;
    /// The team owning that stage: "marketing", "sales", or "" when disqualified.
    lead.owner -> String;
    /// Days in the current stage, or () when not recorded.
    lead.days_in_stage -> float;
    /// The person's name; "" when unknown.
    lead.name -> String;
    /// The email address; "" when unknown.
    lead.email -> String;
    /// The email's domain, lower-cased; "" when unknown.
    lead.email_domain -> String;
    /// Whether the email is at a free-mail provider (gmail.com, outlook.com...).
    lead.free_email -> bool;
    /// The job title as written; "" when unknown.
    lead.job_title -> String;
    /// "c_level", "vp", "director", "manager", "individual_contributor", "student" or "".
    lead.seniority -> String;
    /// The department; "" when unknown.
    lead.department -> String;
    /// The company's name; "" when unknown.
    lead.company -> String;
    /// The company's web domain; "" when unknown.
    lead.domain -> String;
    /// The company's industry as written; "" when unknown.
    lead.industry -> String;
    /// Number of employees, or () when unknown.
    lead.employees -> int;
    /// Annual revenue, or () when unknown.
    lead.revenue -> float;
    /// The revenue's currency code; "" when unknown.
    lead.revenue_currency -> String;
    /// The country, preferably an ISO 3166 code; "" when unknown.
    lead.country -> String;
    /// The declared budget, or () when unknown.
    lead.budget -> float;
    /// The budget's currency code; "" when unknown.
    lead.budget_currency -> String;
    /// true or false when known, () when not.
    lead.budget_confirmed -> bool;
    /// "decision_maker", "economic_buyer", "champion", "influencer", "evaluator", "end_user", "gatekeeper" or "".
    lead.buying_role -> String;
    /// The stated need; "" when unknown.
    lead.need -> String;
    /// The pain points mentioned, as a list of text.
    lead.pain_points -> List;
    /// "immediate", "within_3_months", "within_6_months", "within_12_months", "over_12_months", "no_plans" or "".
    lead.timeline -> String;
    /// Days until the expected purchase (from the purchase date, else the timeline), or ().
    lead.days_to_purchase -> int;
    /// A custom attribute, with its JSON type kept; () when absent.
    lead.attr(name: String) -> Dynamic;
    /// Touchpoints up to the evaluation time, all or within the last `days`.
    lead.touches(; days: float) -> int;
    /// Touchpoints on a channel, all or within the last `days`.
    lead.count(channel: String; days: float) -> int [Channel];
    /// Touchpoints owned by a team ("marketing" or "sales"), all or within the last `days`.
    lead.count_team(team: String; days: float) -> int [Team];
    /// Touchpoints in a campaign, all or within the last `days`.
    lead.count_campaign(campaign: String; days: float) -> int;
    /// Distinct channels touched, all or within the last `days`.
    lead.channels(; days: float) -> int;
    /// Days since the most recent touchpoint, or () when there is none.
    lead.days_since_last() -> float;
    /// Days since the most recent touchpoint on a channel, or ().
    lead.days_since(channel: String) -> float [Channel];
    /// `points` per touch on a channel, each halved every `half_life_days`, summed.
    lead.decayed(channel: String, points: float, half_life_days: float) -> float [Channel];
    /// Adds fit points with a reason (decimals are rounded).
    decision.fit(points: float, reason: String) -> unit;
    /// Adds engagement points with a reason (decimals are rounded).
    decision.engagement(points: float, reason: String) -> unit;
    /// Takes points away with a reason (the sign is ignored).
    decision.negative(points: float, reason: String) -> unit;
    /// Marks a criterion met, with the evidence.
    decision.met(criterion: String, evidence: String) -> unit [Criterion];
    /// Marks a criterion not met, with the evidence.
    decision.not_met(criterion: String, evidence: String) -> unit [Criterion];
    /// Marks a criterion unknown, with a note.
    decision.unknown(criterion: String, evidence: String) -> unit [Criterion];
    /// Sets the grade, "A" to "F".
    decision.grade(grade: String) -> unit [Grade];
    /// Sets the temperature: "cold", "warm" or "hot".
    decision.temperature(temperature: String) -> unit [Temperature];
    /// Recommends a stage, with the reason.
    decision.stage(stage: String, reason: String) -> unit [Stage];
    /// Hands the lead to sales now, with the reason.
    decision.handoff(reason: String) -> unit;
    /// Keeps the lead from sales for now, with the reason.
    decision.hold(reason: String) -> unit;
    /// Disqualifies the lead and ends evaluation.
    decision.disqualify(reason: String) -> unit;
    /// Ends evaluation without disqualifying.
    decision.stop() -> unit;
    /// A criterion's status: "met", "not_met" or "unknown".
    decision.status(criterion: String) -> String [Criterion];
    /// Whether a criterion is met.
    decision.is_met(criterion: String) -> bool [Criterion];
    /// The total score so far, caps applied.
    decision.score -> int;
    /// The fit score so far, caps applied.
    decision.fit_score -> int;
    /// The engagement score so far, caps applied.
    decision.engagement_score -> int;
    /// The negative points so far (zero or less).
    decision.negative_score -> int;
    /// How many criteria are met.
    decision.met_count -> int;
    /// How many criteria are not met.
    decision.not_met_count -> int;
    /// How many criteria are still unknown.
    decision.unknown_count -> int;
}

/// The script API as a Rhai definition file, for editors: completion and
/// signatures for `lead`, `params` and `decision`.
///
/// It is made from the same table the load-time checks use, which a test
/// holds to the engine's registrations; `docs/leadgate.d.rhai` is this text,
/// and a test keeps it current.
///
/// ```
/// let defs = leadgate::definitions();
/// assert!(defs.starts_with("module static;"));
/// assert!(defs.contains("fn count(this: Lead, channel: String, days: float) -> int;"));
/// ```
pub fn definitions() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "module static;\n\n\
         // Generated by leadgate::definitions(): do not edit by hand.\n\n\
         /// The lead being decided, as of the evaluation time (read-only).\nconst lead: Lead;\n\n\
         /// The pack's parameters (read-only): `params.name` or `params[\"name\"]`.\nconst params: Params;\n\n\
         /// The decision the rules fill.\nconst decision: Decision;\n",
    );
    for e in API {
        let this = if e.object == "lead" { "Lead" } else { "Decision" };
        let _ = writeln!(out);
        let Some(params) = e.params else {
            let _ = writeln!(out, "/// {}\nfn get {}(this: {this}) -> {};", e.doc, e.name, e.returns);
            continue;
        };
        let _ = writeln!(out, "/// {}", e.doc);
        for n in e.arities() {
            let args: String = params[..n].iter().map(|(p, t)| format!(", {p}: {t}")).collect();
            let returns = if e.returns == "unit" { String::new() } else { format!(" -> {}", e.returns) };
            let _ = writeln!(out, "fn {}(this: {this}{args}){returns};", e.name);
        }
    }
    out.push_str(
        "\n/// Whether a list parameter holds the text: `x in params.list`.\n\
         fn contains(this: List, item: String) -> bool;\n\n/// The number of items in a list parameter.\n\
         fn len(this: List) -> int;\n",
    );
    out
}

/// Registers the script API on `engine`.
pub(crate) fn register(engine: &mut Engine) {
    register_lead(engine);
    register_params(engine);
    register_decision(engine);
}

/// A lead field's type, as rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
    Float,
    Bool,
    List,
}

/// A field's value in a snapshot. Text that is empty counts as missing.
#[derive(Debug, Clone)]
pub(crate) enum Value<'a> {
    Missing,
    Text(&'a Text),
    Str(std::borrow::Cow<'a, str>),
    Int(INT),
    Float(FLOAT),
    Bool(bool),
    List(&'a [Text]),
    /// A list or an object in a custom attribute: present, but not compared.
    Structured,
}

impl Value<'_> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(t) if !t.is_empty() => Some(t),
            Value::Str(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    pub(crate) fn is_present(&self) -> bool {
        match self {
            Value::Missing => false,
            Value::Text(_) | Value::Str(_) => self.as_str().is_some(),
            Value::List(items) => !items.is_empty(),
            _ => true,
        }
    }

    /// As scripts see it: missing text is `""`, a missing list `[]`, other missing values `()`.
    fn to_dynamic(&self, kind: Kind) -> Dynamic {
        match self {
            Value::Missing => match kind {
                Kind::Text => ImmutableString::new().into(),
                Kind::List => Dynamic::from(List::new(std::iter::empty(), false)),
                _ => Dynamic::UNIT,
            },
            Value::Text(t) => t.to_script().into(),
            Value::Str(s) => Text::cached(format_args!("{s}")).to_script().into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => (*f).into(),
            Value::Bool(b) => (*b).into(),
            Value::List(items) => Dynamic::from(List::new(items.iter().map(Text::to_script), false)),
            // Only tables read attributes this way; scripts use `lead.attr`.
            Value::Structured => Dynamic::UNIT,
        }
    }
}

impl fmt::Display for Value<'_> {
    /// For reasons: numbers as [`Number`](crate::lead::text::Number) writes them,
    /// lists joined with commas.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Missing | Value::Structured => Ok(()),
            Value::Text(t) => f.write_str(t),
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{}", crate::lead::text::Number(*x)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(item)?;
                }
                Ok(())
            }
        }
    }
}

fn text_value(value: &Option<Text>) -> Value<'_> {
    value.as_ref().map_or(Value::Missing, Value::Text)
}

fn static_str(value: &'static str) -> Value<'static> {
    Value::Str(std::borrow::Cow::Borrowed(value))
}

macro_rules! fields {
    ($l:ident; $($variant:ident $name:literal $kind:ident => $body:expr;)*) => {
        /// The lead's fields, as `lead.name` in scripts and as conditions in tables.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Field { $($variant),* }

        impl Field {
            pub(crate) const ALL: &[Field] = &[$(Field::$variant),*];

            pub(crate) fn name(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }

            pub(crate) fn kind(self) -> Kind {
                match self { $(Field::$variant => Kind::$kind),* }
            }

            pub(crate) fn get(self, $l: &ScriptLead) -> Value<'_> {
                match self { $(Field::$variant => $body),* }
            }
        }
    };
}

fields! { l;
    Id "id" Text => Value::Text(&l.id);
    AgeDays "age_days" Float => Value::Float(l.days_since(l.created_at));
    Source "source" Text => text_value(&l.source);
    Campaign "campaign" Text => text_value(&l.campaign);
    Stage "stage" Text => static_str(l.stage.as_str());
    Owner "owner" Text => static_str(l.stage.owner().map_or("", Team::as_str));
    DaysInStage "days_in_stage" Float => l.stage_entered_at.map_or(Value::Missing, |at| Value::Float(l.days_since(at)));
    Name "name" Text => text_value(&l.person.name);
    Email "email" Text => text_value(&l.person.email);
    EmailDomain "email_domain" Text => match email_domain(l) {
        Some(d) if d.bytes().any(|b| b.is_ascii_uppercase()) => Value::Str(d.to_ascii_lowercase().into()),
        Some(d) => Value::Str(d.into()),
        None => Value::Missing,
    };
    FreeEmail "free_email" Bool => {
        Value::Bool(email_domain(l).is_some_and(|d| FREE_MAIL.iter().any(|f| f.eq_ignore_ascii_case(d))))
    };
    JobTitle "job_title" Text => text_value(&l.person.job_title);
    Seniority "seniority" Text => l.person.seniority.map_or(Value::Missing, |s| static_str(s.as_str()));
    Department "department" Text => text_value(&l.person.department);
    Company "company" Text => text_value(&l.company.name);
    Domain "domain" Text => text_value(&l.company.domain);
    Industry "industry" Text => text_value(&l.company.industry);
    Employees "employees" Int => l.company.employees.map_or(Value::Missing, |e| Value::Int(INT::try_from(e).unwrap_or(INT::MAX)));
    Revenue "revenue" Float => l.company.annual_revenue.as_ref().map_or(Value::Missing, |m| Value::Float(m.amount));
    RevenueCurrency "revenue_currency" Text => l.company.annual_revenue.as_ref().map_or(Value::Missing, |m| Value::Str(m.currency.as_str().into()));
    Country "country" Text => text_value(&l.company.country);
    Budget "budget" Float => l.qualification.budget.as_ref().map_or(Value::Missing, |m| Value::Float(m.amount));
    BudgetCurrency "budget_currency" Text => l.qualification.budget.as_ref().map_or(Value::Missing, |m| Value::Str(m.currency.as_str().into()));
    BudgetConfirmed "budget_confirmed" Bool => l.qualification.budget_confirmed.map_or(Value::Missing, Value::Bool);
    BuyingRole "buying_role" Text => l.qualification.buying_role.map_or(Value::Missing, |r| static_str(r.as_str()));
    Need "need" Text => text_value(&l.qualification.need);
    PainPoints "pain_points" List => Value::List(&l.qualification.pain_points);
    Timeline "timeline" Text => l.qualification.timeline.map_or(Value::Missing, |t| static_str(t.as_str()));
    DaysToPurchase "days_to_purchase" Int => {
        let q = &l.qualification;
        let days = match q.purchase_date {
            Some(d) => Some((d - l.as_of.date_naive()).num_days()),
            None => q.timeline.and_then(crate::Timeline::max_days),
        };
        days.map_or(Value::Missing, Value::Int)
    };
}

fn register_lead(engine: &mut Engine) {
    engine.register_type_with_name::<Snapshot>("Lead");
    for &field in Field::ALL {
        let kind = field.kind();
        engine.register_get(field.name(), move |l: &mut Snapshot| field.get(l).to_dynamic(kind));
    }

    engine.register_fn("attr", |l: &mut Snapshot, name: &str| -> Fallible<Dynamic> {
        match &l.attributes {
            Some(map) => map.get(name).map_or(Ok(Dynamic::UNIT), json_to_dynamic),
            None => Err("custom attributes are not loaded".into()),
        }
    });
    engine.register_type_with_name::<Object>("Object");
    engine.register_indexer_get(|o: &mut Object, name: &str| -> Fallible<Dynamic> {
        o.0.get(name).map_or(Ok(Dynamic::UNIT), json_to_dynamic)
    });
    engine.register_fn("len", |o: &mut Object| o.0.len() as INT);

    engine.register_fn("touches", |l: &mut Snapshot| l.touches.len() as INT);
    engine.register_fn("count", |l: &mut Snapshot, ch: &str| -> Fallible<INT> {
        let ch = channel(ch)?;
        Ok(l.scan()?.filter(|t| t.channel == ch).count() as INT)
    });
    engine.register_fn("count_team", |l: &mut Snapshot, team: &str| -> Fallible<INT> {
        let team: Team = team.parse()?;
        Ok(l.scan()?.filter(|t| t.team == team).count() as INT)
    });
    engine.register_fn("count_campaign", |l: &mut Snapshot, campaign: &str| -> Fallible<INT> {
        Ok(l.scan()?.filter(|t| t.campaign.as_deref() == Some(campaign)).count() as INT)
    });
    engine.register_fn("channels", |l: &mut Snapshot| -> Fallible<INT> { Ok(distinct_channels(l.scan()?)) });

    // Windows are in days, whole or not: `lead.count("webinar", 7)`, `lead.touches(0.5)`.
    // Each is registered for integers and floats, whose calls rhai resolves
    // directly, and for any value, which only catches the wrong types.
    macro_rules! windowed {
        ($name:literal, |$l:ident $(, $arg:ident: $ty:ty)*; $days:ident| $body:expr) => {
            engine.register_fn($name, |$l: &mut Snapshot $(, $arg: $ty)*, $days: INT| -> Fallible<INT> {
                let $days = $days as FLOAT;
                $body
            });
            engine.register_fn($name, |$l: &mut Snapshot $(, $arg: $ty)*, $days: FLOAT| -> Fallible<INT> {
                let $days = window($days.into())?;
                $body
            });
            engine.register_fn($name, |$l: &mut Snapshot $(, $arg: $ty)*, $days: Dynamic| -> Fallible<INT> {
                let $days = window($days)?;
                $body
            });
        };
    }
    windowed!("touches", |l; days| Ok(l.within(days)?.count() as INT));
    windowed!("count", |l, ch: &str; days| {
        let ch = channel(ch)?;
        Ok(l.within(days)?.filter(|t| t.channel == ch).count() as INT)
    });
    windowed!("count_team", |l, team: &str; days| {
        let team: Team = team.parse()?;
        Ok(l.within(days)?.filter(|t| t.team == team).count() as INT)
    });
    windowed!("count_campaign", |l, campaign: &str; days| {
        Ok(l.within(days)?.filter(|t| t.campaign.as_deref() == Some(campaign)).count() as INT)
    });
    windowed!("channels", |l; days| Ok(distinct_channels(l.within(days)?)));
    engine.register_fn("days_since_last", |l: &mut Snapshot| -> Fallible<Dynamic> {
        Ok(opt(l.scan()?.map(|t| t.age_days).min_by(f64::total_cmp)))
    });
    engine.register_fn("days_since", |l: &mut Snapshot, ch: &str| -> Fallible<Dynamic> {
        let ch = channel(ch)?;
        Ok(opt(l.scan()?.filter(|t| t.channel == ch).map(|t| t.age_days).min_by(f64::total_cmp)))
    });
    macro_rules! decayed {
        ($points:ty, $half_life:ty) => {
            engine.register_fn(
                "decayed",
                |l: &mut Snapshot, ch: &str, points: $points, half_life: $half_life| {
                    decayed(l, ch, points as FLOAT, half_life as FLOAT)
                },
            );
        };
    }
    decayed!(INT, INT);
    decayed!(INT, FLOAT);
    decayed!(FLOAT, INT);
    decayed!(FLOAT, FLOAT);
    engine.register_fn("decayed", |l: &mut Snapshot, ch: &str, points: Dynamic, half_life: Dynamic| {
        decayed(l, ch, number(points, "points")?, number(half_life, "half_life_days")?)
    });
}

/// Points on `ch`, each touch's halved every `half_life` days.
fn decayed(l: &ScriptLead, ch: &str, points: FLOAT, half_life: FLOAT) -> Fallible<FLOAT> {
    if !(points.is_finite() && half_life.is_finite()) {
        return Err("points and half_life_days must be finite numbers".into());
    }
    let ch = channel(ch)?;
    Ok(l.scan()?.filter(|t| t.channel == ch).map(|t| points * decay(t.age_days, half_life)).sum())
}

/// Sorted by channel, so distinct channels are runs.
fn distinct_channels<'a>(touches: impl Iterator<Item = &'a Touch>) -> INT {
    let mut last: Option<&Channel> = None;
    let mut n = 0;
    for t in touches {
        if last != Some(&t.channel) {
            n += 1;
            last = Some(&t.channel);
        }
    }
    n
}

/// `0.5^(age / half_life)`; no decay for a half-life of zero or less.
pub(crate) fn decay(age_days: f64, half_life_days: f64) -> f64 {
    if half_life_days > 0.0 {
        0.5f64.powf(age_days.max(0.0) / half_life_days)
    } else {
        1.0
    }
}

/// A time window in days.
fn window(days: Dynamic) -> Fallible<FLOAT> {
    number(days, "the number of days")
}

fn number(value: Dynamic, what: &str) -> Fallible<FLOAT> {
    let type_name = value.type_name();
    let n = if value.is_int() { value.as_int().map(|i| i as FLOAT).ok() } else { value.as_float().ok() };
    match n {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(format!("{what} must be a finite number, got {type_name}").into()),
    }
}

/// A getter for each of the pack's parameters, so that `params.name` is a
/// direct call (an unknown name still falls back to the indexer and its
/// "did you mean" error).
pub(crate) fn register_param_getters(engine: &mut Engine, params: &Params) {
    for (i, (name, _)) in params.0.iter().enumerate() {
        if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            engine.register_get(name.as_str(), move |p: &mut Params| p.0[i].1.clone());
        }
    }
}

fn register_params(engine: &mut Engine) {
    engine.register_type_with_name::<Params>("Params");
    engine.register_indexer_get(|p: &mut Params, name: &str| p.get(name));
    engine.register_type_with_name::<List>("List");
    engine.register_fn("contains", |l: &mut List, item: ImmutableString| l.contains(&item));
    engine.register_fn("contains", |_: &mut List, _: ()| false);
    engine.register_fn("contains", |l: &mut List, item: Dynamic| match item.into_immutable_string() {
        Ok(s) => l.contains(&s),
        Err(_) => Ok(false),
    });
    engine.register_fn("len", |l: &mut List| l.items.len() as INT);
    engine.register_get("len", |l: &mut List| l.items.len() as INT);
    engine.register_indexer_get(|l: &mut List, i: INT| -> Fallible<ImmutableString> {
        usize::try_from(i)
            .ok()
            .and_then(|i| l.items.get(i).cloned())
            .ok_or_else(|| format!("index {i} is out of bounds").into())
    });
}

/// The engine's marker between rules in the compiled program.
pub(crate) const RULE_MARKER: &str = "__rule";

fn register_decision(engine: &mut Engine) {
    engine.register_type_with_name::<Draft>("Decision");
    // Markers must come in order, so a script calling one cannot pass its
    // points off as another rule's: the engine's next marker would fail.
    engine.register_fn(RULE_MARKER, |d: &mut Draft, index: INT| -> Fallible<()> {
        let next = d.current.map_or(0, |i| i + 1);
        if usize::try_from(index).ok() != Some(next) || next >= d.rules.len() {
            return Err(format!("`{RULE_MARKER}` is for the engine only").into());
        }
        d.begin(d.rules[next].clone(), Some(next));
        Ok(())
    });

    for category in [Category::Fit, Category::Engagement, Category::Negative] {
        let name = category.as_str();
        engine.register_fn(name, move |d: &mut Draft, points: INT, reason: ImmutableString| {
            d.award(category, points, reason)
        });
        engine.register_fn(name, move |d: &mut Draft, points: FLOAT, reason: ImmutableString| {
            d.award(category, whole_points(points.into())?, reason)
        });
        // Catches the wrong types, with a better message than "function not found".
        engine.register_fn(name, move |d: &mut Draft, points: Dynamic, reason: ImmutableString| {
            d.award(category, whole_points(points)?, reason)
        });
    }

    engine.register_fn("met", |d: &mut Draft, c: &str, evidence: ImmutableString| {
        d.criterion(c, CriterionStatus::Met, evidence)
    });
    engine.register_fn("not_met", |d: &mut Draft, c: &str, evidence: ImmutableString| {
        d.criterion(c, CriterionStatus::NotMet, evidence)
    });
    engine.register_fn("unknown", |d: &mut Draft, c: &str, evidence: ImmutableString| {
        d.criterion(c, CriterionStatus::Unknown, evidence)
    });

    engine.register_fn("grade", |d: &mut Draft, grade: &str| -> Fallible<()> {
        d.check()?;
        d.grade = Some(grade.parse()?);
        Ok(())
    });
    engine.register_fn("temperature", |d: &mut Draft, t: &str| -> Fallible<()> {
        d.check()?;
        d.temperature = Some(t.parse()?);
        Ok(())
    });
    engine.register_fn("stage", |d: &mut Draft, stage: &str, reason: ImmutableString| -> Fallible<()> {
        d.check()?;
        let stage: Stage = stage.parse()?;
        if stage == Stage::Disqualified {
            return Err("use decision.disqualify(reason) to disqualify".into());
        }
        d.stage = Some((stage, d.reasoned(reason)?));
        Ok(())
    });
    engine.register_fn("handoff", |d: &mut Draft, reason: ImmutableString| -> Fallible<()> {
        d.check()?;
        d.handoff = HandoffChoice::Now(d.reasoned(reason)?);
        Ok(())
    });
    engine.register_fn("hold", |d: &mut Draft, reason: ImmutableString| -> Fallible<()> {
        d.check()?;
        d.handoff = HandoffChoice::Hold(d.reasoned(reason)?);
        Ok(())
    });
    engine.register_fn("disqualify", |d: &mut Draft, reason: ImmutableString| -> Fallible<()> {
        d.check()?;
        d.budget.take(0, reason.len())?;
        d.disqualify(Text::from_script(reason));
        Err(stop())
    });
    engine.register_fn("stop", |d: &mut Draft| -> Fallible<()> {
        d.check()?;
        Err(stop())
    });

    macro_rules! read {
        ($($name:literal => |$d:ident| $body:expr;)*) => {
            $(engine.register_get($name, |d: &mut Draft| -> Fallible<INT> { let $d = d.read()?; Ok($body) });)*
        };
    }
    read! {
        "score" => |d| d.score()?;
        "fit_score" => |d| d.totals().0;
        "engagement_score" => |d| d.totals().1;
        "negative_score" => |d| d.negative;
        "met_count" => |d| d.bant.count(CriterionStatus::Met) as INT;
        "not_met_count" => |d| d.bant.count(CriterionStatus::NotMet) as INT;
        "unknown_count" => |d| d.bant.count(CriterionStatus::Unknown) as INT;
    }
    engine.register_fn("status", |d: &mut Draft, c: &str| -> Fallible<ImmutableString> {
        let bant = &d.read()?.bant;
        bant.get(c)
            .map(|c| Text::cached(format_args!("{}", c.status.as_str())).to_script())
            .ok_or_else(|| bant.unknown_name(c).into())
    });
    engine.register_fn("is_met", |d: &mut Draft, c: &str| -> Fallible<bool> {
        let bant = &d.read()?.bant;
        bant.get(c).map(|c| c.status == CriterionStatus::Met).ok_or_else(|| bant.unknown_name(c).into())
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// (object, name, arity) of every registered field and function on
    /// `lead` and `decision`; `None` arity for a field.
    fn registered() -> BTreeSet<(String, String, Option<usize>)> {
        let mut engine = Engine::new_raw();
        register(&mut engine);
        let mut out = BTreeSet::new();
        for sig in engine.gen_fn_signatures(false) {
            let (name, rest) = sig.split_once('(').unwrap();
            let object = match rest.split([',', ')']).next().unwrap() {
                "_: &mut Lead" => "lead",
                "_: &mut Decision" => "decision",
                _ => continue,
            };
            let args = rest[..rest.find(')').unwrap()].matches("_:").count() - 1;
            let entry = match name.strip_prefix("get$") {
                Some(field) => (object.to_owned(), field.to_owned(), None),
                None => (object.to_owned(), name.to_owned(), Some(args)),
            };
            out.insert(entry);
        }
        out.remove(&("decision".to_owned(), RULE_MARKER.to_owned(), Some(1)));
        out
    }

    #[test]
    fn the_checked_in_definitions_are_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/leadgate.d.rhai");
        let current = definitions();
        if std::fs::read_to_string(path).ok().as_deref() != Some(current.as_str()) {
            // Regenerate with `LEADGATE_BLESS=1 cargo test`, then review and commit.
            if std::env::var_os("LEADGATE_BLESS").is_some() {
                std::fs::write(path, &current).unwrap();
            } else {
                panic!("docs/leadgate.d.rhai is out of date: run LEADGATE_BLESS=1 cargo test");
            }
        }
    }

    #[test]
    fn the_api_table_lists_exactly_what_is_registered() {
        let table: BTreeSet<_> = API
            .iter()
            .flat_map(|e| {
                let arities: Vec<Option<usize>> = match e.params {
                    None => vec![None],
                    Some(_) => e.arities().into_iter().map(Some).collect(),
                };
                arities.into_iter().map(|a| (e.object.to_owned(), e.name.to_owned(), a))
            })
            .collect();
        let registered = registered();
        assert_eq!(
            table.difference(&registered).collect::<Vec<_>>(),
            Vec::<&(String, String, Option<usize>)>::new(),
            "listed but not registered"
        );
        assert_eq!(
            registered.difference(&table).collect::<Vec<_>>(),
            Vec::<&(String, String, Option<usize>)>::new(),
            "registered but not listed"
        );
    }
}

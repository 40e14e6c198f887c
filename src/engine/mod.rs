//! [`Qualifier`]: a compiled pack that evaluates leads.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rhai::{Engine, EvalAltResult, Scope, AST};
use sha2::{Digest, Sha256};

pub(crate) mod draft;
pub(crate) mod sandbox;
pub(crate) mod script;
pub(crate) mod snapshot;
pub(crate) mod stdlib;
pub(crate) mod validate;

use crate::decision::{Handoff, PackId, Reasoned, WhyNotYet};
use crate::pack::params::{known, ParamTable};
use crate::pack::table::{Outcome, Table};
use crate::pack::{hex, Location, Problem, ProblemKind};
use crate::{
    Assessment, Category, Channel, CriterionStatus, Decision, Direction, Grade, Lead, Limits, Pack,
    PackError, ParamValue, Stage, Team, Temperature, Text,
};
use draft::{Budget, Caps, Draft, HandoffChoice};
use script::Params;
use snapshot::{decay, Snapshot};

/// The variables every rule sees, in scope order.
const SCRIPT_VARIABLES: [&str; 3] = ["lead", "params", "decision"];

/// A compiled rule pack, ready to evaluate leads.
///
/// Compiling checks everything that can be checked before a lead is seen
/// (syntax, parameter names and types, limits) and is done once per pack
/// version; evaluating is then cheap and never touches the source again. A
/// `Qualifier` is immutable, `Send + Sync`, and cheap to clone (clones share
/// the compiled pack), so one instance can serve every thread.
///
/// Evaluation is deterministic: it reads the time only from its `as_of`
/// argument, ignores touchpoints after it, and uses no randomness, so the
/// same pack, parameters, lead and `as_of` always give the same decision.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
///
/// let qualifier = Qualifier::builder(&Pack::b2b_bant())
///     .param("mql_threshold", 50) // a tenant's own threshold
///     .build()?;
/// let lead = Lead::from_json(r#"{
///     "id": "L-1", "created_at": "2026-10-01T00:00:00Z",
///     "person": {"seniority": "vp"},
///     "company": {"industry": "software", "employees": 800}
/// }"#)?;
/// let decision = qualifier.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
/// assert!(decision.fit > 0);
/// assert_eq!(decision.pack.name, "b2b-bant");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Qualifier {
    inner: Arc<Inner>,
}

struct Inner {
    /// Unique per compiled qualifier, for the per-thread [`Slot`].
    id: u64,
    engine: Engine,
    /// Every rule, each compiled on its own in a block after a marker call,
    /// then joined into one program: one run per lead, so the operation
    /// limit bounds the whole lead, and no comment, string or brace of one
    /// rule can reach into the next.
    program: AST,
    /// The decision tables, which run before the scripts, in pack order.
    tables: Vec<(Text, Table)>,
    /// The scripted rules, by marker index.
    rules: Vec<CompiledRule>,
    rule_names: Arc<[Text]>,
    pack: Arc<PackId>,
    params: ParamTable,
    script_params: Params,
    criteria: Assessment,
    settings: Settings,
    uses_attributes: bool,
    limits: Limits,
    warnings: Vec<Problem>,
}

struct CompiledRule {
    name: Text,
    script: Text,
    line_offset: usize,
}

/// The line of a compiled rule's own source that holds its first line:
/// the line before holds the engine's marker and the block's opening brace.
const START_LINE: usize = 2;

/// What the engine does natively, from the well-known parameters.
struct Settings {
    mql: Option<i64>,
    warm: Option<f64>,
    hot: Option<f64>,
    grades: Vec<(f64, Grade)>,
    /// Criteria met for an SQL-ready handoff at the MQL threshold.
    sql_criteria_met: Option<usize>,
    /// Criteria not met that hold a lead back at the MQL threshold.
    hold_criteria_not_met: Option<usize>,
    half_life_days: f64,
    channel_daily_cap: Option<f64>,
    caps: Caps,
    /// Points per touch for built-in channels, by index, then custom channels.
    points: Vec<Option<(i64, Text)>>,
    custom_points: std::collections::HashMap<Channel, (i64, Text)>,
    /// Custom channels the pack declares inbound.
    inbound: std::collections::HashSet<Channel>,
    /// Names and reasons made once, so that deciding does not format them.
    text: Texts,
}

struct Texts {
    points: Text,
    caps: Text,
    lifecycle: Text,
    /// "Fit capped at 50", "Engagement capped at 60", "Score capped at 100".
    capped: [Text; 3],
}

impl fmt::Debug for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Qualifier")
            .field("pack", &self.inner.pack)
            .field("rules", &self.inner.rules.iter().map(|r| r.name.as_str()).collect::<Vec<_>>())
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Qualifier`] with parameter overrides and limits.
///
/// ```
/// use leadgate::{Limits, Pack, Qualifier};
///
/// let mut limits = Limits::default();
/// limits.max_operations = 10_000;
/// let q = Qualifier::builder(&Pack::b2b_bant())
///     .param_str("target_industries", "software, fintech") // as typed on a command line
///     .limits(limits)
///     .build()?;
/// assert_eq!(q.limits().max_operations, 10_000);
///
/// let err = Qualifier::builder(&Pack::b2b_bant()).param("mql_treshold", 50).build().unwrap_err();
/// assert!(err.to_string().contains("did you mean \"mql_threshold\""));
/// # Ok::<(), leadgate::PackError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct QualifierBuilder<'a> {
    pack: &'a Pack,
    overrides: Vec<(String, Override)>,
    limits: Limits,
}

#[derive(Debug)]
enum Override {
    Value(ParamValue),
    Text(String),
}

impl<'a> QualifierBuilder<'a> {
    /// Overrides a declared parameter. An undeclared name or a value of
    /// another type is reported by [`build`](Self::build).
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.overrides.push((name.to_owned(), Override::Value(value.into())));
        self
    }

    /// Overrides a declared parameter from text, parsed as the declared type
    /// (see [`ParamValue::parse_like`]).
    pub fn param_str(mut self, name: &str, value: &str) -> Self {
        self.overrides.push((name.to_owned(), Override::Text(value.to_owned())));
        self
    }

    /// Sets the resource limits (default: [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Compiles the pack. Every problem found is reported, not just the first.
    pub fn build(self) -> Result<Qualifier, PackError> {
        let pack = self.pack;
        let mut problems = Vec::new();

        let mut params: ParamTable = pack.params().map(|(n, v)| (Text::from(n), v.clone())).collect();
        for (name, value) in self.overrides {
            let Some(declared) = params.get(name.as_str()) else {
                problems.push(Problem::new(
                    ProblemKind::Param,
                    format!(
                        "unknown parameter {name:?}{}",
                        crate::suggest::hint(&name, params.keys().map(Text::as_str))
                    ),
                ));
                continue;
            };
            let value = match value {
                Override::Value(v) => declared.coerce(v),
                Override::Text(t) => declared.parse_like(&t),
            };
            match value {
                Ok(v) => {
                    params.insert(name.as_str().into(), v);
                }
                Err(e) => problems.push(Problem::new(ProblemKind::Param, format!("parameter {name:?}: {e}"))),
            }
        }

        // The engine's own numbers must be numbers it can compute with: a NaN
        // threshold would let every lead through, a negative cap has no meaning.
        for (name, value) in &params {
            let Some(x) = value.as_f64().filter(|_| known::is_numeric(name)) else { continue };
            let cap = [known::FIT_CAP, known::ENGAGEMENT_CAP, known::SCORE_CAP, known::CHANNEL_DAILY_CAP]
                .contains(&name.as_str());
            let problem = if !x.is_finite() {
                Some("must be a finite number")
            } else if cap && x < 0.0 {
                Some("is a cap, so it must not be negative")
            } else {
                None
            };
            if let Some(problem) = problem {
                let message = format!("parameter {:?} {problem}, got {x}", name.as_str());
                problems.push(Problem::new(ProblemKind::Param, message));
            }
        }
        let mut engine = crate::engine::sandbox::engine(&self.limits);
        script::register(&mut engine);
        // Strict variables: the names rules may use are known when compiling.
        let mut names = Scope::new();
        for name in SCRIPT_VARIABLES {
            names.push_constant(name, ());
        }
        let param_names: Vec<Text> = params.keys().cloned().collect();
        let channels: Vec<Channel> = pack.declared_channels().collect();
        let checks = crate::engine::validate::Context {
            params: &param_names,
            criteria: pack.criteria(),
            channels: &channels,
        };
        let mut warnings = Vec::new();
        let mut used = std::collections::BTreeSet::new();
        let mut rules = Vec::with_capacity(pack.rules.len());
        let mut asts = Vec::with_capacity(pack.rules.len());
        let mut tables = Vec::new();
        for rule in &pack.rules {
            let location = |line: usize, column: usize| Location {
                script: rule.script.clone(),
                line: if line == 0 { 0 } else { line + rule.line_offset },
                column,
            };
            // Tables run natively, without an operation count: their size is their bound.
            if rule.source.len() > self.limits.max_source_size {
                let what = if rule.table.is_some() { "table" } else { "script" };
                let message = format!(
                    "the {what} is {} bytes, over the limit of {}",
                    rule.source.len(),
                    self.limits.max_source_size
                );
                problems.push(
                    Problem::new(ProblemKind::TooLarge, message).in_rule(&rule.name).at(location(0, 0)),
                );
                continue;
            }
            if let Some(table) = &rule.table {
                used.extend(table.params().map(str::to_owned));
                match table.resolve(&params, pack.criteria()) {
                    Ok(table) => tables.push((rule.name.clone(), table)),
                    Err(ps) => {
                        problems.extend(ps.into_iter().map(|p| {
                            Problem::new(ProblemKind::Name, p).in_rule(&rule.name).at(location(1, 0))
                        }))
                    }
                }
                continue;
            }
            // Each rule compiles on its own, as the unit it runs as: its marker,
            // then its source in a block. Errors carry its own lines.
            let marker = format!("decision.{}({});{{\n", script::RULE_MARKER, asts.len());
            let mut wrapped = String::with_capacity(marker.len() + rule.source.len() + 2);
            wrapped.push_str(&marker);
            wrapped.push_str(&rule.source);
            wrapped.push_str("\n}");
            match engine.compile_with_scope(&names, &wrapped) {
                Ok(ast) => {
                    for problem in crate::engine::validate::check_rule(rule, &checks, &mut used) {
                        if problem.kind().is_warning() { &mut warnings } else { &mut problems }.push(problem);
                    }
                    asts.push(ast);
                    rules.push(CompiledRule {
                        name: rule.name.clone(),
                        script: rule.script.clone(),
                        line_offset: rule.line_offset,
                    })
                }
                Err(e) => {
                    let pos = e.position();
                    // The closing brace is ours: an error there is at the rule's end.
                    let last = rule.source.split('\n').count();
                    // So is one rhai gives no position for (an open interpolation).
                    let (line, column) = match pos.line().map(|l| l.saturating_sub(START_LINE - 1)) {
                        Some(line @ 1..) if line <= last => (line, pos.position().unwrap_or(1)),
                        _ => (last, 1),
                    };
                    problems.push(
                        Problem::new(ProblemKind::Syntax, e.err_type().to_string())
                            .in_rule(&rule.name)
                            .at(location(line, column)),
                    );
                }
            }
        }
        if !problems.is_empty() {
            return Err(PackError::new(problems));
        }
        warnings.extend(
            param_names.iter().filter(|n| !used.contains(n.as_str()) && !known::is_numeric(n)).map(|n| {
                let message = format!("parameter {:?} is declared but no rule reads it", n.as_str());
                Problem::new(ProblemKind::UnusedParam, message)
            }),
        );

        let mut program = AST::empty();
        for ast in asts {
            program.combine(ast);
        }

        let script_params = Params::new(&params);
        script::register_param_getters(&mut engine, &script_params);
        let settings = Settings::new(&params, pack);
        let mut h = Sha256::new();
        for (n, v) in &params {
            h.update(format!("{}={v}\n", n.as_str()));
        }
        let id = PackId {
            name: pack.name().into(),
            version: pack.version().into(),
            hash: pack.hash().into(),
            params_hash: hex(&h.finalize()).into(),
        };
        let uses_attributes = pack.rules.iter().any(|r| r.source.contains("attr"));
        Ok(Qualifier {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                engine,
                program,
                tables,
                rule_names: rules.iter().map(|r| r.name.clone()).collect(),
                rules,
                pack: Arc::new(id),
                script_params,
                params,
                criteria: Assessment::new(pack.criteria().iter().cloned()),
                settings,
                uses_attributes,
                limits: self.limits,
                warnings,
            }),
        })
    }
}

impl Settings {
    fn new(params: &ParamTable, pack: &Pack) -> Self {
        let num = |name: &str| params.get(name).and_then(ParamValue::as_f64);
        // Integers as they are: through a float, those past 2^53 would move.
        let whole = |name: &str| match params.get(name) {
            Some(ParamValue::Int(i)) => Some(*i),
            _ => num(name).map(|f| f.ceil() as i64),
        };
        let half_life_days = num(known::HALF_LIFE_DAYS).unwrap_or(0.0);
        let mut points = vec![None; Channel::BUILT_IN.len()];
        let mut custom_points = std::collections::HashMap::new();
        for (name, value) in params {
            let Some(channel) = name.strip_prefix(known::POINTS_PREFIX) else { continue };
            let per_touch = match value {
                ParamValue::Int(i) => Some(*i),
                other => other.as_f64().map(|f| f as i64),
            };
            let (Ok(channel), Some(p)) = (channel.parse::<Channel>(), per_touch) else { continue };
            let reason = if half_life_days > 0.0 {
                format!(
                    "{channel} activity ({p} per touch, half-life {} days)",
                    crate::lead::text::Number(half_life_days)
                )
            } else {
                format!("{channel} activity ({p} per touch)")
            };
            match channel.index() {
                Some(i) => points[i] = Some((p, reason.into())),
                None => {
                    custom_points.insert(channel, (p, reason.into()));
                }
            }
        }
        // Best grade first, so the first threshold the fit score reaches wins.
        let grades = known::GRADES.iter().filter_map(|(n, g)| num(n).map(|t| (t, *g))).collect();
        Settings {
            mql: whole(known::MQL_THRESHOLD),
            warm: num(known::WARM_THRESHOLD),
            hot: num(known::HOT_THRESHOLD),
            grades,
            sql_criteria_met: whole(known::SQL_CRITERIA_MET).map(|n| n.max(0) as usize),
            hold_criteria_not_met: whole(known::HOLD_CRITERIA_NOT_MET).map(|n| n.max(0) as usize),
            half_life_days,
            channel_daily_cap: num(known::CHANNEL_DAILY_CAP),
            caps: Caps {
                fit: whole(known::FIT_CAP),
                engagement: whole(known::ENGAGEMENT_CAP),
                score: whole(known::SCORE_CAP),
            },
            points,
            custom_points,
            inbound: pack.declared_channels().filter(|c| pack.direction(c) == Direction::Inbound).collect(),
            text: Texts {
                points: "points".into(),
                caps: "caps".into(),
                lifecycle: "lifecycle".into(),
                capped: [
                    ("Fit", known::FIT_CAP),
                    ("Engagement", known::ENGAGEMENT_CAP),
                    ("Score", known::SCORE_CAP),
                ]
                .map(|(what, cap)| format!("{what} capped at {}", whole(cap).unwrap_or_default()).into()),
            },
        }
    }

    /// Whether a touch on `channel` is the lead's own activity.
    fn inbound(&self, channel: &Channel) -> bool {
        match channel {
            Channel::Custom(_) => self.inbound.contains(channel),
            built_in => built_in.direction() == Direction::Inbound,
        }
    }

    fn points_for(&self, channel: &Channel) -> Option<(i64, &Text)> {
        match channel.index() {
            Some(i) => self.points[i].as_ref().map(|(p, r)| (*p, r)),
            None => self.custom_points.get(channel).map(|(p, r)| (*p, r)),
        }
    }
}

impl Qualifier {
    /// Compiles `pack` with its default parameters and the default limits.
    ///
    /// ```
    /// let q = leadgate::Qualifier::new(&leadgate::Pack::b2b_bant())?;
    /// assert_eq!(q.pack().version, "1.0.0");
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn new(pack: &Pack) -> Result<Qualifier, PackError> {
        Qualifier::builder(pack).build()
    }

    /// A builder for parameter overrides and limits.
    pub fn builder(pack: &Pack) -> QualifierBuilder<'_> {
        QualifierBuilder { pack, overrides: Vec::new(), limits: Limits::default() }
    }

    /// The pack's identity, as every decision names it.
    pub fn pack(&self) -> &PackId {
        &self.inner.pack
    }

    /// The effective parameters, sorted by name.
    ///
    /// ```
    /// # use leadgate::{Pack, ParamValue, Qualifier};
    /// let q = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 70).build()?;
    /// let mql = q.params().find(|(n, _)| *n == "mql_threshold").map(|(_, v)| v.clone());
    /// assert_eq!(mql, Some(ParamValue::Int(70)));
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn params(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.inner.params.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// What is suspicious but not wrong in the pack: a declared parameter
    /// that no rule reads, a custom channel a rule counts that the pack does
    /// not declare (often a typo on one side). Each is a [`Problem`] whose
    /// kind [`is_warning`](ProblemKind::is_warning).
    ///
    /// ```
    /// use leadgate::{Pack, ProblemKind, Qualifier};
    /// let pack = Pack::from_toml(r#"
    ///     name = "p"
    ///     version = "1"
    ///     [params]
    ///     min_budjet = 10000
    ///     [[rules]]
    ///     name = "r"
    ///     script = 'decision.fit(1, "x")'
    /// "#)?;
    /// let q = Qualifier::new(&pack)?;
    /// assert_eq!(q.warnings()[0].kind(), ProblemKind::UnusedParam);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn warnings(&self) -> &[Problem] {
        &self.inner.warnings
    }

    /// The limits scripts run under.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Decides about `lead` as of `as_of`.
    ///
    /// Rules run in the pack's order after the point table; a rule that
    /// disqualifies or calls `decision.stop()` ends the run. A script error
    /// or a broken limit is an [`EvalError`] naming the rule, the script
    /// position and the cause; it never panics.
    ///
    /// The lead is seen as it was at `as_of`: touchpoints after it are
    /// ignored and its stage is the one its history had then (see
    /// [`Lead`] for the fields that are not versioned). An `as_of` before
    /// the lead's `created_at` is an [`EvalErrorKind::BeforeCreated`] error.
    ///
    /// ```
    /// # use leadgate::{EvalErrorKind, Lead, Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::b2b_bant())?;
    /// let lead = Lead::new("L-1", "2026-11-10T00:00:00Z".parse()?);
    /// let err = q.evaluate(&lead, "2026-11-01T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.kind(), EvalErrorKind::BeforeCreated);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "lead \"L-1\": as_of 2026-11-01T00:00:00Z is before the lead was created at 2026-11-10T00:00:00Z"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(&self, lead: &Lead, as_of: DateTime<Utc>) -> Result<Decision, EvalError> {
        catch_unwind(AssertUnwindSafe(|| self.evaluate_unguarded(lead, as_of))).unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(EvalError::new(lead, None, None, EvalErrorKind::Panic, format!("internal panic: {message}")))
        })
    }

    /// Decides about every lead in `leads`: one result per lead, in input
    /// order. A lead that fails does not affect the others. A lead whose id
    /// an earlier lead already has gets an [`EvalErrorKind::DuplicateId`]
    /// error instead of a decision.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::from_script("t", r#"
    ///     if lead.industry == "" { throw "industry missing" }
    ///     decision.fit(10, "Has an industry");
    /// "#)?)?;
    /// let leads = [
    ///     Lead::from_json(r#"{"id": "a", "created_at": "2026-11-01T00:00:00Z"}"#)?,
    ///     Lead::from_json(r#"{"id": "b", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "retail"}}"#)?,
    /// ];
    /// let results = q.evaluate_batch(&leads, "2026-11-23T00:00:00Z".parse()?);
    /// assert!(results[0].as_ref().unwrap_err().to_string().contains("industry missing"));
    /// assert_eq!(results[1].as_ref().unwrap().fit, 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_batch(&self, leads: &[Lead], as_of: DateTime<Utc>) -> Vec<Result<Decision, EvalError>> {
        let first = first_of_each_id(leads);
        leads.iter().zip(first).map(|(lead, first)| self.evaluate_in_batch(lead, first, as_of)).collect()
    }

    /// [`evaluate_batch`](Self::evaluate_batch) on every core, with rayon's
    /// global thread pool. The results are the same, in the same order.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::b2b_bant())?;
    /// let leads: Vec<Lead> = (0..100)
    ///     .map(|i| Lead::new(format!("L-{i}"), "2026-11-01T00:00:00Z".parse().unwrap()))
    ///     .collect();
    /// let as_of = "2026-11-23T00:00:00Z".parse()?;
    /// assert_eq!(q.evaluate_batch_par(&leads, as_of), q.evaluate_batch(&leads, as_of));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "parallel")]
    pub fn evaluate_batch_par(
        &self,
        leads: &[Lead],
        as_of: DateTime<Utc>,
    ) -> Vec<Result<Decision, EvalError>> {
        use rayon::prelude::*;
        let first = first_of_each_id(leads);
        leads.par_iter().zip(first).map(|(lead, first)| self.evaluate_in_batch(lead, first, as_of)).collect()
    }

    fn evaluate_in_batch(
        &self,
        lead: &Lead,
        first: bool,
        as_of: DateTime<Utc>,
    ) -> Result<Decision, EvalError> {
        if !first {
            let message = "duplicate id: an earlier lead in this batch has it".to_owned();
            return Err(EvalError::new(lead, None, None, EvalErrorKind::DuplicateId, message));
        }
        self.evaluate(lead, as_of)
    }

    fn evaluate_unguarded(&self, lead: &Lead, as_of: DateTime<Utc>) -> Result<Decision, EvalError> {
        if as_of < lead.created_at {
            let message = format!(
                "as_of {} is before the lead was created at {}",
                crate::lead::time::display(as_of),
                crate::lead::time::display(lead.created_at)
            );
            return Err(EvalError::new(lead, None, None, EvalErrorKind::BeforeCreated, message));
        }
        let inner = &*self.inner;
        let mut slot = SLOT.take().filter(|s| s.qualifier == inner.id).unwrap_or_else(|| inner.slot());
        let result = inner.run(&mut slot.scope, lead, as_of);
        SLOT.set(Some(slot));
        let (draft, stopped_by) = result?;
        Ok(inner.finish(lead, as_of, draft, stopped_by))
    }
}

/// The variables rules see, kept per thread between evaluations: a lead then
/// costs no new scope, no new boxes for the variables and no new touch buffer.
struct Slot {
    qualifier: u64,
    scope: Scope<'static>,
}

thread_local! {
    static SLOT: std::cell::Cell<Option<Slot>> = const { std::cell::Cell::new(None) };
}

/// Tells qualifiers apart for [`Slot`]s, where an address could be reused.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// For each lead, whether it is the first in `leads` with its id.
fn first_of_each_id(leads: &[Lead]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::with_capacity(leads.len());
    leads.iter().map(|lead| seen.insert(lead.id.as_str())).collect()
}

fn lost_decision(lead: &Lead) -> EvalError {
    EvalError::new(lead, None, None, EvalErrorKind::Script, "the `decision` variable was replaced".into())
}

impl Inner {
    fn slot(&self) -> Slot {
        let mut scope = Scope::with_capacity(SCRIPT_VARIABLES.len());
        let [lead_var, params_var, decision_var] = SCRIPT_VARIABLES;
        scope.push_constant(lead_var, Snapshot::default());
        scope.push_constant(params_var, self.script_params.clone());
        scope.push_constant(decision_var, Draft::placeholder());
        Slot { qualifier: self.id, scope }
    }

    /// Runs the point table and the rules, leaving `scope` as it found it.
    fn run(
        &self,
        scope: &mut Scope<'static>,
        lead: &Lead,
        as_of: DateTime<Utc>,
    ) -> Result<(Draft, Option<Text>), EvalError> {
        let result = self.run_rules(scope, lead, as_of);
        // A slot goes back to its thread only from here, so it always starts with just the variables.
        scope.rewind(SCRIPT_VARIABLES.len());
        // The slot outlives the lead: keep none of its data.
        if let Some(snapshot) = scope.get_value_mut::<Snapshot>(SCRIPT_VARIABLES[0]) {
            snapshot.get_mut().clear();
        }
        let (mut draft, stopped_by) = result?;
        draft.begin(self.settings.text.caps.clone(), None);
        self.caps(&mut draft).map_err(|e| EvalError::from_script(lead, None, *e))?;
        draft.end();
        Ok((draft, stopped_by))
    }

    fn run_rules(
        &self,
        scope: &mut Scope<'static>,
        lead: &Lead,
        as_of: DateTime<Utc>,
    ) -> Result<(Draft, Option<Text>), EvalError> {
        let [lead_var, _, decision_var] = SCRIPT_VARIABLES;
        let snapshot = scope.get_value_mut::<Snapshot>(lead_var).ok_or_else(|| lost_decision(lead))?;
        let snapshot = snapshot.get_mut();
        snapshot.fill(lead, as_of, self.uses_attributes);
        // Room for every rule and the points, caps and lifecycle steps: `fired` never regrows.
        let steps = self.tables.len() + self.rules.len() + 3;
        let budget = Budget::new(&self.limits);
        let mut draft =
            Draft::new(self.criteria.clone(), self.settings.caps, self.rule_names.clone(), steps, budget);
        self.point_table(snapshot, &mut draft).map_err(|e| EvalError::from_script(lead, None, *e))?;
        for (name, table) in &self.tables {
            draft.begin(name.clone(), None);
            let outcome = table.apply(snapshot, &mut draft).map_err(|e| {
                let mut err = EvalError::from_script(lead, None, *e);
                err.rule = Some(name.clone());
                err
            })?;
            if outcome == Outcome::Stop {
                return Ok((draft, Some(name.clone())));
            }
        }
        *scope.get_value_mut::<Draft>(decision_var).ok_or_else(|| lost_decision(lead))? = draft;

        // Native functions charge their work to this run, and it keeps the deadline.
        let run = crate::engine::sandbox::Run::start(&self.limits);
        let result = self.engine.run_ast_with_scope(scope, &self.program);
        drop(run);
        let draft = scope.get_value_mut::<Draft>(decision_var).ok_or_else(|| lost_decision(lead))?;
        let draft = std::mem::replace(draft, Draft::placeholder());
        let rule = draft.current.map(|i| &self.rules[i]);
        match result {
            Ok(()) => Ok((draft, None)),
            Err(e) if draft::is_stop(&e) => {
                let stopped_by = Some(draft.rule.clone());
                Ok((draft, stopped_by))
            }
            Err(e) => Err(EvalError::from_script(lead, rule, *e)),
        }
    }

    /// Awards the pack's point table natively, as the engine's `points` step.
    /// Its work is one pass over the touches, sorted once; a channel's
    /// points are looked up by hash, however many channels the pack names.
    fn point_table(&self, lead: &snapshot::ScriptLead, draft: &mut Draft) -> Result<(), Box<EvalAltResult>> {
        let s = &self.settings;
        draft.begin(s.text.points.clone(), None);
        let touches = &lead.touches;
        let mut i = 0;
        // Touches are sorted by channel, then day: each channel is a run of days.
        while i < touches.len() {
            let channel = &touches[i].channel;
            let end = i + touches[i..].iter().take_while(|t| t.channel == *channel).count();
            if let Some((points, reason)) = s.points_for(channel) {
                let total = channel_points(points, s.channel_daily_cap, s.half_life_days, &touches[i..end]);
                let total = crate::engine::stdlib::whole(total.round()).ok_or("score overflow")?;
                if total != 0 {
                    let category = if points < 0 { Category::Negative } else { Category::Engagement };
                    draft.add(category, total, reason.clone())?;
                }
            }
            i = end;
        }
        draft.end();
        Ok(())
    }

    /// Records the caps' cuts as contributions.
    fn caps(&self, draft: &mut Draft) -> Result<(), Box<EvalAltResult>> {
        let cuts = draft.caps.cuts(draft.fit, draft.engagement, draft.negative);
        for cut in cuts.into_iter().flatten() {
            draft.add(cut.category, cut.points, self.settings.text.capped[cut.what].clone())?;
        }
        Ok(())
    }

    fn finish(&self, lead: &Lead, as_of: DateTime<Utc>, mut d: Draft, stopped_by: Option<Text>) -> Decision {
        let s = &self.settings;
        // The caps are recorded as contributions by now, so the raw totals are
        // final; `Draft::add` keeps their sum representable.
        let score = draft::sum(d.fit, d.engagement, d.negative).unwrap_or_default();
        let grade = d.grade.or_else(|| {
            if s.grades.is_empty() {
                return None;
            }
            Some(s.grades.iter().find(|(t, _)| d.fit as f64 >= *t).map_or(Grade::F, |(_, g)| *g))
        });
        let temperature = d.temperature.or_else(|| match (s.hot, s.warm) {
            (None, None) => None,
            (hot, warm) => Some(if hot.is_some_and(|t| score as f64 >= t) {
                Temperature::Hot
            } else if warm.is_some_and(|t| score as f64 >= t) {
                Temperature::Warm
            } else {
                Temperature::Cold
            }),
        });

        // Replays see the lead as it was: its stage as of `as_of`.
        let (current, entered) = lead.stage_at(as_of);
        let with_marketing = current.owner() == Some(Team::Marketing);
        let reaches_mql = s.mql.is_some_and(|t| score >= t);
        // A recycled lead comes back only on new activity: an inbound touch
        // after the instant it was recycled (for an import without history,
        // after it was created). Nothing a rule says hands it off before.
        let recycled = (current == Stage::Recycled).then(|| entered.unwrap_or(lead.created_at));
        let mut choice = std::mem::take(&mut d.handoff);
        if let Some(since) = recycled {
            if !lead.touchpoints.iter().any(|t| t.at > since && t.at <= as_of && s.inbound(&t.channel)) {
                let reason = format!("Recycled on {}; no new activity from the lead since", Moment(since));
                choice =
                    HandoffChoice::Hold(Reasoned { reason: reason.into(), rule: s.text.lifecycle.clone() });
            }
        }
        // Derived by the engine, so the handoff names no rule.
        let mut sql_ready = None;
        if matches!(choice, HandoffChoice::Derive)
            && d.stage.is_none()
            && d.disqualified.is_none()
            && with_marketing
            && reaches_mql
        {
            let (met, not_met, total) =
                (d.bant.count(CriterionStatus::Met), d.bant.count(CriterionStatus::NotMet), d.bant.len());
            let lifecycle = |reason: fmt::Arguments<'_>| Reasoned {
                reason: Text::cached(reason),
                rule: s.text.lifecycle.clone(),
            };
            if s.sql_criteria_met.is_some_and(|n| met >= n) {
                let set = lifecycle(format_args!("{met} of {total} criteria met with score {score}"));
                d.stage = Some((Stage::Sql, set));
                sql_ready = Some(Text::cached(format_args!(
                    "SQL-ready: score {score}, {met} of {total} criteria met"
                )));
            } else if s.hold_criteria_not_met.is_some_and(|n| not_met >= n) {
                choice = HandoffChoice::Hold(lifecycle(format_args!(
                    "Score {score} is there but {not_met} of {total} criteria are not met"
                )));
            }
        }
        let held = matches!(choice, HandoffChoice::Hold(_));
        let rule_stage = d.stage.is_some();
        let (stage, stage_reason) = match (&d.disqualified, d.stage) {
            (Some(_), _) => (Stage::Disqualified, None),
            (None, Some((stage, ref set))) => (stage, Some(set.clone())),
            // A held lead stays where it is until a rule lets it go.
            (None, None)
                if reaches_mql
                    && !held
                    && matches!(current, Stage::Subscriber | Stage::Lead | Stage::Recycled) =>
            {
                (Stage::Mql, None)
            }
            (None, None) => (current, None),
        };
        let sales_ready = stage == Stage::Mql || stage.owner() == Some(Team::Sales);
        // The lifecycle acted when it made the lead SQL-ready or (below) held it.
        let lifecycle_acted = sql_ready.is_some();
        let (mut handoff, held) = match choice {
            _ if d.disqualified.is_some() || !with_marketing => (None, None),
            HandoffChoice::Now(Reasoned { reason, rule }) => (
                Some(Handoff {
                    stage: if sales_ready { stage } else { Stage::Mql },
                    reason,
                    rule: Some(rule),
                }),
                None,
            ),
            HandoffChoice::Hold(held) => (None, Some(held)),
            HandoffChoice::Derive if sql_ready.is_some() => {
                (Some(Handoff { stage, reason: sql_ready.unwrap_or_default(), rule: None }), None)
            }
            HandoffChoice::Derive if rule_stage && sales_ready => {
                let set = stage_reason
                    .clone()
                    .unwrap_or_else(|| Reasoned { reason: Text::default(), rule: Text::default() });
                (Some(Handoff { stage, reason: set.reason, rule: Some(set.rule) }), None)
            }
            HandoffChoice::Derive if reaches_mql && sales_ready => {
                let threshold = s.mql.unwrap_or_default();
                let reason =
                    Text::cached(format_args!("Score {score} reached the MQL threshold of {threshold}"));
                (Some(Handoff { stage, reason, rule: None }), None)
            }
            HandoffChoice::Derive => (None, None),
        };
        // Whichever path handed a recycled lead off, its reason says why it is back.
        if let (Some(h), Some(since)) = (&mut handoff, recycled) {
            h.reason =
                format!("{}, with new activity since it was recycled on {}", h.reason, Moment(since)).into();
        }
        if lifecycle_acted || held.as_ref().is_some_and(|h| h.rule == s.text.lifecycle) {
            d.fired.push(s.text.lifecycle.clone());
        }
        let why_not_yet =
            (handoff.is_none() && d.disqualified.is_none() && with_marketing).then(|| WhyNotYet {
                threshold: s.mql,
                // Saturates: a gap past i64::MAX is reported as i64::MAX.
                points_needed: s.mql.map(|t| t.saturating_sub(score).max(0)),
                unmet: d.bant.names_with(CriterionStatus::NotMet),
                unknown: d.bant.names_with(CriterionStatus::Unknown),
                held,
            });

        Decision {
            lead_id: lead.id.clone(),
            as_of,
            pack: self.pack.clone(),
            fit: d.fit,
            engagement: d.engagement,
            negative: d.negative,
            score,
            grade,
            temperature,
            bant: d.bant,
            lead_stage: current,
            stage,
            stage_reason: stage_reason.map(|set| set.reason),
            handoff,
            why_not_yet,
            disqualified: d.disqualified,
            contributions: d.contributions,
            fired: d.fired,
            stopped_by,
        }
    }
}

/// What the point table gives one channel, before rounding: the formula the
/// guide documents ("The daily cap and fading together").
///
/// Each UTC day's touches are scaled together so that the day's undecayed
/// points do not pass `cap` (`points × n` becomes `cap` when larger), then
/// each touch fades by its own age: a day of `n` touches of ages `aᵢ` gives
/// `points × min(1, cap / (points × n)) × Σ 0.5^(aᵢ / half_life)`. Negative
/// points are never capped. `touches` are one channel's, sorted by day.
fn channel_points(points: i64, cap: Option<f64>, half_life_days: f64, touches: &[snapshot::Touch]) -> f64 {
    let mut total = 0.0;
    for day in touches.chunk_by(|a, b| a.day == b.day) {
        // In floats: points × touches may not fit an integer, and need not.
        let raw = points as f64 * day.len() as f64;
        let scale = match cap {
            Some(cap) if raw > cap => cap / raw,
            _ => 1.0,
        };
        total += day.iter().map(|t| points as f64 * scale * decay(t.age_days, half_life_days)).sum::<f64>();
    }
    total
}

/// An instant as the engine's reasons write it: `2026-10-02 08:00 UTC`.
struct Moment(DateTime<Utc>);

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} UTC", self.0.format("%Y-%m-%d %H:%M"))
    }
}

/// The longest thrown value an error message shows.
const MAX_MESSAGE: usize = 4096;

/// Why a lead could not be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvalErrorKind {
    /// A rule ran more operations than [`Limits::max_operations`].
    TooManyOperations,
    /// Calls nested deeper than [`Limits::max_call_depth`].
    TooDeep,
    /// A string, array or map grew past its limit, or too many variables.
    TooLarge,
    /// The script failed: a type error, an unknown property or parameter, a
    /// division by zero, a `throw`...
    Script,
    /// The rules ran longer than [`Limits::deadline`].
    Deadline,
    /// An earlier lead of the same batch has this lead's id; the first one was
    /// decided, this one is reported rather than merged.
    DuplicateId,
    /// `as_of` is before the lead's `created_at`: there was no lead to decide
    /// about then. Replays start at a lead's creation.
    BeforeCreated,
    /// A bug in leadgate or rhai, caught so the host keeps running. Please report it.
    Panic,
}

/// A lead that could not be evaluated: which lead, which rule, where in the
/// script, and why. Other leads of a batch are not affected.
///
/// ```
/// use leadgate::{EvalErrorKind, Lead, Pack, Qualifier};
///
/// // A lead without touchpoints makes this rule divide by zero.
/// let q = Qualifier::new(&Pack::from_script("ratio", "\nlet per_touch = 100 / lead.touches();")?)?;
/// let lead = Lead::new("L-9", "2026-11-01T00:00:00Z".parse()?);
/// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
/// assert_eq!(err.kind(), EvalErrorKind::Script);
/// assert_eq!(err.lead_id(), "L-9");
/// assert_eq!(err.rule(), Some("ratio"));
/// assert_eq!(err.location().unwrap().line, 2);
/// assert!(err.to_string().contains("Division by zero"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EvalError {
    lead_id: Text,
    rule: Option<Text>,
    location: Option<Location>,
    kind: EvalErrorKind,
    message: String,
}

impl EvalError {
    fn new(
        lead: &Lead,
        rule: Option<Text>,
        location: Option<Location>,
        kind: EvalErrorKind,
        message: String,
    ) -> Self {
        EvalError { lead_id: lead.id.clone(), rule, location, kind, message }
    }

    fn from_script(lead: &Lead, rule: Option<&CompiledRule>, mut err: EvalAltResult) -> Self {
        let pos = err.take_position();
        let kind = match err {
            EvalAltResult::ErrorTooManyOperations(..) => EvalErrorKind::TooManyOperations,
            EvalAltResult::ErrorStackOverflow(..) => EvalErrorKind::TooDeep,
            EvalAltResult::ErrorDataTooLarge(..) | EvalAltResult::ErrorTooManyVariables(..) => {
                EvalErrorKind::TooLarge
            }
            EvalAltResult::ErrorTerminated(ref token, _)
                if token.is::<crate::engine::sandbox::DeadlineExceeded>() =>
            {
                EvalErrorKind::Deadline
            }
            _ => EvalErrorKind::Script,
        };
        let message = match &err {
            _ if kind == EvalErrorKind::Deadline => "the rules took longer than the deadline".to_owned(),
            // Bounded: a thrown value may be a large or deeply nested list.
            EvalAltResult::ErrorRuntime(value, _) => crate::engine::stdlib::show(value, MAX_MESSAGE)
                .unwrap_or_else(|| format!("a thrown {} too large to show", value.type_name())),
            other => other.to_string(),
        };
        let Some(rule) = rule else {
            return EvalError::new(lead, None, None, kind, message);
        };
        let location = Location {
            script: rule.script.clone(),
            line: pos
                .line()
                .filter(|&l| l >= START_LINE)
                .map_or(0, |l| l - START_LINE + 1 + rule.line_offset),
            column: pos.position().unwrap_or(0),
        };
        EvalError::new(lead, Some(rule.name.clone()), Some(location), kind, message)
    }

    /// The id of the lead.
    pub fn lead_id(&self) -> &str {
        &self.lead_id
    }

    /// The rule that failed, if a rule did.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// Where in the rule's script.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// What kind of failure.
    pub fn kind(&self) -> EvalErrorKind {
        self.kind
    }

    /// Whether a resource limit stopped the rule (operations, depth, size).
    ///
    /// ```
    /// # use leadgate::{Lead, Limits, Pack, Qualifier};
    /// let pack = Pack::from_script("big", r#"let s = "0123456789"; s += s; s += s; s += s; s += s; s += s; s += s; s += s;"#)?;
    /// let mut limits = Limits::default();
    /// limits.max_string_size = 1000;
    /// let q = Qualifier::builder(&pack).limits(limits).build()?;
    /// let err = q.evaluate(&Lead::new("a", "2026-11-01T00:00:00Z".parse()?), "2026-11-02T00:00:00Z".parse()?).unwrap_err();
    /// assert!(err.is_limit());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_limit(&self) -> bool {
        matches!(
            self.kind,
            EvalErrorKind::TooManyOperations
                | EvalErrorKind::TooDeep
                | EvalErrorKind::TooLarge
                | EvalErrorKind::Deadline
        )
    }

    /// What went wrong, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lead {:?}: ", self.lead_id.as_str())?;
        if let Some(rule) = &self.rule {
            write!(f, "rule {:?}", rule.as_str())?;
            if let Some(loc) = &self.location {
                write!(f, " ({loc})")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(day: i64, age_days: f64) -> snapshot::Touch {
        snapshot::Touch {
            age_days,
            day,
            channel: Channel::PricingPage,
            team: Team::Marketing,
            campaign: None,
        }
    }

    /// The guide's worked example: two 8-point visits on one day, 6.625 and
    /// 6.375 days before as_of, a daily cap of 10 and a half-life of 7 days.
    #[test]
    fn the_daily_cap_scales_a_day_then_each_touch_fades() {
        let day = [touch(20_408, 6.625), touch(20_408, 6.375)];
        let exact = 8.0 * (10.0 / 16.0) * (0.5f64.powf(6.625 / 7.0) + 0.5f64.powf(6.375 / 7.0));
        let total = channel_points(8, Some(10.0), 7.0, &day);
        assert_eq!(total, exact);
        assert_eq!((total * 1000.0).round() / 1000.0, 5.254);
        assert_eq!(total.round(), 5.0);
        // Without the cap, 16 faded; without fading, the cap alone: 10.
        assert_eq!(channel_points(8, None, 7.0, &day).round(), 8.0);
        assert_eq!(channel_points(8, Some(10.0), 0.0, &day), 10.0);
        // Days are capped apart; a negative channel never is.
        let two_days = [touch(1, 0.0), touch(1, 0.0), touch(2, 0.0)];
        assert_eq!(channel_points(8, Some(10.0), 0.0, &two_days), 18.0);
        assert_eq!(channel_points(-8, Some(10.0), 0.0, &two_days), -24.0);
    }

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn qualifier_is_send_and_sync() {
        assert_send_sync::<Qualifier>();
        assert_send_sync::<Decision>();
    }
}

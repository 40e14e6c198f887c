//! The engine: [`Qualifier`], a compiled pack that decides leads, built by
//! [`QualifierBuilder`] under [`Limits`]; [`EvalError`] when a lead cannot be
//! decided. Inside: the snapshot and the draft that decision tables and
//! scripts share, native tables, the Rhai sandbox and script API, the run,
//! and the finishing policy.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rhai::{AST, Engine};

mod account;
pub(crate) mod api;
mod build;
pub(crate) mod draft;
mod error;
mod finish;
mod recent;
mod run;
pub(crate) mod sandbox;
pub(crate) mod script;
pub(crate) mod snapshot;
pub(crate) mod stdlib;
mod tables;
pub(crate) mod validate;

pub use build::QualifierBuilder;
use build::Settings;
pub use error::{EvalError, EvalErrorKind};
use run::{SLOT, first_of_each_id};
pub use sandbox::Limits;

use crate::decision::PackId;
use crate::pack::ParamValue;
use crate::pack::Problem;
use crate::pack::params::ParamTable;
use crate::pack::table::Table;
use crate::{Assessment, Decision, Lead, Pack, PackError, Text};
use script::Params;

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
/// assert_eq!(decision.fit, 42); // software, 800 employees, a VP
/// assert_eq!(decision.pack.name, "b2b-bant");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Qualifier {
    inner: Arc<Inner>,
}

/// The parts only scripts and accounts use are boxed, so that what every
/// lead decision reads stays in a few cache lines: with thousands of tenants
/// deciding in turn, each decision starts with its tenant's state cold.
struct Inner {
    /// Unique per compiled qualifier, for the per-thread [`Slot`].
    id: u64,
    engine: Box<Engine>,
    /// The decision tables, which run before the scripts, in pack order;
    /// shared by tenants built in turn with the same tables.
    tables: Arc<Tables>,
    /// The scripted rules, which run after the tables.
    scripts: Scripts,
    pack: Arc<PackId>,
    params: ParamTable,
    script_params: Params,
    criteria: Arc<Assessment>,
    settings: Settings,
    uses_attributes: bool,
    limits: Limits,
    warnings: Vec<Problem>,
    /// How accounts are decided: the `[account]` section, or its defaults.
    account: Box<account::Compiled>,
}

/// Decision tables by rule name, in pack order.
pub(crate) type Tables = [(Text, Arc<Table>)];

/// A pack's scripted rules (or its account section's), compiled.
///
/// Each rule compiles on its own, in a block of the engine's, so that no
/// comment, string or brace of one rule can reach into the next; the rules
/// are then joined into a few programs, each run as one. Rules of a program
/// start on lines of their own, so the position of a call names the rule
/// that made it, with no marker between rules to run.
struct Scripts {
    rules: Vec<CompiledRule>,
    programs: Vec<AST>,
    /// Where each rule starts, for drafts to attribute effects.
    starts: Arc<[draft::RuleStart]>,
}

impl Scripts {
    /// Rules per program. A rule is compiled after a newline for each line
    /// before it in its program, so this bounds that padding to this many
    /// times the source; rhai counts lines in 16 bits, which bounds a
    /// program's lines too.
    const RULES_PER_PROGRAM: usize = 16;

    fn none() -> Self {
        Scripts { rules: Vec::new(), programs: Vec::new(), starts: draft::no_rules() }
    }

    fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule at `position` of `program`.
    fn at(&self, program: usize, position: rhai::Position) -> Option<&CompiledRule> {
        draft::rule_at(&self.starts, program, position.line()).map(|i| &self.rules[i])
    }
}

/// A scripted rule: where it comes from and where it is in its program.
struct CompiledRule {
    name: Text,
    script: Text,
    line_offset: usize,
    /// The line of the engine's block around it, in its program.
    block_line: usize,
}

impl fmt::Debug for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Qualifier")
            .field("pack", &self.inner.pack)
            .field("rules", &self.inner.scripts.rules.iter().map(|r| r.name.as_str()).collect::<Vec<_>>())
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
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
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #     "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 300}}"#)?;
    /// # let as_of = "2026-11-23T00:00:00Z".parse()?;
    /// let q = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
    /// let d = q.evaluate(&lead, as_of)?;
    /// assert_eq!(d.score, 42); // 60 by default: no handoff
    /// assert!(d.handoff.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(pack: &Pack) -> QualifierBuilder<'_> {
        QualifierBuilder::new(pack)
    }

    /// The pack's identity, as every decision names it.
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::b2b_bant())?;
    /// assert_eq!((q.pack().name.as_str(), q.pack().version.as_str()), ("b2b-bant", "1.0.0"));
    /// assert_eq!(q.pack().hash, Pack::b2b_bant().hash());
    /// // Another tenant's parameters: the same pack, another `params_hash`.
    /// let tenant = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 70).build()?;
    /// assert_eq!(tenant.pack().hash, q.pack().hash);
    /// assert_ne!(tenant.pack().params_hash, q.pack().params_hash);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn pack(&self) -> &PackId {
        &self.inner.pack
    }

    /// The effective parameters, sorted by name.
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// # use leadgate::pack::ParamValue;
    /// let q = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 70).build()?;
    /// let names: Vec<&str> = q.params().map(|(name, _)| name).take(2).collect();
    /// assert_eq!(names, ["account_mqa_threshold", "channel_daily_cap"]);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn params(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.inner.params.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// One effective parameter: the tenant's override, else the pack's
    /// value; `None` for a name the pack does not declare.
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// # use leadgate::pack::ParamValue;
    /// let q = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 70).build()?;
    /// assert_eq!(q.param("mql_threshold"), Some(&ParamValue::Int(70)));
    /// assert_eq!(q.param("stale_after_days"), Some(&ParamValue::Int(90)));
    /// assert_eq!(q.param("no_such_param"), None);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn param(&self, name: &str) -> Option<&ParamValue> {
        self.inner.params.get(name)
    }

    /// What is suspicious but not wrong in the pack: a declared parameter
    /// that no rule reads, a custom channel a rule counts that the pack does
    /// not declare (often a typo on one side). Each is a [`Problem`] whose
    /// kind [`is_warning`](crate::pack::ProblemKind::is_warning).
    ///
    /// ```
    /// use leadgate::{Pack, Qualifier};
    /// use leadgate::pack::ProblemKind;
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
    ///
    /// ```
    /// # use leadgate::{Limits, Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::b2b_bant())?;
    /// assert_eq!(*q.limits(), Limits::default());
    /// assert_eq!(q.limits().max_operations, 100_000);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
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
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # use leadgate::engine::EvalErrorKind;
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
    #[cfg_attr(docsrs, doc(cfg(feature = "parallel")))]
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
        // Another qualifier's slot is adopted, not rebuilt: only the
        // parameters differ, so leads from many tenants in turn keep the
        // thread's scope and touch buffer.
        let mut slot = match SLOT.take() {
            Some(slot) if slot.qualifier == inner.id => slot,
            Some(slot) => inner.adopt(slot),
            None => inner.slot(),
        };
        let mut draft = inner.draft();
        let result = inner.run(&mut slot, lead, as_of, &mut draft);
        SLOT.set(Some(slot));
        let stopped_by = result?;
        Ok(inner.finish(lead, as_of, draft, stopped_by))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn qualifier_is_send_and_sync() {
        assert_send_sync::<Qualifier>();
        assert_send_sync::<Decision>();
    }

    /// What each tenant holds: tables are shared unless the tenant changes
    /// a parameter they read, and a pack of tables keeps no script copy of
    /// its parameters.
    #[test]
    fn tenants_share_the_tables_their_values_do_not_change() {
        let shared = |a: &Qualifier, b: &Qualifier| -> Vec<bool> {
            a.inner.tables.iter().zip(b.inner.tables.iter()).map(|(x, y)| Arc::ptr_eq(&x.1, &y.1)).collect()
        };
        // Separate calls: the shipped pack is read once per process.
        let default = Qualifier::new(&crate::Pack::b2b_bant()).unwrap();
        let threshold =
            Qualifier::builder(&crate::Pack::b2b_bant()).param("mql_threshold", 10).build().unwrap();
        let industries = Qualifier::builder(&crate::Pack::b2b_bant())
            .param("target_industries", vec!["retail"])
            .build()
            .unwrap();
        let names: Vec<&str> = default.inner.tables.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["screen", "fit", "budget", "authority", "need", "timeline", "engagement"]);
        assert_eq!(shared(&default, &threshold), [true; 7]);
        assert_eq!(shared(&default, &industries), [true, false, true, true, true, true, true]);
        // Built in turn on one thread, they share the list of tables when
        // it is the same, and the point table and grades.
        assert!(Arc::ptr_eq(&default.inner.tables, &threshold.inner.tables));
        assert!(!Arc::ptr_eq(&default.inner.tables, &industries.inner.tables));
        assert!(Arc::ptr_eq(&default.inner.settings.scale, &industries.inner.settings.scale));
        let points = Qualifier::builder(&crate::Pack::b2b_bant()).param("points.webinar", 1).build().unwrap();
        assert!(!Arc::ptr_eq(&default.inner.settings.scale, &points.inner.settings.scale));
        assert!(default.inner.script_params.is_empty());
    }
}

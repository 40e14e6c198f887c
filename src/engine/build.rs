//! Compiling a pack into a [`Qualifier`]: parameters and overrides, each
//! rule compiled on its own, load-time checks, and the settings the engine
//! reads from the well-known parameters.

use std::sync::Arc;

use rhai::{AST, Scope};
use sha2::{Digest, Sha256};

use super::draft::{Caps, RuleStart};
use super::run::NEXT_ID;
use super::script::{self, Params};
use super::{CompiledRule, Inner, Limits, Qualifier, SCRIPT_VARIABLES, Scripts, Tables};
use crate::decision::PackId;
use crate::pack::params::{ParamTable, known};
use crate::pack::table::Table;
use crate::pack::{Location, ParamValue, Problem, ProblemKind, hex};
use crate::{Channel, Direction, Grade, Pack, PackError, Text};

/// What the engine does natively, from the well-known parameters.
pub(super) struct Settings {
    pub(super) mql: Option<i64>,
    pub(super) warm: Option<f64>,
    pub(super) hot: Option<f64>,
    /// Criteria met for an SQL-ready handoff at the MQL threshold.
    pub(super) sql_criteria_met: Option<usize>,
    /// Criteria not met that hold a lead back at the MQL threshold.
    pub(super) hold_criteria_not_met: Option<usize>,
    pub(super) half_life_days: f64,
    pub(super) channel_daily_cap: Option<f64>,
    pub(super) caps: Caps,
    pub(super) scale: Arc<Scale>,
    /// The caps' reasons, made once so that deciding does not format them:
    /// "Fit capped at 50", "Engagement capped at 60", "Score capped at 100".
    pub(super) capped: [Text; 3],
}

/// The point table, the grades and the inbound channels: the same for most
/// tenants of a pack, so shared (see [`Scale::shared`]).
#[derive(PartialEq)]
pub(super) struct Scale {
    /// Fit thresholds, best grade first.
    pub(super) grades: Vec<(f64, Grade)>,
    /// Points per touch for built-in channels, by index, then custom channels.
    points: Vec<Option<(i64, Text)>>,
    custom_points: std::collections::HashMap<Channel, (i64, Text)>,
    /// Custom channels the pack declares inbound.
    inbound: std::collections::HashSet<Channel>,
}

/// What this thread made last of a kind (`last`), when `same` says it is
/// `value`, else `value` made shared (and the last): tenants built in turn
/// from one pack share one copy, so that deciding for many of them in turn
/// reads one. The thread keeps the last one alive, no more.
fn last_or<T: ?Sized, V>(
    last: &'static std::thread::LocalKey<std::cell::RefCell<Option<Arc<T>>>>,
    value: V,
    same: impl FnOnce(&T, &V) -> bool,
    share: impl FnOnce(V) -> Arc<T>,
) -> Arc<T> {
    last.with_borrow_mut(|last| match last {
        Some(shared) if same(shared, &value) => Arc::clone(shared),
        _ => Arc::clone(last.insert(share(value))),
    })
}

impl Scale {
    /// `self`, or the equal one this thread made last (see [`last_or`]).
    fn shared(self) -> Arc<Scale> {
        thread_local! {
            static LAST: std::cell::RefCell<Option<Arc<Scale>>> = const { std::cell::RefCell::new(None) };
        }
        last_or(&LAST, self, |last, new| last == new, Arc::new)
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
    pub(super) fn new(pack: &'a Pack) -> Self {
        QualifierBuilder { pack, overrides: Vec::new(), limits: Limits::default() }
    }

    /// Overrides a declared parameter. An undeclared name or a value of
    /// another type is reported by [`build`](Self::build).
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// # use leadgate::pack::ParamValue;
    /// let q = Qualifier::builder(&Pack::b2b_bant()).param("min_employees", 20).build()?;
    /// assert_eq!(q.param("min_employees"), Some(&ParamValue::Int(20)));
    ///
    /// let err = Qualifier::builder(&Pack::b2b_bant()).param("min_employees", "many").build().unwrap_err();
    /// assert_eq!(err.to_string(), r#"parameter "min_employees": expected integer, got string "many""#);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.overrides.push((name.to_owned(), Override::Value(value.into())));
        self
    }

    /// Overrides a declared parameter from text, parsed as the declared type
    /// (see [`ParamValue::parse_like`]).
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// # use leadgate::pack::ParamValue;
    /// let q = Qualifier::builder(&Pack::b2b_bant())
    ///     .param_str("mql_threshold", "70")
    ///     .param_str("target_countries", "US, CA")
    ///     .build()?;
    /// let param = |name: &str| q.param(name).unwrap().clone();
    /// assert_eq!(param("mql_threshold"), ParamValue::Int(70));
    /// assert_eq!(param("target_countries"), ParamValue::from(vec!["US", "CA"]));
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn param_str(mut self, name: &str, value: &str) -> Self {
        self.overrides.push((name.to_owned(), Override::Text(value.to_owned())));
        self
    }

    /// Sets the resource limits (default: [`Limits::default`]).
    ///
    /// ```
    /// # use leadgate::{Lead, Limits, Pack, Qualifier};
    /// # use leadgate::engine::EvalErrorKind;
    /// let mut limits = Limits::default();
    /// limits.max_operations = 10; // far too few for the MEDDIC pack's scripts
    /// let q = Qualifier::builder(&Pack::meddic()).limits(limits).build()?;
    /// let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.kind(), EvalErrorKind::TooManyOperations);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Compiles the pack. Every problem found is reported, not just the first.
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// let err = Qualifier::builder(&Pack::b2b_bant())
    ///     .param("mql_treshold", 50)
    ///     .param("fit_cap", -1)
    ///     .build()
    ///     .unwrap_err();
    /// let messages: Vec<&str> = err.problems().iter().map(|p| p.message()).collect();
    /// assert_eq!(messages, [
    ///     r#"unknown parameter "mql_treshold" (did you mean "mql_threshold"?)"#,
    ///     r#"parameter "fit_cap" is a cap, so it must not be negative, got -1"#,
    /// ]);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn build(self) -> Result<Qualifier, PackError> {
        let pack = self.pack;
        let mut problems = Vec::new();

        // Names shared with the pack, not copied for each tenant.
        let defaults: ParamTable = pack.params.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
        let mut params = defaults.clone();
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
                Override::Text(t) => declared.parse_like(&t).map_err(|e| e.to_string()),
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
            // Zero criteria would make every lead at the threshold SQL-ready, or held.
            let count = [known::SQL_CRITERIA_MET, known::HOLD_CRITERIA_NOT_MET].contains(&name.as_str());
            let problem = if !x.is_finite() {
                Some("must be a finite number")
            } else if cap && x < 0.0 {
                Some("is a cap, so it must not be negative")
            } else if count && x < 1.0 {
                Some("counts criteria, so it must be at least 1")
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
        let param_names: Vec<Text> = params.keys().cloned().collect();
        let channels: Vec<Channel> = pack.declared_channels().collect();
        let checks = crate::engine::validate::Context {
            params: &param_names,
            criteria: pack.criteria(),
            channels: &channels,
        };
        let mut warnings = Vec::new();
        let mut used = std::collections::BTreeSet::new();
        let mut compiler = Compiler {
            engine: &engine,
            limits: &self.limits,
            params: &params,
            defaults: &defaults,
            used: &mut used,
            problems: &mut problems,
            warnings: &mut warnings,
        };
        let lead_rules = compiler.compile(&pack.rules, SCRIPT_VARIABLES, &checks);
        let account_rules = pack.account.as_ref().map(|a| {
            let checks = crate::engine::validate::Context { criteria: &a.criteria, ..checks };
            compiler.compile(&a.rules, super::account::SCRIPT_VARIABLES, &checks)
        });
        let Rules { tables, scripts } = lead_rules;
        let programs = account_rules.as_ref().map_or(0, |r| r.scripts.programs.len());
        crate::engine::sandbox::watch(&mut engine, &self.limits, programs.max(scripts.programs.len()));
        let account =
            match super::account::Compiled::new(pack.account.as_ref(), account_rules, &params, &mut used) {
                Ok(account) => Some(account),
                Err(ps) => {
                    problems.extend(ps);
                    None
                }
            };
        let (true, Some(account)) = (problems.is_empty(), account) else {
            return Err(PackError::new(problems));
        };
        warnings.extend(
            param_names.iter().filter(|n| !used.contains(n.as_str()) && !known::is_numeric(n)).map(|n| {
                let message = format!("parameter {:?} is declared but no rule reads it", n.as_str());
                Problem::new(ProblemKind::UnusedParam, message)
            }),
        );

        // Only scripts read `params` as the pack runs (tables were given
        // theirs above): a pack of tables keeps no script copy of them, which
        // is most of what each tenant of the default pack would hold.
        let scripted = !scripts.is_empty() || account.has_scripts();
        let script_params = if scripted { Params::new(&params) } else { Params::none() };
        if scripted {
            script::register_param_getters(&mut engine, &script_params);
        }
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
                engine: Box::new(engine),
                tables: shared_tables(tables),
                scripts,
                pack: Arc::new(id),
                script_params,
                params,
                criteria: pack.assessment.clone(),
                settings,
                uses_attributes,
                limits: self.limits,
                warnings,
                account: Box::new(account),
            }),
        })
    }
}

impl Settings {
    pub(super) fn new(params: &ParamTable, pack: &Pack) -> Self {
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
            // Kept for the process: tenants share them, and every touch's
            // contribution copies its reason without a reference count.
            let reason = Text::kept(&if half_life_days > 0.0 {
                format!(
                    "{channel} activity ({p} per touch, half-life {} days)",
                    crate::lead::text::Number(half_life_days)
                )
            } else {
                format!("{channel} activity ({p} per touch)")
            });
            match channel.index() {
                Some(i) => points[i] = Some((p, reason)),
                None => {
                    custom_points.insert(channel, (p, reason));
                }
            }
        }
        // Best grade first, so the first threshold the fit score reaches wins.
        let grades = known::GRADES.iter().filter_map(|(n, g)| num(n).map(|t| (t, *g))).collect();
        Settings {
            mql: whole(known::MQL_THRESHOLD),
            warm: num(known::WARM_THRESHOLD),
            hot: num(known::HOT_THRESHOLD),
            sql_criteria_met: whole(known::SQL_CRITERIA_MET).map(|n| n.max(0) as usize),
            hold_criteria_not_met: whole(known::HOLD_CRITERIA_NOT_MET).map(|n| n.max(0) as usize),
            half_life_days,
            channel_daily_cap: num(known::CHANNEL_DAILY_CAP),
            caps: Caps {
                fit: whole(known::FIT_CAP),
                engagement: whole(known::ENGAGEMENT_CAP),
                score: whole(known::SCORE_CAP),
            },
            scale: Scale {
                grades,
                points,
                custom_points,
                inbound: pack
                    .declared_channels()
                    .filter(|c| pack.direction(c) == Direction::Inbound)
                    .collect(),
            }
            .shared(),
            capped: [
                ("Fit", known::FIT_CAP),
                ("Engagement", known::ENGAGEMENT_CAP),
                ("Score", known::SCORE_CAP),
            ]
            .map(|(what, cap)| Text::kept(&format!("{what} capped at {}", whole(cap).unwrap_or_default()))),
        }
    }

    /// Whether a touch on `channel` is the lead's own activity.
    pub(super) fn inbound(&self, channel: &Channel) -> bool {
        match channel {
            Channel::Custom(_) => self.scale.inbound.contains(channel),
            built_in => built_in.direction() == Direction::Inbound,
        }
    }

    pub(super) fn points_for(&self, channel: &Channel) -> Option<(i64, &Text)> {
        match channel.index() {
            Some(i) => self.scale.points[i].as_ref().map(|(p, r)| (*p, r)),
            None => self.scale.custom_points.get(channel).map(|(p, r)| (*p, r)),
        }
    }
}

/// `tables`, or the same list this thread made last (the same names and
/// the same shared tables; see [`last_or`]).
fn shared_tables(tables: Vec<(Text, Arc<Table>)>) -> Arc<Tables> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<Arc<Tables>>> = const { std::cell::RefCell::new(None) };
    }
    let same = |last: &Tables, new: &Vec<(Text, Arc<Table>)>| {
        last.len() == new.len() && last.iter().zip(new).all(|((n, t), (m, u))| n == m && Arc::ptr_eq(t, u))
    };
    last_or(&LAST, tables, same, Arc::from)
}

/// Rules compiled: tables resolved, scripts in programs.
pub(super) struct Rules {
    pub(super) tables: Vec<(Text, Arc<Table>)>,
    pub(super) scripts: Scripts,
}

/// What compiling a list of rules (a pack's, or its account section's) needs.
struct Compiler<'a> {
    engine: &'a rhai::Engine,
    limits: &'a Limits,
    params: &'a ParamTable,
    /// The pack's own parameter values, for sharing resolved tables.
    defaults: &'a ParamTable,
    used: &'a mut std::collections::BTreeSet<String>,
    problems: &'a mut Vec<Problem>,
    warnings: &'a mut Vec<Problem>,
}

impl Compiler<'_> {
    /// Resolves the tables and compiles each script on its own, as the
    /// unit it runs as, then joins them; `variables` are the names the
    /// scripts see. Problems and warnings go to the compiler's lists.
    fn compile(
        &mut self,
        rules: &[crate::pack::RuleSource],
        variables: [&str; 3],
        checks: &crate::engine::validate::Context<'_>,
    ) -> Rules {
        // Strict variables: the names rules may use are known when compiling.
        let mut names = Scope::new();
        for name in variables {
            names.push_constant(name, ());
        }
        let mut tables = Vec::new();
        let mut rules_compiled = Vec::with_capacity(rules.len());
        let (mut programs, mut program, mut starts) = (Vec::new(), AST::empty(), Vec::new());
        let (mut next_line, mut in_program) = (1, 0);
        for rule in rules {
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
                self.problems.push(
                    Problem::new(ProblemKind::TooLarge, message).in_rule(&rule.name).at(location(0, 0)),
                );
                continue;
            }
            if let Some(table) = &rule.table {
                self.used.extend(table.table.params().map(str::to_owned));
                match table.resolve(self.params, self.defaults, checks.criteria) {
                    Ok(table) => tables.push((Text::kept(&rule.name), table)),
                    Err(ps) => {
                        self.problems.extend(ps.into_iter().map(|p| {
                            Problem::new(ProblemKind::Name, p).in_rule(&rule.name).at(location(1, 0))
                        }))
                    }
                }
                continue;
            }
            // Each rule compiles on its own, in a block of the engine's on
            // the next free line of its program (see `Scripts`).
            let lines = rule.source.bytes().filter(|&b| b == b'\n').count() + 1;
            let full = next_line + lines + 1 > usize::from(u16::MAX);
            if in_program == Scripts::RULES_PER_PROGRAM || (in_program > 0 && full) {
                programs.push(std::mem::replace(&mut program, AST::empty()));
                (next_line, in_program) = (1, 0);
            }
            let block_line = next_line;
            let mut wrapped = String::with_capacity(block_line + rule.source.len() + 3);
            wrapped.extend(std::iter::repeat_n('\n', block_line - 1));
            wrapped.push_str("{\n");
            wrapped.push_str(&rule.source);
            wrapped.push_str("\n}");
            match self.engine.compile_with_scope(&names, &wrapped) {
                Ok(ast) => {
                    for problem in crate::engine::validate::check_rule(rule, checks, self.used) {
                        if problem.kind().is_warning() { &mut *self.warnings } else { &mut *self.problems }
                            .push(problem);
                    }
                    program.combine(ast);
                    starts.push(RuleStart {
                        at: RuleStart::key(programs.len(), block_line),
                        name: Text::kept(&rule.name),
                    });
                    rules_compiled.push(CompiledRule {
                        name: rule.name.clone(),
                        script: rule.script.clone(),
                        line_offset: rule.line_offset,
                        block_line,
                    });
                    next_line += lines + 2;
                    in_program += 1;
                }
                Err(e) => {
                    let pos = e.position();
                    // The closing brace is ours: an error there is at the rule's end.
                    let last = lines;
                    // So is one rhai gives no position for (an open interpolation).
                    let (line, column) = match pos.line().map(|l| l.saturating_sub(block_line)) {
                        Some(line @ 1..) if line <= last => (line, pos.position().unwrap_or(1)),
                        _ => (last, 1),
                    };
                    self.problems.push(
                        Problem::new(ProblemKind::Syntax, e.err_type().to_string())
                            .in_rule(&rule.name)
                            .at(location(line, column)),
                    );
                }
            }
        }
        if rules_compiled.is_empty() {
            return Rules { tables, scripts: Scripts::none() };
        }
        if in_program > 0 {
            programs.push(program);
        }
        Rules { tables, scripts: Scripts { rules: rules_compiled, programs, starts: starts.into() } }
    }
}

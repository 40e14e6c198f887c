//! The decision being built: `decision` in scripts, the target of tables,
//! the point table and the caps. Every addition is checked (points stay
//! representable, contributions and text stay within the limits).

use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult, FLOAT, INT, ImmutableString, Position};

use crate::decision::Category;
use crate::decision::{Contribution, RuleReason};
use crate::{Assessment, CriterionStatus, Grade, Stage, Temperature, Text};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

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
    Now(RuleReason),
    Hold(RuleReason),
}

/// Where a scripted rule starts: its program's index in the high bits, the
/// line of its block in the low 16 (rhai counts lines in 16 bits), so that
/// the position of a call names the rule that made it.
#[derive(Debug, Clone)]
pub(crate) struct RuleStart {
    pub(crate) at: u64,
    pub(crate) name: Text,
}

impl RuleStart {
    pub(crate) fn key(program: usize, line: usize) -> u64 {
        ((program as u64) << 16) | line.min(u16::MAX.into()) as u64
    }
}

/// Whose effects a draft records: one of the engine's own steps, a table of
/// the run by name (kept for the process, so copying it is a move), or a
/// scripted rule by place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    None,
    Step(&'static Text),
    Table(Text),
    Script(usize),
}

/// The names of the engine's own steps, made once per process.
pub(crate) struct Steps {
    pub(crate) points: Text,
    pub(crate) caps: Text,
    pub(crate) lifecycle: Text,
    /// An account's contributions from its contacts.
    pub(crate) rollup: Text,
}

pub(crate) fn steps() -> &'static Steps {
    static STEPS: std::sync::LazyLock<Steps> = std::sync::LazyLock::new(|| {
        let [points, caps, lifecycle] = crate::pack::RESERVED_RULES.map(Text::kept);
        Steps { points, caps, lifecycle, rollup: Text::kept("rollup") }
    });
    &STEPS
}

/// The rule of `starts` (sorted) whose lines hold `line` of `program`.
pub(crate) fn rule_at(starts: &[RuleStart], program: usize, line: Option<usize>) -> Option<usize> {
    let key = RuleStart::key(program, line?);
    let i = starts.partition_point(|s| s.at <= key).checked_sub(1)?;
    (starts[i].at >> 16 == program as u64).then_some(i)
}

/// The decision being built; `decision` in scripts.
#[derive(Debug)]
pub(crate) struct Draft {
    /// A copy made by the script (`let d = decision`): using it would lose
    /// its effects silently, so every call on it fails instead.
    pub(crate) detached: bool,
    /// Where the pack's scripted rules start, given while scripts run (a
    /// pack of tables never copies it), and the program running.
    pub(crate) rules: Option<Arc<[RuleStart]>>,
    pub(crate) program: usize,
    /// The rule or step running.
    pub(crate) rule: Rule,
    pub(crate) acted: bool,
    /// Rules that did something, in run order.
    pub(crate) fired: Vec<Text>,
    pub(crate) contributions: Vec<Contribution>,
    pub(crate) fit: i64,
    pub(crate) engagement: i64,
    pub(crate) negative: i64,
    pub(crate) caps: Caps,
    pub(crate) criteria: Assessment,
    pub(crate) grade: Option<Grade>,
    pub(crate) temperature: Option<Temperature>,
    pub(crate) stage: Option<(Stage, RuleReason)>,
    pub(crate) handoff: HandoffChoice,
    pub(crate) disqualified: Option<RuleReason>,
    /// Contributions and bytes of reasons and evidence this decision may
    /// still take (see [`Budget`]).
    pub(crate) budget: Budget,
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
    pub(crate) fn take(&mut self, items: usize, bytes: usize) -> Fallible<()> {
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

/// Room for contributions a draft starts with: as many as fit in 1 KiB,
/// which the allocator serves from its per-thread cache (glibc's, up to
/// 1,032 bytes); a larger first block costs twice the instructions.
const CONTRIBUTIONS: usize = 1024 / std::mem::size_of::<Contribution>();

/// The rule starts of a pack without scripts: one copy per process.
pub(crate) fn no_rules() -> Arc<[RuleStart]> {
    static NONE: std::sync::LazyLock<Arc<[RuleStart]>> = std::sync::LazyLock::new(|| Arc::from([]));
    NONE.clone()
}

pub(crate) fn too_large(what: &str) -> Box<EvalAltResult> {
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
        Draft {
            detached: true,
            ..Draft::with(Assessment::default(), Caps::default(), Vec::new(), Budget::default())
        }
    }

    /// A draft for a run of `rules` tables and scripted rules, with room in
    /// `fired` for them and three engine steps.
    pub(crate) fn new(criteria: Assessment, caps: Caps, rules: usize, budget: Budget) -> Self {
        let fired = Vec::with_capacity(rules + 3);
        Draft {
            contributions: Vec::with_capacity(CONTRIBUTIONS),
            ..Draft::with(criteria, caps, fired, budget)
        }
    }

    fn with(criteria: Assessment, caps: Caps, fired: Vec<Text>, budget: Budget) -> Self {
        Draft {
            detached: false,
            rules: None,
            program: 0,
            rule: Rule::None,
            acted: false,
            fired,
            contributions: Vec::new(),
            fit: 0,
            engagement: 0,
            negative: 0,
            caps,
            criteria,
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
    pub(crate) fn begin(&mut self, rule: Rule) {
        self.end();
        self.rule = rule;
    }

    /// Records the running rule as fired if it did anything.
    pub(crate) fn end(&mut self) {
        if std::mem::take(&mut self.acted) {
            let name = self.rule_name();
            self.fired.push(name);
        }
    }

    /// The name of the rule or step running.
    pub(crate) fn rule_name(&self) -> Text {
        let name = match &self.rule {
            Rule::None => None,
            Rule::Step(name) => Some(*name),
            Rule::Table(name) => Some(name),
            Rule::Script(i) => self.rules.as_deref().and_then(|r| r.get(*i)).map(|r| &r.name),
        };
        name.cloned().unwrap_or_default()
    }

    /// Refuses a copy of `decision` (`let d = decision`): its effects would be lost.
    pub(crate) fn read(&self) -> Fallible<&Self> {
        if self.detached {
            return Err("this is a copy of `decision`; use `decision` itself".into());
        }
        Ok(self)
    }

    /// Lets the scripted rule whose call is `at` act: effects are its own
    /// from here. Rules run in order, so each begins once.
    pub(crate) fn check(&mut self, at: Position) -> Fallible<()> {
        self.read()?;
        if let Some(i) = rule_at(self.rules.as_deref().unwrap_or_default(), self.program, at.line()) {
            if self.rule != Rule::Script(i) {
                self.begin(Rule::Script(i));
            }
        }
        self.acted = true;
        Ok(())
    }

    /// Adds points; the caller has checked the rule may act. The category's
    /// total and the score must both stay representable, so that every
    /// later sum, cap and comparison is exact.
    /// `row` is the decision-table row awarding them, if any.
    pub(crate) fn add(
        &mut self,
        category: Category,
        points: i64,
        reason: Text,
        row: Option<u32>,
    ) -> Fallible<()> {
        self.acted = true;
        let total = match category {
            Category::Fit => self.fit,
            Category::Engagement => self.engagement,
            Category::Negative => self.negative,
        };
        let total = total.checked_add(points).ok_or("score overflow")?;
        // The score so far is representable (this check kept it so), so
        // its wrapping sum is exact however the three parts add up.
        let score = self.fit.wrapping_add(self.engagement).wrapping_add(self.negative);
        score.checked_add(points).ok_or("score overflow")?;
        self.budget.take(1, reason.len())?;
        match category {
            Category::Fit => self.fit = total,
            Category::Engagement => self.engagement = total,
            Category::Negative => self.negative = total,
        }
        self.contributions.push(Contribution {
            points,
            reason,
            category,
            rule: self.rule_name(),
            row,
            contact: None,
        });
        Ok(())
    }

    pub(crate) fn award(
        &mut self,
        at: Position,
        category: Category,
        points: i64,
        reason: ImmutableString,
    ) -> Fallible<()> {
        self.check(at)?;
        let points = if category == Category::Negative {
            -points.checked_abs().ok_or("score overflow")?
        } else {
            points
        };
        if points == 0 {
            return Ok(());
        }
        self.add(category, points, Text::from_script(reason), None)
    }

    pub(crate) fn criterion(
        &mut self,
        at: Position,
        name: &str,
        status: CriterionStatus,
        evidence: ImmutableString,
    ) -> Fallible<()> {
        self.check(at)?;
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
        let index =
            self.criteria.position(name).ok_or_else(|| self.criteria.unknown_name(name).to_string())?;
        self.set_criterion_at(index, status, evidence)
    }

    /// [`Draft::set_criterion`] by the criterion's place, which a table row
    /// found when the pack was compiled.
    pub(crate) fn set_criterion_at(
        &mut self,
        index: usize,
        status: CriterionStatus,
        evidence: Option<Text>,
    ) -> Fallible<()> {
        self.acted = true;
        self.budget.take(0, evidence.as_ref().map_or(0, |e| e.len()))?;
        let rule = self.rule_name();
        let c = self.criteria.at_mut(index).ok_or("no such criterion")?;
        (c.status, c.evidence, c.rule) = (status, evidence, Some(rule));
        Ok(())
    }

    /// Marks the running rule as having done something.
    pub(crate) fn act(&mut self) {
        self.acted = true;
    }

    /// Disqualifies for the running rule; the caller ends the run.
    pub(crate) fn disqualify(&mut self, reason: Text) {
        self.acted = true;
        self.disqualified = Some(RuleReason { reason, rule: self.rule_name() });
    }

    pub(crate) fn reasoned(&mut self, reason: ImmutableString) -> Fallible<RuleReason> {
        self.budget.take(0, reason.len())?;
        Ok(RuleReason { reason: Text::from_script(reason), rule: self.rule_name() })
    }
}

/// `fit + engagement + negative`, when it is representable whatever the order.
pub(crate) fn sum(fit: i64, engagement: i64, negative: i64) -> Option<i64> {
    i64::try_from(i128::from(fit) + i128::from(engagement) + i128::from(negative)).ok()
}

/// Points from a script number: integers as they are, floats rounded.
pub(crate) fn whole_points(points: Dynamic) -> Fallible<i64> {
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

pub(crate) fn stop() -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorTerminated(Dynamic::from(Stop), Position::NONE))
}

pub(crate) fn is_stop(err: &EvalAltResult) -> bool {
    matches!(err, EvalAltResult::ErrorTerminated(token, _) if token.is::<Stop>())
}

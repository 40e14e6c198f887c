//! The one hardened Rhai engine every pack is compiled and run on.
//!
//! `rhai::Engine::new()` is not a sandbox: it can read files (`import`),
//! sleep, read the clock and print, and even its "safe" packages loop, copy
//! and recurse where the limits cannot see. This module builds an engine
//! from nothing, adding only the allow-listed functions of
//! [`stdlib`](crate::engine::stdlib), with every limit set. It also keeps the
//! per-thread budget that leadgate's own native functions charge their work
//! to, since rhai's operation count does not see inside a native call.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::{Dynamic, Engine, EvalAltResult, OptimizationLevel, Position};

/// Resource limits for rule scripts.
///
/// Every limit but [`deadline`](Limits::deadline) is deterministic: the same
/// pack and lead always stop at the same point, whatever the machine's load.
/// Limits cannot be switched off: unlike in rhai, 0 does not mean unlimited
/// (a limit of 0 is taken as 1). See `SECURITY.md` for the threat model. A script that exceeds one gets
/// an [`EvalError`](crate::EvalError) (or, for source limits, a
/// [`PackError`](crate::PackError)) naming the rule, the line and the limit.
///
/// ```
/// use leadgate::{Pack, Qualifier, Limits};
///
/// let mut limits = Limits::default();
/// limits.max_operations = 20_000;
/// let q = Qualifier::builder(&Pack::b2b_bant()).limits(limits).build()?;
/// assert_eq!(q.limits().max_operations, 20_000);
/// # Ok::<(), leadgate::PackError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Operations all of a pack's rules together may perform on one lead
    /// (default 100,000; the default pack needs under 400).
    pub max_operations: u64,
    /// Nesting of function calls (default 16).
    pub max_call_depth: usize,
    /// Nesting of expressions in the source (default 32). Deeper source is
    /// refused at load time, which also protects the parser's stack.
    pub max_expr_depth: usize,
    /// Length of any string a script builds, in bytes (default 65,536).
    pub max_string_size: usize,
    /// Items in any list a script builds, counting the items of lists
    /// inside it (default and maximum 512). As a list inside a list counts
    /// as an item, this also bounds how deeply lists nest; a larger value is
    /// taken as 512, so that no data a script builds is deep enough to
    /// overflow a 2 MiB thread stack when rhai copies or drops it.
    pub max_array_size: usize,
    /// Size of one rule's source, in bytes (default 65,536).
    pub max_source_size: usize,
    /// Variables one rule may declare (default 256).
    pub max_variables: usize,
    /// Wall-clock time the rules may take on one lead (default: none).
    ///
    /// A backstop for hosts with latency budgets, not the cost bound: unlike
    /// the other limits it depends on the machine's load, so the same lead
    /// may pass on an idle machine and fail on a busy one. It only ever
    /// turns a decision into an error, never into a different decision.
    pub deadline: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_call_depth: 16,
            max_expr_depth: 32,
            max_string_size: 64 * 1024,
            max_array_size: MAX_ARRAY_SIZE,
            max_source_size: crate::pack::MAX_SOURCE_BYTES,
            max_variables: 256,
            deadline: None,
        }
    }
}

/// The largest [`Limits::max_array_size`], which is also the deepest a
/// script's data can nest.
pub(crate) const MAX_ARRAY_SIZE: usize = 512;

/// A raw engine with only the allow-listed functions, limits and strict options.
///
/// The calls below are deliberately not `cfg`-gated: rhai removes the limit
/// setters under its `unchecked` feature, so a host that enables it breaks
/// this crate's build instead of silently running scripts without limits.
pub(crate) fn engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(crate::engine::stdlib::module());

    // The optimiser has panicked on assignments to constants since rhai 1.24
    // and turns misspelled properties into `false`; rules are small, so
    // optimising them buys nothing worth that.
    engine.set_optimization_level(OptimizationLevel::None);
    engine.set_strict_variables(true);
    engine.set_fail_on_invalid_map_property(true);
    engine.set_allow_looping(false);
    engine.set_allow_anonymous_fn(false);
    engine.set_allow_shadowing(false);
    // The interner takes a lock on every string it sees; with one engine
    // shared by every thread that lock is the bottleneck.
    engine.set_max_strings_interned(0);
    // `return` would end every remaining rule of its program, not just its
    // own: rules run joined (see `Scripts`). `try`/`catch` would let a rule
    // swallow its own typos. Object maps (`#{`) would let a script add keys
    // of any size, which rhai's size limits do not count. rhai lets a
    // `const` string be changed through indexing; rules need no constants
    // of their own.
    for symbol in [
        "fn", "private", "import", "export", "eval", "Fn", "call", "curry", "print", "debug", "return",
        "try", "catch", "#{", "const",
    ] {
        engine.disable_symbol(symbol);
    }

    // Per run; `watch` makes it per evaluation.
    engine.set_max_operations(limits.max_operations.max(1));
    engine.set_max_call_levels(limits.max_call_depth);
    engine.set_max_expr_depths(limits.max_expr_depth.max(1), limits.max_expr_depth.max(1));
    engine.set_max_string_size(limits.max_string_size.max(1));
    engine.set_max_array_size(limits.max_array_size.clamp(1, MAX_ARRAY_SIZE));
    // Scripts cannot write maps; this only bounds what a host function might return.
    engine.set_max_map_size(limits.max_array_size.clamp(1, MAX_ARRAY_SIZE));
    engine.set_max_variables(limits.max_variables.max(1));
    engine.set_max_functions(0);
    engine.set_max_modules(0);
    engine
}

/// Watches the runs of `engine`, whose evaluations run up to `programs`
/// programs each: rhai counts operations per run, so with more than one the
/// count of the evaluation's earlier runs is added here, and the limit
/// bounds the evaluation, not each run. The deadline is checked here too.
pub(crate) fn watch(engine: &mut Engine, limits: &Limits, programs: usize) {
    if programs <= 1 && limits.deadline.is_none() {
        return;
    }
    let (max_operations, deadline) = (limits.max_operations.max(1), limits.deadline);
    engine.on_progress(move |operations| {
        let earlier = OPERATIONS.with(|o| o.replace((o.get().0, operations)).0);
        let total = earlier.saturating_add(operations);
        if total > max_operations {
            return Some(Dynamic::from(OperationsSpent));
        }
        // Reading the clock on every operation would cost more than the rules.
        if total % 256 != 0 {
            return None;
        }
        let deadline = deadline?;
        let (started, _) = STARTED.with(Cell::get)?;
        (started.elapsed() > deadline).then(|| Dynamic::from(DeadlineExceeded))
    });
}

/// Runs one program of the current [`Run`]: its operations count towards
/// the evaluation's (see [`watch`]), and running out of them is rhai's own
/// operation error.
pub(crate) fn run_script(
    engine: &Engine,
    scope: &mut rhai::Scope<'_>,
    ast: &rhai::AST,
) -> Result<(), Box<EvalAltResult>> {
    let result = engine.run_ast_with_scope(scope, ast);
    OPERATIONS.with(|o| {
        let (earlier, last) = o.get();
        o.set((earlier.saturating_add(last), 0));
    });
    result.map_err(|e| match *e {
        EvalAltResult::ErrorTerminated(token, position) if token.is::<OperationsSpent>() => {
            EvalAltResult::ErrorTooManyOperations(position).into()
        }
        other => other.into(),
    })
}

thread_local! {
    /// When the current thread's evaluation started, while a deadline applies.
    static STARTED: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
    /// Native work left for the current thread's evaluation (see [`charge`]).
    static BUDGET: Cell<u64> = const { Cell::new(0) };
    /// Operations of the current evaluation's finished runs, and of the running one.
    static OPERATIONS: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// The token that ends a run when the lead's rules together have used
/// [`Limits::max_operations`].
#[derive(Debug, Clone)]
struct OperationsSpent;

/// The token that ends a run that took longer than [`Limits::deadline`].
#[derive(Debug, Clone)]
pub(crate) struct DeadlineExceeded;

/// Native steps (a touchpoint scanned, a list item compared, a JSON node
/// converted) one operation of [`Limits::max_operations`] buys: about what
/// rhai takes for one operation.
pub(crate) const NATIVE_STEPS_PER_OPERATION: u64 = 64;

/// The current thread's evaluation: its native work budget and its
/// deadline, both gone when dropped.
pub(crate) struct Run(());

impl Run {
    /// Starts an evaluation under `limits`: native work may take
    /// [`NATIVE_STEPS_PER_OPERATION`] steps per operation scripts may take.
    pub(crate) fn start(limits: &Limits) -> Run {
        BUDGET.with(|b| b.set(limits.max_operations.max(1).saturating_mul(NATIVE_STEPS_PER_OPERATION)));
        STARTED.with(|s| s.set(limits.deadline.map(|d| (Instant::now(), d))));
        OPERATIONS.with(|o| o.set((0, 0)));
        Run(())
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        BUDGET.with(|b| b.set(0));
        STARTED.with(|s| s.set(None));
        OPERATIONS.with(|o| o.set((0, 0)));
    }
}

/// Charges `steps` of native work (touchpoints scanned, list items
/// compared) to the running evaluation, before the work is done: rhai counts
/// a native call as one operation whatever it does inside, so leadgate's
/// functions count for themselves. Fails like the operation limit when the
/// budget is spent, and checks the deadline.
pub(crate) fn charge(steps: usize) -> Result<(), Box<EvalAltResult>> {
    let steps = u64::try_from(steps).unwrap_or(u64::MAX);
    let left = BUDGET.with(Cell::get);
    if steps > left {
        return Err(EvalAltResult::ErrorTooManyOperations(Position::NONE).into());
    }
    BUDGET.with(|b| b.set(left - steps));
    if let Some((started, deadline)) = STARTED.with(Cell::get) {
        if started.elapsed() > deadline {
            return Err(
                EvalAltResult::ErrorTerminated(Dynamic::from(DeadlineExceeded), Position::NONE).into()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_err(src: &str) -> String {
        engine(&Limits::default()).compile(src).unwrap_err().to_string()
    }

    #[test]
    fn dangerous_features_do_not_compile() {
        for src in [
            "loop {}",
            "while true {}",
            "for x in [1] {}",
            "fn f() {}",
            "eval(\"1\")",
            "import \"a\" as m;",
            "|x| x",
            "return 1;",
        ] {
            assert!(engine(&Limits::default()).compile(src).is_err(), "{src} compiled");
        }
    }

    #[test]
    fn clock_sleep_and_print_are_not_there() {
        let e = engine(&Limits::default());
        for src in ["sleep(1)", "timestamp()", "parse_json(\"{}\")"] {
            let err = e.run(src).unwrap_err();
            assert!(matches!(*err, rhai::EvalAltResult::ErrorFunctionNotFound(..)), "{src}: {err}");
        }
        assert!(compile_err("print(1)").contains("print"));
    }

    #[test]
    fn every_limit_is_set_and_the_optimiser_is_off() {
        let e = engine(&Limits { max_operations: 0, ..Limits::default() });
        assert_eq!(e.optimization_level(), OptimizationLevel::None);
        assert_eq!(e.max_operations(), 1, "0 must not mean unlimited");
        assert_eq!(e.max_string_size(), 64 * 1024);
        assert_eq!((e.max_array_size(), e.max_map_size()), (512, 512));
        assert_eq!((e.max_expr_depth(), e.max_function_expr_depth()), (32, 32));
        assert_eq!((e.max_call_levels(), e.max_variables(), e.max_modules()), (16, 256, 0));
        assert!(e.strict_variables() && e.fail_on_invalid_map_property());
        assert!(!e.allow_looping() && !e.allow_anonymous_fn());
        assert_eq!(e.max_strings_interned(), 0);
    }

    #[test]
    fn deep_source_is_refused_at_compile_time() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let msg = compile_err(&deep);
        assert!(msg.contains("complex"), "{msg}");
    }

    #[test]
    fn undeclared_variables_are_compile_errors() {
        assert!(compile_err("leed.industry").contains("leed"));
    }
}

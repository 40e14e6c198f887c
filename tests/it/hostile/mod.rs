//! Hostile scripts and hostile input, one module per concern (the test table
//! of `../shared/SECURITY.md`). Every test asserts the exact kind of error.

mod arithmetic;
mod builtins;
mod concurrency;
mod deadline;
mod files;
mod input;
mod linear;
mod loops;
mod memory;
mod mutation;
mod names;
mod nesting;
mod source;
mod types;
mod work;
mod workflow;

use leadgate::engine::EvalErrorKind;
use leadgate::pack::{Problem, ProblemKind};
use leadgate::{EvalError, Limits, Pack, Qualifier};

use crate::{as_of, lead_with};

/// Compiles `script` as a one-rule pack and evaluates it on a minimal lead.
pub fn run(script: &str) -> Result<leadgate::Decision, EvalError> {
    run_with(Limits::default(), script)
}

pub fn run_with(limits: Limits, script: &str) -> Result<leadgate::Decision, EvalError> {
    let pack = Pack::from_script("r", script).unwrap();
    let q = Qualifier::builder(&pack).limits(limits).build().unwrap_or_else(|e| panic!("{script}: {e}"));
    q.evaluate(&lead_with(""), as_of())
}

/// The error of a script that must fail at run time, checked for its kind.
pub fn fails(script: &str, kind: EvalErrorKind) -> EvalError {
    fails_with(Limits::default(), script, kind)
}

pub fn fails_with(limits: Limits, script: &str, kind: EvalErrorKind) -> EvalError {
    let err = run_with(limits, script).expect_err(script);
    assert_eq!(err.kind(), kind, "{script}: {err}");
    assert_eq!(err.rule(), Some("r"), "{script}");
    err
}

/// The first problem of a script that must not load, checked for its kind.
pub fn refused(script: &str, kind: ProblemKind) -> Problem {
    refused_with(Limits::default(), script, kind)
}

pub fn refused_with(limits: Limits, script: &str, kind: ProblemKind) -> Problem {
    let pack = Pack::from_script("r", script).unwrap();
    let head = short(script);
    let err = Qualifier::builder(&pack).limits(limits).build().expect_err(&head);
    let p = err.problems()[0].clone();
    assert_eq!(p.kind(), kind, "{head}: {}", short(&p.to_string()));
    p
}

/// The start of a long text, for failure messages.
pub fn short(text: &str) -> String {
    text.chars().take(60).collect()
}

pub fn limits(set: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::default();
    set(&mut limits);
    limits
}

/// Runs `f` on a thread with Rust's default 2 MiB stack for spawned threads.
pub fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap()
}

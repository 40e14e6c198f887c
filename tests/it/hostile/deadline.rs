//! The optional wall-clock deadline: a backstop that turns a slow lead into an error.

use std::time::Duration;

use leadgate::engine::EvalErrorKind;

use super::{fails_with, limits, run_with};

#[test]
fn a_deadline_stops_a_slow_lead() {
    let script = format!("let x = 0;\n{}", "x += 1;\n".repeat(2000));
    let err = fails_with(limits(|l| l.deadline = Some(Duration::ZERO)), &script, EvalErrorKind::Deadline);
    assert!(err.is_limit());
    // A generous deadline, or none, lets it finish.
    run_with(limits(|l| l.deadline = Some(Duration::from_secs(60))), &script).unwrap();
    run_with(limits(|l| l.deadline = None), &script).unwrap();
}

//! Overflow, division by zero and non-finite numbers are errors, never wrong scores.

use leadgate::EvalErrorKind;

use super::{fails, run};

#[test]
fn integer_errors_name_the_operation() {
    for (script, needle) in [
        ("let x = 9223372036854775807 + 1;", "Addition overflow"),
        ("let x = -9223372036854775807 - 2;", "Subtraction overflow"),
        ("let x = 4611686018427387904 * 2;", "Multiplication overflow"),
        ("let x = 2 ** 64;", "overflow"),
        ("let x = 1 / 0;", "Division by zero"),
        ("let x = 1 % 0;", "Modulo division by zero"),
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().contains(needle), "{script}: {err}");
        assert_eq!(err.location().unwrap().line, 1);
    }
}

#[test]
fn non_finite_points_are_refused() {
    for script in [
        r#"decision.fit(1e308 * 10.0, "inf")"#,
        r#"decision.fit(0.0 / 0.0, "nan")"#,
        r#"decision.negative(-1e308 * 10.0, "-inf")"#,
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().contains("finite"), "{script}: {err}");
    }
}

#[test]
fn points_cannot_overflow_the_score() {
    let err = fails(
        r#"decision.fit(9223372036854775807, "max"); decision.fit(1, "one more");"#,
        EvalErrorKind::Script,
    );
    assert!(err.message().contains("overflow"), "{err}");
    // Huge but finite floats are refused rather than saturated.
    fails(r#"decision.fit(1e300, "huge")"#, EvalErrorKind::Script);
    assert_eq!(run(r#"decision.fit(2.5, "rounds")"#).unwrap().fit, 3);
}

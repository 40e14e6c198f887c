//! Overflow, division by zero and non-finite numbers are errors, never wrong scores.

use leadgate::engine::EvalErrorKind;

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

fn pack(params: &str, script: &str) -> leadgate::Pack {
    leadgate::Pack::from_toml(&format!(
        "name = \"p\"\nversion = \"1\"\n{params}\n[[rules]]\nname = \"r\"\nscript = '''\n{script}\n'''\n"
    ))
    .unwrap()
}

fn decide(
    params: &str,
    script: &str,
    lead: &leadgate::Lead,
) -> Result<leadgate::Decision, leadgate::EvalError> {
    leadgate::Qualifier::new(&pack(params, script)).unwrap().evaluate(lead, crate::as_of())
}

/// A lead with `n` web visits on one day.
fn visits(n: usize) -> leadgate::Lead {
    let touches: Vec<String> =
        (0..n).map(|i| format!(r#"{{"at": "2026-11-20T10:{i:02}:00Z", "channel": "web_visit"}}"#)).collect();
    crate::lead_with(&format!(r#""touchpoints": [{}]"#, touches.join(",")))
}

#[test]
fn the_point_table_never_wraps_or_drops_points() {
    // 2^62: exact in the floats the point table decays in.
    let max = 1i64 << 62;
    // Two touches of 2^62 do not fit: an error, not a negative score.
    let err = decide(&format!("[points]\nweb_visit = {max}"), "", &visits(2)).unwrap_err();
    assert_eq!(err.kind(), EvalErrorKind::Script);
    assert!(err.message().contains("score overflow"), "{err}");
    // One does, exactly.
    assert_eq!(decide(&format!("[points]\nweb_visit = {max}"), "", &visits(1)).unwrap().score, max);
    // The daily cap applies however large the points: 3 × 2^62 capped at 10.
    let d = decide(&format!("[params]\nchannel_daily_cap = 10\n[points]\nweb_visit = {max}"), "", &visits(3))
        .unwrap();
    assert_eq!(d.engagement, 10);
    // Negative points at the bottom of the range.
    let d = decide(&format!("[points]\nweb_visit = {}", -max), "", &visits(1)).unwrap();
    assert_eq!((d.negative, d.score), (-max, -max));
    let d =
        decide(&format!("[points]\nweb_visit = {}", -max), "decision.negative(1, \"one more\");", &visits(1));
    assert_eq!(d.unwrap().negative, -max - 1);
    let script = format!("decision.negative({}, \"past the bottom\");", max + 1);
    let err = decide(&format!("[points]\nweb_visit = {}", -max), &script, &visits(1)).unwrap_err();
    assert!(err.message().contains("score overflow"), "{err}");
}

#[test]
fn rule_points_cannot_wrap_the_score_in_any_order() {
    let max = i64::MAX;
    for script in [
        format!("decision.fit({max}, \"a\"); decision.engagement(1, \"b\");"),
        format!("decision.engagement({max}, \"a\"); decision.fit(1, \"b\");"),
        format!("decision.negative({max}, \"a\"); decision.negative(2, \"b\");"),
    ] {
        let err = decide("", &script, &visits(0)).unwrap_err();
        assert!(err.message().contains("score overflow"), "{script}: {err}");
    }
    // Totals at opposite extremes whose sum fits are exact.
    let d = decide("", &format!("decision.negative({max}, \"a\"); decision.fit({max}, \"b\");"), &visits(0))
        .unwrap();
    assert_eq!((d.fit, d.negative, d.score), (max, -max, 0));
    // `i64::MIN` points cannot be negated: refused, not wrapped.
    let err = decide("", "decision.negative(-9223372036854775807 - 1, \"min\");", &visits(0)).unwrap_err();
    assert!(err.message().contains("overflow"), "{err}");
}

#[test]
fn caps_and_thresholds_hold_at_the_extremes() {
    let max = i64::MAX;
    let d = decide(
        &format!("[params]\nfit_cap = {max}\nscore_cap = 0"),
        &format!("decision.fit({max}, \"a\");"),
        &visits(0),
    )
    .unwrap();
    assert_eq!((d.fit, d.score), (0, 0));
    // points_needed saturates rather than wrapping.
    let d = decide(
        &format!("[params]\nmql_threshold = {max}"),
        &format!("decision.negative({max}, \"a\");"),
        &visits(0),
    )
    .unwrap();
    assert_eq!(d.why_not_yet.unwrap().points_needed, Some(max));
}

#[test]
fn thresholds_and_caps_must_be_usable_numbers() {
    // From a host: the values a manifest cannot hold.
    for (name, value) in [("mql_threshold", f64::NAN), ("hot_threshold", f64::INFINITY), ("fit_cap", -1.0)] {
        let p = pack("[params]\nmql_threshold = 1\nhot_threshold = 1\nfit_cap = 1", "");
        let err = leadgate::Qualifier::builder(&p).param(name, value).build().unwrap_err();
        assert_eq!(err.problems()[0].kind(), leadgate::pack::ProblemKind::Param, "{name}");
    }
    for (params, needle) in [
        ("fit_cap = -1", "must not be negative"),
        ("score_cap = -5", "must not be negative"),
        ("channel_daily_cap = -0.5", "must not be negative"),
        ("sql_criteria_met = 0", "must be at least 1"),
        ("hold_criteria_not_met = -2", "must be at least 1"),
    ] {
        let err = leadgate::Qualifier::new(&pack(&format!("[params]\n{params}"), "")).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(p.kind(), leadgate::pack::ProblemKind::Param, "{params}");
        assert!(p.message().contains(needle), "{params}: {p}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever the points and caps, a decision is either exact (its
    /// contributions sum to its score, which is the sum of its parts) or a
    /// typed overflow error: never a wrapped number, never a panic.
    #[test]
    fn points_are_exact_or_refused(
        points in proptest::collection::vec((0..3usize, proptest::prelude::any::<i64>()), 0..6),
        caps in proptest::collection::vec(proptest::option::of(0..=i64::MAX), 3),
        threshold in proptest::prelude::any::<i64>(),
        per_touch in proptest::prelude::any::<i64>(),
        touches in 0..4usize,
    ) {
        let mut params = format!("[params]\nmql_threshold = {threshold}\n");
        for (name, cap) in ["fit_cap", "engagement_cap", "score_cap"].iter().zip(&caps) {
            if let Some(cap) = cap {
                params.push_str(&format!("{name} = {cap}\n"));
            }
        }
        params.push_str(&format!("[points]\nweb_visit = {per_touch}\n"));
        let script: String = points
            .iter()
            .map(|(c, p)| format!("decision.{}({p}, \"x\");\n", ["fit", "engagement", "negative"][*c]))
            .collect();
        let script = script.replace("(-9223372036854775808,", "(-9223372036854775807 - 1,");
        match decide(&params, &script, &visits(touches)) {
            Ok(d) => {
                let sum: i128 = d.contributions.iter().map(|c| i128::from(c.points)).sum();
                proptest::prop_assert_eq!(sum, i128::from(d.score));
                proptest::prop_assert_eq!(i128::from(d.fit) + i128::from(d.engagement) + i128::from(d.negative), i128::from(d.score));
                if let Some(cap) = caps[2] {
                    proptest::prop_assert!(d.score <= cap.max(d.negative));
                }
                if let Some(w) = d.why_not_yet {
                    let gap = (i128::from(threshold) - i128::from(d.score)).clamp(0, i128::from(i64::MAX));
                    proptest::prop_assert_eq!(w.points_needed.map(i128::from), Some(gap));
                }
            }
            Err(e) => {
                proptest::prop_assert_eq!(e.kind(), EvalErrorKind::Script);
                proptest::prop_assert!(e.message().contains("overflow"), "{}", e);
            }
        }
    }
}

#[test]
fn the_score_cap_holds_when_fit_and_engagement_alone_do_not_fit() {
    // fit + engagement is past i64::MAX, the whole score is not: the cap must
    // see the exact excess, not a saturated one (found by the property above).
    let script =
        "decision.fit(6071278924981684890, \"x\");\ndecision.engagement(5942667189778063987, \"x\");";
    let params = "[params]\nscore_cap = 0\n[points]\nweb_visit = -4094424462314283361";
    let d = decide(params, script, &visits(1)).unwrap();
    assert_eq!(d.score, 0);
    // The score cap takes from engagement first, then from fit.
    assert_eq!(d.engagement, 0);
    assert_eq!(d.fit, 4094424462314283520);
    assert_eq!(d.negative, -4094424462314283520);
}

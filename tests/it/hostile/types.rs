//! Wrong types and values are errors naming what was expected, not silent zeros.
//! (Values written out as literals are checked at load time: see `names`.)

use leadgate::engine::EvalErrorKind;

use super::{fails, run};

#[test]
fn wrong_argument_types_are_errors() {
    for (script, needle) in [
        (r#"decision.fit("ten", "x")"#, "points must be a number"),
        (r#"decision.fit(10, 5)"#, "Function not found"),
        (r#"decision.grade(5)"#, "Function not found"),
        (r#"let g = "Z"; decision.grade(g)"#, "unknown grade"),
        (r#"let t = "boiling"; decision.temperature(t)"#, "unknown temperature"),
        (r#"let s = "won"; decision.stage(s, "x")"#, "unknown stage"),
        (r#"decision.stage("disqualified", "x")"#, "use decision.disqualify"),
        (r#"let t = "finance"; lead.count_team(t, 30)"#, "unknown team"),
        (r#"lead.count("webinar", "week")"#, "the number of days must be a finite number"),
        (r#"lead.decayed("webinar", "ten", 30)"#, "points must be a finite number"),
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().contains(needle), "{script}: {err}");
    }
}

#[test]
fn conditions_must_be_booleans() {
    let err = fails("if lead.industry { }", EvalErrorKind::Script);
    assert!(err.message().contains("expecting bool"), "{err}");
    let err = fails("if lead.employees { }", EvalErrorKind::Script);
    assert!(err.message().contains("expecting bool"), "{err}");
}

#[test]
fn lead_fields_have_real_types_so_text_never_compares_to_numbers() {
    // `"5000" > 1000` is false in Rhai; leadgate gives numbers as numbers.
    let d = run(
        r#"if lead.employees == () && lead.budget == () && "5000" > 1000 == false { decision.fit(1, "ok") }"#,
    )
    .unwrap();
    assert_eq!(d.fit, 1);
}

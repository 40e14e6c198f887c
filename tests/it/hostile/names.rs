//! Misspelt names are errors that say what was meant, never a silent false.

use leadgate::{EvalErrorKind, ProblemKind};

use super::{fails, refused};

#[test]
fn misspelt_variables_do_not_compile() {
    for script in ["leed.industry", "decison.fit(1, \"x\")", "let x = prams.mql_threshold;"] {
        let p = refused(script, ProblemKind::Syntax);
        assert!(p.message().contains("Undefined variable"), "{script}: {p}");
    }
}

#[test]
fn misspelt_names_fail_with_a_suggestion() {
    for (script, needle) in [
        ("let x = lead.budjet;", "budjet"),
        ("let x = lead.industry.lenght;", "lenght"),
        ("let x = params.mql_treshold;", "did you mean \"mql_threshold\""),
        (r#"decision.met("budjet", "x")"#, "did you mean \"budget\""),
        (r#"decision.status("autority")"#, "did you mean \"authority\""),
        (r#"lead.count("webnar")"#, "did you mean \"webinar\""),
        (r#"lead.days_since("pricing")"#, "unknown channel"),
        (r#"decision.fitt(1, "x")"#, "Function not found"),
    ] {
        let err =
            crate::qualifier_with_params(script).evaluate(&crate::lead_with(""), crate::as_of()).unwrap_err();
        assert_eq!(err.kind(), EvalErrorKind::Script, "{script}");
        assert!(err.message().contains(needle), "{script}: {err}");
    }
    // Not a silent false either way.
    fails("if lead.budjet > 5 { }", EvalErrorKind::Script);
}

//! Misspelt names are errors that say what was meant, never a silent false:
//! at load time when the name is written out, at run time when it is computed.

use leadgate::engine::EvalErrorKind;
use leadgate::pack::ProblemKind;
use leadgate::{Pack, Qualifier};

use super::refused;

/// The first load problem of `script` in a pack with a few parameters.
fn refused_with_params(script: &str) -> leadgate::pack::Problem {
    let manifest = format!(
        "name = \"p\"\nversion = \"1\"\n[params]\nmql_threshold = 60\n[[rules]]\nname = \"r\"\nscript = '''\n{script}\n'''\n"
    );
    let err = Qualifier::new(&Pack::from_toml(&manifest).unwrap()).expect_err(script);
    err.problems()[0].clone()
}

#[test]
fn misspelt_variables_do_not_compile() {
    for script in ["leed.industry", "decison.fit(1, \"x\")", "let x = prams.mql_threshold;"] {
        let p = refused(script, ProblemKind::Syntax);
        assert!(p.message().contains("Undefined variable"), "{script}: {p}");
    }
}

#[test]
fn misspelt_names_are_refused_at_load_even_on_branches_no_lead_reaches() {
    for (script, needle) in [
        ("if false { let x = lead.budjet; }", "`lead` has no field \"budjet\" (did you mean \"budget\"?)"),
        ("let x = params.mql_treshold;", "did you mean \"mql_threshold\""),
        ("let x = params[\"mql_treshold\"];", "did you mean \"mql_threshold\""),
        (r#"decision.met("budjet", "x")"#, "unknown criterion \"budjet\" (did you mean \"budget\"?)"),
        (r#"decision.status("autority")"#, "did you mean \"authority\""),
        (r#"lead.count("webnar")"#, "did you mean \"webinar\""),
        (r#"lead.days_since("pricing")"#, "unknown channel"),
        (r#"lead.count_team("finance", 30)"#, "unknown team"),
        (r#"decision.fitt(1, "x")"#, "no function \"fitt\" (did you mean \"fit\"?)"),
        (r#"decision.grade("Z")"#, "unknown grade"),
        (r#"decision.stage("won", "x")"#, "unknown stage"),
        (r#"decision.fit(1)"#, "takes 2 argument(s), not 1"),
        ("let x = lead.touches;", "is a function"),
        ("let x = decision.score();", "is a field, not a function"),
        (r#"decision.__rule(0); decision.fit(5, "x");"#, "no function \"__rule\""),
    ] {
        let p = refused_with_params(script);
        assert_eq!(p.kind(), ProblemKind::Name, "{script}: {p}");
        assert!(p.message().contains(needle), "{script}: {p}");
        assert_eq!(p.location().unwrap().line, 8, "{script}: {p}"); // the rule's first line
    }
}

#[test]
fn computed_names_are_checked_when_the_rule_runs() {
    for (script, needle) in [
        ("let l = lead; let x = l.budjet;", "budjet"),
        (r#"let p = "mql_" + "treshold"; let x = params[p];"#, "did you mean \"mql_threshold\""),
        (r#"let c = "budjet"; decision.met(c, "x");"#, "did you mean \"budget\""),
        (r#"let ch = "webnar"; lead.count(ch);"#, "did you mean \"webinar\""),
    ] {
        let err =
            crate::qualifier_with_params(script).evaluate(&crate::lead_with(""), crate::as_of()).unwrap_err();
        assert_eq!(err.kind(), EvalErrorKind::Script, "{script}");
        assert!(err.message().contains(needle), "{script}: {err}");
    }
}

//! Bad packs and failing scripts: typed errors with rule, script, line and column; never a panic.

use leadgate::{EvalErrorKind, Limits, Pack, ProblemKind, Qualifier};

use crate::{as_of, lead_with, qualifier};

fn limits(set: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::default();
    set(&mut limits);
    limits
}

fn compile_problems(script: &str) -> Vec<leadgate::Problem> {
    let pack = Pack::from_script("r", script).unwrap();
    Qualifier::new(&pack).unwrap_err().problems().to_vec()
}

fn eval_err(q: &Qualifier) -> leadgate::EvalError {
    q.evaluate(&lead_with(""), as_of()).unwrap_err()
}

#[test]
fn syntax_errors_name_the_script_line_and_column() {
    let problems = compile_problems("decision.fit(1, \"a\");\n\nlet = 5;\n");
    let p = &problems[0];
    assert_eq!(p.kind(), ProblemKind::Syntax);
    assert_eq!(p.rule(), Some("r"));
    let loc = p.location().unwrap();
    assert_eq!((loc.script.as_str(), loc.line), ("r.rhai", 3));
    assert!(loc.column > 0);
    assert!(p.to_string().starts_with("r.rhai:3:"), "{p}");
}

#[test]
fn inline_rules_report_lines_of_the_manifest() {
    let pack = Pack::from_toml(
        "name = \"x\"\nversion = \"1\"\n\n[[rules]]\nname = \"a\"\nscript = '''\ndecision.fit(1, \"ok\");\nlet = 5;\n'''\n\
         [[rules]]\nname = \"b\"\nscript = '''\nleed.industry\n'''\n",
    )
    .unwrap();
    let err = Qualifier::new(&pack).unwrap_err();
    let lines: Vec<_> =
        err.problems().iter().map(|p| (p.rule().unwrap().to_owned(), p.location().unwrap().line)).collect();
    assert_eq!(lines, [("a".to_owned(), 8), ("b".to_owned(), 13)], "{err}");
    assert!(err.to_string().contains("leed"), "{err}");
}

#[test]
fn run_time_errors_name_the_rule_and_its_own_line() {
    let pack = Pack::from_toml(concat!(
        "name = \"x\"\nversion = \"1\"\n",
        "[[rules]]\nname = \"a\"\nscript = '''\ndecision.fit(1, \"ok\");\n'''\n",
        "[[rules]]\nname = \"b\"\nscript = '''\nlet x = 1;\nlet y = x / 0;\n'''\n",
    ))
    .unwrap();
    let err = eval_err(&Qualifier::new(&pack).unwrap());
    assert_eq!(err.rule(), Some("b"));
    let loc = err.location().unwrap();
    // Line 2 of rule b is line 12 of pack.toml.
    assert_eq!((loc.script.as_str(), loc.line), ("pack.toml", 12), "{err}");
}

#[test]
fn forbidden_features_are_compile_errors() {
    for script in [
        "loop { }",
        "while true { }",
        "for x in [1, 2] { }",
        "fn helper() { 1 }",
        "eval(\"1\")",
        "import \"x\" as x;",
        "let f = |x| x;",
        "print(\"x\")",
        "return;",
        "leed.industry",
    ] {
        let problems = compile_problems(script);
        assert_eq!(problems[0].kind(), ProblemKind::Syntax, "{script}");
        assert_eq!(problems[0].location().unwrap().line, 1, "{script}");
    }
}

#[test]
fn no_clock_no_sleep_no_io() {
    for script in ["sleep(1)", "timestamp()", "parse_json(\"{}\")", "open_file(\"/etc/passwd\")"] {
        let err = eval_err(&qualifier(script));
        assert_eq!(err.kind(), EvalErrorKind::Script, "{script}");
        assert!(err.message().contains("Function not found"), "{script}: {err}");
    }
}

#[test]
fn oversized_and_over_deep_sources_are_refused_at_load() {
    let pack = Pack::from_script("big", &"decision.fit(1, \"x\");\n".repeat(4000)).unwrap();
    let err = Qualifier::builder(&pack).limits(limits(|l| l.max_source_size = 1024)).build();
    assert_eq!(err.unwrap_err().problems()[0].kind(), ProblemKind::TooLarge);

    let deep = format!("let x = {}1{};", "(".repeat(10_000), ")".repeat(10_000));
    // On a 2 MiB thread, like Rust's default for spawned threads.
    let problems = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || compile_problems(&deep))
        .unwrap()
        .join()
        .unwrap();
    assert!(problems[0].message().contains("complex"), "{}", problems[0]);
}

#[test]
fn limits_stop_scripts_with_a_typed_error() {
    let tight = |limits: Limits, script: &str| {
        let pack = Pack::from_script("r", script).unwrap();
        eval_err(&Qualifier::builder(&pack).limits(limits).build().unwrap())
    };
    let err = tight(limits(|l| l.max_operations = 50), &format!("let x = 0;\n{}", "x += 1;\n".repeat(100)));
    assert_eq!(err.kind(), EvalErrorKind::TooManyOperations);
    assert!(err.is_limit());

    let err = tight(limits(|l| l.max_string_size = 100), r#"let s = "x"; s.pad(1000000000, "x");"#);
    assert_eq!(err.kind(), EvalErrorKind::TooLarge);
    let err = tight(
        Limits::default(),
        r#"let s = "ab"; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s;"#,
    );
    assert_eq!(err.kind(), EvalErrorKind::TooLarge, "{err}");
    let err = tight(limits(|l| l.max_array_size = 10), "let a = []; a.pad(1000000, 0);");
    assert_eq!(err.kind(), EvalErrorKind::TooLarge);
}

#[test]
fn arithmetic_errors_name_the_operation() {
    for (script, needle) in
        [("let x = 9223372036854775807 + 1;", "Addition overflow"), ("let x = 1 / 0;", "Division by zero")]
    {
        let err = eval_err(&qualifier(script));
        assert!(err.message().contains(needle), "{script}: {err}");
        assert_eq!(err.location().unwrap().line, 1);
    }
    let err = eval_err(&qualifier(r#"decision.fit(1e308 * 10.0, "x")"#));
    assert!(err.message().contains("finite"), "{err}");
}

#[test]
fn wrong_types_and_unknown_names_are_errors_not_zeros() {
    for (script, needle) in [
        (r#"decision.fit("ten", "x")"#, "points must be a number"),
        ("let x = lead.budjet;", "budjet"),
        ("let x = params.mql;", "unknown parameter \"mql\""),
        (r#"decision.met("budjet", "x")"#, "did you mean \"budget\""),
        (r#"lead.count("webnar")"#, "did you mean \"webinar\""),
        (r#"decision.grade("Z")"#, "unknown grade"),
        (r#"decision.stage("won", "x")"#, "unknown stage"),
        (r#"if lead.industry { }"#, "expecting bool"),
    ] {
        let err = eval_err(&qualifier(script));
        assert_eq!(err.kind(), EvalErrorKind::Script, "{script}");
        assert!(err.message().contains(needle), "{script}: {err}");
    }
}

#[test]
fn scripts_cannot_change_the_lead_or_lose_the_decision() {
    for (script, needle) in [
        (r#"lead.industry = "x";"#, "setter"),
        ("lead = 1;", "constant"),
        ("decision = 1;", "constant"),
        ("params = 1;", "constant"),
        (r#"let d = decision; d.fit(5, "lost");"#, "copy of `decision`"),
    ] {
        let err = eval_err(&qualifier(script));
        assert!(err.message().contains(needle), "{script}: {err}");
    }
}

#[test]
fn a_failing_lead_does_not_stop_the_batch() {
    let q = qualifier(r#"if lead.attr("boom") == true { throw "boom" } decision.fit(1, "ok");"#);
    let leads = [lead_with(""), lead_with(r#""attributes": {"boom": true}"#), lead_with("")];
    let results = q.evaluate_batch(&leads, as_of());
    assert!(results[0].is_ok() && results[2].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!((err.lead_id(), err.rule(), err.message()), ("T-1", Some("t"), "boom"));
    assert_eq!(err.to_string(), "lead \"T-1\": rule \"t\" (t.rhai:1:32): boom");
}

#[test]
fn copies_of_decision_fail_to_read_and_write() {
    for script in ["let d = decision; let s = d.score;", r#"let d = decision; d.status("budget");"#] {
        let err = eval_err(&qualifier(script));
        assert!(err.message().contains("copy of `decision`"), "{script}: {err}");
    }
}

#[test]
fn try_catch_cannot_swallow_typos() {
    assert_eq!(compile_problems("try { lead.budjet } catch { }")[0].kind(), ProblemKind::Syntax);
}

#[test]
fn the_engines_rule_marker_cannot_be_abused() {
    let err = eval_err(&qualifier(r#"decision.__rule(0); decision.fit(5, "x");"#));
    assert!(err.message().contains("for the engine only"), "{err}");
}

//! Where errors point: the script, line and column of load and run-time errors,
//! and a failing lead in a batch. Hostile scripts are in `hostile`.

use leadgate::pack::ProblemKind;
use leadgate::{Pack, Qualifier};

use crate::{as_of, lead_with, qualifier};

fn compile_problems(script: &str) -> Vec<leadgate::pack::Problem> {
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
fn a_failing_lead_does_not_stop_the_batch() {
    let q = qualifier(r#"if lead.attr("boom") == true { throw "boom" } decision.fit(1, "ok");"#);
    let mut first = lead_with("");
    first.id = "A".into();
    let mut last = lead_with("");
    last.id = "C".into();
    let leads = [first, lead_with(r#""attributes": {"boom": true}"#), last];
    let results = q.evaluate_batch(&leads, as_of());
    assert!(results[0].is_ok() && results[2].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!((err.lead_id(), err.rule(), err.message()), ("T-1", Some("t"), "boom"));
    assert_eq!(err.to_string(), "lead \"T-1\": rule \"t\" (t.rhai:1:32): boom");
}

/// A pack of 40 rules of different lengths: more than the engine joins into
/// one program (16), so effects and errors are attributed across programs.
/// Rule `i` starts with `i % 5` blank lines, then gives `i + 1` fit points,
/// and rule `fail`, if any, then divides by zero.
fn forty_rules(fail: Option<usize>) -> Qualifier {
    let mut manifest = String::from("name = \"x\"\nversion = \"1\"\n");
    for i in 0..40 {
        let blank = "\n".repeat(i % 5);
        let boom = if fail == Some(i) { "let y = n / 0;\n" } else { "" };
        manifest.push_str(&format!(
            "[[rules]]\nname = \"r{i}\"\nscript = '''\n{blank}let n = {i};\ndecision.fit(n + 1, \"from r{i}\");\n{boom}'''\n"
        ));
    }
    Qualifier::new(&Pack::from_toml(&manifest).unwrap()).unwrap()
}

#[test]
fn each_effect_is_its_own_rules_however_many_rules_there_are() {
    let d = forty_rules(None).evaluate(&lead_with(""), as_of()).unwrap();
    let got: Vec<(&str, i64, &str)> =
        d.contributions.iter().map(|c| (c.rule.as_str(), c.points, c.reason.as_str())).collect();
    let names: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
    let reasons: Vec<String> = (0..40).map(|i| format!("from r{i}")).collect();
    let want: Vec<(&str, i64, &str)> =
        (0..40).map(|i| (names[i].as_str(), i as i64 + 1, reasons[i].as_str())).collect();
    assert_eq!(got, want);
    assert_eq!(d.fired.iter().map(|r| r.as_str()).collect::<Vec<_>>(), names);
    assert_eq!(d.fit, (1..=40).sum::<i64>());
}

#[test]
fn an_error_names_its_rule_and_line_however_many_rules_there_are() {
    for fail in [0, 15, 16, 37] {
        let err = eval_err(&forty_rules(Some(fail)));
        assert_eq!(err.rule(), Some(format!("r{fail}").as_str()), "{err}");
        // Each rule takes 6 lines of pack.toml plus its blank lines, after
        // the 2 of the header; the failing line follows its 3 lines of
        // TOML, its blank lines, `let n` and the award.
        let start: usize = 2 + (0..fail).map(|i| 6 + i % 5).sum::<usize>();
        let line = start + 3 + fail % 5 + 3;
        assert_eq!(err.location().unwrap().line, line, "{err}");
    }
}

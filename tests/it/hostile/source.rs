//! Oversized sources are refused before they are compiled.

use leadgate::pack::ProblemKind;

use super::{limits, refused_with};

#[test]
fn a_source_over_the_limit_is_refused_before_parsing() {
    let script = "decision.fit(1, \"x\");\n".repeat(5000);
    let p = refused_with(limits(|l| l.max_source_size = 16 * 1024), &script, ProblemKind::TooLarge);
    assert!(p.message().contains("over the limit of 16384"), "{p}");
    // At the limit it loads.
    let exact = "1;".repeat(8 * 1024);
    let pack = leadgate::Pack::from_script("r", &exact).unwrap();
    leadgate::Qualifier::builder(&pack).limits(limits(|l| l.max_source_size = exact.len())).build().unwrap();
}

#[test]
fn a_table_over_the_limit_is_refused_too_since_tables_run_without_an_operation_count() {
    let rows = "  { industry = \"x\", fit = 1, reason = \"x\" },\n".repeat(1000);
    let manifest = format!("name = \"t\"\nversion = \"1\"\n[[rules]]\nname = \"big\"\ntable = [\n{rows}]\n");
    let pack = leadgate::Pack::from_toml(&manifest).unwrap();
    let err = leadgate::Qualifier::builder(&pack)
        .limits(limits(|l| l.max_source_size = 16 * 1024))
        .build()
        .unwrap_err();
    let p = &err.problems()[0];
    assert_eq!((p.kind(), p.rule()), (ProblemKind::TooLarge, Some("big")));
    assert!(p.message().starts_with("the table is "), "{p}");
    // The default limit (64 KiB) takes it.
    leadgate::Qualifier::new(&pack).unwrap();
}

fn two_rules(first: &str, second: &str) -> leadgate::PackError {
    let manifest = format!(
        "name = \"t\"\nversion = \"1\"\n[[rules]]\nname = \"first\"\nscript = '''\n{first}'''\n\
         [[rules]]\nname = \"second\"\nscript = '''\n{second}'''\n"
    );
    leadgate::Qualifier::new(&leadgate::Pack::from_toml(&manifest).unwrap()).unwrap_err()
}

#[test]
fn nothing_in_one_rule_reaches_into_the_next() {
    // Each case would hide the second rule's code, or swallow its braces,
    // if rules were joined as text before compiling.
    for (first, line) in [
        // Errors at the end of a rule are on its last line.
        ("decision.fit(1, \"a\");\n/* hides what follows\n", 3),
        ("decision.fit(1, \"a\");\nlet s = \"unterminated\n", 2),
        ("if true {\n", 2),
        ("let s = `interpolated ${\n", 2),
    ] {
        let err = two_rules(first, "decision.fisst(1, \"typo hidden\"); /* */\n");
        let rules: Vec<_> = err.problems().iter().map(|p| p.rule()).collect();
        assert_eq!(rules, [Some("first"), Some("second")], "{first:?}: {err}");
        let p = &err.problems()[0];
        assert_eq!(p.kind(), ProblemKind::Syntax, "{first:?}: {p}");
        let at = p.location().unwrap();
        assert_eq!((at.script.as_str(), at.line - 5), ("pack.toml", line), "{first:?}: {p}");
        assert!(at.column > 0, "{first:?}: {p}");
    }
}

#[test]
fn compile_errors_name_the_rule_file_line_and_column() {
    let err = two_rules("decision.fit(1, \"a\");\n", "let x = 1;\nlet y = x +;\n");
    let p = &err.problems()[0];
    assert_eq!(p.rule(), Some("second"));
    let at = p.location().unwrap();
    assert_eq!((at.script.as_str(), at.line, at.column), ("pack.toml", 12, 12), "{p}");
}

#[test]
fn a_rule_that_leaves_the_engines_block_still_acts_as_itself() {
    // `}` ends the block the engine puts around the first rule; what follows
    // runs outside it, but an effect is its rule's by where its call is.
    let manifest = "name = \"t\"\nversion = \"1\"\n[[rules]]\nname = \"first\"\nscript = '''\n\
        decision.fit(1, \"a\"); }\ndecision.fit(2, \"b\");\n{'''\n\
        [[rules]]\nname = \"second\"\nscript = 'decision.fit(3, \"c\");'\n";
    let q = leadgate::Qualifier::new(&leadgate::Pack::from_toml(manifest).unwrap()).unwrap();
    let d = q.evaluate(&crate::lead_with(""), crate::as_of()).unwrap();
    let by_rule: Vec<(&str, i64)> = d.contributions.iter().map(|c| (c.rule.as_str(), c.points)).collect();
    assert_eq!(by_rule, [("first", 1), ("first", 2), ("second", 3)]);
    assert_eq!(d.fired, ["first", "second"]);
}

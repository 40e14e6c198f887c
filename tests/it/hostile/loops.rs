//! Endless loops cannot be written, and long scripts stop at a deterministic point.

use leadgate::engine::EvalErrorKind;
use leadgate::pack::ProblemKind;

use super::{fails_with, limits, refused, run_with};

#[test]
fn loops_do_not_compile() {
    for script in
        ["loop { }", "while true { }", "do { } while true;", "for x in [1, 2] { }", "for i in 0..10 { }"]
    {
        let p = refused(script, ProblemKind::Syntax);
        assert_eq!(p.location().unwrap().line, 1, "{script}");
    }
}

#[test]
fn the_operation_limit_stops_at_the_same_point_every_time() {
    let script = format!("let x = 0;\n{}", "x += 1;\n".repeat(200));
    // The smallest limit the script fits in, found by search...
    let fits = |max: u64| run_with(limits(|l| l.max_operations = max), &script).is_ok();
    let (mut lo, mut hi) = (1, 100_000);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fits(mid) { hi = mid } else { lo = mid + 1 }
    }
    // ... is exact: one operation less fails with the operations error, every time.
    for _ in 0..3 {
        assert!(fits(lo));
        fails_with(limits(|l| l.max_operations = lo - 1), &script, EvalErrorKind::TooManyOperations);
    }
    assert!(lo > 200, "each statement costs at least one operation: {lo}");
}

#[test]
fn the_operation_limit_covers_all_rules_of_a_lead_together() {
    let pack = leadgate::Pack::from_toml(
        "name = \"x\"\nversion = \"1\"\n[[rules]]\nname = \"a\"\nscript = 'let x = 1 + 1 + 1 + 1;'\n\
         [[rules]]\nname = \"b\"\nscript = 'let y = 1 + 1 + 1 + 1;'\n",
    )
    .unwrap();
    let eval = |max: u64| {
        let q =
            leadgate::Qualifier::builder(&pack).limits(limits(|l| l.max_operations = max)).build().unwrap();
        q.evaluate(&crate::lead_with(""), crate::as_of())
    };
    let needed = (1..1000).find(|&m| eval(m).is_ok()).unwrap();
    let err = eval(needed - 1).unwrap_err();
    assert_eq!((err.kind(), err.rule()), (EvalErrorKind::TooManyOperations, Some("b")));
}

#[test]
fn the_operation_limit_covers_every_program_of_many_rules() {
    // 40 rules: the engine runs them as three programs of at most 16.
    let mut manifest = String::from("name = \"x\"\nversion = \"1\"\n");
    for i in 0..40 {
        manifest.push_str(&format!("[[rules]]\nname = \"r{i}\"\nscript = 'let x = 1 + 1 + 1 + 1;'\n"));
    }
    let pack = leadgate::Pack::from_toml(&manifest).unwrap();
    let eval = |max: u64| {
        let q =
            leadgate::Qualifier::builder(&pack).limits(limits(|l| l.max_operations = max)).build().unwrap();
        q.evaluate(&crate::lead_with(""), crate::as_of())
    };
    let needed = (1..10_000).find(|&m| eval(m).is_ok()).unwrap();
    // Every rule costs the same, so the lead needs forty times one rule...
    let one = (1..10_000)
        .find(|&m| run_with(limits(|l| l.max_operations = m), "let x = 1 + 1 + 1 + 1;").is_ok())
        .unwrap();
    assert_eq!(needed, 40 * one);
    // ... and one operation less stops the last rule.
    let err = eval(needed - 1).unwrap_err();
    assert_eq!((err.kind(), err.rule()), (EvalErrorKind::TooManyOperations, Some("r39")));
}

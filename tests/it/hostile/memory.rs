//! Memory bombs stop at the size limits before anything large is built:
//! every case here is measured with a counting allocator.

use leadgate::engine::EvalErrorKind;
use leadgate::pack::ProblemKind;

use super::{fails, fails_with, limits, on_small_stack, refused_with};
use crate::alloc::measured;

/// Every case must fail with `kind` having allocated less than this.
const SMALL: u64 = 8 << 20;

fn bomb(script: &str, kind: EvalErrorKind) -> leadgate::EvalError {
    let owned = script.to_owned();
    let (err, bytes) = on_small_stack(move || measured(|| fails(&owned, kind)));
    assert!(bytes < SMALL, "{script}: allocated {bytes} bytes");
    err
}

#[test]
fn doubling_strings_and_lists_stops_at_the_size_limits() {
    let doubling = |init: &str| format!("let s = {init};\n{}", "s += s;\n".repeat(40));
    bomb(&doubling("\"ab\""), EvalErrorKind::TooLarge);
    bomb(&doubling("[1, 2, 3, 4]"), EvalErrorKind::TooLarge);
    bomb(&format!("let s = \"x\";\n{}", "s = s + s + s;\n".repeat(30)), EvalErrorKind::TooLarge);
    let tight = limits(|l| {
        l.max_string_size = 1000;
        l.max_array_size = 100;
    });
    fails_with(tight, &doubling("\"ab\""), EvalErrorKind::TooLarge);
    fails_with(tight, &doubling("[1]"), EvalErrorKind::TooLarge);
}

#[test]
fn functions_check_their_output_size_before_building_it() {
    // A 64 KiB string whose every byte becomes 64 KiB would be 4 GiB.
    // 64 KiB: exactly the default string limit.
    let big = "let s = \"x\"; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; \
               s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s;\n";
    crate::hostile::run(big).unwrap();
    let err = bomb(&format!("{big}let t = s; t.replace(\"x\", s);"), EvalErrorKind::TooLarge);
    assert!(err.message().contains("Length of string"), "{err}");
    bomb(&format!("{big}let t = s + s;"), EvalErrorKind::TooLarge);
    bomb(&format!("{big}let t = s + 12345678901234;"), EvalErrorKind::TooLarge);
    bomb(&format!("{big}let t = `${{s}}${{s}}`;"), EvalErrorKind::TooLarge);
    bomb(&format!("{big}let l = [s, s, s, s]; let t = l.to_string();"), EvalErrorKind::TooLarge);
    // A capital dotted I (2 bytes) lower-cases to 3 bytes: the size is known before it is built.
    let dotted = "let s = \"İİİİİİİİ\"; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; \
                  s += s; s += s; s += s; s += s;\n";
    crate::hostile::run(dotted).unwrap();
    bomb(&format!("{dotted}let t = s.to_lower();"), EvalErrorKind::TooLarge);
}

#[test]
fn an_empty_pattern_is_refused_not_looped_on() {
    let err = bomb(r#"let s = "abc"; s.replace("", "x");"#, EvalErrorKind::Script);
    assert!(err.message().contains("the text to find is empty"), "{err}");
}

#[test]
fn copies_of_the_lead_share_it() {
    // A lead of 15,000 touchpoints copied into a list 500 times costs 500 pointers.
    let touches: Vec<String> = (0..15_000)
        .map(|i| format!(r#"{{"at":"2026-11-0{}T00:00:00Z","channel":"web_visit"}}"#, 1 + i % 9))
        .collect();
    let lead = crate::lead_with(&format!(r#""touchpoints": [{}]"#, touches.join(",")));
    let script = format!("let l = [{}];\nlet m = l;\nlet n = lead;", vec!["lead"; 500].join(", "));
    let q = crate::qualifier(&script);
    let (result, bytes) = measured(|| q.evaluate(&lead, crate::as_of()));
    result.unwrap();
    // The snapshot of 15,000 touches itself is about 1 MiB.
    assert!(bytes < 4 << 20, "allocated {bytes} bytes");
}

#[test]
fn a_decision_cannot_grow_without_bound() {
    // Contributions: max_array_size in all.
    let many = "decision.fit(1, \"a\");\n".repeat(600);
    let err = bomb(&many, EvalErrorKind::TooLarge);
    assert!(err.message().contains("contributions"), "{err}");
    // Reasons and evidence: max_string_size bytes in all.
    let reason = "let r = \"0123456789abcdef\"; r += r; r += r; r += r; r += r; r += r; r += r; r += r; r += r; r += r; r += r;\n";
    let err = bomb(&format!("{reason}{}", "decision.fit(1, r);\n".repeat(5)), EvalErrorKind::TooLarge);
    assert!(err.message().contains("reasons"), "{err}");
    let err = bomb(&format!("{reason}{}", "decision.met(\"need\", r);\n".repeat(5)), EvalErrorKind::TooLarge);
    assert!(err.message().contains("reasons"), "{err}");
}

#[test]
fn oversized_literals_are_refused_at_load() {
    let script = format!("let s = \"{}\";", "x".repeat(2000));
    refused_with(limits(|l| l.max_string_size = 1000), &script, ProblemKind::Syntax);
}

#[test]
fn too_many_variables_is_a_limit() {
    let script: String = (0..50).map(|i| format!("let v{i} = {i};\n")).collect();
    fails_with(limits(|l| l.max_variables = 10), &script, EvalErrorKind::TooLarge);
}

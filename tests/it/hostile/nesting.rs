//! Deeply nested source is refused while parsing, without overflowing the stack.

use leadgate::Limits;
use leadgate::pack::ProblemKind;

use super::{limits, on_small_stack, refused_with, short};

#[test]
fn ten_thousand_levels_of_nesting_are_refused_on_a_2_mib_stack() {
    let n = 10_000;
    let sources = [
        format!("let x = {}1{};", "(".repeat(n), ")".repeat(n)),
        format!("let x = {}1{};", "[".repeat(n), "]".repeat(n)),
        format!("let x = 1{};", " ** 1".repeat(n)),
        format!("let x = {}true;", "!".repeat(n)),
        format!("let x = {}1;", "- ".repeat(n)),
        format!("{}{}", "{ ".repeat(n), "}".repeat(n)),
        format!("{}{}", "if true { ".repeat(n), "}".repeat(n)),
    ];
    for source in sources {
        let head = short(&source);
        // The source-size limit would refuse some of these first; this test is about depth.
        let big = limits(|l| l.max_source_size = 1 << 20);
        let p = on_small_stack(move || refused_with(big, &source, ProblemKind::Syntax));
        assert!(p.message().contains("complex"), "{head}: {}", short(&p.to_string()));
    }
}

/// Lists nested by assignment, one level a statement: no parser limit sees
/// them, so the list limit must (each nested list counts as an item).
fn nested_lists(levels: usize, then: &str) -> String {
    format!("let a = [1];\n{}{then}", "a = [a];\n".repeat(levels))
}

#[test]
fn data_cannot_nest_deeper_than_the_list_limit_on_a_2_mib_stack() {
    use leadgate::engine::EvalErrorKind;
    // Within the limit, everything that walks the data works on a small stack.
    for then in
        ["let b = a;", "let t = `${a}`;", "let t = a.to_string();", "let n = a.len();", "let i = 1 in a;"]
    {
        let script = nested_lists(500, then);
        on_small_stack(move || super::run(&script).map(|_| ()).unwrap_or_else(|e| panic!("{then}: {e}")));
    }
    // A thrown nested list is shown only a few levels deep.
    let script = nested_lists(500, "throw a;");
    let err = on_small_stack(move || super::fails(&script, EvalErrorKind::Script));
    assert_eq!(err.message(), "[[[[[...]]]]]");
    // One level more than the limit allows is refused when it is built.
    for then in ["", "let b = [a, a];", "a += [a];"] {
        let script = nested_lists(600, then);
        let err = on_small_stack(move || super::fails(&script, EvalErrorKind::TooLarge));
        assert!(err.message().contains("Size of array"), "{err}");
        assert_eq!(err.location().unwrap().line, 513, "{then}");
    }
    // A host cannot raise the limit past what is safe.
    let huge = limits(|l| l.max_array_size = 1 << 20);
    let script = nested_lists(5_000, "");
    let err = on_small_stack(move || super::fails_with(huge, &script, EvalErrorKind::TooLarge));
    assert_eq!(err.location().unwrap().line, 513);
}

#[cfg(feature = "parallel")]
#[test]
fn deep_data_is_refused_inside_rayon_workers_too() {
    use leadgate::engine::EvalErrorKind;
    use leadgate::{Pack, Qualifier};
    let pack = Pack::from_script("r", &nested_lists(5_000, "")).unwrap();
    let q = Qualifier::new(&pack).unwrap();
    let leads: Vec<_> = (0..64)
        .map(|i| leadgate::Lead::new(format!("L-{i}"), "2026-01-01T00:00:00Z".parse().unwrap()))
        .collect();
    for result in q.evaluate_batch_par(&leads, crate::as_of()) {
        assert_eq!(result.unwrap_err().kind(), EvalErrorKind::TooLarge);
    }
}

#[test]
fn object_maps_cannot_be_written() {
    let p = on_small_stack(|| refused_with(Limits::default(), "let m = #{a: 1};", ProblemKind::Syntax));
    assert!(p.message().contains("'#{' is a reserved symbol"), "{p}");
}

//! Deeply nested source is refused while parsing, without overflowing the stack.

use leadgate::ProblemKind;

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
        format!("let x = {}1{};", "#{a: ".repeat(n), "}".repeat(n)),
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

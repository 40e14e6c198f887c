//! Oversized sources are refused before they are compiled.

use leadgate::ProblemKind;

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

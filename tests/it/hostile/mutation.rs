//! Scripts cannot change the lead, the parameters or lose the decision.

use leadgate::{EvalErrorKind, Pack, Qualifier};

use super::fails;

#[test]
fn the_lead_params_and_decision_cannot_be_replaced_or_modified() {
    for (script, needle) in [
        (r#"lead.industry = "x";"#, "setter"),
        ("lead.budget = 0;", "setter"),
        ("lead = 1;", "constant"),
        ("params = 1;", "constant"),
        ("decision = 1;", "constant"),
        ("let x = lead; x.industry = \"y\";", "setter"),
        (r#"let d = decision; d.fit(5, "lost");"#, "copy of `decision`"),
        (r#"let d = decision; let s = d.score;"#, "copy of `decision`"),
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().contains(needle), "{script}: {err}");
    }
}

#[test]
fn assigning_into_a_constant_map_is_an_error_not_a_panic() {
    // rhai 1.24+ panics on this at its default optimisation level; leadgate does not optimise.
    let err = fails("const m = #{a: 1}; m.a = 2;", EvalErrorKind::Script);
    assert!(err.message().contains("constant"), "{err}");
}

#[test]
fn evaluation_never_changes_the_lead() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    for lead in crate::sample_leads() {
        let before = lead.clone();
        let _ = q.evaluate(&lead, crate::as_of());
        assert_eq!(lead, before);
    }
}

//! Scripts cannot change the lead, the parameters or lose the decision, and
//! have no constants of their own to change.

use leadgate::engine::EvalErrorKind;
use leadgate::pack::ProblemKind;
use leadgate::{Pack, Qualifier};

use super::{fails, refused};

#[test]
fn the_lead_params_and_decision_cannot_be_replaced_or_modified() {
    for (script, needle) in [
        (r#"lead.industry = "x";"#, "setter"),
        ("lead.budget = 0;", "setter"),
        ("lead = 1;", "constant"),
        ("params = 1;", "constant"),
        ("decision = 1;", "constant"),
        ("let x = lead; x.industry = \"y\";", "setter"),
        (r#"let x = lead.pain_points; x[0] = "y";"#, "Indexer unavailable"),
        (r#"let d = decision; d.fit(5, "lost");"#, "copy of `decision`"),
        (r#"let d = decision; let s = d.score;"#, "copy of `decision`"),
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().contains(needle), "{script}: {err}");
    }
}

#[test]
fn indexing_into_a_lead_field_changes_a_copy_only() {
    let d = super::run(r#"lead.id[0] = 'x'; if lead.id == "T-1" { decision.fit(1, "unchanged"); }"#).unwrap();
    assert_eq!(d.fit, 1);
}

#[test]
fn constants_and_maps_cannot_be_written() {
    // rhai lets a constant string be changed through indexing, and panics on
    // assignments into constant maps when optimising: rules have neither.
    for script in [r#"const s = "abc"; s[0] = 'x';"#, "const m = #{a: 1}; m.a = 2;", "let m = #{};"] {
        let p = refused(script, ProblemKind::Syntax);
        assert_eq!(p.location().unwrap().line, 1, "{script}");
    }
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

use leadgate::lead::TransitionErrorKind;
use leadgate::{Lead, Stage};

use crate::lead_with;

fn at(day: u32) -> chrono::DateTime<chrono::Utc> {
    format!("2026-11-{day:02}T00:00:00Z").parse().unwrap()
}

#[test]
fn the_happy_path_from_lead_to_customer() {
    let mut lead = lead_with("");
    for (i, stage) in
        [Stage::Mql, Stage::Sal, Stage::Sql, Stage::Opportunity, Stage::Customer].into_iter().enumerate()
    {
        lead.move_to(stage, at(i as u32 + 1), None).unwrap();
    }
    assert_eq!(lead.stage(), Stage::Customer);
    let stages: Vec<_> = lead.history().iter().map(|c| c.stage).collect();
    assert_eq!(stages, [Stage::Mql, Stage::Sal, Stage::Sql, Stage::Opportunity, Stage::Customer]);
    // Customer is final.
    for &to in Stage::ALL {
        assert!(lead.move_to(to, at(20), Some("x")).is_err());
    }
}

#[test]
fn sales_rejects_and_marketing_re_engages() {
    let mut lead = lead_with("");
    lead.move_to(Stage::Mql, at(1), None).unwrap();
    lead.move_to(Stage::Recycled, at(2), Some("no budget this year")).unwrap();
    assert_eq!(lead.history()[1].reason.as_deref(), Some("no budget this year"));
    lead.move_to(Stage::Mql, at(3), None).unwrap();
    lead.move_to(Stage::Sal, at(4), None).unwrap();
    assert_eq!(lead.stage(), Stage::Sal);
}

#[test]
fn disqualify_needs_a_reason_and_reopening_too() {
    let mut lead = lead_with("");
    let err = lead.move_to(Stage::Disqualified, at(1), Some("  ")).unwrap_err();
    assert_eq!(
        (err.kind(), err.from(), err.to()),
        (TransitionErrorKind::ReasonRequired, Stage::Lead, Stage::Disqualified)
    );
    lead.move_to(Stage::Disqualified, at(1), Some("competitor")).unwrap();
    assert!(lead.move_to(Stage::Lead, at(2), None).is_err());
    lead.move_to(Stage::Lead, at(2), Some("was a partner, not a competitor")).unwrap();
}

#[test]
fn a_refused_move_names_both_stages_and_changes_nothing() {
    let mut lead = lead_with("");
    let before = lead.clone();
    let err = lead.move_to(Stage::Opportunity, at(1), None).unwrap_err();
    assert_eq!(err.to_string(), "illegal stage transition from lead to opportunity");
    assert_eq!(lead, before);
}

#[test]
fn the_table_matches_its_documentation() {
    use Stage::*;
    let legal = [
        (Subscriber, Lead),
        (Subscriber, Mql),
        (Lead, Mql),
        (Mql, Sal),
        (Sal, Sql),
        (Sql, Opportunity),
        (Opportunity, Customer),
        (Mql, Recycled),
        (Sal, Recycled),
        (Sql, Recycled),
        (Opportunity, Recycled),
        (Recycled, Lead),
        (Recycled, Mql),
        (Disqualified, Lead),
    ];
    for &from in Stage::ALL {
        for &to in Stage::ALL {
            let expected = legal.contains(&(from, to))
                || (to == Disqualified && !matches!(from, Customer | Disqualified));
            assert_eq!(from.can_move_to(to), expected, "{from} -> {to}");
        }
    }
}

#[test]
fn history_read_from_json_is_checked_against_the_table() {
    let ok = Lead::from_json(
        r#"{"id": "a", "created_at": "2026-01-01T00:00:00Z", "stage_history": [
            {"stage": "lead", "at": "2026-01-01T00:00:00Z"},
            {"stage": "mql", "at": "2026-01-05T00:00:00Z"},
            {"stage": "recycled", "at": "2026-01-09T00:00:00Z", "reason": "bad timing"}]}"#,
    )
    .unwrap();
    assert_eq!(ok.stage(), Stage::Recycled);
    let err = Lead::from_json(
        r#"{"id": "a", "created_at": "2026-01-01T00:00:00Z", "stage_history": [
            {"stage": "mql", "at": "2026-01-05T00:00:00Z"},
            {"stage": "recycled", "at": "2026-01-09T00:00:00Z"}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("stage_history[1]"));
    assert_eq!(err.message(), "moving from mql to recycled requires a reason");
    let err = Lead::from_json(
        r#"{"id": "a", "created_at": "2026-01-01T00:00:00Z", "stage_history": [
            {"stage": "lead", "at": "2026-01-05T00:00:00Z"},
            {"stage": "mql", "at": "2026-01-04T00:00:00Z"}]}"#,
    )
    .unwrap_err();
    assert!(err.message().contains("earlier than the previous one"), "{err}");
}

#[test]
fn a_stage_change_before_the_lead_was_created_is_refused() {
    // Through the API: the lead is unchanged.
    let mut lead = Lead::new("a", at(10));
    let err = lead.move_to(Stage::Mql, at(9), None).unwrap_err();
    assert_eq!(
        (err.kind(), err.at(), err.earliest()),
        (TransitionErrorKind::BeforeCreated, at(9), Some(at(10)))
    );
    assert_eq!(lead.stage(), Stage::Lead);
    assert!(lead.history().is_empty());
    lead.move_to(Stage::Mql, at(10), None).unwrap();

    // From JSON, first entry or later.
    for history in [
        r#"[{"stage": "mql", "at": "2026-10-31T23:59:59Z"}]"#,
        r#"[{"stage": "lead", "at": "2026-11-01T00:00:00Z"}, {"stage": "mql", "at": "2026-10-01T00:00:00Z"}]"#,
    ] {
        let err = Lead::from_json(&format!(
            r#"{{"id": "a", "created_at": "2026-11-01T00:00:00Z", "stage_history": {history}}}"#
        ))
        .unwrap_err();
        assert!(err.to_string().contains("is earlier than the lead's creation"), "{err}");
    }
}

#[test]
fn the_first_history_entry_needs_a_reason_to_recycle_or_disqualify() {
    for stage in ["recycled", "disqualified"] {
        let json = |reason: &str| {
            format!(
                r#"{{"id": "a", "created_at": "2026-11-01T00:00:00Z",
                    "stage_history": [{{"stage": "{stage}", "at": "2026-11-02T00:00:00Z"{reason}}}]}}"#
            )
        };
        let err = Lead::from_json(&json("")).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("stage_history[0]: moving from lead to {stage} requires a reason")),
            "{err}"
        );
        assert!(Lead::from_json(&json(r#", "reason": " ""#)).is_err());
        assert_eq!(Lead::from_json(&json(r#", "reason": "no budget""#)).unwrap().stage().as_str(), stage);
    }
    // Any other stage may start a history: an import of a lead mid-funnel.
    let lead = Lead::from_json(
        r#"{"id": "a", "created_at": "2026-11-01T00:00:00Z",
            "stage_history": [{"stage": "opportunity", "at": "2026-11-02T00:00:00Z"}]}"#,
    )
    .unwrap();
    assert_eq!(lead.stage(), Stage::Opportunity);
}

#[test]
fn an_imported_stage_without_history_moves_by_the_table() {
    let mut lead = lead_with(r#""stage": "sql""#);
    assert!(lead.history().is_empty());
    let err = lead.move_to(Stage::Mql, at(1), None).unwrap_err();
    assert_eq!((err.kind(), err.from(), err.to()), (TransitionErrorKind::Illegal, Stage::Sql, Stage::Mql));
    // In its stage since it was created: a move before that is refused.
    let err = lead.move_to(Stage::Opportunity, "2025-12-31T00:00:00Z".parse().unwrap(), None).unwrap_err();
    assert_eq!(err.kind(), TransitionErrorKind::BeforeCreated);
    assert_eq!(err.earliest(), Some("2026-01-01T00:00:00Z".parse().unwrap()));
    lead.move_to(Stage::Opportunity, at(1), None).unwrap();
    assert_eq!(lead.stage(), Stage::Opportunity);
}

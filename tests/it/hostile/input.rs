//! Hostile lead input: every bad lead is an error naming the field; the batch goes on.

use leadgate::engine::EvalErrorKind;
use leadgate::lead::MAX_LEAD_BYTES;
use leadgate::{Lead, Pack, Qualifier, read_leads, read_leads_from};

const OK: &str = r#"{"id": "ok", "created_at": "2026-01-01T00:00:00Z"}"#;

#[test]
fn deep_nesting_is_refused_with_its_path() {
    let deep = format!(
        r#"{{"id": "d", "created_at": "2026-01-01T00:00:00Z", "attributes": {{"x": {}1{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let err = Lead::from_json(&deep).unwrap_err();
    assert!(err.message().contains("recursion limit"), "{err}");
    assert!(err.path().unwrap().starts_with("attributes.x"), "{err}");
    // Deeper still, on a small stack: still an error, not an abort.
    let deeper =
        format!(r#"{{"id": "d", "created_at": "2026-01-01T00:00:00Z", "x": {}}}"#, "[".repeat(100_000));
    let err = super::on_small_stack(move || Lead::from_json(&deeper).unwrap_err().to_string());
    assert!(err.contains("recursion limit"), "{err}");
}

#[test]
fn huge_leads_are_refused_and_reading_goes_on() {
    let huge = format!(
        r#"{{"id": "h", "created_at": "2026-01-01T00:00:00Z", "x": "{}"}}"#,
        "x".repeat(MAX_LEAD_BYTES)
    );
    let input = format!("{OK}\n{huge}\n{}\n", OK.replace("\"ok\"", "\"ok2\""));
    for results in [read_leads(&input).collect::<Vec<_>>(), read_leads_from(input.as_bytes()).collect()] {
        assert_eq!(results.len(), 3);
        let err = results[1].as_ref().unwrap_err();
        assert!(err.is_too_large(), "{err}");
        assert_eq!(err.line(), Some(2));
        assert_eq!(results[2].as_ref().unwrap().line, 3);
    }
}

#[test]
fn an_endless_line_is_not_read_whole() {
    // 8 MiB without a newline, then a good lead.
    let mut input = vec![b'x'; 8 << 20];
    input.push(b'\n');
    input.extend_from_slice(OK.as_bytes());
    let results: Vec<_> = read_leads_from(input.as_slice()).collect();
    assert!(results[0].as_ref().unwrap_err().is_too_large());
    assert_eq!(results[1].as_ref().unwrap().lead.id, "ok");
}

#[test]
fn bytes_that_are_not_utf8_are_reported_for_their_line() {
    let input =
        [OK.as_bytes(), b"\n{\"id\": \"\xff\xfe\"}\n", OK.replace("\"ok\"", "\"b\"").as_bytes()].concat();
    let results: Vec<_> = read_leads_from(input.as_slice()).collect();
    let err = results[1].as_ref().unwrap_err();
    assert!(err.is_io() && err.message().contains("UTF-8"), "{err}");
    assert_eq!(err.line(), Some(2));
    assert!(results[2].is_ok());
}

#[test]
fn wrong_shapes_name_the_field_and_the_expected_type() {
    for (json, path, needle) in [
        (r#"{"created_at": "2026-01-01T00:00:00Z"}"#, None, "missing field `id`"),
        (r#"{"id": 5, "created_at": "2026-01-01T00:00:00Z"}"#, Some("id"), "expected a string"),
        (r#"{"id": "x", "created_at": "01/02/2026"}"#, Some("created_at"), "invalid RFC 3339 time"),
        (r#"{"id": "x", "created_at": "2026-01-01"}"#, Some("created_at"), "invalid RFC 3339 time"),
        (r#"{"id": "x", "created_at": 1767225600}"#, Some("created_at"), "RFC 3339"),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "company": {"employees": -3}}"#,
            Some("company.employees"),
            "invalid value: integer `-3`, expected a whole number of employees, 0 or more",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "qualification": {"budget": {"amount": "5000", "currency": "USD"}}}"#,
            Some("qualification.budget.amount"),
            "invalid type: string \"5000\", expected an amount, a number of 0 or more",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "qualification": {"budget_confirmed": "yes"}}"#,
            Some("qualification.budget_confirmed"),
            "expected a boolean",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "touchpoints": {"at": 1}}"#,
            Some("touchpoints"),
            "expected a sequence",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "attributes": []}"#,
            Some("attributes"),
            "expected a map",
        ),
    ] {
        let err = Lead::from_json(json).unwrap_err();
        assert_eq!(err.path(), path, "{json}: {err}");
        assert!(err.message().contains(needle), "{json}: {err}");
    }
}

#[test]
fn extra_fields_are_kept_not_refused() {
    // A design decision (issue 2): unknown fields are the host's data, kept and written back.
    let lead =
        Lead::from_json(r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "unknown": {"deep": [1, 2]}}"#)
            .unwrap();
    assert_eq!(lead.extra["unknown"]["deep"][1], 2);
}

#[test]
fn duplicate_ids_are_reported_never_merged() {
    let input = format!("{OK}\n{}\n{OK}\n", OK.replace("\"ok\"", "\"b\""));
    let results: Vec<_> = read_leads(&input).collect();
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results[2].as_ref().unwrap_err();
    assert!(err.is_duplicate());
    assert_eq!((err.line(), err.lead_id()), (Some(3), Some("ok")));

    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let lead = Lead::from_json(OK).unwrap();
    let results = q.evaluate_batch(&[lead.clone(), lead], crate::as_of());
    assert!(results[0].is_ok());
    assert_eq!(results[1].as_ref().unwrap_err().kind(), EvalErrorKind::DuplicateId);
}

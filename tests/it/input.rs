use leadgate::{BuyingRole, Channel, Lead, Seniority, Stage, Team, Timeline, read_leads, read_leads_from};
use serde_json::Value;

/// The first ```json block after `heading` in the README.
fn readme_json(heading: &str) -> String {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find(heading).unwrap_or_else(|| panic!("README has no {heading:?}"))..];
    let start = section.find("```json\n").expect("a json block") + "```json\n".len();
    let end = section[start..].find("```").unwrap();
    section[start..start + end].to_owned()
}

#[test]
fn the_readme_lead_reads_and_writes_back_whole() {
    let json = readme_json("## The lead JSON");
    let lead = Lead::from_json(&json).unwrap();
    assert_eq!(lead.id, "L-1001");
    assert_eq!(lead.person.seniority, Some(Seniority::Vp));
    assert_eq!(lead.company.employees, Some(450));
    assert_eq!(lead.qualification.buying_role, Some(BuyingRole::DecisionMaker));
    assert_eq!(lead.qualification.timeline, Some(Timeline::Within3Months));
    assert_eq!(lead.stage(), Stage::Mql);
    assert!(lead.touchpoints.iter().any(|t| t.channel == Channel::custom("podcast").unwrap()));
    assert!(lead.touchpoints.iter().any(|t| t.team() == Team::Sales));
    assert!(!lead.extra.is_empty(), "the README example shows an unknown field being kept");

    let original: Value = serde_json::from_str(&json).unwrap();
    let written = serde_json::to_value(&lead).unwrap();
    assert_eq!(written, original, "every field, known or not, survives a round trip");
}

#[test]
fn unknown_fields_survive_at_every_level() {
    // `stage` is always written, so it is given here to compare like with like.
    let json = r#"{"id": "a", "created_at": "2026-01-01T00:00:00Z", "stage": "mql", "crm": {"owner": "jdoe"},
        "person": {"linkedin": "x"}, "company": {"duns": 123}, "qualification": {"bant_notes": "n"},
        "stage_history": [{"stage": "mql", "at": "2026-01-02T00:00:00Z", "by": "bot"}],
        "touchpoints": [{"at": "2026-01-03T00:00:00Z", "channel": "call", "recording": true}],
        "attributes": {"nps": 9, "tags": ["a", "b"], "nested": {"x": null}}}"#;
    let lead = Lead::from_json(json).unwrap();
    let back = serde_json::to_value(&lead).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
}

#[test]
fn errors_name_the_field_the_lead_and_what_was_expected() {
    let cases = [
        (r#"{"id": "x", "created_at": "2026-13-01T00:00:00Z"}"#, "created_at", "invalid RFC 3339 time"),
        (r#"{"id": "x"}"#, ".", "missing field `created_at`"),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "company": {"employees": "lots"}}"#,
            "company.employees",
            "invalid type: string \"lots\", expected a whole number of employees, 0 or more",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "touchpoints": [{"at": "2026-01-01T00:00:00Z", "channel": "webnar"}]}"#,
            "touchpoints[0].channel",
            "did you mean \"webinar\"",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "qualification": {"budget": {"amount": 5, "currency": "dollars"}}}"#,
            "qualification.budget.currency",
            "ISO 4217",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "qualification": {"purchase_date": "next week"}}"#,
            "qualification.purchase_date",
            "expected YYYY-MM-DD",
        ),
        (
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z", "stage": "hot"}"#,
            "stage",
            "unknown stage \"hot\"; expected one of: subscriber, lead, mql",
        ),
    ];
    for (json, path, message) in cases {
        let err = Lead::from_json(json).unwrap_err();
        assert_eq!(err.lead_id(), Some("x"), "{err}");
        if path == "." {
            assert_eq!(err.path(), None, "{err}");
        } else {
            assert_eq!(err.path(), Some(path), "{err}");
        }
        assert!(err.message().contains(message), "{err}");
        assert!(!err.is_syntax(), "{err}");
    }
}

#[test]
fn a_bad_line_does_not_stop_the_batch() {
    let input = include_str!("../../examples/data/bad-leads.ndjson");
    let results: Vec<_> = read_leads(input).collect();
    assert_eq!(results.len(), 8);
    let bad: Vec<_> =
        results.iter().filter_map(|r| r.as_ref().err()).map(|e| (e.line(), e.lead_id())).collect();
    assert_eq!(bad, [(Some(2), Some("L-BAD-1")), (Some(5), Some("L-BAD-2")), (Some(7), None)]);
    assert!(results[6].as_ref().unwrap_err().is_syntax());
    // The same from a reader.
    let from_reader: Vec<_> = read_leads_from(input.as_bytes()).collect();
    assert_eq!(from_reader, results);
}

#[test]
fn the_shipped_sample_leads_all_read() {
    let input = include_str!("../../examples/data/leads.ndjson");
    let leads: Vec<_> = read_leads(input).map(|r| r.unwrap().lead).collect();
    assert_eq!(leads.len(), 50);
    let mut ids: Vec<_> = leads.iter().map(|l| l.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50, "ids are unique");
}

#[test]
fn a_json_array_reads_like_ndjson() {
    let ndjson = include_str!("../../examples/data/leads.ndjson");
    let array = format!("[\n{}\n]", ndjson.trim_end().replace('\n', ",\n"));
    let a: Vec<_> = read_leads(&array).map(|r| r.unwrap()).collect();
    let b: Vec<_> = read_leads(ndjson).map(|r| r.unwrap()).collect();
    // Same leads; each array element is one line further down (the `[` line).
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(a.lead, b.lead);
        assert_eq!(a.line, b.line + 1);
    }
}

#[test]
fn the_readme_decision_is_what_the_engine_says() {
    let lead = Lead::from_json(&readme_json("## The lead JSON")).unwrap();
    let q = leadgate::Qualifier::new(&leadgate::Pack::b2b_bant()).unwrap();
    let decision = q.evaluate(&lead, crate::as_of()).unwrap();
    let documented: Value = serde_json::from_str(&readme_json("## The decision JSON")).unwrap();
    assert_eq!(serde_json::to_value(&decision).unwrap(), documented);
}

/// A batch reader remembers the latest `DUPLICATE_WINDOW` ids, so a file of
/// any size is read in the same memory: a repeat within the window is an
/// error, an older id is not.
#[test]
fn duplicates_are_caught_within_the_window_and_memory_stays_bounded() {
    let window = leadgate::lead::DUPLICATE_WINDOW;
    let line = |id: usize| format!(r#"{{"id": "L{id}", "created_at": "2026-11-01T00:00:00Z"}}"#);
    let mut ndjson: String = (0..window).map(|i| line(i) + "\n").collect();
    ndjson += &(line(window - 1) + "\n"); // within the window: a duplicate
    ndjson += &(line(window) + "\n"); // a new id, which pushes L0 out
    ndjson += &(line(0) + "\n"); // L0 is older than the window's ids: forgotten
    let results: Vec<_> = leadgate::read_leads(&ndjson).collect();
    assert_eq!(results.len(), window + 3);
    let dup = results[window].as_ref().unwrap_err();
    assert!(dup.is_duplicate());
    assert_eq!(
        dup.to_string(),
        format!(
            "line {}: lead \"L{}\": id: duplicate id, first seen on line {window}",
            window + 1,
            window - 1
        )
    );
    assert_eq!(results[window + 2].as_ref().unwrap().lead.id, "L0");
}

//! Shadow evaluation: what a candidate pack changes, and what it would have done to known outcomes.

use leadgate::authoring::{Comparison, Field, shadow_compare, shadow_compare_with_outcomes};
use leadgate::calibration::Outcome;
use leadgate::{Lead, Pack, Qualifier, Stage};

use crate::{as_of, lead};

/// Scores a lead by its employee count; MQL at 50; fails on mining.
const SIZE_PACK: &str = r#"
name = "size"
version = "1"
[params]
mql_threshold = 50
[[rules]]
name = "size"
script = '''
if lead.employees != () { decision.fit(lead.employees, "Employees"); }
if lead.industry == "mining" { throw "no mining"; }
'''
"#;

/// The size pack (live), and a candidate with the MQL at 30 that takes 40
/// points from retail leads.
fn size_packs() -> (Qualifier, Qualifier) {
    let retail = "if lead.industry == \"retail\" { decision.negative(40, \"Retail\"); }\n";
    let candidate = SIZE_PACK
        .replace("version = \"1\"", "version = \"2\"")
        .replace("mql_threshold = 50", "mql_threshold = 30")
        .replace("if lead.industry == \"mining\"", &format!("{retail}if lead.industry == \"mining\""));
    (crate::manifest(SIZE_PACK), crate::manifest(&candidate))
}

fn size_lead(id: &str, employees: u32, industry: &str) -> Lead {
    lead(&format!(
        r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
            "company": {{"employees": {employees}, "industry": "{industry}"}}}}"#
    ))
}

/// A software VP at 300 employees: fit 42, grade A, warm, no BANT evidence.
fn vp_lead(id: &str) -> Lead {
    lead(&format!(
        r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
            "company": {{"industry": "software", "employees": 300}}, "person": {{"seniority": "vp"}}}}"#
    ))
}

/// A lead with nothing but a declared budget of 40,000 EUR: budget met, score 0.
fn budget_lead(id: &str) -> Lead {
    lead(&format!(
        r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
            "qualification": {{"budget": {{"amount": 40000, "currency": "EUR"}}}}}}"#
    ))
}

fn b2b_bant_with(name: &str, value: i64) -> Qualifier {
    Qualifier::builder(&Pack::b2b_bant()).param(name, value).build().unwrap()
}

/// Every count of the report, in the order the report prints them.
fn counts(r: &Comparison) -> [usize; 7] {
    [
        r.handoff_changes,
        r.handoff_stage_changes,
        r.stage_changes,
        r.grade_changes,
        r.temperature_changes,
        r.disqualification_changes,
        r.score_changes,
    ]
}

fn criterion_counts(r: &Comparison) -> Vec<(&str, usize)> {
    r.criterion_changes.iter().map(|(name, n)| (name.as_str(), *n)).collect()
}

#[test]
fn a_change_of_grade_alone_is_a_change() {
    let live = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let candidate = b2b_bant_with("grade_a", 45); // fit 42 is a B now
    let leads = [vp_lead("a"), budget_lead("b")];
    let report = shadow_compare(&live, &candidate, &leads, as_of());
    assert_eq!(counts(&report), [0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(criterion_counts(&report), [("budget", 0), ("authority", 0), ("need", 0), ("timeline", 0)]);
    assert_eq!(report.changes.len(), 1);
    let change = &report.changes[0];
    assert_eq!((change.lead_id.as_str(), change.fields.as_slice()), ("a", [Field::Grade].as_slice()));
    assert_eq!((change.added.len(), change.removed.len(), change.score_delta()), (0, 0, 0));
    let text = report.to_string();
    assert!(text.contains("\n2 leads: 1 changed, 1 unchanged, 0 failed\n"), "{text}");
    assert!(text.contains("\n  grade:               1\n"), "{text}");
    assert!(text.contains("\na: score 42 -> 42 (+0); grade A -> B\n"), "{text}");
}

#[test]
fn a_change_of_one_criterion_alone_is_a_change() {
    let live = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let candidate = b2b_bant_with("min_budget", 50000); // a 40,000 budget is below it now
    let leads = [budget_lead("a"), vp_lead("b"), budget_lead("c")];
    let report = shadow_compare(&live, &candidate, &leads, as_of());
    assert_eq!(counts(&report), [0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(criterion_counts(&report), [("budget", 2), ("authority", 0), ("need", 0), ("timeline", 0)]);
    let changed: Vec<(&str, &[Field])> =
        report.changes.iter().map(|c| (c.lead_id.as_str(), c.fields.as_slice())).collect();
    let budget = [Field::Criterion("budget".into())];
    assert_eq!(changed, [("a", budget.as_slice()), ("c", budget.as_slice())]);
    let text = report.to_string();
    assert!(text.contains("\n  criterion budget:    2\n"), "{text}");
    assert!(text.contains("\na: score 0 -> 0 (+0); budget met -> not_met\n"), "{text}");
}

#[test]
fn the_header_names_both_packs_with_short_hashes() {
    let live_pack = Pack::from_toml(SIZE_PACK).unwrap();
    let candidate_pack = Pack::from_toml(&SIZE_PACK.replace("version = \"1\"", "version = \"2\"")).unwrap();
    let live = Qualifier::new(&live_pack).unwrap();
    let candidate = Qualifier::builder(&candidate_pack).param("mql_threshold", 30).build().unwrap();
    let report = shadow_compare(&live, &candidate, &[], as_of());
    assert_eq!((report.live.version.as_str(), report.candidate.version.as_str()), ("1", "2"));
    assert_eq!(
        (report.live.hash.as_str(), report.candidate.hash.as_str()),
        (live_pack.hash(), candidate_pack.hash())
    );
    assert_ne!(live_pack.hash(), candidate_pack.hash());
    let short = |h: &str| h[..12].to_owned();
    let expected = format!(
        "size 1 (pack {}, params {}) -> size 2 (pack {}, params {})",
        short(live_pack.hash()),
        short(&live.pack().params_hash),
        short(candidate_pack.hash()),
        short(&candidate.pack().params_hash),
    );
    assert_eq!(report.to_string().lines().next(), Some(expected.as_str()));
    // No lead decided: no counts, and no criteria to count them by.
    assert_eq!((report.leads, report.changes.len(), report.criterion_changes.len()), (0, 0, 0));
}

/// Nine leads scored by size (live: MQL at 50; candidate: MQL at 30 and
/// retail loses 40 points), with what became of them.
fn judged_leads() -> (Vec<Lead>, impl Fn(&Lead) -> Outcome) {
    let leads = vec![
        size_lead("w1", 60, "software"), // both hand off
        size_lead("w2", 40, "software"), // only the candidate
        size_lead("w3", 60, "retail"),   // only live (the candidate scores it 20)
        size_lead("w4", 20, "software"), // neither
        size_lead("w5", 45, "software"), // only the candidate
        size_lead("l1", 40, "software"), // only the candidate
        size_lead("l2", 55, "retail"),   // only live (15)
        size_lead("l3", 60, "software"), // both
        size_lead("u1", 40, "software"), // only the candidate
        size_lead("u2", 10, "software"), // neither
        size_lead("x", 90, "mining"),    // fails with both packs
    ];
    let outcome = |l: &Lead| match &l.id.as_str()[..1] {
        "w" => Outcome::Converted,
        "l" => Outcome::NotConverted,
        _ => Outcome::Unknown,
    };
    (leads, outcome)
}

#[test]
fn outcomes_say_what_the_candidate_would_have_done_to_won_and_lost_leads() {
    let (leads, outcome) = judged_leads();
    let (live, candidate) = size_packs();
    let report = shadow_compare_with_outcomes(&live, &candidate, &leads, as_of(), outcome);
    let judged = report.outcomes.as_ref().unwrap();
    assert_eq!((judged.converted, judged.not_converted, judged.unknown), (5, 3, 2));
    assert_eq!(judged.converted_newly_handed_off, ["w2", "w5"]);
    assert_eq!(judged.converted_newly_held_back, ["w3"]);
    assert_eq!(judged.not_converted_newly_handed_off, ["l1"]);
    assert_eq!(judged.not_converted_newly_held_back, ["l2"]);
    // Live hands off w1, w3, l2, l3 (and no unknown lead); the candidate w1, w2, w5, l1, l3 (and u1).
    let rates = |r: &leadgate::authoring::Rates| (r.hits, r.handed_off, r.converted);
    assert_eq!(rates(&judged.live), (2, 4, 5));
    assert_eq!(rates(&judged.candidate), (3, 5, 5));
    assert_eq!((judged.live.precision(), judged.live.recall()), (Some(0.5), Some(0.4)));
    assert_eq!((judged.candidate.precision(), judged.candidate.recall()), (Some(0.6), Some(0.6)));
    // The failed lead is in no number.
    assert_eq!((report.leads, report.failed.len()), (11, 1));
    assert_eq!(report.handoff_changes, 6); // w2, w3, w5, l1, l2, u1
    let text = report.to_string();
    let block = "\
against outcomes: 5 converted, 3 not converted, 2 unknown (in no number below)
  converted, newly handed off: 2 (w2, w5)
  converted, newly held back: 1 (w3)
  not converted, newly handed off: 1 (l1)
  not converted, newly held back: 1 (l2)
  precision: live 2/4 (50.0%), candidate 3/5 (60.0%)
  recall:    live 2/5 (40.0%), candidate 3/5 (60.0%)
";
    assert!(text.contains(block), "{text}");
}

#[test]
fn outcomes_known_only_for_handed_off_leads_make_live_recall_perfect() {
    let (leads, _) = judged_leads();
    let (live, candidate) = size_packs();
    // As when sales judged only what the live pack sent: w1, w3, l2, l3.
    let live_handoffs = ["w1", "w3", "l2", "l3"];
    let outcome = |l: &Lead| match live_handoffs.contains(&l.id.as_str()) {
        true => Outcome::from(l.id.starts_with('w')),
        false => Outcome::Unknown,
    };
    let report = shadow_compare_with_outcomes(&live, &candidate, &leads, as_of(), outcome);
    let judged = report.outcomes.unwrap();
    assert_eq!((judged.converted, judged.not_converted, judged.unknown), (2, 2, 6));
    assert_eq!((judged.live.hits, judged.live.converted, judged.live.recall()), (2, 2, Some(1.0)));
    // Of those four the candidate hands off w1 and l3; what it newly hands
    // off (w2, w5, l1, u1) was never judged, so it counts nowhere.
    assert_eq!(
        (judged.candidate.hits, judged.candidate.handed_off, judged.candidate.recall()),
        (1, 2, Some(0.5))
    );
    assert_eq!(judged.converted_newly_held_back, ["w3"]);
    assert!(judged.converted_newly_handed_off.is_empty() && judged.not_converted_newly_handed_off.is_empty());
}

#[test]
fn without_outcomes_there_is_no_outcome_block() {
    let (leads, _) = judged_leads();
    let (live, candidate) = size_packs();
    let report = shadow_compare(&live, &candidate, &leads, as_of());
    assert_eq!(report.outcomes, None);
    assert!(!report.to_string().contains("against outcomes"));
}

#[test]
fn a_failed_evaluation_names_the_pack_that_failed() {
    let live = crate::manifest(SIZE_PACK);
    let candidate = crate::manifest(&SIZE_PACK.replace("\"mining\"", "\"energy\""));
    let leads = [size_lead("m", 10, "mining"), size_lead("e", 10, "energy"), size_lead("s", 10, "software")];
    let report = shadow_compare(&live, &candidate, &leads, as_of());
    let failed: Vec<(&str, Option<&str>, Option<&str>)> = report
        .failed
        .iter()
        .map(|f| {
            (
                f.lead_id.as_str(),
                f.live.as_ref().map(|e| e.message()),
                f.candidate.as_ref().map(|e| e.message()),
            )
        })
        .collect();
    assert_eq!(failed, [("m", Some("no mining"), None), ("e", None, Some("no mining"))]);
    let text = report.to_string();
    assert!(text.contains("\n3 leads: 0 changed, 1 unchanged, 2 failed\n"), "{text}");
    assert!(text.contains("\nm: failed with the live pack: no mining\n"), "{text}");
    assert!(text.contains("\ne: failed with the candidate pack: no mining\n"), "{text}");
}

#[test]
fn a_lead_both_packs_fail_on_is_one_failure_naming_both() {
    let live = crate::manifest(SIZE_PACK);
    let report = shadow_compare(&live, &live, &[size_lead("m", 10, "mining")], as_of());
    assert_eq!(report.failed.len(), 1);
    let f = &report.failed[0];
    assert_eq!((f.live.is_some(), f.candidate.is_some()), (true, true));
    let text = report.to_string();
    assert!(
        text.ends_with(
            "m: failed with the live pack: no mining\nm: failed with the candidate pack: no mining\n"
        ),
        "{text}"
    );
}

const PACK: &str = r#"
name = "t"
version = "1"
[params]
mql_threshold = 10
[[rules]]
name = "fit"
script = 'if lead.industry == "software" { decision.fit(20, "Software company"); }'
"#;

#[test]
fn compare_shows_what_a_candidate_pack_would_change() {
    let live = Qualifier::new(&Pack::from_toml(PACK).unwrap()).unwrap();
    let candidate_toml =
        PACK.replace("decision.fit(20, \"Software company\")", "decision.fit(5, \"Software company\")");
    let candidate = Qualifier::new(&Pack::from_toml(&candidate_toml).unwrap()).unwrap();
    let leads = [
        lead(r#"{"id": "s", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "software"}}"#),
        lead(r#"{"id": "r", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "retail"}}"#),
    ];
    let report = shadow_compare(&live, &candidate, &leads, as_of());
    assert_eq!(
        (report.leads, report.stage_changes, report.handoff_changes, report.score_changes),
        (2, 1, 1, 1)
    );
    let change = &report.changes[0];
    assert_eq!((&*change.lead_id, change.score_delta()), ("s", -15));
    assert_eq!(change.fields, [Field::Handoff, Field::Stage, Field::Score]);
    assert_eq!((change.before.stage, change.after.stage), (Stage::Mql, Stage::Lead));
    assert_eq!(change.added.iter().map(|c| c.points).collect::<Vec<_>>(), [5]);
    assert_eq!(change.removed.iter().map(|c| c.points).collect::<Vec<_>>(), [20]);
    let bucket = |label: &str| report.score_deltas.iter().find(|b| b.label == label).unwrap().count;
    assert_eq!((bucket("-19 to -10"), bucket("unchanged")), (1, 1));
    let text = report.to_string();
    let expected = "\
s: score 20 -> 5 (-15); handoff mql -> none; stage mql -> lead
    + +5 Software company (fit)
    - +20 Software company (fit)
";
    assert!(text.ends_with(expected), "{text}");
}

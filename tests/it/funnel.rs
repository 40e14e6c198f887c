//! Funnel numbers over the shipped sample leads' histories.

use chrono::{DateTime, Utc};
use leadgate::Stage;
use leadgate::funnel::{Funnel, GroupBy, rejection_reasons, time_in_stage, time_in_stage_grouped};
use leadgate::workflow::{Rejection, Sla, Workflow};
use leadgate::{Lead, Pack, Qualifier};

#[test]
fn the_sample_leads_funnel() {
    let leads = crate::sample_leads();
    let funnel = Funnel::of(&leads);
    assert_eq!(funnel.leads, 50);
    let lead_to_mql = funnel.step(Stage::Lead).unwrap();
    assert_eq!(lead_to_mql.reached, 50, "every sample lead is at least a lead");
    assert_eq!((lead_to_mql.converted, funnel.step(Stage::Sal).unwrap().reached), (4, 3), "{funnel:?}");

    let by_source = Funnel::grouped(&leads, &GroupBy::Source);
    assert!(by_source.contains_key("webinar") && by_source.contains_key("(none)"));
    let by_first_touch = Funnel::grouped(&leads, &GroupBy::FirstTouch);
    assert_eq!(by_first_touch.len(), 15);

    let stays = time_in_stage(&leads);
    assert!(stays.contains_key(&Stage::Mql), "{stays:?}");
    // One lead was sent back, counted by its code; the note stays out of the count.
    let recycled = rejection_reasons(&leads, &GroupBy::Source);
    assert_eq!(recycled.len(), 1);
    assert_eq!(recycled["event"].iter().collect::<Vec<_>>(), [(&"bad_timing".to_owned(), &1)]);

    // The report is plain data for dashboards.
    let json = serde_json::to_value(&funnel).unwrap();
    assert_eq!(json["steps"][0]["from"], "lead");
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A lead created `created`, moved through `moves` (stage, time).
fn lead(id: &str, source: &str, created: &str, moves: &[(Stage, &str)]) -> Lead {
    let mut lead = Lead::new(id, at(created));
    lead.source = Some(source.into());
    for (stage, t) in moves {
        lead.move_to(*stage, at(t), Some("moved")).unwrap();
    }
    lead
}

/// Leads of October and November, moving on through the autumn.
fn autumn() -> Vec<Lead> {
    use Stage::*;
    vec![
        // Created in October, an MQL in October, accepted in November, won in December.
        lead(
            "a",
            "webinar",
            "2026-10-03T00:00:00Z",
            &[
                (Mql, "2026-10-10T00:00:00Z"),
                (Sal, "2026-11-02T00:00:00Z"),
                (Sql, "2026-11-09T00:00:00Z"),
                (Opportunity, "2026-11-20T00:00:00Z"),
                (Customer, "2026-12-01T00:00:00Z"),
            ],
        ),
        // Created in October, an MQL in November, not yet accepted.
        lead("b", "webinar", "2026-10-20T00:00:00Z", &[(Mql, "2026-11-05T00:00:00Z")]),
        // Created in November, an MQL and accepted in November, then recycled.
        lead(
            "c",
            "partner",
            "2026-11-01T00:00:00Z",
            &[
                (Mql, "2026-11-03T00:00:00Z"),
                (Sal, "2026-11-04T00:00:00Z"),
                (Recycled, "2026-11-20T00:00:00Z"),
            ],
        ),
        // Created in November, still a lead.
        lead("d", "partner", "2026-11-15T00:00:00Z", &[]),
        // Imported in November as an SQL, without history.
        leadgate::Lead::from_json(r#"{"id": "e", "created_at": "2026-11-10T00:00:00Z", "stage": "sql"}"#)
            .unwrap(),
    ]
}

fn counts(f: &Funnel) -> Vec<(usize, usize)> {
    f.steps.iter().map(|s| (s.reached, s.converted)).collect()
}

#[test]
fn a_cohort_is_the_leads_created_in_a_period_followed_to_today() {
    let leads = autumn();
    let october = Funnel::cohort(&leads, at("2026-10-01T00:00:00Z")..at("2026-11-01T00:00:00Z"));
    assert_eq!(october.leads, 2);
    assert_eq!(counts(&october), [(2, 2), (2, 1), (1, 1), (1, 1), (1, 1)]);
    let november = Funnel::cohort(&leads, at("2026-11-01T00:00:00Z")..at("2026-12-01T00:00:00Z"));
    assert_eq!(november.leads, 3);
    // c reached SAL; e counts as having passed MQL and SAL on its way to SQL.
    assert_eq!(counts(&november), [(3, 2), (2, 2), (2, 1), (1, 0), (0, 0)]);
}

#[test]
fn stage_entries_count_the_leads_that_reached_each_stage_in_a_period() {
    let leads = autumn();
    let november = Funnel::entries(&leads, at("2026-11-01T00:00:00Z")..at("2026-12-01T00:00:00Z"));
    // Created in November: c, d, e. MQL in November: b, c, and e (imported beyond it).
    // SAL: a, c, e. SQL: a, e. Opportunity: a (won in December, so converted).
    assert_eq!(counts(&november), [(3, 2), (3, 2), (3, 2), (2, 1), (1, 1)]);
    assert_eq!(november.leads, 5);
    let december = Funnel::entries(&leads, at("2026-12-01T00:00:00Z")..at("2027-01-01T00:00:00Z"));
    assert_eq!(counts(&december), [(0, 0), (0, 0), (0, 0), (0, 0), (0, 0)]);
    assert_eq!(december.leads, 1); // a became a customer, the end of the path
}

#[test]
fn time_in_stage_is_grouped_like_conversion() {
    let by_source = time_in_stage_grouped(&autumn(), &GroupBy::Source);
    // e has no source and no completed stay.
    assert_eq!(by_source["(none)"].len(), 0);
    let mql = |source: &str| by_source[source].get(&Stage::Mql).map(|d| (d.count, d.median_days));
    // a was an MQL for 23 days; c for 1; b is still one (an open stay is not counted).
    assert_eq!((mql("webinar"), mql("partner")), (Some((1, 23.0)), Some((1, 1.0))));
}

#[test]
fn rejections_are_counted_by_code_whatever_sales_noted() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let workflow = Workflow::new(Sla::hours(24));
    let now = at("2026-11-23T09:00:00Z");
    let mut leads = Vec::new();
    for (id, reason, note) in [
        ("a", Rejection::BadTiming, Some("Q2 budget")),
        ("b", Rejection::BadTiming, Some("after the merger")),
        ("c", Rejection::BadTiming, None),
        ("d", Rejection::Competitor, Some("works at: RivalCRM")),
    ] {
        let mut lead = crate::lead(&format!(
            r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z", "campaign": "q4",
                "person": {{"seniority": "vp"}}, "company": {{"industry": "software", "employees": 500, "country": "US"}},
                "touchpoints": [{{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}}]}}"#
        ));
        let decision = q.evaluate(&lead, now).unwrap();
        let mut handoff = workflow.hand_off(&mut lead, &decision, now).unwrap().unwrap();
        workflow.reject(&mut lead, &mut handoff, now, reason, note).unwrap();
        leads.push(lead);
    }
    // A stage moved by hand, with words of its own.
    leads.push(lead("e", "x", "2026-11-01T00:00:00Z", &[(Stage::Mql, "2026-11-02T00:00:00Z")]));
    leads[4].campaign = Some("q4".into());
    leads[4].move_to(Stage::Disqualified, at("2026-11-03T00:00:00Z"), Some("spam")).unwrap();
    let q4: Vec<_> =
        rejection_reasons(&leads, &GroupBy::Campaign)["q4"].iter().map(|(k, v)| (k.clone(), *v)).collect();
    let expected =
        [("(unclassified)", 1), ("bad_timing", 3), ("competitor", 1)].map(|(k, v)| (k.to_owned(), v));
    assert_eq!(q4, expected);
}

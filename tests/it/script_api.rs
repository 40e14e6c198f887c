//! Every script-facing getter and function, as the rule-authoring guide documents it.

use crate::{as_of, lead, qualifier};

const LEAD: &str = r#"{
    "id": "S-1", "created_at": "2026-11-13T00:00:00Z",
    "person": {"name": "Zoë Müller", "email": "Zoe@Acme.io", "job_title": "Head of Ops", "seniority": "director", "department": "operations"},
    "company": {"name": "Acme", "domain": "acme.io", "industry": "software", "employees": 120,
                "annual_revenue": {"amount": 8000000, "currency": "EUR"}, "country": "DE"},
    "qualification": {"budget": {"amount": 25000, "currency": "EUR"}, "budget_confirmed": false,
                      "buying_role": "champion", "need": "faster onboarding", "pain_points": ["manual work", "errors"],
                      "timeline": "within_6_months", "purchase_date": "2026-12-23"},
    "source": "webinar", "campaign": "q4",
    "stage_history": [{"stage": "lead", "at": "2026-11-13T00:00:00Z"}, {"stage": "mql", "at": "2026-11-18T00:00:00Z"}],
    "touchpoints": [
        {"at": "2026-11-22T00:00:00Z", "channel": "pricing_page", "campaign": "q4"},
        {"at": "2026-11-21T00:00:00Z", "channel": "pricing_page"},
        {"at": "2026-11-03T00:00:00Z", "channel": "webinar", "campaign": "q4"},
        {"at": "2026-10-24T00:00:00Z", "channel": "call"},
        {"at": "2026-11-20T00:00:00Z", "channel": "custom:podcast"},
        {"at": "2026-12-01T00:00:00Z", "channel": "demo_request"}
    ],
    "attributes": {"plan": "enterprise", "seats": 40, "score": 4.5, "beta": true, "tags": ["a", "b"], "none": null}
}"#;

/// Builds one rule that throws on the first expression that is not as expected.
fn check(cases: &[(&str, &str)]) {
    let script: String = cases
        .iter()
        .map(|(expr, expected)| {
            format!(
                "if !(({expr}) == ({expected})) {{ throw `{}: got ${{{expr}}}`; }}\n",
                expr.replace('`', "'")
            )
        })
        .collect();
    let q = qualifier(&script);
    if let Err(e) = q.evaluate(&lead(LEAD), as_of()) {
        panic!("{e}");
    }
}

#[test]
fn identity_and_lifecycle() {
    check(&[
        ("lead.id", r#""S-1""#),
        ("lead.age_days", "10.0"),
        ("lead.source", r#""webinar""#),
        ("lead.campaign", r#""q4""#),
        ("lead.stage", r#""mql""#),
        ("lead.owner", r#""marketing""#),
        ("lead.days_in_stage", "5.0"),
    ]);
}

#[test]
fn person_and_company() {
    check(&[
        ("lead.name", r#""Zoë Müller""#),
        ("lead.email", r#""Zoe@Acme.io""#),
        ("lead.email_domain", r#""acme.io""#),
        ("lead.free_email", "false"),
        ("lead.job_title", r#""Head of Ops""#),
        ("lead.seniority", r#""director""#),
        ("lead.department", r#""operations""#),
        ("lead.company", r#""Acme""#),
        ("lead.domain", r#""acme.io""#),
        ("lead.industry", r#""software""#),
        ("lead.employees", "120"),
        ("lead.revenue", "8000000.0"),
        ("lead.revenue_currency", r#""EUR""#),
        ("lead.country", r#""DE""#),
    ]);
}

#[test]
fn qualification_facts() {
    check(&[
        ("lead.budget", "25000.0"),
        ("lead.budget_currency", r#""EUR""#),
        ("lead.budget_confirmed", "false"),
        ("lead.buying_role", r#""champion""#),
        ("lead.need", r#""faster onboarding""#),
        ("lead.pain_points.len()", "2"),
        ("lead.pain_points[1]", r#""errors""#),
        ("lead.timeline", r#""within_6_months""#),
        ("lead.days_to_purchase", "30"),
    ]);
}

#[test]
fn missing_values_are_empty_text_or_unit() {
    let script = r#"
        if lead.industry != "" { throw "industry" }
        if lead.employees != () { throw "employees" }
        if lead.employees >= 10 || lead.employees < 10 { throw "unknown compares false both ways" }
        if lead.budget_confirmed == true { throw "confirmed" }
        if lead.days_since_last() != () { throw "days since last" }
        if lead.days_to_purchase != () { throw "days to purchase" }
        if lead.free_email { throw "free email" }
        if lead.attr("x") != () { throw "attr" }
    "#;
    qualifier(script).evaluate(&crate::lead_with(""), as_of()).unwrap();
}

#[test]
fn touchpoint_aggregations_ignore_the_future() {
    check(&[
        ("lead.touches()", "5"),
        ("lead.touches(7)", "3"),
        ("lead.count(\"pricing_page\")", "2"),
        ("lead.count(\"pricing_page\", 1)", "1"),
        ("lead.count(\"demo_request\")", "0"),
        ("lead.count(\"custom:podcast\", 30)", "1"),
        ("lead.count_team(\"sales\", 60)", "1"),
        ("lead.count_team(\"marketing\", 7)", "3"),
        ("lead.count_team(\"sales\")", "1"),
        ("lead.count_campaign(\"q4\")", "2"),
        ("lead.touches(2.5)", "2"),
        ("lead.count(\"pricing_page\", 2.5)", "2"),
        ("lead.count_campaign(\"q4\", 30)", "2"),
        ("lead.channels()", "4"),
        ("lead.channels(7)", "2"),
        ("lead.days_since_last()", "1.0"),
        ("lead.days_since(\"webinar\")", "20.0"),
        ("lead.days_since(\"meeting\")", "()"),
        ("lead.decayed(\"webinar\", 10, 20)", "5.0"),
        ("lead.decayed(\"webinar\", 10, 0)", "10.0"),
    ]);
}

#[test]
fn custom_attributes_keep_their_json_types() {
    check(&[
        ("lead.attr(\"plan\")", r#""enterprise""#),
        ("lead.attr(\"seats\")", "40"),
        ("lead.attr(\"score\")", "4.5"),
        ("lead.attr(\"beta\")", "true"),
        ("lead.attr(\"tags\")[0]", r#""a""#),
        ("lead.attr(\"none\")", "()"),
        ("lead.attr(\"absent\")", "()"),
    ]);
}

#[test]
fn the_decision_object_reads_back_what_rules_wrote() {
    let d = qualifier(
        r#"
        decision.fit(10, "a");
        decision.fit(2.6, "rounded");
        decision.engagement(5, "b");
        decision.negative(4, "c");
        decision.negative(-3, "sign ignored");
        if decision.fit_score != 13 { throw "fit" }
        if decision.engagement_score != 5 { throw "engagement" }
        if decision.negative_score != -7 { throw "negative" }
        if decision.score != 11 { throw "score" }
        decision.met("budget", "has budget");
        decision.not_met("timeline", "next year");
        decision.unknown("need", "");
        if decision.met_count != 1 || decision.not_met_count != 1 || decision.unknown_count != 2 { throw "counts" }
        if decision.status("timeline") != "not_met" || !decision.is_met("budget") { throw "status" }
        decision.grade("B");
        decision.temperature("warm");
    "#,
    )
    .evaluate(&crate::lead_with(""), as_of())
    .unwrap();
    assert_eq!((d.fit, d.engagement, d.negative, d.score), (13, 5, -7, 11));
    assert_eq!(d.contributions.len(), 5);
    assert_eq!(d.grade, Some(leadgate::Grade::B));
    assert_eq!(d.temperature, Some(leadgate::Temperature::Warm));
    let budget = d.criteria.get("budget").unwrap();
    assert_eq!(budget.evidence.as_deref(), Some("has budget"));
    assert_eq!(budget.rule.as_deref(), Some("t"));
    assert_eq!(d.criteria.get("need").unwrap().evidence, None);
}

#[test]
fn list_parameters_support_in_and_indexing() {
    let q = crate::manifest(
        r#"
        name = "p"
        version = "1"
        [params]
        industries = ["software", "fintech"]
        [[rules]]
        name = "r"
        script = '''
        if !(lead.industry in params.industries) { throw "in" }
        if "retail" in params.industries { throw "not in" }
        if () in params.industries { throw "unit is in nothing" }
        if params.industries.len() != 2 || params.industries[1] != "fintech" { throw "index" }
        if params["industries"].len != 2 { throw "indexer" }
        '''
    "#,
    );
    q.evaluate(&lead(LEAD), as_of()).unwrap();
}

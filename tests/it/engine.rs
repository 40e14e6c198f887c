use leadgate::decision::Category;
use leadgate::pack::ParamValue;
use leadgate::{CriterionStatus, Grade, Lead, Pack, Qualifier, Stage, Temperature};

use crate::{as_of, lead, lead_with, manifest, qualifier};

/// A lead with touchpoints `days` before the as-of time on `channel`.
fn touched(channel: &str, days_ago: &[f64]) -> Lead {
    let tps: Vec<String> = days_ago
        .iter()
        .map(|d| {
            let at = as_of() - chrono::Duration::milliseconds((d * 86_400_000.0) as i64);
            format!(r#"{{"at": "{}", "channel": "{channel}"}}"#, at.to_rfc3339())
        })
        .collect();
    lead_with(&format!(r#""touchpoints": [{}]"#, tps.join(",")))
}

const TABLE: &str = r#"
    name = "table"
    version = "1"
    [params]
    half_life_days = 10
    channel_daily_cap = 10
    [points]
    webinar = 8
    pricing_page = 8
    unsubscribe = -15
"#;

#[test]
fn point_table_decays_by_half_life() {
    let q = manifest(TABLE);
    let d = q.evaluate(&touched("webinar", &[0.0, 10.0, 20.0]), as_of()).unwrap();
    // 8 + 4 + 2, each on its own day.
    assert_eq!(d.engagement, 14);
    assert_eq!(d.contributions.len(), 1);
    assert_eq!(&*d.contributions[0].rule, "points");
}

#[test]
fn point_table_caps_each_channel_per_day() {
    let q = manifest(TABLE);
    // Three pricing views on one day: 24 raw points, capped to 10.
    let d = q.evaluate(&touched("pricing_page", &[0.0, 0.0, 0.0]), as_of()).unwrap();
    assert_eq!(d.engagement, 10);
}

#[test]
fn negative_channels_count_as_negative() {
    let d = manifest(TABLE).evaluate(&touched("unsubscribe", &[0.0]), as_of()).unwrap();
    assert_eq!((d.engagement, d.negative, d.score), (0, -15, -15));
    assert_eq!(d.contributions[0].category, Category::Negative);
}

#[test]
fn touchpoints_after_as_of_are_ignored_so_decisions_replay() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let full = touched("demo_request", &[-5.0, 2.0]); // one in the future
    let past_only = touched("demo_request", &[2.0]);
    let a = q.evaluate(&full, as_of()).unwrap();
    let b = q.evaluate(&past_only, as_of()).unwrap();
    assert_eq!(a, b);
    // Replaying later sees it.
    let later = q.evaluate(&full, as_of() + chrono::Duration::days(6)).unwrap();
    assert_ne!(later.engagement, a.engagement);
}

#[test]
fn same_inputs_same_decision() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads = crate::sample_leads();
    let first = q.evaluate_batch(&leads, as_of());
    let again = Qualifier::new(&Pack::b2b_bant()).unwrap().evaluate_batch(&leads, as_of());
    assert_eq!(first, again);
}

#[test]
fn rules_run_in_order_and_see_earlier_points() {
    let q = manifest(
        r#"
        name = "order"
        version = "1"
        [[rules]]
        name = "first"
        script = 'decision.fit(10, "first")'
        [[rules]]
        name = "second"
        script = 'if decision.score == 10 { decision.fit(1, "saw the first rule") }'
        [[rules]]
        name = "quiet"
        script = 'let x = 1;'
    "#,
    );
    let d = q.evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!(d.fit, 11);
    assert_eq!(d.fired, ["first", "second"]);
    assert_eq!(d.stopped_by, None);
}

#[test]
fn variables_do_not_leak_between_rules() {
    let pack = Pack::from_toml(
        r#"
        name = "leak"
        version = "1"
        [[rules]]
        name = "a"
        script = 'let x = 1;'
        [[rules]]
        name = "b"
        script = 'x'
    "#,
    )
    .unwrap();
    let err = Qualifier::new(&pack).unwrap_err();
    assert!(err.to_string().contains("Undefined variable: x"), "{err}");
}

#[test]
fn disqualifying_stops_the_remaining_rules() {
    let q = manifest(
        r#"
        name = "dq"
        version = "1"
        [params]
        mql_threshold = 1
        [[rules]]
        name = "screen"
        script = '''
        decision.fit(50, "great fit");
        if lead.email_domain == "rival.com" { decision.disqualify("Competitor"); }
        '''
        [[rules]]
        name = "after"
        script = 'decision.fit(5, "never for competitors")'
    "#,
    );
    let rival = lead_with(r#""person": {"email": "x@rival.com"}"#);
    let d = q.evaluate(&rival, as_of()).unwrap();
    assert_eq!(d.stage, Stage::Disqualified);
    assert_eq!(d.disqualified.as_ref().map(|r| r.reason.as_str()), Some("Competitor"));
    assert_eq!(d.stopped_by.as_deref(), Some("screen"));
    assert_eq!(d.fired, ["screen"]);
    assert_eq!(d.fit, 50);
    assert!(d.handoff.is_none() && d.why_not_yet.is_none());
    // Others run on.
    let d = q.evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!(d.fit, 55);
    assert_eq!(d.stage, Stage::Mql);
}

#[test]
fn stop_ends_evaluation_without_disqualifying() {
    let q = manifest(
        r#"
        name = "s"
        version = "1"
        [[rules]]
        name = "a"
        script = 'decision.fit(1, "a"); decision.stop(); decision.fit(100, "unreachable");'
        [[rules]]
        name = "b"
        script = 'decision.fit(1, "b")'
    "#,
    );
    let d = q.evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!((d.fit, d.stage, d.stopped_by.as_deref()), (1, Stage::Lead, Some("a")));
}

const THRESHOLDS: &str = r#"
    name = "thresholds"
    version = "1"
    [params]
    mql_threshold = 50
    warm_threshold = 20
    hot_threshold = 50
    grade_a = 40
    grade_b = 30
    grade_c = 20
    grade_d = 10
    fit_cap = 45
    engagement_cap = 30
    score_cap = 60
    points = 0
    [[rules]]
    name = "award"
    script = 'decision.fit(params.points, "fit"); decision.engagement(params.points, "engagement");'
"#;

fn with_points(points: i64) -> leadgate::Decision {
    let pack = Pack::from_toml(THRESHOLDS).unwrap();
    let q = Qualifier::builder(&pack).param("points", points).build().unwrap();
    q.evaluate(&lead_with(""), as_of()).unwrap()
}

#[test]
fn grade_and_temperature_come_from_thresholds() {
    let cases = [
        (0, Grade::F, Temperature::Cold),
        (10, Grade::D, Temperature::Warm),
        (25, Grade::C, Temperature::Hot),
    ];
    for (points, grade, temperature) in cases {
        let d = with_points(points);
        assert_eq!((d.grade, d.temperature), (Some(grade), Some(temperature)), "{points}");
    }
    // Without thresholds, nothing is derived.
    let d = qualifier(r#"decision.fit(99, "x")"#).evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!((d.grade, d.temperature), (None, None));
}

#[test]
fn caps_are_contributions_so_the_sum_stays_exact() {
    let d = with_points(50);
    // fit 50 -> 45, engagement 50 -> 30, score 75 -> 60 (engagement gives way first).
    assert_eq!((d.fit, d.engagement, d.score), (45, 15, 60));
    assert_eq!(d.contributions.iter().map(|c| c.points).sum::<i64>(), d.score);
    assert_eq!(d.total(Category::Fit), d.fit);
    assert_eq!(d.total(Category::Engagement), d.engagement);
    assert!(d.contributions.iter().filter(|c| &*c.rule == "caps").count() == 3);
    assert!(d.fired.iter().any(|r| r == "caps"));
}

#[test]
fn mql_threshold_decides_stage_handoff_and_why_not_yet() {
    let below = with_points(20);
    assert_eq!(below.stage, Stage::Lead);
    assert!(below.handoff.is_none());
    let why = below.why_not_yet.unwrap();
    assert_eq!((why.threshold, why.points_needed), (Some(50), Some(10)));
    assert_eq!(why.unknown.len(), 4);

    let at = with_points(25);
    assert_eq!(at.stage, Stage::Mql);
    let handoff = at.handoff.unwrap();
    assert_eq!(handoff.stage, Stage::Mql);
    assert_eq!(handoff.rule, None);
    assert_eq!(&*handoff.reason, "Score 50 reached the MQL threshold of 50");
    assert!(at.why_not_yet.is_none());
}

#[test]
fn leads_already_with_sales_are_not_handed_off_again() {
    let q = Qualifier::builder(&Pack::from_toml(THRESHOLDS).unwrap()).param("points", 40).build().unwrap();
    let with_sales = lead(
        r#"{"id": "s", "created_at": "2026-01-01T00:00:00Z", "stage_history": [
            {"stage": "mql", "at": "2026-01-01T00:00:00Z"}, {"stage": "sal", "at": "2026-01-02T00:00:00Z"}]}"#,
    );
    let d = q.evaluate(&with_sales, as_of()).unwrap();
    assert_eq!(d.stage, Stage::Sal);
    assert!(d.handoff.is_none() && d.why_not_yet.is_none());
}

#[test]
fn rules_can_force_or_hold_the_handoff() {
    let q = manifest(
        r#"
        name = "h"
        version = "1"
        [params]
        mql_threshold = 10
        [[rules]]
        name = "h"
        script = '''
        decision.fit(20, "fit");
        if lead.industry == "retail" { decision.hold("Retail is not served yet"); }
        if lead.industry == "bank" { decision.stage("sql", "Banks buy fast"); decision.handoff("Call today"); }
        '''
    "#,
    );
    let held = q.evaluate(&lead_with(r#""company": {"industry": "retail"}"#), as_of()).unwrap();
    assert!(held.handoff.is_none());
    assert_eq!(held.why_not_yet.unwrap().held.unwrap().reason, "Retail is not served yet");
    let sql = q.evaluate(&lead_with(r#""company": {"industry": "bank"}"#), as_of()).unwrap();
    assert_eq!((sql.stage, sql.stage_reason.as_deref()), (Stage::Sql, Some("Banks buy fast")));
    let h = sql.handoff.unwrap();
    assert_eq!((h.stage, &*h.reason, h.rule.as_deref()), (Stage::Sql, "Call today", Some("h")));
}

#[test]
fn parameters_are_overridden_at_load_time_and_checked() {
    let pack = Pack::b2b_bant();
    let strict = Qualifier::builder(&pack).param("mql_threshold", 95).build().unwrap();
    assert_ne!(strict.pack().params_hash, Qualifier::new(&pack).unwrap().pack().params_hash);
    assert_eq!(strict.pack().hash, pack.hash());

    let err = Qualifier::builder(&pack).param("mql_threshold", "high").build().unwrap_err();
    assert!(err.to_string().contains("expected integer, got string"), "{err}");
    let err = Qualifier::builder(&pack).param_str("min_budget", "ten").param("nope", 1).build().unwrap_err();
    assert_eq!(err.problems().len(), 2, "{err}");
    let ok = Qualifier::builder(&pack).param_str("target_industries", "retail").build().unwrap();
    assert_eq!(ok.param("target_industries"), Some(&ParamValue::from(vec!["retail"])));
    // The pack's own values for what the tenant left alone; nothing for an undeclared name.
    assert_eq!(ok.param("min_budget"), pack.params().find(|(n, _)| *n == "min_budget").map(|(_, v)| v));
    assert_eq!(ok.param("nope"), None);
    assert_eq!(ok.params().count(), pack.params().count());
}

#[test]
fn tenants_of_one_pack_keep_their_own_reasons_lead_after_lead() {
    // One row of the shipped pack, "Buying in {days_to_purchase} days, beyond
    // {params.timeline_days}", resolved for two tenants: the same lead on the
    // same thread, alternately, reads each tenant's parameter in its reason.
    let pack = Pack::b2b_bant();
    let tenants =
        [60, 90].map(|days| Qualifier::builder(&pack).param("timeline_days", days).build().unwrap());
    let purchase = (as_of() + chrono::Duration::days(100)).format("%Y-%m-%d");
    let lead = lead_with(&format!(r#""qualification": {{"purchase_date": "{purchase}"}}"#));
    for _ in 0..3 {
        for (q, days) in tenants.iter().zip([60, 90]) {
            let d = q.evaluate(&lead, as_of()).unwrap();
            let timeline = d.criteria.get("timeline").unwrap();
            assert_eq!(timeline.status, CriterionStatus::NotMet);
            assert_eq!(
                timeline.evidence.as_deref(),
                Some(format!("Buying in 100 days, beyond {days}").as_str())
            );
        }
    }
}

#[test]
fn the_default_pack_decides_the_sample_leads() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads = crate::sample_leads();
    let decisions: Vec<_> = q.evaluate_batch(&leads, as_of()).into_iter().map(|r| r.unwrap()).collect();
    for (lead, d) in leads.iter().zip(&decisions) {
        assert_eq!(d.lead_id, lead.id, "input order");
        assert_eq!(d.contributions.iter().map(|c| c.points).sum::<i64>(), d.score);
        assert_eq!(d.fit + d.engagement + d.negative, d.score);
        assert!(d.score <= 100, "score cap");
    }
    let count = |f: &dyn Fn(&leadgate::Decision) -> bool| decisions.iter().filter(|d| f(d)).count();
    let counts = (
        count(&|d| d.handoff.as_ref().is_some_and(|h| h.stage == Stage::Sql)),
        count(&|d| d.handoff.as_ref().is_some_and(|h| h.stage == Stage::Mql)),
        count(&|d| d.stage == Stage::Disqualified),
        count(&|d| d.temperature == Some(Temperature::Cold)),
        count(&|d| d.why_not_yet.is_some()),
        decisions.iter().map(|d| d.score).max(),
    );
    // SQL and MQL handoffs, disqualified, cold, not yet, the highest score.
    assert_eq!(counts, (6, 11, 3, 14, 28, Some(100)));
}

#[test]
fn the_meddic_pack_has_its_own_criteria() {
    let q = Qualifier::new(&Pack::meddic()).unwrap();
    let lead = lead(
        r#"{"id": "E-1", "created_at": "2026-09-01T00:00:00Z",
            "person": {"seniority": "vp"}, "company": {"employees": 5000},
            "qualification": {"buying_role": "economic_buyer", "need": "consolidate vendors"},
            "attributes": {"meddic_metrics": "save 2M a year", "decision_criteria": "security, cost",
                           "decision_process": "board in Q1", "champion": "Kim"},
            "touchpoints": [{"at": "2026-11-20T00:00:00Z", "channel": "meeting"},
                            {"at": "2026-11-21T00:00:00Z", "channel": "webinar"}]}"#,
    );
    let d = q.evaluate(&lead, as_of()).unwrap();
    let names: Vec<_> = d.criteria.iter().map(|(n, _)| n.to_owned()).collect();
    assert_eq!(
        names,
        ["metrics", "economic_buyer", "decision_criteria", "decision_process", "identify_pain", "champion"]
    );
    assert_eq!(d.criteria.count(CriterionStatus::Met), 6);
    assert_eq!(d.stage, Stage::Sql);
    assert!(d.handoff.is_some());
}

#[test]
fn one_qualifier_serves_many_threads_identically() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads = crate::sample_leads();
    let expected = q.evaluate_batch(&leads, as_of());
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| q.evaluate_batch(&leads, as_of()))).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
    });
}

#[test]
fn the_decision_json_is_the_documented_contract() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let d = q.evaluate(&touched("webinar", &[1.0]), as_of()).unwrap();
    let json = serde_json::to_value(&d).unwrap();
    for key in [
        "lead_id",
        "as_of",
        "pack",
        "fit",
        "engagement",
        "negative",
        "score",
        "grade",
        "temperature",
        "criteria",
        "stage",
        "stage_reason",
        "handoff",
        "why_not_yet",
        "disqualified",
        "contributions",
        "fired",
        "stopped_by",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["as_of"], crate::AS_OF);
    assert_eq!(json["pack"]["name"], "b2b-bant");
    let c = &json["contributions"][0];
    assert!(c["points"].is_i64() && c["reason"].is_string() && c["category"] == "engagement");
    // Through text, as a consumer reads it (a `Value` map would sort the criteria).
    let back: leadgate::Decision = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(back, d);
}

#[test]
fn an_mql_whose_score_decayed_is_not_handed_off_again() {
    let q = Qualifier::builder(&Pack::from_toml(THRESHOLDS).unwrap()).param("points", 10).build().unwrap();
    let mql = lead(
        r#"{"id": "m", "created_at": "2026-01-01T00:00:00Z", "stage_history": [
            {"stage": "mql", "at": "2026-01-01T00:00:00Z"}]}"#,
    );
    let d = q.evaluate(&mql, as_of()).unwrap();
    assert_eq!(d.stage, Stage::Mql);
    assert!(d.handoff.is_none());
    assert_eq!(d.why_not_yet.unwrap().points_needed, Some(30));
}

#[test]
fn rules_see_the_capped_totals_the_decision_reports() {
    let q = manifest(
        r#"
        name = "capped"
        version = "1"
        [params]
        score_cap = 100
        [[rules]]
        name = "a"
        script = '''
        decision.fit(70, "fit");
        decision.engagement(70, "engagement");
        decision.stage("sql", "score " + decision.score + ", engagement " + decision.engagement_score);
        '''
    "#,
    );
    let d = q.evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!((d.score, d.engagement), (100, 30));
    assert_eq!(d.stage_reason.as_deref(), Some("score 100, engagement 30"));
}

#[test]
fn a_held_lead_keeps_its_stage() {
    let q = manifest(
        r#"
        name = "hold"
        version = "1"
        [params]
        mql_threshold = 10
        [[rules]]
        name = "h"
        script = 'decision.fit(50, "fit"); decision.hold("Waiting for the budget cycle");'
    "#,
    );
    let d = q.evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!(d.stage, Stage::Lead);
    assert!(d.handoff.is_none());
    assert_eq!(d.why_not_yet.unwrap().points_needed, Some(0));
}

#[test]
fn replays_see_the_stage_the_lead_had_then() {
    let q = Qualifier::builder(&Pack::from_toml(THRESHOLDS).unwrap()).param("points", 40).build().unwrap();
    let later_sal = lead(
        r#"{"id": "r", "created_at": "2026-01-01T00:00:00Z", "stage_history": [
            {"stage": "lead", "at": "2026-01-01T00:00:00Z"},
            {"stage": "mql", "at": "2026-12-01T00:00:00Z"},
            {"stage": "sal", "at": "2026-12-02T00:00:00Z"}]}"#,
    );
    // Today (2026-11-23) it was still a lead, so marketing hands it off.
    let then = q.evaluate(&later_sal, as_of()).unwrap();
    assert_eq!(then.stage, Stage::Mql);
    assert!(then.handoff.is_some());
    // In December sales has it.
    let now = q.evaluate(&later_sal, "2026-12-05T00:00:00Z".parse().unwrap()).unwrap();
    assert_eq!(now.stage, Stage::Sal);
    assert!(now.handoff.is_none());
}

#[test]
fn a_handoff_derived_from_a_rules_stage_names_the_rule() {
    let d = qualifier(r#"decision.stage("sql", "Asked for a quote");"#)
        .evaluate(&lead_with(""), as_of())
        .unwrap();
    let h = d.handoff.unwrap();
    assert_eq!((h.stage, &*h.reason, h.rule.as_deref()), (Stage::Sql, "Asked for a quote", Some("t")));
}

#[test]
fn a_one_file_pack_is_named_after_its_file() {
    let dir = std::env::temp_dir().join(format!("leadgate-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("my-rule.rhai");
    std::fs::write(&path, "decision.fit(3, \"x\");\nlet y = 1 / 0;\n").unwrap();
    let pack = Pack::load(&path).unwrap();
    assert_eq!((pack.name(), pack.rules().collect::<Vec<_>>()), ("my-rule", vec!["my_rule"]));
    let err = Qualifier::new(&pack).unwrap().evaluate(&lead_with(""), as_of()).unwrap_err();
    let loc = err.location().unwrap();
    assert_eq!((loc.script.as_str(), loc.line), ("my-rule.rhai", 2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "parallel")]
#[test]
fn parallel_batches_decide_exactly_as_sequential_ones() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let mut leads = crate::sample_leads();
    leads.push(leads[3].clone()); // a duplicate id, reported the same way
    assert_eq!(q.evaluate_batch_par(&leads, as_of()), q.evaluate_batch(&leads, as_of()));
}

#[test]
fn deciding_before_the_lead_was_created_is_an_error_for_that_lead_only() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    // Created after as_of, with everything a handoff needs: no decision at all.
    let future = lead(
        r#"{"id": "future", "created_at": "2026-11-30T00:00:00Z",
            "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500},
            "touchpoints": [{"at": "2026-11-22T00:00:00Z", "channel": "demo_request"}]}"#,
    );
    let results = q.evaluate_batch(&[future, lead_with("")], as_of());
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.kind(), leadgate::engine::EvalErrorKind::BeforeCreated);
    assert_eq!(err.lead_id(), "future");
    assert_eq!(err.rule(), None);
    assert!(results[1].is_ok());
    // At the creation instant itself, there is a lead to decide about.
    let created = lead_with("");
    assert!(q.evaluate(&created, created.created_at).is_ok());
}

/// Tenants' leads arrive in no particular order: a thread that decides for
/// one tenant, then another, then the first again, gives each lead exactly
/// the decision its own tenant gives it alone.
#[test]
fn tenants_in_turn_on_one_thread_decide_as_each_alone() {
    let scripted = |bonus: i64| {
        manifest(&format!(
            "name = \"t\"\nversion = \"1\"\n[params]\nbonus = {bonus}\n[[rules]]\nname = \"r\"\n\
             script = '''\ndecision.fit(params.bonus, \"bonus\");\n'''\n"
        ))
    };
    let tenants = [
        scripted(1),
        Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build().unwrap(),
        scripted(2),
        Qualifier::new(&Pack::meddic()).unwrap(),
        Qualifier::new(&Pack::b2b_bant()).unwrap(),
    ];
    let leads = crate::sample_leads();
    let json =
        |q: &Qualifier, lead: &Lead| serde_json::to_string(&q.evaluate(lead, as_of()).unwrap()).unwrap();
    let alone: Vec<Vec<String>> =
        tenants.iter().map(|q| leads.iter().map(|l| json(q, l)).collect()).collect();
    for (i, lead) in leads.iter().enumerate() {
        for (t, q) in tenants.iter().enumerate() {
            assert_eq!(json(q, lead), alone[t][i], "tenant {t}, lead {}", lead.id);
        }
    }
    assert!(alone[0][0].contains(r#""fit":1,"#) && alone[2][0].contains(r#""fit":2,"#));
}

//! Test cases shipped with packs: the shipped packs pass theirs, and a case
//! that should fail does, saying what was expected and what came out.

use leadgate::Pack;

#[test]
fn the_shipped_packs_pass_their_own_tests_and_cover_every_rule() {
    for pack in [Pack::b2b_bant(), Pack::meddic()] {
        let report = pack.run_tests().unwrap();
        assert!(report.passed(), "{}:\n{report}", pack.name());
        assert!(report.never_fired().is_empty(), "{}:\n{report}", pack.name());
    }
}

const PACK: &str = r#"
name = "t"
version = "1"
[params]
mql_threshold = 10
[[rules]]
name = "fit"
script = 'if lead.industry == "software" { decision.fit(20, "Software company"); }'
[[rules]]
name = "never"
script = 'if lead.industry == "mining" { decision.fit(1, "Mining"); }'
"#;

fn report(tests: &str) -> leadgate::authoring::TestReport {
    Pack::from_toml(&format!("{PACK}\n{tests}")).unwrap().run_tests().unwrap()
}

#[test]
fn mismatches_are_reported_with_expected_and_actual() {
    let r = report(
        r#"
        [[tests]]
        name = "wrong on purpose"
        as_of = "2026-11-23T00:00:00Z"
        lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "software"}}'
        expect = { stage = "sql", handoff = false, score = 5, score_min = 30, grade = "A", reason = "nowhere", criteria = { budget = "met" } }
        "#,
    );
    assert!(!r.passed());
    let failures = &r.cases()[0].failures;
    assert!(failures.contains(&"stage: expected sql, got mql".to_owned()), "{failures:#?}");
    assert!(failures.contains(&"handoff: expected false, got true".to_owned()), "{failures:#?}");
    assert!(failures.contains(&"score: expected 5, got 20".to_owned()), "{failures:#?}");
    assert!(failures.contains(&"score: expected 30..=none, got 20".to_owned()), "{failures:#?}");
    assert!(failures.contains(&"grade: expected A, got none".to_owned()), "{failures:#?}");
    assert!(failures.contains(&"criterion budget: expected met, got unknown".to_owned()), "{failures:#?}");
    assert!(failures.iter().any(|f| f.contains("\"nowhere\"")), "{failures:#?}");
    assert_eq!(r.cases()[0].decision.as_ref().unwrap().score, 20, "the decision is kept for explaining");
    assert!(r.to_string().contains("0 passed, 1 failed"));
}

#[test]
fn a_bad_lead_fails_its_case_only_and_coverage_names_untested_rules() {
    let r = report(
        r#"
        [[tests]]
        name = "broken lead"
        as_of = "2026-11-23T00:00:00Z"
        lead = '{"id": "a", "created_at": "yesterday"}'
        [[tests]]
        name = "fine"
        as_of = "2026-11-23T00:00:00Z"
        lead = '{"id": "b", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "software"}}'
        expect = { stage = "mql", reason = "Software" }
        "#,
    );
    assert!(
        r.cases()[0].failures[0].starts_with("lead: lead \"a\": created_at: invalid RFC 3339 time"),
        "{r}"
    );
    assert!(r.cases()[1].passed(), "{r}");
    assert_eq!(r.fired(), ["fit"]);
    assert_eq!(r.never_fired(), ["never"]);
}

#[test]
fn bad_cases_are_load_errors() {
    let bad = format!(
        "{PACK}\n[[tests]]\nname = \"x\"\nas_of = \"soon\"\nlead = '{{}}'\n[[tests]]\nname = \"y\"\nas_of = \"2026-11-23T00:00:00Z\"\n"
    );
    let err = Pack::from_toml(&bad).unwrap_err();
    assert_eq!(err.problems().len(), 2, "{err}");
    assert!(err.to_string().contains("test \"x\": as_of: invalid RFC 3339 time"), "{err}");
    assert!(
        err.to_string().contains(
            "test \"y\": give exactly one of `lead` (JSON), `lead_file`, `account` (a list of contacts' JSON) \
             or `account_file` (NDJSON)"
        ),
        "{err}"
    );
}

#[test]
fn cases_can_read_their_lead_from_a_file_next_to_the_manifest() {
    let dir = std::env::temp_dir().join(format!("leadgate-pack-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("hot.json"),
        r#"{"id": "h", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "software"}}"#,
    )
    .unwrap();
    let manifest = format!(
        "{PACK}\n[[tests]]\nname = \"from a file\"\nas_of = \"2026-11-23T00:00:00Z\"\nlead_file = \"hot.json\"\nexpect = {{ score = 20 }}\n"
    );
    std::fs::write(dir.join("pack.toml"), manifest).unwrap();
    let report = Pack::load(&dir).unwrap().run_tests().unwrap();
    assert!(report.passed(), "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn swapping_packs_under_load_never_mixes_them() {
    use leadgate::Qualifier;
    use leadgate::authoring::LiveQualifier;
    use std::sync::atomic::{AtomicBool, Ordering};

    let a = Qualifier::new(&Pack::from_toml(PACK).unwrap()).unwrap();
    let b_toml = PACK.replace("version = \"1\"", "version = \"2\"").replace("fit(20,", "fit(5,");
    let b = Qualifier::new(&Pack::from_toml(&b_toml).unwrap()).unwrap();
    let live = LiveQualifier::new(a.clone());
    let lead = crate::lead(
        r#"{"id": "s", "created_at": "2026-11-01T00:00:00Z", "company": {"industry": "software"}}"#,
    );
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut seen = [0usize; 2];
                    while !done.load(Ordering::Relaxed) {
                        let d = live.current().evaluate(&lead, crate::as_of()).unwrap();
                        // The score always belongs to the version that made it.
                        match (&*d.pack.version, d.fit) {
                            ("1", 20) => seen[0] += 1,
                            ("2", 5) => seen[1] += 1,
                            other => panic!("a mixed decision: {other:?}"),
                        }
                    }
                    seen
                })
            })
            .collect();
        for i in 0..200 {
            live.replace(if i % 2 == 0 { b.clone() } else { a.clone() });
            std::thread::yield_now();
        }
        live.replace(b.clone());
        done.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
    });
    assert_eq!(live.current().pack().version, "2");
}

#[test]
fn account_cases_check_the_account_decision() {
    let pack = Pack::from_toml(
        r#"
        name = "p"
        version = "1"
        criteria = []
        [params]
        half_life_days = 0
        [points]
        webinar = 10
        [account]
        mqa_threshold = 15
        required_roles = ["champion"]
        [[account.rules]]
        name = "big"
        table = [ { employees = { at_least = 100 }, fit = 10, reason = "Big" } ]
        [[tests]]
        name = "short of the threshold"
        as_of = "2026-11-23T00:00:00Z"
        account = [
          '{"id": "a", "created_at": "2026-11-01T00:00:00Z", "account_id": "X", "qualification": {"buying_role": "champion"}, "touchpoints": [{"at": "2026-11-20T00:00:00Z", "channel": "webinar"}]}',
          '{"id": "b", "created_at": "2026-11-01T00:00:00Z", "account_id": "X"}',
        ]
        expect = { score = 10, handoff = false, missing_roles = [], buying_group = [], reason = "5 points short" }
        [[tests]]
        name = "two accounts"
        as_of = "2026-11-23T00:00:00Z"
        account = [
          '{"id": "a", "created_at": "2026-11-01T00:00:00Z", "account_id": "X"}',
          '{"id": "b", "created_at": "2026-11-01T00:00:00Z", "account_id": "Y"}',
        ]
        [[tests]]
        name = "free mail"
        as_of = "2026-11-23T00:00:00Z"
        account = ['{"id": "a", "created_at": "2026-11-01T00:00:00Z", "person": {"email": "a@gmail.com"}}']
        [[tests]]
        name = "a lead case expecting account fields"
        as_of = "2026-11-23T00:00:00Z"
        lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z"}'
        expect = { missing_roles = ["champion"] }
    "#,
    )
    .unwrap();
    let r = pack.run_tests().unwrap();
    let failures: Vec<&[String]> = r.cases().iter().map(|c| &c.failures[..]).collect();
    assert_eq!(
        failures,
        [
            &[][..],
            &["the contacts form 2 accounts (X, Y), not one".to_owned()][..],
            &["contact \"a\" belongs to no account: give it an account_id or a company domain".to_owned()][..],
            &["missing_roles: expected [champion], got not an account".to_owned()][..],
        ]
    );
    assert_eq!(r.cases()[0].account.as_ref().map(|a| a.engagement), Some(10));
    assert_eq!(r.fired(), [] as [&str; 0]);
    assert_eq!(r.never_fired(), ["account.big"]);
}

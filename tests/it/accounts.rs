//! Accounts: grouping leads, rolling their engagement up by each method,
//! the buying group and the handoff, on hand-made accounts with exact
//! expected decisions; and the properties an account decision keeps.

use leadgate::account::{self, Account, AccountDecision, AccountKey, Grouping};
use leadgate::decision::Category;
use leadgate::{BuyingRole, Lead, Pack, Qualifier};
use proptest::prelude::*;

use crate::{as_of, lead};

/// A pack whose lead engagement is the point table alone (webinar 10,
/// email_open 1, no decay), with `account` as its `[account]` settings and
/// one account table of company fit.
fn pack(account: &str) -> Qualifier {
    let manifest = format!(
        r#"
        name = "accounts"
        version = "1"
        criteria = []
        [params]
        half_life_days = 0
        [points]
        webinar = 10
        email_open = 1
        call = 4
        [[rules]]
        name = "screen"
        table = [ {{ email_domain = "rival.com", disqualify = true, reason = "Competitor" }} ]
        [account]
        {account}
        [[account.rules]]
        name = "company"
        hit = "all"
        table = [
          {{ industry = "software", fit = 20, reason = "Software" }},
          {{ employees = {{ at_least = 100 }}, fit = 10, reason = "{{employees}} employees" }},
        ]
        "#
    );
    Qualifier::new(&Pack::from_toml(&manifest).unwrap_or_else(|e| panic!("{e}"))).unwrap()
}

/// A contact: `id` at `domain` in `role`, with `webinars` webinars a week
/// before [`crate::AS_OF`].
fn contact(id: &str, domain: &str, role: Option<&str>, webinars: usize) -> Lead {
    let touches: Vec<String> = (0..webinars)
        .map(|i| format!(r#"{{"at": "2026-11-16T{:02}:00:00Z", "channel": "webinar"}}"#, 8 + i))
        .collect();
    let role = role.map(|r| format!(r#""buying_role": "{r}""#)).unwrap_or_default();
    lead(&format!(
        r#"{{"id": "{id}", "created_at": "2026-10-01T00:00:00Z",
            "person": {{"email": "{id}@{domain}"}},
            "company": {{"industry": "software", "employees": 300}},
            "qualification": {{{role}}},
            "touchpoints": [{}]}}"#,
        touches.join(",")
    ))
}

fn decide(q: &Qualifier, leads: &[Lead]) -> AccountDecision {
    let grouping = account::group(leads);
    assert_eq!(grouping.accounts.len(), 1, "one account expected");
    q.evaluate_account(&grouping.accounts[0], as_of()).unwrap_or_else(|e| panic!("{e}"))
}

/// `(points, contact)` of each roll-up contribution.
fn rolled(d: &AccountDecision) -> Vec<(i64, &str)> {
    d.contributions
        .iter()
        .filter(|c| c.rule == "rollup")
        .map(|c| (c.points, c.contact.as_deref().unwrap()))
        .collect()
}

fn three() -> Vec<Lead> {
    vec![
        contact("c", "acme.com", Some("champion"), 4),
        contact("a", "acme.com", Some("economic_buyer"), 1),
        contact("b", "acme.com", None, 2),
    ]
}

#[test]
fn sum_with_a_contact_cap() {
    let d = decide(&pack("rollup = \"sum\"\ncontact_cap = 25"), &three());
    assert_eq!(rolled(&d), [(10, "a"), (20, "b"), (25, "c")]);
    let reasons: Vec<&str> = d.contributions.iter().map(|c| c.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "Engagement of a, economic buyer",
            "Engagement of b",
            "Engagement of c, champion (40, capped at 25)",
            "Software",
            "300 employees",
        ]
    );
    // The company's fit is counted once, not once per contact.
    assert_eq!((d.fit, d.engagement, d.negative, d.score), (30, 55, 0, 85));
    assert_eq!(d.total(Category::Engagement), 55);
    assert_eq!(d.points_from("c"), 25);
    let counted: Vec<(&str, i64, i64)> =
        d.contacts.iter().map(|c| (c.lead_id.as_str(), c.engagement, c.counted)).collect();
    assert_eq!(counted, [("a", 10, 10), ("b", 20, 20), ("c", 40, 25)]);
}

#[test]
fn sum_without_a_cap_takes_everything() {
    let d = decide(&pack("rollup = \"sum\""), &three());
    assert_eq!(rolled(&d), [(10, "a"), (20, "b"), (40, "c")]);
    assert_eq!(d.engagement, 70);
}

#[test]
fn top_n_takes_the_most_engaged() {
    let d = decide(&pack("rollup = \"top\"\ntop = 2"), &three());
    assert_eq!(rolled(&d), [(20, "b"), (40, "c")]);
    assert_eq!(d.contributions[0].reason, "Engagement of b, one of the 2 most engaged");
    assert_eq!(d.engagement, 60);
}

#[test]
fn top_n_breaks_ties_by_contact_id() {
    let leads = [
        contact("z", "acme.com", None, 1),
        contact("y", "acme.com", None, 1),
        contact("x", "acme.com", None, 1),
    ];
    let d = decide(&pack("rollup = \"top\"\ntop = 2"), &leads);
    assert_eq!(rolled(&d), [(10, "x"), (10, "y")]);
}

#[test]
fn max_takes_the_single_most_engaged() {
    let d = decide(&pack("rollup = \"max\""), &three());
    assert_eq!(rolled(&d), [(40, "c")]);
    assert_eq!(d.contributions[0].reason, "Engagement of c, champion, the most engaged contact");
}

#[test]
fn free_mail_contacts_form_no_account() {
    let leads = [
        contact("a", "acme.com", None, 1),
        contact("g", "gmail.com", None, 3),
        contact("o", "Outlook.com", None, 3),
    ];
    let grouping = account::group(&leads);
    let keys: Vec<&AccountKey> = grouping.accounts.iter().map(|a| &a.key).collect();
    assert_eq!(keys, [&AccountKey::Domain("acme.com".into())]);
    let unassigned: Vec<&str> = grouping.unassigned.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(unassigned, ["g", "o"]);
    // A free-mail contact that names its account joins it.
    let mut named = contact("g", "gmail.com", None, 3);
    named.account_id = Some("acme".into());
    assert_eq!(AccountKey::of(&named), Some(AccountKey::Id("acme".into())));
}

#[test]
fn a_contact_moving_between_accounts_takes_its_engagement_along() {
    let q = pack("rollup = \"sum\"");
    let mut leads = vec![
        contact("a", "acme.com", None, 1),
        contact("b", "acme.com", None, 2),
        contact("c", "globex.com", None, 3),
    ];
    let engagement = |leads: &[Lead]| -> Vec<(String, i64)> {
        account::group(leads)
            .accounts
            .iter()
            .map(|a| (a.key.to_string(), q.evaluate_account(a, as_of()).unwrap().engagement))
            .collect()
    };
    assert_eq!(engagement(&leads), [("acme.com".to_owned(), 30), ("globex.com".to_owned(), 30)]);
    // b changes jobs: the host files it under globex.
    leads[1].account_id = Some("globex.com".into());
    assert_eq!(
        engagement(&leads),
        [("globex.com".to_owned(), 20), ("acme.com".to_owned(), 10), ("globex.com".to_owned(), 30)]
    );
    // An account id and a domain are different keys even when they read alike.
    let grouping = account::group(&leads);
    assert_eq!(grouping.accounts[0].key, AccountKey::Id("globex.com".into()));
}

#[test]
fn an_account_whose_only_engaged_contact_is_disqualified() {
    let q = pack("rollup = \"sum\"\nmqa_threshold = 10\nrequired_roles = [\"economic_buyer\"]");
    let leads =
        [contact("spy", "rival.com", Some("economic_buyer"), 5), contact("idle", "rival.com", None, 0)];
    let mut leads = leads.to_vec();
    for l in &mut leads {
        l.company.domain = Some("acme.com".into());
    }
    let d = decide(&q, &leads);
    assert_eq!(rolled(&d), []);
    assert_eq!((d.fit, d.engagement, d.score), (30, 0, 30));
    let spy = &d.contacts[1];
    assert_eq!((spy.lead_id.as_str(), spy.disqualified, spy.engaged, spy.counted), ("spy", true, false, 0));
    assert_eq!(spy.engagement, 50); // its own decision kept its points; the account took none
    assert!(d.handoff.is_none());
    let gap = d.why_not_yet.unwrap();
    assert_eq!(gap.missing_roles, [BuyingRole::EconomicBuyer]);
    assert_eq!(gap.missing, ["no economic buyer engaged in 30 days"]);
    // The disqualified contact is left out of the buying group too.
    assert_eq!(d.buying_group.len(), 1);
    assert!(d.buying_group[0].contacts.is_empty());
}

#[test]
fn required_roles_met_hand_the_account_over_with_its_buying_group() {
    let q = pack("mqa_threshold = 60\nrequired_roles = [\"economic_buyer\", \"champion\"]");
    let d = decide(&q, &three());
    let handoff = d.handoff.unwrap();
    assert_eq!(
        handoff.reason,
        "Score 100 reached the MQA threshold of 60 with economic buyer and champion engaged"
    );
    assert_eq!(handoff.buying_group, ["a", "b", "c"]);
    assert!(d.why_not_yet.is_none());
    let roles: Vec<(BuyingRole, Vec<&str>, bool)> = d
        .buying_group
        .iter()
        .map(|r| (r.role, r.engaged.iter().map(|t| t.as_str()).collect(), r.required))
        .collect();
    assert_eq!(
        roles,
        [(BuyingRole::EconomicBuyer, vec!["a"], true), (BuyingRole::Champion, vec!["c"], true)]
    );
}

#[test]
fn required_roles_missing_hold_the_account_and_say_which() {
    let q = pack("mqa_threshold = 60\nengaged_days = 5\nrequired_roles = [\"decision_maker\", \"champion\"]");
    let d = decide(&q, &three());
    assert!(d.handoff.is_none());
    let gap = d.why_not_yet.unwrap();
    // The webinars were a week ago: outside a 5-day window nobody is engaged.
    assert_eq!(gap.missing_roles, [BuyingRole::DecisionMaker, BuyingRole::Champion]);
    assert_eq!(gap.missing, ["no decision maker engaged in 5 days", "no champion engaged in 5 days"]);
    assert_eq!((gap.threshold, gap.points_needed), (Some(60), Some(0)));
    let champion = d.buying_group.iter().find(|r| r.role == BuyingRole::Champion).unwrap();
    assert_eq!((champion.contacts.len(), champion.engaged.len()), (1, 0));
}

#[test]
fn below_the_threshold_the_gap_is_in_points() {
    let q = pack("rollup = \"max\"\nmqa_threshold = 80");
    let d = decide(&q, &three());
    let gap = d.why_not_yet.unwrap();
    assert_eq!((d.score, gap.points_needed), (70, Some(10)));
    assert_eq!(gap.missing, ["10 points short of the MQA threshold of 80"]);
}

#[test]
fn account_tables_read_the_buying_group() {
    let manifest = r#"
        name = "groups"
        version = "1"
        criteria = []
        [points]
        webinar = 10
        [account]
        criteria = ["coverage"]
        mqa_threshold = 1
        [[account.rules]]
        name = "group"
        hit = "all"
        table = [
          { engaged_contacts = { at_least = 2 }, engagement = 7, reason = "{engaged_contacts} engaged of {contacts}" },
          { roles.champion = 1, engaged.economic_buyer = 0, not_met = "coverage", reason = "A champion but no buyer engaged" },
        ]
    "#;
    let q = Qualifier::new(&Pack::from_toml(manifest).unwrap()).unwrap();
    let leads = [
        contact("a", "acme.com", Some("champion"), 1),
        contact("b", "acme.com", Some("economic_buyer"), 0),
        contact("c", "acme.com", None, 1),
    ];
    let d = decide(&q, &leads);
    let mine: Vec<(&str, Option<&str>)> = d
        .contributions
        .iter()
        .filter(|c| c.rule == "group")
        .map(|c| (c.reason.as_str(), c.contact.as_deref()))
        .collect();
    assert_eq!(mine, [("2 engaged of 3", None)]);
    assert_eq!(d.criteria.get("coverage").unwrap().status, leadgate::CriterionStatus::NotMet);
    let gap = d.why_not_yet.unwrap();
    assert_eq!(gap.unmet, ["coverage"]);
    assert_eq!(gap.missing, ["coverage is not met"]);
    assert_eq!(d.fired, ["rollup", "group"]);
}

#[test]
fn account_caps_grades_and_temperature() {
    let q = pack("score_cap = 50\ngrade_a = 30\ngrade_b = 10\nwarm_threshold = 20\nhot_threshold = 50");
    let d = decide(&q, &three());
    assert_eq!((d.fit, d.engagement, d.score), (30, 20, 50));
    let caps: Vec<(i64, &str)> =
        d.contributions.iter().filter(|c| c.rule == "caps").map(|c| (c.points, c.reason.as_str())).collect();
    assert_eq!(caps, [(-50, "Score capped at 50")]);
    assert_eq!(d.grade, Some(leadgate::Grade::A));
    assert_eq!(d.temperature, Some(leadgate::Temperature::Hot));
    // Every point sums exactly, caps included.
    assert_eq!(d.contributions.iter().map(|c| c.points).sum::<i64>(), d.score);
}

#[test]
fn errors_name_the_account_and_the_contact() {
    let q = pack("rollup = \"sum\"");
    let mut late = contact("late", "acme.com", None, 0);
    late.created_at = "2026-12-01T00:00:00Z".parse().unwrap();
    let account = Account::new(AccountKey::Domain("acme.com".into()), [&late]);
    let err = q.evaluate_account(&account, as_of()).unwrap_err();
    assert_eq!((err.account(), err.lead_id()), (Some("acme.com"), "late"));

    let twin = contact("a", "acme.com", None, 0);
    let account = Account::new(AccountKey::Domain("acme.com".into()), [&twin, &twin]);
    let err = q.evaluate_account(&account, as_of()).unwrap_err();
    assert_eq!(err.kind(), leadgate::engine::EvalErrorKind::DuplicateId);
    assert_eq!(err.to_string(), r#"account "acme.com": two contacts have the id "a""#);
}

#[test]
fn a_pack_without_an_account_section_sums_engagement_and_never_hands_off() {
    let pack = Pack::from_toml(
        "name = \"p\"\nversion = \"1\"\ncriteria = []\n[points]\nwebinar = 10\n[params]\nhalf_life_days = 0",
    )
    .unwrap();
    let q = Qualifier::new(&pack).unwrap();
    let d = decide(&q, &three());
    assert_eq!((d.fit, d.engagement), (0, 70));
    assert_eq!(d.why_not_yet.unwrap().missing, ["the pack sets no MQA threshold"]);
}

#[test]
fn account_sections_are_checked_with_every_problem_and_suggestions() {
    let err = Pack::from_toml(
        r#"
        name = "p"
        version = "1"
        [account]
        rollup = "average"
        mqa_treshold = 10
        required_roles = ["buyer"]
        top = 2
        [[account.rules]]
        name = "x"
        table = [ { seniority = "vp", fit = 1, reason = "r" } ]
        [[account.rules]]
        name = "y"
        script = "decision.fit(1, \"r\")"
        [[account.rules]]
        name = "z"
        table = [ { contacts = 1, fit = 1, reason = "r" } ]
    "#,
    )
    .unwrap_err();
    let messages: Vec<&str> = err.problems().iter().map(|p| p.message()).collect();
    assert_eq!(
        messages,
        [
            "row 1: `seniority` is a contact's field; an account table reads the company (company, domain, \
             industry, employees, revenue, revenue_currency, country), contacts, engaged_contacts, \
             roles.<role>, engaged.<role> and status.<criterion>",
            "[account] unknown setting \"mqa_treshold\" (did you mean \"mqa_threshold\"?)",
            "[account] required_roles: unknown buying role \"buyer\"; expected one of: decision_maker, \
             economic_buyer, champion, influencer, evaluator, end_user, gatekeeper",
            "[account] rollup: unknown roll-up method \"average\"; expected one of: sum, top, max",
            "[account] table \"z\" comes after script \"y\": tables run before scripts, so write them first",
        ]
    );
    // Account counts are for account tables only.
    let err = Pack::from_toml(
        "name = \"p\"\nversion = \"1\"\n[[rules]]\nname = \"r\"\ntable = [ { contacts = 2, fit = 1, reason = \"r\" } ]",
    )
    .unwrap_err();
    assert_eq!(
        err.problems()[0].message(),
        "row 1: `contacts` is an account's; write it in an [[account.rules]] table"
    );
}

#[test]
fn account_numbers_may_be_parameters_a_tenant_overrides() {
    let manifest = r#"
        name = "p"
        version = "1"
        criteria = []
        [params]
        half_life_days = 0
        account_mqa = 100
        window = 30
        [points]
        webinar = 10
        [account]
        mqa_threshold = "params.account_mqa"
        engaged_days = "params.window"
    "#;
    let pack = Pack::from_toml(manifest).unwrap();
    let q = Qualifier::new(&pack).unwrap();
    assert!(q.warnings().is_empty(), "{:?}", q.warnings());
    assert!(decide(&q, &three()).handoff.is_none());
    let tenant = Qualifier::builder(&pack).param("account_mqa", 50).build().unwrap();
    assert!(decide(&tenant, &three()).handoff.is_some());
    let err = Qualifier::builder(&pack).param("window", 0).build().unwrap_err();
    assert_eq!(
        err.problems()[0].message(),
        "[account] engaged_days must be a number of days above 0 and at most 36525, got 0"
    );
}

#[test]
fn the_shipped_pack_decides_the_sample_accounts() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/accounts.ndjson"))
        .unwrap();
    let leads: Vec<Lead> = leadgate::read_leads(&text).map(|r| r.unwrap().lead).collect();
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let Grouping { accounts, unassigned, .. } = account::group(&leads);
    let unassigned: Vec<&str> = unassigned.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(unassigned, ["F-601", "F-602"]);
    let decisions: Vec<serde_json::Value> = accounts
        .iter()
        .map(|a| serde_json::to_value(q.evaluate_account(a, as_of()).unwrap()).unwrap())
        .collect();
    insta::assert_json_snapshot!("b2b_bant_accounts", decisions);
}

fn arb_contact() -> impl Strategy<Value = Lead> {
    (0usize..6, prop::option::of(prop::sample::select(BuyingRole::ALL.to_vec())), 0u8..3, any::<bool>())
        .prop_map(|(webinars, role, calls, rival)| {
            let mut l = contact("x", if rival { "rival.com" } else { "acme.com" }, None, webinars);
            l.qualification.buying_role = role;
            for i in 0..calls {
                l.touchpoints.push(leadgate::Touchpoint::new(
                    format!("2026-11-{:02}T10:00:00Z", 10 + i).parse().unwrap(),
                    leadgate::Channel::Call,
                ));
            }
            l
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Shuffling the contacts changes nothing.
    #[test]
    fn an_account_decision_does_not_depend_on_contact_order(
        mut contacts in prop::collection::vec(arb_contact(), 1..8),
        rollup in prop::sample::select(vec!["rollup = \"sum\"\ncontact_cap = 25", "rollup = \"top\"\ntop = 2", "rollup = \"max\""]),
        seed in any::<u64>(),
    ) {
        for (i, c) in contacts.iter_mut().enumerate() {
            c.id = format!("c{i}").into();
        }
        let q = pack(&format!("{rollup}\nmqa_threshold = 40\nrequired_roles = [\"champion\"]"));
        let key = AccountKey::Id("A".into());
        let forward = q.evaluate_account(&Account::new(key.clone(), &contacts), as_of()).unwrap();
        let mut shuffled: Vec<&Lead> = contacts.iter().collect();
        // A deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut account = Account::new(key, shuffled.iter().copied());
        prop_assert_eq!(&q.evaluate_account(&account, as_of()).unwrap(), &forward);
        // Even when the host fills the (public) contacts in its own order.
        account.contacts = shuffled;
        prop_assert_eq!(&q.evaluate_account(&account, as_of()).unwrap(), &forward);
        // Points sum exactly, and each contact's points are what the account took from it.
        prop_assert_eq!(forward.contributions.iter().map(|c| c.points).sum::<i64>(), forward.score);
        for c in &forward.contacts {
            prop_assert_eq!(forward.points_from(&c.lead_id), c.counted);
        }
    }

    /// An account of one contact, decided by an account section written
    /// like the lead rules (the same company fit, engagement taken whole,
    /// the same threshold), agrees with the contact's own decision.
    #[test]
    fn an_account_of_one_agrees_with_its_lead(
        contact in arb_contact(),
        rollup in prop::sample::select(vec!["rollup = \"sum\"", "rollup = \"max\"", "rollup = \"top\"\ntop = 1"]),
    ) {
        let company = r#"hit = "all"
            table = [
              { industry = "software", fit = 20, reason = "Software" },
              { employees = { at_least = 100 }, fit = 10, reason = "Big enough" },
            ]"#;
        let manifest = format!(
            r#"
            name = "alike"
            version = "1"
            criteria = []
            [params]
            half_life_days = 0
            mql_threshold = 45
            [points]
            webinar = 10
            call = 4
            [[rules]]
            name = "company"
            {company}
            [account]
            {rollup}
            mqa_threshold = "params.mql_threshold"
            [[account.rules]]
            name = "company"
            {company}
            "#
        );
        let q = Qualifier::new(&Pack::from_toml(&manifest).unwrap()).unwrap();
        let lead = q.evaluate(&contact, as_of()).unwrap();
        let account = q.evaluate_account(&Account::new(AccountKey::Id("A".into()), [&contact]), as_of()).unwrap();
        prop_assert_eq!((account.fit, account.engagement, account.score), (lead.fit, lead.engagement, lead.score));
        prop_assert_eq!(account.handoff.is_some(), lead.handoff.is_some());
    }
}

#[test]
fn handing_an_account_over_moves_its_buying_group_and_records_it() {
    use leadgate::Stage;
    use leadgate::workflow::{Sla, Workflow, WorkflowErrorKind};
    let q = pack("mqa_threshold = 60\nrequired_roles = [\"champion\"]");
    let mut contacts = three();
    // `b` is already with sales: it stays where it is.
    contacts[2].move_to(Stage::Mql, "2026-11-10T00:00:00Z".parse().unwrap(), None).unwrap();
    contacts[2].move_to(Stage::Sal, "2026-11-11T00:00:00Z".parse().unwrap(), None).unwrap();
    let decide = |contacts: &[Lead]| decide(&q, contacts);
    let decision = decide(&contacts);
    let workflow = Workflow::new(Sla::hours(24));
    let now = as_of();

    // A contact of the buying group missing, or one that moved since: nothing moves.
    let err = workflow.hand_off_account(&mut contacts[..2], &decision, now).unwrap_err();
    assert_eq!((err.kind(), err.lead_id()), (WorkflowErrorKind::WrongLead, "b"));
    let mut moved = contacts.clone();
    let later = now + chrono::Duration::hours(1);
    moved[0].move_to(Stage::Mql, later, None).unwrap();
    let err = workflow.hand_off_account(&mut moved, &decision, later).unwrap_err();
    assert_eq!((err.kind(), err.lead_id()), (WorkflowErrorKind::StaleDecision, "c"));
    assert_eq!(moved[1].stage(), Stage::Lead);

    let record = workflow.hand_off_account(&mut contacts, &decision, now).unwrap().unwrap();
    assert_eq!(record.buying_group, ["a", "b", "c"]);
    let handed: Vec<(&str, Stage)> =
        record.contacts.iter().map(|h| (h.lead_id.as_str(), h.recommended)).collect();
    assert_eq!(handed, [("a", Stage::Mql), ("c", Stage::Mql)]);
    let stages: Vec<Stage> = contacts.iter().map(|l| l.stage()).collect();
    assert_eq!(stages, [Stage::Mql, Stage::Mql, Stage::Sal]);
    assert_eq!(record.due, "2026-11-24T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["account"], serde_json::json!({"domain": "acme.com"}));

    // Each contact's handoff is answered as a lead's.
    let mut a = record.contacts[0].clone();
    workflow.reject(&mut contacts[1], &mut a, now, leadgate::workflow::Rejection::BadTiming, None).unwrap();
    assert_eq!(contacts[1].stage(), Stage::Recycled);
}

#[test]
fn funnels_count_accounts_and_group_leads_by_account() {
    use leadgate::Stage;
    use leadgate::funnel::{Funnel, GroupBy};
    let at =
        |d: u32| -> chrono::DateTime<chrono::Utc> { format!("2026-11-{d:02}T00:00:00Z").parse().unwrap() };
    let mut leads = vec![
        contact("a1", "acme.com", None, 0),
        contact("a2", "acme.com", None, 0),
        contact("g1", "globex.com", None, 0),
        contact("x", "gmail.com", None, 0),
    ];
    leads[1].move_to(Stage::Mql, at(2), None).unwrap();
    leads[1].move_to(Stage::Sal, at(3), None).unwrap();
    leads[1].move_to(Stage::Sql, at(4), None).unwrap();
    leads[3].move_to(Stage::Mql, at(2), None).unwrap();
    let accounts = Funnel::of_accounts(&leads);
    assert_eq!(accounts.leads, 2);
    let converted: Vec<(usize, usize)> = accounts.steps.iter().map(|s| (s.reached, s.converted)).collect();
    assert_eq!(converted, [(2, 1), (1, 1), (1, 1), (1, 0), (0, 0)]);
    let by_account = Funnel::grouped(&leads, &GroupBy::Account);
    let sizes: Vec<(&str, usize)> = by_account.iter().map(|(k, f)| (k.as_str(), f.leads)).collect();
    assert_eq!(sizes, [("(none)", 1), ("acme.com", 2), ("globex.com", 1)]);
}

/// A pack whose account rules end with `script`, over lead rules that
/// score webinars and mark `need`.
fn scripted(script: &str) -> Qualifier {
    let manifest = format!(
        r#"
        name = "scripted"
        version = "1"
        criteria = ["need"]
        [params]
        half_life_days = 0
        big = 250
        [points]
        webinar = 10
        [[rules]]
        name = "need"
        table = [ {{ need = {{ present = true }}, met = "need", reason = "Stated need" }} ]
        [account]
        criteria = ["coverage"]
        mqa_threshold = 500
        [[account.rules]]
        name = "company"
        table = [ {{ industry = "software", fit = 20, reason = "Software" }} ]
        [[account.rules]]
        name = "group"
        script = '''
{script}'''
        "#
    );
    Qualifier::new(&Pack::from_toml(&manifest).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn account_scripts_read_the_account_and_fill_its_decision() {
    let q = scripted(
        r#"if account.industry == "software" && account.employees >= params.big {
    decision.fit(5, `Big software company: ${account.company}`);
}
let engaged = account.engaged_within(10);
if engaged >= 2 { decision.engagement(engaged * 3, "Several people active this week"); }
if account.role_count("champion") > 0 && account.engaged_count("economic_buyer") == 0 {
    decision.not_met("coverage", "A champion, but the economic buyer is quiet");
}
if account.met_count("need") >= 1 { decision.temperature("hot"); }
if account.stage_count("sal") > 0 { decision.handoff("Sales already works a contact"); }"#,
    );
    let mut leads = three();
    leads[0].company.name = Some("Acme".into());
    leads[1].qualification.need = Some("routing".into());
    let d = decide(&q, &leads);
    let mine: Vec<(i64, &str)> =
        d.contributions.iter().filter(|c| c.rule == "group").map(|c| (c.points, c.reason.as_str())).collect();
    assert_eq!(mine, [(5, "Big software company: Acme"), (9, "Several people active this week")]);
    // The economic buyer went to a webinar this week: coverage is not judged.
    assert_eq!(d.criteria.get("coverage").unwrap().status, leadgate::CriterionStatus::Unknown);
    assert_eq!(d.temperature, Some(leadgate::Temperature::Hot));
    assert_eq!(d.fired, ["rollup", "company", "group"]);
    assert_eq!((d.fit, d.engagement, d.score), (25, 79, 104));
    assert!(d.handoff.is_none());

    // Sales already has a contact: the rule hands the account over whatever the threshold.
    leads[2].move_to(leadgate::Stage::Mql, "2026-11-20T00:00:00Z".parse().unwrap(), None).unwrap();
    leads[2].move_to(leadgate::Stage::Sal, "2026-11-21T00:00:00Z".parse().unwrap(), None).unwrap();
    let d = decide(&q, &leads);
    let handoff = d.handoff.unwrap();
    assert_eq!(
        (handoff.reason.as_str(), handoff.rule.as_deref()),
        ("Sales already works a contact", Some("group"))
    );
}

#[test]
fn an_account_rule_holds_and_disqualifies_with_its_reason() {
    let q = scripted(r#"if account.max_score() < 1000 { decision.hold("Wait for the board meeting"); }"#);
    let gap = decide(&q, &three()).why_not_yet.unwrap();
    assert_eq!(
        gap.held.as_ref().map(|h| (h.reason.as_str(), h.rule.as_str())),
        Some(("Wait for the board meeting", "group"))
    );
    assert_eq!(gap.missing[0], "held: Wait for the board meeting");

    let q = scripted(
        r#"if account.contacts > 2 { decision.disqualify("Too many cooks"); } decision.fit(1, "never");"#,
    );
    let d = decide(&q, &three());
    assert_eq!(d.disqualified.map(|q| q.reason.to_string()), Some("Too many cooks".into()));
    assert_eq!(d.stopped_by.as_deref(), Some("group"));
    assert!(d.contributions.iter().all(|c| c.reason != "never"));
}

#[test]
fn account_script_errors_name_the_account_rule_line_and_column() {
    let q = scripted("let x = 1;\nlet y = x / (account.contacts - 3);");
    let err = q.evaluate_account(&Account::new(AccountKey::Id("A".into()), &three()), as_of()).unwrap_err();
    assert_eq!((err.account(), err.lead_id(), err.rule()), (Some("A"), "", Some("group")));
    let location = err.location().unwrap();
    assert_eq!((location.script.as_str(), location.line), ("pack.toml", 23));
    assert!(err.to_string().starts_with(r#"account "A": rule "group" (pack.toml:23:"#), "{err}");

    let q = scripted(r#"decision.stage("sal", "no")"#);
    let err = q.evaluate_account(&Account::new(AccountKey::Id("A".into()), &three()), as_of()).unwrap_err();
    assert_eq!(err.message(), "an account has no stage: `decision.stage` is for lead rules");

    // Every call of the sandbox's budget counts, the account's as a lead's.
    let q = Qualifier::builder(
        &Pack::from_toml(
            "name = \"p\"\nversion = \"1\"\ncriteria = []\n[[account.rules]]\nname = \"busy\"\n\
             script = 'let n = account.engaged_within(1) + account.engaged_within(2) + account.max_score();'",
        )
        .unwrap(),
    )
    .limits({
        let mut limits = leadgate::Limits::default();
        limits.max_operations = 1;
        limits
    })
    .build()
    .unwrap();
    let err = q.evaluate_account(&Account::new(AccountKey::Id("A".into()), &three()), as_of()).unwrap_err();
    assert_eq!(err.kind(), leadgate::engine::EvalErrorKind::TooManyOperations);
}

#[test]
fn account_and_lead_rules_see_their_own_variables() {
    let lead_in_account = Pack::from_toml(
        "name = \"p\"\nversion = \"1\"\n[[account.rules]]\nname = \"a\"\nscript = 'if lead.industry == \"x\" {}'",
    )
    .unwrap();
    let err = Qualifier::new(&lead_in_account).unwrap_err();
    assert_eq!(err.problems()[0].message(), "Undefined variable: lead");
    let account_in_lead = Pack::from_toml(
        "name = \"p\"\nversion = \"1\"\n[[rules]]\nname = \"a\"\nscript = 'if account.contacts > 1 {}'",
    )
    .unwrap();
    let err = Qualifier::new(&account_in_lead).unwrap_err();
    assert_eq!(err.problems()[0].message(), "Undefined variable: account");
    let bad_role = Pack::from_toml(
        "name = \"p\"\nversion = \"1\"\n[[account.rules]]\nname = \"a\"\nscript = 'account.role_count(\"champ\")'",
    )
    .unwrap();
    let err = Qualifier::new(&bad_role).unwrap_err();
    assert_eq!(
        err.problems()[0].message(),
        "unknown buying role \"champ\"; expected one of: decision_maker, economic_buyer, champion, influencer, \
         evaluator, end_user, gatekeeper"
    );
    let typo = Pack::from_toml(
        "name = \"p\"\nversion = \"1\"\n[[account.rules]]\nname = \"a\"\nscript = 'account.role_cont(\"champion\")'",
    )
    .unwrap();
    let err = Qualifier::new(&typo).unwrap_err();
    assert_eq!(
        err.problems()[0].message(),
        "`account` has no function \"role_cont\" (did you mean \"role_count\"?)"
    );
}

#[test]
fn shadow_comparison_of_accounts_reports_every_change_and_failure() {
    use leadgate::authoring::{Field, shadow_compare_accounts};
    let live = pack("mqa_threshold = 60\ncriteria = [\"coverage\"]");
    let manifest = |extra: &str| {
        format!(
            r#"
            name = "accounts"
            version = "2"
            criteria = []
            [params]
            half_life_days = 0
            [points]
            webinar = 10
            [account]
            mqa_threshold = 60
            criteria = ["coverage"]
            [[account.rules]]
            name = "coverage"
            table = [ {{ engaged.champion = 0, not_met = "coverage", reason = "No champion" }} ]
            {extra}
            "#
        )
    };
    let candidate = Qualifier::new(&Pack::from_toml(&manifest("")).unwrap()).unwrap();
    let with_champion = three();
    let without: Vec<Lead> = three()
        .into_iter()
        .map(|mut l| {
            l.company.domain = Some("globex.com".into());
            l.person.email = None;
            l.qualification.buying_role = None;
            l
        })
        .collect();
    let mut leads = with_champion.clone();
    leads.extend(without);
    let grouping = account::group(&leads);
    let report = shadow_compare_accounts(&live, &candidate, &grouping.accounts, as_of());
    assert_eq!((report.accounts, report.changes.len(), report.failed.len()), (2, 2, 0));
    let fields: Vec<(&str, &[Field])> =
        report.changes.iter().map(|c| (c.account.as_str(), &c.fields[..])).collect();
    assert_eq!(
        fields,
        [
            ("acme.com", &[Field::Score][..]),
            (
                "globex.com",
                &[Field::Handoff, Field::BuyingGroup, Field::Criterion("coverage".into()), Field::Score][..]
            ),
        ]
    );
    let removed: Vec<&str> = report.changes[0].removed.iter().map(|c| c.reason.as_str()).collect();
    assert_eq!(removed, ["Software", "300 employees"]);

    let broken = Qualifier::new(
        &Pack::from_toml(&manifest("[[account.rules]]\nname = \"boom\"\nscript = 'throw \"boom\"'")).unwrap(),
    )
    .unwrap();
    let report = shadow_compare_accounts(&live, &broken, &grouping.accounts, as_of());
    assert_eq!(report.failed.len(), 2);
    assert_eq!(report.failed[0].candidate.as_ref().map(|e| e.message()), Some("boom"));
    assert!(
        report
            .to_string()
            .ends_with("globex.com: failed: account \"globex.com\": rule \"boom\" (pack.toml:17:1): boom\n"),
        "{report}"
    );
}

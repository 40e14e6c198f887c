//! Decision tables: rules written as rows in `pack.toml`, run natively.

use leadgate::pack::ProblemKind;
use leadgate::{CriterionStatus, Pack, Qualifier, Stage};
use proptest::prelude::*;

use crate::{as_of, lead_with, manifest};

/// A pack with the default criteria, a few parameters and the given rules.
fn pack(rules: &str) -> String {
    format!(
        "name = \"t\"\nversion = \"1\"\n[params]\nmin_employees = 50\nideal_employees = 200\n\
         min_budget = 10000\ntargets = [\"saas\", \"fintech\"]\nlabel = \"ICP\"\n{rules}"
    )
}

fn problems(rules: &str) -> Vec<String> {
    let err = match Pack::from_toml(&pack(rules)) {
        Ok(pack) => Qualifier::new(&pack).expect_err("the pack should not compile"),
        Err(e) => e,
    };
    err.problems().iter().map(ToString::to_string).collect()
}

const SIZE_BANDS: &str = r#"
[[rules]]
name = "size"
table = [
  { employees = { at_least = "params.ideal_employees" }, fit = 15, reason = "Sweet spot" },
  { employees = { at_least = "params.min_employees" }, fit = 8, reason = "Large enough" },
  { employees = { present = true }, negative = 5, reason = "Too small" },
]
"#;

#[test]
fn the_first_matching_row_fires_and_no_other() {
    let q = manifest(&pack(SIZE_BANDS));
    let points = |employees: &str| {
        let d = q.evaluate(&lead_with(&format!(r#""company": {{{employees}}}"#)), as_of()).unwrap();
        (d.fit, d.negative, d.contributions.iter().map(|c| c.reason.to_string()).collect::<Vec<_>>())
    };
    assert_eq!(points(r#""employees": 900"#), (15, 0, vec!["Sweet spot".to_owned()]));
    assert_eq!(points(r#""employees": 60"#), (8, 0, vec!["Large enough".to_owned()]));
    assert_eq!(points(r#""employees": 5"#), (0, -5, vec!["Too small".to_owned()]));
    // A missing number fails every comparison and `present = true`.
    assert_eq!(points(""), (0, 0, vec![]));
}

#[test]
fn a_table_fires_only_when_a_row_matched() {
    let q = manifest(&pack(SIZE_BANDS));
    let with = q.evaluate(&lead_with(r#""company": {"employees": 900}"#), as_of()).unwrap();
    let without = q.evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!(with.fired, ["size"]);
    assert!(without.fired.is_empty());
    assert!(with.contributions.iter().all(|c| c.rule == "size"));
}

#[test]
fn hit_all_fires_every_matching_row_in_order() {
    let q = manifest(&pack(
        r#"
[[rules]]
name = "fit"
hit = "all"
table = [
  { industry = { in = "params.targets" }, fit = 10, reason = "Target industry" },
  { seniority = ["vp", "c_level"], fit = 5, reason = "Senior" },
  { free_email = true, negative = 3, reason = "Free mail" },
  { fit = 1, reason = "Everyone" },
]
"#,
    ));
    let lead = lead_with(
        r#""person": {"seniority": "vp", "email": "a@GMAIL.com"}, "company": {"industry": "saas"}"#,
    );
    let d = q.evaluate(&lead, as_of()).unwrap();
    let reasons: Vec<_> = d.contributions.iter().map(|c| c.reason.as_str()).collect();
    assert_eq!(reasons, ["Target industry", "Senior", "Free mail", "Everyone"]);
    assert_eq!((d.fit, d.negative), (16, -3));
}

#[test]
fn parameters_are_read_when_the_qualifier_is_built_so_overrides_apply() {
    let pack = Pack::from_toml(&pack(SIZE_BANDS)).unwrap();
    let lead = lead_with(r#""company": {"employees": 300}"#);
    let default = Qualifier::new(&pack).unwrap().evaluate(&lead, as_of()).unwrap();
    let tenant = Qualifier::builder(&pack).param("ideal_employees", 1000).build().unwrap();
    assert_eq!(default.fit, 15);
    assert_eq!(tenant.evaluate(&lead, as_of()).unwrap().fit, 8);
}

#[test]
fn criteria_get_the_reason_as_evidence_with_fields_and_params_filled_in() {
    let q = manifest(&pack(
        r#"
[[rules]]
name = "budget"
table = [
  { budget = { below = "params.min_budget" }, not_met = "budget", reason = "{budget_currency} {budget} is under {params.min_budget}" },
  { budget = { present = true }, met = "budget", reason = "{budget_currency} {budget} {{declared}}" },
]

[[rules]]
name = "need"
table = [{ pain_points = { present = true }, met = "need", reason = "Pains: {pain_points} ({params.label})" }]
"#,
    ));
    let lead = lead_with(
        r#""qualification": {"budget": {"amount": 2500.5, "currency": "EUR"}, "pain_points": ["slow", "manual"]}"#,
    );
    let d = q.evaluate(&lead, as_of()).unwrap();
    let budget = d.criteria.get("budget").unwrap();
    assert_eq!(budget.status, CriterionStatus::NotMet);
    assert_eq!(budget.evidence.as_deref(), Some("EUR 2500.5 is under 10000"));
    assert_eq!(budget.rule.as_deref(), Some("budget"));
    assert_eq!(d.criteria.get("need").unwrap().evidence.as_deref(), Some("Pains: slow, manual (ICP)"));

    let lead = lead_with(r#""qualification": {"budget": {"amount": 40000, "currency": "USD"}}"#);
    let d = q.evaluate(&lead, as_of()).unwrap();
    assert_eq!(d.criteria.get("budget").unwrap().evidence.as_deref(), Some("USD 40000 {declared}"));
    assert_eq!(d.criteria.get("need").unwrap().status, CriterionStatus::Unknown);
}

#[test]
fn missing_text_is_empty_so_only_present_false_and_not_in_match_it() {
    let q = manifest(&pack(
        r#"
[[rules]]
name = "probe"
hit = "all"
table = [
  { industry = { present = false }, fit = 1, reason = "no industry" },
  { industry = { not_in = "params.targets" }, fit = 10, reason = "not a target" },
  { industry = { in = "params.targets" }, fit = 100, reason = "a target" },
  { industry = "", fit = 1000, reason = "empty" },
]
"#,
    ));
    assert_eq!(q.evaluate(&lead_with(""), as_of()).unwrap().fit, 1011);
    let saas = lead_with(r#""company": {"industry": "saas"}"#);
    assert_eq!(q.evaluate(&saas, as_of()).unwrap().fit, 100);
}

#[test]
fn a_disqualifying_row_ends_the_evaluation() {
    let q = manifest(&pack(
        r#"
[[rules]]
name = "screen"
table = [{ email_domain = ["rival.com"], disqualify = true, reason = "Competitor" }]

[[rules]]
name = "later"
table = [{ fit = 10, reason = "never reached" }]

[[rules]]
name = "script"
script = 'decision.fit(5, "never reached either");'
"#,
    ));
    let rival = q.evaluate(&lead_with(r#""person": {"email": "spy@Rival.com"}"#), as_of()).unwrap();
    assert_eq!(rival.stage, Stage::Disqualified);
    assert_eq!(rival.disqualified.as_ref().map(|d| d.reason.as_str()), Some("Competitor"));
    assert_eq!(rival.stopped_by.as_deref(), Some("screen"));
    assert_eq!(rival.fit, 0);
    let other = q.evaluate(&lead_with(r#""person": {"email": "a@b.com"}"#), as_of()).unwrap();
    assert_eq!(other.fit, 15);
    assert_eq!(other.fired, ["later", "script"]);
}

/// The email domain is worked out once per lead, lower-cased, into a
/// buffer the thread keeps: a lead without one must not see the last one's.
#[test]
fn the_email_domain_is_each_leads_own_in_any_case() {
    let q = manifest(&pack(
        r#"
[[rules]]
name = "domain"
hit = "all"
table = [
  { email_domain = { present = true }, fit = 1, reason = "Domain {email_domain}" },
  { free_email = true, negative = 3, reason = "Free mail" },
]
"#,
    ));
    let seen = |person: &str| {
        let d = q.evaluate(&lead_with(person), as_of()).unwrap();
        d.contributions.iter().map(|c| c.reason.to_string()).collect::<Vec<_>>()
    };
    // In turn on one thread, so each follows a lead that had a domain.
    assert_eq!(seen(r#""person": {"email": "Ann@Acme.IO"}"#), ["Domain acme.io"]);
    assert!(seen(r#""person": {"email": "no-at-sign"}"#).is_empty());
    assert_eq!(seen(r#""person": {"email": "b@GMail.com"}"#), ["Domain gmail.com", "Free mail"]);
    assert!(seen("").is_empty());
    assert_eq!(seen(r#""person": {"email": "c@x@Proton.ME"}"#), ["Domain proton.me", "Free mail"]);
    assert!(seen(r#""person": {"email": "d@"}"#).is_empty());
}

#[test]
fn scripts_run_after_tables_and_see_what_they_decided() {
    let q = manifest(&pack(
        r#"
[[rules]]
name = "size"
table = [{ employees = { at_least = 100 }, fit = 20, reason = "Big" }]

[[rules]]
name = "script"
script = '''
if decision.fit_score >= 20 && decision.status("budget") == "unknown" {
    decision.unknown("budget", "Big company: ask about budget");
}
'''
"#,
    ));
    let d = q.evaluate(&lead_with(r#""company": {"employees": 500}"#), as_of()).unwrap();
    assert_eq!(d.criteria.get("budget").unwrap().evidence.as_deref(), Some("Big company: ask about budget"));
}

#[test]
fn the_engine_hands_off_sql_ready_leads_and_holds_clear_failures() {
    let q = manifest(
        r#"
name = "t"
version = "1"
[params]
mql_threshold = 10
sql_criteria_met = 2
hold_criteria_not_met = 2
[[rules]]
name = "criteria"
hit = "all"
table = [
  { fit = 10, reason = "Everyone" },
  { need = { present = true }, met = "need", reason = "Need" },
  { timeline = "immediate", met = "timeline", reason = "Now" },
  { timeline = "no_plans", not_met = "timeline", reason = "Never" },
  { buying_role = "end_user", not_met = "authority", reason = "End user" },
]
"#,
    );
    let sql = q
        .evaluate(&lead_with(r#""qualification": {"need": "x", "timeline": "immediate"}"#), as_of())
        .unwrap();
    assert_eq!(sql.stage, Stage::Sql);
    let handoff = sql.handoff.unwrap();
    assert_eq!((handoff.stage, handoff.rule), (Stage::Sql, None));
    assert_eq!(handoff.reason, "SQL-ready: score 10, 2 of 4 criteria met");

    let held = q
        .evaluate(
            &lead_with(r#""qualification": {"timeline": "no_plans", "buying_role": "end_user"}"#),
            as_of(),
        )
        .unwrap();
    assert_eq!((held.stage, held.handoff.is_some()), (Stage::Lead, false));
    let why = held.why_not_yet.unwrap().held.unwrap();
    assert_eq!(why.reason, "Score 10 is there but 2 of 4 criteria are not met");
    assert_eq!(why.rule, "lifecycle");

    let mql = q.evaluate(&lead_with(""), as_of()).unwrap();
    assert_eq!(mql.stage, Stage::Mql);
    assert!(mql.handoff.unwrap().reason.contains("MQL threshold"));
}

#[test]
fn shape_errors_name_the_rule_the_row_and_the_fix() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{ industy = "saas", fit = 1, reason = "r" }"#,
            r#"row 1: unknown lead field "industy" (did you mean "industry"?)"#,
        ),
        (
            r#"{ employees = { at_leest = 5 }, fit = 1, reason = "r" }"#,
            r#"unknown operator "at_leest" (did you mean "at_least"?)"#,
        ),
        (
            r#"{ industry = { at_least = 5 }, fit = 1, reason = "r" }"#,
            "`at_least` with this value does not apply to this field",
        ),
        (r#"{ employees = "many", fit = 1, reason = "r" }"#, "`is` with this value does not apply"),
        (r#"{ industry = "saas", fit = 1, met = "need", reason = "r" }"#, "a row does exactly one of"),
        (r#"{ industry = "saas", reason = "r" }"#, "this one does nothing"),
        (r#"{ industry = "saas", fit = 1 }"#, "a row needs a `reason`"),
        (r#"{ industry = "saas", fit = 1.5, reason = "r" }"#, "`fit` takes whole points"),
        (r#"{ industry = "saas", disqualify = false, reason = "r" }"#, "`disqualify` can only be true"),
        (r#"{ industry = "saas", fit = 1, reason = "{industy}" }"#, r#"unknown lead field "industy""#),
        (r#"{ industry = "saas", fit = 1, reason = "a {industry" }"#, "is not closed"),
        (r#"{ industry = "saas", fit = 1, reason = "a } b" }"#, "a lone `}`"),
        (r#"{ industry = [1, 2], fit = 1, reason = "r" }"#, "lists hold text"),
    ];
    for (row, expected) in cases {
        let found = problems(&format!("[[rules]]\nname = \"r\"\ntable = [\n  {row},\n]\n"));
        assert_eq!(found.len(), 1, "{row}: {found:?}");
        assert!(found[0].contains(expected), "{row}: {found:?}");
        assert!(found[0].starts_with("pack.toml:"), "{row}: {found:?}");
        assert!(found[0].contains("rule \"r\""), "{row}: {found:?}");
    }
}

#[test]
fn parameter_and_criterion_errors_are_found_when_building() {
    let found = problems(
        r#"
[[rules]]
name = "r"
table = [
  { industry = { in = "params.tragets" }, fit = 1, reason = "r" },
  { employees = { at_least = "params.targets" }, fit = 1, reason = "r" },
  { industry = "x", met = "budjet", reason = "r" },
  { industry = "x", fit = 1, reason = "{params.nope}" },
]
"#,
    );
    let all = found.join("\n");
    assert_eq!(found.len(), 4, "{all}");
    assert!(all.contains(r#"row 1: unknown parameter "tragets" (did you mean "targets"?)"#), "{all}");
    assert!(
        all.contains(r#"row 2: employees: parameter "targets" (list of strings) does not fit: `at_least`"#),
        "{all}"
    );
    assert!(all.contains(r#"row 3: unknown criterion "budjet" (did you mean "budget"?)"#), "{all}");
    assert!(all.contains(r#"row 4: unknown parameter "nope""#), "{all}");
    let err = Qualifier::new(
        &Pack::from_toml(&pack(
            "[[rules]]\nname = \"r\"\ntable = [{ industry = \"params.nope\", fit = 1, reason = \"r\" }]\n",
        ))
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(err.problems()[0].kind(), ProblemKind::Name);
}

#[test]
fn tables_come_first_and_hit_is_for_tables() {
    let found = problems(
        r#"
[[rules]]
name = "s"
script = 'decision.fit(1, "x");'
hit = "all"

[[rules]]
name = "t"
table = [{ fit = 1, reason = "x" }]
"#,
    );
    let all = found.join("\n");
    assert!(all.contains("`hit` applies to tables only"), "{all}");
    let found = problems(
        "[[rules]]\nname = \"s\"\nscript = 'decision.fit(1, \"x\");'\n\n[[rules]]\nname = \"t\"\ntable = [{ fit = 1, reason = \"x\" }]\n",
    );
    assert!(found[0].contains(r#"table "t" comes after script "s""#), "{found:?}");
    let found = problems("[[rules]]\nname = \"t\"\nhit = \"any\"\ntable = [{ fit = 1, reason = \"x\" }]\n");
    assert!(found[0].contains(r#"`hit` is "first" or "all", got "any""#), "{found:?}");
    let found = problems("[[rules]]\nname = \"t\"\ntable = []\n");
    assert!(found[0].contains("at least one row"), "{found:?}");
}

/// The same fit and budget logic as a script, for the property below.
const AS_SCRIPT: &str = r#"
[[rules]]
name = "fit"
script = '''
if lead.industry in params.targets { decision.fit(10, "Target industry"); }
let employees = lead.employees;
if employees != () {
    if employees >= params.ideal_employees { decision.fit(15, "Sweet spot"); }
    else if employees >= params.min_employees { decision.fit(8, "Large enough"); }
    else { decision.negative(5, "Too small"); }
}
if lead.seniority == "vp" || lead.seniority == "c_level" { decision.fit(5, "Senior"); }
if lead.free_email { decision.negative(3, "Free mail"); }
'''

[[rules]]
name = "budget"
script = '''
let budget = lead.budget;
if budget != () {
    if budget < params.min_budget { decision.not_met("budget", "Under the minimum"); }
    else if lead.budget_confirmed == true { decision.met("budget", "Confirmed"); }
    else { decision.met("budget", "Declared"); }
}
'''
"#;

const AS_TABLES: &str = r#"
[[rules]]
name = "fit"
hit = "all"
table = [
  { industry = { in = "params.targets" }, fit = 10, reason = "Target industry" },
  { employees = { at_least = "params.ideal_employees" }, fit = 15, reason = "Sweet spot" },
  { employees = { at_least = "params.min_employees", below = "params.ideal_employees" }, fit = 8, reason = "Large enough" },
  { employees = { below = "params.min_employees" }, negative = 5, reason = "Too small" },
  { seniority = ["vp", "c_level"], fit = 5, reason = "Senior" },
  { free_email = true, negative = 3, reason = "Free mail" },
]

[[rules]]
name = "budget"
table = [
  { budget = { below = "params.min_budget" }, not_met = "budget", reason = "Under the minimum" },
  { budget = { present = true }, budget_confirmed = true, met = "budget", reason = "Confirmed" },
  { budget = { present = true }, met = "budget", reason = "Declared" },
]
"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A table decides exactly what the script it replaces decides.
    #[test]
    fn a_table_decides_what_the_equivalent_script_decides(lead in crate::props::arb_lead()) {
        let script = manifest(&pack(AS_SCRIPT));
        let table = manifest(&pack(AS_TABLES));
        let without_pack = |q: &Qualifier| {
            let mut json = serde_json::to_value(q.evaluate(&lead, as_of()).unwrap()).unwrap();
            json.as_object_mut().unwrap().remove("pack");
            // A table also names the row behind each of its points; a script has no rows.
            for c in json["contributions"].as_array_mut().unwrap() {
                c.as_object_mut().unwrap().remove("row");
            }
            json
        };
        prop_assert_eq!(without_pack(&script), without_pack(&table));
    }
}

#[test]
fn tables_read_custom_attributes() {
    let q = manifest(&pack(
        r#"
[[rules]]
name = "plan"
hit = "all"
table = [
  { attr.plan_interest = "enterprise", fit = 10, reason = "Wants {attr.plan_interest}, {attr.seats} seats" },
  { "attr.seats" = { at_least = 100 }, fit = 5, reason = "Large team" },
  { attr.beta = true, engagement = 3, reason = "In the beta" },
  { attr.tags = { present = true }, engagement = 1, reason = "Tagged" },
  { attr.tags = "vip", engagement = 100, reason = "A list is never text" },
  { attr.region = ["emea", "apac"], fit = 2, reason = "Region {attr.region}" },
]
"#,
    ));
    let reasons = |attributes: &str| {
        let d = q.evaluate(&lead_with(&format!(r#""attributes": {{{attributes}}}"#)), as_of()).unwrap();
        d.contributions.iter().map(|c| format!("{} {}", c.points, c.reason)).collect::<Vec<_>>()
    };
    assert_eq!(
        reasons(
            r#""plan_interest": "enterprise", "seats": 120, "beta": true, "tags": ["vip"], "region": "emea""#
        ),
        ["10 Wants enterprise, 120 seats", "5 Large team", "3 In the beta", "1 Tagged", "2 Region emea"]
    );
    // Missing, null or of another type: the condition does not hold.
    assert_eq!(reasons(r#""plan_interest": "starter", "seats": "many", "beta": null"#), Vec::<String>::new());
    assert_eq!(reasons(""), Vec::<String>::new());
    assert_eq!(reasons(r#""seats": 99.5, "beta": false, "region": "amer""#), Vec::<String>::new());
}

#[test]
fn an_unknown_table_field_points_to_attributes() {
    let found = problems(
        r#"
[[rules]]
name = "plan"
table = [
  { plan_interest = "enterprise", fit = 10, reason = "x" },
  { industy = "saas", fit = 1, reason = "x" },
  { attr = 5, fit = 1, reason = "x" },
  { attr.seats = { at_least = "many" }, fit = 1, reason = "x" },
]
"#,
    );
    assert_eq!(
        found,
        [
            "pack.toml:12:9: rule \"plan\": row 1: unknown lead field \"plan_interest\"; if it is a custom \
             attribute (in the lead's `attributes`), write \"attr.plan_interest\"",
            "pack.toml:12:9: rule \"plan\": row 2: unknown lead field \"industy\" (did you mean \"industry\"?)",
            "pack.toml:12:9: rule \"plan\": row 3: `attr` names a custom attribute: write attr.<name> = ..., got 5",
            "pack.toml:12:9: rule \"plan\": row 4: attr.seats: `at_least` takes a number",
        ]
    );
}

/// The default pack's engagement rule as the script it was before tables
/// could read touches.
const ENGAGEMENT_SCRIPT: &str = r#"[[rules]]
name = "engagement"
script = '''
if lead.channels(30) >= 3 {
    decision.engagement(5, "Engaged on 3 or more channels in 30 days");
}
if lead.count("pricing_page", 14) >= 2 {
    decision.engagement(5, "Came back to pricing within two weeks");
}
if lead.days_since_last() > params.stale_after_days {
    decision.negative(10, "Gone quiet: no touch in " + params.stale_after_days + " days");
}
if lead.count("demo_request", 7) > 0 {
    decision.temperature("hot");
}
if decision.status("need") == "unknown" && lead.count("demo_request") > 0 {
    decision.met("need", "Requested a demo");
}
'''
"#;

/// The default pack with its engagement table swapped for the script.
fn default_pack_with_engagement_script() -> Qualifier {
    let toml = include_str!("../../packs/b2b-bant/pack.toml");
    let start = toml.find("[[rules]]\nname = \"engagement\"").unwrap();
    let end = start + toml[start..].find("\n[[tests]]").unwrap();
    let toml = format!("{}{ENGAGEMENT_SCRIPT}{}", &toml[..start], &toml[end..]);
    Qualifier::new(&Pack::from_toml(&toml).unwrap()).unwrap()
}

/// Leads with recent touches on a few channels, so that every window of
/// the engagement rule is sometimes met and sometimes not.
fn recent_lead() -> impl Strategy<Value = leadgate::Lead> {
    let channels = ["pricing_page", "demo_request", "webinar", "web_visit", "email_open"];
    (proptest::collection::vec((0i64..150 * 24, 0usize..5), 0..10), any::<bool>()).prop_map(
        move |(touches, need)| {
            let touches: Vec<String> = touches
                .iter()
                .map(|(hours, c)| {
                    let at = as_of() - chrono::Duration::hours(*hours);
                    format!(r#"{{"at": "{}", "channel": "{}"}}"#, at.to_rfc3339(), channels[*c])
                })
                .collect();
            let need = if need { r#""qualification": {"need": "faster handoffs"},"# } else { "" };
            lead_with(&format!(r#"{need} "touchpoints": [{}]"#, touches.join(",")))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The shipped pack's engagement table decides what its former script
    /// decided, down to the temperature and the criterion it marks.
    #[test]
    fn the_engagement_table_decides_what_the_engagement_script_did(lead in recent_lead()) {
        let table = Qualifier::new(&Pack::b2b_bant()).unwrap();
        let script = default_pack_with_engagement_script();
        let comparable = |q: &Qualifier| {
            let mut json = serde_json::to_value(q.evaluate(&lead, as_of()).unwrap()).unwrap();
            json.as_object_mut().unwrap().remove("pack");
            for c in json["contributions"].as_array_mut().unwrap() {
                c.as_object_mut().unwrap().remove("row");
            }
            json
        };
        prop_assert_eq!(comparable(&script), comparable(&table));
    }
}

#[test]
fn tables_read_touches_windows_and_criteria_so_far() {
    let q = manifest(&pack(
        r#"
criteria = ["need"]
[[rules]]
name = "touches"
hit = "all"
table = [
  { touches = { at_least = 4 }, engagement = 1, reason = "{touches} touches" },
  { touches.7 = { at_least = 2 }, engagement = 2, reason = "{touches.7} this week" },
  { channels.30 = { at_least = 2 }, engagement = 3, reason = "{channels.30} channels this month" },
  { count.webinar.30 = 1, engagement = 4, reason = "One webinar this month" },
  { count."custom:podcast" = 0, engagement = 5, reason = "No podcast yet" },
  { days_since_last = { below = 2 }, engagement = 6, reason = "Touched {days_since_last} days ago" },
  { status.need = "unknown", count.demo_request = { at_least = 1 }, met = "need", reason = "Asked for a demo" },
  { status.need = "met", temperature = "hot", reason = "Need met above" },
]
"#,
    ));
    let day = |d: f64| (as_of() - chrono::Duration::milliseconds((d * 86_400_000.0) as i64)).to_rfc3339();
    let lead = lead_with(&format!(
        r#""touchpoints": [{{"at": "{}", "channel": "webinar"}}, {{"at": "{}", "channel": "demo_request"}},
            {{"at": "{}", "channel": "web_visit"}}, {{"at": "{}", "channel": "web_visit"}}]"#,
        day(1.5),
        day(3.0),
        day(40.0),
        day(400.0)
    ));
    let d = q.evaluate(&lead, as_of()).unwrap();
    let reasons: Vec<(i64, String, Option<u32>)> =
        d.contributions.iter().map(|c| (c.points, c.reason.to_string(), c.row)).collect();
    assert_eq!(
        reasons,
        [
            (1, "4 touches".to_owned(), Some(1)),
            (2, "2 this week".to_owned(), Some(2)),
            (3, "2 channels this month".to_owned(), Some(3)),
            (4, "One webinar this month".to_owned(), Some(4)),
            (5, "No podcast yet".to_owned(), Some(5)),
            (6, "Touched 1.5 days ago".to_owned(), Some(6)),
        ]
    );
    assert_eq!(d.criteria.get("need").unwrap().status, CriterionStatus::Met);
    assert_eq!(d.temperature, Some(leadgate::Temperature::Hot));
    // No touches: counts are 0 (only "No podcast yet" holds), and `days_since_last` is missing.
    let d = q.evaluate(&lead_with(r#""source": "x""#), as_of()).unwrap();
    assert_eq!((d.contributions.len(), d.temperature), (1, None));
}

#[test]
fn touch_conditions_are_checked_when_the_pack_loads() {
    let errors = problems(
        r#"
[[rules]]
name = "bad"
table = [
  { count.webnar.7 = 1, fit = 1, reason = "x" },
  { channels.0 = 1, fit = 1, reason = "x" },
  { touches.soon = 1, fit = 1, reason = "x" },
  { count = 1, fit = 1, reason = "x" },
  { status.budjet = "met", fit = 1, reason = "x" },
  { days_since_last = "long", fit = 1, reason = "x" },
  { touches = 1, temperature = "tepid", reason = "x" },
  { count.webinar.7.deeper = 1, fit = 1, reason = "x" },
]
"#,
    );
    let expected = [
        "row 1: count.webnar.7: unknown channel \"webnar\" (did you mean \"webinar\"?)",
        "row 2: channels.0: the window \"0\" must be a number of days above 0 and at most 36525",
        "row 3: touches.soon: the window \"soon\" must be a number of days above 0 and at most 36525",
        "row 4: `count` needs a name after it: count.<name>, as in count.webinar.30 = { at_least = 2 }",
        "row 6: days_since_last: `is` with this value does not apply to this field",
        "row 7: `temperature`: unknown temperature \"tepid\"",
        "row 8: count.webinar.7: unknown operator \"deeper\"",
    ];
    for e in expected {
        assert!(errors.iter().any(|p| p.contains(e)), "{e:?} in {errors:#?}");
    }
}

#[test]
fn an_unknown_criterion_status_is_found_when_building() {
    let errors = problems(
        "[[rules]]\nname = \"s\"\ntable = [ { status.budjet = \"met\", fit = 1, reason = \"x\" } ]\n",
    );
    assert!(
        errors.iter().any(|p| p.contains("unknown criterion \"budjet\" (did you mean \"budget\"?)")),
        "{errors:#?}"
    );
}

#[test]
fn touch_aggregations_are_charged_to_the_operation_budget() {
    let mut limits = leadgate::Limits::default();
    limits.max_operations = 10; // 640 native steps
    let pack = Pack::from_toml(&pack(
        "[[rules]]\nname = \"t\"\nhit = \"all\"\ntable = [\n  { touches.30 = { at_least = 1 }, fit = 1, reason = \"a\" },\n  \
         { touches.60 = { at_least = 1 }, fit = 1, reason = \"b\" },\n]\n",
    ))
    .unwrap();
    let q = Qualifier::builder(&pack).limits(limits).build().unwrap();
    let touch = format!(
        r#"{{"at": "{}", "channel": "web_visit"}}"#,
        (as_of() - chrono::Duration::days(1)).to_rfc3339()
    );
    let many = lead_with(&format!(r#""touchpoints": [{}]"#, vec![touch.as_str(); 400].join(",")));
    assert_eq!(
        q.evaluate(&many, as_of()).unwrap_err().kind(),
        leadgate::engine::EvalErrorKind::TooManyOperations
    );
    let few = lead_with(&format!(r#""touchpoints": [{}]"#, vec![touch.as_str(); 300].join(",")));
    assert_eq!(q.evaluate(&few, as_of()).unwrap().fit, 2, "300 + 300 steps fit in 640");
}

/// Tenants built from one pack share the tables resolved with the pack's
/// own values; one that overrides a parameter a table reads gets its own,
/// whichever is built first, and never changes another tenant's decisions.
#[test]
fn tenants_that_override_a_tables_parameter_get_their_own_table() {
    let pack = Pack::from_toml(&pack(
        r#"
[[rules]]
name = "industry"
table = [{ industry = { in = "params.targets" }, fit = 10, reason = "Target industry" }]
"#,
    ))
    .unwrap();
    let retail = || Qualifier::builder(&pack).param("targets", vec!["retail"]).build().unwrap();
    let first = retail();
    let default = Qualifier::new(&pack).unwrap();
    let threshold = Qualifier::builder(&pack).param("min_employees", 5).build().unwrap();
    let last = retail();
    let fit = |q: &Qualifier, industry: &str| {
        let lead = lead_with(&format!(r#""company": {{"industry": "{industry}"}}"#));
        q.evaluate(&lead, as_of()).unwrap().fit
    };
    for q in [&first, &last] {
        assert_eq!((fit(q, "retail"), fit(q, "saas")), (10, 0));
    }
    for q in [&default, &threshold, &Qualifier::new(&pack.clone()).unwrap()] {
        assert_eq!((fit(q, "retail"), fit(q, "saas")), (0, 10));
    }
}

/// Keyword fields (seniority, buying role, timeline, stage and its owner)
/// are tested by their value's position, not its text: the same answer as
/// comparing texts, with a missing value as `""`. A text that is no keyword
/// (`"VP"`), or no status in `status.<criterion>`, would never match: the
/// pack is refused.
mod keywords {
    use super::*;

    const FIELDS: [(&str, &str, &[&str]); 5] = [
        (
            "seniority",
            "person",
            &["c_level", "vp", "director", "manager", "individual_contributor", "student"],
        ),
        ("buying_role", "qualification", &["decision_maker", "champion", "evaluator", "end_user"]),
        ("timeline", "qualification", &["immediate", "within_3_months", "over_12_months", "no_plans"]),
        ("stage", "", &["subscriber", "lead", "mql", "sql", "recycled"]),
        ("owner", "", &["marketing", "sales"]),
    ];
    const OTHERS: [&str; 1] = [""];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn match_as_texts_do(
            field in 0..FIELDS.len(),
            op in 0..3usize,
            picks in proptest::collection::vec(0..12usize, 1..5),
            value in proptest::option::of(0..7usize),
            by_param in any::<bool>(),
        ) {
            let (name, section, keywords) = FIELDS[field];
            let texts: Vec<&str> = keywords.iter().chain(&OTHERS).copied().collect();
            let operand: Vec<&str> = picks.iter().map(|i| texts[i % texts.len()]).collect();
            let (op, operand) = match op {
                0 => ("=", vec![operand[0]]),
                1 => ("in", operand),
                _ => ("not_in", operand),
            };
            let quoted = |items: &[&str]| items.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ");
            let written = if op == "=" { format!("{:?}", operand[0]) } else { format!("[{}]", quoted(&operand)) };
            let (params, condition) = match (by_param, op) {
                (true, "=") => (format!("x = {written}"), format!("{name} = \"params.x\"")),
                (true, _) => (format!("x = {written}"), format!("{name} = {{ {op} = \"params.x\" }}")),
                (false, "=") => (String::new(), format!("{name} = {written}")),
                (false, _) => (String::new(), format!("{name} = {{ {op} = {written} }}")),
            };
            let q = manifest(&format!(
                "name = \"t\"\nversion = \"1\"\n[params]\n{params}\n[[rules]]\nname = \"k\"\n\
                 table = [{{ {condition}, fit = 1, reason = \"r\" }}]\n"
            ));
            // Owner is read off the stage: a lead is marketing's, an SQL sales'.
            let stages = FIELDS[3].2;
            let (json, text) = match (value, field) {
                (None, 3 | 4) => (String::new(), if field == 3 { "lead" } else { "marketing" }),
                (None, _) => (String::new(), ""),
                (Some(i), 3 | 4) => {
                    let stage = stages[i % stages.len()];
                    let owner = if matches!(stage, "sql") { "sales" } else { "marketing" };
                    (format!(r#""stage": "{stage}""#), if field == 3 { stage } else { owner })
                }
                (Some(i), _) => {
                    let v = keywords[i % keywords.len()];
                    (format!(r#""{section}": {{"{name}": "{v}"}}"#), v)
                }
            };
            let listed = operand.contains(&text);
            let expected = if op == "not_in" { !listed } else { listed };
            let fit = q.evaluate(&lead_with(&json), as_of()).unwrap().fit;
            prop_assert_eq!(fit, i64::from(expected), "{} {} {:?} on {:?}", name, op, operand, text);
        }
    }

    #[test]
    fn a_text_that_is_no_keyword_is_refused_with_the_closest() {
        let found = problems(
            r#"
[[rules]]
name = "r"
table = [
  { seniority = "vpp", fit = 1, reason = "r" },
  { buying_role = { not_in = ["champion", "Gatekeeper"] }, fit = 1, reason = "r" },
  { stage = ["mql", ""], owner = "", fit = 1, reason = "r" },
  { status.need = ["met", "unkown"], fit = 1, reason = "r" },
]
"#,
        );
        let rows = |found: &[String]| -> Vec<String> {
            found.iter().map(|p| p.split_once(": row ").map_or(p.clone(), |(_, r)| r.to_owned())).collect()
        };
        assert_eq!(
            rows(&found),
            [
                "1: seniority: \"vpp\" is never a lead's seniority (did you mean \"vp\"?); it is one of: \
                 c_level, vp, director, manager, individual_contributor, student",
                "2: buying_role: \"Gatekeeper\" is never a lead's buying_role (did you mean \"gatekeeper\"?); \
                 it is one of: decision_maker, economic_buyer, champion, influencer, evaluator, end_user, gatekeeper",
                "4: status.need: \"unkown\" is never a criterion's status (did you mean \"unknown\"?); \
                 it is one of: unknown, met, not_met",
            ],
        );
        // A parameter is checked when the qualifier is built.
        let found = problems(
            "[[rules]]\nname = \"r\"\ntable = [{ timeline = \"params.label\", fit = 1, reason = \"r\" }]\n",
        );
        assert_eq!(
            rows(&found),
            ["1: timeline: parameter \"label\" (string) does not fit: \"ICP\" is never a lead's timeline; \
                 it is one of: immediate, within_3_months, within_6_months, within_12_months, over_12_months, no_plans",],
        );
        // A tenant's own value is checked as the pack's is.
        let pack = Pack::from_toml(
            "name = \"t\"\nversion = \"1\"\n[params]\nroles = [\"champion\"]\n[[rules]]\nname = \"r\"\n\
             table = [{ buying_role = { in = \"params.roles\" }, fit = 1, reason = \"r\" }]\n",
        )
        .unwrap();
        let err = Qualifier::builder(&pack).param("roles", vec!["champion", "champ"]).build().unwrap_err();
        assert_eq!(
            err.problems().iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                r#"pack.toml:7: rule "r": row 1: buying_role: parameter "roles" (list of strings) does not fit: "champ" is never a lead's buying_role; it is one of: decision_maker, economic_buyer, champion, influencer, evaluator, end_user, gatekeeper"#
            ],
        );
    }
}

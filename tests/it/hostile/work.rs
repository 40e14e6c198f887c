//! Work the operation count does not see: leadgate's native functions charge
//! what they scan to the same run, and long lists or point tables cost a
//! lookup, not a scan.

use std::fmt::Write as _;

use leadgate::engine::EvalErrorKind;
use leadgate::{Lead, Limits, Pack, Qualifier};

use super::{limits, on_small_stack};
use crate::as_of;

/// A lead with `n` touchpoints on the web, one a minute.
fn busy_lead(n: usize) -> Lead {
    let mut lead = Lead::new("busy", "2026-01-01T00:00:00Z".parse().unwrap());
    let start: chrono::DateTime<chrono::Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    lead.touchpoints = (0..n)
        .map(|i| {
            leadgate::Touchpoint::new(
                start + chrono::TimeDelta::minutes(i as i64),
                leadgate::Channel::WebVisit,
            )
        })
        .collect();
    lead
}

fn eval(limits: Limits, script: &str, lead: &Lead) -> Result<leadgate::Decision, leadgate::EvalError> {
    let q = Qualifier::builder(&Pack::from_script("r", script).unwrap()).limits(limits).build().unwrap();
    q.evaluate(lead, as_of())
}

#[test]
fn each_aggregation_charges_the_touchpoints_it_scans() {
    let lead = busy_lead(10_000);
    // 10,000 touches a call, 64 steps an operation: 1,000 operations buy 6 calls, not 7.
    let tight = limits(|l| l.max_operations = 1_000);
    for call in [
        "lead.count(\"web_visit\")",
        "lead.count(\"web_visit\", 30)",
        "lead.touches(7.5)",
        "lead.count_team(\"marketing\")",
        "lead.count_campaign(\"spring\")",
        "lead.channels()",
        "lead.days_since_last()",
        "lead.days_since(\"web_visit\")",
        "lead.decayed(\"web_visit\", 5, 30)",
    ] {
        let six = format!("let x = 0;\n{}", format!("x = {call};\n").repeat(6));
        eval(tight, &six, &lead).unwrap_or_else(|e| panic!("{call}: {e}"));
        let err = eval(tight, &format!("{six}x = {call};"), &lead).unwrap_err();
        assert_eq!((err.kind(), err.rule()), (EvalErrorKind::TooManyOperations, Some("r")), "{call}: {err}");
        assert_eq!(err.location().unwrap().line, 8, "{call}");
    }
}

#[test]
fn a_script_cannot_multiply_a_big_lead_into_seconds_of_work() {
    // 100,000 operations of calls over 20,000 touches would be two billion steps.
    let lead = busy_lead(20_000);
    let script = format!("let x = 0;\n{}", "x = lead.count(\"web_visit\");\n".repeat(1_000));
    let err = on_small_stack(move || eval(Limits::default(), &script, &lead).unwrap_err());
    assert_eq!(err.kind(), EvalErrorKind::TooManyOperations);
    // 100,000 × 64 steps is 320 calls of 20,000.
    assert_eq!(err.location().unwrap().line, 322);
}

#[test]
fn the_deadline_is_checked_inside_native_work() {
    let lead = busy_lead(1_000);
    let script = "let x = lead.decayed(\"web_visit\", 5, 30);\n";
    let err = eval(limits(|l| l.deadline = Some(std::time::Duration::ZERO)), script, &lead).unwrap_err();
    assert_eq!(err.kind(), EvalErrorKind::Deadline);
}

#[test]
fn a_long_list_parameter_is_a_lookup_not_a_scan() {
    let mut items = String::new();
    for i in 0..200_000 {
        let _ = write!(items, "\"d{i}.example\",");
    }
    let manifest = format!(
        "name = \"p\"\nversion = \"1\"\n[params]\ndomains = [{items}]\n[[rules]]\nname = \"r\"\nscript = '''\n\
         let hits = 0;\n{}if hits == 1000 {{ decision.fit(1, \"all found\"); }}\n'''\n\
         [[rules]]\nname = \"t\"\ntable = [{{ industry = {{ in = \"params.domains\" }}, fit = 1, reason = \"listed\" }}]\n",
        "if \"d199999.example\" in params.domains { hits += 1; }\n".repeat(1000)
    )
    .replace("[[rules]]\nname = \"t\"", "[[rules]]\nname = \"t0\"");
    // Tables come first in a pack: move the table before the script.
    let (head, rest) = manifest.split_once("[[rules]]\nname = \"r\"").unwrap();
    let (script, table) = rest.split_once("[[rules]]\nname = \"t0\"").unwrap();
    let manifest = format!("{head}[[rules]]\nname = \"t0\"{table}[[rules]]\nname = \"r\"{script}");
    let q = Qualifier::new(&Pack::from_toml(&manifest).unwrap()).unwrap();
    let lead = crate::lead_with(r#""company": {"industry": "d123456.example"}"#);
    // A scan would take 200,000 steps a test: more than the whole budget.
    let d = q.evaluate(&lead, as_of()).unwrap();
    assert_eq!(d.fit, 2, "{:?}", d.contributions);
}

#[test]
fn a_point_table_of_many_channels_costs_a_lookup_per_touch() {
    let mut points = String::new();
    for i in 0..100_000 {
        let _ = writeln!(points, "\"custom:c{i}\" = 1");
    }
    let manifest = format!("name = \"p\"\nversion = \"1\"\n[points]\n{points}web_visit = 2\n");
    let q = Qualifier::new(&Pack::from_toml(&manifest).unwrap()).unwrap();
    let lead = busy_lead(5);
    assert_eq!(q.evaluate(&lead, as_of()).unwrap().engagement, 10);
}

#[test]
fn custom_attributes_are_charged_node_by_node() {
    // An object of ten lists of 450: 4,511 nodes, copied on every call.
    let list = vec!["1"; 450].join(",");
    let fields: Vec<String> = (0..10).map(|i| format!(r#""f{i}": [{list}]"#)).collect();
    let lead = crate::lead_with(&format!(r#""attributes": {{"obj": {{{}}}}}"#, fields.join(",")));
    // 100 operations buy 6,400 steps: one copy fits, a second does not.
    let call = "n += lead.attr(\"obj\").len();\n";
    let err =
        eval(limits(|l| l.max_operations = 100), &format!("let n = 0;\n{call}{call}"), &lead).unwrap_err();
    assert_eq!((err.kind(), err.location().unwrap().line), (EvalErrorKind::TooManyOperations, 3), "{err}");
    eval(limits(|l| l.max_operations = 100), &format!("let n = 0;\n{call}"), &lead).unwrap();
    let lead = crate::lead_with(r#""attributes": {"obj": {"k": "v"}}"#);
    // Objects are read-only: no key can be added to them.
    let err = eval(Limits::default(), "let o = lead.attr(\"obj\"); o[\"x\"] = 1;", &lead).unwrap_err();
    assert!(err.message().contains("Indexer unavailable"), "{err}");
    let d = eval(
        Limits::default(),
        "if lead.attr(\"obj\").k == \"v\" && lead.attr(\"obj\")[\"k\"] == \"v\" { decision.fit(1, \"k\"); }",
        &lead,
    );
    assert_eq!(d.unwrap().fit, 1);
}

#[test]
fn time_windows_must_be_finite() {
    let lead = busy_lead(3);
    for call in
        ["lead.count(\"web_visit\", 0.0 / 0.0)", "lead.touches(1e308 * 10.0)", "lead.channels(-1e308 * 10.0)"]
    {
        let err = eval(Limits::default(), &format!("let x = {call};"), &lead).unwrap_err();
        assert_eq!(err.kind(), EvalErrorKind::Script, "{call}");
        assert!(err.message().contains("finite"), "{call}: {err}");
    }
}

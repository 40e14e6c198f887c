//! One meaning for every rule: recycled leads and new activity, channel
//! direction, the engine's own reasons and `fired`, reserved names.

use leadgate::pack::ProblemKind;
use leadgate::{Pack, Qualifier};

use crate::{lead, manifest};

/// A pack that hands off at 10 points, SQL-ready with one criterion met.
const PACK: &str = r#"
name = "p"
version = "1"
[params]
mql_threshold = 10
sql_criteria_met = 1
[points]
web_visit = 20
email_sent = 20
direct_mail = 20
call = 20
unsubscribe = 20
"custom:podcast" = 20
"custom:sms_sent" = 20
[channels]
"custom:podcast" = "inbound"
"#;

/// A lead recycled at 2026-11-20 10:00, with `touches` as `(time, channel)`.
fn recycled(touches: &[(&str, &str)]) -> leadgate::Lead {
    let touches: Vec<String> =
        touches.iter().map(|(at, ch)| format!(r#"{{"at": "{at}", "channel": "{ch}"}}"#)).collect();
    lead(&format!(
        r#"{{"id": "R-1", "created_at": "2026-11-01T00:00:00Z",
            "stage_history": [{{"stage": "mql", "at": "2026-11-10T00:00:00Z"}},
                              {{"stage": "recycled", "at": "2026-11-20T10:00:00Z", "reason": "bad_timing"}}],
            "touchpoints": [{}]}}"#,
        touches.join(", ")
    ))
}

const HELD: &str = "Recycled on 2026-11-20 10:00 UTC; no new activity from the lead since";
const BACK: &str = ", with new activity since it was recycled on 2026-11-20 10:00 UTC";

fn held_reason(q: &Qualifier, lead: &leadgate::Lead) -> Option<String> {
    let d = q.evaluate(lead, crate::as_of()).unwrap();
    let held = d.why_not_yet.and_then(|w| w.held);
    if let Some(h) = &held {
        assert_eq!(h.rule, "lifecycle");
        assert!(d.handoff.is_none());
        assert_eq!(d.fired.last().map(|r| r.as_str()), Some("lifecycle"));
    }
    held.map(|h| h.reason.to_string())
}

#[test]
fn only_inbound_touches_after_the_instant_of_recycling_are_new_activity() {
    let q = manifest(PACK);
    // Before the instant (same day), at the instant, or ours: not new.
    for (at, channel) in [
        ("2026-11-20T09:59:59Z", "web_visit"),
        ("2026-11-20T10:00:00Z", "web_visit"),
        ("2026-11-21T00:00:00Z", "email_sent"),
        ("2026-11-21T00:00:00Z", "direct_mail"),
        ("2026-11-21T00:00:00Z", "call"),
        ("2026-11-21T00:00:00Z", "unsubscribe"),
        ("2026-11-21T00:00:00Z", "custom:sms_sent"),
        // After as_of: not yet.
        ("2026-11-23T00:00:01Z", "web_visit"),
    ] {
        assert_eq!(held_reason(&q, &recycled(&[(at, channel)])).as_deref(), Some(HELD), "{at} {channel}");
    }
    // One second after, by the lead, on a built-in or a declared inbound channel: back.
    for (at, channel) in [("2026-11-20T10:00:01Z", "web_visit"), ("2026-11-22T00:00:00Z", "custom:podcast")] {
        let d = q.evaluate(&recycled(&[(at, channel)]), crate::as_of()).unwrap();
        let handoff = d.handoff.unwrap_or_else(|| panic!("{at} {channel}: {:?}", d.why_not_yet));
        assert!(handoff.reason.ends_with(BACK), "{}", handoff.reason);
        assert_eq!(d.fired, ["points"]);
    }
}

#[test]
fn a_recycled_import_without_history_counts_from_its_creation() {
    let q = manifest(PACK);
    let import = |touch: &str| {
        lead(&format!(
            r#"{{"id": "I-1", "created_at": "2026-11-20T10:00:00Z", "stage": "recycled",
                "touchpoints": [{{"at": "{touch}", "channel": "web_visit"}}]}}"#
        ))
    };
    let d = q.evaluate(&import("2026-11-20T09:00:00Z"), crate::as_of());
    // A touch before creation is odd but allowed; it is not new activity.
    assert!(d.unwrap().why_not_yet.unwrap().held.is_some());
    let d = q.evaluate(&import("2026-11-21T09:00:00Z"), crate::as_of()).unwrap();
    assert!(
        d.handoff
            .unwrap()
            .reason
            .ends_with(", with new activity since it was recycled on 2026-11-20 10:00 UTC")
    );
}

#[test]
fn every_handoff_path_of_a_recycled_lead_says_why_it_is_back() {
    let back = [("2026-11-21T00:00:00Z", "web_visit")];
    // The MQL threshold.
    let q = manifest(PACK);
    let d = q.evaluate(&recycled(&back), crate::as_of()).unwrap();
    assert_eq!(d.handoff.unwrap().reason, format!("Score 20 reached the MQL threshold of 10{BACK}"));
    // SQL-ready, by the engine.
    let sql = manifest(&format!(
        "{PACK}[[rules]]\nname = \"b\"\nscript = 'decision.met(\"budget\", \"Confirmed\")'\n"
    ));
    let d = sql.evaluate(&recycled(&back), crate::as_of()).unwrap();
    assert_eq!(d.handoff.unwrap().reason, format!("SQL-ready: score 20, 1 of 4 criteria met{BACK}"));
    assert_eq!(d.stage_reason.as_deref(), Some("1 of 4 criteria met with score 20"));
    assert_eq!(d.fired.last().map(|r| r.as_str()), Some("lifecycle"));
    // A rule's handoff, and a stage a rule chose.
    for script in ["decision.handoff(\"Asked for a call\")", "decision.stage(\"mql\", \"Asked for a call\")"]
    {
        let q = manifest(&format!("{PACK}[[rules]]\nname = \"r\"\nscript = '{script}'\n"));
        let d = q.evaluate(&recycled(&back), crate::as_of()).unwrap();
        assert_eq!(d.handoff.unwrap().reason, format!("Asked for a call{BACK}"), "{script}");
        // Without new activity nothing a rule says hands it off.
        assert_eq!(held_reason(&q, &recycled(&[])).as_deref(), Some(HELD), "{script}");
    }
}

#[test]
fn the_engines_hold_on_criteria_is_fired_as_lifecycle() {
    let q = manifest(&format!(
        "{}[[rules]]\nname = \"b\"\nscript = 'decision.not_met(\"budget\", \"None\")'\n",
        PACK.replace("sql_criteria_met = 1", "sql_criteria_met = 4\nhold_criteria_not_met = 1")
    ));
    let l = lead(
        r#"{"id": "H", "created_at": "2026-11-01T00:00:00Z",
            "touchpoints": [{"at": "2026-11-22T00:00:00Z", "channel": "web_visit"}]}"#,
    );
    let d = q.evaluate(&l, crate::as_of()).unwrap();
    let held = d.why_not_yet.unwrap().held.unwrap();
    assert_eq!(held.reason, "Score 20 is there but 1 of 4 criteria are not met");
    assert_eq!(held.rule, "lifecycle");
    assert_eq!(d.fired, ["points", "b", "lifecycle"]);
}

#[test]
fn lifecycle_is_a_reserved_rule_name() {
    let err =
        Pack::from_toml("name = \"p\"\nversion = \"1\"\n[[rules]]\nname = \"lifecycle\"\nscript = ''\n")
            .unwrap_err();
    assert_eq!(err.problems()[0].kind(), ProblemKind::Invalid);
    assert_eq!(err.to_string(), "rule \"lifecycle\": this name is reserved for the engine");
}

#[test]
fn channel_declarations_are_checked() {
    let err = Pack::from_toml(
        "name = \"p\"\nversion = \"1\"\n[channels]\nwebinar = \"outbound\"\n\"custom:x\" = \"inbund\"\n\"custom:y\" = 1\n",
    )
    .unwrap_err();
    let messages: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "[channels] custom:x: unknown direction \"inbund\" (did you mean \"inbound\"?)",
            "[channels] custom:y: expected \"inbound\" or \"outbound\", got 1",
            "[channels] webinar: a built-in channel's direction is fixed (inbound)",
        ]
    );
}

#[test]
fn declaring_a_channel_changes_the_pack_hash_and_nothing_else_does() {
    let base = "name = \"p\"\nversion = \"1\"\n";
    let plain = Pack::from_toml(base).unwrap();
    let declared = Pack::from_toml(&format!("{base}[channels]\n\"custom:x\" = \"inbound\"\n")).unwrap();
    let empty = Pack::from_toml(&format!("{base}[channels]\n")).unwrap();
    assert_ne!(plain.hash(), declared.hash());
    assert_eq!(plain.hash(), empty.hash());
}

#[test]
fn counting_an_undeclared_custom_channel_is_a_warning_with_a_suggestion() {
    let q = manifest(&format!(
        "{PACK}[[rules]]\nname = \"sms\"\nscript = '''\nlet n = lead.count(\"custom:sms_snet\", 7);\nlet m = lead.count(\"custom:podcast\");\n'''\n"
    ));
    let warnings: Vec<String> = q.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["pack.toml:20:14: rule \"sms\": custom channel \"custom:sms_snet\" is not declared by the pack \
          (did you mean \"custom:sms_sent\"?); declare it in [channels] or [points]"]
    );
    assert_eq!(q.warnings()[0].kind(), ProblemKind::UndeclaredChannel);
}

#[test]
fn numbers_in_reasons_read_as_a_person_writes_them() {
    // Created 2 days 2 h 27 min before as_of: 2.1020833... days old.
    let young = lead(r#"{"id": "N", "created_at": "2026-11-20T21:33:00Z"}"#);
    let q = manifest(
        r#"
name = "p"
version = "1"
[params]
factor = 4.0
[[rules]]
name = "age"
table = [{ age_days = { below = 3 }, fit = 1, reason = "{age_days} days old, factor {params.factor}" }]
[[rules]]
name = "script"
script = '''
decision.fit(1, "Age " + lead.age_days + " days");
decision.fit(1, `Age ${lead.age_days} days, factor ${params.factor}`);
decision.fit(1, to_string(params.factor) + " " + (params.factor * 1.5) + " " + 0.125);
'''
"#,
    );
    let d = q.evaluate(&young, crate::as_of()).unwrap();
    let reasons: Vec<&str> = d.contributions.iter().map(|c| c.reason.as_str()).collect();
    assert_eq!(reasons, ["2.1 days old, factor 4", "Age 2.1 days", "Age 2.1 days, factor 4", "4 6 0.13"]);
}

#[test]
fn the_point_table_gives_one_line_per_channel_in_channel_order() {
    let q = manifest(
        r#"
name = "p"
version = "1"
[params]
half_life_days = 7
channel_daily_cap = 10
[points]
"custom:zeta" = 1
webinar = 3
"custom:alpha" = 2
pricing_page = 8
ad_click = 1
unsubscribe = -5
"#,
    );
    let l = lead(
        r#"{"id": "O", "created_at": "2026-11-01T00:00:00Z", "touchpoints": [
            {"at": "2026-11-22T00:00:00Z", "channel": "custom:zeta"},
            {"at": "2026-11-22T00:00:00Z", "channel": "unsubscribe"},
            {"at": "2026-11-16T15:00:00Z", "channel": "pricing_page"},
            {"at": "2026-11-22T00:00:00Z", "channel": "webinar"},
            {"at": "2026-11-22T00:00:00Z", "channel": "custom:alpha"},
            {"at": "2026-11-16T09:00:00Z", "channel": "pricing_page"},
            {"at": "2026-11-22T00:00:00Z", "channel": "ad_click"}]}"#,
    );
    let d = q.evaluate(&l, crate::as_of()).unwrap();
    let lines: Vec<(i64, &str)> = d.contributions.iter().map(|c| (c.points, c.reason.as_str())).collect();
    assert_eq!(
        lines,
        [
            (1, "ad_click activity (1 per touch, half-life 7 days)"),
            // The guide's worked example: capped to 10 for the day, then faded: 5.254.
            (5, "pricing_page activity (8 per touch, half-life 7 days)"),
            (3, "webinar activity (3 per touch, half-life 7 days)"),
            (-5, "unsubscribe activity (-5 per touch, half-life 7 days)"),
            (2, "custom:alpha activity (2 per touch, half-life 7 days)"),
            (1, "custom:zeta activity (1 per touch, half-life 7 days)"),
        ]
    );
    assert!(d.contributions.iter().all(|c| c.rule == "points"));
}

//! The leads the timing benches share: the sample leads, and L-1001's
//! profile with any number of touchpoints.

use chrono::{DateTime, Duration, Utc};
use leadgate::{Channel, Lead, Touchpoint};

pub const SAMPLE_LEADS: &str = include_str!("../../examples/data/leads.ndjson");

/// The time every bench decides as of, parsed once: benches call this
/// inside their timed loops, which would otherwise time a parse too.
pub fn as_of() -> DateTime<Utc> {
    static AS_OF: std::sync::LazyLock<DateTime<Utc>> =
        std::sync::LazyLock::new(|| "2026-11-23T00:00:00Z".parse().unwrap());
    *AS_OF
}

/// The sample leads, read.
#[allow(dead_code)]
pub fn sample_leads() -> Vec<Lead> {
    leadgate::read_leads(SAMPLE_LEADS).map(|r| r.unwrap().lead).collect()
}

/// A sample-like lead (L-1001's profile) with `n` touchpoints over 90 days.
pub fn lead_with_touchpoints(n: usize) -> Lead {
    let mut lead = leadgate::read_leads(SAMPLE_LEADS).next().unwrap().unwrap().lead;
    let channels = [
        Channel::WebVisit,
        Channel::EmailOpen,
        Channel::EmailClick,
        Channel::PricingPage,
        Channel::ContentDownload,
        Channel::Webinar,
        Channel::AdClick,
        Channel::Call,
    ];
    lead.touchpoints = (0..n)
        .map(|i| {
            let at = as_of() - Duration::minutes((i as i64 * 90 * 24 * 60) / n.max(1) as i64 + 30);
            Touchpoint::new(at, channels[i % channels.len()].clone())
        })
        .collect();
    lead
}

/// xorshift64*: a seeded generator, so every run checks the same leads.
#[allow(dead_code)]
pub fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// A lead that exercises every row of the default pack: each industry,
/// size band, seniority, country, email kind, budget, role, need, timeline
/// and stage a marketing lead may have, and touches on every point channel
/// (and custom ones), some on the same day, some after `as_of`.
#[allow(dead_code)]
pub fn generated(rng: &mut u64, i: usize) -> Lead {
    let mut pick = |items: &[&str]| items[(next(rng) % items.len() as u64) as usize].to_owned();
    let industry = pick(&["\"software\"", "\"fintech\"", "\"retail\"", "\"\"", "null"]);
    let employees = pick(&["10", "49", "50", "199", "200", "5000", "null"]);
    let seniority = pick(&[
        "\"c_level\"",
        "\"vp\"",
        "\"director\"",
        "\"manager\"",
        "\"individual_contributor\"",
        "\"student\"",
        "null",
    ]);
    let title = pick(&["\"CTO\"", "null"]);
    let country = pick(&["\"US\"", "\"DE\"", "\"BR\"", "null"]);
    let email =
        pick(&["\"a@acme.io\"", "\"a@GMAIL.com\"", "\"a@gmx.de\"", "\"spy@RivalCRM.com\"", "\"x@\"", "null"]);
    let domain = pick(&["\"acme.io\"", "\"leadzilla.io\"", "null", "null", "null", "null"]);
    let budget = pick(&[
        "null",
        "{\"amount\": 5000, \"currency\": \"USD\"}",
        "{\"amount\": 10000, \"currency\": \"EUR\"}",
        "{\"amount\": 12345.678, \"currency\": \"GBP\"}",
    ]);
    let confirmed = pick(&["true", "false", "null"]);
    let role = pick(&[
        "\"decision_maker\"",
        "\"economic_buyer\"",
        "\"champion\"",
        "\"influencer\"",
        "\"evaluator\"",
        "\"end_user\"",
        "\"gatekeeper\"",
        "null",
        "null",
    ]);
    let need = pick(&["\"routing\"", "\"\"", "null", "null"]);
    let pains = pick(&["[]", "[\"slow\", \"manual\"]"]);
    let timeline = pick(&[
        "\"immediate\"",
        "\"within_3_months\"",
        "\"within_6_months\"",
        "\"over_12_months\"",
        "\"no_plans\"",
        "null",
    ]);
    let purchase = pick(&["\"2026-12-20\"", "\"2027-06-01\"", "null", "null"]);
    let stage = pick(&["\"subscriber\"", "\"lead\"", "\"lead\"", "\"mql\"", "\"sal\"", "\"customer\""]);
    let channels = [
        "ad_click",
        "web_visit",
        "pricing_page",
        "content_download",
        "email_open",
        "email_click",
        "email_reply",
        "form_submit",
        "webinar",
        "event",
        "social",
        "chat",
        "demo_request",
        "free_trial",
        "referral",
        "call",
        "meeting",
        "proposal",
        "unsubscribe",
        "email_bounce",
        "email_sent",
        "direct_mail",
        "custom:podcast",
        "custom:trade_show",
    ];
    let n = (next(rng) % 40) as usize;
    let mut touches = Vec::with_capacity(n);
    let mut hours_ago = (next(rng) % (24 * 200)) as i64 - 24;
    for _ in 0..n {
        let channel = channels[(next(rng) % channels.len() as u64) as usize];
        // Often the same day as the touch before, to meet the daily cap.
        if next(rng) % 3 != 0 {
            hours_ago += (next(rng) % (24 * 20)) as i64;
        }
        let at = as_of() - Duration::hours(hours_ago) - Duration::minutes((next(rng) % 60) as i64);
        touches.push(format!(r#"{{"at": "{}", "channel": "{channel}"}}"#, at.to_rfc3339()));
    }
    let json = format!(
        r#"{{"id": "G-{i}", "created_at": "2026-01-01T00:00:00Z", "stage": {stage},
            "person": {{"email": {email}, "seniority": {seniority}, "job_title": {title}}},
            "company": {{"industry": {industry}, "employees": {employees}, "country": {country}, "domain": {domain}}},
            "qualification": {{"budget": {budget}, "budget_confirmed": {confirmed}, "buying_role": {role},
                "need": {need}, "pain_points": {pains}, "timeline": {timeline}, "purchase_date": {purchase}}},
            "touchpoints": [{}]}}"#,
        touches.join(",")
    );
    Lead::from_json(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// A pack of `n` scripted rules, each `if <test> { decision.fit(1, "x") }`,
/// with a list parameter `industries` of four items for tests to ask about.
#[allow(dead_code)]
pub fn scripted_pack(n: usize, test: &str) -> leadgate::Pack {
    let mut manifest =
        String::from("name = \"s\"\nversion = \"1\"\n[params]\nindustries = [\"a\", \"b\", \"c\", \"d\"]\n");
    for i in 0..n {
        manifest.push_str(&format!(
            "[[rules]]\nname = \"r{i}\"\nscript = 'if {test} {{ decision.fit(1, \"x\") }}'\n"
        ));
    }
    leadgate::Pack::from_toml(&manifest).unwrap()
}

/// What the scripted-rule benches ask: a number compared, or a text looked up in a list parameter.
#[allow(dead_code)]
pub const ONE_IF: [(&str, &str); 2] =
    [("compare", "lead.employees > 1_000_000"), ("in_list", "lead.industry in params.industries")];

//! The default pack (`packs/b2b-bant`) in plain Rust, as tight as a careful
//! Rust programmer would write it for one fixed pack: static reasons, one
//! buffer for the touches (sorted once, as the daily cap and the floating
//! sums must see them in the engine's order), no formatting but the reasons
//! that carry lead data. It builds the same explained decision: every
//! contribution, every criterion with its evidence and rule, the stage and
//! the handoff with its reason. `check` in the bench holds it to the engine
//! on thousands of generated leads.
//!
//! What it leaves out, as the generated leads do: custom point channels,
//! channel directions a pack declares, and parameter overrides.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use leadgate::{
    BuyingRole, Channel, CriterionStatus, Direction, Grade, Lead, Seniority, Stage, Temperature, Timeline,
};

/// One line of the explanation.
#[derive(Debug, PartialEq)]
pub struct Contribution {
    pub rule: &'static str,
    pub points: i64,
    pub reason: Cow<'static, str>,
}

/// A criterion a rule decided: its status, evidence and rule.
#[derive(Debug, PartialEq)]
pub struct Criterion {
    pub status: CriterionStatus,
    pub evidence: Cow<'static, str>,
    pub rule: &'static str,
}

/// The criteria, in the pack's order.
pub const CRITERIA: [&str; 4] = ["budget", "authority", "need", "timeline"];
const BUDGET: usize = 0;
const AUTHORITY: usize = 1;
const NEED: usize = 2;
const TIMELINE: usize = 3;

#[derive(Debug)]
pub struct Decision {
    pub fit: i64,
    pub engagement: i64,
    pub negative: i64,
    pub score: i64,
    pub grade: Grade,
    pub temperature: Temperature,
    /// `None`: no rule decided it (unknown, without evidence).
    pub criteria: [Option<Criterion>; 4],
    pub stage: Stage,
    pub handoff: Option<(Stage, String)>,
    pub disqualified: bool,
    pub contributions: Vec<Contribution>,
}

/// The point table: per built-in channel, its points and reason.
fn points(channel: &Channel) -> Option<(i64, &'static str)> {
    use Channel::*;
    Some(match channel {
        AdClick => (2, "ad_click activity (2 per touch, half-life 30 days)"),
        WebVisit => (1, "web_visit activity (1 per touch, half-life 30 days)"),
        PricingPage => (8, "pricing_page activity (8 per touch, half-life 30 days)"),
        ContentDownload => (5, "content_download activity (5 per touch, half-life 30 days)"),
        EmailOpen => (1, "email_open activity (1 per touch, half-life 30 days)"),
        EmailClick => (3, "email_click activity (3 per touch, half-life 30 days)"),
        EmailReply => (6, "email_reply activity (6 per touch, half-life 30 days)"),
        FormSubmit => (8, "form_submit activity (8 per touch, half-life 30 days)"),
        Webinar => (10, "webinar activity (10 per touch, half-life 30 days)"),
        Event => (8, "event activity (8 per touch, half-life 30 days)"),
        Social => (1, "social activity (1 per touch, half-life 30 days)"),
        Chat => (5, "chat activity (5 per touch, half-life 30 days)"),
        DemoRequest => (25, "demo_request activity (25 per touch, half-life 30 days)"),
        FreeTrial => (15, "free_trial activity (15 per touch, half-life 30 days)"),
        Referral => (10, "referral activity (10 per touch, half-life 30 days)"),
        Call => (5, "call activity (5 per touch, half-life 30 days)"),
        Meeting => (10, "meeting activity (10 per touch, half-life 30 days)"),
        Proposal => (10, "proposal activity (10 per touch, half-life 30 days)"),
        Unsubscribe => (-15, "unsubscribe activity (-15 per touch, half-life 30 days)"),
        EmailBounce => (-10, "email_bounce activity (-10 per touch, half-life 30 days)"),
        _ => return None,
    })
}

const TARGET_INDUSTRIES: [&str; 6] =
    ["software", "saas", "fintech", "financial_services", "healthcare", "manufacturing"];
const TARGET_COUNTRIES: [&str; 10] = ["US", "CA", "GB", "IE", "DE", "FR", "NL", "SE", "DK", "AU"];
const COMPETITORS: [&str; 2] = ["rivalcrm.com", "leadzilla.io"];
// The engine's list, repeated: a baseline must not call the engine.
const FREE_MAIL: [&str; 22] = [
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "163.com",
    "zoho.com",
];

const MS_PER_DAY: f64 = 86_400_000.0;

/// A touch at or before `as_of`, as the point table and the engagement rule need it.
struct Touch<'a> {
    channel: &'a Channel,
    day: i64,
    age: f64,
    /// Channel rank, day, then time of day backwards: the order to sort in.
    key: u64,
}

/// A built-in channel's place in `Channel`'s order; custom channels last.
fn rank(channel: &Channel) -> u64 {
    use Channel::*;
    match channel {
        AdClick => 0,
        WebVisit => 1,
        PricingPage => 2,
        ContentDownload => 3,
        EmailSent => 4,
        EmailOpen => 5,
        EmailClick => 6,
        EmailReply => 7,
        FormSubmit => 8,
        Webinar => 9,
        Event => 10,
        Social => 11,
        DirectMail => 12,
        Chat => 13,
        DemoRequest => 14,
        FreeTrial => 15,
        Referral => 16,
        Call => 17,
        Meeting => 18,
        Proposal => 19,
        Unsubscribe => 20,
        EmailBounce => 21,
        _ => 255,
    }
}

/// Numbers as reasons write them: whole without decimals, else at most two.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

pub fn decide(lead: &Lead, as_of: DateTime<Utc>) -> Decision {
    let now = as_of.timestamp_millis();
    let mut touches: Vec<Touch<'_>> = Vec::with_capacity(lead.touchpoints.len());
    touches.extend(lead.touchpoints.iter().filter(|t| t.at <= as_of).map(|t| {
        let at = t.at.timestamp_millis();
        let day = at.div_euclid(86_400_000);
        // Days since 0000-01-01 fit 22 bits for the years 0000 to 9999, which reading refuses to leave.
        let key = rank(&t.channel) << 56
            | ((day + 719_528) as u64) << 30
            | (86_399_999 - at.rem_euclid(86_400_000)) as u64;
        Touch { channel: &t.channel, day, age: (now - at) as f64 / MS_PER_DAY, key }
    }));
    // By channel, day and age, as the engine sums them: integers first, then
    // custom channels (the top rank) by name.
    touches.sort_unstable_by_key(|t| t.key);
    if let Some(first) = touches.iter().position(|t| t.key >> 56 == 255) {
        touches[first..].sort_unstable_by(|a, b| {
            a.channel.cmp(b.channel).then(a.day.cmp(&b.day)).then(a.age.total_cmp(&b.age))
        });
    }

    let (current, entered) = lead.stage_at(as_of);
    let mut d = Decision {
        fit: 0,
        engagement: 0,
        negative: 0,
        score: 0,
        grade: Grade::F,
        temperature: Temperature::Cold,
        criteria: [None, None, None, None],
        stage: current,
        handoff: None,
        disqualified: false,
        contributions: Vec::with_capacity(16),
    };
    fn add(d: &mut Decision, rule: &'static str, points: i64, reason: impl Into<Cow<'static, str>>) {
        d.contributions.push(Contribution { rule, points, reason: reason.into() });
    }

    // The point table: per channel, per day scaled to at most 25, each touch faded.
    let mut i = 0;
    while i < touches.len() {
        let channel = touches[i].channel;
        let end = i + touches[i..].iter().take_while(|t| t.channel == channel).count();
        if let Some((p, reason)) = points(channel) {
            let mut total = 0.0;
            for day in touches[i..end].chunk_by(|a, b| a.day == b.day) {
                let raw = p as f64 * day.len() as f64;
                let scale = if raw > 25.0 { 25.0 / raw } else { 1.0 };
                total +=
                    day.iter().map(|t| p as f64 * scale * 0.5f64.powf(t.age.max(0.0) / 30.0)).sum::<f64>();
            }
            let total = total.round() as i64;
            if total != 0 {
                if p < 0 {
                    d.negative += total;
                } else {
                    d.engagement += total;
                }
                add(&mut d, "points", total, reason);
            }
        }
        i = end;
    }

    // screen
    let email_domain = lead.person.email.as_deref().and_then(|e| e.rsplit_once('@')).map(|(_, d)| d);
    let domain = email_domain.unwrap_or("");
    let competitor = |d: &str| COMPETITORS.iter().any(|c| c.eq_ignore_ascii_case(d));
    if (!domain.is_empty() && competitor(domain))
        || lead.company.domain.as_deref().is_some_and(|d| COMPETITORS.contains(&d))
    {
        d.disqualified = true;
        d.stage = Stage::Disqualified;
        caps(&mut d);
        return finish(d);
    }

    // fit: every matching row.
    let fit = |d: &mut Decision, points: i64, reason: &'static str| {
        if points < 0 {
            d.negative += points;
        } else {
            d.fit += points;
        }
        add(d, "fit", points, reason);
    };
    if lead.company.industry.as_deref().is_some_and(|i| TARGET_INDUSTRIES.contains(&i)) {
        fit(&mut d, 15, "In a target industry");
    }
    match lead.company.employees {
        Some(e) if e >= 200 => fit(&mut d, 15, "Company size in the sweet spot"),
        Some(e) if e >= 50 => fit(&mut d, 8, "Company large enough to buy"),
        Some(_) => fit(&mut d, -5, "Company below the minimum size"),
        None => {}
    }
    match lead.person.seniority {
        Some(Seniority::CLevel) => fit(&mut d, 15, "C-level contact"),
        Some(Seniority::Vp) => fit(&mut d, 12, "VP-level contact"),
        Some(Seniority::Director) => fit(&mut d, 10, "Director-level contact"),
        Some(Seniority::Manager) => fit(&mut d, 5, "Manager-level contact"),
        Some(Seniority::Student) => fit(&mut d, -20, "Student"),
        _ => {}
    }
    if lead.company.country.as_deref().is_some_and(|c| TARGET_COUNTRIES.contains(&c)) {
        fit(&mut d, 5, "In a country we serve");
    }
    if email_domain.is_some_and(|e| FREE_MAIL.iter().any(|f| f.eq_ignore_ascii_case(e))) {
        fit(&mut d, -10, "Free-mail address");
    }

    // BANT: the first matching row of each criterion's table.
    let q = &lead.qualification;
    let set = |d: &mut Decision, which: usize, status, evidence: Cow<'static, str>| {
        d.criteria[which] = Some(Criterion { status, evidence, rule: CRITERIA[which] });
    };
    if let Some(b) = &q.budget {
        let (amount, currency) = (b.amount(), b.currency);
        if amount < 10000.0 {
            let e = format!("Budget of {currency} {} is below the minimum", number(amount));
            set(&mut d, BUDGET, CriterionStatus::NotMet, e.into());
        } else if q.budget_confirmed == Some(true) {
            let e = format!("Confirmed budget of {currency} {}", number(amount));
            set(&mut d, BUDGET, CriterionStatus::Met, e.into());
        } else {
            let e = format!("Declared budget of {currency} {} (not yet confirmed)", number(amount));
            set(&mut d, BUDGET, CriterionStatus::Met, e.into());
        }
    }
    let (met, not_met) = (CriterionStatus::Met, CriterionStatus::NotMet);
    match q.buying_role {
        Some(BuyingRole::DecisionMaker) => set(&mut d, AUTHORITY, met, "Is the decision maker".into()),
        Some(BuyingRole::EconomicBuyer) => set(&mut d, AUTHORITY, met, "Is the economic buyer".into()),
        Some(BuyingRole::Champion) => {
            set(&mut d, AUTHORITY, met, "Champion with access to the decision maker".into())
        }
        Some(BuyingRole::EndUser) => {
            set(&mut d, AUTHORITY, not_met, "Is an end user, not a decision maker".into())
        }
        Some(BuyingRole::Gatekeeper) => {
            set(&mut d, AUTHORITY, not_met, "Is a gatekeeper, not a decision maker".into())
        }
        Some(role @ (BuyingRole::Influencer | BuyingRole::Evaluator)) => {
            let e = format!("Is an {}; decision maker not identified yet", role.as_str());
            set(&mut d, AUTHORITY, CriterionStatus::Unknown, e.into());
        }
        Some(_) => {}
        None if matches!(lead.person.seniority, Some(Seniority::CLevel | Seniority::Vp)) => {
            let e = format!("Senior title: {}", lead.person.job_title.as_deref().unwrap_or(""));
            set(&mut d, AUTHORITY, met, e.into());
        }
        None => {}
    }
    if let Some(need) = q.need.as_deref().filter(|n| !n.is_empty()) {
        set(&mut d, NEED, met, format!("Stated need: {need}").into());
    } else if !q.pain_points.is_empty() {
        let mut e = String::from("Pain points: ");
        for (i, p) in q.pain_points.iter().enumerate() {
            if i > 0 {
                e.push_str(", ");
            }
            e.push_str(p);
        }
        set(&mut d, NEED, met, e.into());
    }
    let days = match q.purchase_date {
        Some(date) => Some((date - as_of.date_naive()).num_days()),
        None => q.timeline.and_then(Timeline::max_days),
    };
    match days {
        Some(days) if days <= 90 => set(&mut d, TIMELINE, met, format!("Buying within {days} days").into()),
        Some(days) => set(&mut d, TIMELINE, not_met, format!("Buying in {days} days, beyond 90").into()),
        None => {
            if let Some(t @ (Timeline::Over12Months | Timeline::NoPlans)) = q.timeline {
                set(&mut d, TIMELINE, not_met, format!("Timeline: {}", t.as_str()).into())
            }
        }
    }

    // engagement: every matching row, in order, in one more pass.
    let mut channels_30 = 0;
    let (mut pricing_14, mut demo_7, mut demo, mut latest) = (0, false, false, f64::INFINITY);
    let mut last: Option<&Channel> = None;
    for t in &touches {
        latest = latest.min(t.age);
        if t.age <= 30.0 && last != Some(t.channel) {
            // Sorted by channel: each run of a channel is one distinct channel.
            last = Some(t.channel);
            channels_30 += 1;
        }
        match t.channel {
            Channel::PricingPage if t.age <= 14.0 => pricing_14 += 1,
            Channel::DemoRequest => {
                demo = true;
                demo_7 |= t.age <= 7.0;
            }
            _ => {}
        }
    }
    if channels_30 >= 3 {
        d.engagement += 5;
        add(&mut d, "engagement", 5, "Engaged on 3 or more channels in 30 days");
    }
    if pricing_14 >= 2 {
        d.engagement += 5;
        add(&mut d, "engagement", 5, "Came back to pricing within two weeks");
    }
    if latest.is_finite() && latest > 90.0 {
        d.negative -= 10;
        add(&mut d, "engagement", -10, "Gone quiet: no touch in 90 days");
    }
    let hot = demo_7;
    if demo && d.criteria[NEED].as_ref().is_none_or(|c| c.status == CriterionStatus::Unknown) {
        d.criteria[NEED] =
            Some(Criterion { status: met, evidence: "Requested a demo".into(), rule: "engagement" });
    }

    caps(&mut d);
    if hot {
        d.temperature = Temperature::Hot;
    }

    // The lifecycle: SQL-ready, held, or an MQL on score. A recycled lead
    // goes back to sales only after new inbound activity.
    let score = d.fit + d.engagement + d.negative;
    let recycled = (current == Stage::Recycled).then(|| entered.unwrap_or(lead.created_at));
    let quiet = recycled.is_some_and(|since| {
        !lead
            .touchpoints
            .iter()
            .any(|t| t.at > since && t.at <= as_of && t.channel.direction() == Direction::Inbound)
    });
    if matches!(current, Stage::Subscriber | Stage::Lead | Stage::Mql | Stage::Recycled)
        && score >= 60
        && !quiet
    {
        let status = |s| d.criteria.iter().flatten().filter(|c| c.status == s).count();
        let (met, not_met) = (status(CriterionStatus::Met), status(CriterionStatus::NotMet));
        if met >= 3 {
            d.stage = Stage::Sql;
            d.handoff = Some((Stage::Sql, format!("SQL-ready: score {score}, {met} of 4 criteria met")));
        } else if not_met < 2 {
            if current != Stage::Mql {
                d.stage = Stage::Mql;
            }
            d.handoff = Some((Stage::Mql, format!("Score {score} reached the MQL threshold of 60")));
        }
        if let (Some((_, reason)), Some(since)) = (&mut d.handoff, recycled) {
            use std::fmt::Write;
            let _ = write!(
                reason,
                ", with new activity since it was recycled on {} UTC",
                since.format("%Y-%m-%d %H:%M")
            );
        }
    }
    finish(d)
}

/// The caps, which apply to a disqualified lead too: fit 50, engagement 60,
/// score 100 (taken from engagement first), each cut a line of its own.
fn caps(d: &mut Decision) {
    let cut = |d: &mut Decision, points: i64, reason: &'static str| {
        d.contributions.push(Contribution { rule: "caps", points, reason: Cow::Borrowed(reason) });
    };
    if d.fit > 50 {
        cut(d, 50 - d.fit, "Fit capped at 50");
        d.fit = 50;
    }
    if d.engagement > 60 {
        cut(d, 60 - d.engagement, "Engagement capped at 60");
        d.engagement = 60;
    }
    let excess = d.fit + d.engagement + d.negative - 100;
    if excess > 0 {
        let e = excess.min(d.engagement.max(0));
        if e > 0 {
            cut(d, -e, "Score capped at 100");
            d.engagement -= e;
        }
        if excess > e {
            cut(d, e - excess, "Score capped at 100");
            d.fit -= excess - e;
        }
    }
}

fn finish(mut d: Decision) -> Decision {
    d.score = d.fit + d.engagement + d.negative;
    d.grade = match d.fit {
        40.. => Grade::A,
        30.. => Grade::B,
        20.. => Grade::C,
        10.. => Grade::D,
        _ => Grade::F,
    };
    if d.temperature != Temperature::Hot {
        d.temperature = match d.score {
            60.. => Temperature::Hot,
            25.. => Temperature::Warm,
            _ => Temperature::Cold,
        };
    }
    d
}

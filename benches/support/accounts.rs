//! Accounts for the benches: one of 50 contacts with 30 touchpoints each,
//! thousands of generated ones, and the shipped pack's account part in
//! plain Rust on top of the native lead baseline (`benches/native`).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use leadgate::account::{Account, AccountKey};
use leadgate::{BuyingRole, Direction, Grade, Lead, Temperature};

use crate::leads::{generated, lead_with_touchpoints};
use crate::native;

/// The bench's account: 50 contacts of L-1001's profile, 30 touchpoints
/// each over 90 days, in turn economic buyer, champion, influencer,
/// evaluator and no role.
pub fn contacts(n: usize, touches: usize) -> Vec<Lead> {
    let roles = [
        Some(BuyingRole::EconomicBuyer),
        Some(BuyingRole::Champion),
        Some(BuyingRole::Influencer),
        Some(BuyingRole::Evaluator),
        None,
    ];
    (0..n)
        .map(|i| {
            let mut lead = lead_with_touchpoints(touches);
            lead.id = format!("C-{i:03}").into();
            lead.qualification.buying_role = roles[i % roles.len()];
            lead
        })
        .collect()
}

/// Generated leads (every branch of the lead pack) put into `accounts`
/// accounts by `account_id`.
#[allow(dead_code)]
pub fn generated_accounts(leads: usize, accounts: usize) -> Vec<Lead> {
    let mut rng = 0xACC0_u64;
    (0..leads)
        .map(|i| {
            let mut lead = generated(&mut rng, i);
            lead.account_id = Some(format!("A-{}", i % accounts).into());
            lead
        })
        .collect()
}

/// What the native account says, for the check against the engine.
#[derive(Debug, PartialEq)]
pub struct Decision {
    pub fit: i64,
    pub engagement: i64,
    pub negative: i64,
    pub score: i64,
    pub grade: Grade,
    pub temperature: Temperature,
    pub disqualified: bool,
    /// The buying group handed to sales, if the account is.
    pub handoff: Option<Vec<String>>,
    pub contributions: Vec<(&'static str, i64, Cow<'static, str>)>,
}

const TARGET_INDUSTRIES: [&str; 6] =
    ["software", "saas", "fintech", "financial_services", "healthcare", "manufacturing"];
const TARGET_COUNTRIES: [&str; 10] = ["US", "CA", "GB", "IE", "DE", "FR", "NL", "SE", "DK", "AU"];
const COMPETITORS: [&str; 2] = ["rivalcrm.com", "leadzilla.io"];
const CONTACT_CAP: i64 = 30;
const WINDOW_SECONDS: i64 = 30 * 86_400;

fn spoken(role: BuyingRole) -> &'static str {
    match role {
        BuyingRole::DecisionMaker => "decision maker",
        BuyingRole::EconomicBuyer => "economic buyer",
        BuyingRole::EndUser => "end user",
        other => other.as_str(),
    }
}

/// The shipped pack's `[account]` part, written for that pack alone.
pub fn decide(account: &Account<'_>, as_of: DateTime<Utc>) -> Decision {
    let mut contacts: Vec<&Lead> = account.contacts.clone();
    contacts.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let mut d = Decision {
        fit: 0,
        engagement: 0,
        negative: 0,
        score: 0,
        grade: Grade::F,
        temperature: Temperature::Cold,
        disqualified: false,
        handoff: None,
        contributions: Vec::with_capacity(contacts.len() + 8),
    };
    let (mut engaged, mut champion, mut buyer) = (0, false, false);
    let mut group = Vec::new();
    let (mut industry, mut employees, mut country, mut domain) = (None, None, None, None);
    for lead in &contacts {
        let c = &lead.company;
        industry = industry.or(c.industry.as_deref());
        employees = employees.or(c.employees);
        country = country.or(c.country.as_deref());
        domain = domain.or(c.domain.as_deref());
        let n = native::decide(lead, as_of);
        if n.disqualified {
            continue;
        }
        let is_engaged = lead.touchpoints.iter().any(|t| {
            t.at <= as_of
                && (as_of - t.at).num_seconds() <= WINDOW_SECONDS
                && t.channel.direction() == Direction::Inbound
        });
        let role = lead.qualification.buying_role;
        if is_engaged {
            engaged += 1;
            champion |= role == Some(BuyingRole::Champion);
            buyer |= role == Some(BuyingRole::EconomicBuyer);
            group.push(lead.id.to_string());
        }
        let points = n.engagement.clamp(0, CONTACT_CAP);
        if points > 0 {
            let mut reason = format!("Engagement of {}", lead.id);
            if let Some(role) = role {
                reason.push_str(", ");
                reason.push_str(spoken(role));
            }
            if points < n.engagement {
                reason.push_str(&format!(" ({}, capped at {points})", n.engagement));
            }
            d.engagement += points;
            d.contributions.push(("rollup", points, Cow::Owned(reason)));
        }
    }
    if let AccountKey::Domain(key) = &account.key {
        domain = Some(key.as_str());
    }
    let add = |d: &mut Decision, rule, points: i64, reason: Cow<'static, str>, fit: bool| {
        match (fit, points < 0) {
            (_, true) => d.negative += points,
            (true, _) => d.fit += points,
            (false, _) => d.engagement += points,
        }
        d.contributions.push((rule, points, reason));
    };
    let mut rule_temperature = None;
    if domain.is_some_and(|d| COMPETITORS.contains(&d)) {
        d.disqualified = true;
    } else {
        if industry.is_some_and(|i| TARGET_INDUSTRIES.contains(&i)) {
            add(&mut d, "account_fit", 15, Cow::Borrowed("In a target industry"), true);
        }
        match employees {
            Some(e) if e >= 200 => {
                add(&mut d, "account_fit", 15, Cow::Borrowed("Company size in the sweet spot"), true)
            }
            Some(e) if e >= 50 => {
                add(&mut d, "account_fit", 8, Cow::Borrowed("Company large enough to buy"), true)
            }
            Some(_) => add(&mut d, "account_fit", -5, Cow::Borrowed("Company below the minimum size"), true),
            None => {}
        }
        if country.is_some_and(|c| TARGET_COUNTRIES.contains(&c)) {
            add(&mut d, "account_fit", 5, Cow::Borrowed("In a country we serve"), true);
        }
        if engaged >= 3 {
            add(
                &mut d,
                "buying_group",
                10,
                Cow::Owned(format!("{engaged} people engaged in 30 days")),
                false,
            );
        }
        if champion {
            add(&mut d, "buying_group", 5, Cow::Borrowed("A champion is engaged"), false);
        }
        if engaged == 0 {
            rule_temperature = Some(Temperature::Cold);
        }
    }
    // The score cap of 150 takes from engagement first.
    let excess = d.fit + d.engagement + d.negative - 150;
    if excess > 0 {
        let from_engagement = excess.min(d.engagement.max(0));
        if from_engagement > 0 {
            d.engagement -= from_engagement;
            d.contributions.push(("caps", -from_engagement, Cow::Borrowed("Score capped at 150")));
        }
        if excess > from_engagement {
            d.fit -= excess - from_engagement;
            d.contributions.push(("caps", from_engagement - excess, Cow::Borrowed("Score capped at 150")));
        }
    }
    d.score = d.fit + d.engagement + d.negative;
    d.grade = match d.fit {
        35.. => Grade::A,
        25.. => Grade::B,
        15.. => Grade::C,
        5.. => Grade::D,
        _ => Grade::F,
    };
    d.temperature = rule_temperature.unwrap_or(match d.score {
        80.. => Temperature::Hot,
        40.. => Temperature::Warm,
        _ => Temperature::Cold,
    });
    if !d.disqualified && d.score >= 80 && buyer {
        d.handoff = Some(group);
    }
    d
}

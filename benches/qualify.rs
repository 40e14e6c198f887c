//! leadgate against a hand-written native-Rust implementation of the same
//! default pack, in the same run, so the ratio is what counts.
//!
//! `cargo bench --bench qualify`. Before timing, the native implementation is
//! checked to agree with the engine on every shipped sample lead.

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leadgate::{Channel, Lead, Pack, Qualifier, Stage, Touchpoint};

const SAMPLE_LEADS: &str = include_str!("../examples/data/leads.ndjson");

fn as_of() -> DateTime<Utc> {
    "2026-11-23T00:00:00Z".parse().unwrap()
}

/// A sample-like lead (L-1001's profile) with `n` touchpoints over 90 days.
fn lead_with_touchpoints(n: usize) -> Lead {
    let base = leadgate::read_leads(SAMPLE_LEADS).next().unwrap().unwrap().lead;
    let mut lead = base.clone();
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

/// The default pack's logic in plain Rust, with the same explained output.
mod native {
    use super::*;
    use leadgate::{Assessment, CriterionStatus, Grade, Temperature, Text};

    pub struct Contribution {
        pub points: i64,
        pub reason: Text,
        pub rule: &'static str,
    }

    pub struct Decision {
        pub fit: i64,
        pub engagement: i64,
        pub negative: i64,
        pub score: i64,
        pub grade: Grade,
        pub temperature: Temperature,
        pub criteria: Assessment,
        pub stage: Stage,
        pub handoff: Option<Text>,
        pub contributions: Vec<Contribution>,
    }

    const TARGET_INDUSTRIES: [&str; 6] =
        ["software", "saas", "fintech", "financial_services", "healthcare", "manufacturing"];
    const TARGET_COUNTRIES: [&str; 10] = ["US", "CA", "GB", "IE", "DE", "FR", "NL", "SE", "DK", "AU"];
    const COMPETITORS: [&str; 2] = ["rivalcrm.com", "leadzilla.io"];
    // The same list as the engine's; repeated because a baseline must not call the engine.
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

    fn points(channel: &Channel) -> Option<i64> {
        use Channel::*;
        Some(match channel {
            AdClick => 2,
            WebVisit => 1,
            PricingPage => 8,
            ContentDownload => 5,
            EmailOpen => 1,
            EmailClick => 3,
            EmailReply => 6,
            FormSubmit => 8,
            Webinar => 10,
            Event => 8,
            Social => 1,
            Chat => 5,
            DemoRequest => 25,
            FreeTrial => 15,
            Referral => 10,
            Call => 5,
            Meeting => 10,
            Proposal => 10,
            Unsubscribe => -15,
            EmailBounce => -10,
            _ => return None,
        })
    }

    /// The point table's reasons, made once as the engine makes them once.
    fn point_reason(channel: &Channel) -> Text {
        static REASONS: std::sync::OnceLock<Vec<(Channel, Text)>> = std::sync::OnceLock::new();
        let reasons = REASONS.get_or_init(|| {
            Channel::BUILT_IN
                .iter()
                .filter_map(|c| points(c).map(|p| (c.clone(), p)))
                .map(|(c, p)| {
                    let reason = format!("{c} activity ({p} per touch, half-life 30 days)").into();
                    (c, reason)
                })
                .collect()
        });
        reasons.iter().find(|(c, _)| c == channel).map(|(_, r)| r.clone()).unwrap_or_default()
    }

    struct Touch {
        age: f64,
        day: i64,
        channel: Channel,
    }

    pub fn decide(lead: &Lead, as_of: DateTime<Utc>) -> Decision {
        let mut touches: Vec<Touch> = lead
            .touchpoints
            .iter()
            .filter(|t| t.at <= as_of)
            .map(|t| Touch {
                age: (as_of - t.at).num_milliseconds() as f64 / 86_400_000.0,
                day: t.at.timestamp().div_euclid(86_400),
                channel: t.channel.clone(),
            })
            .collect();
        touches.sort_unstable_by(|a, b| {
            a.channel.cmp(&b.channel).then(a.day.cmp(&b.day)).then(a.age.total_cmp(&b.age))
        });

        let mut d = Decision {
            fit: 0,
            engagement: 0,
            negative: 0,
            score: 0,
            grade: Grade::F,
            temperature: Temperature::Cold,
            criteria: Assessment::bant(),
            stage: lead.stage_at(as_of).0,
            handoff: None,
            contributions: Vec::new(),
        };
        let add = |d: &mut Decision, rule, points: i64, reason: Text, negative: bool, fit: bool| {
            if fit {
                d.fit += points;
            } else if negative {
                d.negative += points;
            } else {
                d.engagement += points;
            }
            d.contributions.push(Contribution { points, reason, rule });
        };

        // The point table.
        let mut i = 0;
        while i < touches.len() {
            let channel = &touches[i].channel;
            let end = i + touches[i..].iter().take_while(|t| t.channel == *channel).count();
            if let Some(p) = points(channel) {
                let mut total = 0.0;
                let mut s = i;
                while s < end {
                    let e = s + touches[s..end].iter().take_while(|t| t.day == touches[s].day).count();
                    let raw = (p * (e - s) as i64) as f64;
                    let scale = if raw > 25.0 { 25.0 / raw } else { 1.0 };
                    total += touches[s..e]
                        .iter()
                        .map(|t| p as f64 * scale * 0.5f64.powf(t.age / 30.0))
                        .sum::<f64>();
                    s = e;
                }
                let total = total.round() as i64;
                if total != 0 {
                    add(&mut d, "points", total, point_reason(channel), p < 0, false);
                }
            }
            i = end;
        }

        let domain = lead.person.email.as_deref().and_then(|e| e.rsplit_once('@')).map_or("", |(_, d)| d);
        if COMPETITORS.iter().any(|c| c.eq_ignore_ascii_case(domain))
            || lead.company.domain.as_deref().is_some_and(|d| COMPETITORS.contains(&d))
        {
            d.stage = Stage::Disqualified;
            return finish(d, lead);
        }

        // fit
        let industry = lead.company.industry.as_deref().unwrap_or("");
        if TARGET_INDUSTRIES.contains(&industry) {
            add(&mut d, "fit", 15, "In a target industry".into(), false, true);
        }
        if let Some(e) = lead.company.employees {
            if e >= 200 {
                add(&mut d, "fit", 15, "Company size in the sweet spot".into(), false, true);
            } else if e >= 50 {
                add(&mut d, "fit", 8, "Company large enough to buy".into(), false, true);
            } else {
                add(&mut d, "fit", -5, "Company below the minimum size".into(), true, false);
            }
        }
        use leadgate::Seniority::*;
        match lead.person.seniority {
            Some(CLevel) => add(&mut d, "fit", 15, "C-level contact".into(), false, true),
            Some(Vp) => add(&mut d, "fit", 12, "VP-level contact".into(), false, true),
            Some(Director) => add(&mut d, "fit", 10, "Director-level contact".into(), false, true),
            Some(Manager) => add(&mut d, "fit", 5, "Manager-level contact".into(), false, true),
            Some(Student) => add(&mut d, "fit", -20, "Student".into(), true, false),
            _ => {}
        }
        if lead.company.country.as_deref().is_some_and(|c| TARGET_COUNTRIES.contains(&c)) {
            add(&mut d, "fit", 5, "In a country we serve".into(), false, true);
        }
        if FREE_MAIL.iter().any(|f| f.eq_ignore_ascii_case(domain)) {
            add(&mut d, "fit", -10, "Free-mail address".into(), true, false);
        }

        // engagement
        let within = |days: f64| touches.iter().filter(move |t| t.age <= days);
        let mut last: Option<&Channel> = None;
        let channels_30 = within(30.0).filter(|t| {
            let new = last != Some(&t.channel);
            last = Some(&t.channel);
            new
        });
        if channels_30.count() >= 3 {
            add(&mut d, "engagement", 5, "Engaged on 3 or more channels in 30 days".into(), false, false);
        }
        if within(14.0).filter(|t| t.channel == Channel::PricingPage).count() >= 2 {
            add(&mut d, "engagement", 5, "Came back to pricing within two weeks".into(), false, false);
        }
        if touches.iter().map(|t| t.age).min_by(f64::total_cmp).is_some_and(|a| a > 90.0) {
            add(&mut d, "engagement", -10, "Gone quiet: no touch in 90 days".into(), true, false);
        }
        let hot = within(7.0).any(|t| t.channel == Channel::DemoRequest);

        // bant
        let q = &lead.qualification;
        // One table per criterion, each its own rule.
        let mut set = |name: &str, status, evidence: String| {
            if let Ok(c) = d.criteria.set(name, status, Some(evidence.into())) {
                c.rule = Some(name.into());
            }
        };
        if let Some(b) = &q.budget {
            let amount = if b.amount().fract() == 0.0 {
                format!("{} {:.0}", b.currency, b.amount())
            } else {
                format!("{} {}", b.currency, b.amount())
            };
            if b.amount() < 10000.0 {
                set("budget", CriterionStatus::NotMet, format!("Budget of {amount} is below the minimum"));
            } else if q.budget_confirmed == Some(true) {
                set("budget", CriterionStatus::Met, format!("Confirmed budget of {amount}"));
            } else {
                set(
                    "budget",
                    CriterionStatus::Met,
                    format!("Declared budget of {amount} (not yet confirmed)"),
                );
            }
        }
        use leadgate::BuyingRole::*;
        let role = q.buying_role.map_or("", |r| r.as_str());
        match q.buying_role {
            Some(DecisionMaker) => set("authority", CriterionStatus::Met, "Is the decision maker".into()),
            Some(EconomicBuyer) => set("authority", CriterionStatus::Met, "Is the economic buyer".into()),
            Some(Champion) => {
                set("authority", CriterionStatus::Met, "Champion with access to the decision maker".into())
            }
            Some(EndUser) => {
                set("authority", CriterionStatus::NotMet, "Is an end user, not a decision maker".into())
            }
            Some(Gatekeeper) => {
                set("authority", CriterionStatus::NotMet, "Is a gatekeeper, not a decision maker".into())
            }
            // Influencers, evaluators, and roles added later.
            Some(_) => set(
                "authority",
                CriterionStatus::Unknown,
                format!("Is an {role}; decision maker not identified yet"),
            ),
            None => {
                if matches!(lead.person.seniority, Some(CLevel | Vp)) {
                    let title = lead.person.job_title.as_deref().unwrap_or("");
                    set("authority", CriterionStatus::Met, format!("Senior title: {title}"));
                }
            }
        }
        if let Some(need) = q.need.as_deref().filter(|n| !n.is_empty()) {
            set("need", CriterionStatus::Met, format!("Stated need: {need}"));
        } else if !q.pain_points.is_empty() {
            let points: Vec<&str> = q.pain_points.iter().map(|p| p.as_str()).collect();
            set("need", CriterionStatus::Met, format!("Pain points: {}", points.join(", ")));
        }
        let days = match q.purchase_date {
            Some(date) => Some((date - as_of.date_naive()).num_days()),
            None => q.timeline.and_then(leadgate::Timeline::max_days),
        };
        match days {
            Some(days) if days <= 90 => {
                set("timeline", CriterionStatus::Met, format!("Buying within {days} days"))
            }
            Some(days) => {
                set("timeline", CriterionStatus::NotMet, format!("Buying in {days} days, beyond 90"))
            }
            None if matches!(
                q.timeline,
                Some(leadgate::Timeline::Over12Months | leadgate::Timeline::NoPlans)
            ) =>
            {
                let t = q.timeline.map_or("", |t| t.as_str());
                set("timeline", CriterionStatus::NotMet, format!("Timeline: {t}"))
            }
            None => {}
        }

        // the engagement script: a demo request is a need when none is stated
        if d.criteria.get("need").is_some_and(|c| c.status == CriterionStatus::Unknown)
            && touches.iter().any(|t| t.channel == Channel::DemoRequest)
        {
            if let Ok(c) = d.criteria.set("need", CriterionStatus::Met, Some("Requested a demo".into())) {
                c.rule = Some("engagement".into());
            }
        }

        // caps, as rules would see them
        d.fit = d.fit.min(50);
        d.engagement = d.engagement.min(60);
        let excess = d.fit + d.engagement + d.negative - 100;
        if excess > 0 {
            let e = excess.min(d.engagement.max(0));
            d.engagement -= e;
            d.fit -= excess - e;
        }
        let score = d.fit + d.engagement + d.negative;

        // handoff
        let current = lead.stage_at(as_of).0;
        let marketing = matches!(current, Stage::Subscriber | Stage::Lead | Stage::Mql | Stage::Recycled);
        let met = d.criteria.count(CriterionStatus::Met);
        let mut held = false;
        if marketing && score >= 60 {
            if met >= 3 {
                d.stage = Stage::Sql;
                d.handoff = Some(format!("SQL-ready: score {score}, {met} of 4 criteria met").into());
            } else if d.criteria.count(CriterionStatus::NotMet) >= 2 {
                held = true;
            } else if matches!(current, Stage::Subscriber | Stage::Lead | Stage::Recycled) {
                d.stage = Stage::Mql;
            }
            if d.handoff.is_none() && !held && d.stage == Stage::Mql {
                d.handoff = Some(format!("Score {score} reached the MQL threshold of 60").into());
            }
        }
        if hot {
            d.temperature = Temperature::Hot;
        }
        finish(d, lead)
    }

    fn finish(mut d: Decision, _lead: &Lead) -> Decision {
        d.score = d.fit + d.engagement + d.negative;
        d.grade = [(40, Grade::A), (30, Grade::B), (20, Grade::C), (10, Grade::D)]
            .into_iter()
            .find(|(t, _)| d.fit >= *t)
            .map_or(Grade::F, |(_, g)| g);
        if d.temperature != Temperature::Hot {
            d.temperature = if d.score >= 60 {
                Temperature::Hot
            } else if d.score >= 25 {
                Temperature::Warm
            } else {
                Temperature::Cold
            };
        }
        d
    }
}

/// The baseline is only a baseline if it decides what the engine decides.
fn check_native_agrees(q: &Qualifier) {
    let mut leads: Vec<Lead> = leadgate::read_leads(SAMPLE_LEADS).map(|r| r.unwrap().lead).collect();
    leads.extend([0, 10, 30, 100, 1000].map(lead_with_touchpoints));
    for lead in &leads {
        let e = q.evaluate(lead, as_of()).unwrap();
        let n = native::decide(lead, as_of());
        let engine =
            (e.fit, e.engagement, e.negative, e.score, e.stage, e.grade, e.temperature, e.handoff.is_some());
        let native = (
            n.fit,
            n.engagement,
            n.negative,
            n.score,
            n.stage,
            Some(n.grade),
            Some(n.temperature),
            n.handoff.is_some(),
        );
        assert_eq!(engine, native, "lead {}", lead.id);
        assert_eq!(e.criteria, n.criteria, "lead {}", lead.id);
        let explained = |rule: &str, points: i64, reason: &str| (rule.to_owned(), points, reason.to_owned());
        let engine: Vec<_> = e
            .contributions
            .iter()
            .filter(|c| &*c.rule != "caps")
            .map(|c| explained(&c.rule, c.points, &c.reason))
            .collect();
        let native: Vec<_> = n.contributions.iter().map(|c| explained(c.rule, c.points, &c.reason)).collect();
        assert_eq!(engine, native, "lead {}", lead.id);
    }
}

fn decision(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    check_native_agrees(&q);
    let lead = lead_with_touchpoints(30);
    let mut g = c.benchmark_group("decision_30_touchpoints");
    g.throughput(Throughput::Elements(1));
    g.bench_function("leadgate", |b| b.iter(|| q.evaluate(black_box(&lead), as_of()).unwrap()));
    g.bench_function("native", |b| b.iter(|| native::decide(black_box(&lead), as_of())));
    g.finish();
}

fn touchpoint_scaling(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let mut g = c.benchmark_group("touchpoints");
    for n in [0, 10, 100, 1000] {
        let lead = lead_with_touchpoints(n);
        g.bench_with_input(BenchmarkId::new("leadgate", n), &lead, |b, lead| {
            b.iter(|| q.evaluate(black_box(lead), as_of()).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("native", n), &lead, |b, lead| {
            b.iter(|| native::decide(black_box(lead), as_of()))
        });
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let pack = Pack::b2b_bant();
    c.bench_function("load_default_pack", |b| b.iter(|| Qualifier::new(black_box(&pack)).unwrap()));
}

fn sample_batch(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads: Vec<Lead> = leadgate::read_leads(SAMPLE_LEADS).map(|r| r.unwrap().lead).collect();
    let mut g = c.benchmark_group("sample_leads");
    g.throughput(Throughput::Elements(leads.len() as u64));
    g.bench_function("leadgate", |b| b.iter(|| q.evaluate_batch(black_box(&leads), as_of())));
    g.bench_function("native", |b| {
        b.iter(|| leads.iter().map(|l| native::decide(black_box(l), as_of())).collect::<Vec<_>>())
    });
    g.finish();
}

/// `n` sample-like leads as NDJSON, with unique ids.
fn ndjson(n: usize) -> String {
    let lines: Vec<&str> = SAMPLE_LEADS.lines().collect();
    (0..n)
        .map(|i| lines[i % lines.len()].replacen("\"id\":\"L-", &format!("\"id\":\"B{i}-"), 1) + "\n")
        .collect()
}

/// What `qualify --format json` does per lead: read NDJSON, decide, write NDJSON.
fn end_to_end(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let input = ndjson(1000);
    let leads: Vec<Lead> = leadgate::read_leads(&input).map(|r| r.unwrap().lead).collect();
    assert_eq!(leads.len(), 1000, "ids are unique");
    let decisions: Vec<_> = leads.iter().map(|l| q.evaluate(l, as_of()).unwrap()).collect();
    let mut g = c.benchmark_group("end_to_end_1000_leads");
    g.throughput(Throughput::Elements(1000));
    g.sample_size(20);
    g.bench_function("parse", |b| b.iter(|| leadgate::read_leads(black_box(&input)).count()));
    g.bench_function("evaluate", |b| b.iter(|| q.evaluate_batch(black_box(&leads), as_of())));
    g.bench_function("serialise", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(2 << 20);
            for d in &decisions {
                serde_json::to_writer(&mut out, d).unwrap();
                out.push(b'\n');
            }
            out
        })
    });
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(2 << 20);
            for leadgate::lead::Record { lead, .. } in
                leadgate::read_leads(black_box(&input)).map(Result::unwrap)
            {
                serde_json::to_writer(&mut out, &q.evaluate(&lead, as_of()).unwrap()).unwrap();
                out.push(b'\n');
            }
            out
        })
    });
    g.finish();
}

/// `cargo bench --features parallel`: one shared pack on every core.
#[cfg(feature = "parallel")]
fn parallel(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads: Vec<Lead> = leadgate::read_leads(&ndjson(100_000)).map(|r| r.unwrap().lead).collect();
    assert_eq!(q.evaluate_batch_par(&leads, as_of()), q.evaluate_batch(&leads, as_of()));
    let mut g = c.benchmark_group("batch_100000_leads");
    g.throughput(Throughput::Elements(leads.len() as u64));
    g.sample_size(10);
    g.bench_function("sequential", |b| b.iter(|| q.evaluate_batch(black_box(&leads), as_of())));
    g.bench_function("parallel", |b| b.iter(|| q.evaluate_batch_par(black_box(&leads), as_of())));
    g.finish();
}

#[cfg(not(feature = "parallel"))]
fn parallel(_: &mut Criterion) {}

criterion_group!(benches, decision, touchpoint_scaling, load, sample_batch, end_to_end, parallel);
criterion_main!(benches);

//! Property tests: round trips, the lifecycle invariant, and the engine's guarantees.

use chrono::{DateTime, Duration, Utc};
use leadgate::{Channel, Lead, Pack, Qualifier, Stage, Touchpoint};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    // 2025-01-01 .. 2027-01-01, millisecond precision.
    (1_735_689_600_000i64..1_798_761_600_000).prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap())
}

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![
        4 => proptest::sample::select(Channel::BUILT_IN.to_vec()),
        1 => "[a-z][a-z0-9_-]{0,10}".prop_map(|n| Channel::custom(&n).unwrap()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn extra() -> impl Strategy<Value = Map<String, Value>> {
    // Names that are never known fields.
    proptest::collection::btree_map("x_[a-z]{1,6}", json_value(), 0..3).prop_map(|m| m.into_iter().collect())
}

fn opt_text() -> impl Strategy<Value = Option<leadgate::Text>> {
    proptest::option::of(".{0,16}".prop_map(leadgate::Text::from))
}

fn touchpoint() -> impl Strategy<Value = Touchpoint> {
    (
        time(),
        channel(),
        proptest::option::of(prop_oneof![Just(leadgate::Team::Marketing), Just(leadgate::Team::Sales)]),
        opt_text(),
        extra(),
        extra(),
    )
        .prop_map(|(at, channel, team, campaign, detail, extra)| {
            let mut tp = Touchpoint::new(at, channel);
            tp.team = team;
            tp.campaign = campaign;
            tp.detail = detail;
            tp.extra = extra;
            tp
        })
}

pub(crate) fn arb_lead() -> impl Strategy<Value = Lead> {
    (
        "[A-Z]-[0-9]{1,6}",
        time(),
        (
            opt_text(),
            opt_text(),
            proptest::option::of(proptest::sample::select(leadgate::Seniority::ALL.to_vec())),
        ),
        (opt_text(), proptest::option::of(0u64..1_000_000), proptest::option::of(0.0f64..1e9)),
        (
            proptest::option::of(proptest::sample::select(leadgate::BuyingRole::ALL.to_vec())),
            proptest::option::of(proptest::sample::select(leadgate::Timeline::ALL.to_vec())),
            proptest::option::of(any::<bool>()),
        ),
        proptest::collection::vec(touchpoint(), 0..12),
        proptest::collection::btree_map("[a-z_]{1,8}", json_value(), 0..4),
        extra(),
    )
        .prop_map(
            |(
                id,
                created,
                (name, email, seniority),
                (industry, employees, budget),
                (role, timeline, confirmed),
                touchpoints,
                attributes,
                extra,
            )| {
                // Created by the time the tests decide as of: a later lead is an error.
                let mut lead = Lead::new(id, created.min(as_of()));
                lead.person.name = name;
                lead.person.email = email;
                lead.person.seniority = seniority;
                lead.company.industry = industry;
                lead.company.employees = employees;
                lead.qualification.budget = budget.map(|amount| {
                    serde_json::from_value(serde_json::json!({"amount": amount, "currency": "EUR"})).unwrap()
                });
                lead.qualification.buying_role = role;
                lead.qualification.timeline = timeline;
                lead.qualification.budget_confirmed = confirmed;
                lead.touchpoints = touchpoints;
                lead.attributes = attributes.into_iter().collect();
                lead.extra = extra;
                lead
            },
        )
}

fn as_of() -> DateTime<Utc> {
    crate::as_of()
}

/// The keys under which a lead holds objects of the library's own types:
/// everything else is a string, a number, or a map of the host's own keys
/// (`attributes`, a touchpoint's `detail`, unknown fields).
const OBJECT_KEYS: [&str; 7] =
    ["person", "company", "annual_revenue", "qualification", "budget", "stage_history", "touchpoints"];

/// JSON pointers to every object of the library's own types in `value`.
fn object_paths(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(path.to_owned());
            for key in OBJECT_KEYS {
                if let Some(child) = map.get(key) {
                    object_paths(child, &format!("{path}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                object_paths(item, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A lead with an object at every path a lead can have one.
fn full_lead() -> impl Strategy<Value = Lead> {
    (arb_lead(), 0.0f64..1e9, 0.0f64..1e9, 0i64..30).prop_map(|(mut lead, revenue, budget, days)| {
        lead.company.annual_revenue = Some(leadgate::Money::new(revenue, "USD".parse().unwrap()).unwrap());
        lead.qualification.budget = Some(leadgate::Money::new(budget, "EUR".parse().unwrap()).unwrap());
        let at = lead.created_at + Duration::days(days);
        lead.move_to(Stage::Mql, at, None).unwrap();
        lead.move_to(Stage::Recycled, at, Some("bad_timing")).unwrap();
        lead.touchpoints.push(Touchpoint::new(at, Channel::Webinar));
        lead
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// Nothing read is lost: an unknown field in any object of a lead is
    /// written back as it was read.
    #[test]
    fn unknown_fields_survive_at_every_object_path(
        lead in full_lead(),
        name in "x_[a-z]{1,6}",
        value in json_value(),
    ) {
        let mut json = serde_json::to_value(&lead).unwrap();
        let mut paths = Vec::new();
        object_paths(&json, "", &mut paths);
        // Every kind of object is there: the lead, person, company and its
        // revenue, qualification and its budget, two stage changes, touchpoints.
        for path in ["", "/person", "/company/annual_revenue", "/qualification/budget", "/stage_history/1", "/touchpoints/0"] {
            prop_assert!(paths.iter().any(|p| p == path), "{} missing from {:?}", path, paths);
        }
        for path in &paths {
            json.pointer_mut(path).unwrap().as_object_mut().unwrap().insert(name.clone(), value.clone());
        }
        let back = Lead::from_json(&json.to_string()).unwrap();
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), json);
    }

    #[test]
    fn leads_round_trip_through_json(lead in arb_lead()) {
        let json = serde_json::to_string(&lead).unwrap();
        let back = Lead::from_json(&json).unwrap();
        prop_assert_eq!(&back, &lead);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn touchpoints_round_trip_through_json(tp in touchpoint()) {
        let json = serde_json::to_string(&tp).unwrap();
        prop_assert_eq!(serde_json::from_str::<Touchpoint>(&json).unwrap(), tp);
    }

    #[test]
    fn no_sequence_of_moves_breaks_the_transition_table(
        moves in proptest::collection::vec((proptest::sample::select(Stage::ALL.to_vec()), any::<bool>(), -2i64..5), 0..40)
    ) {
        let mut lead = Lead::new("p", "2026-01-01T00:00:00Z".parse().unwrap());
        let mut at: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        for (to, with_reason, days) in moves {
            at += Duration::days(days);
            let before = lead.clone();
            match lead.move_to(to, at, with_reason.then_some("because")) {
                Ok(_) => prop_assert_eq!(lead.stage(), to),
                Err(_) => prop_assert_eq!(&lead, &before),
            }
        }
        for pair in lead.history().windows(2) {
            prop_assert!(pair[0].stage.can_move_to(pair[1].stage));
            prop_assert!(pair[0].at <= pair[1].at);
        }
        // The history is valid input too: it reads back as the same lead.
        let json = serde_json::to_string(&lead).unwrap();
        prop_assert_eq!(Lead::from_json(&json).unwrap(), lead);
    }

    #[test]
    fn decisions_are_deterministic_and_add_up(lead in arb_lead()) {
        let q = default_qualifier();
        let a = q.evaluate(&lead, as_of());
        let b = q.evaluate(&lead, as_of());
        prop_assert_eq!(&a, &b);
        if let Ok(d) = a {
            prop_assert_eq!(d.contributions.iter().map(|c| c.points).sum::<i64>(), d.score);
            prop_assert_eq!(d.fit + d.engagement + d.negative, d.score);
            let json = serde_json::to_string(&d).unwrap();
            prop_assert_eq!(serde_json::from_str::<leadgate::Decision>(&json).unwrap(), d);
        }
    }

    #[test]
    fn more_recent_engagement_never_lowers_the_score(lead in arb_lead(), days in 1i64..60) {
        // Positive channels only, all in the past; then everything moves `days` closer to now.
        let mut lead = lead;
        lead.touchpoints.retain(|t| !matches!(t.channel, Channel::Unsubscribe | Channel::EmailBounce));
        for t in &mut lead.touchpoints {
            t.at = as_of() - Duration::days(days + 1 + (as_of() - t.at).num_days().abs() % 200);
        }
        let mut recent = lead.clone();
        for t in &mut recent.touchpoints {
            t.at += Duration::days(days);
        }
        let q = default_qualifier();
        let (old, new) = (q.evaluate(&lead, as_of()).unwrap(), q.evaluate(&recent, as_of()).unwrap());
        prop_assert!(new.engagement >= old.engagement, "{} < {}", new.engagement, old.engagement);
    }

    #[test]
    fn any_text_as_lead_json_is_an_error_or_a_lead_never_a_panic(text in ".{0,300}", bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let outcome = std::panic::catch_unwind(|| {
            let _ = Lead::from_json(&text);
            let _: Vec<_> = leadgate::read_leads(&text).collect();
            let _: Vec<_> = leadgate::read_leads_from(bytes.as_slice()).collect();
        });
        prop_assert!(outcome.is_ok());
    }

    #[test]
    fn any_text_as_a_script_is_an_error_or_a_decision_never_a_panic(script in ".{0,200}") {
        // `evaluate` catches a panic itself and reports it as `Panic`: that
        // kind, not an unwinding test, is what would show a bug here.
        let outcome = std::panic::catch_unwind(|| {
            let pack = Pack::from_script("fuzz", &script).unwrap();
            Qualifier::new(&pack).ok().and_then(|q| q.evaluate(&crate::lead_with(""), as_of()).err())
        });
        prop_assert!(outcome.is_ok(), "loading panicked");
        if let Ok(Some(e)) = outcome {
            prop_assert_ne!(e.kind(), leadgate::engine::EvalErrorKind::Panic, "{}", e);
        }
    }
}

fn default_qualifier() -> &'static Qualifier {
    static Q: std::sync::OnceLock<Qualifier> = std::sync::OnceLock::new();
    Q.get_or_init(|| Qualifier::new(&Pack::b2b_bant()).unwrap())
}

/// A lead whose history is a random walk through the transition table.
fn walked_lead() -> impl Strategy<Value = Lead> {
    (
        "[a-z]{1,6}",
        proptest::option::of(proptest::sample::select(vec!["webinar", "ads", "referral"])),
        proptest::collection::vec((proptest::sample::select(Stage::ALL.to_vec()), 0i64..20), 0..12),
    )
        .prop_map(|(id, source, moves)| {
            let mut at: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
            let mut lead = Lead::new(id, at);
            lead.source = source.map(Into::into);
            for (to, days) in moves {
                at += Duration::days(days);
                let _ = lead.move_to(to, at, Some("because"));
            }
            lead
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn funnel_counts_never_exceed_their_source_and_rates_are_fractions(leads in proptest::collection::vec(walked_lead(), 0..40)) {
        let funnel = leadgate::funnel::Funnel::of(&leads);
        prop_assert_eq!(funnel.leads, leads.len());
        for pair in funnel.steps.windows(2) {
            // What converted out of one stage is what reached the next.
            prop_assert_eq!(pair[0].converted, pair[1].reached);
        }
        for step in &funnel.steps {
            prop_assert!(step.converted <= step.reached);
            prop_assert!(step.reached <= leads.len());
            prop_assert!((0.0..=1.0).contains(&step.rate));
        }
        // Groups partition the leads, and their counts add up to the whole.
        let groups = leadgate::funnel::Funnel::grouped(&leads, &leadgate::funnel::GroupBy::Source);
        prop_assert_eq!(groups.values().map(|f| f.leads).sum::<usize>(), leads.len());
        for (i, step) in funnel.steps.iter().enumerate() {
            prop_assert_eq!(groups.values().map(|f| f.steps[i].converted).sum::<usize>(), step.converted);
        }
        for d in leadgate::funnel::time_in_stage(&leads).values() {
            prop_assert!(d.count > 0 && d.median_days >= 0.0 && d.p90_days >= d.median_days);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn calibration_sweeps_are_monotone_and_suggestions_meet_their_targets(
        leads in proptest::collection::vec((arb_lead(), 0u8..3, proptest::option::of(0.0f64..1e6)), 1..30),
        target in 0.0f64..1.0,
    ) {
        use leadgate::calibration::{Calibration, Observation, Outcome, Rate};
        let q = default_qualifier();
        let decided: Vec<_> = leads
            .iter()
            .enumerate()
            .filter_map(|(i, (lead, outcome, value))| {
                let mut lead = lead.clone();
                lead.id = format!("P{i}").into();
                let outcome = [Outcome::Converted, Outcome::NotConverted, Outcome::Unknown][usize::from(*outcome)];
                let seen = Observation::new(q.evaluate(&lead, as_of()).ok()?, outcome);
                Some(match value {
                    Some(v) => seen.with_value(*v).unwrap(),
                    None => seen,
                })
            })
            .collect();
        let c = Calibration::of(&decided);
        let rate_ok = |r: &Rate| match r.rate {
            Some(rate) => r.count > 0 && 0.0 <= r.low && r.low <= rate && rate <= r.high && r.high <= 1.0,
            None => r.count == 0 && r.hits == 0 && (r.low, r.high) == (0.0, 1.0),
        };
        let known = decided.iter().filter(|o| o.outcome != Outcome::Unknown).count();
        prop_assert_eq!((c.leads, c.unknown + c.base.count), (decided.len(), decided.len()));
        prop_assert_eq!(c.base.count, known);
        prop_assert!(rate_ok(&c.base));
        for pair in c.sweep.windows(2) {
            // Raising the threshold passes fewer leads, and keeps fewer wins
            // and less of their value; once judgeable, it stays judgeable.
            prop_assert!(pair[0].threshold < pair[1].threshold);
            prop_assert!(pair[0].passing >= pair[1].passing);
            prop_assert!(pair[0].unknown >= pair[1].unknown);
            prop_assert!(pair[0].recall.hits >= pair[1].recall.hits);
            prop_assert!(pair[0].recall.rate >= pair[1].recall.rate);
            prop_assert!(pair[0].value_recall >= pair[1].value_recall);
            prop_assert!(pair[0].selection_bias || !pair[1].selection_bias);
        }
        for p in &c.sweep {
            prop_assert_eq!(p.passing, p.precision.count);
            prop_assert_eq!(p.recall.count, c.base.hits);
            prop_assert_eq!(p.selection_bias, p.unknown > 0);
            prop_assert!(p.passing + p.unknown > 0);
            prop_assert!(rate_ok(&p.precision) && rate_ok(&p.recall));
            for v in [p.value_precision, p.value_recall].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&v));
            }
        }
        // Disqualified leads pass no threshold.
        let eligible = decided.iter().filter(|o| o.decision.disqualified.is_none()).count();
        let lowest = c.sweep.first().map_or(0, |p| p.passing + p.unknown);
        prop_assert_eq!(lowest, eligible);
        for l in &c.lifts {
            // A signal splits the leads with a known outcome in two.
            prop_assert_eq!(l.when.count + l.otherwise.count, c.base.count);
            prop_assert_eq!(l.when.hits + l.otherwise.hits, c.base.hits);
            prop_assert!(l.when.count + l.unknown > 0);
            prop_assert!(rate_ok(&l.when) && rate_ok(&l.otherwise));
            prop_assert_eq!(l.lift.is_some(), l.when.count > 0 && c.base.hits > 0);
        }
        if let Some(t) = c.threshold_for_precision(target) {
            let point = c.sweep.iter().find(|p| p.threshold == t).unwrap();
            prop_assert!(!point.selection_bias && point.precision.rate.unwrap() >= target);
        }
        match c.threshold_for_recall(target) {
            Some(t) => {
                let point = c.sweep.iter().find(|p| p.threshold == t).unwrap();
                prop_assert!(!point.selection_bias && point.recall.rate.unwrap() >= target);
            }
            None => prop_assert!(
                c.base.hits == 0
                    || c.sweep.iter().all(|p| p.selection_bias || p.recall.rate.unwrap() < target)
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn a_history_replayed_gives_the_same_funnel_numbers(leads in proptest::collection::vec(walked_lead(), 0..30)) {
        // Replay each lead's recorded changes, in order, through the lifecycle.
        let replayed: Vec<Lead> = leads
            .iter()
            .map(|original| {
                let mut lead = Lead::new(original.id.clone(), original.created_at);
                lead.source = original.source.clone();
                for change in original.history() {
                    lead.move_to(change.stage, change.at, change.reason.as_deref()).unwrap();
                }
                lead
            })
            .collect();
        prop_assert_eq!(leadgate::funnel::Funnel::of(&replayed), leadgate::funnel::Funnel::of(&leads));
        prop_assert_eq!(leadgate::funnel::time_in_stage(&replayed), leadgate::funnel::time_in_stage(&leads));
        let by = leadgate::funnel::GroupBy::Source;
        prop_assert_eq!(leadgate::funnel::rejection_reasons(&replayed, &by), leadgate::funnel::rejection_reasons(&leads, &by));
    }
}

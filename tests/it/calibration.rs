//! Calibration: decisions held against outcomes, with exact expected numbers.

use leadgate::calibration::{Calibration, Lift, Observation, Outcome, Rate, Signal, ThresholdPoint};
use leadgate::lead::ValueErrorKind;
use leadgate::{CriterionStatus, Decision};

use crate::{as_of, lead_with, manifest};

/// `size` fires on every lead, one row each (scores 30, 20 or 10);
/// `budget` sets its criterion met or not met, or leaves it unknown; `screen`
/// runs last and disqualifies competitors, who keep their size points.
const PACK: &str = r#"
name = "cal"
version = "1"
criteria = ["budget"]

[[rules]]
name = "size"
table = [
  { employees = { at_least = 200 }, fit = 30, reason = "Large" },
  { employees = { at_least = 50 }, fit = 20, reason = "Mid-size" },
  { fit = 10, reason = "Small or unknown size" },
]

[[rules]]
name = "budget"
table = [
  { budget = { at_least = 10000 }, met = "budget", reason = "Budget of {budget}" },
  { budget = { present = true }, not_met = "budget", reason = "Budget of {budget}, too small" },
]

[[rules]]
name = "screen"
table = [
  { email_domain = "rival.com", disqualify = true, reason = "Competitor" },
]
"#;

/// One hand-made lead: size, budget, email domain, whether it converted, deal value.
struct Row(u64, Option<u64>, &'static str, bool, Option<f64>);

/// Ten leads. Scores: 30 (large), 20 (mid), 10 (small); the last is a large
/// competitor, disqualified, who converted anyway.
const LEADS: [Row; 10] = [
    Row(500, Some(50_000), "a.com", true, Some(100.0)),
    Row(300, Some(20_000), "b.com", true, Some(200.0)),
    Row(900, Some(5_000), "c.com", false, Some(400.0)),
    Row(250, None, "d.com", true, Some(300.0)),
    Row(80, Some(15_000), "e.com", true, Some(50.0)),
    Row(60, None, "f.com", false, Some(20.0)),
    Row(120, Some(1_000), "g.com", false, Some(30.0)),
    Row(10, None, "h.com", false, Some(10.0)),
    Row(20, Some(500), "i.com", false, None),
    Row(1000, None, "rival.com", true, Some(1000.0)),
];

fn decisions() -> Vec<Decision> {
    let q = manifest(PACK);
    LEADS
        .iter()
        .map(|Row(employees, budget, domain, _, _)| {
            let budget = budget.map_or(String::new(), |b| {
                format!(r#", "qualification": {{"budget": {{"amount": {b}, "currency": "USD"}}}}"#)
            });
            let json = format!(
                r#""person": {{"email": "x@{domain}"}}, "company": {{"employees": {employees}}}{budget}"#
            );
            q.evaluate(&lead_with(&json), as_of()).unwrap()
        })
        .collect()
}

/// Every outcome known, with values.
fn observed() -> Vec<Observation> {
    decisions()
        .into_iter()
        .zip(&LEADS)
        .map(|(d, Row(.., won, value))| {
            let o = Observation::new(d, *won);
            match value {
                Some(v) => o.with_value(*v).unwrap(),
                None => o,
            }
        })
        .collect()
}

fn lift(c: &Calibration, signal: Signal) -> &Lift {
    c.lift(&signal).unwrap_or_else(|| panic!("no lift for {signal}"))
}

fn rule(rule: &str) -> Signal {
    Signal::Rule { rule: rule.into() }
}

fn row(rule: &str, row: u32) -> Signal {
    Signal::Row { rule: rule.into(), row }
}

fn criterion(status: CriterionStatus) -> Signal {
    Signal::Criterion { name: "budget".into(), status }
}

/// (hits, count) of a rate, and its rate.
fn counts(r: Rate) -> (usize, usize, Option<f64>) {
    (r.hits, r.count, r.rate)
}

#[test]
fn the_hand_made_leads_decide_as_designed() {
    let scores: Vec<(i64, bool)> = decisions().iter().map(|d| (d.score, d.disqualified.is_some())).collect();
    assert_eq!(
        scores,
        [
            (30, false),
            (30, false),
            (30, false),
            (30, false),
            (20, false),
            (20, false),
            (20, false),
            (10, false),
            (10, false),
            (30, true)
        ]
    );
}

#[test]
fn calibration_lists_every_signal_that_held_in_order() {
    let c = Calibration::of(&observed());
    let shown: Vec<String> = c.lifts.iter().map(|l| l.signal.to_string()).collect();
    assert_eq!(
        shown,
        [
            "budget",
            "screen",
            "size",
            "size row 1",
            "size row 2",
            "size row 3",
            "screen: Competitor",
            "size: Large",
            "size: Mid-size",
            "size: Small or unknown size",
            "budget = unknown",
            "budget = met",
            "budget = not_met",
        ]
    );
    assert_eq!((c.leads, c.unknown, counts(c.base)), (10, 0, (5, 10, Some(0.5))));
}

#[test]
fn calibration_lift_is_against_the_base_rate_and_risk_ratio_against_the_others() {
    let c = Calibration::of(&observed());
    // Large leads: 4 of 5 converted (the competitor among them), against 1 of
    // the 5 others; 5 of 10 overall.
    let large = lift(&c, row("size", 1));
    assert_eq!((counts(large.when), counts(large.otherwise)), ((4, 5, Some(0.8)), (1, 5, Some(0.2))));
    assert_eq!((large.lift, large.risk_ratio), (Some(1.6), Some(4.0)));
    let mid = lift(&c, row("size", 2));
    assert_eq!((counts(mid.when), counts(mid.otherwise)), ((1, 3, Some(1.0 / 3.0)), (4, 7, Some(4.0 / 7.0))));
    assert_eq!((mid.lift, mid.risk_ratio), (Some((1.0 / 3.0) / 0.5), Some((1.0 / 3.0) / (4.0 / 7.0))));
    let small = lift(&c, row("size", 3));
    assert_eq!(counts(small.when), (0, 2, Some(0.0)));
    assert_eq!((small.lift, small.risk_ratio), (Some(0.0), Some(0.0)));
    // Each row's reason holds for the same leads as the row.
    let reason = lift(&c, Signal::Reason { rule: "size".into(), reason: "Large".into() });
    assert_eq!((reason.when, reason.otherwise, reason.lift), (large.when, large.otherwise, large.lift));
    // And the disqualification's reason is a signal too.
    let competitor = lift(&c, Signal::Reason { rule: "screen".into(), reason: "Competitor".into() });
    assert_eq!(
        (counts(competitor.when), competitor.lift, competitor.risk_ratio),
        ((1, 1, Some(1.0)), Some(2.0), Some(1.0 / (4.0 / 9.0)))
    );
}

#[test]
fn calibration_gives_a_rule_that_fires_on_every_lead_a_lift_per_row() {
    let c = Calibration::of(&observed());
    let size = lift(&c, rule("size"));
    // As a whole it says nothing: it is the base rate, and there is no one to
    // compare with.
    assert_eq!((counts(size.when), counts(size.otherwise)), ((5, 10, Some(0.5)), (0, 0, None)));
    assert_eq!((size.lift, size.risk_ratio), (Some(1.0), None));
    assert_eq!((size.otherwise.low, size.otherwise.high), (0.0, 1.0));
    // Its rows tell large leads from small ones.
    let lifts: Vec<Option<f64>> = (1..=3).map(|r| lift(&c, row("size", r)).lift).collect();
    assert_eq!(lifts, [Some(1.6), Some((1.0 / 3.0) / 0.5), Some(0.0)]);
}

#[test]
fn calibration_splits_a_criterion_by_status_where_the_rule_lumps_them() {
    let c = Calibration::of(&observed());
    // The budget table fired on 6 leads, 3 of them converted: no better than
    // the base rate...
    let fired = lift(&c, rule("budget"));
    assert_eq!((counts(fired.when), fired.lift), ((3, 6, Some(0.5)), Some(1.0)));
    // ...because it fired both ways: met converted every time, not met never.
    let met = lift(&c, criterion(CriterionStatus::Met));
    assert_eq!((counts(met.when), counts(met.otherwise)), ((3, 3, Some(1.0)), (2, 7, Some(2.0 / 7.0))));
    assert_eq!((met.lift, met.risk_ratio), (Some(2.0), Some(1.0 / (2.0 / 7.0))));
    let not_met = lift(&c, criterion(CriterionStatus::NotMet));
    assert_eq!(
        (counts(not_met.when), not_met.lift, not_met.risk_ratio),
        ((0, 3, Some(0.0)), Some(0.0), Some(0.0))
    );
    let unknown = lift(&c, criterion(CriterionStatus::Unknown));
    assert_eq!((counts(unknown.when), unknown.lift), ((2, 4, Some(0.5)), Some(1.0)));
}

#[test]
fn calibration_rates_carry_wilson_intervals() {
    let c = Calibration::of(&observed());
    let met = lift(&c, criterion(CriterionStatus::Met));
    assert_eq!(met.when, Rate::new(3, 3).unwrap());
    assert_eq!(met.otherwise, Rate::new(2, 7).unwrap());
    assert_eq!(c.base, Rate::new(5, 10).unwrap());
    // 3 of 3: the rate is 1 but the interval says it could be as low as 44%.
    assert_eq!((format!("{:.4}", met.when.low), met.when.high), ("0.4385".to_owned(), 1.0));
}

/// The tolerance for Wilson bounds: the reference values below were computed
/// in 40-digit arithmetic (mpmath, same formula and z) and are written as the
/// nearest f64; the f64 formula rounds a handful of times, so it lands within
/// a few ulps of them (about 1e-16). 1e-12 is far above that and far below
/// any digit anyone reads.
const WILSON_TOLERANCE: f64 = 1e-12;

#[test]
fn calibration_wilson_bounds_match_hand_computed_values() {
    let close = |got: f64, want: f64| {
        assert!((got - want).abs() < WILSON_TOLERANCE, "{got} is not {want}");
    };
    let half = Rate::new(1, 2).unwrap();
    assert_eq!(half.rate, Some(0.5));
    close(half.low, 0.094_531_205_734_230_72);
    close(half.high, 0.905_468_794_265_769_3);
    let none = Rate::new(0, 5).unwrap();
    assert_eq!((none.rate, none.low), (Some(0.0), 0.0)); // exactly 0, not a rounding of it
    close(none.high, 0.434_482_464_783_174_76);
    let most = Rate::new(9, 10).unwrap();
    assert_eq!(most.rate, Some(0.9));
    close(most.low, 0.595_849_973_204_761_5);
    close(most.high, 0.982_123_786_904_927_1);
    let all = Rate::new(5, 5).unwrap();
    assert_eq!((all.rate, all.high), (Some(1.0), 1.0)); // exactly 1
    close(all.low, 1.0 - 0.434_482_464_783_174_76); // the mirror of 0 of 5
    let empty = Rate::new(0, 0).unwrap();
    assert_eq!((empty.hits, empty.count, empty.rate, empty.low, empty.high), (0, 0, None, 0.0, 1.0));
}

#[test]
fn calibration_rate_refuses_more_hits_than_leads() {
    assert_eq!(Rate::new(3, 2), None);
    assert_eq!(Rate::new(2, 2).map(|r| r.rate), Some(Some(1.0)));
}

/// threshold, passing, precision hits/count, recall hits/count, unknown, flag.
type Point = (i64, usize, (usize, usize), (usize, usize), usize, bool);

fn sweep(c: &Calibration) -> Vec<Point> {
    let pair = |r: Rate| (r.hits, r.count);
    c.sweep
        .iter()
        .map(|p| (p.threshold, p.passing, pair(p.precision), pair(p.recall), p.unknown, p.selection_bias))
        .collect()
}

#[test]
fn calibration_disqualified_leads_pass_no_threshold() {
    let c = Calibration::of(&observed());
    // The competitor scored 30 and converted, yet passes no threshold: it is
    // a miss for recall everywhere, and the sweep has no point of its own.
    assert_eq!(
        sweep(&c),
        [
            (10, 9, (4, 9), (4, 5), 0, false),
            (20, 7, (4, 7), (4, 5), 0, false),
            (30, 4, (3, 4), (3, 5), 0, false),
        ]
    );
    assert_eq!(c.sweep[2].precision.rate, Some(0.75));
    assert_eq!(c.sweep[2].recall.rate, Some(0.6));
    assert_eq!(c.threshold_for_precision(0.7), Some(30));
    assert_eq!(c.threshold_for_recall(0.8), Some(20));
    assert_eq!(c.threshold_for_recall(0.9), None); // the competitor is out of reach
}

#[test]
fn calibration_value_weighted_precision_and_recall() {
    let c = Calibration::of(&observed());
    let values: Vec<(i64, Option<f64>, Option<f64>)> =
        c.sweep.iter().map(|p| (p.threshold, p.value_precision, p.value_recall)).collect();
    // Converted value: 100 + 200 + 300 + 50 + 1000 (the competitor) = 1650.
    // At 30: 600 of the 1000 passing converted; at 20, 650 of 1100; at 10,
    // 650 of 1110 (the lead without a value counts in neither).
    assert_eq!(
        values,
        [
            (10, Some(650.0 / 1110.0), Some(650.0 / 1650.0)),
            (20, Some(650.0 / 1100.0), Some(650.0 / 1650.0)),
            (30, Some(0.6), Some(600.0 / 1650.0)),
        ]
    );
    // Without values, no value-weighted numbers.
    let plain: Vec<Observation> =
        decisions().into_iter().zip(&LEADS).map(|(d, r)| Observation::new(d, r.3)).collect();
    let c = Calibration::of(&plain);
    assert!(c.sweep.iter().all(|p| p.value_precision.is_none() && p.value_recall.is_none()));
}

/// As in real life: sales only judged the leads handed off at the live
/// threshold of 20; the others' outcomes are unknown.
fn handed_off_only() -> Vec<Observation> {
    observed()
        .into_iter()
        .map(|mut o| {
            if o.decision.score < 20 || o.decision.disqualified.is_some() {
                o.outcome = Outcome::Unknown;
            }
            o
        })
        .collect()
}

#[test]
fn calibration_flags_thresholds_below_the_live_one_when_only_handed_off_leads_have_outcomes() {
    let c = Calibration::of(&handed_off_only());
    assert_eq!((c.leads, c.unknown, counts(c.base)), (10, 3, (4, 7, Some(4.0 / 7.0))));
    // At 10, recall would read 100%: but two passing leads were never
    // judged, so the point is flagged.
    assert_eq!(
        sweep(&c),
        [
            (10, 7, (4, 7), (4, 4), 2, true),
            (20, 7, (4, 7), (4, 4), 0, false),
            (30, 4, (3, 4), (3, 4), 0, false),
        ]
    );
    // Flagged points are never suggested: 10 would have 4 of 7 too.
    assert_eq!(c.threshold_for_precision(0.5), Some(20));
    assert_eq!(c.threshold_for_recall(1.0), Some(20));
    // Unknown outcomes enter no rate: they are counted apart.
    let small = lift(&c, row("size", 3));
    assert_eq!(
        (counts(small.when), small.unknown, small.lift, small.risk_ratio),
        ((0, 0, None), 2, None, None)
    );
    let competitor = lift(&c, Signal::Reason { rule: "screen".into(), reason: "Competitor".into() });
    assert_eq!((counts(competitor.when), competitor.unknown), ((0, 0, None), 1));
}

#[test]
fn calibration_suggests_nothing_when_no_point_can_be_judged_or_nothing_converted() {
    // An open deal at the top score: every threshold passes a lead whose
    // outcome is not known yet.
    let mut open = observed();
    open[0].outcome = Outcome::Unknown;
    let c = Calibration::of(&open);
    assert!(c.sweep.iter().all(|p| p.selection_bias && p.unknown == 1));
    assert_eq!((c.threshold_for_precision(0.0), c.threshold_for_recall(0.0)), (None, None));
    // Nothing converted: no recall to keep, whatever the target.
    let lost: Vec<Observation> = decisions().into_iter().map(|d| Observation::new(d, false)).collect();
    let c = Calibration::of(&lost);
    assert_eq!(counts(c.sweep[0].recall), (0, 0, None));
    assert_eq!(c.threshold_for_recall(0.0), None);
    assert_eq!(c.threshold_for_precision(0.0), Some(10));
    // And nothing at all.
    let c = Calibration::of(&[]);
    assert_eq!((c.leads, counts(c.base), c.lifts.len(), c.sweep.len()), (0, (0, 0, None), 0, 0));
}

#[test]
fn calibration_with_value_refuses_what_is_not_a_deal_value() {
    let d = decisions().remove(0);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.01, 1.000_000_1e15, f64::MAX] {
        let err = Observation::new(d.clone(), true).with_value(bad).unwrap_err();
        assert_eq!((err.kind(), err.what()), (ValueErrorKind::Invalid, "deal value"));
        assert_eq!(err.to_string(), format!("a deal value must be a number from 0 to 1e15, got {bad}"));
    }
    let ok = Observation::new(d.clone(), Outcome::NotConverted).with_value(0.0).unwrap();
    assert_eq!((ok.outcome, ok.value), (Outcome::NotConverted, Some(0.0)));
    assert_eq!(Observation::new(d, true).with_value(1e15).unwrap().value, Some(1e15));
}

#[test]
fn calibration_results_serialize_with_their_counts_and_intervals() {
    let c = Calibration::of(&handed_off_only());
    let json = serde_json::to_value(&c).unwrap();
    let point = &json["sweep"][0];
    assert_eq!(point["threshold"], 10);
    assert_eq!(point["selection_bias"], true);
    assert_eq!(point["recall"]["hits"], 4);
    assert_eq!(point["recall"]["rate"], 1.0);
    let signal = &json["lifts"][3]["signal"];
    assert_eq!(*signal, serde_json::json!({"kind": "row", "rule": "size", "row": 1}));
    assert_eq!(json["lifts"][5]["when"]["rate"], serde_json::Value::Null); // small leads: all unknown
    let back: Calibration = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
    let point: ThresholdPoint = serde_json::from_value(serde_json::to_value(&c.sweep[1]).unwrap()).unwrap();
    assert_eq!(point, c.sweep[1]);
}

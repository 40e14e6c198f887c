//! The finishing policy: what the engine derives after the rules ran
//! (grade, temperature, SQL-ready and holds, recycled leads' new activity,
//! stage, handoff, why-not-yet), as the guide's "How a decision is made"
//! states it.
//!
//! This file is long because of its tests: the policy is under 200 lines, and
//! the unit tests below pin each case it distinguishes, beside the code.

use std::fmt;

use chrono::{DateTime, Utc};

use super::Inner;
use super::draft::{self, Draft, HandoffChoice};
use super::recent;
use super::snapshot::Value;
use crate::decision::{Decision, Handoff, RuleReason, WhyNotYet};
use crate::{CriterionStatus, Grade, Lead, Stage, Team, Temperature, Text};

impl Inner {
    pub(super) fn finish(
        &self,
        lead: &Lead,
        as_of: DateTime<Utc>,
        mut d: Draft,
        stopped_by: Option<Text>,
    ) -> Decision {
        let s = &self.settings;
        // The caps are recorded as contributions by now, so the raw totals are
        // final; `Draft::add` keeps their sum representable.
        let score = draft::sum(d.fit, d.engagement, d.negative).unwrap_or_default();
        let grade = d.grade.or_else(|| {
            if s.scale.grades.is_empty() {
                return None;
            }
            Some(s.scale.grades.iter().find(|(t, _)| d.fit as f64 >= *t).map_or(Grade::F, |(_, g)| *g))
        });
        let temperature = d.temperature.or_else(|| match (s.hot, s.warm) {
            (None, None) => None,
            (hot, warm) => Some(if hot.is_some_and(|t| score as f64 >= t) {
                Temperature::Hot
            } else if warm.is_some_and(|t| score as f64 >= t) {
                Temperature::Warm
            } else {
                Temperature::Cold
            }),
        });

        // Replays see the lead as it was: its stage as of `as_of`.
        let (current, entered) = lead.stage_at(as_of);
        let with_marketing = current.owner() == Some(Team::Marketing);
        let reaches_mql = s.mql.is_some_and(|t| score >= t);
        // A recycled lead comes back only on new activity: an inbound touch
        // after the instant it was recycled (for an import without history,
        // after it was created). Nothing a rule says hands it off before.
        let recycled = (current == Stage::Recycled).then(|| entered.unwrap_or(lead.created_at));
        let mut choice = std::mem::take(&mut d.handoff);
        if let Some(since) = recycled {
            if !lead.touchpoints.iter().any(|t| t.at > since && t.at <= as_of && s.inbound(&t.channel)) {
                let reason = format!("Recycled on {}; no new activity from the lead since", Moment(since));
                choice = HandoffChoice::Hold(RuleReason {
                    reason: reason.into(),
                    rule: draft::steps().lifecycle.clone(),
                });
            }
        }
        // Derived by the engine, so the handoff names no rule.
        let mut sql_ready = None;
        if matches!(choice, HandoffChoice::Derive)
            && d.stage.is_none()
            && d.disqualified.is_none()
            && with_marketing
            && reaches_mql
        {
            let (met, not_met, total) = (
                d.criteria.count(CriterionStatus::Met),
                d.criteria.count(CriterionStatus::NotMet),
                d.criteria.len(),
            );
            let lifecycle = |reason| RuleReason { reason, rule: draft::steps().lifecycle.clone() };
            // What the reasons below are written from, as their keys.
            let int = |n: usize| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
            let numbers = |count| [int(count), int(total), Value::Int(score)];
            if s.sql_criteria_met.is_some_and(|n| met >= n) {
                let numbers = numbers(met);
                let set = reason(
                    recent::SQL_STAGE,
                    &numbers,
                    format_args!("{met} of {total} criteria met with score {score}"),
                );
                d.stage = Some((Stage::Sql, lifecycle(set)));
                sql_ready = Some(reason(
                    recent::SQL_READY,
                    &numbers,
                    format_args!("SQL-ready: score {score}, {met} of {total} criteria met"),
                ));
            } else if s.hold_criteria_not_met.is_some_and(|n| not_met >= n) {
                let held = reason(
                    recent::HELD,
                    &numbers(not_met),
                    format_args!("Score {score} is there but {not_met} of {total} criteria are not met"),
                );
                choice = HandoffChoice::Hold(lifecycle(held));
            }
        }
        let held = matches!(choice, HandoffChoice::Hold(_));
        let rule_stage = d.stage.is_some();
        let (stage, stage_reason) = match (&d.disqualified, d.stage) {
            (Some(_), _) => (Stage::Disqualified, None),
            (None, Some((stage, ref set))) => (stage, Some(set.clone())),
            // A held lead stays where it is until a rule lets it go.
            (None, None)
                if reaches_mql
                    && !held
                    && matches!(current, Stage::Subscriber | Stage::Lead | Stage::Recycled) =>
            {
                (Stage::Mql, None)
            }
            (None, None) => (current, None),
        };
        let sales_ready = stage == Stage::Mql || stage.owner() == Some(Team::Sales);
        // The lifecycle acted when it made the lead SQL-ready or (below) held it.
        let lifecycle_acted = sql_ready.is_some();
        let (mut handoff, held) = match choice {
            _ if d.disqualified.is_some() || !with_marketing => (None, None),
            HandoffChoice::Now(RuleReason { reason, rule }) => (
                Some(Handoff {
                    stage: if sales_ready { stage } else { Stage::Mql },
                    reason,
                    rule: Some(rule),
                }),
                None,
            ),
            HandoffChoice::Hold(held) => (None, Some(held)),
            HandoffChoice::Derive if sql_ready.is_some() => {
                (Some(Handoff { stage, reason: sql_ready.unwrap_or_default(), rule: None }), None)
            }
            HandoffChoice::Derive if rule_stage && sales_ready => {
                let set = stage_reason
                    .clone()
                    .unwrap_or_else(|| RuleReason { reason: Text::default(), rule: Text::default() });
                (Some(Handoff { stage, reason: set.reason, rule: Some(set.rule) }), None)
            }
            HandoffChoice::Derive if reaches_mql && sales_ready => {
                let threshold = s.mql.unwrap_or_default();
                let reason = reason(
                    recent::MQL,
                    &[Value::Int(score), Value::Int(threshold)],
                    format_args!("Score {score} reached the MQL threshold of {threshold}"),
                );
                (Some(Handoff { stage, reason, rule: None }), None)
            }
            HandoffChoice::Derive => (None, None),
        };
        // Whichever path handed a recycled lead off, its reason says why it is back.
        if let (Some(h), Some(since)) = (&mut handoff, recycled) {
            h.reason =
                format!("{}, with new activity since it was recycled on {}", h.reason, Moment(since)).into();
        }
        if lifecycle_acted || held.as_ref().is_some_and(|h| h.rule == draft::steps().lifecycle) {
            d.fired.push(draft::steps().lifecycle.clone());
        }
        let why_not_yet =
            (handoff.is_none() && d.disqualified.is_none() && with_marketing).then(|| WhyNotYet {
                threshold: s.mql,
                // Saturates: a gap past i64::MAX is reported as i64::MAX.
                points_needed: s.mql.map(|t| t.saturating_sub(score).max(0)),
                unmet: d.criteria.names_with(CriterionStatus::NotMet),
                unknown: d.criteria.names_with(CriterionStatus::Unknown),
                held,
            });

        Decision {
            lead_id: lead.id.clone(),
            as_of,
            pack: self.pack.clone(),
            fit: d.fit,
            engagement: d.engagement,
            negative: d.negative,
            score,
            grade,
            temperature,
            criteria: d.criteria,
            lead_stage: current,
            stage,
            stage_reason: stage_reason.map(|set| set.reason),
            handoff,
            why_not_yet,
            disqualified: d.disqualified,
            contributions: d.contributions,
            fired: d.fired,
            stopped_by,
        }
    }
}

/// An instant as the engine's reasons write it: `2026-10-02 08:00 UTC`.
pub(super) struct Moment(DateTime<Utc>);

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} UTC", self.0.format("%Y-%m-%d %H:%M"))
    }
}

/// An engine reason written from `args`, kept on the thread by its kind and
/// the numbers in it (see [`recent`]): most recur lead after lead.
fn reason(kind: u64, numbers: &[Value<'_>], args: fmt::Arguments<'_>) -> Text {
    recent::text(kind, numbers, |buffer| {
        let _ = fmt::Write::write_fmt(buffer, args);
    })
}

#[cfg(test)]
mod tests {
    //! One test per case the finishing policy distinguishes (docs/RULES.md,
    //! "How a decision is made", "The engine's own reasons", "Recycled leads
    //! and new activity"), through the crate's public API.

    use chrono::{DateTime, Utc};

    use crate::decision::{Handoff, RuleReason, WhyNotYet};
    use crate::{Decision, Grade, Lead, Pack, Qualifier, Stage, Temperature, Text};

    fn as_of() -> DateTime<Utc> {
        "2026-11-23T00:00:00Z".parse().unwrap()
    }

    /// A lead in `lead` (no history).
    const NEW: &str = r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z"}"#;
    /// A lead already in `mql`.
    const MQL: &str = r#"{"id": "M-1", "created_at": "2026-11-01T00:00:00Z",
        "stage_history": [{"stage": "mql", "at": "2026-11-10T00:00:00Z"}]}"#;
    /// A lead sales accepted.
    const SAL: &str = r#"{"id": "S-1", "created_at": "2026-11-01T00:00:00Z",
        "stage_history": [{"stage": "mql", "at": "2026-11-10T00:00:00Z"},
                          {"stage": "sal", "at": "2026-11-12T00:00:00Z"}]}"#;

    const HELD: &str = "Recycled on 2026-11-20 10:00 UTC; no new activity from the lead since";
    const BACK: &str = ", with new activity since it was recycled on 2026-11-20 10:00 UTC";

    /// A lead recycled at 2026-11-20 10:00 with one touch `(at, channel)`, or none.
    fn recycled(touch: Option<(&str, &str)>) -> String {
        let touches = touch
            .map(|(at, channel)| format!(r#"{{"at": "{at}", "channel": "{channel}"}}"#))
            .unwrap_or_default();
        format!(
            r#"{{"id": "R-1", "created_at": "2026-11-01T00:00:00Z",
                "stage_history": [{{"stage": "mql", "at": "2026-11-10T00:00:00Z"}},
                                  {{"stage": "recycled", "at": "2026-11-20T10:00:00Z", "reason": "bad_timing"}}],
                "touchpoints": [{touches}]}}"#
        )
    }

    /// Decides the lead `lead` (JSON) with a pack of `params` (TOML lines)
    /// and one rule `r` running `script`.
    fn decide(params: &str, script: &str, lead: &str) -> Decision {
        let toml = format!(
            "name = \"p\"\nversion = \"1\"\n[params]\n{params}\n\
             [[rules]]\nname = \"r\"\nscript = '''\n{script}\n'''\n"
        );
        let pack = Pack::from_toml(&toml).unwrap_or_else(|e| panic!("{e}"));
        let lead = Lead::from_json(lead).unwrap_or_else(|e| panic!("{e}"));
        Qualifier::new(&pack).unwrap_or_else(|e| panic!("{e}")).evaluate(&lead, as_of()).unwrap()
    }

    fn texts(names: &[&str]) -> Vec<Text> {
        names.iter().map(|n| Text::from(*n)).collect()
    }

    fn reason(reason: &str, rule: &str) -> RuleReason {
        RuleReason { reason: reason.into(), rule: rule.into() }
    }

    fn handoff(stage: Stage, reason: &str, rule: Option<&str>) -> Option<Handoff> {
        Some(Handoff { stage, reason: reason.into(), rule: rule.map(Text::from) })
    }

    /// The BANT criteria all still unknown, no hold.
    fn gap(threshold: Option<i64>, points_needed: Option<i64>) -> Option<WhyNotYet> {
        Some(WhyNotYet {
            threshold,
            points_needed,
            unmet: vec![],
            unknown: texts(&["budget", "authority", "need", "timeline"]),
            held: None,
        })
    }

    const GRADES: &str = "grade_a = 40\ngrade_b = 30\ngrade_c = 20\ngrade_d = 10";
    const TEMPERATURES: &str = "warm_threshold = 20\nhot_threshold = 50";

    // Grade.

    #[test]
    fn grade_from_thresholds_on_the_fit_score_alone() {
        // Fit 30 reaches grade_b exactly; the 50 engagement points do not count.
        let d = decide(GRADES, r#"decision.fit(30, "f"); decision.engagement(50, "e");"#, NEW);
        assert_eq!(d.grade, Some(Grade::B));
    }

    #[test]
    fn grade_below_every_threshold_is_f() {
        let d = decide(GRADES, r#"decision.fit(9, "f"); decision.engagement(50, "e");"#, NEW);
        assert_eq!(d.grade, Some(Grade::F));
    }

    #[test]
    fn grade_of_a_rule_wins_over_the_thresholds() {
        let d = decide(GRADES, r#"decision.fit(45, "f"); decision.grade("D");"#, NEW);
        assert_eq!(d.grade, Some(Grade::D));
    }

    #[test]
    fn grade_is_none_without_thresholds_or_a_rule() {
        let d = decide("", r#"decision.fit(45, "f");"#, NEW);
        assert_eq!(d.grade, None);
    }

    // Temperature.

    #[test]
    fn temperature_hot_from_the_hot_threshold_on_the_total_score() {
        let d = decide(TEMPERATURES, r#"decision.fit(25, "f"); decision.engagement(25, "e");"#, NEW);
        assert_eq!((d.score, d.temperature), (50, Some(Temperature::Hot)));
    }

    #[test]
    fn temperature_warm_from_the_warm_threshold() {
        let d = decide(TEMPERATURES, r#"decision.fit(30, "f"); decision.negative(10, "n");"#, NEW);
        assert_eq!((d.score, d.temperature), (20, Some(Temperature::Warm)));
    }

    #[test]
    fn temperature_cold_below_both_thresholds() {
        let d = decide(TEMPERATURES, r#"decision.fit(19, "f");"#, NEW);
        assert_eq!((d.score, d.temperature), (19, Some(Temperature::Cold)));
    }

    #[test]
    fn temperature_with_only_one_threshold_declared_is_still_given() {
        let d = decide("hot_threshold = 50", r#"decision.fit(49, "f");"#, NEW);
        assert_eq!(d.temperature, Some(Temperature::Cold));
    }

    #[test]
    fn temperature_of_a_rule_wins_over_the_thresholds() {
        let d = decide(TEMPERATURES, r#"decision.fit(90, "f"); decision.temperature("warm");"#, NEW);
        assert_eq!(d.temperature, Some(Temperature::Warm));
    }

    #[test]
    fn temperature_is_none_without_thresholds_or_a_rule() {
        let d = decide("", r#"decision.fit(90, "f");"#, NEW);
        assert_eq!(d.temperature, None);
    }

    // Handoff, case by case.

    #[test]
    fn handoff_case_1_a_rules_handoff_below_the_threshold_goes_at_mql() {
        let d = decide(
            "mql_threshold = 50",
            r#"decision.fit(10, "f"); decision.handoff("Asked for a demo");"#,
            NEW,
        );
        // The recommended stage stays `lead`; the handoff goes at `mql`.
        assert_eq!((d.stage, d.stage_reason.as_deref()), (Stage::Lead, None));
        assert_eq!(d.handoff, handoff(Stage::Mql, "Asked for a demo", Some("r")));
        assert_eq!(d.why_not_yet, None);
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn handoff_case_1_a_rules_handoff_takes_a_sales_stage_the_rule_chose() {
        let d = decide("", r#"decision.stage("sql", "Budget signed"); decision.handoff("Call today");"#, NEW);
        assert_eq!((d.stage, d.stage_reason.as_deref()), (Stage::Sql, Some("Budget signed")));
        assert_eq!(d.handoff, handoff(Stage::Sql, "Call today", Some("r")));
    }

    #[test]
    fn handoff_case_2_a_rules_hold_keeps_the_lead_and_fills_why_not_yet() {
        let d = decide(
            "mql_threshold = 10",
            r#"decision.fit(50, "f"); decision.hold("Waiting for the budget cycle");"#,
            NEW,
        );
        assert_eq!((d.stage, d.handoff), (Stage::Lead, None));
        assert_eq!(
            d.why_not_yet,
            Some(WhyNotYet {
                held: Some(reason("Waiting for the budget cycle", "r")),
                ..gap(Some(10), Some(0)).unwrap()
            })
        );
        // A rule's hold is not the lifecycle's.
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn handoff_case_3_sql_ready() {
        let d = decide(
            "mql_threshold = 10\nsql_criteria_met = 2\nhold_criteria_not_met = 1",
            r#"decision.fit(20, "f"); decision.met("budget", "b"); decision.met("authority", "a");
               decision.not_met("need", "n");"#,
            NEW,
        );
        // SQL-ready is checked before the hold on criteria not met.
        assert_eq!(d.stage, Stage::Sql);
        assert_eq!(d.stage_reason.as_deref(), Some("2 of 4 criteria met with score 20"));
        assert_eq!(d.handoff, handoff(Stage::Sql, "SQL-ready: score 20, 2 of 4 criteria met", None));
        assert_eq!(d.why_not_yet, None);
        assert_eq!(d.fired, texts(&["r", "lifecycle"]));
    }

    #[test]
    fn handoff_case_4_a_rule_chose_a_sales_stage_without_any_threshold() {
        let d = decide("", r#"decision.stage("sal", "Asked for pricing");"#, NEW);
        assert_eq!((d.stage, d.stage_reason.as_deref()), (Stage::Sal, Some("Asked for pricing")));
        assert_eq!(d.handoff, handoff(Stage::Sal, "Asked for pricing", Some("r")));
        assert_eq!(d.why_not_yet, None);
    }

    #[test]
    fn handoff_case_5_the_mql_threshold() {
        let d = decide("mql_threshold = 50", r#"decision.fit(30, "f"); decision.engagement(22, "e");"#, NEW);
        assert_eq!((d.stage, d.stage_reason.as_deref()), (Stage::Mql, None));
        assert_eq!(d.handoff, handoff(Stage::Mql, "Score 52 reached the MQL threshold of 50", None));
        assert_eq!(d.why_not_yet, None);
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn handoff_case_5_the_threshold_is_rounded_up_in_the_reason() {
        let d = decide("mql_threshold = 9.5", r#"decision.fit(10, "f");"#, NEW);
        assert_eq!(d.handoff, handoff(Stage::Mql, "Score 10 reached the MQL threshold of 10", None));
    }

    #[test]
    fn handoff_case_6_none_below_the_threshold() {
        let d = decide("mql_threshold = 50", r#"decision.fit(20, "f");"#, NEW);
        assert_eq!((d.stage, d.handoff), (Stage::Lead, None));
        assert_eq!(d.why_not_yet, gap(Some(50), Some(30)));
    }

    #[test]
    fn handoff_case_6_none_without_an_mql_threshold() {
        let d = decide("", r#"decision.fit(90, "f");"#, NEW);
        assert_eq!((d.stage, d.handoff), (Stage::Lead, None));
        assert_eq!(d.why_not_yet, gap(None, None));
    }

    #[test]
    fn a_rule_choosing_a_marketing_stage_gets_no_handoff_above_the_threshold() {
        let d = decide(
            "mql_threshold = 10",
            r#"decision.fit(20, "f"); decision.stage("lead", "Too early");"#,
            NEW,
        );
        assert_eq!((d.stage, d.stage_reason.as_deref()), (Stage::Lead, Some("Too early")));
        assert_eq!(d.handoff, None);
        assert_eq!(d.why_not_yet, gap(Some(10), Some(0)));
    }

    #[test]
    fn a_subscriber_reaching_the_threshold_is_recommended_for_mql() {
        let subscriber = r#"{"id": "U-1", "created_at": "2026-11-01T00:00:00Z", "stage": "subscriber"}"#;
        let d = decide("mql_threshold = 10", r#"decision.fit(10, "f");"#, subscriber);
        assert_eq!(d.lead_stage, Stage::Subscriber);
        assert_eq!(d.stage, Stage::Mql);
        assert_eq!(d.handoff, handoff(Stage::Mql, "Score 10 reached the MQL threshold of 10", None));
    }

    // Whose lead, and disqualified.

    #[test]
    fn a_lead_sales_owns_gets_no_handoff_and_no_why_not_yet() {
        let d = decide(
            "mql_threshold = 10\nsql_criteria_met = 1",
            r#"decision.fit(50, "f"); decision.met("budget", "b"); decision.handoff("Call today");"#,
            SAL,
        );
        assert_eq!((d.lead_stage, d.stage, d.stage_reason.as_deref()), (Stage::Sal, Stage::Sal, None));
        assert_eq!((d.handoff, d.why_not_yet), (None, None));
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn a_disqualified_lead_gets_no_handoff_and_no_why_not_yet_but_a_grade_and_temperature() {
        let d = decide(
            &format!("mql_threshold = 10\n{GRADES}\n{TEMPERATURES}"),
            r#"decision.fit(20, "f"); decision.handoff("Call today"); decision.disqualify("Competitor");"#,
            NEW,
        );
        assert_eq!((d.stage, d.stage_reason.as_deref()), (Stage::Disqualified, None));
        assert_eq!(d.disqualified, Some(reason("Competitor", "r")));
        assert_eq!((d.handoff, d.why_not_yet), (None, None));
        assert_eq!((d.grade, d.temperature), (Some(Grade::C), Some(Temperature::Warm)));
        assert_eq!(d.stopped_by.as_deref(), Some("r"));
    }

    #[test]
    fn an_mql_whose_score_faded_below_the_threshold_is_not_handed_off_again() {
        let d = decide("mql_threshold = 50", r#"decision.fit(20, "f");"#, MQL);
        assert_eq!((d.lead_stage, d.stage), (Stage::Mql, Stage::Mql));
        assert_eq!(d.handoff, None);
        assert_eq!(d.why_not_yet, gap(Some(50), Some(30)));
    }

    #[test]
    fn an_mql_still_at_the_threshold_is_handed_off_by_it() {
        let d = decide("mql_threshold = 50", r#"decision.fit(50, "f");"#, MQL);
        assert_eq!(d.stage, Stage::Mql);
        assert_eq!(d.handoff, handoff(Stage::Mql, "Score 50 reached the MQL threshold of 50", None));
    }

    // SQL-ready and the criteria hold.

    const CRITERIA: &str = "mql_threshold = 10\nsql_criteria_met = 3\nhold_criteria_not_met = 2";

    #[test]
    fn the_criteria_hold_is_the_lifecycles() {
        let d = decide(
            CRITERIA,
            r#"decision.fit(20, "f"); decision.met("budget", "b");
               decision.not_met("authority", "a"); decision.not_met("need", "n");"#,
            NEW,
        );
        // A held lead stays where it is.
        assert_eq!((d.stage, d.stage_reason.as_deref(), d.handoff), (Stage::Lead, None, None));
        assert_eq!(
            d.why_not_yet,
            Some(WhyNotYet {
                threshold: Some(10),
                points_needed: Some(0),
                unmet: texts(&["authority", "need"]),
                unknown: texts(&["timeline"]),
                held: Some(reason("Score 20 is there but 2 of 4 criteria are not met", "lifecycle")),
            })
        );
        assert_eq!(d.fired, texts(&["r", "lifecycle"]));
    }

    #[test]
    fn short_of_both_criteria_counts_the_mql_threshold_hands_off() {
        let d = decide(
            CRITERIA,
            r#"decision.fit(20, "f"); decision.met("budget", "b"); decision.not_met("authority", "a");"#,
            NEW,
        );
        assert_eq!(d.stage, Stage::Mql);
        assert_eq!(d.handoff, handoff(Stage::Mql, "Score 20 reached the MQL threshold of 10", None));
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn criteria_below_the_mql_threshold_neither_make_sql_ready_nor_hold() {
        let d = decide(
            CRITERIA,
            r#"decision.fit(5, "f"); decision.met("budget", "b"); decision.met("authority", "a");
               decision.met("need", "n"); decision.not_met("timeline", "t");"#,
            NEW,
        );
        assert_eq!((d.stage, d.stage_reason.as_deref(), d.handoff), (Stage::Lead, None, None));
        assert_eq!(
            d.why_not_yet,
            Some(WhyNotYet {
                threshold: Some(10),
                points_needed: Some(5),
                unmet: texts(&["timeline"]),
                unknown: vec![],
                held: None,
            })
        );
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn a_rules_hold_comes_before_sql_ready() {
        let d = decide(
            CRITERIA,
            r#"decision.fit(20, "f"); decision.met("budget", "b"); decision.met("authority", "a");
               decision.met("need", "n"); decision.hold("Not this quarter");"#,
            NEW,
        );
        assert_eq!((d.stage, d.stage_reason.as_deref(), d.handoff), (Stage::Lead, None, None));
        assert_eq!(d.why_not_yet.and_then(|w| w.held), Some(reason("Not this quarter", "r")));
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn a_rules_stage_comes_before_sql_ready() {
        let d = decide(
            CRITERIA,
            r#"decision.fit(20, "f"); decision.met("budget", "b"); decision.met("authority", "a");
               decision.met("need", "n"); decision.stage("mql", "Nurture first");"#,
            NEW,
        );
        assert_eq!((d.stage, d.stage_reason.as_deref()), (Stage::Mql, Some("Nurture first")));
        assert_eq!(d.handoff, handoff(Stage::Mql, "Nurture first", Some("r")));
        assert_eq!(d.fired, texts(&["r"]));
    }

    // Recycled leads.

    #[test]
    fn a_recycled_lead_without_new_activity_is_held_whatever_a_rule_says() {
        // An email we sent after the recycling is not activity from the lead;
        // a web visit the same morning before it is not new.
        for touch in
            [None, Some(("2026-11-21T00:00:00Z", "email_sent")), Some(("2026-11-20T09:59:00Z", "web_visit"))]
        {
            let d = decide(
                "mql_threshold = 10",
                r#"decision.fit(20, "f"); decision.handoff("Asked for a call");"#,
                &recycled(touch),
            );
            assert_eq!(
                (d.lead_stage, d.stage, d.handoff),
                (Stage::Recycled, Stage::Recycled, None),
                "{touch:?}"
            );
            assert_eq!(
                d.why_not_yet,
                Some(WhyNotYet { held: Some(reason(HELD, "lifecycle")), ..gap(Some(10), Some(0)).unwrap() }),
                "{touch:?}"
            );
            assert_eq!(d.fired, texts(&["r", "lifecycle"]), "{touch:?}");
        }
    }

    #[test]
    fn a_recycled_lead_with_new_activity_is_handed_off_saying_why_it_is_back() {
        let d = decide(
            "mql_threshold = 10",
            r#"decision.fit(20, "f");"#,
            &recycled(Some(("2026-11-20T10:01:00Z", "web_visit"))),
        );
        assert_eq!((d.lead_stage, d.stage), (Stage::Recycled, Stage::Mql));
        let back = format!("Score 20 reached the MQL threshold of 10{BACK}");
        assert_eq!(d.handoff, handoff(Stage::Mql, &back, None));
        assert_eq!(d.why_not_yet, None);
        assert_eq!(d.fired, texts(&["r"]));
    }

    #[test]
    fn a_recycled_lead_with_new_activity_and_a_rules_handoff_keeps_the_rule() {
        let d = decide(
            "mql_threshold = 50",
            r#"decision.handoff("Asked for a call");"#,
            &recycled(Some(("2026-11-22T00:00:00Z", "web_visit"))),
        );
        // Below the threshold the recommended stage stays `recycled`.
        assert_eq!(d.stage, Stage::Recycled);
        assert_eq!(d.handoff, handoff(Stage::Mql, &format!("Asked for a call{BACK}"), Some("r")));
    }

    #[test]
    fn a_recycled_import_without_history_counts_from_its_creation() {
        let import = r#"{"id": "I-1", "created_at": "2026-11-20T10:00:00Z", "stage": "recycled"}"#;
        let d = decide("mql_threshold = 10", r#"decision.fit(20, "f");"#, import);
        assert_eq!((d.stage, d.handoff), (Stage::Recycled, None));
        assert_eq!(d.why_not_yet.and_then(|w| w.held), Some(reason(HELD, "lifecycle")));
        assert_eq!(d.fired, texts(&["r", "lifecycle"]));
    }
}

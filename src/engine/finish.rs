//! The finishing policy: what the engine derives after the rules ran
//! (grade, temperature, SQL-ready and holds, recycled leads' new activity,
//! stage, handoff, why-not-yet), as the guide's "How a decision is made"
//! states it.

use super::*;

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
            if s.grades.is_empty() {
                return None;
            }
            Some(s.grades.iter().find(|(t, _)| d.fit as f64 >= *t).map_or(Grade::F, |(_, g)| *g))
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
                choice =
                    HandoffChoice::Hold(RuleReason { reason: reason.into(), rule: s.text.lifecycle.clone() });
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
            let lifecycle = |reason: fmt::Arguments<'_>| RuleReason {
                reason: Text::cached(reason),
                rule: s.text.lifecycle.clone(),
            };
            if s.sql_criteria_met.is_some_and(|n| met >= n) {
                let set = lifecycle(format_args!("{met} of {total} criteria met with score {score}"));
                d.stage = Some((Stage::Sql, set));
                sql_ready = Some(Text::cached(format_args!(
                    "SQL-ready: score {score}, {met} of {total} criteria met"
                )));
            } else if s.hold_criteria_not_met.is_some_and(|n| not_met >= n) {
                choice = HandoffChoice::Hold(lifecycle(format_args!(
                    "Score {score} is there but {not_met} of {total} criteria are not met"
                )));
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
                let reason =
                    Text::cached(format_args!("Score {score} reached the MQL threshold of {threshold}"));
                (Some(Handoff { stage, reason, rule: None }), None)
            }
            HandoffChoice::Derive => (None, None),
        };
        // Whichever path handed a recycled lead off, its reason says why it is back.
        if let (Some(h), Some(since)) = (&mut handoff, recycled) {
            h.reason =
                format!("{}, with new activity since it was recycled on {}", h.reason, Moment(since)).into();
        }
        if lifecycle_acted || held.as_ref().is_some_and(|h| h.rule == s.text.lifecycle) {
            d.fired.push(s.text.lifecycle.clone());
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

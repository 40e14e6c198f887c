//! Running a compiled pack on one lead: the per-thread slot, the point
//! table, the decision tables, the scripts and the caps.

use chrono::{DateTime, Utc};
use rhai::{EvalAltResult, Scope};

use super::draft::{self, Budget, Draft, Rule};
use super::error::{EvalError, EvalErrorKind};
use super::script::Params;
use super::snapshot::{LeadRef, ScriptLead, Snapshot, decay};
use super::tables::Outcome;
use super::{CompiledRule, Inner, SCRIPT_VARIABLES, Scripts, snapshot};
use crate::decision::Category;
use crate::{Lead, Text};

/// What a thread keeps between evaluations: a lead then costs no new
/// scope, no new boxes for the variables and no new touch buffer.
pub(super) struct Slot {
    pub(super) qualifier: u64,
    /// The variables scripts see; `lead` is the snapshot packs with scripts fill.
    pub(super) scope: Scope<'static>,
    /// The snapshot packs without scripts fill: no scope to look in.
    pub(super) lead: Box<ScriptLead>,
}

thread_local! {
    pub(super) static SLOT: std::cell::Cell<Option<Slot>> = const { std::cell::Cell::new(None) };
}

/// Tells qualifiers apart for [`Slot`]s, where an address could be reused.
pub(super) static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs the programs of `scripts` in order on the `decision` in `scope`:
/// the rule that stopped them, if one did, or the error of the rule that
/// failed. The rule is the one at the error's position, else the last that
/// acted.
pub(super) fn run_programs<'s>(
    engine: &rhai::Engine,
    scope: &mut Scope<'_>,
    scripts: &'s Scripts,
) -> Result<Option<&'s CompiledRule>, (Option<&'s CompiledRule>, Box<EvalAltResult>)> {
    let variables = scope.len();
    let decision = SCRIPT_VARIABLES[2];
    for (i, program) in scripts.programs.iter().enumerate() {
        let Some(draft) = scope.get_value_mut::<Draft>(decision) else {
            return Err((None, "the `decision` variable was replaced".into()));
        };
        draft.program = i;
        let result = crate::engine::sandbox::run_script(engine, scope, program);
        scope.rewind(variables);
        let Err(e) = result else { continue };
        let current = match scope.get_value_mut::<Draft>(decision).map(|d| &d.rule) {
            Some(Rule::Script(c)) => scripts.rules.get(*c),
            _ => None,
        };
        let rule = scripts.at(i, e.position()).or(current);
        return if draft::is_stop(&e) { Ok(rule) } else { Err((rule, e)) };
    }
    Ok(None)
}

/// For each lead, whether it is the first in `leads` with its id.
pub(super) fn first_of_each_id(leads: &[Lead]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::with_capacity(leads.len());
    leads.iter().map(|lead| seen.insert(lead.id.as_str())).collect()
}

pub(super) fn lost_decision(lead: &Lead) -> EvalError {
    EvalError::new(lead, None, None, EvalErrorKind::Script, "the `decision` variable was replaced".into())
}

impl Inner {
    pub(super) fn slot(&self) -> Slot {
        let mut scope = Scope::with_capacity(SCRIPT_VARIABLES.len());
        let [lead_var, params_var, decision_var] = SCRIPT_VARIABLES;
        // rhai looks a script's variable up from the scope's end: `lead`,
        // which rules read most, last.
        scope.push_constant(decision_var, Draft::placeholder());
        scope.push_constant(params_var, self.script_params.clone());
        scope.push_constant(lead_var, Snapshot::default());
        Slot { qualifier: self.id, scope, lead: Box::default() }
    }

    /// Another qualifier's slot, made this one's: its parameters replaced.
    /// A pack without scripts never looks in the scope, so it leaves it as
    /// it is (holding the last scripted pack's parameters, shared, not
    /// copied): the next qualifier that runs scripts sets its own.
    pub(super) fn adopt(&self, mut slot: Slot) -> Slot {
        if self.scripts.is_empty() {
            slot.qualifier = self.id;
            return slot;
        }
        match slot.scope.get_value_mut::<Params>(SCRIPT_VARIABLES[1]) {
            Some(params) => {
                *params = self.script_params.clone();
                slot.qualifier = self.id;
                slot
            }
            // A scope is only ever left with its three variables; if not, start afresh.
            None => self.slot(),
        }
    }

    /// A new draft for this qualifier's rules.
    pub(super) fn draft(&self) -> Draft {
        let rules = self.tables.len() + self.scripts.rules.len();
        Draft::new(
            crate::Assessment::clone(&self.criteria),
            self.settings.caps,
            rules,
            Budget::new(&self.limits),
        )
    }

    /// Runs the point table and the rules into `draft`, leaving `slot` as
    /// it found it: the table or rule that stopped the run, if one did. The
    /// draft is the caller's, not returned, so that it is not copied on the
    /// way out of each step.
    pub(super) fn run(
        &self,
        slot: &mut Slot,
        lead: &Lead,
        as_of: DateTime<Utc>,
        draft: &mut Draft,
    ) -> Result<Option<Text>, EvalError> {
        // Native work (table aggregations, script functions) charges this
        // run's budget, and the run keeps the deadline, to the end of the rules.
        let run = crate::engine::sandbox::Run::start(&self.limits);
        let result = if self.scripts.is_empty() {
            // A pack of tables only (the default pack) never starts the
            // interpreter, nor looks in its scope.
            let result = self.run_tables(&mut slot.lead, lead, as_of, draft);
            slot.lead.clear();
            result
        } else {
            let result = self.run_scripts(&mut slot.scope, lead, as_of, draft);
            // A slot goes back to its thread only from here, so it always starts with just the variables.
            slot.scope.rewind(SCRIPT_VARIABLES.len());
            // The slot outlives the lead: keep none of its data.
            if let Some(snapshot) = slot.scope.get_value_mut::<Snapshot>(SCRIPT_VARIABLES[0]) {
                snapshot.get_mut().clear();
            }
            result
        };
        drop(run);
        let stopped_by = result?;
        draft.begin(Rule::Step(&draft::steps().caps));
        self.caps(draft).map_err(|e| EvalError::from_script(lead, None, *e))?;
        draft.end();
        Ok(stopped_by)
    }

    /// The point table and the decision tables on `snapshot`, filled here
    /// for `lead`, into `draft`: the table that stopped the run, if one did.
    fn run_tables(
        &self,
        snapshot: &mut ScriptLead,
        lead: &Lead,
        as_of: DateTime<Utc>,
        draft: &mut Draft,
    ) -> Result<Option<Text>, EvalError> {
        snapshot.fill(lead, as_of, !self.scripts.is_empty());
        self.point_table(snapshot, draft).map_err(|e| EvalError::from_script(lead, None, *e))?;
        for (name, table) in self.tables.iter() {
            draft.begin(Rule::Table(name.clone()));
            let outcome = table.apply(LeadRef { lead, snapshot }, draft, None).map_err(|e| {
                let mut err = EvalError::from_script(lead, None, *e);
                err.rule = Some(name.clone());
                err
            })?;
            if outcome == Outcome::Stop {
                return Ok(Some(name.clone()));
            }
        }
        Ok(None)
    }

    /// The tables, then the scripts, on the snapshot in `scope` and
    /// `draft`, which is the scope's `decision` while the scripts run.
    fn run_scripts(
        &self,
        scope: &mut Scope<'static>,
        lead: &Lead,
        as_of: DateTime<Utc>,
        draft: &mut Draft,
    ) -> Result<Option<Text>, EvalError> {
        let [lead_var, _, decision_var] = SCRIPT_VARIABLES;
        let snapshot = scope.get_value_mut::<Snapshot>(lead_var).ok_or_else(|| lost_decision(lead))?;
        let snapshot = snapshot.get_mut();
        let stopped_by = self.run_tables(snapshot, lead, as_of, draft)?;
        if stopped_by.is_some() {
            return Ok(stopped_by);
        }
        snapshot.copy_fields(lead, self.uses_attributes);
        // The scope holds a placeholder between leads: swapped with the
        // draft for the scripts, and back.
        draft.rules = Some(self.scripts.starts.clone());
        std::mem::swap(scope.get_value_mut::<Draft>(decision_var).ok_or_else(|| lost_decision(lead))?, draft);
        let result = run_programs(&self.engine, scope, &self.scripts);
        std::mem::swap(scope.get_value_mut::<Draft>(decision_var).ok_or_else(|| lost_decision(lead))?, draft);
        match result {
            Ok(stopped) => Ok(stopped.map(|r| r.name.clone())),
            Err((rule, e)) => Err(EvalError::from_script(lead, rule, *e)),
        }
    }

    /// Awards the pack's point table natively, as the engine's `points` step.
    /// Its work is one pass over the touches, grouped and sorted once; a channel's
    /// points are looked up by hash, however many channels the pack names.
    pub(super) fn point_table(
        &self,
        lead: &snapshot::ScriptLead,
        draft: &mut Draft,
    ) -> Result<(), Box<EvalAltResult>> {
        let s = &self.settings;
        draft.begin(Rule::Step(&draft::steps().points));
        let touches = &lead.touches;
        let mut i = 0;
        // Touches are sorted by channel, then day: each channel is a run of days.
        while i < touches.len() {
            let channel = &touches[i].channel;
            let end = i + touches[i..].iter().take_while(|t| t.channel == *channel).count();
            if let Some((points, reason)) = s.points_for(channel) {
                let total = channel_points(points, s.channel_daily_cap, s.half_life_days, &touches[i..end]);
                let total = crate::engine::stdlib::whole(total.round()).ok_or("score overflow")?;
                if total != 0 {
                    let category = if points < 0 { Category::Negative } else { Category::Engagement };
                    draft.add(category, total, reason.clone(), None)?;
                }
            }
            i = end;
        }
        draft.end();
        Ok(())
    }

    /// Records the caps' cuts as contributions.
    pub(super) fn caps(&self, draft: &mut Draft) -> Result<(), Box<EvalAltResult>> {
        let cuts = draft.caps.cuts(draft.fit, draft.engagement, draft.negative);
        for cut in cuts.into_iter().flatten() {
            draft.add(cut.category, cut.points, self.settings.capped[cut.what].clone(), None)?;
        }
        Ok(())
    }
}

/// What the point table gives one channel, before rounding: the formula the
/// guide documents ("The daily cap and fading together").
///
/// Each UTC day's touches are scaled together so that the day's undecayed
/// points do not pass `cap` (`points × n` becomes `cap` when larger), then
/// each touch fades by its own age: a day of `n` touches of ages `aᵢ` gives
/// `points × min(1, cap / (points × n)) × Σ 0.5^(aᵢ / half_life)`. Negative
/// points are never capped. `touches` are one channel's, sorted by day.
pub(super) fn channel_points(
    points: i64,
    cap: Option<f64>,
    half_life_days: f64,
    touches: &[snapshot::Touch],
) -> f64 {
    let mut total = 0.0;
    for day in touches.chunk_by(|a, b| a.day == b.day) {
        // In floats: points × touches may not fit an integer, and need not.
        let raw = points as f64 * day.len() as f64;
        let scale = match cap {
            Some(cap) if raw > cap => cap / raw,
            _ => 1.0,
        };
        total += day.iter().map(|t| points as f64 * scale * decay(t.age_days, half_life_days)).sum::<f64>();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Channel, Team};

    pub(super) fn touch(day: i64, age_days: f64) -> snapshot::Touch {
        snapshot::Touch {
            age_days,
            day,
            channel: Channel::PricingPage,
            rank: 0,
            team: Team::Marketing,
            campaign: None,
            key: 0,
        }
    }

    /// The guide's worked example: two 8-point visits on one day, 6.625 and
    /// 6.375 days before as_of, a daily cap of 10 and a half-life of 7 days.
    #[test]
    pub(super) fn the_daily_cap_scales_a_day_then_each_touch_fades() {
        let day = [touch(20_408, 6.625), touch(20_408, 6.375)];
        let exact = 8.0 * (10.0 / 16.0) * (0.5f64.powf(6.625 / 7.0) + 0.5f64.powf(6.375 / 7.0));
        let total = channel_points(8, Some(10.0), 7.0, &day);
        assert_eq!(total, exact);
        assert_eq!((total * 1000.0).round() / 1000.0, 5.254);
        assert_eq!(total.round(), 5.0);
        // Without the cap, 16 faded; without fading, the cap alone: 10.
        assert_eq!(channel_points(8, None, 7.0, &day).round(), 8.0);
        assert_eq!(channel_points(8, Some(10.0), 0.0, &day), 10.0);
        // Days are capped apart; a negative channel never is.
        let two_days = [touch(1, 0.0), touch(1, 0.0), touch(2, 0.0)];
        assert_eq!(channel_points(8, Some(10.0), 0.0, &two_days), 18.0);
        assert_eq!(channel_points(-8, Some(10.0), 0.0, &two_days), -24.0);
    }
}

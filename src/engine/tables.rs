//! Decision tables at run time: which rows match a lead's snapshot, and
//! what firing them writes into the draft. Tables are parsed and resolved
//! in the pack layer ([`crate::pack::table`]).
//!
//! Touch aggregations scan the lead's touches, so each charges its scan to
//! the evaluation's native budget first, as the script functions do.

use rhai::EvalAltResult;

use super::account::Facts;
use super::draft::Draft;
use super::recent;
use super::snapshot::{LeadRef, Value, distinct_channels};
use crate::Text;
use crate::pack::table::{Action, Condition, Op, Operand, Part, Row, Subject, Table, Template, head};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// What applying a table did to the run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Continue,
    /// A row disqualified the lead: no later rule runs.
    Stop,
}

impl Subject {
    fn get<'a>(&self, lead: LeadRef<'a>, draft: &Draft, account: Option<&Facts>) -> Fallible<Value<'a>> {
        let snapshot = lead.snapshot;
        let window = |days: &Option<f64>| days.unwrap_or(f64::INFINITY);
        let count = |n: usize| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
        Ok(match self {
            Subject::Field(f) => f.get(lead),
            Subject::Attr(name) => lead.attribute(name),
            Subject::Touches(days) => count(snapshot.within(window(days))?.count()),
            Subject::Channels(days) => Value::Int(distinct_channels(snapshot.within(window(days))?)),
            Subject::Count(channel, days) => count(snapshot.count(channel, window(days))?),
            Subject::DaysSinceLast => snapshot
                .scan()?
                .map(|t| t.age_days)
                .min_by(f64::total_cmp)
                .map_or(Value::Missing, Value::Float),
            // Checked when the qualifier is built: the criterion exists.
            Subject::Status(c) => {
                draft.criteria.status_at(c.index).map_or(Value::Missing, |s| Value::Str(s.as_str()))
            }
            // Only account tables read these (checked when the pack loads).
            Subject::Contacts => account.map_or(Value::Missing, |a| Value::Int(a.contacts)),
            Subject::EngagedContacts => account.map_or(Value::Missing, |a| Value::Int(a.engaged)),
            Subject::Role(role) => account.map_or(Value::Missing, |a| Value::Int(a.role(*role).0)),
            Subject::EngagedRole(role) => account.map_or(Value::Missing, |a| Value::Int(a.role(*role).1)),
        })
    }
}

impl Table {
    /// Fires the first row that matches `lead`, or every one with `hit =
    /// "all"`. A row's conditions are read just before it may fire, so they
    /// see what the rows before it did (`status.need`).
    /// `account` holds the buying group's counts in an account table.
    pub(crate) fn apply(
        &self,
        lead: LeadRef<'_>,
        draft: &mut Draft,
        account: Option<&Facts>,
    ) -> Fallible<Outcome> {
        // Rows are numbered from 1, as a rule author counts them.
        for (number, row) in (1..).zip(&self.rows) {
            if !row.holds(lead, draft, account)? {
                continue;
            }
            let outcome = row.fire(number, lead, draft, account)?;
            if outcome == Outcome::Stop || !self.all {
                return Ok(outcome);
            }
        }
        Ok(Outcome::Continue)
    }
}

impl Row {
    fn holds(&self, lead: LeadRef<'_>, draft: &Draft, account: Option<&Facts>) -> Fallible<bool> {
        for condition in &self.conditions {
            if !condition.holds(lead, draft, account)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn fire(
        &self,
        number: u32,
        lead: LeadRef<'_>,
        draft: &mut Draft,
        account: Option<&Facts>,
    ) -> Fallible<Outcome> {
        let reason = self.reason.render(lead, draft, account)?;
        match &self.action {
            // Fired, as `decision.fit(0, ...)` is, but nothing to record.
            Action::Points(_, 0) => draft.act(),
            Action::Points(category, points) => {
                draft.add(*category, *points, reason, Some(number))?;
            }
            Action::Criterion(criterion, status) => {
                draft.set_criterion_at(criterion.index, *status, Some(reason))?;
            }
            // As `decision.temperature(...)`: the reason documents the row.
            Action::Temperature(t) => {
                draft.act();
                draft.temperature = Some(*t);
            }
            Action::Disqualify => {
                draft.disqualify(reason);
                return Ok(Outcome::Stop);
            }
        }
        Ok(Outcome::Continue)
    }
}

impl Condition {
    fn holds(&self, lead: LeadRef<'_>, draft: &Draft, account: Option<&Facts>) -> Fallible<bool> {
        // A keyword field's value by its position, without its text.
        if let (Subject::Field(f), Operand::Keywords(mask)) = (&self.subject, &self.operand) {
            let named = mask >> f.keyword(lead) & 1 == 1;
            return Ok(named != (self.op == Op::NotIn));
        }
        // Most conditions read a plain field, which cannot fail.
        let value = match &self.subject {
            Subject::Field(f) => f.get(lead),
            other => other.get(lead, draft, account)?,
        };
        let text = value.as_str().unwrap_or("");
        let list_has = |list: &Operand| match list {
            Operand::List(items) => {
                let head = head(text);
                items.binary_search_by(|i| i.cmp_text(head, text)).is_ok()
            }
            _ => false,
        };
        let compare = |f: fn(f64, f64) -> bool| match (value.as_f64(), &self.operand) {
            (Some(v), Operand::Number(n)) => f(v, *n),
            _ => false,
        };
        Ok(match self.op {
            Op::Present => matches!(self.operand, Operand::Bool(b) if b == value.is_present()),
            Op::Is => match (&value, &self.operand) {
                (Value::Bool(v), Operand::Bool(b)) => v == b,
                (_, Operand::Number(n)) => value.as_f64() == Some(*n),
                (_, Operand::Text(t)) => t.cmp_text(head(text), text).is_eq(),
                _ => false,
            },
            Op::In => list_has(&self.operand),
            Op::NotIn => !list_has(&self.operand),
            Op::AtLeast => compare(|v, n| v >= n),
            Op::Above => compare(|v, n| v > n),
            Op::AtMost => compare(|v, n| v <= n),
            Op::Below => compare(|v, n| v < n),
        })
    }
}

impl Template {
    fn render(&self, lead: LeadRef<'_>, draft: &Draft, account: Option<&Facts>) -> Fallible<Text> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        // Placeholders are read first: an aggregation may run out of budget.
        // Reasons have a handful of parts; more go to the heap.
        let mut values: [Value<'_>; 4] = [Value::Missing, Value::Missing, Value::Missing, Value::Missing];
        let mut more = Vec::new();
        let mut read = 0;
        for (i, subject) in self
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Subject(s) => Some(s),
                _ => None,
            })
            .enumerate()
        {
            let value = subject.get(lead, draft, account)?;
            match values.get_mut(i) {
                Some(slot) => *slot = value,
                None => more.push(value),
            }
            read = i + 1;
        }
        let render = |buffer: &mut String| {
            let mut values = values.iter().chain(&more);
            for part in &self.parts {
                match part {
                    Part::Literal(l) => buffer.push_str(l),
                    Part::Subject(_) => {
                        if let Some(value) = values.next() {
                            value.push_to(buffer);
                        }
                    }
                    // Resolved when the qualifier is built.
                    Part::Param(_) => {}
                }
            }
        };
        Ok(if more.is_empty() {
            recent::text(self.id, &values[..read], render)
        } else {
            Text::cached_with(render)
        })
    }
}

//! Decision tables at run time: which rows match a lead's snapshot, and
//! what firing them writes into the draft. Tables are parsed and resolved
//! in the pack layer ([`crate::pack::table`]).

use std::fmt;

use rhai::EvalAltResult;

use super::draft::Draft;
use super::snapshot::{ScriptLead, Value};
use crate::Text;
use crate::pack::table::{Action, Condition, Op, Operand, Part, Row, Subject, Table, Template};

/// What applying a table did to the run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Continue,
    /// A row disqualified the lead: no later rule runs.
    Stop,
}

impl Subject {
    fn get<'a>(&self, lead: &'a ScriptLead) -> Value<'a> {
        match self {
            Subject::Field(f) => f.get(lead),
            Subject::Attr(name) => lead.attribute(name),
        }
    }
}

impl Table {
    /// Fires the first row that matches `lead`, or every one with `hit = "all"`.
    pub(crate) fn apply(&self, lead: &ScriptLead, draft: &mut Draft) -> Result<Outcome, Box<EvalAltResult>> {
        // Rows are numbered from 1, as a rule author counts them.
        let mut matching = (1..).zip(&self.rows).filter(|(_, r)| r.conditions.iter().all(|c| c.holds(lead)));
        if self.all {
            for (number, row) in matching {
                if row.fire(number, lead, draft)? == Outcome::Stop {
                    return Ok(Outcome::Stop);
                }
            }
            return Ok(Outcome::Continue);
        }
        matching.next().map_or(Ok(Outcome::Continue), |(number, row)| row.fire(number, lead, draft))
    }
}

impl Row {
    fn fire(&self, number: u32, lead: &ScriptLead, draft: &mut Draft) -> Result<Outcome, Box<EvalAltResult>> {
        let reason = self.reason.render(lead);
        match &self.action {
            // Fired, as `decision.fit(0, ...)` is, but nothing to record.
            Action::Points(_, 0) => draft.act(),
            Action::Points(category, points) => {
                draft.add(*category, *points, reason, Some(number))?;
            }
            Action::Criterion(name, status) => {
                draft.set_criterion(name, *status, Some(reason))?;
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
    fn holds(&self, lead: &ScriptLead) -> bool {
        let value = self.subject.get(lead);
        let text = value.as_str().unwrap_or("");
        let list_has = |list: &Operand| match list {
            Operand::List(items) => items.binary_search_by(|i| i.as_str().cmp(text)).is_ok(),
            _ => false,
        };
        let compare = |f: fn(f64, f64) -> bool| match (value.as_f64(), &self.operand) {
            (Some(v), Operand::Number(n)) => f(v, *n),
            _ => false,
        };
        match self.op {
            Op::Present => matches!(self.operand, Operand::Bool(b) if b == value.is_present()),
            Op::Is => match (&value, &self.operand) {
                (Value::Bool(v), Operand::Bool(b)) => v == b,
                (_, Operand::Number(n)) => value.as_f64() == Some(*n),
                (_, Operand::Text(t)) => text == t.as_str(),
                _ => false,
            },
            Op::In => list_has(&self.operand),
            Op::NotIn => !list_has(&self.operand),
            Op::AtLeast => compare(|v, n| v >= n),
            Op::Above => compare(|v, n| v > n),
            Op::AtMost => compare(|v, n| v <= n),
            Op::Below => compare(|v, n| v < n),
        }
    }
}

impl Template {
    fn render(&self, lead: &ScriptLead) -> Text {
        match &self.fixed {
            Some(fixed) => fixed.clone(),
            None => Text::cached(format_args!("{}", Rendered(self, lead))),
        }
    }
}

struct Rendered<'a>(&'a Template, &'a ScriptLead);

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.0.parts {
            match part {
                Part::Literal(l) => f.write_str(l)?,
                Part::Subject(subject) => write!(f, "{}", subject.get(self.1))?,
                // Resolved when the qualifier is built.
                Part::Param(_) => {}
            }
        }
        Ok(())
    }
}

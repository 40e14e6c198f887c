//! Decision tables at run time: which rows match a lead's snapshot, and
//! what firing them writes into the draft. Tables are parsed and resolved
//! in the pack layer ([`crate::pack::table`]).
//!
//! Touch aggregations scan the lead's touches, so each charges its scan to
//! the evaluation's native budget first, as the script functions do.

use rhai::EvalAltResult;

use super::account::Facts;
use super::draft::Draft;
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
            Subject::Count(channel, days) => {
                count(snapshot.within(window(days))?.filter(|t| t.channel == *channel).count())
            }
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
        let key = if more.is_empty() { recent::Key::new(self.id, &values[..read]) } else { None };
        if let Some(text) = key.as_ref().and_then(recent::get) {
            return Ok(text);
        }
        let text = Text::cached_with(|buffer| {
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
        });
        if let Some(key) = key {
            recent::put(key, &text);
        }
        Ok(text)
    }
}

/// The reasons this thread rendered last, by template and the values read
/// into it, when those are numbers or short texts: most reasons recur lead
/// after lead ("Buying within 69 days", "Confirmed budget of USD 60000"),
/// and finding one here costs a few comparisons where rendering it and
/// looking it up in [`Text::cached_with`] costs hundreds of instructions.
/// Direct-mapped: a new reason takes its slot's place.
mod recent {
    use std::cell::RefCell;

    use super::{Text, Value};

    const SLOTS: usize = 256;

    /// A template's id and its values, each as a tag and one word: what
    /// the rendered reason depends on, entirely.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) struct Key {
        template: u64,
        tags: [u8; 4],
        words: [u64; 4],
    }

    impl Key {
        /// `None` when a value is not a number, a boolean, missing or a
        /// text of at most eight bytes (and then the reason is not kept).
        pub(super) fn new(template: u64, values: &[Value<'_>]) -> Option<Key> {
            let mut key = Key { template, tags: [0; 4], words: [0; 4] };
            for (i, value) in values.iter().enumerate() {
                let (tag, word) = match *value {
                    Value::Missing => (1, 0),
                    Value::Int(n) => (2, n as u64),
                    Value::Float(x) => (3, x.to_bits()),
                    Value::Bool(b) => (4, u64::from(b)),
                    Value::Str(s) => short(s)?,
                    Value::Text(t) => short(t)?,
                    Value::List(_) | Value::Structured => return None,
                };
                *key.tags.get_mut(i)? = tag;
                key.words[i] = word;
            }
            Some(key)
        }

        fn slot(&self) -> usize {
            const K: u64 = 0x517c_c1b7_2722_0a95;
            let mut h = self.template.wrapping_mul(K);
            for w in self.words.into_iter().chain([u64::from(u32::from_le_bytes(self.tags))]) {
                h = (h.rotate_left(5) ^ w).wrapping_mul(K);
            }
            (h >> (64 - SLOTS.trailing_zeros())) as usize
        }
    }

    /// A text of at most eight bytes as its length (the tag, from 16) and bytes.
    fn short(s: &str) -> Option<(u8, u64)> {
        let bytes = s.as_bytes();
        if bytes.len() > 8 {
            return None;
        }
        let word = bytes.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
        Some((16 + bytes.len() as u8, word))
    }

    thread_local! {
        static RECENT: RefCell<Vec<Option<(Key, Text)>>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn get(key: &Key) -> Option<Text> {
        RECENT.with(|recent| match recent.try_borrow().ok()?.get(key.slot())? {
            Some((k, text)) if k == key => Some(text.clone()),
            _ => None,
        })
    }

    pub(super) fn put(key: Key, text: &Text) {
        RECENT.with(|recent| {
            let Ok(mut recent) = recent.try_borrow_mut() else { return };
            if recent.is_empty() {
                recent.resize(SLOTS, None);
            }
            recent[key.slot()] = Some((key, text.clone()));
        });
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_key_is_the_template_and_every_value_exactly() {
            let key = |template, values: &[Value<'_>]| Key::new(template, values);
            let one = key(1, &[Value::Int(1)]).unwrap();
            assert_eq!(key(1, &[Value::Int(1)]), Some(one));
            for other in [
                key(2, &[Value::Int(1)]),
                key(1, &[Value::Int(2)]),
                key(1, &[Value::Float(1.0)]),
                key(1, &[Value::Str("1")]),
                key(1, &[Value::Bool(true)]),
                key(1, &[Value::Int(1), Value::Missing]),
            ] {
                assert_ne!(other.unwrap(), one);
            }
            // Short texts by their bytes and length, whichever kind holds them.
            let usd = Text::from("USD");
            assert_eq!(key(1, &[Value::Text(&usd)]), key(1, &[Value::Str("USD")]));
            assert_ne!(key(1, &[Value::Str("USD")]), key(1, &[Value::Str("USD\0")]));
            assert_ne!(key(1, &[Value::Str("")]), key(1, &[Value::Missing]));
            // What is not kept: longer texts, lists, structured values.
            assert_eq!(key(1, &[Value::Str("nine byte")]), None);
            assert_eq!(key(1, &[Value::List(&[])]), None);
            assert_eq!(key(1, &[Value::Structured]), None);
        }

        #[test]
        fn a_reason_is_found_by_its_key_only() {
            let key = Key::new(7, &[Value::Int(69)]).unwrap();
            assert_eq!(get(&key), None);
            put(key, &Text::from("Buying within 69 days"));
            assert_eq!(get(&key).as_deref(), Some("Buying within 69 days"));
            assert_eq!(get(&Key::new(7, &[Value::Int(70)]).unwrap()), None);
            assert_eq!(get(&Key::new(8, &[Value::Int(69)]).unwrap()), None);
        }
    }
}

//! Decision tables: rules written as data in `pack.toml` and evaluated in
//! Rust, for the common case of "if these lead fields look like this, add
//! these points, or mark this criterion, because...".
//!
//! A table is a list of rows; the first row whose conditions all hold fires,
//! and the others are skipped. Shape and field names are checked when the
//! pack loads; parameters are resolved when a qualifier is built, so a
//! tenant's overrides apply.
//!
//! Under 500 lines of code; the unit tests at the end make the file longer.

use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::decision::Category;
use crate::pack::params::ParamTable;

use crate::lead::text::Number;
use crate::pack::ParamValue;
use crate::pack::fields::{Field, Kind};
use crate::{BuyingRole, Channel, CriterionStatus, Temperature, Text};

/// The operators a condition may use, in the order the guide lists them.
const OPERATORS: [(&str, Op); 8] = [
    ("is", Op::Is),
    ("in", Op::In),
    ("not_in", Op::NotIn),
    ("at_least", Op::AtLeast),
    ("above", Op::Above),
    ("at_most", Op::AtMost),
    ("below", Op::Below),
    ("present", Op::Present),
];
/// What a row may do besides its conditions.
const ACTIONS: [&str; 8] =
    ["fit", "engagement", "negative", "met", "not_met", "unknown", "temperature", "disqualify"];
/// Subjects written as dotted keys (`count.webinar.30 = ...`), which TOML
/// reads as nested tables.
const DOTTED: [&str; 7] = ["attr", "touches", "channels", "count", "status", "roles", "engaged"];
/// The company fields an account table reads, from the account's company.
pub(crate) const ACCOUNT_FIELDS: [Field; 7] = [
    Field::Company,
    Field::Domain,
    Field::Industry,
    Field::Employees,
    Field::Revenue,
    Field::RevenueCurrency,
    Field::Country,
];
/// The longest window a touch aggregation may take: a hundred years.
pub(crate) const MAX_WINDOW_DAYS: f64 = 36_525.0;
const PARAM_PREFIX: &str = "params.";

/// A literal, or a parameter to read when the qualifier is built. Text is
/// held as a [`Key`], which compares without going through [`Text`]'s
/// small-string representation: every condition on text compares it.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Text(Key),
    Number(f64),
    Bool(bool),
    /// Sorted, so that membership is a binary search however long the list.
    List(Box<[Key]>),
    Param(Text),
    /// A keyword field's text or list, once resolved: a bit per keyword
    /// the operand names, by [`Field::keywords`] position from bit 1, and
    /// bit 0 for a missing value (which reads as `""`). The engine tests
    /// the lead's value by its position instead of comparing texts.
    Keywords(u64),
}

/// A list operand: sorted for the engine's binary search.
fn sorted<'a>(items: impl Iterator<Item = &'a str>) -> Operand {
    let mut items: Vec<Key> = items.map(Key::new).collect();
    items.sort_unstable_by(|a, b| a.text.cmp(&b.text));
    Operand::List(items.into())
}

/// A text operand with its first eight bytes read as one big-endian
/// number, its head. Comparing heads settles most comparisons of a lead's
/// value with a keyword or a list item without calling `memcmp`, which for
/// such short texts costs more than the comparison itself (it took a fifth
/// of the time of a sample lead's decision).
#[derive(Debug, Clone)]
pub(crate) struct Key {
    head: u64,
    text: Box<str>,
}

impl Key {
    pub(crate) fn new(text: &str) -> Key {
        Key { head: head(text), text: text.into() }
    }

    /// How this key orders against `text`, whose head is `head`: the order
    /// of their bytes, as `str`'s.
    pub(crate) fn cmp_text(&self, head: u64, text: &str) -> std::cmp::Ordering {
        // Equal heads of texts of at most 8 bytes leave only the lengths
        // (a shorter text is the other's prefix, padded with zeros).
        self.head.cmp(&head).then_with(|| match self.text.len() <= 8 && text.len() <= 8 {
            true => self.text.len().cmp(&text.len()),
            false => self.text.as_bytes().cmp(text.as_bytes()),
        })
    }
}

/// The first eight bytes of `text` as a big-endian number, zeros past its end.
pub(crate) fn head(text: &str) -> u64 {
    // Shifted in byte by byte when short: a copy into a zeroed buffer read
    // back whole stalls on store forwarding, and this runs per condition.
    match text.as_bytes().first_chunk::<8>() {
        Some(first) => u64::from_be_bytes(*first),
        None => {
            let head = text.bytes().fold(0u64, |head, b| head << 8 | u64::from(b));
            // Zero, not a panic, for the empty text (a shift by 64).
            head.checked_shl(8 * (8 - text.len() as u32)).unwrap_or(0)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Is,
    In,
    NotIn,
    AtLeast,
    Above,
    AtMost,
    Below,
    Present,
}

/// Whose table it is: a lead's (`[[rules]]`) or an account's
/// (`[[account.rules]]`), which read different subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Lead,
    Account,
}

/// What a condition or a placeholder reads: a lead field, a custom
/// attribute (`attr.name`), an aggregation of the lead's touches, or a
/// criterion's status so far; in an account table, the company's fields and
/// the buying group's counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Subject {
    Field(Field),
    Attr(Text),
    /// Touches within the last `days` (all when `None`): `touches.30`.
    Touches(Option<f64>),
    /// Distinct channels touched within the last `days`: `channels.30`.
    Channels(Option<f64>),
    /// Touches on one channel within the last `days`: `count.webinar.30`.
    Count(Channel, Option<f64>),
    /// Days since the latest touch; missing without touches.
    DaysSinceLast,
    /// A criterion's status as the rules before left it: `status.need`.
    Status(CriterionRef),
    /// An account's contacts, disqualified ones left out: `contacts`.
    Contacts,
    /// Its engaged contacts: `engaged_contacts`.
    EngagedContacts,
    /// Its contacts in a buying role: `roles.champion`.
    Role(BuyingRole),
    /// Its engaged contacts in a buying role: `engaged.economic_buyer`.
    EngagedRole(BuyingRole),
}

const ATTR_PREFIX: &str = "attr.";

impl Subject {
    /// The kind of value, when the pack knows it: an attribute may hold anything.
    fn kind(&self) -> Option<Kind> {
        match self {
            Subject::Field(f) => Some(f.kind()),
            Subject::Attr(_) => None,
            Subject::Touches(_)
            | Subject::Channels(_)
            | Subject::Count(..)
            | Subject::Contacts
            | Subject::EngagedContacts
            | Subject::Role(_)
            | Subject::EngagedRole(_) => Some(Kind::Int),
            Subject::DaysSinceLast => Some(Kind::Float),
            Subject::Status(_) => Some(Kind::Text),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let window = |f: &mut fmt::Formatter<'_>, days: &Option<f64>| match days {
            Some(days) => write!(f, ".{}", Number(*days)),
            None => Ok(()),
        };
        match self {
            Subject::Field(field) => f.write_str(field.name()),
            Subject::Attr(name) => write!(f, "{ATTR_PREFIX}{name}"),
            Subject::Touches(days) => f.write_str("touches").and_then(|()| window(f, days)),
            Subject::Channels(days) => f.write_str("channels").and_then(|()| window(f, days)),
            Subject::Count(channel, days) => write!(f, "count.{channel}").and_then(|()| window(f, days)),
            Subject::DaysSinceLast => f.write_str("days_since_last"),
            Subject::Status(c) => write!(f, "status.{}", c.name),
            Subject::Contacts => f.write_str("contacts"),
            Subject::EngagedContacts => f.write_str("engaged_contacts"),
            Subject::Role(role) => write!(f, "roles.{role}"),
            Subject::EngagedRole(role) => write!(f, "engaged.{role}"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) subject: Subject,
    pub(crate) op: Op,
    pub(crate) operand: Operand,
}

impl Condition {
    /// `=`, `in` and `not_in` on a keyword field, with their operand as
    /// the set of keywords it names ([`Operand::Keywords`]); the pack's
    /// checks let no other text through but `""` (see `keywords_only`).
    fn by_keyword(&mut self) {
        let Subject::Field(field) = self.subject else { return };
        let Some(keywords) = field.keywords() else { return };
        let named = |text: &str| match &self.operand {
            Operand::Text(key) => &*key.text == text,
            Operand::List(keys) => keys.iter().any(|key| &*key.text == text),
            _ => false,
        };
        let by_text = matches!(
            (self.op, &self.operand),
            (Op::Is, Operand::Text(_)) | (Op::In | Op::NotIn, Operand::List(_))
        );
        if !by_text {
            return;
        }
        debug_assert!(keywords.len() < 64, "a bit per keyword, and one for missing");
        let missing = u64::from(named(""));
        let mask =
            (1..).zip(keywords).filter(|(_, k)| named(k)).fold(missing, |mask, (bit, _)| mask | 1 << bit);
        self.operand = Operand::Keywords(mask);
    }
}

/// A criterion a row reads or sets: its name as written, and its place
/// among the pack's criteria, found when the table is resolved, so a run
/// sets and reads it without looking the name up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CriterionRef {
    pub(crate) name: Text,
    pub(crate) index: usize,
}

impl CriterionRef {
    fn new(name: &str) -> Self {
        CriterionRef { name: name.into(), index: usize::MAX }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Action {
    Points(Category, i64),
    Criterion(CriterionRef, CriterionStatus),
    Temperature(Temperature),
    Disqualify,
}

#[derive(Debug, Clone)]
pub(crate) enum Part {
    Literal(String),
    Subject(Subject),
    Param(Text),
}

/// A reason with `{field}` and `{params.name}` placeholders.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) parts: Vec<Part>,
    /// The whole reason when it has no field placeholders.
    pub(crate) fixed: Option<Text>,
    /// Names these parts in this process: a new one whenever the parts are
    /// final (parsed, or parameters resolved), never reused, so that the
    /// same id means the same parts, whichever tenant's table holds them.
    /// Clones keep it: they are the same parts.
    pub(crate) id: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) conditions: Vec<Condition>,
    pub(crate) action: Action,
    pub(crate) reason: Template,
}

/// A decision table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) rows: Vec<Row>,
    /// Every matching row fires (`hit = "all"`), not just the first.
    pub(crate) all: bool,
}

/// A table as a pack holds it, with its resolution for the pack's own
/// parameter values: made once, and shared by every qualifier (every
/// tenant) built from the pack or a clone of it that gives the parameters
/// the table reads those same values. A tenant that overrides them gets a
/// table of its own.
#[derive(Debug)]
pub(crate) struct TableSource {
    pub(crate) table: Table,
    shared: OnceLock<Arc<Table>>,
}

impl TableSource {
    pub(crate) fn new(table: Table) -> Self {
        TableSource { table, shared: OnceLock::new() }
    }

    /// The table resolved with `params`; `defaults` are the pack's own
    /// values, and `criteria` the names rows may read and set (fixed per pack).
    pub(crate) fn resolve(
        &self,
        params: &ParamTable,
        defaults: &ParamTable,
        criteria: &[Text],
    ) -> Result<Arc<Table>, Vec<String>> {
        let as_written = self.table.params().all(|name| params.get(name) == defaults.get(name));
        if !as_written {
            return self.table.resolve(params, criteria).map(Arc::new);
        }
        if let Some(table) = self.shared.get() {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(self.table.resolve(params, criteria)?);
        Ok(Arc::clone(self.shared.get_or_init(|| table)))
    }
}

impl Table {
    /// Reads a table from its rows as written and its hit policy (`"first"`,
    /// the default, or `"all"`); every problem is reported.
    pub(crate) fn parse(rows: &toml::Value, hit: Option<&str>, scope: Scope) -> Result<Table, Vec<String>> {
        let Some(rows) = rows.as_array() else {
            return Err(vec!["`table` must be an array of rows: table = [{ ... }, { ... }]".into()]);
        };
        let mut problems = Vec::new();
        let all = match hit {
            None | Some("first") => false,
            Some("all") => true,
            Some(other) => {
                problems.push(format!("`hit` is \"first\" or \"all\", got {other:?}"));
                false
            }
        };
        let mut parsed = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            match parse_row(row, scope) {
                Ok(row) => parsed.push(row),
                Err(ps) => problems.extend(ps.into_iter().map(|p| format!("row {}: {p}", i + 1))),
            }
        }
        if parsed.is_empty() && problems.is_empty() {
            problems.push("a table needs at least one row".into());
        }
        if problems.is_empty() { Ok(Table { rows: parsed, all }) } else { Err(problems) }
    }

    /// The parameters the table reads.
    pub(crate) fn params(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().flat_map(|r| {
            let conditions = r.conditions.iter().filter_map(|c| match &c.operand {
                Operand::Param(p) => Some(p.as_str()),
                _ => None,
            });
            let reason = r.reason.parts.iter().filter_map(|p| match p {
                Part::Param(p) => Some(p.as_str()),
                _ => None,
            });
            conditions.chain(reason)
        })
    }

    /// Replaces parameters with their values and checks criteria names.
    pub(crate) fn resolve(&self, params: &ParamTable, criteria: &[Text]) -> Result<Table, Vec<String>> {
        let mut problems = Vec::new();
        let mut rows = self.rows.clone();
        for (i, row) in rows.iter_mut().enumerate() {
            let mut problem = |p: String| problems.push(format!("row {}: {p}", i + 1));
            for c in &mut row.conditions {
                let Operand::Param(name) = &c.operand else { continue };
                let Some(value) = params.get(name.as_str()) else {
                    problem(unknown_param(name, params));
                    continue;
                };
                match operand_from_param(&c.subject, c.op, value) {
                    Ok(operand) => c.operand = operand,
                    Err(e) => problem(format!("{}: parameter {:?} {e}", c.subject, name.as_str())),
                }
            }
            for part in &mut row.reason.parts {
                let Part::Param(name) = part else { continue };
                match params.get(name.as_str()) {
                    Some(ParamValue::Text(t)) => *part = Part::Literal(t.to_string()),
                    Some(ParamValue::List(items)) => {
                        *part = Part::Literal(items.iter().map(Text::as_str).collect::<Vec<_>>().join(", "))
                    }
                    Some(value) => {
                        let number = value.as_f64().map(|x| Number(x).to_string());
                        *part = Part::Literal(number.unwrap_or_default())
                    }
                    None => problem(unknown_param(name, params)),
                }
            }
            row.reason.fix();
            row.conditions.iter_mut().for_each(Condition::by_keyword);
            let read = row.conditions.iter_mut().filter_map(|c| match &mut c.subject {
                Subject::Status(c) => Some(c),
                _ => None,
            });
            let written = match &mut row.action {
                Action::Criterion(c, _) => Some(c),
                _ => None,
            };
            for c in read.chain(written) {
                match criteria.iter().position(|name| *name == c.name) {
                    Some(index) => c.index = index,
                    None => {
                        problem(crate::suggest::unknown_criterion(&c.name, criteria.iter().map(Text::as_str)))
                    }
                }
            }
        }
        if problems.is_empty() { Ok(Table { rows, all: self.all }) } else { Err(problems) }
    }
}

impl Template {
    fn parse(text: &str, scope: Scope) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            let (brace, after) = (rest.as_bytes()[i], &rest[i + 1..]);
            if after.as_bytes().first() == Some(&brace) {
                literal.push(brace as char);
                rest = &after[1..];
                continue;
            }
            if brace == b'}' {
                return Err(format!("reason {text:?}: a lone `}}` (write `}}}}` for a brace)"));
            }
            let Some(end) = after.find('}') else {
                return Err(format!("reason {text:?}: `{{` is not closed (write `{{{{` for a brace)"));
            };
            let name = after[..end].trim();
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(match name.strip_prefix(PARAM_PREFIX) {
                Some(param) => Part::Param(param.into()),
                None => Part::Subject(subject(name, scope)?),
            });
            rest = &after[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() || parts.is_empty() {
            parts.push(Part::Literal(literal));
        }
        let mut template = Template { parts, fixed: None, id: 0 };
        template.fix();
        Ok(template)
    }

    /// Precomputes the reason when nothing in it depends on the lead, and
    /// names the now final parts.
    fn fix(&mut self) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        self.id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if self.parts.iter().all(|p| matches!(p, Part::Literal(_))) {
            let text: String =
                self.parts.iter().map(|p| if let Part::Literal(l) = p { l.as_str() } else { "" }).collect();
            self.fixed = Some(Text::kept(&text));
        }
    }
}

fn parse_row(row: &toml::Value, scope: Scope) -> Result<Row, Vec<String>> {
    let Some(row) = row.as_table() else {
        return Err(vec![format!(
            "a row is a table like {{ industry = \"saas\", fit = 10, reason = \"...\" }}, got {row}"
        )]);
    };
    let mut problems = Vec::new();
    let mut conditions = Vec::new();
    let mut actions = Vec::new();
    let mut effects = 0;
    let mut reason = None;
    for (key, value) in row {
        let result = if key == "reason" {
            match value.as_str() {
                Some(text) => Template::parse(text, scope).map(|t| reason = Some(t)),
                None => Err(format!("`reason` must be text, got {value}")),
            }
        } else if ACTIONS.contains(&key.as_str()) {
            effects += 1;
            action(key, value).map(|a| actions.push(a))
        } else if key == "attr" && scope == Scope::Account {
            Err(format!("`attr` reads a contact's attributes; {ACCOUNT_READS}"))
        } else if key == "attr" {
            // `attr.plan = "x"` is a dotted key: TOML reads it as `attr = { plan = "x" }`.
            match value.as_table() {
                Some(attrs) => attrs
                    .iter()
                    .map(|(name, value)| conditions_on(Subject::Attr(name.as_str().into()), value))
                    .try_for_each(|cs| cs.map(|cs| conditions.extend(cs))),
                None => Err(format!("`attr` names a custom attribute: write attr.<name> = ..., got {value}")),
            }
        } else if DOTTED.contains(&key.as_str()) && value.as_table().is_some_and(|t| !is_operators(t)) {
            // `count.webinar.30 = { at_least = 2 }` is `count = { webinar = { 30 = ... } }`.
            let mut flat = Vec::new();
            flatten(key.clone(), value, &mut flat);
            flat.into_iter()
                .map(|(name, value)| subject(&name, scope).and_then(|s| conditions_on(s, value)))
                .try_for_each(|cs| cs.map(|cs| conditions.extend(cs)))
        } else {
            subject(key, scope).and_then(|s| conditions_on(s, value)).map(|cs| conditions.extend(cs))
        };
        if let Err(e) = result {
            problems.push(e);
        }
    }
    if effects != 1 {
        problems.push(format!(
            "a row does exactly one of {}; this one does {}",
            ACTIONS.join(", "),
            if effects == 0 { "nothing".to_owned() } else { format!("{effects} things") }
        ));
    }
    if !row.contains_key("reason") {
        problems.push("a row needs a `reason`, which explains the decision".into());
    }
    match (problems.is_empty(), actions.pop(), reason) {
        (true, Some(action), Some(reason)) => Ok(Row { conditions, action, reason }),
        _ => Err(problems),
    }
}

/// Whether a table's keys are all operators: `{ at_least = 2 }` is a
/// condition, `{ webinar = ... }` one more level of a dotted name.
fn is_operators(table: &toml::Table) -> bool {
    !table.is_empty() && table.keys().all(|k| OPERATORS.iter().any(|(op, _)| op == k))
}

/// A dotted subject's nested tables, back to `(dotted name, condition)`.
/// The longest subject has three parts (`count.webinar.30`), so no deeper
/// table is opened: what is left is refused as a condition.
fn flatten<'a>(name: String, value: &'a toml::Value, out: &mut Vec<(String, &'a toml::Value)>) {
    match value.as_table() {
        Some(table) if !is_operators(table) && name.matches('.').count() < 2 => {
            for (key, value) in table {
                flatten(format!("{name}.{key}"), value, out);
            }
        }
        _ => out.push((name, value)),
    }
}

/// A window of days: a number above 0, up to a hundred years.
fn window(text: &str, name: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(days) if days > 0.0 && days <= MAX_WINDOW_DAYS => Ok(days),
        _ => Err(format!(
            "{name}: the window {text:?} must be a number of days above 0 and at most {MAX_WINDOW_DAYS}"
        )),
    }
}

/// A touch aggregation, `touches.30` or `channels`, with its optional window.
fn windowed(name: &str, rest: Option<&str>) -> Result<Option<f64>, String> {
    rest.map(|days| window(days, name)).transpose()
}

/// What an account table may read, for its error messages.
const ACCOUNT_READS: &str = "an account table reads the company (company, domain, industry, employees, \
     revenue, revenue_currency, country), contacts, engaged_contacts, roles.<role>, engaged.<role> \
     and status.<criterion>";

/// A subject by name, checked against the table's scope.
fn subject(name: &str, scope: Scope) -> Result<Subject, String> {
    let subject = any_subject(name)?;
    let of_account = matches!(
        subject,
        Subject::Contacts | Subject::EngagedContacts | Subject::Role(_) | Subject::EngagedRole(_)
    );
    match scope {
        Scope::Lead if of_account => {
            Err(format!("`{name}` is an account's; write it in an [[account.rules]] table"))
        }
        Scope::Account => match &subject {
            Subject::Field(f) if !ACCOUNT_FIELDS.contains(f) => {
                Err(format!("`{name}` is a contact's field; {ACCOUNT_READS}"))
            }
            Subject::Attr(_)
            | Subject::Touches(_)
            | Subject::Channels(_)
            | Subject::Count(..)
            | Subject::DaysSinceLast => Err(format!("`{name}` reads a contact's touches; {ACCOUNT_READS}")),
            _ => Ok(subject),
        },
        Scope::Lead => Ok(subject),
    }
}

/// A field by name, `attr.<name>` for a custom attribute, a touch
/// aggregation (`touches[.days]`, `channels[.days]`, `count.<channel>[.days]`,
/// `days_since_last`), a criterion's status (`status.<criterion>`) or an
/// account's count (`contacts`, `engaged_contacts`, `roles.<role>`,
/// `engaged.<role>`).
fn any_subject(name: &str) -> Result<Subject, String> {
    if let Some(attr) = name.strip_prefix(ATTR_PREFIX).filter(|a| !a.is_empty()) {
        return Ok(Subject::Attr(attr.into()));
    }
    let (head, rest) = match name.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (name, None),
    };
    match (head, rest) {
        ("touches", rest) => return windowed(name, rest).map(Subject::Touches),
        ("channels", rest) => return windowed(name, rest).map(Subject::Channels),
        ("days_since_last", None) => return Ok(Subject::DaysSinceLast),
        ("contacts", None) => return Ok(Subject::Contacts),
        ("engaged_contacts", None) => return Ok(Subject::EngagedContacts),
        ("roles" | "engaged", Some(role)) => {
            let role = role.parse::<BuyingRole>().map_err(|e| format!("{name}: {e}"))?;
            return Ok(if head == "roles" { Subject::Role(role) } else { Subject::EngagedRole(role) });
        }
        ("status", Some(criterion)) if !criterion.is_empty() => {
            return Ok(Subject::Status(CriterionRef::new(criterion)));
        }
        ("count", Some(rest)) => {
            // A channel name has no dot: `count.webinar` or `count.webinar.30`.
            let (channel, days) = match rest.split_once('.') {
                Some((channel, days)) => (channel, Some(days)),
                None => (rest, None),
            };
            let channel = channel.parse::<Channel>().map_err(|e| format!("{name}: {e}"))?;
            return windowed(name, days).map(|days| Subject::Count(channel, days));
        }
        ("count" | "status" | "roles" | "engaged", _) => {
            return Err(format!(
                "`{head}` needs a name after it: {head}.<name>, as in {}",
                match head {
                    "count" => "count.webinar.30 = { at_least = 2 }",
                    "roles" => "roles.champion = { at_least = 1 }",
                    "engaged" => "engaged.economic_buyer = { at_least = 1 }",
                    _ => "status.need = \"unknown\"",
                }
            ));
        }
        _ => {}
    }
    if let Some(field) = Field::ALL.iter().copied().find(|f| f.name() == name) {
        return Ok(Subject::Field(field));
    }
    let known = Field::ALL.iter().map(|f| f.name()).chain(ACTIONS).chain([
        "reason",
        "touches",
        "channels",
        "count",
        "days_since_last",
        "status",
        "contacts",
        "engaged_contacts",
        "roles",
        "engaged",
    ]);
    Err(match crate::suggest::closest(name, known) {
        Some(near) => format!("unknown lead field {name:?} (did you mean {near:?}?)"),
        None => format!(
            "unknown lead field {name:?}; if it is a custom attribute (in the lead's `attributes`), \
             write \"{ATTR_PREFIX}{name}\""
        ),
    })
}

fn action(key: &str, value: &toml::Value) -> Result<Action, String> {
    let points = |category| match value.as_integer() {
        Some(p) if key == "negative" => Ok(Action::Points(category, -p.saturating_abs())),
        Some(p) => Ok(Action::Points(category, p)),
        None => Err(format!("`{key}` takes whole points, got {value}")),
    };
    let criterion = |status| match value.as_str() {
        Some(name) => Ok(Action::Criterion(CriterionRef::new(name), status)),
        None => Err(format!("`{key}` names a criterion, got {value}")),
    };
    match key {
        "fit" => points(Category::Fit),
        "engagement" => points(Category::Engagement),
        "negative" => points(Category::Negative),
        "met" => criterion(CriterionStatus::Met),
        "not_met" => criterion(CriterionStatus::NotMet),
        "unknown" => criterion(CriterionStatus::Unknown),
        "temperature" => match value.as_str().map(str::parse::<Temperature>) {
            Some(Ok(t)) => Ok(Action::Temperature(t)),
            Some(Err(e)) => Err(format!("`temperature`: {e}")),
            None => Err(format!("`temperature` is \"cold\", \"warm\" or \"hot\", got {value}")),
        },
        _ => match value.as_bool() {
            Some(true) => Ok(Action::Disqualify),
            _ => Err(format!("`disqualify` can only be true, got {value}")),
        },
    }
}

/// `field = value`, `field = [values]` or `field = { operator = value, ... }`.
fn conditions_on(subject: Subject, value: &toml::Value) -> Result<Vec<Condition>, String> {
    let name = subject.to_string();
    let condition = |op, value: &toml::Value| -> Result<Condition, String> {
        let operand = operand(value).map_err(|e| format!("{name}: {e}"))?;
        check(&subject, op, &operand).map_err(|e| format!("{name}: {e}"))?;
        Ok(Condition { subject: subject.clone(), op, operand })
    };
    match value {
        toml::Value::Table(ops) => ops
            .iter()
            .map(|(op, value)| match OPERATORS.iter().find(|(n, _)| n == op) {
                Some((_, op)) => condition(*op, value),
                None => {
                    let names = OPERATORS.map(|(n, _)| n);
                    Err(format!(
                        "{name}: unknown operator {op:?}{}; use one of {}",
                        crate::suggest::hint(op, names),
                        names.join(", ")
                    ))
                }
            })
            .collect(),
        toml::Value::Array(_) => Ok(vec![condition(Op::In, value)?]),
        _ => Ok(vec![condition(Op::Is, value)?]),
    }
}

fn operand(value: &toml::Value) -> Result<Operand, String> {
    Ok(match value {
        toml::Value::String(s) => match s.strip_prefix(PARAM_PREFIX) {
            Some(param) => Operand::Param(param.into()),
            None => Operand::Text(Key::new(s)),
        },
        toml::Value::Integer(i) => Operand::Number(*i as f64),
        toml::Value::Float(f) if f.is_finite() => Operand::Number(*f),
        toml::Value::Boolean(b) => Operand::Bool(*b),
        toml::Value::Array(items) => sorted(
            items
                .iter()
                .map(|i| i.as_str().ok_or_else(|| format!("lists hold text, got {i}")))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter(),
        ),
        other => return Err(format!("unsupported value {other}")),
    })
}

/// Whether `op` with `operand` makes sense on `subject`; parameters are
/// checked later. An attribute's kind is unknown until a lead has it, so
/// only the operator and operand must agree.
fn check(subject: &Subject, op: Op, operand: &Operand) -> Result<(), String> {
    let kind = subject.kind();
    let is = |k: Kind| kind.is_none_or(|kind| kind == k);
    let numeric = kind.is_none_or(|k| matches!(k, Kind::Int | Kind::Float));
    let fits = match (op, operand) {
        (_, Operand::Param(_)) => op != Op::Present,
        (Op::Present, Operand::Bool(_)) => true,
        (Op::Is, Operand::Text(_)) => is(Kind::Text),
        (Op::Is, Operand::Number(_)) => numeric,
        (Op::Is, Operand::Bool(_)) => is(Kind::Bool),
        (Op::In | Op::NotIn, Operand::List(_)) => is(Kind::Text),
        (Op::AtLeast | Op::Above | Op::AtMost | Op::Below, Operand::Number(_)) => numeric,
        _ => false,
    };
    if fits {
        return keywords_only(subject, operand);
    }
    let Some(kind) = kind else {
        let takes = match op {
            Op::Is => "text, a number, true or false",
            Op::In | Op::NotIn => "a list of text",
            Op::Present => "true or false",
            Op::AtLeast | Op::Above | Op::AtMost | Op::Below => "a number",
        };
        let op = OPERATORS.iter().find(|(_, o)| *o == op).map_or("", |(n, _)| n);
        return Err(format!("`{op}` takes {takes}"));
    };
    let allowed = match kind {
        Kind::Text => "`is` text, `in` or `not_in` a list, `present`",
        Kind::Int | Kind::Float => "`is`, `at_least`, `above`, `at_most` or `below` a number, `present`",
        Kind::Bool => "`is` true or false, `present`",
        Kind::List => "`present`",
    };
    let op = OPERATORS.iter().find(|(_, o)| *o == op).map_or("", |(n, _)| n);
    Err(format!("`{op}` with this value does not apply to this field, which takes {allowed}"))
}

/// A keyword field (`seniority`, `stage`) only ever holds one of its
/// keywords, or nothing (`""`), and a criterion's status is `met`, `not_met`
/// or `unknown`: any other text in the operand is a typo that would never
/// match.
fn keywords_only(subject: &Subject, operand: &Operand) -> Result<(), String> {
    let texts: &[Key] = match operand {
        Operand::Text(key) => std::slice::from_ref(key),
        Operand::List(keys) => keys,
        _ => return Ok(()),
    };
    let never = |text: &str| match subject {
        Subject::Field(field) => field.never_holds(text),
        Subject::Status(_) => super::fields::never_a_status(text),
        _ => None,
    };
    texts.iter().find_map(|key| never(&key.text)).map_or(Ok(()), Err)
}

fn operand_from_param(subject: &Subject, op: Op, value: &ParamValue) -> Result<Operand, String> {
    let operand = match value {
        ParamValue::List(items) => sorted(items.iter().map(Text::as_str)),
        ParamValue::Text(t) => Operand::Text(Key::new(t)),
        ParamValue::Bool(b) => Operand::Bool(*b),
        other => Operand::Number(other.as_f64().unwrap_or(f64::NAN)),
    };
    check(subject, op, &operand).map_err(|e| format!("({}) does not fit: {e}", value.type_name()))?;
    Ok(operand)
}

fn unknown_param(name: &str, params: &ParamTable) -> String {
    crate::suggest::unknown_param(name, params.keys().map(Text::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A key orders against any text as `str` does, short or long,
        /// with zero bytes or not, and so finds it in a sorted list.
        #[test]
        fn keys_order_as_their_texts(
            a in "[ab\\x00é]{0,10}",
            b in "[ab\\x00é]{0,10}",
            list in proptest::collection::vec("[ab\\x00]{0,10}", 0..8),
        ) {
            let mut padded = [0; 8];
            let n = b.len().min(8);
            padded[..n].copy_from_slice(&b.as_bytes()[..n]);
            prop_assert_eq!(head(&b), u64::from_be_bytes(padded));
            prop_assert_eq!(Key::new(&a).cmp_text(head(&b), &b), a.as_bytes().cmp(b.as_bytes()));
            let Operand::List(keys) = sorted(list.iter().map(String::as_str)) else { unreachable!() };
            let found = keys.binary_search_by(|k| k.cmp_text(head(&b), &b)).is_ok();
            prop_assert_eq!(found, list.contains(&b));
        }
    }

    fn literal(template: &Template) -> String {
        template.fixed.as_deref().unwrap_or_default().to_owned()
    }

    #[test]
    fn templates_keep_literal_braces_and_find_placeholders() {
        assert_eq!(literal(&Template::parse("a {{b}} c", Scope::Lead).unwrap()), "a {b} c");
        let t = Template::parse("Budget {budget_currency} {budget}, min {params.min_budget}", Scope::Lead)
            .unwrap();
        assert!(t.fixed.is_none());
        let kinds: Vec<_> = t
            .parts
            .iter()
            .map(|p| match p {
                Part::Literal(l) => format!("'{l}'"),
                Part::Subject(s) => s.to_string(),
                Part::Param(p) => format!("params.{p}"),
            })
            .collect();
        assert_eq!(kinds, ["'Budget '", "budget_currency", "' '", "budget", "', min '", "params.min_budget"]);
        assert!(Template::parse("{nope}", Scope::Lead).unwrap_err().contains("unknown lead field"));
        assert!(Template::parse("}", Scope::Lead).unwrap_err().contains("lone"));
        assert!(Template::parse("{", Scope::Lead).unwrap_err().contains("not closed"));
    }

    #[test]
    fn the_short_forms_mean_is_and_in() {
        let eq = conditions_on(Subject::Field(Field::Industry), &toml::Value::String("saas".into())).unwrap();
        assert_eq!(eq[0].op, Op::Is);
        let list = toml::Value::Array(vec![toml::Value::String("saas".into())]);
        assert_eq!(conditions_on(Subject::Field(Field::Industry), &list).unwrap()[0].op, Op::In);
        let mut ops = toml::Table::new();
        ops.insert("at_least".into(), toml::Value::Integer(5));
        ops.insert("below".into(), toml::Value::Integer(9));
        let both = conditions_on(Subject::Field(Field::Employees), &toml::Value::Table(ops)).unwrap();
        assert_eq!(both.iter().map(|c| c.op).collect::<Vec<_>>(), [Op::AtLeast, Op::Below]);
    }

    #[test]
    fn negative_points_are_taken_away_whatever_their_sign() {
        for points in [5, -5] {
            let Action::Points(category, p) = action("negative", &toml::Value::Integer(points)).unwrap()
            else {
                panic!("not points")
            };
            assert_eq!((category, p), (Category::Negative, -5));
        }
    }
}

//! The lead as rules see it: a read-only snapshot as of the evaluation
//! time, shared by decision tables and scripts. Touches are reduced to what
//! aggregations need and sorted once; fields are read through
//! [`Field`](crate::pack::fields::Field).

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rhai::{Dynamic, EvalAltResult, FLOAT, INT, ImmutableString};

use crate::pack::fields::{Field, Kind};
use crate::{Channel, Lead, Stage, Team, Text, Touchpoint};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

pub(crate) const SECONDS_PER_DAY: f64 = 86_400.0;

/// One touchpoint, reduced to what aggregations need.
#[derive(Debug, Clone)]
pub(crate) struct Touch {
    pub(crate) age_days: f64,
    /// Days since the Unix epoch (UTC), for per-day caps.
    pub(crate) day: i64,
    pub(crate) channel: Channel,
    /// The channel's place among the built-in ones, 255 for a custom one:
    /// touches are sorted by it first.
    pub(crate) rank: u8,
    pub(crate) team: Team,
    /// Only for packs that run scripts (`count_campaign` reads it): a
    /// table-only pack does not count each touch's campaign in and out.
    pub(crate) campaign: Option<Text>,
    /// Its place in the order touches are sorted in (see `sort_key`).
    pub(crate) key: u64,
}

/// What rules see of a lead as of the evaluation time: its stage then and
/// its touches up to then, reduced and sorted once. Tables read the lead's
/// own fields in place ([`LeadRef`]); scripts, which may keep what they see,
/// read a copy of them, made only for packs that run scripts.
#[derive(Debug, Clone)]
pub(crate) struct ScriptLead {
    /// The lead's known fields (no touches, no unknown fields), for scripts:
    /// see [`ScriptLead::copy_fields`].
    pub(crate) copy: Lead,
    /// Whether `copy` holds a lead's fields, and its custom attributes.
    pub(crate) has_copy: bool,
    pub(crate) attributes: bool,
    pub(crate) stage: Stage,
    pub(crate) stage_entered_at: Option<DateTime<Utc>>,
    pub(crate) as_of: DateTime<Utc>,
    /// The email's domain in lower case (`email_domain`), when it has one.
    email_domain: Option<String>,
    /// Touchpoints at or before `as_of`, sorted by channel then day.
    pub(crate) touches: Vec<Touch>,
    /// The touchpoints' indices grouped by channel: a buffer for [`ScriptLead::fill`].
    order: Vec<usize>,
}

impl Default for ScriptLead {
    fn default() -> Self {
        ScriptLead {
            copy: Lead::new(Text::default(), DateTime::default()),
            has_copy: false,
            attributes: false,
            stage: Stage::Lead,
            stage_entered_at: None,
            as_of: DateTime::default(),
            email_domain: None,
            touches: Vec::new(),
            order: Vec::new(),
        }
    }
}

/// A lead as rules read it: its fields, and what its snapshot derived.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeadRef<'a> {
    pub(crate) lead: &'a Lead,
    pub(crate) snapshot: &'a ScriptLead,
}

/// Days from 0000-01-01 to 1970-01-01: every day a lead's times can hold is
/// then positive and fits 22 bits.
const DAY_OFFSET: i64 = 719_528;

/// Touchpoints from which [`ScriptLead::fill`] groups them by channel first.
const GROUP_FROM: usize = 16;

/// The rank of custom channels, after every built-in one's.
const CUSTOM: usize = Channel::BUILT_IN.len();

/// A touch's place in the order by channel, day and age, as one integer:
/// the channel's rank (built-ins in declaration order, as `Channel`'s `Ord`;
/// custom ones last), the day, then the time of day backwards (later in
/// the day is younger). `None` for a time outside the years 0000 to 9999,
/// which only a host building touches by hand can make.
fn sort_key(rank: u8, at_ms: i64) -> Option<u64> {
    let rank = u64::from(rank);
    let day = u64::try_from(at_ms.div_euclid(86_400_000) + DAY_OFFSET).ok().filter(|d| *d < 1 << 22)?;
    let backwards = (86_399_999 - at_ms.rem_euclid(86_400_000)) as u64;
    Some(rank << 56 | day << 30 | backwards)
}

/// The rank of a custom channel: after every built-in one.
const CUSTOM_RANK: u8 = u8::MAX;

/// A channel's place in the order touches are sorted in.
fn rank(channel: &Channel) -> u8 {
    channel.index().and_then(|i| u8::try_from(i).ok()).unwrap_or(CUSTOM_RANK)
}

/// The snapshot as a script value: `lead`. Copies (`let l = lead`, a list
/// of leads) share it, so a script cannot multiply the lead's memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot(pub(crate) Arc<ScriptLead>);

impl std::ops::Deref for Snapshot {
    type Target = ScriptLead;
    fn deref(&self) -> &ScriptLead {
        &self.0
    }
}

impl Snapshot {
    /// The snapshot to fill for the next lead: this one's, when no copy of
    /// it outlived the last run (the usual case), else a new one.
    pub(crate) fn get_mut(&mut self) -> &mut ScriptLead {
        if Arc::get_mut(&mut self.0).is_none() {
            self.0 = Arc::default();
        }
        // Unique by now, so this never copies.
        Arc::make_mut(&mut self.0)
    }
}

impl ScriptLead {
    /// Takes a snapshot of `lead`, reusing this one's buffer for touches;
    /// with each touch's campaign only when `campaigns` (for scripts).
    pub(crate) fn fill(&mut self, lead: &Lead, as_of: DateTime<Utc>, campaigns: bool) {
        let now = as_of.timestamp_millis();
        let mut keyed = true;
        let mut touch = |t: &Touchpoint| {
            let at = t.at.timestamp_millis();
            let rank = rank(&t.channel);
            let key = sort_key(rank, at);
            keyed &= key.is_some();
            Touch {
                age_days: (now - at) as f64 / (SECONDS_PER_DAY * 1000.0),
                day: at.div_euclid(86_400_000),
                channel: t.channel.clone(),
                rank,
                team: t.team(),
                campaign: if campaigns { t.campaign.clone() } else { None },
                key: key.unwrap_or(u64::MAX),
            }
        };
        self.touches.clear();
        // Many touches are grouped by channel first, so that a sort only
        // puts each channel's own in order: linear when each channel has a
        // few. A handful are sorted whole, which costs less than grouping.
        let runs = if lead.touchpoints.len() < GROUP_FROM {
            self.touches.extend(lead.touchpoints.iter().filter(|t| t.at <= as_of).map(&mut touch));
            None
        } else {
            let runs = self.group(lead, as_of);
            self.touches.extend(self.order.iter().map(|&i| touch(&lead.touchpoints[i])));
            Some(runs)
        };
        // By channel, then day, then age: what the point table and the
        // aggregations read. Unstable is enough: ties are touches at the same
        // instant, equal for every sum.
        let order = |a: &Touch, b: &Touch| {
            a.channel.cmp(&b.channel).then(a.day.cmp(&b.day)).then(a.age_days.total_cmp(&b.age_days))
        };
        if keyed {
            // The same order from one integer per touch, so the sort compares
            // integers; custom channels (the key's top rank) are then put in
            // order by name.
            let custom = match runs {
                Some(runs) => {
                    let mut start = 0;
                    for &end in &runs[..CUSTOM] {
                        let run = &mut self.touches[start..end];
                        if !run.is_sorted_by_key(|t| t.key) {
                            run.sort_unstable_by_key(|t| t.key);
                        }
                        start = end;
                    }
                    start
                }
                None => {
                    self.touches.sort_unstable_by_key(|t| t.key);
                    self.touches
                        .iter()
                        .position(|t| t.channel.index().is_none())
                        .unwrap_or(self.touches.len())
                }
            };
            self.touches[custom..].sort_unstable_by(order);
        } else {
            self.touches.sort_unstable_by(order);
        }
        (self.stage, self.stage_entered_at) = lead.stage_at(as_of);
        self.as_of = as_of;
        // Read by two fields and most packs' first rule: found and lowered
        // once, into a buffer kept between leads.
        let domain = lead.person.email.as_deref().and_then(|e| e.rsplit_once('@')).map(|(_, d)| d);
        match (domain, &mut self.email_domain) {
            (Some(d), Some(buffer)) => {
                buffer.clear();
                buffer.push_str(d);
                buffer.make_ascii_lowercase();
            }
            (Some(d), none) => *none = Some(d.to_ascii_lowercase()),
            (None, Some(buffer)) => buffer.clear(),
            (None, None) => {}
        }
    }

    /// Lists in `order` the indices of `lead`'s touchpoints up to `as_of`
    /// by channel (built-ins in rank order, custom ones last), each
    /// channel's in the lead's order, in two counting passes; returns
    /// where each rank's run ends.
    fn group(&mut self, lead: &Lead, as_of: DateTime<Utc>) -> [usize; CUSTOM + 1] {
        let rank = |t: &Touchpoint| t.channel.index().unwrap_or(CUSTOM);
        let counted = || lead.touchpoints.iter().enumerate().filter(|(_, t)| t.at <= as_of);
        let mut ends = [0; CUSTOM + 1];
        counted().for_each(|(_, t)| ends[rank(t)] += 1);
        let mut total = 0;
        for end in &mut ends {
            // The run's start for now: the next loop moves it to its end.
            (*end, total) = (total, total + *end);
        }
        self.order.clear();
        self.order.resize(total, 0);
        for (i, t) in counted() {
            let end = &mut ends[rank(t)];
            self.order[*end] = i;
            *end += 1;
        }
        ends
    }

    /// Copies the lead's known fields for scripts, which may keep what they
    /// read beyond the run; custom attributes only `with_attributes`.
    pub(crate) fn copy_fields(&mut self, lead: &Lead, with_attributes: bool) {
        let copy = &mut self.copy;
        copy.id = lead.id.clone();
        copy.created_at = lead.created_at;
        copy.person = lead.person.known();
        copy.company = lead.company.known();
        copy.qualification = lead.qualification.known();
        copy.source = lead.source.clone();
        copy.campaign = lead.campaign.clone();
        if with_attributes {
            copy.attributes = lead.attributes.clone();
        }
        self.has_copy = true;
        self.attributes = with_attributes;
    }

    /// The copy as rules read it.
    pub(crate) fn copied(&self) -> LeadRef<'_> {
        LeadRef { lead: &self.copy, snapshot: self }
    }

    /// Drops the lead's data, keeping only the touch buffer's capacity.
    pub(crate) fn clear(&mut self) {
        self.touches.clear();
        if let Some(domain) = &mut self.email_domain {
            domain.clear();
        }
        (self.stage, self.stage_entered_at, self.as_of) = (Stage::Lead, None, DateTime::default());
        // A pack of tables only never copies the fields: nothing to drop.
        if self.has_copy {
            let (touches, email_domain) = (std::mem::take(&mut self.touches), self.email_domain.take());
            let order = std::mem::take(&mut self.order);
            *self = ScriptLead { touches, email_domain, order, ..ScriptLead::default() };
        }
    }

    /// Every touch, for a function to scan: the scan is charged to the
    /// evaluation's native budget first, so no script call walks the touches
    /// uncounted.
    pub(crate) fn scan(&self) -> Fallible<std::slice::Iter<'_, Touch>> {
        crate::engine::sandbox::charge(self.touches.len())?;
        Ok(self.touches.iter())
    }

    pub(crate) fn days_since(&self, at: DateTime<Utc>) -> FLOAT {
        (self.as_of - at).num_milliseconds() as FLOAT / (SECONDS_PER_DAY * 1000.0)
    }

    pub(crate) fn within(&self, days: FLOAT) -> Fallible<impl Iterator<Item = &Touch>> {
        Ok(self.scan()?.filter(move |t| t.age_days <= days))
    }

    /// The touches on `channel` within the last `days`, charged as a scan.
    /// A built-in channel's are found as their run: touches are sorted by
    /// rank.
    pub(crate) fn count(&self, channel: &Channel, days: FLOAT) -> Fallible<usize> {
        crate::engine::sandbox::charge(self.touches.len())?;
        let within = |t: &&Touch| t.age_days <= days;
        Ok(match rank(channel) {
            CUSTOM_RANK => self.touches.iter().filter(|t| t.channel == *channel).filter(within).count(),
            r => {
                let start = self.touches.partition_point(|t| t.rank < r);
                self.touches[start..].iter().take_while(|t| t.rank == r).filter(within).count()
            }
        })
    }
}

impl<'a> LeadRef<'a> {
    /// A custom attribute as a table reads it (`attr.name`): text, numbers
    /// and booleans compare; a list or an object is only present.
    pub(crate) fn attribute(self, name: &str) -> Value<'a> {
        use serde_json::Value as Json;
        match self.lead.attributes.get(name) {
            None | Some(Json::Null) => Value::Missing,
            Some(Json::String(s)) => Value::Str(s),
            Some(Json::Bool(b)) => Value::Bool(*b),
            Some(Json::Number(n)) => {
                n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int)
            }
            Some(Json::Array(_) | Json::Object(_)) => Value::Structured,
        }
    }

    /// Empty when the email has no `@`, missing without an email.
    fn email_domain(self) -> Option<&'a str> {
        self.lead.person.email.as_ref()?;
        self.snapshot.email_domain.as_deref()
    }
}

/// Sorted by channel, so distinct channels are runs.
pub(crate) fn distinct_channels<'a>(touches: impl Iterator<Item = &'a Touch>) -> INT {
    let mut last: Option<&Channel> = None;
    let mut n = 0;
    for t in touches {
        if last != Some(&t.channel) {
            n += 1;
            last = Some(&t.channel);
        }
    }
    n
}

/// A list of text as scripts see it: a list parameter or the lead's pain
/// points. `x in list` is a native lookup, binary search for parameters.
#[derive(Debug, Clone)]
pub(crate) struct List {
    pub(crate) items: Arc<[ImmutableString]>,
    /// The items sorted, for lists looked up often (parameters).
    pub(crate) sorted: Option<Arc<[ImmutableString]>>,
}

impl List {
    pub(crate) fn new(items: impl Iterator<Item = ImmutableString>, indexed: bool) -> Self {
        let items: Arc<[ImmutableString]> = items.collect();
        let sorted = indexed.then(|| {
            let mut sorted = items.to_vec();
            sorted.sort_unstable();
            sorted.into()
        });
        List { items, sorted }
    }

    /// Whether the list holds `item`, charging the work first.
    pub(crate) fn contains(&self, item: &str) -> Fallible<bool> {
        match &self.sorted {
            Some(sorted) => {
                crate::engine::sandbox::charge(usize::BITS as usize - sorted.len().leading_zeros() as usize)?;
                Ok(sorted.binary_search_by(|x| x.as_str().cmp(item)).is_ok())
            }
            None => {
                crate::engine::sandbox::charge(self.items.len())?;
                Ok(self.items.iter().any(|x| x == item))
            }
        }
    }
}

/// A field's value in a snapshot. Text that is empty counts as missing.
///
/// The tag is a whole word so that every variant's payload starts at byte 8:
/// with a byte tag, `Bool` sits at byte 1 and each move of a `Value` copies
/// bytes 1 to 7 with overlapping loads, which stall on the stores just made.
#[derive(Debug, Clone)]
#[repr(u64)]
pub(crate) enum Value<'a> {
    Missing,
    Text(&'a Text),
    Str(&'a str),
    Int(INT),
    Float(FLOAT),
    Bool(bool),
    List(&'a [Text]),
    /// A list or an object in a custom attribute: present, but not compared.
    Structured,
}

impl Value<'_> {
    #[inline]
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(t) if !t.is_empty() => Some(t),
            Value::Str(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    pub(crate) fn is_present(&self) -> bool {
        match self {
            Value::Missing => false,
            Value::Text(_) | Value::Str(_) => self.as_str().is_some(),
            Value::List(items) => !items.is_empty(),
            _ => true,
        }
    }

    /// As scripts see it: missing text is `""`, a missing list `[]`, other missing values `()`.
    pub(crate) fn to_dynamic(&self, kind: Kind) -> Dynamic {
        match self {
            Value::Missing => match kind {
                Kind::Text => ImmutableString::new().into(),
                Kind::List => Dynamic::from(List::new(std::iter::empty(), false)),
                _ => Dynamic::UNIT,
            },
            Value::Text(t) => t.to_script().into(),
            Value::Str(s) => Text::cached(format_args!("{s}")).to_script().into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => (*f).into(),
            Value::Bool(b) => (*b).into(),
            Value::List(items) => Dynamic::from(List::new(items.iter().map(Text::to_script), false)),
            // Only tables read attributes this way; scripts use `lead.attr`.
            Value::Structured => Dynamic::UNIT,
        }
    }
}

impl Value<'_> {
    /// Appends the value as [`Display`](fmt::Display) writes it, without `fmt`
    /// for text and whole numbers.
    pub(crate) fn push_to(&self, buffer: &mut String) {
        match self {
            Value::Text(t) => buffer.push_str(t),
            Value::Str(s) => buffer.push_str(s),
            Value::Int(i) => crate::lead::text::push_int(buffer, *i),
            Value::Float(x) => crate::lead::text::Number(*x).push_to(buffer),
            other => {
                use std::fmt::Write as _;
                let _ = write!(buffer, "{other}");
            }
        }
    }
}

impl fmt::Display for Value<'_> {
    /// For reasons: numbers as [`Number`](crate::lead::text::Number) writes them,
    /// lists joined with commas.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Missing | Value::Structured => Ok(()),
            Value::Text(t) => f.write_str(t),
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{}", crate::lead::text::Number(*x)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(item)?;
                }
                Ok(())
            }
        }
    }
}

pub(crate) fn text_value(value: &Option<Text>) -> Value<'_> {
    value.as_ref().map_or(Value::Missing, Value::Text)
}

pub(crate) fn static_str(value: &'static str) -> Value<'static> {
    Value::Str(value)
}

/// Reads a field from a snapshot; the field list itself is the pack's
/// vocabulary ([`Field`]).
impl Field {
    pub(crate) fn get(self, r: LeadRef<'_>) -> Value<'_> {
        let (l, snap) = (r.lead, r.snapshot);
        match self {
            Field::Id => Value::Text(&l.id),
            Field::AgeDays => Value::Float(snap.days_since(l.created_at)),
            Field::Source => text_value(&l.source),
            Field::Campaign => text_value(&l.campaign),
            Field::Stage => static_str(snap.stage.as_str()),
            Field::Owner => static_str(snap.stage.owner().map_or("", Team::as_str)),
            Field::DaysInStage => {
                snap.stage_entered_at.map_or(Value::Missing, |at| Value::Float(snap.days_since(at)))
            }
            Field::Name => text_value(&l.person.name),
            Field::Email => text_value(&l.person.email),
            Field::EmailDomain => r.email_domain().map_or(Value::Missing, Value::Str),
            Field::FreeEmail => Value::Bool(r.email_domain().is_some_and(crate::lead::is_free_mail)),
            Field::JobTitle => text_value(&l.person.job_title),
            Field::Seniority => l.person.seniority.map_or(Value::Missing, |s| static_str(s.as_str())),
            Field::Department => text_value(&l.person.department),
            Field::Company => text_value(&l.company.name),
            Field::Domain => text_value(&l.company.domain),
            Field::Industry => text_value(&l.company.industry),
            Field::Employees => l
                .company
                .employees
                .map_or(Value::Missing, |e| Value::Int(INT::try_from(e).unwrap_or(INT::MAX))),
            Field::Revenue => {
                l.company.annual_revenue.as_ref().map_or(Value::Missing, |m| Value::Float(m.amount()))
            }
            Field::RevenueCurrency => {
                l.company.annual_revenue.as_ref().map_or(Value::Missing, |m| Value::Str(m.currency.as_str()))
            }
            Field::Country => text_value(&l.company.country),
            Field::Budget => {
                l.qualification.budget.as_ref().map_or(Value::Missing, |m| Value::Float(m.amount()))
            }
            Field::BudgetCurrency => {
                l.qualification.budget.as_ref().map_or(Value::Missing, |m| Value::Str(m.currency.as_str()))
            }
            Field::BudgetConfirmed => l.qualification.budget_confirmed.map_or(Value::Missing, Value::Bool),
            Field::BuyingRole => {
                l.qualification.buying_role.map_or(Value::Missing, |r| static_str(r.as_str()))
            }
            Field::Need => text_value(&l.qualification.need),
            Field::PainPoints => Value::List(&l.qualification.pain_points),
            Field::Timeline => l.qualification.timeline.map_or(Value::Missing, |t| static_str(t.as_str())),
            Field::DaysToPurchase => {
                let q = &l.qualification;
                let days = match q.purchase_date {
                    Some(d) => Some((d - snap.as_of.date_naive()).num_days()),
                    None => q.timeline.and_then(crate::Timeline::max_days),
                };
                days.map_or(Value::Missing, Value::Int)
            }
        }
    }

    /// A keyword field's value as its bit in [`Operand::Keywords`]: its
    /// position among [`Field::keywords`] from 1, or 0 when it has none
    /// (as for any other field, which never has such an operand).
    ///
    /// [`Operand::Keywords`]: crate::pack::table::Operand::Keywords
    #[inline]
    pub(crate) fn keyword(self, r: LeadRef<'_>) -> u32 {
        let bit = |i: Option<u8>| i.map_or(0, |i| u32::from(i) + 1);
        let (l, snap) = (r.lead, r.snapshot);
        match self {
            Field::Seniority => bit(l.person.seniority.map(|s| s as u8)),
            Field::BuyingRole => bit(l.qualification.buying_role.map(|r| r as u8)),
            Field::Timeline => bit(l.qualification.timeline.map(|t| t as u8)),
            Field::Stage => bit(Some(snap.stage as u8)),
            Field::Owner => bit(snap.stage.owner().map(|t| t as u8)),
            _ => 0,
        }
    }
}

/// `0.5^(age / half_life)`; no decay for a half-life of zero or less.
pub(crate) fn decay(age_days: f64, half_life_days: f64) -> f64 {
    if half_life_days > 0.0 { 0.5f64.powf(age_days.max(0.0) / half_life_days) } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Touchpoint;
    use proptest::prelude::*;

    proptest! {
        /// Sorting by the integer key (and custom channels by name after)
        /// gives the order the comparator gives: channel, day, age.
        #[test]
        fn touches_are_sorted_by_channel_day_and_age(
            touches in proptest::collection::vec(
                (0usize..24, -62_167_219_200_000i64..253_402_300_799_000), 0..40),
            as_of in -62_167_219_200_000i64..253_402_300_799_000,
        ) {
            let as_of = DateTime::from_timestamp_millis(as_of).unwrap();
            let mut lead = Lead::new("L", DateTime::from_timestamp_millis(-62_167_219_200_000).unwrap());
            for (channel, at) in touches {
                let channel = match Channel::BUILT_IN.get(channel) {
                    Some(c) => c.clone(),
                    None => Channel::custom(["podcast", "fair"][channel % 2]).unwrap(),
                };
                lead.touchpoints.push(Touchpoint::new(DateTime::from_timestamp_millis(at).unwrap(), channel));
            }
            let mut snapshot = ScriptLead::default();
            snapshot.fill(&lead, as_of, true);
            let sorted = snapshot.touches.windows(2).all(|w| {
                let (a, b) = (&w[0], &w[1]);
                a.channel.cmp(&b.channel).then(a.day.cmp(&b.day)).then(a.age_days.total_cmp(&b.age_days)).is_le()
            });
            prop_assert!(sorted);
            // Exactly the touches up to `as_of`, each once.
            let ms = as_of.timestamp_millis();
            let mut kept: Vec<_> = snapshot.touches.iter().map(|t| (t.channel.clone(), ms - (t.age_days * 86_400_000.0).round() as i64)).collect();
            let mut expected: Vec<_> = lead.touchpoints.iter().filter(|t| t.at <= as_of).map(|t| (t.channel.clone(), t.at.timestamp_millis())).collect();
            kept.sort();
            expected.sort();
            prop_assert_eq!(kept, expected);
            // Counting a channel's run finds what filtering every touch does.
            let _run = crate::engine::sandbox::Run::start(&crate::Limits::default());
            let customs = ["podcast", "fair", "zine"].map(|c| Channel::custom(c).unwrap());
            for channel in Channel::BUILT_IN.iter().chain(&customs) {
                for days in [0.0, 30.0, f64::INFINITY] {
                    let all = snapshot.touches.iter().filter(|t| t.channel == *channel && t.age_days <= days);
                    prop_assert_eq!(snapshot.count(channel, days).unwrap(), all.count());
                }
            }
        }
    }

    /// Each keyword field's value reads as its position among the field's
    /// keywords, from 1; no value as 0; every other field has no keywords.
    #[test]
    fn a_keyword_is_read_as_its_position() {
        use crate::{BuyingRole, Seniority, Stage, Timeline};
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut lead = Lead::new("L", at);
        let mut snapshot = ScriptLead::default();
        snapshot.fill(&lead, at, false);
        let read = |field: Field, lead: &Lead, snapshot: &ScriptLead| {
            let bit = field.keyword(LeadRef { lead, snapshot }) as usize;
            bit.checked_sub(1).map(|i| field.keywords().unwrap()[i])
        };
        for field in [Field::Seniority, Field::BuyingRole, Field::Timeline] {
            assert_eq!(read(field, &lead, &snapshot), None);
        }
        for &s in Seniority::ALL {
            lead.person.seniority = Some(s);
            assert_eq!(read(Field::Seniority, &lead, &snapshot), Some(s.as_str()));
        }
        for &r in BuyingRole::ALL {
            lead.qualification.buying_role = Some(r);
            assert_eq!(read(Field::BuyingRole, &lead, &snapshot), Some(r.as_str()));
        }
        for &t in Timeline::ALL {
            lead.qualification.timeline = Some(t);
            assert_eq!(read(Field::Timeline, &lead, &snapshot), Some(t.as_str()));
        }
        for &stage in Stage::ALL {
            snapshot.stage = stage;
            assert_eq!(read(Field::Stage, &lead, &snapshot), Some(stage.as_str()));
            assert_eq!(read(Field::Owner, &lead, &snapshot), stage.owner().map(Team::as_str));
        }
        let keyworded = [Field::Seniority, Field::BuyingRole, Field::Timeline, Field::Stage, Field::Owner];
        for &field in Field::ALL {
            assert_eq!(field.keywords().is_some(), keyworded.contains(&field), "{field:?}");
        }
    }

    #[test]
    fn touches_carry_their_campaign_only_when_asked() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut lead = Lead::new("L", at);
        let mut touch = Touchpoint::new(at, Channel::Webinar);
        touch.campaign = Some("q4".into());
        lead.touchpoints.push(touch);
        let mut snapshot = ScriptLead::default();
        snapshot.fill(&lead, at, true);
        assert_eq!(snapshot.touches[0].campaign.as_deref(), Some("q4"));
        snapshot.fill(&lead, at, false);
        assert_eq!((snapshot.touches.len(), snapshot.touches[0].campaign.as_deref()), (1, None));
    }
}

//! Leads to Arrow and back: [`leads_to_arrow`] writes the lead type of
//! [`lead_type`](crate::lead_type); [`Leads`] reads it, one row at a time,
//! with the field named in every error.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Float64Array, Int64Array, ListArray, RecordBatch,
    StringArray, StructArray, TimestampMicrosecondArray,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Field, Fields, Float64Type, Int64Type, Schema, TimeUnit, TimestampMicrosecondType,
};
use datafusion::arrow::error::ArrowError;
use leadgate::{Channel, Lead, Money, Stage, StageChange, Touchpoint};

use crate::schema::{HISTORY, LEAD, TOUCHPOINT};

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01, for `Date32`.
const EPOCH_DAYS: i32 = 719_163;

fn date32(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS
}

/// `leads` as a record batch of two columns: `id` and `lead`, the lead as
/// [`lead_type`](crate::lead_type), ready to write to Parquet or register
/// as a table. Fields this library does not know (a lead's `extra`) are not
/// part of the Arrow lead.
///
/// ```
/// use leadgate::Lead;
/// let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "company": {"industry": "software"}}"#)?;
/// let batch = leadgate_datafusion::leads_to_arrow(&[lead])?;
/// assert_eq!((batch.num_rows(), batch.schema().field(1).name().as_str()), (1, "lead"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn leads_to_arrow(leads: &[Lead]) -> Result<RecordBatch, ArrowError> {
    let texts = |f: &dyn Fn(&Lead) -> Option<&str>| -> ArrayRef {
        Arc::new(leads.iter().map(f).collect::<StringArray>())
    };
    let child = |fields: &Fields, columns: Vec<ArrayRef>| -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(StructArray::try_new(fields.clone(), columns, None)?))
    };
    let DataType::Struct(person) = LEAD[6].data_type() else { unreachable!("the lead type") };
    let DataType::Struct(company) = LEAD[7].data_type() else { unreachable!("the lead type") };
    let DataType::Struct(qualification) = LEAD[8].data_type() else { unreachable!("the lead type") };
    let times = |values: Vec<i64>| Arc::new(TimestampMicrosecondArray::from(values).with_timezone("UTC"));
    let person = child(
        person,
        vec![
            texts(&|l| l.person.name.as_deref()),
            texts(&|l| l.person.email.as_deref()),
            texts(&|l| l.person.job_title.as_deref()),
            texts(&|l| l.person.seniority.map(|s| s.as_str())),
            texts(&|l| l.person.department.as_deref()),
        ],
    )?;
    let company = child(
        company,
        vec![
            texts(&|l| l.company.name.as_deref()),
            texts(&|l| l.company.domain.as_deref()),
            texts(&|l| l.company.industry.as_deref()),
            Arc::new(
                leads
                    .iter()
                    .map(|l| l.company.employees.map(|e| i64::try_from(e).unwrap_or(i64::MAX)))
                    .collect::<Int64Array>(),
            ),
            Arc::new(
                leads
                    .iter()
                    .map(|l| l.company.annual_revenue.as_ref().map(Money::amount))
                    .collect::<Float64Array>(),
            ),
            texts(&|l| l.company.annual_revenue.as_ref().map(|m| m.currency.as_str())),
            texts(&|l| l.company.country.as_deref()),
        ],
    )?;
    let pain_points = {
        let items: StringArray =
            leads.iter().flat_map(|l| l.qualification.pain_points.iter().map(|p| Some(p.as_str()))).collect();
        let offsets = OffsetBuffer::from_lengths(leads.iter().map(|l| l.qualification.pain_points.len()));
        let DataType::List(item) = qualification[5].data_type() else { unreachable!("the lead type") };
        Arc::new(ListArray::try_new(item.clone(), offsets, Arc::new(items), None)?)
    };
    let qualification = child(
        qualification,
        vec![
            Arc::new(
                leads
                    .iter()
                    .map(|l| l.qualification.budget.as_ref().map(Money::amount))
                    .collect::<Float64Array>(),
            ),
            texts(&|l| l.qualification.budget.as_ref().map(|m| m.currency.as_str())),
            Arc::new(leads.iter().map(|l| l.qualification.budget_confirmed).collect::<BooleanArray>()),
            texts(&|l| l.qualification.buying_role.map(|r| r.as_str())),
            texts(&|l| l.qualification.need.as_deref()),
            pain_points,
            texts(&|l| l.qualification.timeline.map(|t| t.as_str())),
            Arc::new(
                leads.iter().map(|l| l.qualification.purchase_date.map(date32)).collect::<Date32Array>(),
            ),
        ],
    )?;
    let touches: Vec<&Touchpoint> = leads.iter().flat_map(|l| &l.touchpoints).collect();
    let touch_texts = |f: &dyn Fn(&Touchpoint) -> Option<String>| -> ArrayRef {
        Arc::new(touches.iter().map(|t| f(t)).collect::<StringArray>())
    };
    let touch_struct = StructArray::try_new(
        TOUCHPOINT.clone(),
        vec![
            times(touches.iter().map(|t| t.at.timestamp_micros()).collect()),
            touch_texts(&|t| Some(t.channel.name().into_owned())),
            touch_texts(&|t| t.team.map(|team| team.as_str().to_owned())),
            touch_texts(&|t| t.campaign.as_ref().map(|c| c.to_string())),
        ],
        None,
    )?;
    let DataType::List(touch_item) = LEAD[9].data_type() else { unreachable!("the lead type") };
    let offsets = OffsetBuffer::from_lengths(leads.iter().map(|l| l.touchpoints.len()));
    let touchpoints: ArrayRef =
        Arc::new(ListArray::try_new(touch_item.clone(), offsets, Arc::new(touch_struct), None)?);
    let changes: Vec<&StageChange> = leads.iter().flat_map(|l| l.history()).collect();
    let history_struct = StructArray::try_new(
        HISTORY.clone(),
        vec![
            Arc::new(changes.iter().map(|c| Some(c.stage.as_str())).collect::<StringArray>()),
            times(changes.iter().map(|c| c.at.timestamp_micros()).collect()),
            Arc::new(changes.iter().map(|c| c.reason.as_deref()).collect::<StringArray>()),
        ],
        None,
    )?;
    let DataType::List(history_item) = LEAD[10].data_type() else { unreachable!("the lead type") };
    let offsets = OffsetBuffer::from_lengths(leads.iter().map(|l| l.history().len()));
    let history: ArrayRef =
        Arc::new(ListArray::try_new(history_item.clone(), offsets, Arc::new(history_struct), None)?);
    let attributes: ArrayRef = Arc::new(
        leads
            .iter()
            .map(|l| {
                (!l.attributes.is_empty())
                    .then(|| serde_json::Value::Object(l.attributes.clone()).to_string())
            })
            .collect::<StringArray>(),
    );
    let lead = StructArray::try_new(
        LEAD.clone(),
        vec![
            texts(&|l| Some(l.id.as_str())),
            times(leads.iter().map(|l| l.created_at.timestamp_micros()).collect()),
            texts(&|l| l.account_id.as_deref()),
            texts(&|l| l.source.as_deref()),
            texts(&|l| l.campaign.as_deref()),
            texts(&|l| Some(l.stage().as_str())),
            person,
            company,
            qualification,
            touchpoints,
            history,
            attributes,
        ],
        None,
    )?;
    let schema = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("lead", crate::lead_type(), false),
    ]);
    RecordBatch::try_new(Arc::new(schema), vec![texts(&|l| Some(l.id.as_str())), Arc::new(lead)])
}

/// A column of Arrow leads, each field cast once to the type it is read as.
pub(crate) struct Leads {
    id: StringArray,
    created_at: TimestampMicrosecondArray,
    /// The text fields, in the order of [`TEXTS`]; `None` when absent.
    texts: Vec<Option<StringArray>>,
    employees: Option<Int64Array>,
    revenue: Option<Float64Array>,
    budget: Option<Float64Array>,
    budget_confirmed: Option<BooleanArray>,
    purchase_date: Option<Date32Array>,
    pain_points: Option<ListArray>,
    touchpoints: Option<(ListArray, TimestampMicrosecondArray, Vec<StringArray>)>,
    /// The history's list, its times, and its stages and reasons.
    history: Option<(ListArray, TimestampMicrosecondArray, Vec<StringArray>)>,
    /// Rows whose lead is null.
    nulls: Option<NullBuffer>,
}

/// The text fields read, by dotted path.
const TEXTS: [&str; 19] = [
    "account_id",
    "source",
    "campaign",
    "stage",
    "person.name",
    "person.email",
    "person.job_title",
    "person.seniority",
    "person.department",
    "company.name",
    "company.domain",
    "company.industry",
    "company.revenue_currency",
    "company.country",
    "qualification.budget_currency",
    "qualification.buying_role",
    "qualification.need",
    "qualification.timeline",
    "attributes",
];

/// The position of `path` in [`TEXTS`], computed when compiling.
const fn slot(path: &str) -> usize {
    let mut i = 0;
    while i < TEXTS.len() {
        let (a, b) = (TEXTS[i].as_bytes(), path.as_bytes());
        let mut same = a.len() == b.len();
        let mut k = 0;
        while same && k < a.len() {
            same = a[k] == b[k];
            k += 1;
        }
        if same {
            return i;
        }
        i += 1;
    }
    panic!("not a text field of the Arrow lead");
}

/// The child of a struct by dotted path, if present.
fn child<'a>(root: &'a StructArray, path: &str) -> Option<&'a ArrayRef> {
    let (first, rest) = match path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    };
    let column = root.column_by_name(first)?;
    match rest {
        None => Some(column),
        Some(rest) => child(column.as_struct_opt()?, rest),
    }
}

/// A column cast to `to`, combined with its parents' nulls, so that a null
/// struct reads as null fields.
fn read(root: &StructArray, path: &str, to: &DataType) -> Result<Option<ArrayRef>, String> {
    let Some(column) = child(root, path) else { return Ok(None) };
    let cast = cast(column, to).map_err(|e| format!("{path}: cannot be read as {to}: {e}"))?;
    // The nulls of the structs above it.
    let mut nulls = root.nulls().cloned();
    let mut at = root;
    for part in path.split('.').take(path.split('.').count() - 1) {
        let Some(inner) = at.column_by_name(part).and_then(|c| c.as_struct_opt()) else { break };
        nulls = NullBuffer::union(nulls.as_ref(), inner.nulls());
        at = inner;
    }
    let data = cast.to_data();
    let combined = NullBuffer::union(nulls.as_ref(), data.nulls());
    let data = data.into_builder().nulls(combined).build().map_err(|e| format!("{path}: {e}"))?;
    Ok(Some(datafusion::arrow::array::make_array(data)))
}

impl Leads {
    /// Reads a column of lead structs; an error names the field that cannot
    /// be read (a type that does not cast, or a missing `id`).
    pub(crate) fn new(column: &ArrayRef) -> Result<Leads, String> {
        let root = column
            .as_struct_opt()
            .ok_or_else(|| format!("a lead is a struct, not {}", column.data_type()))?;
        let utc = DataType::Timestamp(TimeUnit::Microsecond, None);
        let text = |path: &str| -> Result<Option<StringArray>, String> {
            Ok(read(root, path, &DataType::Utf8)?.map(|a| a.as_string::<i32>().clone()))
        };
        let id = text("id")?.ok_or("the lead has no `id` field")?;
        let created_at = read(root, "created_at", &utc)?
            .ok_or("the lead has no `created_at` field")?
            .as_primitive::<TimestampMicrosecondType>()
            .clone();
        let texts = TEXTS.iter().map(|path| text(path)).collect::<Result<_, _>>()?;
        let typed = |path: &str, to: DataType| read(root, path, &to);
        // A list of structs: the list, its `at` and its text fields.
        let list =
            |name: &str,
             fields: &Fields,
             texts: &[&str]|
             -> Result<Option<(ListArray, TimestampMicrosecondArray, Vec<StringArray>)>, String> {
                let Some(list) = child(root, name) else { return Ok(None) };
                let to = DataType::List(Arc::new(Field::new("item", DataType::Struct(fields.clone()), true)));
                let list = cast(list, &to).map_err(|e| format!("{name}: cannot be read as {to}: {e}"))?;
                let list = list.as_list::<i32>().clone();
                let items = list.values().as_struct().clone();
                let at = read(&items, "at", &utc)?
                    .ok_or_else(|| format!("{name}: an item has no `at`"))?
                    .as_primitive::<TimestampMicrosecondType>()
                    .clone();
                let texts = texts
                    .iter()
                    .map(|field| {
                        Ok(read(&items, field, &DataType::Utf8)?.map_or_else(
                            || StringArray::new_null(items.len()),
                            |a| a.as_string::<i32>().clone(),
                        ))
                    })
                    .collect::<Result<_, String>>()?;
                Ok(Some((list, at, texts)))
            };
        let touchpoints = list("touchpoints", &TOUCHPOINT, &["channel", "team", "campaign"])?;
        let history = list("stage_history", &HISTORY, &["stage", "reason"])?;
        Ok(Leads {
            id,
            created_at,
            texts,
            employees: typed("company.employees", DataType::Int64)?
                .map(|a| a.as_primitive::<Int64Type>().clone()),
            revenue: typed("company.revenue", DataType::Float64)?
                .map(|a| a.as_primitive::<Float64Type>().clone()),
            budget: typed("qualification.budget", DataType::Float64)?
                .map(|a| a.as_primitive::<Float64Type>().clone()),
            budget_confirmed: typed("qualification.budget_confirmed", DataType::Boolean)?
                .map(|a| a.as_boolean().clone()),
            purchase_date: typed("qualification.purchase_date", DataType::Date32)?
                .map(|a| a.as_primitive::<Date32Type>().clone()),
            pain_points: typed(
                "qualification.pain_points",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            )?
            .map(|a| a.as_list::<i32>().clone()),
            touchpoints,
            history,
            nulls: root.nulls().cloned(),
        })
    }

    /// Whether row `i` has no lead at all.
    pub(crate) fn is_null(&self, i: usize) -> bool {
        self.nulls.as_ref().is_some_and(|n| n.is_null(i))
    }

    /// Text field `slot` (of [`TEXTS`]) of row `i`: an index, not a name,
    /// as this runs for every field of every row.
    fn text(&self, slot: usize, i: usize) -> Option<&str> {
        let array = self.texts.get(slot)?.as_ref()?;
        array.is_valid(i).then(|| array.value(i))
    }

    /// The lead of row `i`, or why it is not a lead.
    pub(crate) fn lead(&self, i: usize) -> Result<Lead, String> {
        if self.id.is_null(i) || self.id.value(i).trim().is_empty() {
            return Err("id: must not be empty".into());
        }
        if self.created_at.is_null(i) {
            return Err("created_at: missing".into());
        }
        let created_at = micros(self.created_at.value(i)).ok_or("created_at: out of range")?;
        let stage = parse::<Stage>(self.text(const { slot("stage") }, i), "stage")?;
        let mut history = Vec::new();
        if let Some((list, at, texts)) = self.history.as_ref().filter(|(l, ..)| l.is_valid(i)) {
            let range = list.value_offsets()[i] as usize..list.value_offsets()[i + 1] as usize;
            for (n, c) in range.enumerate() {
                let field = |name: &str| format!("stage_history[{n}].{name}");
                let when = (at.is_valid(c))
                    .then(|| micros(at.value(c)))
                    .flatten()
                    .ok_or_else(|| format!("{}: missing or out of range", field("at")))?;
                let stage = texts[0]
                    .is_valid(c)
                    .then(|| texts[0].value(c))
                    .ok_or_else(|| format!("{}: missing", field("stage")))?;
                let stage = stage.parse::<Stage>().map_err(|e| format!("{}: {e}", field("stage")))?;
                let reason = texts[1].is_valid(c).then(|| leadgate::Text::from(texts[1].value(c)));
                history.push(StageChange::new(stage, when, reason));
            }
        }
        let mut lead = match (stage, history.last().map(|c| c.stage)) {
            (Some(stage), Some(last)) if stage != last => {
                return Err(format!(
                    "stage: {stage} does not match the last entry of stage_history ({last})"
                ));
            }
            (_, Some(_)) => Lead::with_history(self.id.value(i), created_at, history)
                .map_err(|e| format!("stage_history: {e}"))?,
            (stage, None) => Lead::imported(self.id.value(i), created_at, stage.unwrap_or(Stage::Lead)),
        };
        if let Some(text) = self.text(const { slot("attributes") }, i) {
            if text.len() > leadgate::lead::MAX_LEAD_BYTES {
                return Err(format!(
                    "attributes: {} bytes, over the limit of {}",
                    text.len(),
                    leadgate::lead::MAX_LEAD_BYTES
                ));
            }
            lead.attributes =
                serde_json::from_str(text).map_err(|e| format!("attributes: not a JSON object: {e}"))?;
        }
        let own = |slot| self.text(slot, i).map(leadgate::Text::from);
        lead.account_id = own(const { slot("account_id") });
        lead.source = own(const { slot("source") });
        lead.campaign = own(const { slot("campaign") });
        lead.person.name = own(const { slot("person.name") });
        lead.person.email = own(const { slot("person.email") });
        lead.person.job_title = own(const { slot("person.job_title") });
        lead.person.department = own(const { slot("person.department") });
        lead.person.seniority = parse(self.text(const { slot("person.seniority") }, i), "person.seniority")?;
        lead.company.name = own(const { slot("company.name") });
        lead.company.domain = own(const { slot("company.domain") });
        lead.company.industry = own(const { slot("company.industry") });
        lead.company.country = own(const { slot("company.country") });
        lead.company.employees = match value(&self.employees, i) {
            Some(e) => Some(
                u64::try_from(e).map_err(|_| format!("company.employees: must not be negative, got {e}"))?,
            ),
            None => None,
        };
        lead.company.annual_revenue = money(
            value(&self.revenue, i),
            self.text(const { slot("company.revenue_currency") }, i),
            "company.revenue",
        )?;
        lead.qualification.budget = money(
            value(&self.budget, i),
            self.text(const { slot("qualification.budget_currency") }, i),
            "qualification.budget",
        )?;
        lead.qualification.budget_confirmed =
            self.budget_confirmed.as_ref().filter(|a| a.is_valid(i)).map(|a| a.value(i));
        lead.qualification.buying_role =
            parse(self.text(const { slot("qualification.buying_role") }, i), "qualification.buying_role")?;
        lead.qualification.need = own(const { slot("qualification.need") });
        lead.qualification.timeline =
            parse(self.text(const { slot("qualification.timeline") }, i), "qualification.timeline")?;
        lead.qualification.purchase_date = match value(&self.purchase_date, i) {
            Some(days) => Some(
                days.checked_add(EPOCH_DAYS)
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                    .ok_or("qualification.purchase_date: out of range")?,
            ),
            None => None,
        };
        if let Some(list) = self.pain_points.as_ref().filter(|l| l.is_valid(i)) {
            let items = list.value(i);
            let items = items.as_string::<i32>();
            lead.qualification.pain_points = items.iter().flatten().map(leadgate::Text::from).collect();
        }
        if let Some((list, at, texts)) = self.touchpoints.as_ref().filter(|(l, ..)| l.is_valid(i)) {
            let range = list.value_offsets()[i] as usize..list.value_offsets()[i + 1] as usize;
            lead.touchpoints.reserve(range.len());
            // A lead's touches mostly share a campaign, often the lead's
            // own: they share its text too, instead of a copy each.
            let mut campaign = lead.campaign.clone();
            for (n, t) in range.enumerate() {
                let field = |name: &str| format!("touchpoints[{n}].{name}");
                if at.is_null(t) {
                    return Err(format!("{}: missing", field("at")));
                }
                let when = micros(at.value(t)).ok_or_else(|| format!("{}: out of range", field("at")))?;
                let text = |k: usize| texts[k].is_valid(t).then(|| texts[k].value(t));
                let channel = text(0).ok_or_else(|| format!("{}: missing", field("channel")))?;
                let channel = channel.parse::<Channel>().map_err(|e| format!("{}: {e}", field("channel")))?;
                let mut touch = Touchpoint::new(when, channel);
                if let Some(team) = text(1) {
                    touch = touch.with_team(team.parse().map_err(|e| format!("{}: {e}", field("team")))?);
                }
                if let Some(name) = text(2) {
                    let shared = match campaign.take() {
                        Some(last) if last == name => last,
                        _ => leadgate::Text::from(name),
                    };
                    touch.campaign = Some(shared.clone());
                    campaign = Some(shared);
                }
                lead.touchpoints.push(touch);
            }
        }
        Ok(lead)
    }
}

fn value<T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    array: &Option<datafusion::arrow::array::PrimitiveArray<T>>,
    i: usize,
) -> Option<T::Native> {
    array.as_ref().filter(|a| a.is_valid(i)).map(|a| a.value(i))
}

/// A time in microseconds as the years 0000 to 9999 leads may hold.
fn micros(us: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us).filter(|t| (0..=9999).contains(&t.year()))
}

fn parse<T: std::str::FromStr<Err = leadgate::ValueError>>(
    text: Option<&str>,
    field: &str,
) -> Result<Option<T>, String> {
    text.map(|t| t.parse::<T>().map_err(|e| format!("{field}: {e}"))).transpose()
}

fn money(amount: Option<f64>, currency: Option<&str>, field: &str) -> Result<Option<Money>, String> {
    let Some(amount) = amount else { return Ok(None) };
    let currency = currency.ok_or_else(|| format!("{field}_currency: missing for {field} {amount}"))?;
    let currency = currency.parse().map_err(|e| format!("{field}_currency: {e}"))?;
    Money::new(amount, currency).map(Some).map_err(|e| format!("{field}: {e}"))
}

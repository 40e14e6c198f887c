//! The SQL functions: `qualify`, `qualify_json`, `explain`, `explain_json`,
//! each deciding with the pack a row names from a [`Registry`].

use std::collections::BTreeMap;
use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, ListArray, StringArray, StringBuilder, StructArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use leadgate::{Decision, Lead, Qualifier};

use crate::arrow_lead::Leads;
use crate::schema::{CONTRIBUTION, CRITERION, DECISION};

/// Compiled packs by name (a tenant's, or a pack's), and the one used when
/// a row names none: what the SQL functions decide with.
///
/// ```
/// use leadgate::{Pack, Qualifier};
/// use leadgate_datafusion::Registry;
/// let registry = Registry::new(Qualifier::new(&Pack::b2b_bant())?)
///     .with("acme", Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 70).build()?)
///     .with("meddic", Qualifier::new(&Pack::meddic())?);
/// assert_eq!(registry.names().collect::<Vec<_>>(), ["acme", "meddic"]);
/// # Ok::<(), leadgate::PackError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Registry {
    default: Arc<Qualifier>,
    packs: BTreeMap<String, Arc<Qualifier>>,
}

impl Registry {
    /// A registry whose rows without a pack are decided by `default`.
    pub fn new(default: Qualifier) -> Registry {
        Registry { default: Arc::new(default), packs: BTreeMap::new() }
    }

    /// Adds (or replaces) the pack rows name `name`.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, qualifier: Qualifier) -> Registry {
        self.packs.insert(name.into(), Arc::new(qualifier));
        self
    }

    /// Every pack in the folder `dir`, each under its folder's name (a
    /// folder of `dir` holding a `pack.toml`); rows that name none use the
    /// one named `default`, else the shipped b2b-bant pack. What an executor
    /// of a cluster loads, so that every machine decides with the same packs.
    ///
    /// ```
    /// // The repository's `packs/` holds b2b-bant and meddic.
    /// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packs");
    /// let registry = leadgate_datafusion::Registry::from_dir(&dir)?;
    /// assert_eq!(registry.names().collect::<Vec<_>>(), ["b2b-bant", "meddic"]);
    /// # Ok::<(), datafusion::common::DataFusionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `dir` cannot be listed, or a pack in it cannot be loaded or
    /// compiled; the error names the pack's folder.
    pub fn from_dir(dir: &std::path::Path) -> Result<Registry> {
        let failed = |path: &std::path::Path, e: &dyn std::fmt::Display| {
            DataFusionError::Execution(format!("{}: {e}", path.display()))
        };
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| failed(dir, &e))? {
            let path = entry.map_err(|e| failed(dir, &e))?.path();
            if path.join("pack.toml").is_file() {
                folders.push(path);
            }
        }
        folders.sort();
        let mut default = None;
        let mut packs = BTreeMap::new();
        for path in folders {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let pack = leadgate::Pack::load(&path).map_err(|e| failed(&path, &e))?;
            let qualifier = Arc::new(Qualifier::new(&pack).map_err(|e| failed(&path, &e))?);
            if name == "default" {
                default = Some(qualifier.clone());
            }
            packs.insert(name, qualifier);
        }
        let default = match default {
            Some(default) => default,
            None => Arc::new(Qualifier::new(&leadgate::Pack::b2b_bant()).map_err(|e| failed(dir, &e))?),
        };
        Ok(Registry { default, packs })
    }

    /// The names rows may give, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.packs.keys().map(String::as_str)
    }

    fn get(&self, name: Option<&str>) -> Result<&Qualifier, String> {
        match name {
            None => Ok(&self.default),
            Some(name) => self.packs.get(name).map(|q| &**q).ok_or_else(|| {
                let known: Vec<&str> = self.names().collect();
                format!("unknown pack {name:?}; the registry has {}", known.join(", "))
            }),
        }
    }
}

/// Registers `qualify`, `qualify_json`, `explain` and `explain_json` in
/// `ctx`, deciding with `registry`.
///
/// - `qualify(lead, as_of [, pack])`: `lead` a struct of
///   [`lead_type`](crate::lead_type), `as_of` a timestamp (never the
///   clock), `pack` a name in the registry (the default when absent or
///   null). Returns a struct of [`decision_type`](crate::decision_type).
/// - `qualify_json(json, as_of [, pack])`: the same from the lead's JSON text.
/// - `explain(lead, as_of [, pack])`, `explain_json(json, as_of [, pack])`:
///   every contribution, as [`explanation_type`](crate::explanation_type).
///
/// A lead that cannot be read or decided gives a decision whose only
/// non-null field is `error` (and a null explanation); the query goes on.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> datafusion::common::Result<()> {
/// use datafusion::prelude::SessionContext;
/// use leadgate::{Pack, Qualifier};
///
/// let ctx = SessionContext::new();
/// let registry = leadgate_datafusion::Registry::new(Qualifier::new(&Pack::b2b_bant()).unwrap());
/// leadgate_datafusion::register(&ctx, registry);
/// let batches = ctx.sql(r#"
///     SELECT qualify_json('{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///                           "company": {"industry": "software", "employees": 300}}',
///                         TIMESTAMP '2026-11-23T00:00:00Z')['score'] AS score
/// "#).await?.collect().await?;
/// let score = batches[0].column(0).as_any().downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap();
/// assert_eq!(score.value(0), 30);
/// # Ok(()) }
/// ```
pub fn register(ctx: &SessionContext, registry: Registry) {
    for function in functions(registry) {
        ctx.register_udf(function);
    }
}

/// The four functions [`register`] adds, for a session built another way
/// (a `SessionStateBuilder`, a Ballista scheduler or executor).
///
/// ```
/// use leadgate::{Pack, Qualifier};
/// let registry = leadgate_datafusion::Registry::new(Qualifier::new(&Pack::b2b_bant())?);
/// let names: Vec<String> =
///     leadgate_datafusion::functions(registry).iter().map(|f| f.name().to_owned()).collect();
/// assert_eq!(names, ["qualify", "qualify_json", "explain", "explain_json"]);
/// # Ok::<(), leadgate::PackError>(())
/// ```
pub fn functions(registry: Registry) -> Vec<ScalarUDF> {
    let registry = Arc::new(registry);
    [
        ("qualify", Input::Struct, Output::Decision),
        ("qualify_json", Input::Json, Output::Decision),
        ("explain", Input::Struct, Output::Explanation),
        ("explain_json", Input::Json, Output::Explanation),
    ]
    .into_iter()
    .map(|(name, input, output)| {
        ScalarUDF::from(Function {
            name,
            input,
            output,
            registry: registry.clone(),
            signature: Signature::variadic_any(Volatility::Immutable),
        })
    })
    .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Input {
    Struct,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Output {
    Decision,
    Explanation,
}

#[derive(Debug)]
struct Function {
    name: &'static str,
    input: Input,
    output: Output,
    registry: Arc<Registry>,
    signature: Signature,
}

// Two functions are the same when they decide alike: same kind, same registry.
impl PartialEq for Function {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.registry, &other.registry)
    }
}

impl Eq for Function {}

impl Hash for Function {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        Arc::as_ptr(&self.registry).hash(state);
    }
}

impl ScalarUDFImpl for Function {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        let usage = match self.input {
            Input::Struct => "(lead struct, as_of timestamp [, pack text])",
            Input::Json => "(lead json text, as_of timestamp [, pack text])",
        };
        if !(2..=3).contains(&args.len()) {
            return plan_err!("{} takes {usage}, got {} arguments", self.name, args.len());
        }
        let lead_fits = match self.input {
            Input::Struct => matches!(args[0], DataType::Struct(_) | DataType::Null),
            Input::Json => is_text(&args[0]),
        };
        let time_fits = matches!(args[1], DataType::Timestamp(..) | DataType::Date32 | DataType::Null)
            || is_text(&args[1]);
        let pack_fits = args.get(2).is_none_or(is_text);
        if !(lead_fits && time_fits && pack_fits) {
            return plan_err!("{} takes {usage}, got ({})", self.name, join(args));
        }
        Ok(match self.output {
            Output::Decision => crate::decision_type(),
            Output::Explanation => crate::explanation_type(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<ArrayRef>>>()?;
        let as_of = cast(&arrays[1], &DataType::Timestamp(TimeUnit::Microsecond, None))?;
        let as_of = as_of.as_primitive::<TimestampMicrosecondType>();
        let packs = arrays.get(2).map(|p| cast(p, &DataType::Utf8)).transpose()?;
        let packs = packs.as_ref().map(|p| p.as_string::<i32>());
        let structs = match self.input {
            Input::Struct if arrays[0].data_type() == &DataType::Null => None,
            Input::Struct => Some(Leads::new(&arrays[0]).map_err(DataFusionError::Execution)?),
            Input::Json => None,
        };
        let json = match self.input {
            Input::Json => Some(cast(&arrays[0], &DataType::Utf8)?),
            Input::Struct => None,
        };
        let json = json.as_ref().map(|j| j.as_string::<i32>());
        let decide = |i: usize| -> std::result::Result<Decision, String> {
            let lead = match (&structs, json) {
                (Some(leads), _) if leads.is_null(i) => return Err("the lead is null".into()),
                (Some(leads), _) => leads.lead(i).map_err(|e| format!("lead: {e}"))?,
                (None, Some(json)) if json.is_valid(i) => {
                    Lead::from_json(json.value(i)).map_err(|e| e.to_string())?
                }
                _ => return Err("the lead is null".into()),
            };
            let as_of = time(as_of, i)
                .ok_or_else(|| format!("lead {:?}: as_of is null or out of range", lead.id.as_str()))?;
            let pack = packs.and_then(|p| p.is_valid(i).then(|| p.value(i)));
            let qualifier = self.registry.get(pack)?;
            qualifier.evaluate(&lead, as_of).map_err(|e| e.to_string())
        };
        let results: Vec<std::result::Result<Decision, String>> = (0..rows).map(decide).collect();
        let array: ArrayRef = match self.output {
            Output::Decision => Arc::new(decisions(&results)?),
            Output::Explanation => Arc::new(explanations(&results)?),
        };
        if rows == 1 && args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) {
            return Ok(ColumnarValue::Scalar(datafusion::scalar::ScalarValue::try_from_array(&array, 0)?));
        }
        Ok(ColumnarValue::Array(array))
    }
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null)
        || matches!(t, DataType::Dictionary(_, v) if is_text(v))
}

fn join(types: &[DataType]) -> String {
    types.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn time(array: &TimestampMicrosecondArray, i: usize) -> Option<DateTime<Utc>> {
    array.is_valid(i).then(|| DateTime::from_timestamp_micros(array.value(i))).flatten()
}

/// The decision struct of each row: a decision, or only its error.
fn decisions(results: &[std::result::Result<Decision, String>]) -> Result<StructArray> {
    let ok = |f: &dyn Fn(&Decision) -> Option<i64>| -> ArrayRef {
        Arc::new(results.iter().map(|r| r.as_ref().ok().and_then(f)).collect::<Int64Array>())
    };
    // Texts are borrowed from the decision, never copied into a `String`
    // of their own: this runs for every row.
    let text = |f: &dyn Fn(&Decision) -> Option<&str>| -> ArrayRef {
        Arc::new(results.iter().map(|r| r.as_ref().ok().and_then(f)).collect::<StringArray>())
    };
    let mut packs = StringBuilder::with_capacity(results.len(), results.len() * 16);
    for r in results {
        match r {
            Ok(d) => {
                write!(packs, "{} {}", d.pack.name, d.pack.version)
                    .map_err(|e| DataFusionError::External(e.into()))?;
                packs.append_value("");
            }
            Err(_) => packs.append_null(),
        }
    }
    let decided: Vec<&Decision> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let names: StringArray = decided.iter().flat_map(|d| d.criteria.iter().map(|(n, _)| Some(n))).collect();
    let statuses: StringArray =
        decided.iter().flat_map(|d| d.criteria.iter().map(|(_, c)| Some(c.status.as_str()))).collect();
    let items = StructArray::try_new(CRITERION.clone(), vec![Arc::new(names), Arc::new(statuses)], None)?;
    let lengths = results.iter().map(|r| r.as_ref().map_or(0, |d| d.criteria.iter().count()));
    let valid = NullBuffer::from(results.iter().map(Result::is_ok).collect::<Vec<bool>>());
    let DataType::List(item) = DECISION[11].data_type() else { return exec_err!("the decision type") };
    let criteria =
        ListArray::try_new(item.clone(), OffsetBuffer::from_lengths(lengths), Arc::new(items), Some(valid))?;
    let columns: Vec<ArrayRef> = vec![
        ok(&|d| Some(d.score)),
        ok(&|d| Some(d.fit)),
        ok(&|d| Some(d.engagement)),
        ok(&|d| Some(d.negative)),
        text(&|d| d.grade.map(|g| g.as_str())),
        text(&|d| d.temperature.map(|t| t.as_str())),
        text(&|d| Some(d.lead_stage.as_str())),
        text(&|d| Some(d.stage.as_str())),
        text(&|d| d.handoff.as_ref().map(|h| h.stage.as_str())),
        text(&|d| d.handoff.as_ref().map(|h| h.reason.as_str())),
        text(&|d| d.disqualified.as_ref().map(|q| q.reason.as_str())),
        Arc::new(criteria),
        Arc::new(packs.finish()),
        text(&|d| Some(d.pack.hash.as_str())),
        Arc::new(results.iter().map(|r| r.as_ref().err().map(String::as_str)).collect::<StringArray>()),
    ];
    Ok(StructArray::try_new(DECISION.clone(), columns, None)?)
}

/// Each row's contributions; null where the lead could not be decided.
fn explanations(results: &[std::result::Result<Decision, String>]) -> Result<ListArray> {
    let all: Vec<&leadgate::decision::Contribution> =
        results.iter().filter_map(|r| r.as_ref().ok()).flat_map(|d| &d.contributions).collect();
    let items = StructArray::try_new(
        CONTRIBUTION.clone(),
        vec![
            Arc::new(all.iter().map(|c| c.points).collect::<Int64Array>()),
            Arc::new(all.iter().map(|c| Some(c.category.as_str())).collect::<StringArray>()),
            Arc::new(all.iter().map(|c| Some(c.rule.as_str())).collect::<StringArray>()),
            Arc::new(all.iter().map(|c| c.row.map(i64::from)).collect::<Int64Array>()),
            Arc::new(all.iter().map(|c| Some(c.reason.as_str())).collect::<StringArray>()),
        ],
        None,
    )?;
    let lengths = results.iter().map(|r| r.as_ref().map_or(0, |d| d.contributions.len()));
    let valid = NullBuffer::from(results.iter().map(Result::is_ok).collect::<Vec<bool>>());
    let DataType::List(item) = crate::explanation_type() else { return exec_err!("the explanation type") };
    Ok(ListArray::try_new(item, OffsetBuffer::from_lengths(lengths), Arc::new(items), Some(valid))?)
}

/// The lead fields a leads table may have as columns, in the lead's order.
const LEAD_COLUMNS: [&str; 11] = [
    "id",
    "created_at",
    "account_id",
    "source",
    "campaign",
    "stage",
    "person",
    "company",
    "qualification",
    "stage_history",
    "attributes",
];

/// A leads table and a touchpoint events table as one table of `id` and
/// `lead` (a struct of [`lead_type`](crate::lead_type)'s fields), ready for
/// `qualify`: the events table in a lake is one query away from decisions.
///
/// `leads` has the lead's top-level fields as columns (`id` and
/// `created_at` at least; `person`, `company` and `qualification` as
/// structs; any that are absent are null). `events` has one touchpoint per
/// row: `lead_id`, `at` and `channel`, and optionally `team` and
/// `campaign`. A lead without events has an empty list; events of no lead
/// are left out.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> datafusion::common::Result<()> {
/// use datafusion::prelude::SessionContext;
/// let ctx = SessionContext::new();
/// ctx.sql("CREATE TABLE leads AS VALUES ('L-1', TIMESTAMP '2026-11-01T00:00:00Z')").await?;
/// ctx.sql("CREATE TABLE leads2 AS SELECT column1 AS id, column2 AS created_at FROM leads").await?;
/// ctx.sql("CREATE TABLE events AS SELECT 'L-1' AS lead_id, TIMESTAMP '2026-11-20T10:00:00Z' AS at, 'webinar' AS channel").await?;
/// let nested = leadgate_datafusion::nest_events(&ctx, "leads2", "events").await?;
/// let batches = nested.collect().await?;
/// assert_eq!(batches[0].num_rows(), 1);
/// # Ok(()) }
/// ```
pub async fn nest_events(
    ctx: &SessionContext,
    leads: &str,
    events: &str,
) -> Result<datafusion::dataframe::DataFrame> {
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let names = |df: datafusion::dataframe::DataFrame| -> Vec<String> {
        df.schema().fields().iter().map(|f| f.name().clone()).collect()
    };
    let (lead_columns, event_columns) = (names(ctx.table(leads).await?), names(ctx.table(events).await?));
    for required in ["id", "created_at"] {
        if !lead_columns.iter().any(|c| c == required) {
            return plan_err!("nest_events: the leads table {leads} has no `{required}` column");
        }
    }
    for required in ["lead_id", "at", "channel"] {
        if !event_columns.iter().any(|c| c == required) {
            return plan_err!("nest_events: the events table {events} has no `{required}` column");
        }
    }
    let touch: Vec<String> = ["at", "channel", "team", "campaign"]
        .iter()
        .filter(|c| event_columns.iter().any(|e| e == *c))
        .map(|c| format!("'{c}', e.{}", quote(c)))
        .collect();
    let mut lead: Vec<String> = LEAD_COLUMNS
        .iter()
        .filter(|c| lead_columns.iter().any(|l| l == *c))
        .map(|c| format!("'{c}', l.{}", quote(c)))
        .collect();
    lead.push("'touchpoints', t.touchpoints".into());
    let sql = format!(
        "SELECT l.\"id\" AS id, named_struct({}) AS lead FROM {} l LEFT JOIN \
         (SELECT e.\"lead_id\" AS lead_id, array_agg(named_struct({}) ORDER BY e.\"at\") AS touchpoints \
          FROM {} e GROUP BY e.\"lead_id\") t ON l.\"id\" = t.lead_id",
        lead.join(", "),
        quote(leads),
        touch.join(", "),
        quote(events)
    );
    ctx.sql(&sql).await
}

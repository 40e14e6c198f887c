//! The Arrow shape of a lead and of a decision, as the SQL functions read
//! and write them.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit};

fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn time(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), nullable)
}

fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, true)))
}

static PERSON: LazyLock<Fields> = LazyLock::new(|| {
    Fields::from(["name", "email", "job_title", "seniority", "department"].map(text).to_vec())
});

static COMPANY: LazyLock<Fields> = LazyLock::new(|| {
    Fields::from(vec![
        text("name"),
        text("domain"),
        text("industry"),
        Field::new("employees", DataType::Int64, true),
        Field::new("revenue", DataType::Float64, true),
        text("revenue_currency"),
        text("country"),
    ])
});

static QUALIFICATION: LazyLock<Fields> = LazyLock::new(|| {
    Fields::from(vec![
        Field::new("budget", DataType::Float64, true),
        text("budget_currency"),
        Field::new("budget_confirmed", DataType::Boolean, true),
        text("buying_role"),
        text("need"),
        Field::new("pain_points", list_of(DataType::Utf8), true),
        text("timeline"),
        Field::new("purchase_date", DataType::Date32, true),
    ])
});

pub(crate) static TOUCHPOINT: LazyLock<Fields> =
    LazyLock::new(|| Fields::from(vec![time("at", false), text("channel"), text("team"), text("campaign")]));

pub(crate) static HISTORY: LazyLock<Fields> =
    LazyLock::new(|| Fields::from(vec![text("stage"), time("at", false), text("reason")]));

pub(crate) static LEAD: LazyLock<Fields> = LazyLock::new(|| {
    Fields::from(vec![
        Field::new("id", DataType::Utf8, false),
        time("created_at", false),
        text("account_id"),
        text("source"),
        text("campaign"),
        text("stage"),
        Field::new("person", DataType::Struct(PERSON.clone()), true),
        Field::new("company", DataType::Struct(COMPANY.clone()), true),
        Field::new("qualification", DataType::Struct(QUALIFICATION.clone()), true),
        Field::new("touchpoints", list_of(DataType::Struct(TOUCHPOINT.clone())), true),
        Field::new("stage_history", list_of(DataType::Struct(HISTORY.clone())), true),
        text("attributes"),
    ])
});

/// The Arrow type of a lead, as `qualify(lead, ...)` reads it and
/// [`leads_to_arrow`](crate::leads_to_arrow) writes it:
///
/// | field | type |
/// |---|---|
/// | `id` | `Utf8`, required |
/// | `created_at` | `Timestamp(µs, UTC)`, required |
/// | `account_id`, `source`, `campaign`, `stage` | `Utf8` |
/// | `person` | struct of `name`, `email`, `job_title`, `seniority`, `department` (`Utf8`) |
/// | `company` | struct of `name`, `domain`, `industry` (`Utf8`), `employees` (`Int64`), `revenue` (`Float64`), `revenue_currency`, `country` (`Utf8`) |
/// | `qualification` | struct of `budget` (`Float64`), `budget_currency` (`Utf8`), `budget_confirmed` (`Boolean`), `buying_role`, `need` (`Utf8`), `pain_points` (`List<Utf8>`), `timeline` (`Utf8`), `purchase_date` (`Date32`) |
/// | `touchpoints` | `List` of structs of `at` (`Timestamp(µs, UTC)`), `channel`, `team`, `campaign` (`Utf8`) |
/// | `stage_history` | `List` of structs of `stage` (`Utf8`), `at` (`Timestamp(µs, UTC)`), `reason` (`Utf8`), checked as the JSON's |
/// | `attributes` | `Utf8`: the custom attributes as one JSON object, at most `leadgate::lead::MAX_LEAD_BYTES` |
///
/// Reading is lenient where Arrow is: any string type (`LargeUtf8`,
/// `Utf8View`, dictionaries), any timestamp unit or zone (the instant is
/// kept), any integer for `employees`; a field or struct that is absent is
/// read as null. Names and values are those of the lead JSON.
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// let DataType::Struct(fields) = leadgate_datafusion::lead_type() else { unreachable!() };
/// assert_eq!(fields[0].name(), "id");
/// assert_eq!(fields.len(), 12);
/// ```
pub fn lead_type() -> DataType {
    DataType::Struct(LEAD.clone())
}

pub(crate) static CRITERION: LazyLock<Fields> =
    LazyLock::new(|| Fields::from(["name", "status"].map(text).to_vec()));

pub(crate) static DECISION: LazyLock<Fields> = LazyLock::new(|| {
    let int = |name: &str| Field::new(name, DataType::Int64, true);
    Fields::from(vec![
        int("score"),
        int("fit"),
        int("engagement"),
        int("negative"),
        text("grade"),
        text("temperature"),
        text("lead_stage"),
        text("stage"),
        text("handoff_stage"),
        text("handoff_reason"),
        text("disqualified"),
        Field::new("criteria", list_of(DataType::Struct(CRITERION.clone())), true),
        text("pack"),
        text("pack_hash"),
        text("error"),
    ])
});

/// The Arrow type `qualify` and `qualify_json` return: a struct of
/// `score`, `fit`, `engagement`, `negative` (`Int64`), `grade`,
/// `temperature`, `lead_stage`, `stage`, `handoff_stage`,
/// `handoff_reason`, `disqualified` (its reason) (`Utf8`), `criteria` (a
/// `List` of structs of `name` and `status`), `pack` (name and version),
/// `pack_hash` and `error` (`Utf8`). A lead that cannot be decided has
/// every field null but `error`; the others have `error` null.
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// let DataType::Struct(fields) = leadgate_datafusion::decision_type() else { unreachable!() };
/// let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
/// assert_eq!(names[..4], ["score", "fit", "engagement", "negative"]);
/// assert_eq!(names.last(), Some(&"error"));
/// ```
pub fn decision_type() -> DataType {
    DataType::Struct(DECISION.clone())
}

pub(crate) static CONTRIBUTION: LazyLock<Fields> = LazyLock::new(|| {
    Fields::from(vec![
        Field::new("points", DataType::Int64, false),
        text("category"),
        text("rule"),
        Field::new("row", DataType::Int64, true),
        text("reason"),
    ])
});

/// The Arrow type `explain` returns: a `List` of structs of `points`
/// (`Int64`), `category`, `rule` (`Utf8`), `row` (`Int64`, the decision
/// table row) and `reason` (`Utf8`), in the order the points were awarded;
/// null for a lead that cannot be decided.
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// assert!(matches!(leadgate_datafusion::explanation_type(), DataType::List(_)));
/// ```
pub fn explanation_type() -> DataType {
    list_of(DataType::Struct(CONTRIBUTION.clone()))
}

//! CRM exports in CSV: a mapping (TOML) says which column fills which lead
//! field, how values translate, and how a second CSV of activities becomes
//! touchpoints. `leadgate mapping check` tries a mapping on an export.
//!
//! The mapping format is documented in `cli/README.md`; the shipped
//! mappings are in `cli/mappings/`.

mod command;
mod export;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Error;

pub use command::{MappingCommand, run};
pub use export::{Activities, CsvLeads};

/// The shipped mappings, by name.
const SHIPPED: [(&str, &str); 2] = [
    ("hubspot-contacts", include_str!("../../mappings/hubspot-contacts.toml")),
    ("salesforce-leads", include_str!("../../mappings/salesforce-leads.toml")),
];

/// How a lead field's text becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Number,
    Bool,
    /// Items separated by `;`.
    List,
    Time,
    Date,
    /// A domain, or the host of a website's URL (`https://www.acme.io/x`
    /// is `acme.io`).
    Domain,
    /// A custom attribute: a number or `true`/`false` when it reads as one,
    /// else text.
    Attribute,
}

/// Every lead field a column can fill.
const FIELDS: [(&str, Kind); 25] = [
    ("id", Kind::Text),
    ("created_at", Kind::Time),
    ("source", Kind::Text),
    ("campaign", Kind::Text),
    ("stage", Kind::Text),
    ("person.name", Kind::Text),
    ("person.email", Kind::Text),
    ("person.job_title", Kind::Text),
    ("person.seniority", Kind::Text),
    ("person.department", Kind::Text),
    ("company.name", Kind::Text),
    ("company.domain", Kind::Domain),
    ("company.industry", Kind::Text),
    ("company.employees", Kind::Integer),
    ("company.country", Kind::Text),
    ("company.annual_revenue.amount", Kind::Number),
    ("company.annual_revenue.currency", Kind::Text),
    ("qualification.budget.amount", Kind::Number),
    ("qualification.budget.currency", Kind::Text),
    ("qualification.budget_confirmed", Kind::Bool),
    ("qualification.buying_role", Kind::Text),
    ("qualification.need", Kind::Text),
    ("qualification.pain_points", Kind::List),
    ("qualification.timeline", Kind::Text),
    ("qualification.purchase_date", Kind::Date),
];

/// The fields of a touchpoint a column can fill, beside `detail.<name>`.
const ACTIVITY_FIELDS: [&str; 5] = ["lead_id", "at", "channel", "team", "campaign"];

/// The mapping file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    name: Option<String>,
    time_zone: Option<String>,
    #[serde(default)]
    time_formats: Vec<String>,
    columns: BTreeMap<String, Columns>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    activities: Option<ActivitiesFile>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Columns {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct ActivitiesFile {
    #[serde(default)]
    channels: BTreeMap<String, String>,
    #[serde(flatten)]
    columns: BTreeMap<String, String>,
}

/// One lead field and the columns that fill it.
#[derive(Debug)]
struct Field {
    target: String,
    kind: Kind,
    columns: Vec<String>,
}

/// A value map: exact first, then ignoring case.
#[derive(Debug, Default)]
struct Values {
    exact: HashMap<String, String>,
    folded: HashMap<String, String>,
}

impl Values {
    fn new(map: BTreeMap<String, String>) -> Values {
        let folded = map.iter().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
        Values { exact: map.into_iter().collect(), folded }
    }

    fn get(&self, value: &str) -> Option<&str> {
        self.exact.get(value).or_else(|| self.folded.get(&value.to_lowercase())).map(String::as_str)
    }
}

/// A loaded, checked mapping.
#[derive(Debug)]
pub struct Mapping {
    name: String,
    zone: Option<chrono_tz::Tz>,
    time_formats: Vec<String>,
    fields: Vec<Field>,
    defaults: Vec<(String, Kind, String)>,
    values: HashMap<String, Values>,
    activities: Option<ActivityMapping>,
}

#[derive(Debug)]
struct ActivityMapping {
    lead_id: String,
    at: String,
    channel: String,
    team: Option<String>,
    campaign: Option<String>,
    detail: Vec<(String, String)>,
    channels: Values,
}

fn kind_of(target: &str) -> Option<Kind> {
    if target.strip_prefix("attributes.").is_some_and(|name| !name.is_empty()) {
        return Some(Kind::Attribute);
    }
    FIELDS.iter().find(|(name, _)| *name == target).map(|&(_, kind)| kind)
}

/// ` (did you mean "x"?)` when a known name is close.
fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) || k.starts_with(name))
        .min()
        .map_or(String::new(), |(_, k)| format!(" (did you mean {k:?}?)"))
}

impl Mapping {
    /// A mapping file, or a shipped mapping by name.
    pub fn load(name: &str) -> Result<Mapping, Error> {
        let path = Path::new(name);
        let text = if path.exists() {
            std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{name}: {e}")))?
        } else if let Some((_, text)) = SHIPPED.iter().find(|(n, _)| *n == name) {
            (*text).to_owned()
        } else {
            return Err(Error::Usage(format!(
                "no mapping file {name:?}, and no shipped mapping of that name ({}){}",
                SHIPPED.map(|(n, _)| n).join(", "),
                suggest(name, SHIPPED.map(|(n, _)| n))
            )));
        };
        Mapping::parse(&text).map_err(|e| Error::Usage(format!("{name}: {e}")))
    }

    /// Parses and checks a mapping: every target is a lead field, every
    /// time zone and channel exists.
    fn parse(text: &str) -> Result<Mapping, String> {
        let file: MappingFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut problems = Vec::new();
        let zone = match &file.time_zone {
            Some(z) => match z.parse::<chrono_tz::Tz>() {
                Ok(tz) => Some(tz),
                Err(_) => {
                    problems.push(format!("time_zone: unknown IANA time zone {z:?}"));
                    None
                }
            },
            None => None,
        };
        let known = || FIELDS.iter().map(|(n, _)| *n);
        let mut fields = Vec::new();
        for (target, columns) in file.columns {
            let columns = match columns {
                Columns::One(c) => vec![c],
                Columns::Many(cs) => cs,
            };
            match kind_of(&target) {
                Some(kind) if !columns.is_empty() => fields.push(Field { target, kind, columns }),
                Some(_) => problems.push(format!("columns.{target}: names no column")),
                None => problems.push(format!(
                    "columns: {target:?} is not a lead field{}; custom attributes are attributes.<name>",
                    suggest(&target, known())
                )),
            }
        }
        // The id first, so that every later error can name the lead.
        fields.sort_by_key(|f| f.target != "id");
        for required in ["id", "created_at"] {
            if !fields.iter().any(|f| f.target == required) {
                problems.push(format!("columns: no column for {required}, which every lead needs"));
            }
        }
        let mut defaults = Vec::new();
        for (target, value) in file.defaults {
            match kind_of(&target) {
                Some(kind) => defaults.push((target, kind, value)),
                None => problems
                    .push(format!("defaults: {target:?} is not a lead field{}", suggest(&target, known()))),
            }
        }
        let activities = file.activities.and_then(|a| {
            let mut columns = a.columns;
            for name in columns.keys() {
                if !ACTIVITY_FIELDS.contains(&name.as_str()) && !name.starts_with("detail.") {
                    problems.push(format!(
                        "activities: {name:?} is not a touchpoint field{}; details are detail.<name>",
                        suggest(name, ACTIVITY_FIELDS)
                    ));
                }
            }
            for (value, channel) in &a.channels {
                if !channel.is_empty()
                    && let Err(e) = channel.parse::<leadgate::Channel>()
                {
                    problems.push(format!("activities.channels.{value:?}: {e}"));
                }
            }
            let mut take = |name: &str| columns.remove(name);
            let (lead_id, at, channel) = (take("lead_id"), take("at"), take("channel"));
            let (team, campaign) = (take("team"), take("campaign"));
            let detail = columns
                .into_iter()
                .filter_map(|(k, v)| k.strip_prefix("detail.").map(|name| (name.to_owned(), v)))
                .collect();
            match (lead_id, at, channel) {
                (Some(lead_id), Some(at), Some(channel)) => Some(ActivityMapping {
                    lead_id,
                    at,
                    channel,
                    team,
                    campaign,
                    detail,
                    channels: Values::new(a.channels),
                }),
                _ => {
                    problems.push("activities: lead_id, at and channel each need a column".into());
                    None
                }
            }
        });
        if !problems.is_empty() {
            return Err(problems.join("\n"));
        }
        Ok(Mapping {
            name: file.name.unwrap_or_else(|| "mapping".into()),
            zone,
            time_formats: file.time_formats,
            fields,
            defaults,
            values: file.values.into_iter().map(|(column, map)| (column, Values::new(map))).collect(),
            activities,
        })
    }

    /// A time: RFC 3339, else a date and time without offset in the
    /// mapping's zone (UTC by default), in the usual or the mapping's formats.
    fn time(&self, text: &str) -> Result<DateTime<Utc>, String> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(t.with_timezone(&Utc));
        }
        let usual = [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d",
        ];
        for f in self.time_formats.iter().filter(|f| f.contains("%z") || f.contains("%:z")) {
            if let Ok(t) = DateTime::parse_from_str(text, f) {
                return Ok(t.with_timezone(&Utc));
            }
        }
        let formats = usual.iter().copied().chain(self.time_formats.iter().map(String::as_str));
        let naive = formats
            .into_iter()
            .find_map(|f| {
                NaiveDateTime::parse_from_str(text, f).ok().or_else(|| {
                    NaiveDate::parse_from_str(text, f).ok().map(|d| d.and_time(chrono::NaiveTime::MIN))
                })
            })
            .ok_or_else(|| format!("expected a date and time, got {text:?}"))?;
        match self.zone {
            None => Ok(naive.and_utc()),
            Some(tz) => tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("{text:?} does not exist in {tz} (the clocks skip it)")),
        }
    }

    fn date(&self, text: &str) -> Result<String, String> {
        self.time(text).map(|t| t.date_naive().to_string())
    }

    /// The JSON value of `text` for a field of `kind`.
    fn convert(&self, kind: Kind, text: &str) -> Result<Value, String> {
        let number = |t: &str| t.replace([',', ' '], "");
        Ok(match kind {
            Kind::Text => Value::from(text),
            Kind::Integer => {
                let t = number(text);
                match (t.parse::<u64>(), t.parse::<f64>()) {
                    (Ok(n), _) => Value::from(n),
                    (_, Ok(f)) if f.fract() == 0.0 && (0.0..9.0e15).contains(&f) => Value::from(f as u64),
                    _ => return Err(format!("expected a whole number, got {text:?}")),
                }
            }
            Kind::Number => match number(text).parse::<f64>() {
                Ok(f) if f.is_finite() => Value::from(f),
                _ => return Err(format!("expected a number, got {text:?}")),
            },
            Kind::Bool => match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => Value::Bool(true),
                "false" | "no" | "n" | "0" => Value::Bool(false),
                _ => return Err(format!("expected true or false, got {text:?}")),
            },
            Kind::List => text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(Value::from).collect(),
            Kind::Time => Value::from(self.time(text)?.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            Kind::Date => Value::from(self.date(text)?),
            Kind::Domain => Value::from(domain(text)),
            Kind::Attribute => {
                if let Ok(n) = text.parse::<i64>() {
                    Value::from(n)
                } else if let Some(f) = text.parse::<f64>().ok().filter(|f| f.is_finite()) {
                    Value::from(f)
                } else if let Ok(b) = text.parse::<bool>() {
                    Value::Bool(b)
                } else {
                    Value::from(text)
                }
            }
        })
    }

    /// A column's cell after its value map (`None` when empty or mapped to "").
    fn cell<'a>(&'a self, column: &str, text: &'a str) -> Option<&'a str> {
        let text = text.trim();
        let text = self.values.get(column).and_then(|v| v.get(text)).unwrap_or(text);
        (!text.is_empty()).then_some(text)
    }
}

/// The host of a URL or a domain, lower case, without `www.`.
fn domain(text: &str) -> String {
    let host = text.split_once("://").map_or(text, |(_, rest)| rest);
    let host = host.split(['/', '?', '#']).next().unwrap_or(host);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or(host).to_lowercase();
    host.strip_prefix("www.").map(str::to_owned).unwrap_or(host)
}

/// Sets `path` (dotted) in a JSON object, creating the objects on the way;
/// `attributes.<name>` keeps the name whole.
fn set(object: &mut Map<String, Value>, path: &str, value: Value) {
    let (head, rest) = match path.split_once('.') {
        Some(("attributes", name)) => {
            let attributes = object.entry("attributes").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(attributes) = attributes {
                attributes.insert(name.to_owned(), value);
            }
            return;
        }
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    match rest {
        None => {
            object.insert(head.to_owned(), value);
        }
        Some(rest) => {
            let child = object.entry(head).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(child) = child {
                set(child, rest, value);
            }
        }
    }
}

fn has(object: &Map<String, Value>, path: &str) -> bool {
    match path.split_once('.') {
        Some(("attributes", name)) => object.get("attributes").and_then(|a| a.get(name)).is_some(),
        Some((head, rest)) => object.get(head).and_then(Value::as_object).is_some_and(|o| has(o, rest)),
        None => object.contains_key(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const MINIMAL: &str = r#"
        [columns]
        id = "Id"
        created_at = "Created"
        "company.employees" = "Employees"
        "person.name" = ["First", "Last"]
        stage = "Status"
        "attributes.score" = "Score"
        [values.Status]
        "Open" = "lead"
        "Junk" = ""
    "#;

    #[test]
    fn mapping_errors_are_all_reported_with_suggestions() {
        let e = Mapping::parse(
            "time_zone = \"Mars/Olympus\"\n[columns]\nid = \"Id\"\n\"company.industy\" = \"Industry\"\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "time_zone: unknown IANA time zone \"Mars/Olympus\"\n\
             columns: \"company.industy\" is not a lead field (did you mean \"company.industry\"?); \
             custom attributes are attributes.<name>\n\
             columns: no column for created_at, which every lead needs"
        );
    }

    #[test]
    fn times_without_offset_are_read_in_the_mapping_zone() {
        let m = Mapping::parse(&format!(
            "time_zone = \"America/New_York\"\ntime_formats = [\"%m/%d/%Y %H:%M\"]\n{MINIMAL}"
        ))
        .unwrap();
        assert_eq!(m.time("11/23/2026 09:00").unwrap().to_rfc3339(), "2026-11-23T14:00:00+00:00");
        assert_eq!(m.time("2026-07-01").unwrap().to_rfc3339(), "2026-07-01T04:00:00+00:00");
        assert_eq!(m.time("2026-11-23T09:00:00Z").unwrap().to_rfc3339(), "2026-11-23T09:00:00+00:00");
        assert!(m.time("2026-03-08 02:30").unwrap_err().contains("skip"));
    }

    #[test]
    fn the_shipped_mappings_load() {
        for (name, _) in SHIPPED {
            Mapping::load(name).unwrap();
        }
    }

    #[test]
    fn websites_become_domains() {
        for (url, host) in [
            ("https://www.Acme.io/pricing?x=1", "acme.io"),
            ("www.fjordlytics.se", "fjordlytics.se"),
            ("acme.io", "acme.io"),
            ("http://user@shop.example.com:8080/", "shop.example.com"),
        ] {
            assert_eq!(domain(url), host);
        }
    }
}

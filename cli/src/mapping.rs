//! CRM exports in CSV: a mapping (TOML) says which column fills which lead
//! field, how values translate, and how a second CSV of activities becomes
//! touchpoints. `leadgate mapping check` tries a mapping on an export.
//!
//! The mapping format is documented in `cli/README.md`; the shipped
//! mappings are in `cli/mappings/`.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Args, Subcommand};
use leadgate::Lead;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::input::{Failed, Item};
use crate::style::Style;
use crate::{Error, Outcome};

/// The shipped mappings, by name.
const SHIPPED: [(&str, &str); 2] = [
    ("hubspot-contacts", include_str!("../mappings/hubspot-contacts.toml")),
    ("salesforce-leads", include_str!("../mappings/salesforce-leads.toml")),
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

/// How many lines the `csv` crate under-counts after the header: it counts
/// a CRLF header as not ending its line (a constant offset of one).
fn line_skew<R: std::io::Read>(csv: &csv::Reader<R>) -> u64 {
    2u64.saturating_sub(csv.position().line())
}

/// Where `column` is in a CSV header: the exact name first, then ignoring
/// case (some exporters capitalise every header).
fn position(header: &csv::StringRecord, column: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim() == column)
        .or_else(|| header.iter().position(|h| h.trim().eq_ignore_ascii_case(column)))
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

/// Where each mapped column is in a CSV's header.
struct Header {
    /// For each field, the positions of its columns that the CSV has.
    positions: Vec<Vec<usize>>,
    /// Mapped columns the CSV does not have, with their field.
    missing: Vec<(String, String)>,
    /// Columns of the CSV that no field reads.
    unmapped: Vec<String>,
}

impl Header {
    fn new(mapping: &Mapping, header: &csv::StringRecord) -> Header {
        let find = |column: &str| position(header, column);
        let mut missing = Vec::new();
        let positions = mapping
            .fields
            .iter()
            .map(|f| {
                f.columns
                    .iter()
                    .filter_map(|c| {
                        let at = find(c);
                        if at.is_none() {
                            missing.push((c.clone(), f.target.clone()));
                        }
                        at
                    })
                    .collect()
            })
            .collect();
        let unmapped = header
            .iter()
            .filter(|h| {
                !mapping.fields.iter().any(|f| f.columns.iter().any(|c| c.eq_ignore_ascii_case(h.trim())))
            })
            .map(str::to_owned)
            .collect();
        Header { positions, missing, unmapped }
    }

    /// Whether the CSV lacks a column every lead needs.
    fn lacks_required(&self) -> Option<&(String, String)> {
        self.missing.iter().find(|(_, target)| target == "id" || target == "created_at")
    }
}

/// Activities read from their CSV, by lead id, and the rows that failed.
#[derive(Debug, Default)]
pub struct Activities {
    by_lead: std::cell::RefCell<HashMap<String, Vec<Value>>>,
    pub failed: Vec<(usize, String)>,
    pub rows: usize,
}

impl Activities {
    /// Reads and indexes a whole activities CSV; a bad row is kept in
    /// `failed` with its line, and the others go on.
    pub fn load(mapping: &Mapping, path: &Path) -> Result<Activities, Error> {
        let file = std::fs::File::open(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Activities::read(mapping, std::io::BufReader::new(file))
            .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
    }

    fn read(mapping: &Mapping, reader: impl std::io::Read) -> Result<Activities, String> {
        let map = mapping.activities.as_ref().ok_or("the mapping has no [activities] section")?;
        let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(reader);
        let header = csv.headers().map_err(|e| e.to_string())?.clone();
        let skew = line_skew(&csv);
        let find = |column: &str| position(&header, column);
        let need = |column: &str| find(column).ok_or_else(|| format!("no column {column:?} in the header"));
        let (lead_id, at, channel) = (need(&map.lead_id)?, need(&map.at)?, need(&map.channel)?);
        let team = map.team.as_deref().map(need).transpose()?;
        let campaign = map.campaign.as_deref().map(need).transpose()?;
        let detail: Vec<(&str, usize)> =
            map.detail.iter().filter_map(|(name, column)| Some((name.as_str(), find(column)?))).collect();
        let mut activities = Activities::default();
        let mut by_lead: HashMap<String, Vec<Value>> = HashMap::new();
        for record in csv.records() {
            activities.rows += 1;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| (p.line() + skew) as usize);
                    activities.failed.push((line, e.to_string()));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| (p.line() + skew) as usize);
            let get = |i: usize| record.get(i).map(str::trim).unwrap_or("");
            let touch = (|| -> Result<Option<(&str, Value)>, String> {
                let id = get(lead_id);
                if id.is_empty() {
                    return Err(format!("column {:?} (lead_id) is empty", map.lead_id));
                }
                let kind = get(channel);
                let name = match map.channels.get(kind) {
                    Some("") => return Ok(None), // mapped to "": not a touchpoint
                    Some(name) => name.to_owned(),
                    None => kind.parse::<leadgate::Channel>().map(|c| c.to_string()).map_err(|_| {
                        format!(
                            "column {:?}: no channel for {kind:?}; add it to [activities.channels]",
                            map.channel
                        )
                    })?,
                };
                let when = mapping.time(get(at)).map_err(|e| format!("column {:?} (at): {e}", map.at))?;
                let mut touch = Map::new();
                touch.insert(
                    "at".into(),
                    Value::from(when.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
                );
                touch.insert("channel".into(), Value::from(name));
                if let Some(t) = team.map(get).filter(|t| !t.is_empty()) {
                    let t = t.to_lowercase();
                    t.parse::<leadgate::Team>()
                        .map_err(|e| format!("column {:?} (team): {e}", map.team.as_deref().unwrap_or("")))?;
                    touch.insert("team".into(), Value::from(t));
                }
                if let Some(c) = campaign.map(get).filter(|c| !c.is_empty()) {
                    touch.insert("campaign".into(), Value::from(c));
                }
                let details: Map<String, Value> = detail
                    .iter()
                    .filter(|(_, i)| !get(*i).is_empty())
                    .map(|(name, i)| ((*name).to_owned(), Value::from(get(*i))))
                    .collect();
                if !details.is_empty() {
                    touch.insert("detail".into(), Value::Object(details));
                }
                Ok(Some((id, Value::Object(touch))))
            })();
            match touch {
                // An activity of several leads (HubSpot's "Associated Contact
                // IDs": `1;2`) is a touchpoint of each.
                Ok(Some((ids, touch))) => {
                    for id in ids.split(';').map(str::trim).filter(|id| !id.is_empty()) {
                        by_lead.entry(id.to_owned()).or_default().push(touch.clone());
                    }
                }
                Ok(None) => {}
                Err(e) => activities.failed.push((line, e)),
            }
        }
        activities.by_lead = std::cell::RefCell::new(by_lead);
        Ok(activities)
    }

    /// Takes the touchpoints of a lead (each lead's are handed out once).
    fn take(&self, lead_id: &str) -> Vec<Value> {
        self.by_lead.borrow_mut().remove(lead_id).unwrap_or_default()
    }

    /// Lead ids with activities that no lead took, and how many activities each has.
    fn left_over(&self) -> Vec<(String, usize)> {
        let mut left: Vec<_> = self.by_lead.borrow().iter().map(|(id, v)| (id.clone(), v.len())).collect();
        left.sort();
        left
    }
}

/// Leads read from a CRM export through a mapping, one row at a time.
pub struct CsvLeads<R: BufRead> {
    records: csv::StringRecordsIntoIter<R>,
    skew: u64,
    header: Header,
    mapping: Rc<Mapping>,
    activities: Option<Rc<Activities>>,
}

impl<R: BufRead> CsvLeads<R> {
    pub fn new(
        reader: R,
        mapping: Rc<Mapping>,
        activities: Option<Rc<Activities>>,
    ) -> Result<CsvLeads<R>, Error> {
        let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(reader);
        let header =
            csv.headers().map_err(|e| Error::Usage(format!("the CSV header cannot be read: {e}")))?.clone();
        let header = Header::new(&mapping, &header);
        if let Some((column, target)) = header.lacks_required() {
            return Err(Error::Usage(format!(
                "the CSV has no column {column:?}, which the mapping {:?} reads for {target}",
                mapping.name
            )));
        }
        let skew = line_skew(&csv);
        Ok(CsvLeads { records: csv.into_records(), skew, header, mapping, activities })
    }

    /// Mapped columns the CSV lacks, with the field each would fill.
    pub fn missing(&self) -> &[(String, String)] {
        &self.header.missing
    }

    /// The lead of one row.
    fn lead(&self, record: &csv::StringRecord, line: usize) -> Result<Item, Failed> {
        let m = &*self.mapping;
        let mut object = Map::new();
        let fail = |lead_id: Option<&str>, error: String| Failed {
            line: Some(line),
            lead_id: lead_id.map(str::to_owned),
            error: format!("line {line}: {error}"),
        };
        let (mut id, mut touches) = (None, Vec::new());
        for (field, positions) in m.fields.iter().zip(&self.header.positions) {
            let parts: Vec<&str> = positions
                .iter()
                .zip(&field.columns)
                .filter_map(|(&i, column)| m.cell(column, record.get(i).unwrap_or("")))
                .collect();
            if parts.is_empty() {
                continue;
            }
            let text = parts.join(" ");
            let value = m.convert(field.kind, &text).map_err(|e| {
                fail(
                    id.as_deref(),
                    format!("column {:?} ({}): {e}", field.columns.join("\", \""), field.target),
                )
            })?;
            if field.target == "id" {
                // The id comes first: take the lead's activities even if the
                // row fails, so they are not reported as another lead's.
                if let Some(activities) = &self.activities {
                    touches = activities.take(&text);
                }
                id = Some(text.clone());
            }
            set(&mut object, &field.target, value);
        }
        for (target, kind, value) in &m.defaults {
            // A currency without an amount is no money: only where the row has the amount.
            let orphan = target
                .strip_suffix(".currency")
                .is_some_and(|money| !has(&object, &format!("{money}.amount")));
            if !has(&object, target) && !orphan {
                let value = m
                    .convert(*kind, value)
                    .map_err(|e| fail(id.as_deref(), format!("defaults.{target}: {e}")))?;
                set(&mut object, target, value);
            }
        }
        let Some(id) = id else {
            let column =
                &m.fields.iter().find(|f| f.target == "id").map_or(String::new(), |f| f.columns.join(" "));
            return Err(fail(None, format!("column {column:?} (id) is empty")));
        };
        if !touches.is_empty() {
            object.insert("touchpoints".into(), Value::Array(touches));
        }
        let json = Value::Object(object).to_string();
        match Lead::from_json(&json) {
            Ok(lead) => Ok(Item { line, lead }),
            Err(e) => {
                let column = e.path().and_then(|p| m.fields.iter().find(|f| f.target == p));
                let error = match column {
                    Some(f) => {
                        format!("column {:?} ({}): {}", f.columns.join("\", \""), f.target, e.message())
                    }
                    None => e.to_string(),
                };
                Err(fail(Some(&id), error))
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

impl<R: BufRead> Iterator for CsvLeads<R> {
    type Item = Result<Item, Failed>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.records.next()? {
            Ok(record) => {
                let line = record.position().map_or(0, |p| (p.line() + self.skew) as usize);
                Some(self.lead(&record, line))
            }
            Err(e) => {
                let line = e.position().map(|p| (p.line() + self.skew) as usize);
                let error = match line {
                    Some(l) => format!("line {l}: {e}"),
                    None => e.to_string(),
                };
                Some(Err(Failed { line, lead_id: None, error }))
            }
        }
    }
}

/// CRM export mappings: check one on an export, list and show the shipped ones.
#[derive(Subcommand)]
pub enum MappingCommand {
    Check(CheckArgs),
    /// Lists the shipped mappings.
    List,
    Show(ShowArgs),
}

/// Tries a mapping on a CRM export and reports what does not map.
///
/// Unmapped columns, mapped columns the export lacks, and every row or
/// value that cannot be mapped, by line.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate mapping check --mapping hubspot-contacts contacts.csv
  leadgate mapping check --mapping my-crm.toml leads.csv --activities activities.csv

Exit codes: 0 every row maps; 1 some rows or columns do not; 2 a usage or file error.")]
pub struct CheckArgs {
    /// A mapping file, or a shipped mapping's name.
    #[arg(long, value_name = "MAPPING")]
    mapping: String,
    /// The CRM export (CSV).
    #[arg(value_name = "LEADS.csv")]
    leads: PathBuf,
    /// A CSV of activities.
    #[arg(long, value_name = "FILE")]
    activities: Option<PathBuf>,
}

/// Prints a shipped mapping, to start your own from.
#[derive(Args)]
#[command(after_help = "Example:\n  leadgate mapping show hubspot-contacts > my-crm.toml")]
pub struct ShowArgs {
    /// The shipped mapping's name (`leadgate mapping list`).
    name: String,
}

pub fn run(command: MappingCommand) -> Result<Outcome, Error> {
    match command {
        MappingCommand::Check(args) => check(args),
        MappingCommand::List => {
            for (name, text) in SHIPPED {
                let about = text.lines().next().unwrap_or("").trim_start_matches('#').trim();
                let about = about.strip_prefix("leadgate mapping: ").unwrap_or(about);
                outln!("{name:<18} {about}");
            }
            Ok(Outcome::Success)
        }
        MappingCommand::Show(args) => match SHIPPED.iter().find(|(n, _)| *n == args.name) {
            Some((_, text)) => {
                out!("{text}");
                Ok(Outcome::Success)
            }
            None => Err(Error::Usage(format!(
                "no shipped mapping {:?}{}; `leadgate mapping list` lists them",
                args.name,
                suggest(&args.name, SHIPPED.map(|(n, _)| n))
            ))),
        },
    }
}

fn check(args: CheckArgs) -> Result<Outcome, Error> {
    let mapping = Rc::new(Mapping::load(&args.mapping)?);
    let style = Style::stdout();
    let mut out = std::io::stdout().lock();
    let activities =
        args.activities.as_deref().map(|p| Activities::load(&mapping, p)).transpose()?.map(Rc::new);
    let file =
        std::fs::File::open(&args.leads).map_err(|e| Error::Io(format!("{}: {e}", args.leads.display())))?;
    let mut csv = csv::ReaderBuilder::new().from_reader(file);
    let header = csv.headers().map_err(|e| Error::Usage(format!("{}: {e}", args.leads.display())))?.clone();
    let header = Header::new(&mapping, &header);
    let mut problems = 0usize;
    writeln!(out, "mapping {:?} on {}", mapping.name, args.leads.display())?;
    if !header.unmapped.is_empty() {
        writeln!(out, "columns not mapped (ignored): {}", header.unmapped.join(", "))?;
    }
    problems += header.missing.len();
    for (column, target) in &header.missing {
        writeln!(out, "{} column {column:?} (for {target}) is not in the export", style.yellow("missing:"))?;
    }
    if let Some((column, target)) = header.lacks_required() {
        writeln!(out, "{} every lead needs {target}, from column {column:?}", style.red("error:"))?;
        return Ok(Outcome::Failures);
    }
    let file =
        std::fs::File::open(&args.leads).map_err(|e| Error::Io(format!("{}: {e}", args.leads.display())))?;
    let leads = CsvLeads::new(std::io::BufReader::new(file), mapping.clone(), activities.clone())?;
    let (mut read, mut failed) = (0usize, 0usize);
    for item in leads {
        read += 1;
        if let Err(f) = item {
            failed += 1;
            writeln!(out, "{} {}", style.red("error:"), f.error)?;
        }
    }
    problems += failed;
    writeln!(out, "{read} rows: {} leads, {failed} failed", read - failed)?;
    if let (Some(a), Some(path)) = (&activities, &args.activities) {
        for (line, e) in &a.failed {
            writeln!(out, "{} {}: line {line}: {e}", style.red("error:"), path.display())?;
        }
        problems += a.failed.len();
        let left = a.left_over();
        if !left.is_empty() {
            let ids: Vec<&str> = left.iter().take(10).map(|(id, _)| id.as_str()).collect();
            let more = if left.len() > 10 { format!(" and {} more", left.len() - 10) } else { String::new() };
            writeln!(
                out,
                "{} activities of {} leads not in the export: {}{more}",
                style.yellow("unmatched:"),
                left.len(),
                ids.join(", ")
            )?;
        }
        writeln!(out, "{} activity rows, {} failed", a.rows, a.failed.len())?;
    }
    Ok(if problems == 0 { Outcome::Success } else { Outcome::Failures })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
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

    fn leads(mapping: &str, csv: &str) -> Vec<Result<Item, Failed>> {
        let mapping = Rc::new(Mapping::parse(mapping).unwrap());
        CsvLeads::new(csv.as_bytes(), mapping, None).unwrap().collect()
    }

    #[test]
    fn columns_fill_fields_through_value_maps() {
        let rows = leads(
            MINIMAL,
            "Id,Created,Employees,First,Last,Status,Score\n\
             1,2026-11-01 09:30,\"1,200\",Ada,Lovelace,open,42\n\
             2,2026-11-02,,Alan,,Junk,high\n",
        );
        let one = &rows[0].as_ref().unwrap().lead;
        assert_eq!((one.id.as_str(), one.company.employees), ("1", Some(1200)));
        assert_eq!(one.created_at.to_rfc3339(), "2026-11-01T09:30:00+00:00");
        assert_eq!(one.person.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(one.stage(), leadgate::Stage::Lead);
        assert_eq!(one.attributes.get("score"), Some(&Value::from(42)));
        let two = rows[1].as_ref().unwrap();
        assert_eq!((two.line, two.lead.person.name.as_deref()), (3, Some("Alan")));
        assert_eq!(two.lead.attributes.get("score"), Some(&Value::from("high")));
    }

    #[test]
    fn a_bad_row_names_its_line_and_column_and_the_rest_go_on() {
        let rows = leads(
            MINIMAL,
            "Id,Created,Employees,First,Last,Status,Score\n1,2026-11-01,many,,,,\n2,2026-11-01,,,,Won,\n3,2026-11-01,,,,,\n",
        );
        let e = rows[0].as_ref().err().unwrap();
        assert_eq!(
            e.error,
            "line 2: column \"Employees\" (company.employees): expected a whole number, got \"many\""
        );
        let e = rows[1].as_ref().err().unwrap();
        assert!(
            e.error.starts_with("line 3: column \"Status\" (stage): unknown stage \"Won\""),
            "{}",
            e.error
        );
        assert_eq!(rows[2].as_ref().unwrap().lead.id, "3");
    }

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
    fn activities_become_touchpoints_and_bad_ones_are_kept_by_line() {
        let mapping = format!(
            "{MINIMAL}\n[activities]\nlead_id = \"Who\"\nat = \"When\"\nchannel = \"Type\"\n\"detail.subject\" = \"Subject\"\n\
             [activities.channels]\nEmail = \"email_reply\"\nNote = \"\"\n"
        );
        let m = Rc::new(Mapping::parse(&mapping).unwrap());
        let a = Activities::read(
            &m,
            "Who,When,Type,Subject\n1,2026-11-03 10:00,email,Re: pricing\n1,2026-11-04,Note,x\n1,2026-11-05,webinar,\n\
             1,soon,Email,\n2,2026-11-05,Fax,\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            a.failed,
            [
                (5, "column \"When\" (at): expected a date and time, got \"soon\"".to_owned()),
                (6, "column \"Type\": no channel for \"Fax\"; add it to [activities.channels]".to_owned()),
            ]
        );
        let rows: Vec<_> =
            CsvLeads::new("Id,Created\n1,2026-11-01\n".as_bytes(), m, Some(Rc::new(a))).unwrap().collect();
        let lead = &rows[0].as_ref().unwrap().lead;
        let channels: Vec<String> = lead.touchpoints.iter().map(|t| t.channel.to_string()).collect();
        assert_eq!(channels, ["email_reply", "webinar"]);
        assert_eq!(lead.touchpoints[0].detail.get("subject"), Some(&Value::from("Re: pricing")));
    }

    #[test]
    fn websites_become_domains_and_headers_match_ignoring_case() {
        for (url, host) in [
            ("https://www.Acme.io/pricing?x=1", "acme.io"),
            ("www.fjordlytics.se", "fjordlytics.se"),
            ("acme.io", "acme.io"),
            ("http://user@shop.example.com:8080/", "shop.example.com"),
        ] {
            assert_eq!(domain(url), host);
        }
        let rows = leads(
            "[columns]\nid = \"Id\"\ncreated_at = \"CreatedDate\"\n\"company.domain\" = \"Website\"\n",
            "ID,CREATEDDATE,WEBSITE\n7,2026-11-01,https://www.acme.io\n",
        );
        let lead = &rows[0].as_ref().unwrap().lead;
        assert_eq!((lead.id.as_str(), lead.company.domain.as_deref()), ("7", Some("acme.io")));
    }

    #[test]
    fn an_activity_of_several_leads_touches_each() {
        let m = Rc::new(
            Mapping::parse(&format!(
                "{MINIMAL}\n[activities]\nlead_id = \"Ids\"\nat = \"At\"\nchannel = \"Type\"\n"
            ))
            .unwrap(),
        );
        let a = Activities::read(&m, "Ids,At,Type\n1;2,2026-11-03,webinar\n".as_bytes()).unwrap();
        let a = Rc::new(a);
        let rows: Vec<_> = CsvLeads::new("Id,Created\n1,2026-11-01\n2,2026-11-01\n".as_bytes(), m, Some(a))
            .unwrap()
            .collect();
        for row in rows {
            assert_eq!(row.unwrap().lead.touchpoints.len(), 1);
        }
    }

    #[test]
    fn the_shipped_mappings_load() {
        for (name, _) in SHIPPED {
            Mapping::load(name).unwrap();
        }
    }
}

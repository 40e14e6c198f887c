//! Reading a CRM export through a mapping: the leads CSV one row at a
//! time, the activities CSV indexed by lead id.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;
use std::rc::Rc;

use leadgate::Lead;
use serde_json::{Map, Value};

use super::{Mapping, has, set};
use crate::Error;
use crate::input::{Failed, Item};

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

/// Where each mapped column is in a CSV's header.
pub(super) struct Header {
    /// For each field, the positions of its columns that the CSV has.
    positions: Vec<Vec<usize>>,
    /// Mapped columns the CSV does not have, with their field.
    pub(super) missing: Vec<(String, String)>,
    /// Columns of the CSV that no field reads.
    pub(super) unmapped: Vec<String>,
}

impl Header {
    pub(super) fn new(mapping: &Mapping, header: &csv::StringRecord) -> Header {
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
    pub(super) fn lacks_required(&self) -> Option<&(String, String)> {
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
        let (mut csv, used) = bounded_csv(reader);
        let header = csv.headers().map_err(|e| e.to_string())?.clone();
        used.set(0);
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
            used.set(0);
            activities.rows += 1;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| (p.line() + skew) as usize);
                    activities.failed.push((line, e.to_string()));
                    // Past an I/O error (or an endless record) nothing more can be read.
                    if e.is_io_error() {
                        break;
                    }
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
    pub(super) fn left_over(&self) -> Vec<(String, usize)> {
        let mut left: Vec<_> = self.by_lead.borrow().iter().map(|(id, v)| (id.clone(), v.len())).collect();
        left.sort();
        left
    }
}

/// The most a CSV record may take, as a lead's JSON may
/// (`MAX_LEAD_BYTES`), with room for the csv reader's read-ahead.
const MAX_RECORD_BYTES: usize = leadgate::lead::MAX_LEAD_BYTES + 64 * 1024;

/// A reader that refuses to read more than [`MAX_RECORD_BYTES`] between two
/// records: the csv crate reads a record whole, so one endless record must
/// stop before it takes all the memory. The caller resets `used` after each
/// record.
struct Bounded<R> {
    inner: R,
    used: Rc<std::cell::Cell<usize>>,
}

impl<R: std::io::Read> std::io::Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let used = self.used.get();
        if used > MAX_RECORD_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a record is larger than {MAX_RECORD_BYTES} bytes"),
            ));
        }
        let n = self.inner.read(buf)?;
        self.used.set(used + n);
        Ok(n)
    }
}

/// A csv reader over `reader`, bounded per record; reset the returned
/// counter after each record.
fn bounded_csv<R: std::io::Read>(reader: R) -> (csv::Reader<Bounded<R>>, Rc<std::cell::Cell<usize>>) {
    let used = Rc::new(std::cell::Cell::new(0));
    let reader = Bounded { inner: reader, used: used.clone() };
    (csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(reader), used)
}

/// Leads read from a CRM export through a mapping, one row at a time.
pub struct CsvLeads<R: BufRead> {
    records: csv::StringRecordsIntoIter<Bounded<R>>,
    used: Rc<std::cell::Cell<usize>>,
    /// After an I/O error (or a record over the bound) nothing more is read.
    done: bool,
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
        let (mut csv, used) = bounded_csv(reader);
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
        used.set(0);
        Ok(CsvLeads { records: csv.into_records(), used, done: false, skew, header, mapping, activities })
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

impl<R: BufRead> Iterator for CsvLeads<R> {
    type Item = Result<Item, Failed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let record = self.records.next()?;
        self.used.set(0);
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| (p.line() + self.skew) as usize);
                Some(self.lead(&record, line))
            }
            Err(e) => {
                self.done = e.is_io_error();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::tests::MINIMAL;

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
        let rows = leads(
            "[columns]\nid = \"Id\"\ncreated_at = \"CreatedDate\"\n\"company.domain\" = \"Website\"\n",
            "ID,CREATEDDATE,WEBSITE\n7,2026-11-01,https://www.acme.io\n",
        );
        let lead = &rows[0].as_ref().unwrap().lead;
        assert_eq!((lead.id.as_str(), lead.company.domain.as_deref()), ("7", Some("acme.io")));
    }

    #[test]
    fn an_endless_record_is_an_error_and_reading_stops() {
        let mapping = Rc::new(Mapping::parse(MINIMAL).unwrap());
        let huge = "x".repeat(3 * MAX_RECORD_BYTES);
        let csv = format!("Id,Created\n1,2026-11-01\n\"{huge}\n");
        let rows: Vec<_> = CsvLeads::new(csv.as_bytes(), mapping, None).unwrap().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].as_ref().unwrap().lead.id, "1");
        let e = rows[1].as_ref().err().unwrap();
        assert!(
            e.error.contains(&format!("a record is larger than {MAX_RECORD_BYTES} bytes")),
            "{}",
            e.error
        );
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
}

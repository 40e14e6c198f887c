//! Reading leads from JSON: one lead, NDJSON or a JSON array, with errors
//! that name the line, the lead and the field.
//!
//! Both readers (from a string and from a stream) live here because they share
//! the line counting, the array handling and the error building; with its unit
//! tests the file is about 600 lines.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::{Lead, Text};

/// A lead that could not be read: where, which lead, which field, and why.
///
/// ```
/// use leadgate::Lead;
///
/// let json = r#"{"id": "L-7", "created_at": "2026-11-01T00:00:00Z",
///                "touchpoints": [{"at": "yesterday", "channel": "web_visit"}]}"#;
/// let err = Lead::from_json(json).unwrap_err();
/// assert_eq!(err.lead_id(), Some("L-7"));
/// assert_eq!(err.path(), Some("touchpoints[0].at"));
/// assert!(err.to_string().starts_with(
///     "lead \"L-7\": touchpoints[0].at: invalid RFC 3339 time \"yesterday\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct InputError {
    line: Option<usize>,
    lead_id: Option<Text>,
    path: Option<String>,
    message: String,
    kind: Kind,
}

/// What kind of [`InputError`].
///
/// ```
/// use leadgate::Lead;
/// use leadgate::lead::InputErrorKind;
/// assert_eq!(Lead::from_json("{nope").unwrap_err().kind(), InputErrorKind::Syntax);
/// let bad_time = r#"{"id": "a", "created_at": "soon"}"#;
/// assert_eq!(Lead::from_json(bad_time).unwrap_err().kind(), InputErrorKind::Data);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// Not valid JSON.
    Syntax,
    /// Valid JSON that is not a valid lead (a field of the wrong type, a bad
    /// time, a stage history the table refuses...).
    Data,
    /// The input could not be read (or is not UTF-8).
    Io,
    /// Over [`MAX_LEAD_BYTES`] or [`MAX_ARRAY_BYTES`].
    TooLarge,
    /// An earlier lead of the batch has the same id.
    Duplicate,
}

use InputErrorKind as Kind;

/// The largest single lead read, in bytes of JSON (1 MiB). A larger one is
/// refused with an [`InputError`] and reading goes on with the next.
///
/// ```
/// use leadgate::lead::MAX_LEAD_BYTES;
/// assert_eq!(MAX_LEAD_BYTES, 1_048_576);
/// let err = leadgate::Lead::from_json(&" ".repeat(MAX_LEAD_BYTES + 1)).unwrap_err();
/// assert_eq!(err.to_string(), "1048577 bytes of JSON, over the limit of 1048576");
/// ```
pub const MAX_LEAD_BYTES: usize = 1 << 20;

/// The largest JSON array [`read_leads_from`] reads (256 MiB): an array is
/// read whole, so larger inputs should be NDJSON, which is streamed.
///
/// ```
/// use leadgate::lead::{MAX_ARRAY_BYTES, MAX_LEAD_BYTES};
/// assert_eq!(MAX_ARRAY_BYTES, 268_435_456);
/// assert_eq!(MAX_ARRAY_BYTES / MAX_LEAD_BYTES, 256);
/// ```
pub const MAX_ARRAY_BYTES: usize = 256 << 20;

impl InputError {
    /// The 1-based input line the lead started on, when read from a batch.
    ///
    /// ```
    /// let results: Vec<_> = leadgate::read_leads("\n\n{nope}\n").collect();
    /// assert_eq!(results[0].as_ref().unwrap_err().line(), Some(3));
    /// // A single lead has no line.
    /// assert_eq!(leadgate::Lead::from_json("{nope}").unwrap_err().line(), None);
    /// ```
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The lead's `id`, when it could be read.
    ///
    /// ```
    /// use leadgate::Lead;
    /// let err = Lead::from_json(r#"{"id": "L-9", "created_at": "soon"}"#).unwrap_err();
    /// assert_eq!(err.lead_id(), Some("L-9"));
    /// assert_eq!(Lead::from_json(r#"{"created_at": "soon"}"#).unwrap_err().lead_id(), None);
    /// ```
    pub fn lead_id(&self) -> Option<&str> {
        self.lead_id.as_deref()
    }

    /// The path of the offending field, such as `touchpoints[3].at`; `None`
    /// when the error is not about one field (broken JSON, for instance).
    ///
    /// ```
    /// use leadgate::Lead;
    /// let json = r#"{"id": "a", "created_at": "2026-01-01T00:00:00Z", "company": {"employees": -5}}"#;
    /// assert_eq!(Lead::from_json(json).unwrap_err().path(), Some("company.employees"));
    /// assert_eq!(Lead::from_json("{nope").unwrap_err().path(), None);
    /// ```
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// What is wrong, without the location.
    ///
    /// ```
    /// let json = r#"{"id": "a", "created_at": "2026-01-01T00:00:00Z", "company": {"employees": -5}}"#;
    /// let err = leadgate::Lead::from_json(json).unwrap_err();
    /// assert_eq!(err.message(), "invalid value: integer `-5`, expected a whole number of employees, 0 or more");
    /// assert_eq!(err.to_string(), "lead \"a\": company.employees: invalid value: integer `-5`, expected a whole number of employees, 0 or more");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What kind of error.
    ///
    /// ```
    /// use leadgate::lead::InputErrorKind;
    /// let err = leadgate::Lead::from_json(r#"{"id": "a", "created_at": 5}"#).unwrap_err();
    /// assert_eq!(err.kind(), InputErrorKind::Data);
    /// ```
    pub fn kind(&self) -> InputErrorKind {
        self.kind
    }

    /// Whether the input was not JSON at all (as opposed to JSON of the wrong shape).
    ///
    /// ```
    /// assert!(leadgate::Lead::from_json("{nope").unwrap_err().is_syntax());
    /// ```
    pub fn is_syntax(&self) -> bool {
        self.kind == Kind::Syntax
    }

    /// Whether reading the input itself failed (an I/O error or bytes that are not UTF-8).
    ///
    /// ```
    /// let mut results = leadgate::read_leads_from(&b"\xff\xfe\n"[..]);
    /// let err = results.next().unwrap().unwrap_err();
    /// assert!(err.is_io());
    /// assert_eq!(err.to_string(), "line 1: not valid UTF-8 (byte 1)");
    /// ```
    pub fn is_io(&self) -> bool {
        self.kind == Kind::Io
    }

    /// Whether the lead was refused for its size ([`MAX_LEAD_BYTES`]).
    ///
    /// ```
    /// let huge = format!(r#"{{"id": "x", "created_at": "2026-01-01T00:00:00Z", "pad": "{}"}}"#, "x".repeat(2 << 20));
    /// assert!(leadgate::Lead::from_json(&huge).unwrap_err().is_too_large());
    /// ```
    pub fn is_too_large(&self) -> bool {
        self.kind == Kind::TooLarge
    }

    /// Whether the lead's id was already used earlier in the same batch. The
    /// first lead with the id is kept; later ones are reported, never merged.
    ///
    /// ```
    /// let two = "{\"id\": \"a\", \"created_at\": \"2026-01-01T00:00:00Z\"}\n".repeat(2);
    /// let results: Vec<_> = leadgate::read_leads(&two).collect();
    /// let err = results[1].as_ref().unwrap_err();
    /// assert!(err.is_duplicate());
    /// assert_eq!(err.to_string(), "line 2: lead \"a\": id: duplicate id, first seen on line 1");
    /// ```
    pub fn is_duplicate(&self) -> bool {
        self.kind == Kind::Duplicate
    }

    fn render(&self) -> String {
        let mut s = String::new();
        if let Some(line) = self.line {
            s.push_str(&format!("line {line}: "));
        }
        if let Some(id) = &self.lead_id {
            s.push_str(&format!("lead {:?}: ", id.as_str()));
        }
        if let Some(path) = &self.path {
            s.push_str(path);
            s.push_str(": ");
        }
        s.push_str(&self.message);
        s
    }

    fn too_large(len: usize, limit: usize) -> Self {
        let message = format!("{len} bytes of JSON, over the limit of {limit}");
        InputError { line: None, lead_id: None, path: None, message, kind: Kind::TooLarge }
    }

    fn io(line: usize, message: String) -> Self {
        InputError { line: Some(line), lead_id: None, path: None, message, kind: Kind::Io }
    }

    fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

impl Lead {
    /// Reads one lead from JSON. See the README for the JSON shape.
    ///
    /// ```
    /// let lead = leadgate::Lead::from_json(
    ///     r#"{"id": "L-1", "created_at": "2026-11-01T09:00:00Z", "company": {"industry": "software"}}"#,
    /// )?;
    /// assert_eq!(lead.company.industry.as_deref(), Some("software"));
    /// # Ok::<(), leadgate::InputError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Lead, InputError> {
        if json.len() > MAX_LEAD_BYTES {
            return Err(InputError::too_large(json.len(), MAX_LEAD_BYTES));
        }
        // Tracking the path costs as much as parsing, and only errors need it:
        // parse plainly, and again with tracking when that fails.
        if let Ok(lead) = serde_json::from_str(json) {
            return Ok(lead);
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let lead = serde_path_to_error::deserialize::<_, Lead>(&mut de)
            .map_err(|e| (e.path().to_string(), e.into_inner()))
            .and_then(|lead| de.end().map(|()| lead).map_err(|e| (".".to_owned(), e)));
        lead.map_err(|(path, inner)| {
            let kind = match inner.classify() {
                serde_json::error::Category::Data => Kind::Data,
                serde_json::error::Category::Io => Kind::Io,
                _ => Kind::Syntax,
            };
            let mut message = inner.to_string();
            let suffix = format!(" at line {} column {}", inner.line(), inner.column());
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = match kind {
                    Kind::Syntax => format!("{stripped} (column {})", inner.column()),
                    _ => stripped.to_owned(),
                };
            }
            let (path, message) = split_path(path, message);
            InputError { line: None, lead_id: probe_id(json), path, message, kind }
        })
    }
}

/// Splits a `field[1].x: message` prefix that validation put in the message
/// (serde reports those at the root) into the path.
fn split_path(path: String, message: String) -> (Option<String>, String) {
    // "?" is serde_path_to_error's "somewhere unknown".
    if path == "?" {
        return (None, message);
    }
    if path != "." {
        return (Some(path), message);
    }
    let looks_like_path = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.[]".contains(&b))
    };
    match message.split_once(": ") {
        Some((p, rest)) if looks_like_path(p) => (Some(p.to_owned()), rest.to_owned()),
        _ => (None, message),
    }
}

/// The lead's id, read leniently from JSON that failed to parse as a lead.
fn probe_id(json: &str) -> Option<Text> {
    #[derive(Deserialize)]
    struct Probe {
        id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Probe>(json).ok()?.id? {
        serde_json::Value::String(s) => Some(s.into()),
        serde_json::Value::Number(n) => Some(n.to_string().into()),
        _ => None,
    }
}

/// One lead of a batch, with the 1-based line it started on.
///
/// ```
/// let record = leadgate::read_leads(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z"}"#)
///     .next()
///     .unwrap()?;
/// assert_eq!((record.line, record.lead.id.as_str()), (1, "L-1"));
/// # Ok::<(), leadgate::InputError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Record {
    /// The 1-based input line the lead started on.
    pub line: usize,
    /// The lead.
    pub lead: Lead,
}

/// Reads a batch of leads from a string: NDJSON (one lead per line; blank
/// lines are skipped) or a JSON array, told apart by the first character.
///
/// Each lead is read on its own, so a bad one is reported with its line
/// number and the others are still read. Only a JSON array that is itself
/// broken (unbalanced brackets, say) yields a single error. A lead whose id
/// is among the latest [`DUPLICATE_WINDOW`](crate::lead::DUPLICATE_WINDOW)
/// leads read before it is an error too.
///
/// ```
/// let ndjson = concat!(
///     r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z"}"#, "\n",
///     r#"{"id": "L-2", "created_at": "not a time"}"#, "\n",
///     r#"{"id": "L-3", "created_at": "2026-11-03T00:00:00Z"}"#, "\n",
/// );
/// let results: Vec<_> = leadgate::read_leads(ndjson).collect();
/// assert_eq!(results.len(), 3);
/// assert_eq!(results[0].as_ref().unwrap().lead.id, "L-1");
/// let err = results[1].as_ref().unwrap_err();
/// assert_eq!((err.line(), err.lead_id(), err.path()), (Some(2), Some("L-2"), Some("created_at")));
/// assert_eq!(results[2].as_ref().unwrap().line, 3); // line number
/// ```
pub fn read_leads(input: &str) -> impl Iterator<Item = Result<Record, InputError>> + '_ {
    let trimmed = input.trim_start();
    let items: Box<dyn Iterator<Item = Result<Record, InputError>> + '_> = if trimmed.starts_with('[') {
        Box::new(read_array(input).into_iter())
    } else {
        Box::new(input.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| {
            Lead::from_json(l).map(|lead| Record { line: i + 1, lead }).map_err(|e| e.at_line(i + 1))
        }))
    };
    Unique::new(items)
}

/// How many ids a batch reader remembers to report a duplicate: a lead
/// whose id is among the latest 65,536 leads read before it is an error.
/// Older ids are forgotten, so reading a file of any size takes the same
/// memory (a few MB at most).
///
/// ```
/// let line = |id: &str| format!(r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z"}}"#);
/// let ndjson = format!("{}\n{}\n", line("L-1"), line("L-1"));
/// let results: Vec<_> = leadgate::read_leads(&ndjson).collect();
/// assert!(results[1].as_ref().unwrap_err().is_duplicate()); // well within the window
/// assert_eq!(leadgate::lead::DUPLICATE_WINDOW, 65_536);
/// ```
pub const DUPLICATE_WINDOW: usize = 65_536;

/// Reports a lead whose id is among the latest [`DUPLICATE_WINDOW`] leads
/// read before it.
struct Unique<I> {
    inner: I,
    seen: HashMap<Text, usize>,
    /// The ids in `seen`, oldest first.
    order: std::collections::VecDeque<Text>,
}

impl<I> Unique<I> {
    fn new(inner: I) -> Self {
        Unique { inner, seen: HashMap::new(), order: std::collections::VecDeque::new() }
    }
}

impl<I: Iterator<Item = Result<Record, InputError>>> Iterator for Unique<I> {
    type Item = Result<Record, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        let Record { line, lead } = match self.inner.next()? {
            Ok(record) => record,
            Err(e) => return Some(Err(e)),
        };
        if let Some(first) = self.seen.get(&lead.id) {
            return Some(Err(InputError {
                line: Some(line),
                message: format!("duplicate id, first seen on line {first}"),
                lead_id: Some(lead.id),
                path: Some("id".into()),
                kind: Kind::Duplicate,
            }));
        }
        if self.order.len() == DUPLICATE_WINDOW
            && let Some(oldest) = self.order.pop_front()
        {
            self.seen.remove(&oldest);
        }
        self.seen.insert(lead.id.clone(), line);
        self.order.push_back(lead.id.clone());
        Some(Ok(Record { line, lead }))
    }
}

fn read_array(input: &str) -> Vec<Result<Record, InputError>> {
    let elements: Vec<&RawValue> = match serde_json::from_str(input) {
        Ok(v) => v,
        Err(e) => {
            return vec![Err(InputError {
                line: Some(e.line()),
                lead_id: None,
                path: None,
                message: format!("the JSON array could not be read: {e}"),
                kind: Kind::Syntax,
            })];
        }
    };
    let base = input.as_ptr() as usize;
    // Elements come in input order: count the newlines since the previous
    // one only, so the whole array is scanned once.
    let (mut counted, mut line) = (0, 1);
    elements
        .into_iter()
        .map(|raw| {
            let text = raw.get();
            let offset = (text.as_ptr() as usize).saturating_sub(base).min(input.len());
            if offset >= counted {
                line += input.as_bytes()[counted..offset].iter().filter(|&&b| b == b'\n').count();
            } else {
                // Not expected (serde_json borrows in order); count afresh rather than go wrong.
                line = 1 + input.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count();
            }
            counted = offset;
            Lead::from_json(text).map(|lead| Record { line, lead }).map_err(|e| e.at_line(line))
        })
        .collect()
}

/// Reads a batch of leads from a reader (a file, stdin), like [`read_leads`].
///
/// NDJSON is streamed line by line; a line that is not UTF-8, or an I/O
/// error, is reported for that line and reading goes on. A JSON array is
/// read whole first.
///
/// ```
/// let input = std::io::Cursor::new(b"{\"id\": \"L-1\", \"created_at\": \"2026-11-01T00:00:00Z\"}\n\xff\n".to_vec());
/// let results: Vec<_> = leadgate::read_leads_from(input).collect();
/// assert_eq!(results[0].as_ref().unwrap().lead.id, "L-1");
/// assert!(results[1].as_ref().unwrap_err().is_io());
/// ```
pub fn read_leads_from<R: BufRead>(reader: R) -> impl Iterator<Item = Result<Record, InputError>> {
    Unique::new(read_lead_stream(reader))
}

/// Reads a stream of leads from a reader, like [`read_leads_from`] but
/// without the duplicate-id check: in a stream (`tail -f`, a queue) a lead
/// that comes again is an update, and the memory used stays the same
/// however long the stream runs (a batch reader remembers the latest
/// [`DUPLICATE_WINDOW`] ids).
///
/// Each NDJSON line is read as it arrives, so a lead can be decided before
/// the next one is written.
///
/// ```
/// let input = "{\"id\": \"L-1\", \"created_at\": \"2026-11-01T00:00:00Z\"}\n\
///              {\"id\": \"L-1\", \"created_at\": \"2026-11-01T00:00:00Z\", \"source\": \"webinar\"}\n";
/// let leads: Vec<_> = leadgate::lead::read_lead_stream(input.as_bytes()).collect::<Result<_, _>>()?;
/// assert_eq!(leads.len(), 2); // the second is an update of the first
/// assert_eq!(leads[1].lead.source.as_deref(), Some("webinar"));
/// # Ok::<(), leadgate::InputError>(())
/// ```
pub fn read_lead_stream<R: BufRead>(reader: R) -> impl Iterator<Item = Result<Record, InputError>> {
    ReaderLeads { reader, buf: Vec::new(), line: 0, started: false, pending: None, done: false }
}

struct ReaderLeads<R> {
    reader: R,
    /// The line being read, kept between leads so its capacity is reused
    /// (at most [`MAX_LEAD_BYTES`] and its line ending).
    buf: Vec<u8>,
    line: usize,
    started: bool,
    pending: Option<std::vec::IntoIter<Result<Record, InputError>>>,
    done: bool,
}

impl<R: BufRead> Iterator for ReaderLeads<R> {
    type Item = Result<Record, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(pending) = &mut self.pending {
            return pending.next();
        }
        let buf = &mut self.buf;
        while !self.done {
            buf.clear();
            self.line += 1;
            // Bounded, so one endless line cannot take all the memory; room
            // for a lead of the limit and its line ending, `\r\n`.
            let limit = MAX_LEAD_BYTES as u64 + 2;
            match (&mut self.reader).take(limit).read_until(b'\n', buf) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    let first = !self.started && buf.iter().any(|b| !b.is_ascii_whitespace());
                    if first && buf.trim_ascii_start().starts_with(b"[") {
                        self.started = true;
                        // Keep the line ending: line numbers count it.
                        let text = String::from_utf8_lossy(buf).into_owned();
                        return self.read_rest_as_array(text);
                    }
                    let ended = buf.last() == Some(&b'\n');
                    if !ended && buf.len() as u64 == limit {
                        // Cut at the limit: the rest of the line is skipped, only counted.
                        return Some(match skip_line(&mut self.reader, buf.last().copied()) {
                            Ok((rest, cr)) => {
                                let len = buf.len() + rest - usize::from(cr);
                                Err(InputError::too_large(len, MAX_LEAD_BYTES).at_line(self.line))
                            }
                            Err(e) => {
                                self.done = true;
                                Err(InputError::io(self.line, format!("read failed: {e}")))
                            }
                        });
                    }
                    // The line ending, `\n` or `\r\n`, does not count toward the limit.
                    let crlf = ended && buf.len() >= 2 && buf[buf.len() - 2] == b'\r';
                    let len = buf.len() - usize::from(ended) - usize::from(crlf);
                    if len > MAX_LEAD_BYTES {
                        return Some(Err(InputError::too_large(len, MAX_LEAD_BYTES).at_line(self.line)));
                    }
                    let line_end = buf.iter().rev().take_while(|&&b| b == b'\n' || b == b'\r').count();
                    let text = match std::str::from_utf8(&buf[..buf.len() - line_end]) {
                        Ok(t) => t,
                        Err(e) => {
                            return Some(Err(InputError::io(
                                self.line,
                                format!("not valid UTF-8 (byte {})", e.valid_up_to() + 1),
                            )));
                        }
                    };
                    if text.trim().is_empty() {
                        continue;
                    }
                    self.started = true;
                    let line = self.line;
                    return Some(
                        Lead::from_json(text).map(|lead| Record { line, lead }).map_err(|e| e.at_line(line)),
                    );
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(InputError::io(self.line, format!("read failed: {e}"))));
                }
            }
        }
        None
    }
}

/// Skips to the end of the line, past its `\n`, and returns how many bytes
/// the rest of the line had before its `\n`, and whether a `\r` came just
/// before that `\n` (`last` is the byte read just before).
fn skip_line(reader: &mut impl BufRead, mut last: Option<u8>) -> std::io::Result<(usize, bool)> {
    let mut len = 0usize;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((len, false));
        }
        match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let cr = if i > 0 { chunk[i - 1] == b'\r' } else { last == Some(b'\r') };
                reader.consume(i + 1);
                return Ok((len + i, cr));
            }
            None => {
                let n = chunk.len();
                last = chunk.last().copied();
                len += n;
                reader.consume(n);
            }
        }
    }
}

impl<R: BufRead> ReaderLeads<R> {
    fn read_rest_as_array(&mut self, mut text: String) -> Option<Result<Record, InputError>> {
        let first_line = self.line;
        self.done = true;
        let limit = (MAX_ARRAY_BYTES - text.len().min(MAX_ARRAY_BYTES)) as u64;
        match (&mut self.reader).take(limit).read_to_string(&mut text) {
            Err(e) => return Some(Err(InputError::io(first_line, format!("read failed: {e}")))),
            Ok(_) if text.len() >= MAX_ARRAY_BYTES => {
                return Some(Err(InputError::too_large(text.len(), MAX_ARRAY_BYTES).at_line(first_line)));
            }
            Ok(_) => {}
        }
        let offset = first_line - 1;
        let results: Vec<_> = read_array(&text)
            .into_iter()
            .map(|r| match r {
                Ok(Record { line, lead }) => Ok(Record { line: line + offset, lead }),
                Err(e) => {
                    let line = e.line.map(|l| l + offset);
                    Err(InputError { line, ..e })
                }
            })
            .collect();
        let mut iter = results.into_iter();
        let first = iter.next();
        self.pending = Some(iter);
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"id":"a","created_at":"2026-01-01T00:00:00Z"}"#;

    #[test]
    fn array_elements_report_their_line() {
        let input = format!("[\n{OK},\n{{\"id\": \"b\", \"created_at\": 5}},\n{OK}\n]");
        let r: Vec<_> = read_leads(&input).collect();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].as_ref().unwrap().line, 2);
        let e = r[1].as_ref().unwrap_err();
        assert_eq!((e.line(), e.lead_id(), e.path()), (Some(3), Some("b"), Some("created_at")));
    }

    #[test]
    fn broken_array_is_one_syntax_error() {
        let r: Vec<_> = read_leads("[{\"id\": ").collect();
        assert_eq!(r.len(), 1);
        assert!(r[0].as_ref().unwrap_err().is_syntax());
    }

    #[test]
    fn reader_handles_arrays_and_blank_lines() {
        let other = OK.replace("\"a\"", "\"b\"");
        let input = format!("\n[{OK},\n{other}]\n");
        let r: Vec<_> = read_leads_from(input.as_bytes()).collect();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].as_ref().unwrap().line, 3);
        let input = format!("{OK}\n\n{other}\n");
        let lines: Vec<_> = read_leads_from(input.as_bytes()).map(|r| r.unwrap().line).collect();
        assert_eq!(lines, [1, 3]);
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(Lead::from_json(&format!("{OK} x")).is_err());
    }

    #[test]
    fn unknown_enum_values_name_the_field_and_the_choices() {
        let e = Lead::from_json(
            r#"{"id":"a","created_at":"2026-01-01T00:00:00Z","person":{"seniority":"boss"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.path(), Some("person.seniority"));
        assert!(e.message().contains("expected one of"), "{e}");
    }

    #[test]
    fn history_errors_name_the_entry() {
        let e = Lead::from_json(
            r#"{"id":"a","created_at":"2026-01-01T00:00:00Z","stage_history":[
                {"stage":"lead","at":"2026-01-01T00:00:00Z"},{"stage":"sql","at":"2026-01-01T00:00:00Z"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path(), Some("stage_history[1]"));
        assert_eq!(e.message(), "illegal stage transition from lead to sql");
    }
}

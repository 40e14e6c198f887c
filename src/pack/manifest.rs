//! `pack.toml` as written: the manifest's shape, reading it into a
//! [`Pack`], and reading the files it names, confined to the pack directory
//! and bounded.

use std::cell::Cell;
use std::io::Read;
use std::path::{Component, Path};

use serde::Deserialize;

use super::account::AccountSpec;
use super::cases::Input;
use super::params::known;
use super::table::Scope;
use super::{Location, Pack, PackError, Problem, ProblemKind, RuleSource};
use crate::pack::ParamValue;
use crate::{Channel, Direction, Text};

/// The manifest as written in `pack.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    version: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    criteria: Option<Vec<String>>,
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    points: toml::Table,
    #[serde(default)]
    channels: toml::Table,
    #[serde(default)]
    rules: Vec<RuleEntry>,
    #[serde(default)]
    account: Option<AccountEntry>,
    #[serde(default)]
    tests: Vec<TestEntry>,
}

/// The `[account]` section: settings, checked by [`AccountSpec::read`], and rules.
#[derive(Deserialize)]
struct AccountEntry {
    #[serde(default)]
    rules: Vec<RuleEntry>,
    #[serde(flatten)]
    settings: toml::Table,
}

/// A `[[tests]]` entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestEntry {
    name: String,
    as_of: String,
    #[serde(default)]
    lead: Option<String>,
    #[serde(default)]
    lead_file: Option<String>,
    /// An account's contacts, as lead JSON strings.
    #[serde(default)]
    account: Option<Vec<String>>,
    /// An account's contacts, as an NDJSON file.
    #[serde(default)]
    account_file: Option<String>,
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    expect: crate::pack::cases::Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    script: Option<toml::Spanned<String>>,
    #[serde(default)]
    table: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    hit: Option<String>,
}

pub(super) const MANIFEST: &str = "pack.toml";
impl Pack {
    /// Reads a manifest; `read_file(file, limit)` reads a file the manifest
    /// names, refusing one over `limit` bytes.
    pub(super) fn from_manifest(
        text: &str,
        read_file: &dyn Fn(&str, usize) -> Result<String, Problem>,
    ) -> Result<Pack, PackError> {
        let lines = Lines::new(text);
        let manifest: Manifest = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| lines.line_col(s.start)).unwrap_or((0, 0));
            Problem::new(ProblemKind::Manifest, e.message().to_owned()).at(Location {
                script: MANIFEST.into(),
                line,
                column,
            })
        })?;
        let mut problems = Vec::new();
        let mut params = Vec::new();
        for (name, value) in &manifest.params {
            match ParamValue::from_toml(value) {
                Ok(v) => params.push((Text::from(name.as_str()), v)),
                Err(e) => problems.push(Problem::new(ProblemKind::Param, format!("parameter {name:?}: {e}"))),
            }
        }
        for (channel, value) in &manifest.points {
            match (channel.parse::<Channel>(), value.as_integer()) {
                (Ok(c), Some(points)) => params
                    .push((format!("{}{}", known::POINTS_PREFIX, c.name()).into(), ParamValue::Int(points))),
                (Err(e), _) => problems.push(Problem::new(ProblemKind::Invalid, format!("[points]: {e}"))),
                (_, None) => problems.push(Problem::new(
                    ProblemKind::Param,
                    format!("[points] {channel}: points must be a whole number, got {value}"),
                )),
            }
        }
        let mut channels = Vec::new();
        for (name, value) in &manifest.channels {
            let direction = value
                .as_str()
                .ok_or_else(|| format!("expected \"inbound\" or \"outbound\", got {value}"))
                .and_then(|d| d.parse::<Direction>().map_err(|e| e.to_string()));
            let problem = match (name.parse::<Channel>(), direction) {
                (Ok(c), _) if c.index().is_some() => {
                    format!("a built-in channel's direction is fixed ({})", c.direction())
                }
                (Ok(c), Ok(d)) => {
                    channels.push((c, d));
                    continue;
                }
                (Err(e), _) => e.to_string(),
                (_, Err(e)) => e,
            };
            problems.push(Problem::new(ProblemKind::Invalid, format!("[channels] {name}: {problem}")));
        }
        channels.sort();
        let mut rules = Vec::new();
        for entry in manifest.rules {
            rules.extend(rule_source(entry, text, &lines, read_file, Scope::Lead, &mut problems));
        }
        let account = manifest.account.map(|entry| {
            let rules = entry
                .rules
                .into_iter()
                .filter_map(|rule| rule_source(rule, text, &lines, read_file, Scope::Account, &mut problems))
                .collect();
            (entry.settings, rules)
        });
        let mut tests = Vec::new();
        for entry in manifest.tests {
            match test_case(entry, read_file) {
                Ok(case) => tests.push(case),
                Err(problem) => problems.push(problem),
            }
        }
        // The pack-wide checks run even when reading found problems: every
        // problem is reported at once.
        let params_declared = params.clone();
        let built = Pack::build(
            manifest.name.into(),
            manifest.version.into(),
            manifest.description.map(Text::from),
            manifest.criteria.map(|c| c.into_iter().map(Text::from).collect()),
            params,
            channels,
            rules,
        );
        let account = account
            .map(|(settings, rules)| AccountSpec::read(&settings, rules, &params_declared, &mut problems));
        match built {
            Ok(mut pack) if problems.is_empty() => {
                pack.tests = tests;
                if let Some(account) = account {
                    pack.set_account(account);
                }
                Ok(pack)
            }
            Ok(_) => Err(PackError::new(problems)),
            Err(e) => {
                problems.extend(e.problems);
                Err(PackError::new(problems))
            }
        }
    }
}

/// A `[[tests]]` entry, checked: its time parses, its lead is found.
fn test_case(
    entry: TestEntry,
    read_file: &dyn Fn(&str, usize) -> Result<String, Problem>,
) -> Result<crate::pack::cases::TestCase, Problem> {
    let name = entry.name;
    let problem =
        |kind: ProblemKind, message: String| Problem::new(kind, format!("test {name:?}: {message}"));
    let manifest = |message: String| problem(ProblemKind::Manifest, message);
    let as_of =
        crate::lead::time::parse_rfc3339(&entry.as_of).map_err(|e| manifest(format!("as_of: {e}")))?;
    let input = match (entry.lead, entry.lead_file, entry.account, entry.account_file) {
        (Some(json), None, None, None) => Input::Lead(json),
        (None, Some(file), None, None) => Input::Lead(
            read_file(&file, crate::lead::input::MAX_LEAD_BYTES)
                .map_err(|p| problem(p.kind(), format!("lead_file: {}", p.message())))?,
        ),
        (None, None, Some(contacts), None) => Input::Account(contacts),
        (None, None, None, Some(file)) => {
            let text = read_file(&file, Pack::MAX_MANIFEST_BYTES)
                .map_err(|p| problem(p.kind(), format!("account_file: {}", p.message())))?;
            Input::Account(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect())
        }
        _ => {
            return Err(manifest(
                "give exactly one of `lead` (JSON), `lead_file`, `account` (a list of contacts' JSON) or \
                 `account_file` (NDJSON)"
                    .into(),
            ));
        }
    };
    let params = entry
        .params
        .iter()
        .map(|(n, v)| {
            ParamValue::from_toml(v).map(|v| (n.clone(), v)).map_err(|e| manifest(format!("params.{n}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    Ok(crate::pack::cases::TestCase {
        name: name.as_str().into(),
        as_of,
        input,
        params,
        expect: entry.expect,
    })
}

/// Reads `file`, as a manifest names it, from the pack directory `dir`
/// (canonical) only: a relative path without `..`, inside `dir` once
/// symbolic links are resolved, a regular file of at most `limit` bytes.
pub(super) fn read_in_pack(dir: &Path, file: &str, limit: usize) -> Result<String, Problem> {
    let refuse = |why: &str| Problem::new(ProblemKind::Io, format!("cannot read {file:?}: {why}"));
    let path = Path::new(file);
    if file.is_empty() {
        return Err(refuse("the path is empty"));
    }
    for component in path.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(refuse("`..` is refused: a pack reads files from its own directory only"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse(
                    "an absolute path is refused: a pack reads files from its own directory only",
                ));
            }
        }
    }
    // Symbolic links resolved: where the file really is.
    let real = dir.join(path).canonicalize().map_err(|e| refuse(&e.to_string()))?;
    if !real.starts_with(dir) {
        return Err(refuse(
            "it leads outside the pack directory; a pack reads files from its own directory only",
        ));
    }
    read_bounded(&real, file, limit)
}

/// Reads the regular file at `path`, named `shown` in problems, refusing it
/// when it holds more than `limit` bytes; reads at most `limit + 1` bytes.
pub(super) fn read_bounded(path: &Path, shown: &str, limit: usize) -> Result<String, Problem> {
    let io = |why: String| Problem::new(ProblemKind::Io, format!("cannot read {shown:?}: {why}"));
    let not_regular = || io("not a regular file".into());
    // Checked before opening too: opening a FIFO would wait for a writer.
    if !std::fs::metadata(path).map_err(|e| io(e.to_string()))?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
    // Checked on what was opened, should the path have changed since.
    if !file.metadata().map_err(|e| io(e.to_string()))?.is_file() {
        return Err(not_regular());
    }
    let mut bytes = Vec::new();
    let bound = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    file.take(bound).read_to_end(&mut bytes).map_err(|e| io(e.to_string()))?;
    if bytes.len() > limit {
        return Err(Problem::new(
            ProblemKind::TooLarge,
            format!("{shown:?} is larger than the limit of {limit} bytes"),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| io(format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to() + 1)))
}

/// Line and column lookups in a text, each in time proportional to the
/// distance from the previous lookup rather than from the start: loading a
/// pack stays linear in its size.
pub(super) struct Lines<'a> {
    text: &'a str,
    /// The byte offset of each line's start.
    starts: Vec<usize>,
    /// The last lookup: its offset and column.
    last: Cell<(usize, usize)>,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts, last: Cell::new((0, 1)) }
    }

    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// 1-based line of a byte offset.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= self.clamp(offset))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let (last, last_column) = self.last.get();
        let column = if (start..=offset).contains(&last) {
            last_column + self.text[last..offset].chars().count()
        } else {
            self.text[start..offset].chars().count() + 1
        };
        self.last.set((offset, column));
        (line, column)
    }
}

/// A `[[rules]]` or `[[account.rules]]` entry as a rule source; its
/// problems go to `problems`.
fn rule_source(
    entry: RuleEntry,
    text: &str,
    lines: &Lines<'_>,
    read_file: &dyn Fn(&str, usize) -> Result<String, Problem>,
    scope: Scope,
    problems: &mut Vec<Problem>,
) -> Option<RuleSource> {
    let name: Text = entry.name.as_str().into();
    let description = entry.description.map(Text::from);
    if entry.hit.is_some() && entry.table.is_none() {
        problems.push(Problem::new(ProblemKind::Manifest, "`hit` applies to tables only").in_rule(&name));
    }
    let problem = |kind, message: &str| Problem::new(kind, message.to_owned()).in_rule(&name);
    match (entry.file, entry.script, entry.table) {
        (None, None, Some(table)) => {
            let span = table.span();
            let (line, column) = lines.line_col(span.start);
            let at = Location { script: MANIFEST.into(), line, column };
            match crate::pack::table::Table::parse(table.get_ref(), entry.hit.as_deref(), scope) {
                Ok(parsed) => Some(RuleSource {
                    // As written, with the hit policy, for the content hash and for diffs.
                    source: match &entry.hit {
                        Some(hit) => format!("hit = {hit:?}\ntable = {}", &text[span]),
                        None => format!("table = {}", &text[span]),
                    },
                    name,
                    description,
                    script: MANIFEST.into(),
                    line_offset: line - 1,
                    table: Some(std::sync::Arc::new(crate::pack::table::TableSource::new(parsed))),
                }),
                Err(ps) => {
                    problems.extend(
                        ps.into_iter()
                            .map(|p| Problem::new(ProblemKind::Name, p).in_rule(&name).at(at.clone())),
                    );
                    None
                }
            }
        }
        (Some(file), None, None) => match read_file(&file, super::MAX_SOURCE_BYTES) {
            Ok(source) => Some(RuleSource {
                name,
                description,
                source,
                script: file.into(),
                line_offset: 0,
                table: None,
            }),
            Err(p) => {
                problems.push(p.in_rule(&name));
                None
            }
        },
        (None, Some(script), None) => {
            let start = script.span().start;
            let line = lines.line(start);
            // A newline right after the opening quotes is not part of the string.
            let rest = &text[start..];
            let delimiter = if rest.starts_with("'''") || rest.starts_with("\"\"\"") { 3 } else { 1 };
            let skips_newline = rest[delimiter.min(rest.len())..].starts_with(['\n', '\r']);
            Some(RuleSource {
                name,
                description,
                source: script.into_inner(),
                script: MANIFEST.into(),
                line_offset: line - 1 + usize::from(skips_newline && delimiter == 3),
                table: None,
            })
        }
        _ => {
            problems.push(problem(
                ProblemKind::Manifest,
                "a rule needs exactly one of `file`, `script` or `table`",
            ));
            None
        }
    }
}

//! Rule packs in source form: a manifest (name, version, criteria,
//! parameters, point table) and the rule scripts, loaded and checked but not
//! yet compiled.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::{Component, Path};

use serde::Deserialize;
use sha2::{Digest, Sha256};

pub(crate) mod fields;
pub(crate) mod params;
pub(crate) mod table;

use crate::{Assessment, Channel, Direction, Limits, ParamValue, Text};
use params::known;

/// Where in a pack's sources something is: the script (a file name, or
/// `pack.toml` for inline rules), and a 1-based line and column (0 when
/// unknown).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Location {
    /// The file, as the pack names it.
    pub script: Text,
    /// 1-based line, or 0.
    pub line: usize,
    /// 1-based column, or 0.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.script),
            (l, 0) => write!(f, "{}:{l}", self.script),
            (l, c) => write!(f, "{}:{l}:{c}", self.script),
        }
    }
}

/// What kind of problem a pack has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A file could not be read.
    Io,
    /// The manifest is not valid TOML or not a valid manifest.
    Manifest,
    /// A rule script does not compile.
    Syntax,
    /// A parameter is unknown, wrongly typed or invalid.
    Param,
    /// A rule names something that does not exist: a lead field, a
    /// parameter, a decision function, a channel, a criterion... or calls a
    /// function with the wrong number of arguments.
    Name,
    /// A declared parameter no rule reads and the engine does not use
    /// (a warning: see [`Qualifier::warnings`](crate::Qualifier::warnings)).
    UnusedParam,
    /// A rule counts a custom channel the pack does not declare in
    /// `[channels]` or `[points]`, so it probably counts nothing (a warning:
    /// see [`Qualifier::warnings`](crate::Qualifier::warnings)).
    UndeclaredChannel,
    /// A source exceeds a size limit.
    TooLarge,
    /// Anything else that makes the pack unusable (duplicate rule names...).
    Invalid,
}

impl ProblemKind {
    /// Whether a problem of this kind is a warning: the pack still compiles
    /// and the problem is in [`Qualifier::warnings`](crate::Qualifier::warnings).
    ///
    /// ```
    /// use leadgate::ProblemKind;
    /// assert!(ProblemKind::UnusedParam.is_warning());
    /// assert!(!ProblemKind::Syntax.is_warning());
    /// ```
    pub const fn is_warning(self) -> bool {
        matches!(self, ProblemKind::UnusedParam | ProblemKind::UndeclaredChannel)
    }
}

/// One problem found in a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    kind: ProblemKind,
    rule: Option<Text>,
    location: Option<Location>,
    message: String,
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, message: impl Into<String>) -> Self {
        Problem { kind, rule: None, location: None, message: message.into() }
    }

    pub(crate) fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub(crate) fn in_rule(mut self, rule: &Text) -> Self {
        self.rule = Some(rule.clone());
        self
    }

    /// The kind of problem.
    pub fn kind(&self) -> ProblemKind {
        self.kind
    }

    /// The rule it is in, if any.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// Where it is, if known.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "rule {:?}: ", rule.as_str())?;
        }
        f.write_str(&self.message)
    }
}

/// A pack that cannot be loaded or compiled, with every problem found.
///
/// ```
/// use leadgate::{Pack, ProblemKind, Qualifier};
///
/// let pack = Pack::from_script("broken", "decision.fit(10, \"x\"\n")?;
/// let err = Qualifier::new(&pack).unwrap_err();
/// let problem = &err.problems()[0];
/// assert_eq!(problem.kind(), ProblemKind::Syntax);
/// assert_eq!(problem.location().unwrap().line, 2);
/// # Ok::<(), leadgate::PackError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PackError {
    problems: Vec<Problem>,
}

impl PackError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        PackError { problems }
    }

    /// Every problem found, in source order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl From<Problem> for PackError {
    fn from(p: Problem) -> Self {
        PackError { problems: vec![p] }
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// One rule of a pack, in source form.
#[derive(Debug, Clone)]
pub(crate) struct RuleSource {
    pub(crate) name: Text,
    pub(crate) description: Option<Text>,
    pub(crate) source: String,
    pub(crate) script: Text,
    /// Lines before the rule's first line in `script` (non-zero for inline rules).
    pub(crate) line_offset: usize,
    /// A decision table, whose rows as written are `source`.
    pub(crate) table: Option<crate::pack::table::Table>,
}

/// A rule pack in source form: name, version, qualification criteria,
/// declared parameters with their defaults, and the rule scripts in the
/// order they run.
///
/// Load one with [`Pack::load`] (a pack directory, a `pack.toml` or a single
/// `.rhai` file), [`Pack::from_toml`] or [`Pack::from_script`], or use a
/// shipped pack ([`Pack::b2b_bant`], [`Pack::meddic`]); then compile it into
/// a [`Qualifier`](crate::Qualifier). The manifest format is documented in
/// the rule-authoring guide (`docs/RULES.md`).
///
/// ```
/// use leadgate::Pack;
///
/// let pack = Pack::from_toml(r#"
///     name = "tiny"
///     version = "1.0.0"
///     [params]
///     mql_threshold = 40
///     [[rules]]
///     name = "industry"
///     script = '''
///     if lead.industry == "software" { decision.fit(50, "Software company"); }
///     '''
/// "#)?;
/// assert_eq!(pack.name(), "tiny");
/// assert_eq!(pack.rules().collect::<Vec<_>>(), ["industry"]);
/// assert_eq!(pack.hash().len(), 64);
/// # Ok::<(), leadgate::PackError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pack {
    name: Text,
    version: Text,
    description: Option<Text>,
    criteria: Vec<Text>,
    params: Vec<(Text, ParamValue)>,
    /// Custom channels declared in `[channels]`, sorted, with their direction.
    channels: Vec<(Channel, Direction)>,
    pub(crate) rules: Vec<RuleSource>,
    pub(crate) tests: Vec<crate::authoring::casebook::TestCase>,
    hash: String,
}

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
    tests: Vec<TestEntry>,
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
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    expect: crate::authoring::casebook::Expect,
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

const MANIFEST: &str = "pack.toml";
/// The names the engine's own steps go by in decisions: the point table,
/// the caps and the lifecycle (holds, SQL-ready, recycling).
const RESERVED_RULES: [&str; 3] = ["points", "caps", "lifecycle"];

impl Pack {
    /// The largest `pack.toml` [`Pack::load`] reads, in bytes (1 MiB).
    pub const MAX_MANIFEST_BYTES: usize = 1 << 20;

    /// Loads a pack from `path`: a directory holding `pack.toml`, a
    /// `pack.toml` file (rule files are read relative to it), or a single
    /// `.rhai` script (a one-rule pack named after the file, with the BANT
    /// criteria and no parameters).
    ///
    /// A pack reads only its own files: a rule's `file` and a test's
    /// `lead_file` must be relative paths without `..` that stay inside the
    /// pack directory once symbolic links are resolved, and name regular
    /// files. Every file is read with a bound: the manifest up to
    /// [`Pack::MAX_MANIFEST_BYTES`], a script up to the default
    /// [`Limits::max_source_size`], a lead up to
    /// [`MAX_LEAD_BYTES`](crate::MAX_LEAD_BYTES). A file that breaks these
    /// rules is a [`ProblemKind::Io`] problem (over its limit,
    /// [`ProblemKind::TooLarge`]) naming the rule or test and the path as
    /// written.
    ///
    /// ```no_run
    /// let pack = leadgate::Pack::load("packs/b2b-bant")?;
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Pack, PackError> {
        let path = path.as_ref();
        let max_source = Limits::default().max_source_size;
        if path.extension().is_some_and(|e| e == "rhai") {
            let name = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
            let source = read_bounded(path, &path.display().to_string(), max_source)?;
            let mut pack = Pack::from_script(&name, &source)?;
            pack.rules[0].script =
                Text::from(path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
            return Ok(pack);
        }
        let manifest = if path.is_dir() { path.join(MANIFEST) } else { path.to_path_buf() };
        let text = read_bounded(&manifest, &manifest.display().to_string(), Pack::MAX_MANIFEST_BYTES)?;
        let dir = manifest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = dir.canonicalize().map_err(|e| {
            Problem::new(ProblemKind::Io, format!("cannot read the pack directory {:?}: {e}", dir.display()))
        })?;
        Pack::from_manifest(&text, &|file, limit| read_in_pack(&dir, file, limit))
    }

    /// Reads a pack from the text of a `pack.toml` whose rules are all
    /// inline (`script = '''...'''`); a rule that names a `file` is an error
    /// here, use [`Pack::load`] for those.
    pub fn from_toml(manifest: &str) -> Result<Pack, PackError> {
        Pack::from_manifest(manifest, &|file, _| {
            Err(Problem::new(
                ProblemKind::Invalid,
                format!("rule file {file:?} cannot be read: this pack was not loaded from a directory"),
            ))
        })
    }

    /// A pack of one rule, `source`, named `name`, version `0.0.0`, with the
    /// BANT criteria and no parameters. The rule is named after the pack,
    /// made a valid rule name (`my-rule` becomes `my_rule`).
    ///
    /// ```
    /// let pack = leadgate::Pack::from_script("quick", r#"decision.fit(10, "Any lead")"#)?;
    /// assert_eq!(pack.version(), "0.0.0");
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn from_script(name: &str, source: &str) -> Result<Pack, PackError> {
        let name = if name.is_empty() { "script" } else { name };
        let mut rule_name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect();
        if rule_name.starts_with(|c: char| c.is_ascii_digit()) {
            rule_name.insert_str(0, "rule_");
        }
        let rule = RuleSource {
            name: rule_name.into(),
            description: None,
            source: source.to_owned(),
            script: format!("{name}.rhai").into(),
            line_offset: 0,
            table: None,
        };
        Pack::build(name.into(), "0.0.0".into(), None, None, Vec::new(), Vec::new(), vec![rule])
    }

    /// The shipped default pack: B2B qualification with BANT. Fit on
    /// industry, company size, seniority and role; engagement from a decayed
    /// point table with negative signals; MQL on score; an SQL-ready handoff
    /// when BANT is mostly met. Its sources are in `packs/b2b-bant/`.
    ///
    /// ```
    /// let pack = leadgate::Pack::b2b_bant();
    /// assert_eq!(pack.name(), "b2b-bant");
    /// assert_eq!(pack.criteria().len(), 4);
    /// ```
    pub fn b2b_bant() -> Pack {
        embedded(
            include_str!("../../packs/b2b-bant/pack.toml"),
            &[("engagement.rhai", include_str!("../../packs/b2b-bant/engagement.rhai"))],
        )
    }

    /// The shipped MEDDIC pack (metrics, economic buyer, decision criteria,
    /// decision process, identify pain, champion), showing that criteria
    /// belong to the pack, not the engine. Its sources are in `packs/meddic/`.
    ///
    /// ```
    /// let pack = leadgate::Pack::meddic();
    /// assert_eq!(pack.criteria()[1], "economic_buyer");
    /// ```
    pub fn meddic() -> Pack {
        embedded(
            include_str!("../../packs/meddic/pack.toml"),
            &[("meddic.rhai", include_str!("../../packs/meddic/meddic.rhai"))],
        )
    }

    /// The pack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pack's version, as its author wrote it.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The pack's description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The qualification criteria, in order (BANT unless the pack says otherwise).
    pub fn criteria(&self) -> &[Text] {
        &self.criteria
    }

    /// The declared parameters and their defaults, sorted by name. The point
    /// table appears as `points.<channel>` parameters.
    ///
    /// ```
    /// use leadgate::{Pack, ParamValue};
    /// let pack = Pack::b2b_bant();
    /// let (_, mql) = pack.params().find(|(n, _)| *n == "mql_threshold").unwrap();
    /// assert!(matches!(mql, ParamValue::Int(_)));
    /// ```
    pub fn params(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// The direction of touches on `channel` for this pack: a built-in
    /// channel's own ([`Channel::direction`]), or what the manifest's
    /// `[channels]` section declares for a custom channel (outbound when it
    /// says nothing).
    ///
    /// ```
    /// use leadgate::{Channel, Direction, Pack};
    /// let pack = Pack::from_toml(r#"
    ///     name = "p"
    ///     version = "1"
    ///     [channels]
    ///     "custom:podcast" = "inbound"
    ///     "custom:sms_sent" = "outbound"
    /// "#)?;
    /// assert_eq!(pack.direction(&"custom:podcast".parse()?), Direction::Inbound);
    /// assert_eq!(pack.direction(&"custom:sms_sent".parse()?), Direction::Outbound);
    /// assert_eq!(pack.direction(&Channel::Webinar), Direction::Inbound);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn direction(&self, channel: &Channel) -> Direction {
        match self.channels.binary_search_by(|(c, _)| c.cmp(channel)) {
            Ok(i) => self.channels[i].1,
            Err(_) => channel.direction(),
        }
    }

    /// The custom channels the pack declares: in `[channels]` or in the
    /// point table.
    pub(crate) fn declared_channels(&self) -> impl Iterator<Item = Channel> + '_ {
        let scored = self.params.iter().filter_map(|(n, _)| {
            n.strip_prefix(known::POINTS_PREFIX).and_then(|c| c.parse::<Channel>().ok())
        });
        self.channels.iter().map(|(c, _)| c.clone()).chain(scored).filter(|c| c.index().is_none())
    }

    /// The rule names, in the order they run.
    pub fn rules(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.name.as_str())
    }

    /// The description of rule `name`, if it has one.
    ///
    /// ```
    /// let pack = leadgate::Pack::b2b_bant();
    /// assert!(pack.rule_description("fit").is_some());
    /// ```
    pub fn rule_description(&self, name: &str) -> Option<&str> {
        self.rules.iter().find(|r| r.name == name).and_then(|r| r.description.as_deref())
    }

    /// A SHA-256 of the pack's content (name, version, criteria, parameter
    /// defaults and rule sources), as 64 hex digits. Two packs with the same
    /// hash decide identically under the same parameters.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Reads a manifest; `read_file(file, limit)` reads a file the manifest
    /// names, refusing one over `limit` bytes.
    fn from_manifest(
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
                .and_then(str::parse::<Direction>);
            let problem = match (name.parse::<Channel>(), direction) {
                (Ok(c), _) if c.index().is_some() => {
                    format!("a built-in channel's direction is fixed ({})", c.direction())
                }
                (Ok(c), Ok(d)) => {
                    channels.push((c, d));
                    continue;
                }
                (Err(e), _) | (_, Err(e)) => e,
            };
            problems.push(Problem::new(ProblemKind::Invalid, format!("[channels] {name}: {problem}")));
        }
        channels.sort();
        let mut rules = Vec::new();
        for entry in manifest.rules {
            let name: Text = entry.name.as_str().into();
            let description = entry.description.map(Text::from);
            if entry.hit.is_some() && entry.table.is_none() {
                problems
                    .push(Problem::new(ProblemKind::Manifest, "`hit` applies to tables only").in_rule(&name));
            }
            match (entry.file, entry.script, entry.table) {
                (Some(file), None, None) => match read_file(&file, Limits::default().max_source_size) {
                    Ok(source) => rules.push(RuleSource {
                        name,
                        description,
                        source,
                        script: file.into(),
                        line_offset: 0,
                        table: None,
                    }),
                    Err(p) => problems.push(p.in_rule(&name)),
                },
                (None, Some(script), None) => {
                    let start = script.span().start;
                    let line = lines.line(start);
                    // A newline right after the opening quotes is not part of the string.
                    let rest = &text[start..];
                    let delimiter = if rest.starts_with("'''") || rest.starts_with("\"\"\"") { 3 } else { 1 };
                    let skips_newline = rest[delimiter.min(rest.len())..].starts_with(['\n', '\r']);
                    rules.push(RuleSource {
                        name,
                        description,
                        source: script.into_inner(),
                        script: MANIFEST.into(),
                        line_offset: line - 1 + usize::from(skips_newline && delimiter == 3),
                        table: None,
                    });
                }
                (None, None, Some(table)) => {
                    let span = table.span();
                    let (line, column) = lines.line_col(span.start);
                    let at = Location { script: MANIFEST.into(), line, column };
                    match crate::pack::table::Table::parse(table.get_ref(), entry.hit.as_deref()) {
                        Ok(parsed) => rules.push(RuleSource {
                            name,
                            description,
                            // As written, with the hit policy, for the content hash and for diffs.
                            source: match &entry.hit {
                                Some(hit) => format!("hit = {hit:?}\ntable = {}", &text[span]),
                                None => format!("table = {}", &text[span]),
                            },
                            script: MANIFEST.into(),
                            line_offset: line - 1,
                            table: Some(parsed),
                        }),
                        Err(ps) => problems.extend(
                            ps.into_iter()
                                .map(|p| Problem::new(ProblemKind::Name, p).in_rule(&name).at(at.clone())),
                        ),
                    }
                }
                _ => problems.push(
                    Problem::new(
                        ProblemKind::Manifest,
                        "a rule needs exactly one of `file`, `script` or `table`",
                    )
                    .in_rule(&name),
                ),
            }
        }
        let mut tests = Vec::new();
        for entry in manifest.tests {
            match test_case(entry, read_file) {
                Ok(case) => tests.push(case),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(PackError::new(problems));
        }
        let mut pack = Pack::build(
            manifest.name.into(),
            manifest.version.into(),
            manifest.description.map(Text::from),
            manifest.criteria.map(|c| c.into_iter().map(Text::from).collect()),
            params,
            channels,
            rules,
        )?;
        pack.tests = tests;
        Ok(pack)
    }

    fn build(
        name: Text,
        version: Text,
        description: Option<Text>,
        criteria: Option<Vec<Text>>,
        mut params: Vec<(Text, ParamValue)>,
        channels: Vec<(Channel, Direction)>,
        rules: Vec<RuleSource>,
    ) -> Result<Pack, PackError> {
        let mut problems = Vec::new();
        let mut invalid = |m: String| problems.push(Problem::new(ProblemKind::Invalid, m));
        if name.trim().is_empty() {
            invalid("the pack name must not be empty".into());
        }
        if version.trim().is_empty() {
            invalid("the pack version must not be empty".into());
        }
        let criteria = criteria.unwrap_or_else(|| Assessment::BANT.map(Text::from).to_vec());
        let mut seen = HashSet::with_capacity(criteria.len());
        for c in &criteria {
            if !is_identifier(c) {
                invalid(format!("criterion {c:?}: names are lower-case letters, digits and _"));
            } else if !seen.insert(c.as_str()) {
                invalid(format!("criterion {c:?} is declared twice"));
            }
        }
        let mut seen = HashSet::with_capacity(rules.len());
        // The first script so far: a table after it is out of order.
        let mut first_script: Option<&RuleSource> = None;
        for r in &rules {
            if !is_identifier(&r.name) {
                invalid(format!("rule {:?}: names are lower-case letters, digits and _", r.name.as_str()));
            } else if RESERVED_RULES.contains(&r.name.as_str()) {
                invalid(format!("rule {:?}: this name is reserved for the engine", r.name.as_str()));
            } else if !seen.insert(r.name.as_str()) {
                invalid(format!("rule {:?} is declared twice", r.name.as_str()));
            } else if let Some(script) = first_script.filter(|_| r.table.is_some()) {
                invalid(format!(
                    "table {:?} comes after script {:?}: tables run before scripts, so write them first",
                    r.name.as_str(),
                    script.name.as_str()
                ));
            }
            if r.table.is_none() && first_script.is_none() {
                first_script = Some(r);
            }
        }
        params.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, (n, v)) in params.iter().enumerate() {
            if i > 0 && params[i - 1].0 == *n {
                problems.push(Problem::new(ProblemKind::Param, format!("parameter {n:?} is declared twice")));
            } else if known::is_numeric(n) && v.as_f64().is_none() {
                problems.push(Problem::new(
                    ProblemKind::Param,
                    format!("parameter {n:?} must be a number, got {} {v}", v.type_name()),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(PackError::new(problems));
        }
        let hash = content_hash(&name, &version, &criteria, &params, &channels, &rules);
        Ok(Pack { name, version, description, criteria, params, channels, rules, tests: Vec::new(), hash })
    }
}

/// A `[[tests]]` entry, checked: its time parses, its lead is found.
fn test_case(
    entry: TestEntry,
    read_file: &dyn Fn(&str, usize) -> Result<String, Problem>,
) -> Result<crate::authoring::casebook::TestCase, Problem> {
    let name = entry.name;
    let problem =
        |kind: ProblemKind, message: String| Problem::new(kind, format!("test {name:?}: {message}"));
    let manifest = |message: String| problem(ProblemKind::Manifest, message);
    let as_of =
        crate::lead::time::parse_rfc3339(&entry.as_of).map_err(|e| manifest(format!("as_of: {e}")))?;
    let lead = match (entry.lead, entry.lead_file) {
        (Some(json), None) => json,
        (None, Some(file)) => read_file(&file, crate::lead::input::MAX_LEAD_BYTES)
            .map_err(|p| problem(p.kind, format!("lead_file: {}", p.message)))?,
        _ => return Err(manifest("give exactly one of `lead` (JSON) or `lead_file`".into())),
    };
    let params = entry
        .params
        .iter()
        .map(|(n, v)| {
            ParamValue::from_toml(v).map(|v| (n.clone(), v)).map_err(|e| manifest(format!("params.{n}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    Ok(crate::authoring::casebook::TestCase {
        name: name.as_str().into(),
        as_of,
        lead,
        params,
        expect: entry.expect,
    })
}

/// Reads `file`, as a manifest names it, from the pack directory `dir`
/// (canonical) only: a relative path without `..`, inside `dir` once
/// symbolic links are resolved, a regular file of at most `limit` bytes.
fn read_in_pack(dir: &Path, file: &str, limit: usize) -> Result<String, Problem> {
    let refuse = |why: &str| Problem::new(ProblemKind::Io, format!("cannot read {file:?}: {why}"));
    let path = Path::new(file);
    if file.is_empty() {
        return Err(refuse("the path is empty"));
    }
    for component in path.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(refuse("`..` is refused: a pack reads files from its own directory only"))
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse(
                    "an absolute path is refused: a pack reads files from its own directory only",
                ))
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
fn read_bounded(path: &Path, shown: &str, limit: usize) -> Result<String, Problem> {
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

fn embedded(manifest: &str, files: &[(&str, &'static str)]) -> Pack {
    let read = |file: &str, _: usize| {
        files
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(_, s)| (*s).to_owned())
            .ok_or_else(|| Problem::new(ProblemKind::Io, format!("{file} is not embedded")))
    };
    match Pack::from_manifest(manifest, &read) {
        Ok(pack) => pack,
        // The shipped packs are checked by this crate's tests.
        Err(e) => unreachable!("shipped pack is invalid: {e}"),
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn content_hash(
    name: &str,
    version: &str,
    criteria: &[Text],
    params: &[(Text, ParamValue)],
    channels: &[(Channel, Direction)],
    rules: &[RuleSource],
) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field("leadgate-pack/1");
    field(name);
    field(version);
    criteria.iter().for_each(|c| field(c));
    field("params");
    for (n, v) in params {
        field(n);
        field(&v.to_string());
    }
    // Only when declared, so that packs without them keep their hash.
    if !channels.is_empty() {
        field("channels");
        for (c, d) in channels {
            field(&c.name());
            field(d.as_str());
        }
    }
    for r in rules {
        field(&r.name);
        field(&r.source);
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Line and column lookups in a text, each in time proportional to the
/// distance from the previous lookup rather than from the start: loading a
/// pack stays linear in its size.
struct Lines<'a> {
    text: &'a str,
    /// The byte offset of each line's start.
    starts: Vec<usize>,
    /// The last lookup: its offset and column.
    last: Cell<(usize, usize)>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
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
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= self.clamp(offset))
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_packs_load() {
        assert_eq!(Pack::b2b_bant().name(), "b2b-bant");
        assert_eq!(Pack::meddic().criteria().len(), 6);
    }

    #[test]
    fn manifest_errors_have_a_position() {
        let err = Pack::from_toml("name = \"x\"\nversion = 1\n").unwrap_err();
        let loc = err.problems()[0].location().unwrap();
        assert_eq!((loc.script.as_str(), loc.line), ("pack.toml", 2));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = Pack::from_toml(
            "name = \"x\"\nversion = \"1\"\ncriteria = [\"a\", \"a\"]\n[params]\nmql_threshold = \"high\"\n\
             [points]\nwebnar = 5\n[[rules]]\nname = \"points\"\nscript = \"\"\n",
        )
        .unwrap_err();
        // The point table's typo is found while reading; the rest once the manifest is read.
        assert_eq!(err.problems().len(), 1, "{err}");
        assert!(err.to_string().contains("did you mean \"webinar\""));
        let err = Pack::from_toml(
            "name = \"x\"\nversion = \"1\"\ncriteria = [\"a\", \"a\"]\n[params]\nmql_threshold = \"high\"\n\
             [[rules]]\nname = \"points\"\nscript = \"\"\n",
        )
        .unwrap_err();
        assert_eq!(err.problems().len(), 3, "{err}");
    }

    #[test]
    fn hash_depends_on_content_only() {
        let a = Pack::from_script("a", "decision.fit(1, \"x\")").unwrap();
        let b = Pack::from_script("a", "decision.fit(1, \"x\")").unwrap();
        let c = Pack::from_script("a", "decision.fit(2, \"x\")").unwrap();
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), c.hash());
    }

    #[test]
    fn lines_and_columns() {
        let text = "ab\néé x\n\nz";
        let lines = Lines::new(text);
        let expect = |offset: usize| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            (line, before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1)
        };
        // In order, out of order, and again: the same as counting from the start.
        let offsets: Vec<usize> = (0..=text.len()).filter(|&o| text.is_char_boundary(o)).collect();
        for &o in offsets.iter().chain(offsets.iter().rev()).chain(&[5, 2, 7, 0, 11]) {
            assert_eq!(lines.line_col(o), expect(o), "offset {o}");
            assert_eq!(lines.line(o), expect(o).0, "offset {o}");
        }
    }

    #[test]
    fn inline_rule_lines_map_to_the_manifest() {
        let pack = Pack::from_toml(
            "name = \"x\"\nversion = \"1\"\n[[rules]]\nname = \"r\"\nscript = '''\nline one\n'''\n",
        )
        .unwrap();
        assert_eq!(pack.rules[0].line_offset, 5);
        assert_eq!(pack.rules[0].source, "line one\n");
    }
}

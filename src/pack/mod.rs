//! Rule packs in source form: a manifest (name, version, criteria,
//! parameters, point table, channels) and the rules (decision tables and
//! Rhai scripts), loaded and checked but not yet compiled, and the problems
//! a pack can have.
//!
//! Under 500 lines of code; the unit tests at the end make the file longer.

use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

pub(crate) mod account;
pub(crate) mod cases;
pub(crate) mod fields;
mod manifest;
pub(crate) mod params;
mod problem;
pub(crate) mod table;

use crate::{Assessment, Channel, Direction, Text};
use manifest::{MANIFEST, read_bounded, read_in_pack};
pub use params::ParamValue;
use params::known;
pub use problem::{Location, PackError, Problem, ProblemKind};

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
    pub(crate) table: Option<std::sync::Arc<crate::pack::table::TableSource>>,
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
    /// The criteria, all unknown: what each decision starts from, shared by
    /// every qualifier built from this pack or a clone of it.
    pub(crate) assessment: std::sync::Arc<Assessment>,
    pub(crate) params: Vec<(Text, ParamValue)>,
    /// Custom channels declared in `[channels]`, sorted, with their direction.
    channels: Vec<(Channel, Direction)>,
    pub(crate) rules: Vec<RuleSource>,
    pub(crate) tests: Vec<crate::pack::cases::TestCase>,
    /// The `[account]` section, if the pack decides accounts.
    pub(crate) account: Option<account::AccountSpec>,
    hash: String,
}

/// The largest rule file [`Pack::load`] reads, in bytes: the default
/// [`Limits::max_source_size`](crate::Limits::max_source_size).
pub(crate) const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// The names the engine's own steps go by in decisions: the point table,
/// the caps and the lifecycle (holds, SQL-ready, recycling).
pub(crate) const RESERVED_RULES: [&str; 3] = ["points", "caps", "lifecycle"];

impl Pack {
    /// The largest `pack.toml` [`Pack::load`] reads, in bytes (1 MiB).
    ///
    /// ```
    /// assert_eq!(leadgate::Pack::MAX_MANIFEST_BYTES, 1_048_576);
    /// ```
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
    /// [`Limits::max_source_size`](crate::Limits::max_source_size), a lead up to
    /// [`MAX_LEAD_BYTES`](crate::lead::MAX_LEAD_BYTES). A file that breaks these
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
        let max_source = MAX_SOURCE_BYTES;
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
    ///
    /// ```
    /// use leadgate::Pack;
    /// let pack = Pack::from_toml("name = \"p\"\nversion = \"2.1.0\"\n")?;
    /// assert_eq!((pack.name(), pack.version(), pack.rules().count()), ("p", "2.1.0", 0));
    /// let with_file = "name = \"p\"\nversion = \"1\"\n[[rules]]\nname = \"fit\"\nfile = \"fit.rhai\"\n";
    /// assert_eq!(
    ///     Pack::from_toml(with_file).unwrap_err().to_string(),
    ///     "rule \"fit\": rule file \"fit.rhai\" cannot be read: this pack was not loaded from a directory"
    /// );
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
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
        // Read once per process: each call is a clone, so qualifiers built
        // from any of them share the tables resolved with its own values.
        static PACK: LazyLock<Pack> =
            LazyLock::new(|| embedded(include_str!("../../packs/b2b-bant/pack.toml"), &[]));
        PACK.clone()
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
        static PACK: LazyLock<Pack> = LazyLock::new(|| {
            embedded(
                include_str!("../../packs/meddic/pack.toml"),
                &[("meddic.rhai", include_str!("../../packs/meddic/meddic.rhai"))],
            )
        });
        PACK.clone()
    }

    /// The pack's name.
    ///
    /// ```
    /// let pack = leadgate::Pack::from_script("my-rule", r#"decision.fit(10, "Any lead")"#)?;
    /// assert_eq!(pack.name(), "my-rule");
    /// assert_eq!(pack.rules().collect::<Vec<_>>(), ["my_rule"]); // the rule's name is made valid
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pack's version, as its author wrote it.
    ///
    /// ```
    /// let pack = leadgate::Pack::from_toml("name = \"p\"\nversion = \"2026.11-rc1\"\n")?;
    /// assert_eq!(pack.version(), "2026.11-rc1"); // not checked as semver
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The pack's description.
    ///
    /// ```
    /// use leadgate::Pack;
    /// let pack = Pack::from_toml("name = \"p\"\nversion = \"1\"\ndescription = \"Trial sign-ups\"\n")?;
    /// assert_eq!(pack.description(), Some("Trial sign-ups"));
    /// assert_eq!(Pack::from_script("s", "")?.description(), None);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The qualification criteria, in order (BANT unless the pack says otherwise).
    ///
    /// ```
    /// use leadgate::{Assessment, Pack};
    /// let pack = Pack::from_toml("name = \"p\"\nversion = \"1\"\ncriteria = [\"need\", \"authority\"]\n")?;
    /// assert_eq!(pack.criteria(), ["need", "authority"]);
    /// assert_eq!(Pack::from_script("s", "")?.criteria(), Assessment::BANT);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn criteria(&self) -> &[Text] {
        &self.criteria
    }

    /// The declared parameters and their defaults, sorted by name. The point
    /// table appears as `points.<channel>` parameters.
    ///
    /// ```
    /// use leadgate::Pack;
    /// use leadgate::pack::ParamValue;
    /// let pack = Pack::b2b_bant();
    /// let (_, mql) = pack.params().find(|(n, _)| *n == "mql_threshold").unwrap();
    /// assert_eq!(mql, &ParamValue::Int(60));
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
    ///
    /// ```
    /// let pack = leadgate::Pack::b2b_bant();
    /// assert_eq!(
    ///     pack.rules().collect::<Vec<_>>(),
    ///     ["screen", "fit", "budget", "authority", "need", "timeline", "engagement"]
    /// );
    /// ```
    pub fn rules(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.name.as_str())
    }

    /// The names of the account rules (`[[account.rules]]`), in run order;
    /// none when the pack has no `[account]` section.
    ///
    /// ```
    /// let pack = leadgate::Pack::b2b_bant();
    /// assert_eq!(pack.account_rules().collect::<Vec<_>>(), ["account_screen", "account_fit", "buying_group"]);
    /// ```
    pub fn account_rules(&self) -> impl Iterator<Item = &str> {
        self.account.iter().flat_map(|a| &a.rules).map(|r| r.name.as_str())
    }

    /// The description of rule `name`, if it has one.
    ///
    /// ```
    /// let pack = leadgate::Pack::b2b_bant();
    /// assert_eq!(
    ///     pack.rule_description("fit"),
    ///     Some("Who the lead is: industry, size, seniority, country, email.")
    /// );
    /// assert_eq!(pack.rule_description("no_such_rule"), None);
    /// ```
    pub fn rule_description(&self, name: &str) -> Option<&str> {
        self.rules.iter().find(|r| r.name == name).and_then(|r| r.description.as_deref())
    }

    /// A SHA-256 of the pack's content (name, version, criteria, parameter
    /// defaults and rule sources), as 64 hex digits. Two packs with the same
    /// hash decide identically under the same parameters.
    ///
    /// ```
    /// use leadgate::Pack;
    /// let a = Pack::from_script("a", r#"decision.fit(10, "x")"#)?;
    /// let b = Pack::from_script("a", r#"decision.fit(10, "x")"#)?;
    /// let c = Pack::from_script("a", r#"decision.fit(20, "x")"#)?;
    /// assert_eq!(a.hash(), b.hash());
    /// assert_ne!(a.hash(), c.hash());
    /// assert_eq!(a.hash().len(), 64);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn hash(&self) -> &str {
        &self.hash
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
        Ok(Pack {
            name,
            version,
            description,
            // Kept for the process: every decision names them.
            assessment: std::sync::Arc::new(Assessment::new(criteria.iter().map(|c| Text::kept(c)))),
            criteria,
            params,
            channels,
            rules,
            tests: Vec::new(),
            account: None,
            hash,
        })
    }
}

impl Pack {
    /// Adds the `[account]` section; the hash covers it (a pack without
    /// one keeps the hash it always had).
    fn set_account(&mut self, account: account::AccountSpec) {
        let mut h = Sha256::new();
        for part in ["leadgate-account/1", self.hash.as_str(), &account.canonical()] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        self.hash = hex(&h.finalize());
        self.account = Some(account);
    }
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
             [points]\nwebnar = 5\n[channels]\n\"custom:pod\" = \"inbund\"\n\
             [[rules]]\nname = \"points\"\nscript = \"\"\n[[rules]]\nname = \"t\"\ntable = [{ industy = \"x\", fit = 1, reason = \"r\" }]\n",
        )
        .unwrap_err();
        let found: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "[points]: unknown channel \"webnar\" (did you mean \"webinar\"?); use a built-in channel or \"custom:<name>\"",
                "[channels] custom:pod: unknown direction \"inbund\" (did you mean \"inbound\"?)",
                "pack.toml:15:9: rule \"t\": row 1: unknown lead field \"industy\" (did you mean \"industry\"?)",
                "criterion \"a\" is declared twice",
                "rule \"points\": this name is reserved for the engine",
                "parameter \"mql_threshold\" must be a number, got string \"high\"",
            ]
        );
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
        let lines = manifest::Lines::new(text);
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

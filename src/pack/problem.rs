//! What can be wrong with a pack, and where: every problem found is
//! reported at once.

use std::fmt;

use crate::Text;

/// Where in a pack's sources something is: the script (a file name, or
/// `pack.toml` for inline rules), and a 1-based line and column (0 when
/// unknown).
///
/// ```
/// let err = leadgate::Pack::from_toml("name = \"p\"\nversion = 1\n").unwrap_err();
/// let at = err.problems()[0].location().unwrap();
/// assert_eq!((at.script.as_str(), at.line, at.column), ("pack.toml", 2, 11));
/// assert_eq!(at.to_string(), "pack.toml:2:11");
/// ```
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
///
/// ```
/// use leadgate::Pack;
/// use leadgate::pack::ProblemKind;
/// let kind = |toml: &str| Pack::from_toml(toml).unwrap_err().problems()[0].kind();
/// assert_eq!(kind("name = \"p\""), ProblemKind::Manifest); // no version
/// assert_eq!(kind("name = \"p\"\nversion = \"1\"\n[params]\nmql_threshold = \"high\"\n"), ProblemKind::Param);
/// assert_eq!(kind("name = \"\"\nversion = \"1\"\n"), ProblemKind::Invalid);
/// ```
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
    /// use leadgate::pack::ProblemKind;
    /// assert!(ProblemKind::UnusedParam.is_warning());
    /// assert!(!ProblemKind::Syntax.is_warning());
    /// ```
    pub const fn is_warning(self) -> bool {
        matches!(self, ProblemKind::UnusedParam | ProblemKind::UndeclaredChannel)
    }
}

/// One problem found in a pack.
///
/// ```
/// let err = leadgate::Pack::from_toml(r#"
/// name = "p"
/// version = "1"
/// [[rules]]
/// name = "t"
/// table = [{ industy = "x", fit = 1, reason = "r" }]
/// "#).unwrap_err();
/// assert_eq!(
///     err.problems()[0].to_string(),
///     "pack.toml:6:9: rule \"t\": row 1: unknown lead field \"industy\" (did you mean \"industry\"?)"
/// );
/// ```
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
    ///
    /// ```
    /// use leadgate::pack::ProblemKind;
    /// let err = leadgate::Pack::from_toml("name = \"p\"\nversion = \"1\"\ncolour = \"red\"\n").unwrap_err();
    /// assert_eq!(err.problems()[0].kind(), ProblemKind::Manifest);
    /// ```
    pub fn kind(&self) -> ProblemKind {
        self.kind
    }

    /// The rule it is in, if any.
    ///
    /// ```
    /// use leadgate::Pack;
    /// let err = Pack::from_toml("name = \"p\"\nversion = \"1\"\n[[rules]]\nname = \"t\"\ntable = [{ industy = \"x\", fit = 1, reason = \"r\" }]\n").unwrap_err();
    /// assert_eq!(err.problems()[0].rule(), Some("t"));
    /// let err = Pack::from_toml("name = \"\"\nversion = \"1\"\n").unwrap_err();
    /// assert_eq!(err.problems()[0].rule(), None); // the pack's name
    /// ```
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// Where it is, if known.
    ///
    /// ```
    /// use leadgate::Pack;
    /// let err = Pack::from_toml("name = \"p\"\nversion = \"1\"\n[[rules]]\nname = \"t\"\ntable = [{ industy = \"x\", fit = 1, reason = \"r\" }]\n").unwrap_err();
    /// let at = err.problems()[0].location().unwrap();
    /// assert_eq!((at.line, at.column), (5, 9));
    /// let err = Pack::from_toml("name = \"\"\nversion = \"1\"\n").unwrap_err();
    /// assert_eq!(err.problems()[0].location(), None);
    /// ```
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// What is wrong.
    ///
    /// ```
    /// let err = leadgate::Pack::from_toml("name = \"p\"\nversion = \"1\"\n[[rules]]\nname = \"t\"\ntable = [{ industy = \"x\", fit = 1, reason = \"r\" }]\n").unwrap_err();
    /// assert_eq!(err.problems()[0].message(), "row 1: unknown lead field \"industy\" (did you mean \"industry\"?)");
    /// ```
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
/// use leadgate::{Pack, Qualifier};
/// use leadgate::pack::ProblemKind;
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
    pub(super) problems: Vec<Problem>,
}

impl PackError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        PackError { problems }
    }

    /// Every problem found, in source order.
    ///
    /// ```
    /// let err = leadgate::Pack::from_toml("name = \" \"\nversion = \"\"\n").unwrap_err();
    /// let messages: Vec<&str> = err.problems().iter().map(|p| p.message()).collect();
    /// assert_eq!(messages, ["the pack name must not be empty", "the pack version must not be empty"]);
    /// assert_eq!(err.to_string(), messages.join("\n"));
    /// ```
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

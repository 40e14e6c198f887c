//! Why a lead could not be decided.

use std::fmt;

use rhai::EvalAltResult;

use super::CompiledRule;
use crate::account::AccountKey;
use crate::pack::Location;
use crate::{Lead, Text};

/// The longest thrown value an error message shows.
const MAX_MESSAGE: usize = 4096;

/// Why a lead could not be evaluated.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::engine::EvalErrorKind;
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
/// let results = q.evaluate_batch(&[lead.clone(), lead], "2026-11-23T00:00:00Z".parse()?);
/// assert!(results[0].is_ok());
/// let err = results[1].as_ref().unwrap_err();
/// assert_eq!(err.kind(), EvalErrorKind::DuplicateId);
/// assert!(!err.is_limit());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvalErrorKind {
    /// A rule ran more operations than [`Limits::max_operations`](crate::Limits::max_operations).
    TooManyOperations,
    /// Calls nested deeper than [`Limits::max_call_depth`](crate::Limits::max_call_depth).
    TooDeep,
    /// A string, array or map grew past its limit, or too many variables.
    TooLarge,
    /// The script failed: a type error, an unknown property or parameter, a
    /// division by zero, a `throw`...
    Script,
    /// The rules ran longer than [`Limits::deadline`](crate::Limits::deadline).
    Deadline,
    /// An earlier lead of the same batch has this lead's id; the first one was
    /// decided, this one is reported rather than merged.
    DuplicateId,
    /// `as_of` is before the lead's `created_at`: there was no lead to decide
    /// about then. Replays start at a lead's creation.
    BeforeCreated,
    /// A bug in leadgate or rhai, caught so the host keeps running. Please report it.
    Panic,
}

/// A lead that could not be evaluated: which lead, which rule, where in the
/// script, and why. Other leads of a batch are not affected.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::engine::EvalErrorKind;
///
/// // A lead without touchpoints makes this rule divide by zero.
/// let q = Qualifier::new(&Pack::from_script("ratio", "\nlet per_touch = 100 / lead.touches();")?)?;
/// let lead = Lead::new("L-9", "2026-11-01T00:00:00Z".parse()?);
/// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
/// assert_eq!(err.kind(), EvalErrorKind::Script);
/// assert_eq!(err.lead_id(), "L-9");
/// assert_eq!(err.rule(), Some("ratio"));
/// assert_eq!(err.location().unwrap().line, 2);
/// assert!(err.to_string().contains("Division by zero"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EvalError {
    lead_id: Text,
    account: Option<Text>,
    pub(super) rule: Option<Text>,
    location: Option<Location>,
    kind: EvalErrorKind,
    message: String,
}

impl EvalError {
    pub(super) fn new(
        lead: &Lead,
        rule: Option<Text>,
        location: Option<Location>,
        kind: EvalErrorKind,
        message: String,
    ) -> Self {
        EvalError { lead_id: lead.id.clone(), account: None, rule, location, kind, message }
    }

    /// An error of `account` itself, not of one of its contacts.
    pub(super) fn new_for_account(
        account: &AccountKey,
        rule: Option<Text>,
        kind: EvalErrorKind,
        message: String,
    ) -> Self {
        EvalError {
            lead_id: Text::default(),
            account: Some(account.as_str().into()),
            rule,
            location: None,
            kind,
            message,
        }
    }

    /// A contact's error, met deciding `account`.
    pub(super) fn in_account(mut self, account: &AccountKey) -> Self {
        self.account = Some(account.as_str().into());
        self
    }

    /// An account rule's error: a table's (`rule` named, no position) or a
    /// script's (`script` given, located in its source).
    pub(super) fn account_from_script(
        account: &AccountKey,
        rule: Option<Text>,
        script: Option<&CompiledRule>,
        err: EvalAltResult,
    ) -> Self {
        let mut e = EvalError::located(Text::default(), script, err);
        e.account = Some(account.as_str().into());
        e.rule = e.rule.or(rule);
        e
    }

    pub(super) fn from_script(lead: &Lead, rule: Option<&CompiledRule>, err: EvalAltResult) -> Self {
        EvalError::located(lead.id.clone(), rule, err)
    }

    fn located(lead_id: Text, rule: Option<&CompiledRule>, mut err: EvalAltResult) -> Self {
        let pos = err.take_position();
        let (kind, message) = kind_and_message(&err);
        let location = rule.map(|rule| Location {
            script: rule.script.clone(),
            line: pos
                .line()
                .filter(|&l| l > rule.block_line)
                .map_or(0, |l| l - rule.block_line + rule.line_offset),
            column: pos.position().unwrap_or(0),
        });
        EvalError { lead_id, account: None, rule: rule.map(|r| r.name.clone()), location, kind, message }
    }

    /// The id of the lead.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # let q = Qualifier::new(&Pack::from_script("check", r#"throw "no industry""#)?)?;
    /// let lead = Lead::new("L-7", "2026-11-01T00:00:00Z".parse()?);
    /// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.lead_id(), "L-7");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lead_id(&self) -> &str {
        &self.lead_id
    }

    /// The account being decided, when the error came from
    /// [`Qualifier::evaluate_account`](crate::Qualifier::evaluate_account):
    /// then [`lead_id`](Self::lead_id) is the contact that failed, or empty
    /// when the account itself did (its rules, or two contacts with one id).
    ///
    /// ```
    /// use leadgate::{Lead, Pack, Qualifier};
    /// use leadgate::account::{Account, AccountKey};
    /// let q = Qualifier::new(&Pack::b2b_bant())?;
    /// let lead = Lead::new("L-7", "2026-11-10T00:00:00Z".parse()?);
    /// let account = Account::new(AccountKey::Id("A-1".into()), [&lead]);
    /// let err = q.evaluate_account(&account, "2026-11-01T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!((err.account(), err.lead_id()), (Some("A-1"), "L-7"));
    /// assert!(err.to_string().starts_with(r#"account "A-1": lead "L-7": as_of"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The rule that failed, if a rule did.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::from_script("check", r#"throw "no industry""#)?)?;
    /// let lead = Lead::new("L-7", "2026-11-10T00:00:00Z".parse()?);
    /// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.rule(), Some("check"));
    /// // No rule ran: the lead did not exist yet.
    /// let err = q.evaluate(&lead, "2026-11-01T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.rule(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// Where in the rule's script.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::from_script("check", "let x = 1;\nthrow \"no industry\";")?)?;
    /// let lead = Lead::new("L-7", "2026-11-01T00:00:00Z".parse()?);
    /// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
    /// let location = err.location().unwrap();
    /// assert_eq!((location.line, location.column), (2, 1));
    /// assert_eq!(location.to_string(), "check.rhai:2:1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// What kind of failure.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// use leadgate::engine::EvalErrorKind;
    /// let q = Qualifier::new(&Pack::from_script("ratio", "let r = 100 / lead.touches();")?)?;
    /// let lead = Lead::new("L-7", "2026-11-01T00:00:00Z".parse()?);
    /// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.kind(), EvalErrorKind::Script);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> EvalErrorKind {
        self.kind
    }

    /// Whether a resource limit stopped the rule (operations, depth, size).
    ///
    /// ```
    /// # use leadgate::{Lead, Limits, Pack, Qualifier};
    /// let pack = Pack::from_script("big", r#"let s = "0123456789"; s += s; s += s; s += s; s += s; s += s; s += s; s += s;"#)?;
    /// let mut limits = Limits::default();
    /// limits.max_string_size = 1000;
    /// let q = Qualifier::builder(&pack).limits(limits).build()?;
    /// let err = q.evaluate(&Lead::new("a", "2026-11-01T00:00:00Z".parse()?), "2026-11-02T00:00:00Z".parse()?).unwrap_err();
    /// assert!(err.is_limit());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_limit(&self) -> bool {
        matches!(
            self.kind,
            EvalErrorKind::TooManyOperations
                | EvalErrorKind::TooDeep
                | EvalErrorKind::TooLarge
                | EvalErrorKind::Deadline
        )
    }

    /// What went wrong, without the location.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// let q = Qualifier::new(&Pack::from_script("check", r#"throw "no industry""#)?)?;
    /// let lead = Lead::new("L-7", "2026-11-01T00:00:00Z".parse()?);
    /// let err = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.message(), "no industry");
    /// assert_eq!(err.to_string(), r#"lead "L-7": rule "check" (check.rhai:1:1): no industry"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What kind of failure a rhai error is, and its message, bounded.
fn kind_and_message(err: &EvalAltResult) -> (EvalErrorKind, String) {
    let kind = match *err {
        EvalAltResult::ErrorTooManyOperations(..) => EvalErrorKind::TooManyOperations,
        EvalAltResult::ErrorStackOverflow(..) => EvalErrorKind::TooDeep,
        EvalAltResult::ErrorDataTooLarge(..) | EvalAltResult::ErrorTooManyVariables(..) => {
            EvalErrorKind::TooLarge
        }
        EvalAltResult::ErrorTerminated(ref token, _)
            if token.is::<crate::engine::sandbox::DeadlineExceeded>() =>
        {
            EvalErrorKind::Deadline
        }
        _ => EvalErrorKind::Script,
    };
    let message = match err {
        _ if kind == EvalErrorKind::Deadline => "the rules took longer than the deadline".to_owned(),
        // Bounded: a thrown value may be a large or deeply nested list.
        EvalAltResult::ErrorRuntime(value, _) => crate::engine::stdlib::show(value, MAX_MESSAGE)
            .unwrap_or_else(|| format!("a thrown {} too large to show", value.type_name())),
        other => other.to_string(),
    };
    (kind, message)
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(account) = &self.account {
            write!(f, "account {:?}: ", account.as_str())?;
        }
        if !self.lead_id.is_empty() {
            write!(f, "lead {:?}: ", self.lead_id.as_str())?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "rule {:?}", rule.as_str())?;
            if let Some(loc) = &self.location {
                write!(f, " ({loc})")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

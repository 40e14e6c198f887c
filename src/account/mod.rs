//! Accounts: the company a group of leads buys for, decided as one.
//!
//! B2B purchases are made by a buying group, several people at one company.
//! This module groups leads into [`Account`]s and holds what deciding one
//! says, an [`AccountDecision`]; [`Qualifier::evaluate_account`](crate::Qualifier::evaluate_account)
//! makes it, with the `[account]` section of the pack.
//!
//! # Grouping
//!
//! A lead belongs to the account its [`account_id`](crate::Lead::account_id)
//! names, when it has one (surrounding spaces removed, compared exactly).
//! Otherwise it belongs to the account of its company's domain, or failing
//! that of its email address's domain, normalised: lower case, without a
//! scheme (`https://`), a path, a port, a trailing dot or a leading `www.`,
//! so `https://www.Acme.com/about` and `kim@acme.com` are both `acme.com`.
//! A free-mail domain (`gmail.com`, `outlook.com`...) never forms an
//! account, and neither does text that is not a domain: such a lead is
//! [unassigned](Grouping::unassigned).
//!
//! Grouping does not depend on the order of the leads: accounts come sorted
//! by key, and each account's contacts by lead id.
//!
//! ```
//! use leadgate::Lead;
//! use leadgate::account::{self, AccountKey};
//!
//! let at = "2026-11-01T00:00:00Z".parse()?;
//! let mut kim = Lead::new("L-1", at);
//! kim.person.email = Some("kim@acme.com".into());
//! let mut lou = Lead::new("L-2", at);
//! lou.company.domain = Some("https://www.ACME.com/".into());
//! let mut max = Lead::new("L-3", at);
//! max.person.email = Some("max@gmail.com".into());
//!
//! let grouping = account::group([&kim, &lou, &max]);
//! assert_eq!(grouping.accounts.len(), 1);
//! assert_eq!(grouping.accounts[0].key, AccountKey::Domain("acme.com".into()));
//! assert_eq!(grouping.accounts[0].contact_ids().collect::<Vec<_>>(), ["L-1", "L-2"]);
//! assert_eq!(grouping.unassigned.len(), 1); // a free-mail address forms no account
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Lead, Text};

mod decision;

pub use decision::{AccountDecision, AccountGap, AccountHandoff, ContactSummary, RoleCoverage};

/// What groups leads into one account: the host's account id, or the
/// company's normalised domain.
///
/// In JSON, `{"id": "A-1"}` or `{"domain": "acme.com"}`.
///
/// ```
/// use leadgate::account::AccountKey;
/// let key = AccountKey::Domain("acme.com".into());
/// assert_eq!(key.to_string(), "acme.com");
/// assert_eq!(serde_json::to_string(&key)?, r#"{"domain":"acme.com"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountKey {
    /// The lead's `account_id`, as the host gave it.
    Id(Text),
    /// A company domain, normalised.
    Domain(Text),
}

impl AccountKey {
    /// The account a lead belongs to, or `None` when it names no account
    /// and has no company domain (only free mail, or nothing).
    ///
    /// ```
    /// use leadgate::Lead;
    /// use leadgate::account::AccountKey;
    /// let mut lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
    /// lead.person.email = Some("kim@gmail.com".into());
    /// assert_eq!(AccountKey::of(&lead), None);
    /// lead.company.domain = Some("www.acme.io".into());
    /// assert_eq!(AccountKey::of(&lead), Some(AccountKey::Domain("acme.io".into())));
    /// lead.account_id = Some(" 0015g00000XyZ ".into());
    /// assert_eq!(AccountKey::of(&lead), Some(AccountKey::Id("0015g00000XyZ".into())));
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn of(lead: &Lead) -> Option<AccountKey> {
        if let Some(id) = lead.account_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
            return Some(AccountKey::Id(id.into()));
        }
        [lead.company.domain.as_deref(), lead.person.email.as_deref()]
            .into_iter()
            .flatten()
            .find_map(company_domain)
            .map(|d| AccountKey::Domain(d.into()))
    }

    /// The id or the domain.
    ///
    /// ```
    /// use leadgate::account::AccountKey;
    /// assert_eq!(AccountKey::Id("A-1".into()).as_str(), "A-1");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            AccountKey::Id(t) | AccountKey::Domain(t) => t.as_str(),
        }
    }
}

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The longest domain name DNS allows.
const MAX_DOMAIN: usize = 253;

/// `text` (a domain, a URL or an email address) as a company's domain:
/// normalised, and `None` for free mail or for what is not a domain.
///
/// ```
/// use leadgate::account::company_domain;
/// assert_eq!(company_domain("HTTPS://www.Acme.com:443/pricing?x=1").as_deref(), Some("acme.com"));
/// assert_eq!(company_domain("kim@Sales.Acme.co.uk").as_deref(), Some("sales.acme.co.uk"));
/// assert_eq!(company_domain("acme.com.").as_deref(), Some("acme.com"));
/// assert_eq!(company_domain("kim@gmail.com"), None);
/// assert_eq!(company_domain("not a domain"), None);
/// assert_eq!(company_domain("localhost"), None);
/// ```
pub fn company_domain(text: &str) -> Option<String> {
    let text = text.trim();
    // An email address: the part after the last `@`.
    let text = text.rsplit_once('@').map_or(text, |(_, domain)| domain);
    let text = match text.find("://") {
        Some(i) => &text[i + 3..],
        None => text.strip_prefix("//").unwrap_or(text),
    };
    let host = text.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.split_once(':').map_or(host, |(host, _port)| host);
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > MAX_DOMAIN {
        return None;
    }
    let mut domain = host.to_ascii_lowercase();
    if let Some(rest) = domain.strip_prefix("www.") {
        domain = rest.to_owned();
    }
    let valid = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let free = crate::lead::is_free_mail(&domain);
    (valid && !free).then_some(domain)
}

/// The leads of one account: its contacts, sorted by id.
///
/// ```
/// use leadgate::Lead;
/// use leadgate::account::{Account, AccountKey};
/// let at = "2026-11-01T00:00:00Z".parse()?;
/// let (b, a) = (Lead::new("L-2", at), Lead::new("L-1", at));
/// let account = Account::new(AccountKey::Id("A-1".into()), [&b, &a]);
/// assert_eq!(account.contact_ids().collect::<Vec<_>>(), ["L-1", "L-2"]);
/// # Ok::<(), chrono::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Account<'a> {
    /// What groups them.
    pub key: AccountKey,
    /// The contacts, sorted by lead id.
    pub contacts: Vec<&'a Lead>,
}

impl<'a> Account<'a> {
    /// An account of `contacts`, whatever their order; the host's own
    /// grouping, or one made by [`group`].
    pub fn new(key: AccountKey, contacts: impl IntoIterator<Item = &'a Lead>) -> Self {
        let mut contacts: Vec<&Lead> = contacts.into_iter().collect();
        contacts.sort_by(|a, b| a.id.cmp(&b.id));
        Account { key, contacts }
    }

    /// The contacts' lead ids, in order.
    pub fn contact_ids(&self) -> impl Iterator<Item = &str> {
        self.contacts.iter().map(|l| l.id.as_str())
    }
}

/// Leads grouped into accounts by [`group`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Grouping<'a> {
    /// Every account, sorted by key.
    pub accounts: Vec<Account<'a>>,
    /// Leads with no account: no account id, and no company domain.
    pub unassigned: Vec<&'a Lead>,
}

/// Groups `leads` into accounts (see the [module docs](self) for the
/// rules). Linear in the leads, but for the sort.
///
/// ```
/// use leadgate::Lead;
/// use leadgate::account;
/// let at = "2026-11-01T00:00:00Z".parse()?;
/// let mut a = Lead::new("L-1", at);
/// a.account_id = Some("A-7".into());
/// a.company.domain = Some("acme.com".into()); // the account id comes first
/// let mut b = Lead::new("L-2", at);
/// b.company.domain = Some("acme.com".into());
/// let leads = [a, b];
/// let grouping = account::group(&leads);
/// let keys: Vec<String> = grouping.accounts.iter().map(|a| a.key.to_string()).collect();
/// assert_eq!(keys, ["A-7", "acme.com"]);
/// # Ok::<(), chrono::ParseError>(())
/// ```
pub fn group<'a>(leads: impl IntoIterator<Item = &'a Lead>) -> Grouping<'a> {
    let mut accounts: BTreeMap<AccountKey, Vec<&Lead>> = BTreeMap::new();
    let mut unassigned = Vec::new();
    for lead in leads {
        match AccountKey::of(lead) {
            Some(key) => accounts.entry(key).or_default().push(lead),
            None => unassigned.push(lead),
        }
    }
    unassigned.sort_by(|a, b| a.id.cmp(&b.id));
    Grouping {
        accounts: accounts.into_iter().map(|(key, leads)| Account::new(key, leads)).collect(),
        unassigned,
    }
}

pub use rollup::Rollup;

mod rollup {
    crate::lead::keyword::keyword_enum! {
        /// How an account's engagement is rolled up from its contacts'
        /// engagement scores (each already decayed and capped by the lead
        /// rules); the `rollup` of a pack's `[account]` section.
        ///
        /// ```
        /// use leadgate::account::Rollup;
        /// assert_eq!("sum".parse::<Rollup>()?, Rollup::Sum);
        /// assert_eq!(Rollup::Top.as_str(), "top");
        /// # Ok::<(), leadgate::ValueError>(())
        /// ```
        pub enum Rollup as "roll-up method" {
            /// The sum over the contacts, each counting at most the pack's
            /// `contact_cap` points: breadth counts, but no one person
            /// makes an account.
            Sum = "sum",
            /// The sum of the `top` most engaged contacts.
            Top = "top",
            /// The most engaged contact alone.
            Max = "max",
        }
    }
}

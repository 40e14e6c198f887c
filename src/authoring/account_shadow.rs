//! Shadow comparison of accounts: the same accounts decided by the live
//! pack and by a candidate, and what would change about them.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::shadow::{Field, Short, only_in};
use crate::account::{Account, AccountDecision, AccountKey};
use crate::decision::{Contribution, PackId};
use crate::{EvalError, Qualifier, Text};

/// How one account's decision differs between the live and the candidate pack.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountChange {
    /// The account.
    pub account: AccountKey,
    /// What changed, in the order of [`Field`]'s variants; never empty.
    pub fields: Vec<Field>,
    /// The live pack's decision.
    pub before: AccountDecision,
    /// The candidate pack's decision.
    pub after: AccountDecision,
    /// Contributions only the candidate awards.
    pub added: Vec<Contribution>,
    /// Contributions only the live pack awards.
    pub removed: Vec<Contribution>,
}

/// An account one pack or both could not decide.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountFailure {
    /// The account.
    pub account: AccountKey,
    /// The live pack's error, if it failed.
    pub live: Option<EvalError>,
    /// The candidate's error, if it failed.
    pub candidate: Option<EvalError>,
}

/// What a candidate pack would change about a set of accounts, against the
/// live pack: [`shadow_compare_accounts`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountComparison {
    /// The live pack.
    pub live: Arc<PackId>,
    /// The candidate pack.
    pub candidate: Arc<PackId>,
    /// Accounts compared.
    pub accounts: usize,
    /// Accounts either pack could not decide.
    pub failed: Vec<AccountFailure>,
    /// For each field that changed on some account, on how many, in the
    /// order of [`Field`]'s variants.
    pub counts: Vec<(Field, usize)>,
    /// Every account that changed, in input order.
    pub changes: Vec<AccountChange>,
}

/// Decides every account with both packs and reports the differences:
/// the handoff as an MQA, the buying group handed over, the account's
/// criteria, grade, temperature, disqualification and score.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::account::{self, AccountKey};
/// use leadgate::authoring::{Field, shadow_compare_accounts};
///
/// let live = Qualifier::new(&Pack::b2b_bant())?;
/// // The candidate hands accounts over at 50 instead of 80.
/// let candidate = Qualifier::builder(&Pack::b2b_bant()).param("account_mqa_threshold", 50).build()?;
/// let contacts = [Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
///     "company": {"domain": "acme.com", "industry": "software", "employees": 300, "country": "US"},
///     "qualification": {"buying_role": "economic_buyer"},
///     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?];
/// let grouping = account::group(&contacts);
/// let report = shadow_compare_accounts(&live, &candidate, &grouping.accounts, "2026-11-23T00:00:00Z".parse()?);
/// let change = &report.changes[0];
/// assert_eq!(change.account, AccountKey::Domain("acme.com".into()));
/// assert_eq!(change.fields, [Field::Handoff, Field::BuyingGroup]);
/// assert_eq!(report.counts, [(Field::Handoff, 1), (Field::BuyingGroup, 1)]);
/// assert_eq!(report.to_string().lines().nth(1), Some("1 accounts: 1 changed, 0 unchanged, 0 failed"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn shadow_compare_accounts(
    live: &Qualifier,
    candidate: &Qualifier,
    accounts: &[Account<'_>],
    as_of: DateTime<Utc>,
) -> AccountComparison {
    let mut report = AccountComparison {
        live: Arc::new(live.pack().clone()),
        candidate: Arc::new(candidate.pack().clone()),
        accounts: accounts.len(),
        failed: Vec::new(),
        counts: Vec::new(),
        changes: Vec::new(),
    };
    for account in accounts {
        let (before, after) =
            match (live.evaluate_account(account, as_of), candidate.evaluate_account(account, as_of)) {
                (Ok(b), Ok(a)) => (b, a),
                (b, a) => {
                    let failure =
                        AccountFailure { account: account.key.clone(), live: b.err(), candidate: a.err() };
                    report.failed.push(failure);
                    continue;
                }
            };
        let fields = changed(&before, &after);
        if fields.is_empty() {
            continue;
        }
        for field in &fields {
            match report.counts.iter_mut().find(|(f, _)| f == field) {
                Some((_, n)) => *n += 1,
                None => report.counts.push((field.clone(), 1)),
            }
        }
        let added = only_in(&after.contributions, &before.contributions);
        let removed = only_in(&before.contributions, &after.contributions);
        report.changes.push(AccountChange {
            account: account.key.clone(),
            fields,
            before,
            after,
            added,
            removed,
        });
    }
    report.counts.sort_by_key(|(f, _)| f.order());
    report
}

/// What differs between two decisions of one account.
fn changed(before: &AccountDecision, after: &AccountDecision) -> Vec<Field> {
    let mut fields = Vec::new();
    if before.handoff.is_some() != after.handoff.is_some() {
        fields.push(Field::Handoff);
    }
    let group = |d: &AccountDecision| d.handoff.as_ref().map(|h| h.buying_group.clone()).unwrap_or_default();
    if group(before) != group(after) {
        fields.push(Field::BuyingGroup);
    }
    // A criterion only one pack has counts as changed, as for leads.
    let status = |d: &AccountDecision, name: &str| d.criteria.get(name).map(|c| c.status);
    let only_after = after.criteria.iter().filter(|(n, _)| before.criteria.get(n).is_none());
    for (name, _) in before.criteria.iter().chain(only_after) {
        if status(before, name) != status(after, name) {
            fields.push(Field::Criterion(Text::from(name)));
        }
    }
    if before.grade != after.grade {
        fields.push(Field::Grade);
    }
    if before.temperature != after.temperature {
        fields.push(Field::Temperature);
    }
    if before.disqualified.is_some() != after.disqualified.is_some() {
        fields.push(Field::Disqualified);
    }
    if before.score != after.score {
        fields.push(Field::Score);
    }
    fields
}

impl fmt::Display for AccountComparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} -> {}", Short(&self.live), Short(&self.candidate))?;
        let decided = self.accounts - self.failed.len();
        writeln!(
            f,
            "{} accounts: {} changed, {} unchanged, {} failed",
            self.accounts,
            self.changes.len(),
            decided - self.changes.len(),
            self.failed.len()
        )?;
        for (field, n) in &self.counts {
            writeln!(f, "  {:<24} {n}", field.to_string())?;
        }
        for change in &self.changes {
            let what: Vec<String> = change.fields.iter().map(Field::to_string).collect();
            writeln!(
                f,
                "{}: score {} -> {}; {}",
                change.account,
                change.before.score,
                change.after.score,
                what.join(", ")
            )?;
        }
        for failure in &self.failed {
            let error = failure.candidate.as_ref().or(failure.live.as_ref()).map(ToString::to_string);
            writeln!(f, "{}: failed: {}", failure.account, error.unwrap_or_default())?;
        }
        Ok(())
    }
}

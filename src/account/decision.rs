//! What deciding an account says. Its JSON is a public contract, like a
//! lead decision's.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::AccountKey;
use crate::decision::{Category, Contribution, PackId, RuleReason};
use crate::{Assessment, BuyingRole, Grade, Stage, Temperature, Text};

/// One contact of an account as the account decision counted it.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # use leadgate::account::{Account, AccountKey};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let kim = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
/// #     "company": {"industry": "software", "employees": 300},
/// #     "qualification": {"buying_role": "economic_buyer"},
/// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// # let lou = Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z",
/// #     "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "webinar"}]}"#)?;
/// # let account = Account::new(AccountKey::Id("A-1".into()), [&kim, &lou]);
/// # let d = q.evaluate_account(&account, "2026-11-23T00:00:00Z".parse()?)?;
/// let kim = &d.contacts[0];
/// assert_eq!((kim.lead_id.as_str(), kim.engaged, kim.disqualified), ("L-1", true, false));
/// assert_eq!((kim.engagement, kim.counted), (24, 24)); // a demo request three days ago, under the cap of 30
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactSummary {
    /// The lead's id.
    pub lead_id: Text,
    /// Its buying role, when known.
    pub role: Option<BuyingRole>,
    /// Its own decision's score.
    pub score: i64,
    /// Its own decision's engagement (decayed, capped).
    pub engagement: i64,
    /// The engagement points the account took from it by its roll-up.
    pub counted: i64,
    /// Whether it did something itself (an inbound touchpoint) within the
    /// pack's `engaged_days` before "as of".
    pub engaged: bool,
    /// Its own decision disqualified it: it counts for nothing.
    pub disqualified: bool,
    /// The stage its own decision recommends.
    pub stage: Stage,
}

/// A buying role among an account's contacts.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # use leadgate::account::{Account, AccountKey};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let kim = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
/// #     "company": {"industry": "software", "employees": 300},
/// #     "qualification": {"buying_role": "economic_buyer"},
/// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// # let lou = Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z",
/// #     "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "webinar"}]}"#)?;
/// # let account = Account::new(AccountKey::Id("A-1".into()), [&kim, &lou]);
/// # let d = q.evaluate_account(&account, "2026-11-23T00:00:00Z".parse()?)?;
/// use leadgate::BuyingRole;
/// let buyer = &d.buying_group[0];
/// assert_eq!((buyer.role, buyer.required), (BuyingRole::EconomicBuyer, true));
/// assert_eq!(buyer.engaged, ["L-1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoleCoverage {
    /// The role.
    pub role: BuyingRole,
    /// The contacts in it (disqualified ones left out), by id.
    pub contacts: Vec<Text>,
    /// Those of them engaged within the window.
    pub engaged: Vec<Text>,
    /// Whether the pack requires it engaged for the handoff.
    pub required: bool,
}

/// A recommendation to hand the account to sales now, as a
/// marketing-qualified account (MQA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountHandoff {
    /// Why now.
    pub reason: Text,
    /// The account rule that handed it off (`decision.handoff(...)`), or
    /// `None` when the engine did, at the MQA threshold.
    pub rule: Option<Text>,
    /// The buying group sales receives: the engaged contacts, by id.
    pub buying_group: Vec<Text>,
}

/// Why an account is not handed off yet: every gap, in words and in data.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # use leadgate::account::{Account, AccountKey};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let kim = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
/// #     "company": {"industry": "software", "employees": 300},
/// #     "qualification": {"buying_role": "economic_buyer"},
/// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// # let lou = Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z",
/// #     "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "webinar"}]}"#)?;
/// # let account = Account::new(AccountKey::Id("A-1".into()), [&kim, &lou]);
/// # let d = q.evaluate_account(&account, "2026-11-23T00:00:00Z".parse()?)?;
/// let gap = d.why_not_yet.unwrap();
/// assert_eq!((d.score, gap.points_needed), (64, Some(16)));
/// assert_eq!(gap.missing, ["16 points short of the MQA threshold of 80"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountGap {
    /// The pack's MQA threshold, if it declares one.
    pub threshold: Option<i64>,
    /// Points still needed to reach it (0 when the score is there).
    pub points_needed: Option<i64>,
    /// Required roles with no engaged contact.
    pub missing_roles: Vec<BuyingRole>,
    /// Account criteria known not to be met.
    pub unmet: Vec<Text>,
    /// Each gap as a sentence, such as "no economic buyer engaged in 30 days".
    pub missing: Vec<Text>,
    /// An account rule's reason for holding the account back
    /// (`decision.hold(...)`), if one did.
    pub held: Option<RuleReason>,
}

/// What the engine decided about one account as of one time, and why.
///
/// As in a lead [`Decision`](crate::Decision), every point is in
/// [`contributions`](AccountDecision::contributions) and the totals are
/// their sums exactly. The engagement a contact brought names it in
/// [`Contribution::contact`]; the account's own rows (its firmographics,
/// its buying group) name none. The company's fit is counted once, by the
/// account's rules, however many contacts it has.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier};
/// # use leadgate::account::{Account, AccountKey};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let kim = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
/// #     "company": {"industry": "software", "employees": 300},
/// #     "qualification": {"buying_role": "economic_buyer"},
/// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
/// # let lou = Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z",
/// #     "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "webinar"}]}"#)?;
/// # let account = Account::new(AccountKey::Id("A-1".into()), [&kim, &lou]);
/// # let d = q.evaluate_account(&account, "2026-11-23T00:00:00Z".parse()?)?;
/// let json = serde_json::to_value(&d)?;
/// assert_eq!(json["account"]["id"], "A-1");
/// assert_eq!(json["contributions"][0]["contact"], "L-1");
/// assert_eq!(json["contributions"][0]["reason"], "Engagement of L-1, economic buyer");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountDecision {
    /// The account.
    pub account: AccountKey,
    /// The time the decision was made as of.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub as_of: DateTime<Utc>,
    /// The pack that made it.
    pub pack: Arc<PackId>,
    /// Fit score: the company's.
    pub fit: i64,
    /// Engagement: rolled up from the contacts, plus the account rules'.
    pub engagement: i64,
    /// Negative points (zero or less).
    pub negative: i64,
    /// `fit + engagement + negative`.
    pub score: i64,
    /// Fit grade from the account's grade thresholds, or a rule's.
    pub grade: Option<Grade>,
    /// Temperature from the account's thresholds, or a rule's.
    pub temperature: Option<Temperature>,
    /// The account's own criteria (the `[account]` section's `criteria`).
    pub criteria: Assessment,
    /// Every contact, by id, with what the account took from it.
    pub contacts: Vec<ContactSummary>,
    /// The buying roles present or required, in the order of [`BuyingRole::ALL`].
    pub buying_group: Vec<RoleCoverage>,
    /// Hand to sales now, as a marketing-qualified account?
    pub handoff: Option<AccountHandoff>,
    /// When not: what is missing.
    pub why_not_yet: Option<AccountGap>,
    /// Set when an account rule disqualified the account.
    pub disqualified: Option<RuleReason>,
    /// Every point, in the order it was awarded.
    pub contributions: Vec<Contribution>,
    /// The account rules that did something, in run order (`rollup` for
    /// the contacts' engagement, `caps` for the caps).
    pub fired: Vec<Text>,
    /// The rule that stopped evaluation early, if one did.
    pub stopped_by: Option<Text>,
}

impl AccountDecision {
    /// The sum of the contributions in `category`.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # use leadgate::account::{Account, AccountKey};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let kim = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #     "company": {"industry": "software", "employees": 300},
    /// #     "qualification": {"buying_role": "economic_buyer"},
    /// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
    /// # let lou = Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z",
    /// #     "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "webinar"}]}"#)?;
    /// # let account = Account::new(AccountKey::Id("A-1".into()), [&kim, &lou]);
    /// # let d = q.evaluate_account(&account, "2026-11-23T00:00:00Z".parse()?)?;
    /// use leadgate::decision::Category;
    /// assert_eq!(d.total(Category::Engagement), d.engagement);
    /// assert_eq!(d.fit + d.engagement + d.negative, d.score);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn total(&self, category: Category) -> i64 {
        self.contributions.iter().filter(|c| c.category == category).map(|c| c.points).sum()
    }

    /// The points `contact` brought to the account.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier};
    /// # use leadgate::account::{Account, AccountKey};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let kim = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #     "company": {"industry": "software", "employees": 300},
    /// #     "qualification": {"buying_role": "economic_buyer"},
    /// #     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
    /// # let lou = Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z",
    /// #     "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "webinar"}]}"#)?;
    /// # let account = Account::new(AccountKey::Id("A-1".into()), [&kim, &lou]);
    /// # let d = q.evaluate_account(&account, "2026-11-23T00:00:00Z".parse()?)?;
    /// assert_eq!((d.points_from("L-1"), d.points_from("L-2")), (24, 10));
    /// assert_eq!(d.points_from("L-3"), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn points_from(&self, contact: &str) -> i64 {
        self.contributions.iter().filter(|c| c.contact.as_deref() == Some(contact)).map(|c| c.points).sum()
    }
}

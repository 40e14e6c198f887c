//! Handing an account to sales: its buying group moves to MQL together,
//! with one record for the account and one lead handoff per contact, which
//! sales answers one by one as for any lead.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HandoffRecord, HandoffStatus, Workflow, WorkflowError, WorkflowErrorKind};
use crate::account::{AccountDecision, AccountKey};
use crate::decision::PackId;
use crate::{Lead, Stage, Text};

/// An account handed to sales as a marketing-qualified account.
///
/// ```
/// # use leadgate::{Lead, Pack, Qualifier, Stage};
/// # use leadgate::account::{Account, AccountKey};
/// # use leadgate::workflow::{Sla, Workflow};
/// # let q = Qualifier::new(&Pack::b2b_bant())?;
/// # let mut contacts = vec![
/// #     Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
/// #         "company": {"domain": "acme.com", "industry": "software", "employees": 300, "country": "US"},
/// #         "qualification": {"buying_role": "economic_buyer"},
/// #         "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"},
/// #                         {"at": "2026-11-21T10:00:00Z", "channel": "pricing_page"}]}"#)?,
/// #     Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z", "company": {"domain": "acme.com"},
/// #         "qualification": {"buying_role": "champion"},
/// #         "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "demo_request"}]}"#)?,
/// # ];
/// let now = "2026-11-23T09:00:00Z".parse()?;
/// let decision = q.evaluate_account(&Account::new(AccountKey::Domain("acme.com".into()), &contacts), now)?;
/// let workflow = Workflow::new(Sla::business_hours(8));
/// let handoff = workflow.hand_off_account(&mut contacts, &decision, now)?.expect("an MQA");
/// assert_eq!(handoff.buying_group, ["L-1", "L-2"]);
/// assert_eq!((contacts[0].stage(), contacts[1].stage()), (Stage::Mql, Stage::Mql));
/// // Sales answers each contact's handoff as for any lead.
/// let mut first = handoff.contacts[0].clone();
/// workflow.accept(&mut contacts[0], &mut first, now)?;
/// assert_eq!(contacts[0].stage(), Stage::Sal);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountHandoffRecord {
    /// The account.
    pub account: AccountKey,
    /// When it was handed off.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// When sales must have acted: the SLA policy's default rule.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub due: DateTime<Utc>,
    /// The decision's reason.
    pub reason: Text,
    /// The buying group, as the decision named it.
    pub buying_group: Vec<Text>,
    /// The pack that decided it.
    pub pack: Arc<PackId>,
    /// The account's score at the time.
    pub score: i64,
    /// One handoff per contact of the buying group that marketing owned and
    /// moved to MQL now; contacts already with sales are left as they are.
    pub contacts: Vec<HandoffRecord>,
}

impl Workflow {
    /// Acts on an account decision: when it hands the account off, moves
    /// every contact of its buying group that marketing still owns
    /// (subscriber, lead, recycled) to MQL, with the account's reason, and
    /// returns the account's record with one lead handoff per contact moved.
    ///
    /// `contacts` must hold every contact the buying group names
    /// ([`WorkflowErrorKind::WrongLead`] otherwise), and none may have
    /// changed stage after the decision's "as of"
    /// ([`WorkflowErrorKind::StaleDecision`]). Returns `None`, changing
    /// nothing, when the decision hands nothing off or every contact of the
    /// buying group is with sales already, so acting again is safe. All
    /// checks come first: on an error no contact has moved.
    ///
    /// The SLA is the policy's default rule: the policy's rules read a
    /// lead's decision, which an account does not have.
    ///
    /// ```
    /// # use leadgate::{Lead, Pack, Qualifier, Stage};
    /// # use leadgate::account::{Account, AccountKey};
    /// # use leadgate::workflow::{Workflow, WorkflowErrorKind};
    /// # let q = Qualifier::new(&Pack::b2b_bant())?;
    /// # let mut contacts = vec![
    /// #     Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    /// #         "company": {"domain": "acme.com", "industry": "software", "employees": 300, "country": "US"},
    /// #         "qualification": {"buying_role": "economic_buyer"},
    /// #         "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"},
    /// #                         {"at": "2026-11-21T10:00:00Z", "channel": "pricing_page"}]}"#)?,
    /// #     Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z", "company": {"domain": "acme.com"},
    /// #         "qualification": {"buying_role": "champion"},
    /// #         "touchpoints": [{"at": "2026-11-21T10:00:00Z", "channel": "demo_request"}]}"#)?,
    /// # ];
    /// let now = "2026-11-23T09:00:00Z".parse()?;
    /// let workflow = Workflow::default();
    /// let decide = |contacts: &[Lead]| q.evaluate_account(&Account::new(AccountKey::Domain("acme.com".into()), contacts), now);
    /// let decision = decide(&contacts)?;
    /// let record = workflow.hand_off_account(&mut contacts, &decision, now)?.unwrap();
    /// assert_eq!(record.contacts.len(), 2);
    /// let moved = contacts[1].history().last().unwrap();
    /// assert_eq!(moved.reason.as_deref(), Some("Account acme.com: Score 94 reached the MQA threshold of 80 with economic buyer engaged"));
    /// // Decided again, the account is still an MQA, but its buying group is with sales: nothing to do.
    /// let again = decide(&contacts)?;
    /// assert!(again.handoff.is_some());
    /// assert_eq!(workflow.hand_off_account(&mut contacts, &again, now)?, None);
    /// // A contact the decision names must be given.
    /// let err = workflow.hand_off_account(&mut contacts[..1], &decision, now).unwrap_err();
    /// assert_eq!(err.kind(), WorkflowErrorKind::WrongLead);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hand_off_account(
        &self,
        contacts: &mut [Lead],
        decision: &AccountDecision,
        at: DateTime<Utc>,
    ) -> Result<Option<AccountHandoffRecord>, WorkflowError> {
        let Some(handoff) = &decision.handoff else { return Ok(None) };
        let account: Text = decision.account.as_str().into();
        let mut members = Vec::with_capacity(handoff.buying_group.len());
        for id in &handoff.buying_group {
            let Some(i) = contacts.iter().position(|l| l.id == *id) else {
                let message = format!(
                    "the decision on account {:?} names contact {:?}, which is not among the contacts given",
                    account.as_str(),
                    id.as_str()
                );
                return Err(WorkflowError::new(WorkflowErrorKind::WrongLead, id, message));
            };
            let lead = &contacts[i];
            if let Some(since) = lead.stage_entered_at().filter(|since| decision.as_of < *since) {
                let message = format!(
                    "the decision on account {:?} as of {} is older than contact {:?}'s move to {} at {}: decide again",
                    account.as_str(),
                    crate::lead::time::display(decision.as_of),
                    lead.id.as_str(),
                    lead.stage(),
                    crate::lead::time::display(since)
                );
                return Err(WorkflowError::new(WorkflowErrorKind::StaleDecision, &lead.id, message));
            }
            if matches!(lead.stage(), Stage::Subscriber | Stage::Lead | Stage::Recycled) {
                members.push(i);
            }
        }
        if members.is_empty() {
            return Ok(None);
        }
        let rule = self.policy.default_rule();
        let due = rule.sla().due(at).map_err(|e| WorkflowError::from((&contacts[members[0]], e)))?;
        let reason: Text = format!("Account {}: {}", decision.account, handoff.reason).into();
        // Moved on copies first, so that a refused move leaves every contact as it was.
        let mut moved = Vec::with_capacity(members.len());
        for &i in &members {
            let mut lead = contacts[i].clone();
            super::step(&mut lead, Stage::Mql, at, Some(&reason))?;
            moved.push((i, lead));
        }
        let score_of = |id: &Text| decision.contacts.iter().find(|c| c.lead_id == *id).map_or(0, |c| c.score);
        let records = moved
            .into_iter()
            .map(|(i, lead)| {
                contacts[i] = lead;
                HandoffRecord {
                    lead_id: contacts[i].id.clone(),
                    at,
                    due,
                    recommended: Stage::Mql,
                    sla: rule.name().into(),
                    reason: reason.clone(),
                    pack: decision.pack.clone(),
                    score: score_of(&contacts[i].id),
                    criteria: decision.criteria.clone(),
                    status: HandoffStatus::Open,
                }
            })
            .collect();
        Ok(Some(AccountHandoffRecord {
            account: decision.account.clone(),
            at,
            due,
            reason: handoff.reason.clone(),
            buying_group: handoff.buying_group.clone(),
            pack: decision.pack.clone(),
            score: decision.score,
            contacts: records,
        }))
    }
}

//! Deciding an account: its contacts' decisions, rolled up by the pack's
//! method, then the account's own tables, caps and handoff.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::build::Rules;
use super::draft::{Budget, Caps, Draft, HandoffChoice, Rule, steps};
use super::error::{EvalError, EvalErrorKind};
use super::snapshot::ScriptLead;
use super::tables::Outcome;
use super::{Qualifier, Scripts, Tables};
use crate::account::{
    Account, AccountDecision, AccountGap, AccountHandoff, AccountKey, ContactSummary, RoleCoverage, Rollup,
};
use crate::decision::Category;
use crate::lead::text::Number as Show;
use crate::pack::account::{AccountSpec, NUMBERS, Number, Setting};
use crate::pack::params::ParamTable;
use crate::pack::{Problem, ProblemKind};
use crate::{Assessment, BuyingRole, CriterionStatus, Decision, Grade, Lead, Temperature, Text};

/// The names account scripts see.
pub(super) const SCRIPT_VARIABLES: [&str; 3] = ["account", "params", "decision"];

/// A contact is engaged with an inbound touch within this many days, unless
/// the pack says otherwise.
const ENGAGED_DAYS: f64 = 30.0;
/// The longest window, as for table windows: a hundred years.
const MAX_DAYS: f64 = crate::pack::table::MAX_WINDOW_DAYS;

/// The `[account]` section compiled, with its parameters read. A pack
/// without the section decides accounts with these defaults: the sum of the
/// contacts' engagement, no thresholds, no rules.
pub(super) struct Compiled {
    rollup: Rollup,
    contact_cap: Option<i64>,
    top: usize,
    engaged_days: f64,
    mqa: Option<i64>,
    warm: Option<f64>,
    hot: Option<f64>,
    grades: Vec<(f64, Grade)>,
    caps: Caps,
    required_roles: Vec<BuyingRole>,
    criteria: Assessment,
    tables: Arc<Tables>,
    /// The scripted account rules, run after the tables.
    scripts: Scripts,
    /// "Fit capped at 50"...: made once.
    capped: [Text; 3],
}

/// What account tables count: contacts not disqualified, and per role.
#[derive(Debug)]
pub(crate) struct Facts {
    pub(crate) contacts: i64,
    pub(crate) engaged: i64,
    /// Contacts and engaged contacts per role, in the order of [`BuyingRole::ALL`].
    roles: Vec<(i64, i64)>,
}

/// `account` in account scripts: read-only, shared by its copies.
#[derive(Debug, Clone)]
pub(crate) struct AccountView(pub(crate) Arc<View>);

#[derive(Debug)]
pub(crate) struct View {
    pub(crate) key: Text,
    /// The account's company, as account tables read it.
    pub(crate) company: ScriptLead,
    pub(crate) facts: Facts,
    /// The contacts that count (not disqualified), by id.
    pub(crate) contacts: Vec<ContactView>,
}

/// What account scripts may ask about a contact, in aggregate.
#[derive(Debug)]
pub(crate) struct ContactView {
    pub(crate) score: i64,
    /// Its stage as of the decision.
    pub(crate) stage: crate::Stage,
    /// Days since its latest inbound touch, as of the decision.
    pub(crate) last_inbound: Option<f64>,
    /// The criteria its own decision met.
    pub(crate) met: Vec<Text>,
}

impl Facts {
    pub(crate) fn role(&self, role: BuyingRole) -> (i64, i64) {
        BuyingRole::ALL
            .iter()
            .position(|r| *r == role)
            .and_then(|i| self.roles.get(i).copied())
            .unwrap_or((0, 0))
    }
}

impl Compiled {
    pub(crate) fn has_scripts(&self) -> bool {
        !self.scripts.is_empty()
    }

    /// Reads `spec` (or the defaults) with the qualifier's parameters; every
    /// problem is returned. `used` collects the parameters it reads.
    pub(super) fn new(
        spec: Option<&AccountSpec>,
        rules: Option<Rules>,
        params: &ParamTable,
        used: &mut std::collections::BTreeSet<String>,
    ) -> Result<Compiled, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut problem =
            |message: String| problems.push(Problem::new(ProblemKind::Param, format!("[account] {message}")));
        let mut number = |n: Number| -> Option<f64> {
            let (_, setting) = spec?.numbers.iter().find(|(m, _)| *m == n)?;
            let name = NUMBERS.iter().find(|(_, m)| *m == n).map_or("", |(name, _)| name);
            let value = match setting {
                Setting::Literal(x) => *x,
                Setting::Param(p) => {
                    used.insert(p.to_string());
                    match params.get(p.as_str()).and_then(crate::pack::ParamValue::as_f64) {
                        Some(x) => x,
                        None => {
                            problem(format!("{name}: parameter {:?} is not a number", p.as_str()));
                            return None;
                        }
                    }
                }
            };
            let fits = match n {
                Number::Top => value >= 1.0 && value.fract() == 0.0 && value <= u32::MAX as f64,
                Number::EngagedDays => value > 0.0 && value <= MAX_DAYS,
                Number::ContactCap | Number::FitCap | Number::EngagementCap | Number::ScoreCap => {
                    value >= 0.0 && value < i64::MAX as f64
                }
                _ => value.is_finite() && value.abs() < i64::MAX as f64,
            };
            if !fits {
                let wants = match n {
                    Number::Top => "a whole number of contacts, at least 1",
                    Number::EngagedDays => "a number of days above 0 and at most 36525",
                    Number::ContactCap | Number::FitCap | Number::EngagementCap | Number::ScoreCap => {
                        "a cap: a number of points, not negative"
                    }
                    _ => "a finite number of points",
                };
                problem(format!("{name} must be {wants}, got {value}"));
                return None;
            }
            Some(value)
        };
        // Points are whole: a threshold or cap of 59.5 is met at 60.
        let whole = |x: f64| x.ceil() as i64;
        let contact_cap = number(Number::ContactCap).map(whole);
        let top = number(Number::Top).map_or(1, |t| t as usize);
        let engaged_days = number(Number::EngagedDays).unwrap_or(ENGAGED_DAYS);
        let mqa = number(Number::MqaThreshold).map(whole);
        let warm = number(Number::WarmThreshold);
        let hot = number(Number::HotThreshold);
        let mut grades: Vec<(f64, Grade)> = [
            (Number::GradeA, Grade::A),
            (Number::GradeB, Grade::B),
            (Number::GradeC, Grade::C),
            (Number::GradeD, Grade::D),
        ]
        .into_iter()
        .filter_map(|(n, g)| number(n).map(|x| (x, g)))
        .collect();
        grades.sort_by(|a, b| b.0.total_cmp(&a.0));
        let caps = Caps {
            fit: number(Number::FitCap).map(whole),
            engagement: number(Number::EngagementCap).map(whole),
            score: number(Number::ScoreCap).map(whole),
        };
        let criteria: Vec<Text> = spec.map(|s| s.criteria.clone()).unwrap_or_default();
        let Rules { tables, scripts } =
            rules.unwrap_or_else(|| Rules { tables: Vec::new(), scripts: Scripts::none() });
        if !problems.is_empty() {
            return Err(problems);
        }
        let capped = [("Fit", caps.fit), ("Engagement", caps.engagement), ("Score", caps.score)]
            .map(|(what, cap)| format!("{what} capped at {}", cap.unwrap_or_default()).into());
        Ok(Compiled {
            rollup: spec.map_or(Rollup::Sum, |s| s.rollup),
            contact_cap,
            top,
            engaged_days,
            mqa,
            warm,
            hot,
            grades,
            caps,
            required_roles: spec.map(|s| s.required_roles.clone()).unwrap_or_default(),
            criteria: Assessment::new(criteria.iter().cloned()),
            tables: tables.into(),
            scripts,
            capped,
        })
    }
}

impl Qualifier {
    /// Decides about `account` as of `as_of`: each contact is decided as a
    /// lead, then the account is, by the pack's `[account]` section.
    ///
    /// What the account takes from its contacts is their engagement, rolled
    /// up by the pack's method (`sum` with a per-contact cap, `top` N, or
    /// `max`); disqualified contacts count for nothing. The company's fit is
    /// the account rules' alone, counted once. The account is handed to
    /// sales as a marketing-qualified account when its score reaches the
    /// `mqa_threshold`, every required role has an engaged contact and no
    /// account criterion is not met; otherwise
    /// [`why_not_yet`](AccountDecision::why_not_yet) names each gap. A
    /// contact is engaged when it has an inbound touchpoint (its own visit,
    /// click, reply, registration...) within `engaged_days` (30 unless the
    /// pack says) before `as_of`.
    ///
    /// The decision does not depend on the order of the contacts. A
    /// contact's error is returned as it is, with the account named; two
    /// contacts with one id are an [`EvalErrorKind::DuplicateId`] error.
    ///
    /// ```
    /// use leadgate::{Lead, Pack, Qualifier};
    /// use leadgate::account::{self, AccountKey};
    ///
    /// let pack = Pack::from_toml(r#"
    ///     name = "accounts"
    ///     version = "1"
    ///     [points]
    ///     webinar = 10
    ///     [account]
    ///     rollup = "sum"
    ///     contact_cap = 15
    ///     mqa_threshold = 25
    ///     required_roles = ["economic_buyer"]
    ///     [[account.rules]]
    ///     name = "firmographics"
    ///     table = [ { industry = "software", fit = 10, reason = "In software" } ]
    /// "#)?;
    /// let q = Qualifier::new(&pack)?;
    /// let leads = [
    ///     Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
    ///         "company": {"domain": "acme.com", "industry": "software"},
    ///         "qualification": {"buying_role": "economic_buyer"},
    ///         "touchpoints": [{"at": "2026-11-22T10:00:00Z", "channel": "webinar"},
    ///                         {"at": "2026-11-22T11:00:00Z", "channel": "webinar"}]}"#)?,
    ///     Lead::from_json(r#"{"id": "L-2", "created_at": "2026-11-01T00:00:00Z",
    ///         "person": {"email": "kim@acme.com"},
    ///         "touchpoints": [{"at": "2026-11-22T12:00:00Z", "channel": "webinar"}]}"#)?,
    /// ];
    /// let grouping = account::group(&leads);
    /// let d = q.evaluate_account(&grouping.accounts[0], "2026-11-23T00:00:00Z".parse()?)?;
    /// assert_eq!(d.account, AccountKey::Domain("acme.com".into()));
    /// assert_eq!((d.fit, d.engagement, d.score), (10, 25, 35)); // L-1's 20 capped at 15, L-2's 10
    /// assert_eq!(d.points_from("L-1"), 15);
    /// let handoff = d.handoff.unwrap();
    /// assert_eq!(handoff.buying_group, ["L-1", "L-2"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_account(
        &self,
        account: &Account<'_>,
        as_of: DateTime<Utc>,
    ) -> Result<AccountDecision, EvalError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.decide_account(account, as_of)))
            .unwrap_or_else(|_| {
                Err(EvalError::new_for_account(
                    &account.key,
                    None,
                    EvalErrorKind::Panic,
                    "internal panic".into(),
                ))
            })
    }
}

/// A contact as the account sees it.
struct Member<'a> {
    lead: &'a Lead,
    decision: Decision,
    /// Seconds since its latest inbound touch, as of the decision.
    last_inbound: Option<i64>,
    /// Not disqualified, and an inbound touch within the window.
    engaged: bool,
    /// The engagement points the roll-up takes from it.
    counted: i64,
}

impl Member<'_> {
    fn counts(&self) -> bool {
        self.decision.disqualified.is_none()
    }

    fn role(&self) -> Option<BuyingRole> {
        self.lead.qualification.buying_role
    }
}

impl Member<'_> {
    /// What account scripts may ask about this contact.
    fn view(&self) -> ContactView {
        let last_inbound = self.last_inbound.map(|s| s as f64 / 86_400.0);
        let met = self
            .decision
            .criteria
            .iter()
            .filter(|(_, c)| c.status == CriterionStatus::Met)
            .map(|(n, _)| Text::from(n))
            .collect();
        ContactView { score: self.decision.score, stage: self.decision.lead_stage, last_inbound, met }
    }
}

impl Compiled {
    /// Runs the account's scripts on `draft`: the draft back, and the rule
    /// that stopped them, if one did.
    fn run_scripts(
        &self,
        inner: &super::Inner,
        key: &AccountKey,
        view: AccountView,
        mut draft: Draft,
    ) -> Result<(Draft, Option<Text>), EvalError> {
        draft.rules = Some(self.scripts.starts.clone());
        let [account_var, params_var, decision_var] = SCRIPT_VARIABLES;
        let mut scope = rhai::Scope::with_capacity(SCRIPT_VARIABLES.len());
        // As for leads: `account`, read most, last (see `Inner::slot`).
        scope.push_constant(decision_var, draft);
        scope.push_constant(params_var, inner.script_params.clone());
        scope.push_constant(account_var, view);
        let result = super::run::run_programs(&inner.engine, &mut scope, &self.scripts);
        let lost = || {
            EvalError::new_for_account(
                key,
                None,
                EvalErrorKind::Script,
                "the `decision` variable was replaced".into(),
            )
        };
        let draft = scope.get_value_mut::<Draft>(decision_var).ok_or_else(lost)?;
        let draft = std::mem::replace(draft, Draft::placeholder());
        match result {
            Ok(stopped) => Ok((draft, stopped.map(|r| r.name.clone()))),
            Err((rule, e)) => Err(EvalError::account_from_script(key, None, rule, *e)),
        }
    }

    /// Sets what the roll-up takes from each member (sorted by id).
    fn roll_up(&self, members: &mut [Member<'_>]) {
        for m in members.iter_mut() {
            m.counted = if m.counts() { m.decision.engagement.max(0) } else { 0 };
        }
        let keep = match self.rollup {
            Rollup::Sum => {
                if let Some(cap) = self.contact_cap {
                    members.iter_mut().for_each(|m| m.counted = m.counted.min(cap));
                }
                return;
            }
            Rollup::Top => self.top,
            Rollup::Max => 1,
        };
        // Most engaged first; ties by id, which the members are sorted by.
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| members[b].counted.cmp(&members[a].counted).then(a.cmp(&b)));
        for &i in order.iter().skip(keep) {
            members[i].counted = 0;
        }
    }

    /// The reason of a member's roll-up contribution.
    fn rollup_reason(&self, m: &Member<'_>) -> Text {
        let mut reason = format!("Engagement of {}", m.lead.id.as_str());
        if let Some(role) = m.role() {
            reason.push_str(&format!(", {}", spoken(role)));
        }
        match self.rollup {
            Rollup::Sum if m.counted < m.decision.engagement => {
                reason.push_str(&format!(" ({}, capped at {})", m.decision.engagement, m.counted))
            }
            Rollup::Sum => {}
            Rollup::Top => reason.push_str(&format!(", one of the {} most engaged", self.top)),
            Rollup::Max => reason.push_str(", the most engaged contact"),
        }
        reason.into()
    }

    /// The roles present among the members that count, or required.
    fn buying_group(&self, members: &[Member<'_>]) -> Vec<RoleCoverage> {
        BuyingRole::ALL
            .iter()
            .map(|&role| {
                let in_role = members.iter().filter(|m| m.counts() && m.role() == Some(role));
                RoleCoverage {
                    role,
                    contacts: in_role.clone().map(|m| m.lead.id.clone()).collect(),
                    engaged: in_role.filter(|m| m.engaged).map(|m| m.lead.id.clone()).collect(),
                    required: self.required_roles.contains(&role),
                }
            })
            .filter(|c| c.required || !c.contacts.is_empty())
            .collect()
    }

    /// The handoff, or every gap: a rule's hold, points, required roles,
    /// unmet criteria. A rule's handoff wins over them all.
    // Either outcome is the decision's, not an error to pass up: moved once.
    #[allow(clippy::result_large_err)]
    fn handoff(
        &self,
        draft: &Draft,
        score: i64,
        group: &[RoleCoverage],
        members: &[Member<'_>],
    ) -> Result<AccountHandoff, AccountGap> {
        let buying_group = || members.iter().filter(|m| m.engaged).map(|m| m.lead.id.clone()).collect();
        let held = match &draft.handoff {
            HandoffChoice::Now(why) => {
                let rule = Some(why.rule.clone());
                return Ok(AccountHandoff { reason: why.reason.clone(), rule, buying_group: buying_group() });
            }
            HandoffChoice::Hold(why) => Some(why.clone()),
            HandoffChoice::Derive => None,
        };
        let criteria = &draft.criteria;
        let points_needed = self.mqa.map(|t| t.saturating_sub(score).max(0));
        let missing_roles: Vec<BuyingRole> =
            group.iter().filter(|c| c.required && c.engaged.is_empty()).map(|c| c.role).collect();
        let unmet: Vec<Text> = criteria
            .iter()
            .filter(|(_, c)| c.status == CriterionStatus::NotMet)
            .map(|(n, _)| Text::from(n))
            .collect();
        let mut missing: Vec<Text> = held.iter().map(|h| format!("held: {}", h.reason).into()).collect();
        match (self.mqa, points_needed) {
            (None, _) => missing.push("the pack sets no MQA threshold".into()),
            (Some(t), Some(n)) if n > 0 => {
                missing.push(format!("{n} points short of the MQA threshold of {t}").into())
            }
            _ => {}
        }
        let days = Show(self.engaged_days);
        missing
            .extend(missing_roles.iter().map(|r| format!("no {} engaged in {days} days", spoken(*r)).into()));
        missing.extend(unmet.iter().map(|name| format!("{name} is not met").into()));
        if !missing.is_empty() {
            return Err(AccountGap {
                threshold: self.mqa,
                points_needed,
                missing_roles,
                unmet,
                missing,
                held,
            });
        }
        let mut reason =
            format!("Score {score} reached the MQA threshold of {}", self.mqa.unwrap_or_default());
        if !self.required_roles.is_empty() {
            let roles: Vec<&str> = self.required_roles.iter().map(|r| spoken(*r)).collect();
            reason.push_str(&format!(" with {} engaged", roles.join(" and ")));
        }
        Ok(AccountHandoff { reason: reason.into(), rule: None, buying_group: buying_group() })
    }
}

/// A role as a sales rep says it: "economic buyer".
fn spoken(role: BuyingRole) -> &'static str {
    match role {
        BuyingRole::DecisionMaker => "decision maker",
        BuyingRole::EconomicBuyer => "economic buyer",
        BuyingRole::EndUser => "end user",
        other => other.as_str(),
    }
}

impl Facts {
    fn of(members: &[Member<'_>]) -> Facts {
        let mut facts = Facts { contacts: 0, engaged: 0, roles: vec![(0, 0); BuyingRole::ALL.len()] };
        for m in members.iter().filter(|m| m.counts()) {
            facts.contacts += 1;
            facts.engaged += i64::from(m.engaged);
            if let Some(i) = m.role().and_then(|r| BuyingRole::ALL.iter().position(|x| *x == r)) {
                facts.roles[i].0 += 1;
                facts.roles[i].1 += i64::from(m.engaged);
            }
        }
        facts
    }
}

/// The account as a lead its tables can read: its company, from the
/// first member (by id) that knows each field; a domain account's domain.
fn account_lead(key: &AccountKey, members: &[Member<'_>], as_of: DateTime<Utc>) -> Lead {
    let mut company = crate::lead::Company::default();
    for c in members.iter().map(|m| &m.lead.company) {
        company.name = company.name.or_else(|| c.name.clone());
        company.domain = company.domain.or_else(|| c.domain.clone());
        company.industry = company.industry.or_else(|| c.industry.clone());
        company.employees = company.employees.or(c.employees);
        company.annual_revenue = company.annual_revenue.or_else(|| c.annual_revenue.clone());
        company.country = company.country.or_else(|| c.country.clone());
    }
    if let AccountKey::Domain(domain) = key {
        company.domain = Some(domain.clone());
    }
    let created = members.iter().map(|m| m.lead.created_at).min().unwrap_or(as_of).min(as_of);
    let mut lead = Lead::new(key.as_str(), created);
    lead.company = company;
    lead
}

impl Qualifier {
    fn decide_account(
        &self,
        account: &Account<'_>,
        as_of: DateTime<Utc>,
    ) -> Result<AccountDecision, EvalError> {
        let inner = &*self.inner;
        let spec = &inner.account;
        let key = &account.key;
        // Sorted here too: the field is public, and order must not matter.
        let mut contacts: Vec<&Lead> = account.contacts.clone();
        contacts.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(w) = contacts.windows(2).find(|w| w[0].id == w[1].id) {
            let message = format!("two contacts have the id {:?}", w[0].id.as_str());
            return Err(EvalError::new_for_account(key, None, EvalErrorKind::DuplicateId, message));
        }
        let window = spec.engaged_days * 86_400.0;
        let mut members = Vec::with_capacity(contacts.len());
        for lead in contacts {
            let decision = self.evaluate_unguarded(lead, as_of).map_err(|e| e.in_account(key))?;
            // One pass over the touches, for both the window and the scripts.
            let last_inbound = lead
                .touchpoints
                .iter()
                .filter(|t| t.at <= as_of && inner.settings.inbound(&t.channel))
                .map(|t| (as_of - t.at).num_seconds())
                .min();
            let engaged = decision.disqualified.is_none() && last_inbound.is_some_and(|s| s as f64 <= window);
            members.push(Member { lead, decision, last_inbound, engaged, counted: 0 });
        }
        spec.roll_up(&mut members);

        let error = |rule: Option<&Text>, e: Box<rhai::EvalAltResult>| {
            EvalError::account_from_script(key, rule.cloned(), None, *e)
        };
        // One contribution per contact that brings points, then the rules.
        let mut budget = Budget::new(&inner.limits);
        budget.items = budget.items.saturating_add(members.len());
        let rules = spec.tables.len() + spec.scripts.rules.len();
        let mut draft = Draft::new(spec.criteria.clone(), spec.caps, rules, budget);
        draft.begin(Rule::Step(&steps().rollup));
        for m in members.iter().filter(|m| m.counted > 0) {
            draft
                .add(Category::Engagement, m.counted, spec.rollup_reason(m), None)
                .map_err(|e| error(None, e))?;
            if let Some(last) = draft.contributions.last_mut() {
                last.contact = Some(m.lead.id.clone());
            }
        }
        let facts = Facts::of(&members);
        // The account's own snapshot: no touches, and its company as its copy.
        let company = account_lead(key, &members, as_of);
        let mut snapshot = ScriptLead::default();
        snapshot.fill(&company, as_of, true);
        (snapshot.copy, snapshot.has_copy) = (company, true);
        let mut stopped_by = None;
        // Native work and the scripts share one budget and deadline, as for a lead.
        let run = crate::engine::sandbox::Run::start(&inner.limits);
        for (name, table) in spec.tables.iter() {
            draft.begin(Rule::Table(name.clone()));
            let outcome =
                table.apply(snapshot.copied(), &mut draft, Some(&facts)).map_err(|e| error(Some(name), e))?;
            if outcome == Outcome::Stop {
                stopped_by = Some(name.clone());
                break;
            }
        }
        if stopped_by.is_none() && !spec.scripts.is_empty() {
            let view = View {
                key: key.as_str().into(),
                company: snapshot,
                facts,
                contacts: members.iter().filter(|m| m.counts()).map(Member::view).collect(),
            };
            let (done, stopped) = spec.run_scripts(inner, key, AccountView(Arc::new(view)), draft)?;
            draft = done;
            stopped_by = stopped;
        }
        drop(run);
        if let Some((_, reason)) = &draft.stage {
            let message = "an account has no stage: `decision.stage` is for lead rules".to_owned();
            return Err(EvalError::new_for_account(
                key,
                Some(reason.rule.clone()),
                EvalErrorKind::Script,
                message,
            ));
        }
        draft.begin(Rule::Step(&steps().caps));
        for cut in draft.caps.cuts(draft.fit, draft.engagement, draft.negative).into_iter().flatten() {
            let reason = spec.capped[cut.what].clone();
            draft.add(cut.category, cut.points, reason, None).map_err(|e| error(None, e))?;
        }
        draft.end();

        let score = draft.score().map_err(|e| error(None, e))?;
        let grade = draft.grade.or_else(|| {
            let fit = draft.fit as f64;
            (!spec.grades.is_empty())
                .then(|| spec.grades.iter().find(|(t, _)| fit >= *t).map_or(Grade::F, |g| g.1))
        });
        let derived = match (spec.hot, spec.warm) {
            (Some(hot), _) if score as f64 >= hot => Some(Temperature::Hot),
            (_, Some(warm)) if score as f64 >= warm => Some(Temperature::Warm),
            (None, None) => None,
            _ => Some(Temperature::Cold),
        };
        let buying_group = spec.buying_group(&members);
        let (handoff, why_not_yet) = match draft.disqualified {
            Some(_) => (None, None),
            None => match spec.handoff(&draft, score, &buying_group, &members) {
                Ok(handoff) => (Some(handoff), None),
                Err(gap) => (None, Some(gap)),
            },
        };
        let contacts = members
            .iter()
            .map(|m| ContactSummary {
                lead_id: m.lead.id.clone(),
                role: m.role(),
                score: m.decision.score,
                engagement: m.decision.engagement,
                counted: m.counted,
                engaged: m.engaged,
                disqualified: !m.counts(),
                stage: m.decision.stage,
            })
            .collect();
        Ok(AccountDecision {
            account: key.clone(),
            as_of,
            pack: inner.pack.clone(),
            fit: draft.fit,
            engagement: draft.engagement,
            negative: draft.negative,
            score,
            grade,
            temperature: draft.temperature.or(derived),
            criteria: draft.criteria,
            contacts,
            buying_group,
            handoff,
            why_not_yet,
            disqualified: draft.disqualified,
            contributions: draft.contributions,
            fired: draft.fired,
            stopped_by,
        })
    }
}

//! Test cases that ship with a pack (`[[tests]]` in `pack.toml`), and
//! running them: expected against actual, and which rules ever fired.

use std::fmt;

use crate::account::AccountDecision;
use crate::pack::cases::{Expect, Input, TestCase};
use crate::{BuyingRole, Decision, Grade, Lead, Pack, PackError, Qualifier, Stage, Temperature, Text};

/// What a case's expectations are checked against, from a lead's decision
/// or an account's.
struct Seen<'a> {
    stage: Option<Stage>,
    handoff: bool,
    disqualified: bool,
    grade: Option<Grade>,
    temperature: Option<Temperature>,
    score: i64,
    criteria: &'a crate::Assessment,
    reasons: Vec<&'a str>,
    missing_roles: Option<&'a [BuyingRole]>,
    buying_group: Option<Vec<&'a str>>,
}

impl<'a> Seen<'a> {
    fn lead(d: &'a Decision) -> Self {
        let contributions = d.contributions.iter().map(|c| c.reason.as_str());
        let evidence = d.criteria.iter().filter_map(|(_, c)| c.evidence.as_deref());
        let others = [
            d.handoff.as_ref().map(|h| h.reason.as_str()),
            d.stage_reason.as_deref(),
            d.disqualified.as_ref().map(|r| r.reason.as_str()),
            d.why_not_yet.as_ref().and_then(|w| w.held.as_ref()).map(|r| r.reason.as_str()),
        ];
        Seen {
            stage: Some(d.stage),
            handoff: d.handoff.is_some(),
            disqualified: d.disqualified.is_some(),
            grade: d.grade,
            temperature: d.temperature,
            score: d.score,
            criteria: &d.criteria,
            reasons: contributions.chain(evidence).chain(others.into_iter().flatten()).collect(),
            missing_roles: None,
            buying_group: None,
        }
    }

    fn account(d: &'a AccountDecision) -> Self {
        let contributions = d.contributions.iter().map(|c| c.reason.as_str());
        let evidence = d.criteria.iter().filter_map(|(_, c)| c.evidence.as_deref());
        let others = [
            d.handoff.as_ref().map(|h| h.reason.as_str()),
            d.disqualified.as_ref().map(|r| r.reason.as_str()),
        ];
        let missing = d.why_not_yet.iter().flat_map(|w| &w.missing).map(|m| m.as_str());
        Seen {
            stage: None,
            handoff: d.handoff.is_some(),
            disqualified: d.disqualified.is_some(),
            grade: d.grade,
            temperature: d.temperature,
            score: d.score,
            criteria: &d.criteria,
            reasons: contributions
                .chain(evidence)
                .chain(others.into_iter().flatten())
                .chain(missing)
                .collect(),
            missing_roles: Some(d.why_not_yet.as_ref().map_or(&[], |w| &w.missing_roles[..])),
            buying_group: Some(
                d.handoff
                    .as_ref()
                    .map_or_else(Vec::new, |h| h.buying_group.iter().map(|t| t.as_str()).collect()),
            ),
        }
    }
}

impl Expect {
    /// Every way `d` differs from what is expected.
    fn mismatches(&self, d: &Seen<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |what: &str, expected: String, actual: String| {
            if expected != actual {
                out.push(format!("{what}: expected {expected}, got {actual}"));
            }
        };
        let show = |o: Option<String>| o.unwrap_or_else(|| "none".into());
        if let Some(s) = self.stage {
            check("stage", s.to_string(), show(d.stage.map(|s| s.to_string())));
        }
        if let Some(h) = self.handoff {
            check("handoff", h.to_string(), d.handoff.to_string());
        }
        if let Some(q) = self.disqualified {
            check("disqualified", q.to_string(), d.disqualified.to_string());
        }
        if let Some(g) = self.grade {
            check("grade", g.to_string(), show(d.grade.map(|g| g.to_string())));
        }
        if let Some(t) = self.temperature {
            check("temperature", t.to_string(), show(d.temperature.map(|t| t.to_string())));
        }
        if let Some(s) = self.score {
            check("score", s.to_string(), d.score.to_string());
        }
        if self.score_min.is_some_and(|min| d.score < min) || self.score_max.is_some_and(|max| d.score > max)
        {
            let range = format!(
                "{}..={}",
                show(self.score_min.map(|s| s.to_string())),
                show(self.score_max.map(|s| s.to_string()))
            );
            check("score", range, d.score.to_string());
        }
        for (name, status) in &self.criteria {
            let actual =
                d.criteria.get(name).map_or_else(|| "no such criterion".into(), |c| c.status.to_string());
            check(&format!("criterion {name}"), status.to_string(), actual);
        }
        let list = |items: Vec<&str>| format!("[{}]", items.join(", "));
        if let Some(roles) = &self.missing_roles {
            let actual = d
                .missing_roles
                .map_or_else(|| "not an account".into(), |r| list(r.iter().map(|r| r.as_str()).collect()));
            check("missing_roles", list(roles.iter().map(|r| r.as_str()).collect()), actual);
        }
        if let Some(group) = &self.buying_group {
            let actual = d.buying_group.clone().map_or_else(|| "not an account".into(), list);
            check("buying_group", list(group.iter().map(String::as_str).collect()), actual);
        }
        if let Some(text) = &self.reason {
            if !d.reasons.iter().any(|r| r.contains(text.as_str())) {
                out.push(format!("reason: no reason or evidence contains {text:?}"));
            }
        }
        out
    }
}

/// The outcome of one test case.
///
/// ```
/// // A pack whose second case expects 20 points where its rules give 10.
/// # let pack = leadgate::Pack::from_toml(r#"
/// #     name = "p"
/// #     version = "1"
/// #     [[rules]]
/// #     name = "fit"
/// #     script = 'decision.fit(10, "Always 10")'
/// #     [[rules]]
/// #     name = "vip"
/// #     script = 'if lead.source == "vip" { decision.fit(50, "A VIP") }'
/// #     [[tests]]
/// #     name = "scores 10"
/// #     as_of = "2026-11-23T00:00:00Z"
/// #     lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z"}'
/// #     expect = { score = 10 }
/// #     [[tests]]
/// #     name = "scores 20"
/// #     as_of = "2026-11-23T00:00:00Z"
/// #     lead = '{"id": "b", "created_at": "2026-11-01T00:00:00Z"}'
/// #     expect = { score = 20 }
/// # "#)?;
/// let report = pack.run_tests()?;
/// let case = &report.cases()[1];
/// assert_eq!(case.name, "scores 20");
/// assert_eq!(case.failures, ["score: expected 20, got 10"]);
/// assert_eq!(case.decision.as_ref().map(|d| d.score), Some(10));
/// # Ok::<(), leadgate::PackError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CaseResult {
    /// The case's name.
    pub name: Text,
    /// What did not match; empty when the case passed.
    pub failures: Vec<String>,
    /// The decision, when the case is a lead's and it could be decided.
    pub decision: Option<Decision>,
    /// The account's decision, when the case is an account's
    /// (`account` or `account_file`) and it could be decided.
    pub account: Option<AccountDecision>,
}

impl CaseResult {
    /// Whether the case passed.
    ///
    /// ```
    /// # let pack = leadgate::Pack::from_toml(r#"
    /// #     name = "p"
    /// #     version = "1"
    /// #     [[rules]]
    /// #     name = "fit"
    /// #     script = 'decision.fit(10, "Always 10")'
    /// #     [[rules]]
    /// #     name = "vip"
    /// #     script = 'if lead.source == "vip" { decision.fit(50, "A VIP") }'
    /// #     [[tests]]
    /// #     name = "scores 10"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 10 }
    /// #     [[tests]]
    /// #     name = "scores 20"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "b", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 20 }
    /// # "#)?;
    /// let report = pack.run_tests()?;
    /// let passed: Vec<bool> = report.cases().iter().map(|c| c.passed()).collect();
    /// assert_eq!(passed, [true, false]);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The outcome of a pack's test cases, with rule coverage.
///
/// ```
/// let report = leadgate::Pack::b2b_bant().run_tests()?;
/// assert!(report.passed(), "{report}");
/// assert_eq!(report.cases().len(), 10); // 7 leads, 3 accounts
/// assert!(report.never_fired().is_empty(), "every rule of the default pack is tested");
/// # Ok::<(), leadgate::PackError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TestReport {
    cases: Vec<CaseResult>,
    fired: Vec<Text>,
    never_fired: Vec<Text>,
}

impl TestReport {
    /// Every case, in the pack's order.
    ///
    /// ```
    /// # let pack = leadgate::Pack::from_toml(r#"
    /// #     name = "p"
    /// #     version = "1"
    /// #     [[rules]]
    /// #     name = "fit"
    /// #     script = 'decision.fit(10, "Always 10")'
    /// #     [[rules]]
    /// #     name = "vip"
    /// #     script = 'if lead.source == "vip" { decision.fit(50, "A VIP") }'
    /// #     [[tests]]
    /// #     name = "scores 10"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 10 }
    /// #     [[tests]]
    /// #     name = "scores 20"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "b", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 20 }
    /// # "#)?;
    /// let report = pack.run_tests()?;
    /// let names: Vec<&str> = report.cases().iter().map(|c| c.name.as_str()).collect();
    /// assert_eq!(names, ["scores 10", "scores 20"]);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn cases(&self) -> &[CaseResult] {
        &self.cases
    }

    /// Whether every case passed.
    ///
    /// ```
    /// # let pack = leadgate::Pack::from_toml(r#"
    /// #     name = "p"
    /// #     version = "1"
    /// #     [[rules]]
    /// #     name = "fit"
    /// #     script = 'decision.fit(10, "Always 10")'
    /// #     [[rules]]
    /// #     name = "vip"
    /// #     script = 'if lead.source == "vip" { decision.fit(50, "A VIP") }'
    /// #     [[tests]]
    /// #     name = "scores 10"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 10 }
    /// #     [[tests]]
    /// #     name = "scores 20"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "b", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 20 }
    /// # "#)?;
    /// assert!(!pack.run_tests()?.passed()); // "scores 20" fails
    /// assert!(leadgate::Pack::b2b_bant().run_tests()?.passed());
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn passed(&self) -> bool {
        self.cases.iter().all(CaseResult::passed)
    }

    /// The pack's rules that fired in at least one case, in pack order; the
    /// account rules after the lead rules, as `account.<name>`.
    ///
    /// ```
    /// # let pack = leadgate::Pack::from_toml(r#"
    /// #     name = "p"
    /// #     version = "1"
    /// #     [[rules]]
    /// #     name = "fit"
    /// #     script = 'decision.fit(10, "Always 10")'
    /// #     [[rules]]
    /// #     name = "vip"
    /// #     script = 'if lead.source == "vip" { decision.fit(50, "A VIP") }'
    /// #     [[tests]]
    /// #     name = "scores 10"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 10 }
    /// #     [[tests]]
    /// #     name = "scores 20"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "b", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 20 }
    /// # "#)?;
    /// assert_eq!(pack.run_tests()?.fired(), ["fit"]);
    /// let pack = leadgate::Pack::b2b_bant();
    /// let report = pack.run_tests()?;
    /// // Account rules count too, under `account.`.
    /// let accounts = pack.account_rules().map(|r| format!("account.{r}"));
    /// let every_rule: Vec<String> = pack.rules().map(str::to_owned).chain(accounts).collect();
    /// assert_eq!(report.fired(), every_rule);
    /// assert_eq!(report.fired()[..2], ["screen", "fit"]);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn fired(&self) -> &[Text] {
        &self.fired
    }

    /// The pack's rules that fired in no case: untested rules.
    ///
    /// ```
    /// // No case has a VIP lead.
    /// # let pack = leadgate::Pack::from_toml(r#"
    /// #     name = "p"
    /// #     version = "1"
    /// #     [[rules]]
    /// #     name = "fit"
    /// #     script = 'decision.fit(10, "Always 10")'
    /// #     [[rules]]
    /// #     name = "vip"
    /// #     script = 'if lead.source == "vip" { decision.fit(50, "A VIP") }'
    /// #     [[tests]]
    /// #     name = "scores 10"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "a", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 10 }
    /// #     [[tests]]
    /// #     name = "scores 20"
    /// #     as_of = "2026-11-23T00:00:00Z"
    /// #     lead = '{"id": "b", "created_at": "2026-11-01T00:00:00Z"}'
    /// #     expect = { score = 20 }
    /// # "#)?;
    /// assert_eq!(pack.run_tests()?.never_fired(), ["vip"]);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn never_fired(&self) -> &[Text] {
        &self.never_fired
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for case in &self.cases {
            if case.passed() {
                writeln!(f, "ok      {}", case.name)?;
            } else {
                writeln!(f, "FAILED  {}", case.name)?;
                for failure in &case.failures {
                    writeln!(f, "          {failure}")?;
                }
            }
        }
        let passed = self.cases.iter().filter(|c| c.passed()).count();
        writeln!(f, "{passed} passed, {} failed", self.cases.len() - passed)?;
        let list = |names: &[Text]| names.iter().map(Text::as_str).collect::<Vec<_>>().join(", ");
        write!(f, "rules fired: {}", list(&self.fired))?;
        if !self.never_fired.is_empty() {
            write!(f, "; never fired: {}", list(&self.never_fired))?;
        }
        Ok(())
    }
}

impl Pack {
    /// Runs the pack's test cases (`[[tests]]` in its manifest).
    ///
    /// A pack that does not compile is an error; a case that fails (a
    /// mismatch, a lead that cannot be read, a rule error) is reported in
    /// the [`TestReport`] with what was expected and what came out.
    ///
    /// ```
    /// let report = leadgate::Pack::b2b_bant().run_tests()?;
    /// assert_eq!(report.cases().len(), 10);
    /// assert!(report.passed(), "{report}");
    /// assert_eq!(report.to_string().lines().nth(10), Some("10 passed, 0 failed"));
    ///
    /// // A pack that does not compile has no report.
    /// let broken = leadgate::Pack::from_script("r", "decision.fit(1, \"x\"")?; // no closing parenthesis
    /// let err = broken.run_tests().unwrap_err();
    /// assert_eq!(err.problems()[0].kind(), leadgate::pack::ProblemKind::Syntax);
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn run_tests(&self) -> Result<TestReport, PackError> {
        let base = Qualifier::new(self)?;
        let mut fired: Vec<Text> = Vec::new();
        let cases = self
            .tests
            .iter()
            .map(|case| {
                let mut result = CaseResult {
                    name: case.name.clone(),
                    failures: Vec::new(),
                    decision: None,
                    account: None,
                };
                match run_case(self, &base, case) {
                    Ok(Outcome::Lead(d)) => {
                        fired.extend(d.fired.iter().cloned());
                        result.failures = case.expect.mismatches(&Seen::lead(&d));
                        result.decision = Some(d);
                    }
                    Ok(Outcome::Account(d)) => {
                        fired.extend(d.fired.iter().map(|r| Text::from(format!("account.{r}"))));
                        result.failures = case.expect.mismatches(&Seen::account(&d));
                        result.account = Some(d);
                    }
                    Err(error) => result.failures.push(error),
                }
                result
            })
            .collect();
        let rules =
            self.rules().map(Text::from).chain(self.account_rules().map(|r| format!("account.{r}").into()));
        let (fired, never_fired) = rules.partition(|r| fired.contains(r));
        Ok(TestReport { cases, fired, never_fired })
    }
}

enum Outcome {
    Lead(Decision),
    Account(AccountDecision),
}

fn run_case(pack: &Pack, base: &Qualifier, case: &TestCase) -> Result<Outcome, String> {
    let overridden;
    let q = if case.params.is_empty() {
        base
    } else {
        let mut builder = Qualifier::builder(pack);
        for (name, value) in &case.params {
            builder = builder.param(name, value.clone());
        }
        overridden = builder.build().map_err(|e| format!("parameters: {e}"))?;
        &overridden
    };
    let contacts = match &case.input {
        Input::Lead(json) => {
            let lead = Lead::from_json(json).map_err(|e| format!("lead: {e}"))?;
            return q.evaluate(&lead, case.as_of).map(Outcome::Lead).map_err(|e| e.to_string());
        }
        Input::Account(contacts) => contacts,
    };
    let contacts = contacts
        .iter()
        .enumerate()
        .map(|(i, json)| Lead::from_json(json).map_err(|e| format!("account contact {}: {e}", i + 1)))
        .collect::<Result<Vec<Lead>, String>>()?;
    let grouping = crate::account::group(&contacts);
    if let Some(lead) = grouping.unassigned.first() {
        return Err(format!(
            "contact {:?} belongs to no account: give it an account_id or a company domain",
            lead.id.as_str()
        ));
    }
    match &grouping.accounts[..] {
        [account] => q.evaluate_account(account, case.as_of).map(Outcome::Account).map_err(|e| e.to_string()),
        accounts => {
            let keys: Vec<String> = accounts.iter().map(|a| a.key.to_string()).collect();
            Err(format!("the contacts form {} accounts ({}), not one", accounts.len(), keys.join(", ")))
        }
    }
}

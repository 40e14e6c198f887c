//! A pack's `[account]` section as read: how accounts are decided (the
//! roll-up, the buying-group window, thresholds, caps, required roles, the
//! account's criteria) and its `[[account.rules]]`, decision tables first,
//! then scripts.
//!
//! A number may be written as is or as `"params.<name>"`, read when a
//! qualifier is built, so that a tenant's overrides apply to accounts too.

use super::{Problem, ProblemKind, RuleSource};
use crate::account::Rollup;
use crate::pack::ParamValue;
use crate::{BuyingRole, Text};

/// The numbers an `[account]` section may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Number {
    /// `sum`: the most points one contact brings.
    ContactCap,
    /// `top`: how many contacts count.
    Top,
    /// A contact is engaged with an inbound touch within this many days.
    EngagedDays,
    MqaThreshold,
    WarmThreshold,
    HotThreshold,
    GradeA,
    GradeB,
    GradeC,
    GradeD,
    FitCap,
    EngagementCap,
    ScoreCap,
}

pub(crate) const NUMBERS: [(&str, Number); 13] = [
    ("contact_cap", Number::ContactCap),
    ("top", Number::Top),
    ("engaged_days", Number::EngagedDays),
    ("mqa_threshold", Number::MqaThreshold),
    ("warm_threshold", Number::WarmThreshold),
    ("hot_threshold", Number::HotThreshold),
    ("grade_a", Number::GradeA),
    ("grade_b", Number::GradeB),
    ("grade_c", Number::GradeC),
    ("grade_d", Number::GradeD),
    ("fit_cap", Number::FitCap),
    ("engagement_cap", Number::EngagementCap),
    ("score_cap", Number::ScoreCap),
];

/// The keys besides the numbers.
const OTHER_KEYS: [&str; 4] = ["rollup", "required_roles", "criteria", "rules"];

/// A number as written: a literal or a parameter's name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Setting {
    Literal(f64),
    Param(Text),
}

/// The `[account]` section, checked for shape; values are checked again
/// when a qualifier resolves the parameters.
#[derive(Debug, Clone)]
pub(crate) struct AccountSpec {
    pub(crate) rollup: Rollup,
    pub(crate) numbers: Vec<(Number, Setting)>,
    pub(crate) required_roles: Vec<BuyingRole>,
    pub(crate) criteria: Vec<Text>,
    pub(crate) rules: Vec<RuleSource>,
}

impl AccountSpec {
    /// Reads the section's settings (everything but `rules`); every problem
    /// goes to `problems`. `params` are the pack's, for `"params.<name>"`.
    pub(crate) fn read(
        settings: &toml::Table,
        rules: Vec<RuleSource>,
        params: &[(Text, ParamValue)],
        problems: &mut Vec<Problem>,
    ) -> AccountSpec {
        let mut problem = |message: String| {
            problems.push(Problem::new(ProblemKind::Manifest, format!("[account] {message}")))
        };
        let mut spec = AccountSpec {
            rollup: Rollup::Sum,
            numbers: Vec::new(),
            required_roles: Vec::new(),
            criteria: Vec::new(),
            rules,
        };
        // Whether the settings that depend on the method can be checked.
        let mut rollup_known = true;
        for (key, value) in settings {
            if let Some((_, number)) = NUMBERS.iter().find(|(name, _)| name == key) {
                match (value, value.as_str().and_then(|s| s.strip_prefix("params."))) {
                    (_, Some(param)) if params.iter().any(|(n, _)| n == param) => {
                        spec.numbers.push((*number, Setting::Param(param.into())))
                    }
                    (_, Some(param)) => problem(format!(
                        "{key}: {}",
                        crate::suggest::unknown_param(param, params.iter().map(|(n, _)| n.as_str()))
                    )),
                    (toml::Value::Integer(i), _) => spec.numbers.push((*number, Setting::Literal(*i as f64))),
                    (toml::Value::Float(f), _) => spec.numbers.push((*number, Setting::Literal(*f))),
                    _ => problem(format!("{key} is a number or \"params.<name>\", got {value}")),
                }
                continue;
            }
            let texts = || -> Result<Vec<&str>, String> {
                value
                    .as_array()
                    .and_then(|items| items.iter().map(toml::Value::as_str).collect::<Option<Vec<_>>>())
                    .ok_or_else(|| format!("{key} is a list of names, got {value}"))
            };
            match key.as_str() {
                "rollup" => match value.as_str().map(str::parse::<Rollup>) {
                    Some(Ok(rollup)) => spec.rollup = rollup,
                    Some(Err(e)) => {
                        rollup_known = false;
                        problem(format!("rollup: {e}"))
                    }
                    None => {
                        rollup_known = false;
                        problem(format!("rollup is \"sum\", \"top\" or \"max\", got {value}"))
                    }
                },
                "required_roles" => match texts() {
                    Ok(names) => {
                        for name in names {
                            match name.parse::<BuyingRole>() {
                                Ok(role) if !spec.required_roles.contains(&role) => {
                                    spec.required_roles.push(role)
                                }
                                Ok(role) => problem(format!("required_roles: {role} is listed twice")),
                                Err(e) => problem(format!("required_roles: {e}")),
                            }
                        }
                    }
                    Err(e) => problem(e),
                },
                "criteria" => match texts() {
                    Ok(names) => {
                        for name in names {
                            if !super::is_identifier(name) {
                                problem(format!(
                                    "criterion {name:?}: names are lower-case letters, digits and _"
                                ));
                            } else if spec.criteria.iter().any(|c| c == name) {
                                problem(format!("criterion {name:?} is declared twice"));
                            } else {
                                spec.criteria.push(name.into());
                            }
                        }
                    }
                    Err(e) => problem(e),
                },
                _ => {
                    let known = NUMBERS.iter().map(|(n, _)| *n).chain(OTHER_KEYS);
                    problem(format!("unknown setting {key:?}{}", crate::suggest::hint(key, known)));
                }
            }
        }
        let has = |n: Number| spec.numbers.iter().any(|(m, _)| *m == n);
        match spec.rollup {
            _ if !rollup_known => {}
            Rollup::Top if !has(Number::Top) => {
                problem("rollup = \"top\" needs `top`, the number of contacts that count".into())
            }
            Rollup::Sum | Rollup::Max if has(Number::Top) => {
                problem(format!("`top` applies to rollup = \"top\", not {:?}", spec.rollup.as_str()))
            }
            Rollup::Top | Rollup::Max if has(Number::ContactCap) => {
                problem(format!("`contact_cap` applies to rollup = \"sum\", not {:?}", spec.rollup.as_str()))
            }
            _ => {}
        }
        let mut seen = std::collections::HashSet::new();
        let mut first_script: Option<&str> = None;
        for rule in &spec.rules {
            match (rule.table.is_some(), first_script) {
                (true, Some(script)) => problem(format!(
                    "table {:?} comes after script {script:?}: tables run before scripts, so write them first",
                    rule.name.as_str()
                )),
                (false, None) => first_script = Some(rule.name.as_str()),
                _ => {}
            }
            if !super::is_identifier(&rule.name) {
                problem(format!("rule {:?}: names are lower-case letters, digits and _", rule.name.as_str()));
            } else if ACCOUNT_STEPS.contains(&rule.name.as_str()) {
                problem(format!("rule {:?}: this name is reserved for the engine", rule.name.as_str()));
            } else if !seen.insert(rule.name.as_str()) {
                problem(format!("rule {:?} is declared twice", rule.name.as_str()));
            }
        }
        spec
    }

    /// The section in one canonical text, for the pack's content hash.
    pub(crate) fn canonical(&self) -> String {
        let mut text = format!("rollup = {}\n", self.rollup);
        for (number, setting) in &self.numbers {
            let name = NUMBERS.iter().find(|(_, n)| n == number).map_or("", |(name, _)| name);
            match setting {
                Setting::Literal(x) => text.push_str(&format!("{name} = {x:?}\n")),
                Setting::Param(p) => text.push_str(&format!("{name} = params.{p}\n")),
            }
        }
        let roles: Vec<&str> = self.required_roles.iter().map(|r| r.as_str()).collect();
        text.push_str(&format!("required_roles = {roles:?}\ncriteria = {:?}\n", self.criteria));
        for rule in &self.rules {
            text.push_str(&format!("rule {}\n{}\n", rule.name, rule.source));
        }
        text
    }
}

/// The names the engine's own account steps go by in decisions.
pub(crate) const ACCOUNT_STEPS: [&str; 3] = ["rollup", "caps", "lifecycle"];

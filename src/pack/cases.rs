//! A pack's own test cases (`[[tests]]` in `pack.toml`), as read: the data
//! only. Running them is an authoring tool's job (`authoring::casebook`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::pack::ParamValue;
use crate::{BuyingRole, CriterionStatus, Grade, Stage, Temperature, Text};

/// One test case of a pack: a lead or an account, a time, parameter
/// overrides and what the decision must say.
#[derive(Debug, Clone)]
pub(crate) struct TestCase {
    pub(crate) name: Text,
    pub(crate) as_of: DateTime<Utc>,
    /// What is decided, read when the case runs so bad data fails only its case.
    pub(crate) input: Input,
    pub(crate) params: Vec<(String, ParamValue)>,
    pub(crate) expect: Expect,
}

/// What a case decides.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    /// A lead's JSON.
    Lead(String),
    /// An account: its contacts' JSON, one per item.
    Account(Vec<String>),
}

/// What a case expects; every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expect {
    pub(crate) stage: Option<Stage>,
    pub(crate) handoff: Option<bool>,
    pub(crate) disqualified: Option<bool>,
    pub(crate) grade: Option<Grade>,
    pub(crate) temperature: Option<Temperature>,
    pub(crate) score: Option<i64>,
    pub(crate) score_min: Option<i64>,
    pub(crate) score_max: Option<i64>,
    #[serde(default)]
    pub(crate) criteria: BTreeMap<String, CriterionStatus>,
    /// Text that must appear in some reason or evidence of the decision.
    pub(crate) reason: Option<String>,
    /// For an account: the required roles with no engaged contact.
    pub(crate) missing_roles: Option<Vec<BuyingRole>>,
    /// For an account: the buying group handed to sales, by id.
    pub(crate) buying_group: Option<Vec<String>>,
}

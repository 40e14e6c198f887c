//! Tools for rule authors: a pack's own tests ([`TestReport`]), shadow
//! comparison of a candidate pack against the live one, held against known
//! outcomes if you have them ([`shadow_compare`], [`shadow_compare_with_outcomes`];
//! for accounts, [`shadow_compare_accounts`]),
//! an atomically swappable pack ([`LiveQualifier`]), and the script API as
//! an editor definition file ([`editor_definitions`]).

mod account_shadow;
pub(crate) mod casebook;
pub(crate) mod live;
pub(crate) mod shadow;

pub use crate::engine::api::editor_definitions;
pub use account_shadow::{AccountChange, AccountComparison, AccountFailure, shadow_compare_accounts};
pub use casebook::{CaseResult, TestReport};
pub use live::LiveQualifier;
pub use shadow::{
    AgainstOutcomes, Comparison, Failure, Field, LeadChange, Rates, ScoreBucket, shadow_compare,
    shadow_compare_with_outcomes,
};

//! The lead's fields as rules name them (`lead.industry` in scripts,
//! `industry = ...` in tables), with their kinds: the vocabulary a pack is
//! checked against. Reading them from a lead is the engine's part
//! (`engine::snapshot`).

macro_rules! fields {
    ($($variant:ident $name:literal $kind:ident,)*) => {
        /// A lead field, as `lead.name` in scripts and as conditions in tables.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Field { $($variant),* }

        impl Field {
            pub(crate) const ALL: &[Field] = &[$(Field::$variant),*];

            pub(crate) fn name(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }

            pub(crate) fn kind(self) -> Kind {
                match self { $(Field::$variant => Kind::$kind),* }
            }
        }
    };
}

/// A lead field's type, as rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
    Float,
    Bool,
    List,
}

fields! {
    Id "id" Text,
    AgeDays "age_days" Float,
    Source "source" Text,
    Campaign "campaign" Text,
    Stage "stage" Text,
    Owner "owner" Text,
    DaysInStage "days_in_stage" Float,
    Name "name" Text,
    Email "email" Text,
    EmailDomain "email_domain" Text,
    FreeEmail "free_email" Bool,
    JobTitle "job_title" Text,
    Seniority "seniority" Text,
    Department "department" Text,
    Company "company" Text,
    Domain "domain" Text,
    Industry "industry" Text,
    Employees "employees" Int,
    Revenue "revenue" Float,
    RevenueCurrency "revenue_currency" Text,
    Country "country" Text,
    Budget "budget" Float,
    BudgetCurrency "budget_currency" Text,
    BudgetConfirmed "budget_confirmed" Bool,
    BuyingRole "buying_role" Text,
    Need "need" Text,
    PainPoints "pain_points" List,
    Timeline "timeline" Text,
    DaysToPurchase "days_to_purchase" Int,
}

/// The names of a keyword enum, in declaration order, as a constant.
macro_rules! names {
    ($t:ty) => {{
        const NAMES: [&str; <$t>::ALL.len()] = {
            let mut names = [""; <$t>::ALL.len()];
            let mut i = 0;
            while i < names.len() {
                names[i] = <$t>::ALL[i].as_str();
                i += 1;
            }
            names
        };
        &NAMES
    }};
}

impl Field {
    /// For a field whose values are keywords (a seniority, a stage): their
    /// names in declaration order, the order in which the engine numbers a
    /// lead's value (see `Operand::Keywords`).
    pub(crate) fn keywords(self) -> Option<&'static [&'static str]> {
        use crate::{BuyingRole, Seniority, Stage, Team, Timeline};
        Some(match self {
            Field::Seniority => names!(Seniority),
            Field::BuyingRole => names!(BuyingRole),
            Field::Timeline => names!(Timeline),
            Field::Stage => names!(Stage),
            Field::Owner => names!(Team),
            _ => return None,
        })
    }

    /// Why `text` can never be this keyword field's value (`seniority`
    /// compared with `"VP"`), naming the closest keyword; `None` for a
    /// keyword, for `""` (no value) and for a field without keywords.
    pub(crate) fn never_holds(self, text: &str) -> Option<String> {
        let keywords = self.keywords()?;
        if text.is_empty() {
            return None;
        }
        never_one_of(&format!("a lead's {}", self.name()), text, keywords)
    }
}

/// Why `text` is never a criterion's status (`status.need = "unkown"`),
/// naming the closest; `None` for a status.
pub(crate) fn never_a_status(text: &str) -> Option<String> {
    never_one_of("a criterion's status", text, names!(crate::CriterionStatus))
}

/// Why `text`, compared with `what`, never matches: it is none of
/// `keywords`. `None` when it is one.
fn never_one_of(what: &str, text: &str, keywords: &[&str]) -> Option<String> {
    if keywords.contains(&text) {
        return None;
    }
    let hint = crate::suggest::closest(text, keywords.iter().copied())
        .map_or_else(String::new, |near| format!(" (did you mean {near:?}?)"));
    Some(format!("{text:?} is never {what}{hint}; it is one of: {}", keywords.join(", ")))
}

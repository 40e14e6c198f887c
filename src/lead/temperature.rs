//! Temperature and grade: the two one-word summaries of a lead.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How ready a lead is to talk to sales.
///
/// *Cold*: no awareness or opinion yet (marketing's job). *Warm*: has seen
/// the messaging and shows interest (nurture, or a first sales contact).
/// *Hot*: ready to talk to a sales rep.
///
/// ```
/// use leadgate::Temperature;
/// assert!(Temperature::Cold < Temperature::Hot);
/// assert_eq!("warm".parse::<Temperature>()?, Temperature::Warm);
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Temperature {
    /// No awareness or interest yet.
    Cold,
    /// Some interest.
    Warm,
    /// Ready for sales.
    Hot,
}

impl Temperature {
    /// `"cold"`, `"warm"` or `"hot"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Temperature::Cold => "cold",
            Temperature::Warm => "warm",
            Temperature::Hot => "hot",
        }
    }
}

impl fmt::Display for Temperature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Temperature {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cold" => Ok(Temperature::Cold),
            "warm" => Ok(Temperature::Warm),
            "hot" => Ok(Temperature::Hot),
            _ => Err(format!("unknown temperature {s:?}, expected \"cold\", \"warm\" or \"hot\"")),
        }
    }
}

/// A fit grade, A (best) to F, as CRMs show demographic and firmographic fit.
///
/// ```
/// use leadgate::Grade;
/// assert!(Grade::A < Grade::F);
/// assert_eq!(serde_json::to_string(&Grade::B)?, "\"B\"");
/// assert_eq!("c".parse::<Grade>(), Ok(Grade::C));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    /// Ideal customer profile.
    A,
    /// Good fit.
    B,
    /// Average fit.
    C,
    /// Poor fit.
    D,
    /// Not a fit.
    F,
}

impl Grade {
    /// `"A"` to `"F"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Grade {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "A" | "a" => Ok(Grade::A),
            "B" | "b" => Ok(Grade::B),
            "C" | "c" => Ok(Grade::C),
            "D" | "d" => Ok(Grade::D),
            "F" | "f" => Ok(Grade::F),
            _ => Err(format!("unknown grade {s:?}, expected one of A, B, C, D, F")),
        }
    }
}

//! Pack parameters: thresholds, weights and lists a host can override.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Text;
use crate::lead::ValueError;

/// A parameter value, declared in a pack with a default and overridable by
/// the host at load time.
///
/// ```
/// use leadgate::pack::ParamValue;
/// assert_eq!(ParamValue::from(60), ParamValue::Int(60));
/// assert_eq!(ParamValue::from(vec!["software", "saas"]).to_string(), "[\"software\", \"saas\"]");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ParamValue {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// A string.
    Text(Text),
    /// A list of strings.
    List(Vec<Text>),
}

impl ParamValue {
    /// The type's name, as error messages say it.
    ///
    /// ```
    /// use leadgate::pack::ParamValue;
    /// assert_eq!(ParamValue::Int(60).type_name(), "integer");
    /// assert_eq!(ParamValue::from(vec!["saas"]).type_name(), "list of strings");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "bool",
            ParamValue::Int(_) => "integer",
            ParamValue::Float(_) => "float",
            ParamValue::Text(_) => "string",
            ParamValue::List(_) => "list of strings",
        }
    }

    /// The value as a number, for integers and floats.
    ///
    /// ```
    /// use leadgate::pack::ParamValue;
    /// assert_eq!(ParamValue::Int(60).as_f64(), Some(60.0));
    /// assert_eq!(ParamValue::Float(0.5).as_f64(), Some(0.5));
    /// assert_eq!(ParamValue::from("60").as_f64(), None);
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            ParamValue::Int(i) => Some(i as f64),
            ParamValue::Float(f) => Some(f),
            _ => None,
        }
    }

    /// Parses `text` as a value of the same type as `self` (used for
    /// `NAME=VALUE` overrides from a command line). Lists are comma-separated.
    ///
    /// ```
    /// use leadgate::pack::ParamValue;
    /// let declared = ParamValue::Int(60);
    /// assert_eq!(declared.parse_like("75"), Ok(ParamValue::Int(75)));
    /// assert!(declared.parse_like("high").is_err());
    /// let list = ParamValue::List(vec![]);
    /// assert_eq!(list.parse_like("a, b"), Ok(ParamValue::from(vec!["a", "b"])));
    /// ```
    pub fn parse_like(&self, text: &str) -> Result<ParamValue, ValueError> {
        let t = text.trim();
        let err =
            || ValueError::invalid("parameter value", t, format!("expected {}, got {t:?}", self.type_name()));
        Ok(match self {
            ParamValue::Bool(_) => ParamValue::Bool(t.parse().map_err(|_| err())?),
            ParamValue::Int(_) => ParamValue::Int(t.parse().map_err(|_| err())?),
            ParamValue::Float(_) => {
                let f: f64 = t.parse().map_err(|_| err())?;
                if !f.is_finite() {
                    return Err(err());
                }
                ParamValue::Float(f)
            }
            ParamValue::Text(_) => ParamValue::Text(text.into()),
            ParamValue::List(_) => ParamValue::List(
                t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Text::from).collect(),
            ),
        })
    }

    /// `value` converted to this value's type, if the types agree (an
    /// integer is accepted where a float is declared).
    pub(crate) fn coerce(&self, value: ParamValue) -> Result<ParamValue, String> {
        match (self, value) {
            (ParamValue::Float(_), ParamValue::Int(i)) => Ok(ParamValue::Float(i as f64)),
            (ParamValue::Float(_), ParamValue::Float(f)) if !f.is_finite() => {
                Err(format!("expected a finite float, got {f}"))
            }
            (d, v) if std::mem::discriminant(d) == std::mem::discriminant(&v) => Ok(v),
            (d, v) => Err(format!("expected {}, got {} {v}", d.type_name(), v.type_name())),
        }
    }

    pub(crate) fn from_toml(value: &toml::Value) -> Result<ParamValue, String> {
        Ok(match value {
            toml::Value::Boolean(b) => ParamValue::Bool(*b),
            toml::Value::Integer(i) => ParamValue::Int(*i),
            toml::Value::Float(f) if f.is_finite() => ParamValue::Float(*f),
            toml::Value::String(s) => ParamValue::Text(s.as_str().into()),
            toml::Value::Array(items) => ParamValue::List(
                items
                    .iter()
                    .map(|v| v.as_str().map(Text::from).ok_or("lists may only hold strings"))
                    .collect::<Result<_, _>>()?,
            ),
            other => return Err(format!("unsupported parameter value {other}")),
        })
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x:?}"),
            ParamValue::Text(s) => write!(f, "{:?}", s.as_str()),
            ParamValue::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{:?}", item.as_str())?;
                }
                f.write_str("]")
            }
        }
    }
}

macro_rules! from_impls {
    ($($t:ty => |$v:ident| $e:expr;)*) => {$(
        impl From<$t> for ParamValue {
            fn from($v: $t) -> Self { $e }
        }
    )*};
}

from_impls! {
    bool => |v| ParamValue::Bool(v);
    i64 => |v| ParamValue::Int(v);
    i32 => |v| ParamValue::Int(v.into());
    u32 => |v| ParamValue::Int(v.into());
    f64 => |v| ParamValue::Float(v);
    &str => |v| ParamValue::Text(v.into());
    String => |v| ParamValue::Text(v.into());
    Text => |v| ParamValue::Text(v);
    Vec<&str> => |v| ParamValue::List(v.into_iter().map(Text::from).collect());
    Vec<String> => |v| ParamValue::List(v.into_iter().map(Text::from).collect());
    Vec<Text> => |v| ParamValue::List(v);
}

/// Parameter names the engine itself reads, all optional and numeric. A pack
/// that declares one switches the matching behaviour on.
pub(crate) mod known {
    pub(crate) const MQL_THRESHOLD: &str = "mql_threshold";
    pub(crate) const WARM_THRESHOLD: &str = "warm_threshold";
    pub(crate) const HOT_THRESHOLD: &str = "hot_threshold";
    pub(crate) const GRADES: [(&str, crate::Grade); 4] = [
        ("grade_a", crate::Grade::A),
        ("grade_b", crate::Grade::B),
        ("grade_c", crate::Grade::C),
        ("grade_d", crate::Grade::D),
    ];
    pub(crate) const HALF_LIFE_DAYS: &str = "half_life_days";
    pub(crate) const CHANNEL_DAILY_CAP: &str = "channel_daily_cap";
    pub(crate) const FIT_CAP: &str = "fit_cap";
    pub(crate) const ENGAGEMENT_CAP: &str = "engagement_cap";
    pub(crate) const SCORE_CAP: &str = "score_cap";
    pub(crate) const SQL_CRITERIA_MET: &str = "sql_criteria_met";
    pub(crate) const HOLD_CRITERIA_NOT_MET: &str = "hold_criteria_not_met";
    pub(crate) const POINTS_PREFIX: &str = "points.";

    pub(crate) fn is_numeric(name: &str) -> bool {
        name.starts_with(POINTS_PREFIX)
            || GRADES.iter().any(|(n, _)| *n == name)
            || [
                MQL_THRESHOLD,
                WARM_THRESHOLD,
                HOT_THRESHOLD,
                HALF_LIFE_DAYS,
                CHANNEL_DAILY_CAP,
                FIT_CAP,
                ENGAGEMENT_CAP,
                SCORE_CAP,
                SQL_CRITERIA_MET,
                HOLD_CRITERIA_NOT_MET,
            ]
            .contains(&name)
    }
}

/// The effective parameters of a compiled pack: declared defaults with the
/// host's overrides applied.
pub(crate) type ParamTable = BTreeMap<Text, ParamValue>;

//! Amounts of money: an amount and an ISO 4217 currency.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::ValueError;

/// An amount of money in a currency.
///
/// ```
/// use leadgate::Money;
/// let m: Money = serde_json::from_str(r#"{"amount": 50000, "currency": "EUR"}"#)?;
/// assert_eq!(m.amount(), 50000.0);
/// assert_eq!(m.currency.as_str(), "EUR");
/// assert!(serde_json::from_str::<Money>(r#"{"amount": -1, "currency": "EUR"}"#).is_err());
/// assert!(serde_json::from_str::<Money>(r#"{"amount": 1, "currency": "euro"}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Money {
    /// Finite and not negative: read through [`Money::amount`], set through
    /// [`Money::new`] or [`Money::set_amount`], which check it.
    #[serde(deserialize_with = "non_negative", serialize_with = "whole_if_integral")]
    amount: f64,
    /// The currency.
    pub currency: Currency,
    /// Fields this library does not know (a CRM's `"converted"` amount,
    /// say), kept on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Money {
    /// A copy without the unknown fields (see `Person::known`).
    pub(crate) fn known(&self) -> Money {
        Money { amount: self.amount, currency: self.currency, extra: Map::new() }
    }

    /// `amount` of `currency`; the amount must be finite and not negative,
    /// as when it is read from JSON.
    ///
    /// ```
    /// use leadgate::Money;
    /// let m = Money::new(50_000.0, "EUR".parse()?)?;
    /// assert_eq!(m.amount(), 50_000.0);
    /// assert!(Money::new(-1.0, "EUR".parse()?).is_err());
    /// assert!(Money::new(f64::NAN, "EUR".parse()?).is_err());
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub fn new(amount: f64, currency: Currency) -> Result<Money, ValueError> {
        check_amount(amount)?;
        Ok(Money { amount, currency, extra: Map::new() })
    }

    /// The amount, finite and not negative.
    ///
    /// ```
    /// let m = leadgate::Money::new(1_250.5, "USD".parse()?)?;
    /// assert_eq!(m.amount(), 1_250.5);
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub fn amount(&self) -> f64 {
        self.amount
    }

    /// Changes the amount, refusing a negative or non-finite one (the money
    /// is then unchanged).
    ///
    /// ```
    /// let mut m = leadgate::Money::new(100.0, "USD".parse()?)?;
    /// m.set_amount(250.0)?;
    /// assert_eq!(m.amount(), 250.0);
    /// assert!(m.set_amount(f64::NAN).is_err());
    /// assert_eq!(m.amount(), 250.0);
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub fn set_amount(&mut self, amount: f64) -> Result<(), ValueError> {
        check_amount(amount)?;
        self.amount = amount;
        Ok(())
    }
}

/// `50000`, not `50000.0`: amounts written back look as they were read.
fn whole_if_integral<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT { s.serialize_i64(*v as i64) } else { s.serialize_f64(*v) }
}

/// An amount: a number of 0 or more. The error says so, rather than
/// naming Rust's `f64`.
fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    struct Amount;
    impl serde::de::Visitor<'_> for Amount {
        type Value = f64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an amount, a number of 0 or more")
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<f64, E> {
            check_amount(v).map_err(E::custom)?;
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<f64, E> {
            self.visit_f64(v as f64)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<f64, E> {
            self.visit_f64(v as f64)
        }
    }
    d.deserialize_f64(Amount)
}

fn check_amount(v: f64) -> Result<(), ValueError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(ValueError::invalid(
            "amount",
            v.to_string(),
            format!("amount must be a finite number >= 0, got {v}"),
        ))
    }
}

/// An ISO 4217 currency code: three upper-case ASCII letters.
///
/// ```
/// use leadgate::Currency;
/// let usd: Currency = "USD".parse()?;
/// assert_eq!(usd.to_string(), "USD");
/// assert!("usd".parse::<Currency>().is_err());
/// # Ok::<(), leadgate::lead::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The code as a string.
    ///
    /// ```
    /// use leadgate::Currency;
    /// let gbp: Currency = "GBP".parse()?;
    /// assert_eq!(gbp.as_str(), "GBP");
    /// # Ok::<(), leadgate::ValueError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        // Only upper-case ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl FromStr for Currency {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        match s.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(ValueError::invalid(
                "currency",
                s,
                format!("invalid currency {s:?}, expected an ISO 4217 code such as \"USD\""),
            )),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

//! RFC 3339 (de)serialization with errors that say what was expected.
//!
//! chrono's own messages ("input contains invalid characters") do not say
//! that a time was expected, so every timestamp field goes through here.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde::{Deserializer, Serializer, de};

/// Serde adapter for `DateTime<Utc>` as an RFC 3339 string.
pub(crate) mod rfc3339 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&display(*at))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_str(TimeVisitor)
    }
}

struct TimeVisitor;

impl de::Visitor<'_> for TimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 time such as \"2026-11-23T09:30:00Z\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_rfc3339(v).map_err(E::custom)
    }
}

/// Parses an RFC 3339 time into UTC, with an error message fit for users.
///
/// A time whose UTC year is outside 0000 to 9999 (`9999-12-31T23:00:00-02:00`,
/// say) is refused: RFC 3339 cannot write it, so it could not be written back.
pub(crate) fn parse_rfc3339(v: &str) -> Result<DateTime<Utc>, String> {
    let t = DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("invalid RFC 3339 time {v:?} ({e})"))?;
    if !writable(t) {
        return Err(format!(
            "time {v:?} is outside the years 0000 to 9999 in UTC, so RFC 3339 cannot write it back"
        ));
    }
    Ok(t)
}

/// `t` as the JSON writes it (`2026-11-23T09:30:00Z`), for messages.
pub(crate) fn display(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Whether RFC 3339 can write `t`: its year, in UTC, is 0000 to 9999.
pub(crate) fn writable(t: DateTime<Utc>) -> bool {
    (0..=9999).contains(&t.year())
}

/// Serde adapter for an optional calendar date (`YYYY-MM-DD`).
pub(crate) mod date_option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(&d.format("%Y-%m-%d")),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        struct Opt;
        impl<'de> de::Visitor<'de> for Opt {
            type Value = Option<NaiveDate>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as \"2027-01-31\" or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_str(self)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|e| E::custom(format!("invalid date {v:?}, expected YYYY-MM-DD ({e})")))
            }
        }
        d.deserialize_option(Opt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_that_cannot_be_written_back_are_refused() {
        for v in ["9999-12-31T23:00:00-02:00", "0000-01-01T00:30:00+01:00"] {
            assert_eq!(
                parse_rfc3339(v).unwrap_err(),
                format!(
                    "time {v:?} is outside the years 0000 to 9999 in UTC, so RFC 3339 cannot write it back"
                )
            );
        }
        for v in ["9999-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z", "9999-12-31T22:00:00-01:00"] {
            let t = parse_rfc3339(v).unwrap();
            let written = t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            assert_eq!(parse_rfc3339(&written), Ok(t), "{v}");
        }
    }
}

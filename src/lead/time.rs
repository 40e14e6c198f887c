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
        match whole_seconds(*at) {
            Some(text) => s.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?),
            None => s.collect_str(&display(*at)),
        }
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
    if let Some(t) = parse_utc(v) {
        return Ok(t);
    }
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

/// The common shape, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read directly:
/// a lead carries dozens of times, and chrono's general parser costs several
/// times more. `None` for anything else (offsets, lower-case letters, leap
/// seconds, invalid dates), which the general parser then reads or refuses,
/// so the result is always chrono's.
fn parse_utc(v: &str) -> Option<DateTime<Utc>> {
    let b = v.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let nanos = match &b[19..] {
        [b'Z'] => 0,
        [b'.', digits @ .., b'Z'] if (1..=9).contains(&digits.len()) => {
            let n = num(20..19 + 1 + digits.len())?;
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(num(11..13)?, num(14..16)?, num(17..19)?, nanos)?;
    Some(date.and_time(time).and_utc())
}

/// `t` as the JSON writes it (`2026-11-23T09:30:00Z`), for messages.
pub(crate) fn display(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `t` as [`display`] writes it, without allocating, when it is a whole
/// second of the years 0000 to 9999 (every decision's `as_of`, nearly every
/// touchpoint): `2026-11-23T09:30:00Z`.
fn whole_seconds(t: DateTime<Utc>) -> Option<[u8; 20]> {
    use chrono::Timelike;
    if t.nanosecond() != 0 || !writable(t) {
        return None;
    }
    let mut text = *b"0000-00-00T00:00:00Z";
    let year = t.year().unsigned_abs();
    let digits = |n: u32| [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8];
    text[0..2].copy_from_slice(&digits(year / 100));
    text[2..4].copy_from_slice(&digits(year));
    text[5..7].copy_from_slice(&digits(t.month()));
    text[8..10].copy_from_slice(&digits(t.day()));
    text[11..13].copy_from_slice(&digits(t.hour()));
    text[14..16].copy_from_slice(&digits(t.minute()));
    text[17..19].copy_from_slice(&digits(t.second()));
    Some(text)
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
    use proptest::prelude::*;

    proptest! {
        /// The fast path reads exactly what chrono reads, and refuses what
        /// chrono refuses (it then defers to chrono).
        #[test]
        fn the_fast_path_agrees_with_chrono(
            v in "[0-9]{4}-[01][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{1,10})?(Z|z|[+-][01][0-9]:[0-5][0-9])?",
        ) {
            let chrono = DateTime::parse_from_rfc3339(&v).ok().map(|t| t.with_timezone(&Utc));
            if let Some(fast) = parse_utc(&v) {
                prop_assert_eq!(Some(fast), chrono);
            }
        }
    }

    proptest! {
        /// A whole second is written as chrono writes it; others are left to chrono.
        #[test]
        fn whole_seconds_are_written_as_chrono_writes_them(secs in -62_167_219_200i64..253_402_300_800, nanos in prop_oneof![Just(0u32), 0u32..2_000_000_000]) {
            let Some(t) = DateTime::from_timestamp(secs, nanos) else { return Ok(()) };
            match whole_seconds(t) {
                Some(text) => prop_assert_eq!(std::str::from_utf8(&text).unwrap(), display(t)),
                None => prop_assert!(nanos != 0),
            }
        }
    }

    #[test]
    fn the_fast_path_takes_the_common_shapes() {
        for v in ["2026-11-23T09:30:00Z", "2026-11-23T09:30:00.5Z", "2026-11-23T09:30:00.123456789Z"] {
            assert_eq!(
                parse_utc(v),
                DateTime::parse_from_rfc3339(v).ok().map(|t| t.with_timezone(&Utc)),
                "{v}"
            );
            assert!(parse_utc(v).is_some(), "{v}");
        }
        for v in [
            "2026-11-23t09:30:00Z",
            "2026-11-23T09:30:00+01:00",
            "2026-02-30T00:00:00Z",
            "2016-12-31T23:59:60Z",
        ] {
            assert_eq!(parse_utc(v), None, "{v}");
        }
        assert!(parse_rfc3339("2016-12-31T23:59:60Z").is_ok(), "a leap second, through chrono");
    }

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

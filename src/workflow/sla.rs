//! Service-level agreements: when a handoff is due, around the clock or in
//! business hours.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// How long sales has to act on a handoff.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use leadgate::workflow::Sla;
/// let time = |s: &str| s.parse::<DateTime<Utc>>();
/// let at = time("2026-11-20T16:00:00Z")?; // a Friday, 16:00
/// assert_eq!(Sla::hours(24).due(at), time("2026-11-21T16:00:00Z")?);
/// // 4 business hours from Friday 16:00, 9:00 to 17:00 on weekdays: Monday 12:00.
/// assert_eq!(Sla::business_hours(4).due(at), time("2026-11-23T12:00:00Z")?);
/// # Ok::<(), chrono::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sla {
    /// Hours to act.
    pub hours: u32,
    /// Count only business hours (weekdays between `day_start` and `day_end`, UTC).
    pub business_hours_only: bool,
    /// Start of the business day, hour (UTC).
    pub day_start: u32,
    /// End of the business day, hour (UTC).
    pub day_end: u32,
}

impl Sla {
    /// `hours` around the clock.
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// # let time = |s: &str| s.parse::<DateTime<Utc>>();
    /// let sla = Sla::hours(48);
    /// assert_eq!((sla.hours, sla.business_hours_only), (48, false));
    /// // From Friday 16:00: weekends count.
    /// assert_eq!(sla.due(time("2026-11-20T16:00:00Z")?), time("2026-11-22T16:00:00Z")?);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub const fn hours(hours: u32) -> Sla {
        Sla { hours, business_hours_only: false, day_start: 9, day_end: 17 }
    }

    /// `hours` of business time, 9:00 to 17:00 UTC on weekdays.
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// # let time = |s: &str| s.parse::<DateTime<Utc>>();
    /// let sla = Sla::business_hours(8);
    /// assert_eq!((sla.hours, sla.business_hours_only, sla.day_start, sla.day_end), (8, true, 9, 17));
    /// // From Monday 13:00: a working day later.
    /// assert_eq!(sla.due(time("2026-11-23T13:00:00Z")?), time("2026-11-24T13:00:00Z")?);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub const fn business_hours(hours: u32) -> Sla {
        Sla { hours, business_hours_only: true, day_start: 9, day_end: 17 }
    }

    /// When a handoff made at `at` is due; the latest time there is
    /// ([`DateTime::<Utc>::MAX_UTC`]) when that is outside the years RFC 3339
    /// can write (0000 to 9999 UTC): use [`Sla::checked_due`] to tell.
    ///
    /// ```
    /// use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// # let time = |s: &str| s.parse::<DateTime<Utc>>();
    /// let at = time("2026-11-23T10:00:00Z")?;
    /// assert_eq!(Sla::hours(4).due(at), time("2026-11-23T14:00:00Z")?);
    /// assert_eq!(Sla::hours(u32::MAX).due(at), DateTime::<Utc>::MAX_UTC);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn due(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.checked_due(at).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// When a handoff made at `at` is due, or `None` when that is outside
    /// the years RFC 3339 can write (0000 to 9999 UTC), as past the end of
    /// 9999. It never panics, and takes the same short time for any number
    /// of hours (whole weeks are counted, not walked).
    ///
    /// ```
    /// use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// let at = "2026-11-20T16:00:00Z".parse::<DateTime<Utc>>()?;
    /// assert_eq!(Sla::business_hours(4).checked_due(at), Some("2026-11-23T12:00:00Z".parse()?));
    /// assert_eq!(Sla::hours(u32::MAX).checked_due(at), None);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn checked_due(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let due = if !self.business_hours_only || self.day_end <= self.day_start {
            at.checked_add_signed(TimeDelta::try_hours(self.hours.into())?)
        } else {
            self.business_due(at)
        }?;
        crate::lead::time::writable(due).then_some(due)
    }

    /// `hours` of business time from `at`: the partial first day, whole
    /// weeks by arithmetic, then at most two weeks walked day by day.
    fn business_due(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // 0 <= start < end <= 24, so a business day is 1 to 24 hours.
        let (start, end) = (self.day_start.min(23), self.day_end.min(24));
        let instant = |day: NaiveDate, hour: u32| match hour {
            24 => day.succ_opt()?.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
            h => day.and_hms_opt(h, 0, 0).map(|t| t.and_utc()),
        };
        let week = TimeDelta::try_hours(i64::from(end - start) * 5)?;
        let mut left = TimeDelta::try_hours(self.hours.into())?;
        let (mut day, mut t) = (at.date_naive(), at);
        let mut skipped = false;
        // The first day, then (after skipping whole weeks) at most one week and
        // a second of business time: 11 days at most from any weekday.
        for _ in 0..16 {
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                let (open, close) = (instant(day, start)?, instant(day, end)?);
                if t < close {
                    let from = t.max(open);
                    if left <= close - from {
                        return from.checked_add_signed(left);
                    }
                    left -= close - from;
                }
            }
            day = day.succ_opt()?;
            if !skipped {
                skipped = true;
                // Whole weeks but the last: a week is 5 business days.
                let weeks = (left.num_seconds() - 1).max(0) / week.num_seconds();
                day = day.checked_add_days(Days::new(u64::try_from(weeks).ok()?.checked_mul(7)?))?;
                left = left.checked_sub(&week.checked_mul(i32::try_from(weeks).ok()?)?)?;
            }
            t = instant(day, 0)?;
        }
        // Not reached: 16 days hold a partial day, a week and a day to spare.
        None
    }
}

impl Default for Sla {
    /// 24 hours around the clock.
    fn default() -> Self {
        Sla::hours(24)
    }
}

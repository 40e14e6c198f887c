//! Service-level agreements: when a handoff is due, around the clock or in
//! a team's business hours; and the error for both.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Calendar;

/// How long sales has to act on a handoff: around the clock, or in
/// business time on a [`Calendar`].
///
/// ```
/// use chrono::{DateTime, Utc};
/// use leadgate::workflow::{Calendar, Sla};
/// let time = |s: &str| s.parse::<DateTime<Utc>>();
/// let at = time("2026-11-20T16:00:00Z")?; // a Friday, 16:00 UTC
/// assert_eq!(Sla::hours(24).due(at)?, time("2026-11-21T16:00:00Z")?);
/// // 4 business hours, 9:00 to 17:00 UTC on weekdays: Monday 12:00.
/// assert_eq!(Sla::business_hours(4).due(at)?, time("2026-11-23T12:00:00Z")?);
/// // The same in Los Angeles: Friday 08:00 there, before opening, so due at 13:00 Pacific.
/// let pacific = Calendar::new("America/Los_Angeles")?;
/// assert_eq!(Sla::business_hours(4).with_calendar(pacific).due(at)?, time("2026-11-20T21:00:00Z")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sla {
    minutes: u64,
    /// `None`: around the clock.
    calendar: Option<Arc<Calendar>>,
}

impl Sla {
    /// `hours` around the clock.
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// # let time = |s: &str| s.parse::<DateTime<Utc>>();
    /// // From Friday 16:00: weekends count.
    /// assert_eq!(Sla::hours(48).due(time("2026-11-20T16:00:00Z")?)?, time("2026-11-22T16:00:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn hours(hours: u32) -> Sla {
        Sla { minutes: hours as u64 * 60, calendar: None }
    }

    /// `minutes` around the clock.
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// # let time = |s: &str| s.parse::<DateTime<Utc>>();
    /// assert_eq!(Sla::minutes(90).due(time("2026-11-20T23:00:00Z")?)?, time("2026-11-21T00:30:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn minutes(minutes: u32) -> Sla {
        Sla { minutes: minutes as u64, calendar: None }
    }

    /// `hours` of business time on the default calendar, 09:00 to 17:00 UTC
    /// on weekdays; [`Sla::with_calendar`] sets the team's own.
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// # let time = |s: &str| s.parse::<DateTime<Utc>>();
    /// // From Monday 13:00: a working day later.
    /// assert_eq!(Sla::business_hours(8).due(time("2026-11-23T13:00:00Z")?)?, time("2026-11-24T13:00:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn business_hours(hours: u32) -> Sla {
        Sla { minutes: u64::from(hours) * 60, calendar: Some(Arc::new(Calendar::default())) }
    }

    /// `minutes` of business time on the default calendar (see
    /// [`Sla::business_hours`]).
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// use leadgate::workflow::Sla;
    /// # let time = |s: &str| s.parse::<DateTime<Utc>>();
    /// // Handed off on Monday at 16:45 UTC: 15 minutes that day, 15 on Tuesday from 09:00.
    /// assert_eq!(Sla::business_minutes(30).due(time("2026-11-23T16:45:00Z")?)?, time("2026-11-24T09:15:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn business_minutes(minutes: u32) -> Sla {
        Sla { minutes: minutes.into(), calendar: Some(Arc::new(Calendar::default())) }
    }

    /// The same length counted in business time on `calendar`.
    ///
    /// ```
    /// use leadgate::workflow::{Calendar, Sla};
    /// let sla = Sla::business_hours(8).with_calendar(Calendar::new("Europe/Paris")?);
    /// assert_eq!(sla.to_string(), "8 business hours (Mon-Fri 09:00-17:00 Europe/Paris)");
    /// # Ok::<(), leadgate::workflow::SlaError>(())
    /// ```
    pub fn with_calendar(self, calendar: Calendar) -> Sla {
        Sla { calendar: Some(Arc::new(calendar)), ..self }
    }

    /// The length, in minutes (of business time, when there is a calendar).
    ///
    /// ```
    /// use leadgate::workflow::Sla;
    /// assert_eq!(Sla::business_hours(4).length_minutes(), 240);
    /// assert_eq!(Sla::hours(u32::MAX).length_minutes(), 257_698_037_700);
    /// ```
    pub fn length_minutes(&self) -> u64 {
        self.minutes
    }

    /// The calendar business time is counted on; `None` around the clock.
    ///
    /// ```
    /// use leadgate::workflow::Sla;
    /// assert_eq!(Sla::hours(24).calendar(), None);
    /// assert_eq!(Sla::business_hours(8).calendar().map(|c| c.zone()), Some("UTC"));
    /// ```
    pub fn calendar(&self) -> Option<&Calendar> {
        self.calendar.as_deref()
    }

    /// When a handoff made at `at` is due: never before `at`, and never
    /// earlier for a later handoff.
    ///
    /// It never panics, and takes about the same short time for any length
    /// (whole weeks of business time are counted, not walked). Errors:
    /// [`SlaErrorKind::OutOfRange`] when the due time is past the years
    /// RFC 3339 can write (0000 to 9999 UTC), [`SlaErrorKind::NeverOpen`]
    /// for a calendar with no working weekday.
    ///
    /// ```
    /// use chrono::{DateTime, Utc};
    /// use leadgate::workflow::{Sla, SlaErrorKind};
    /// let at = "2026-11-23T10:00:00Z".parse::<DateTime<Utc>>()?;
    /// assert_eq!(Sla::hours(4).due(at)?, "2026-11-23T14:00:00Z".parse::<DateTime<Utc>>()?);
    /// let err = Sla::business_hours(u32::MAX).due(at).unwrap_err();
    /// assert_eq!(err.kind(), SlaErrorKind::OutOfRange);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn due(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>, SlaError> {
        let amount = i64::try_from(self.minutes).ok().and_then(TimeDelta::try_minutes);
        let amount = amount.ok_or_else(|| SlaError::out_of_range(at))?;
        let due = match &self.calendar {
            None => at.checked_add_signed(amount).ok_or_else(|| SlaError::out_of_range(at))?,
            Some(calendar) => calendar.add(at, amount)?,
        };
        if crate::lead::time::writable(due) { Ok(due) } else { Err(SlaError::out_of_range(at)) }
    }
}

impl Default for Sla {
    /// 24 hours around the clock.
    fn default() -> Self {
        Sla::hours(24)
    }
}

impl fmt::Display for Sla {
    /// `24 hours`, `90 minutes`, `8 business hours (Mon-Fri 09:00-17:00 UTC)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let business = if self.calendar.is_some() { "business " } else { "" };
        match (self.minutes % 60, self.minutes / 60) {
            (0, 1) => write!(f, "1 {business}hour")?,
            (0, h) => write!(f, "{h} {business}hours")?,
            _ => write!(f, "{} {business}minutes", self.minutes)?,
        }
        match &self.calendar {
            Some(c) => write!(f, " ({c})"),
            None => Ok(()),
        }
    }
}

/// An SLA as read: its length in `hours` or `minutes`, and the calendar it
/// counts business time on, if any.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlaForm {
    #[serde(default)]
    hours: Option<u32>,
    #[serde(default)]
    minutes: Option<u64>,
    #[serde(default)]
    calendar: Option<Calendar>,
}

/// An SLA as written: in minutes, which every length is exactly.
#[derive(Serialize)]
struct SlaOut<'a> {
    minutes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    calendar: Option<&'a Calendar>,
}

impl Serialize for Sla {
    /// `{"minutes": 480, "calendar": {...}}`, with a calendar for business time only.
    ///
    /// ```
    /// use leadgate::workflow::Sla;
    /// assert_eq!(serde_json::to_string(&Sla::hours(24))?, r#"{"minutes":1440}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SlaOut { minutes: self.minutes, calendar: self.calendar() }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Sla {
    /// `hours` or `minutes`, one of the two; with a `calendar`, business time
    /// on it (`"calendar": {}` is the default calendar, 09:00 to 17:00 UTC on
    /// weekdays), else around the clock.
    ///
    /// ```
    /// use leadgate::workflow::Sla;
    /// let sla: Sla = serde_json::from_str(r#"{"hours": 8, "calendar": {}}"#)?;
    /// assert_eq!(sla, Sla::business_hours(8));
    /// let sla: Sla = serde_json::from_str(r#"{"minutes": 90}"#)?;
    /// assert_eq!(sla, Sla::minutes(90));
    ///
    /// let err = serde_json::from_str::<Sla>(r#"{"hours": 8, "minutes": 30}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("an SLA sets `hours` or `minutes`, not both"), "{err}");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let form = SlaForm::deserialize(deserializer)?;
        let minutes = match (form.hours, form.minutes) {
            (Some(hours), None) => u64::from(hours) * 60,
            (None, Some(minutes)) => minutes,
            (Some(_), Some(_)) => return Err(D::Error::custom("an SLA sets `hours` or `minutes`, not both")),
            (None, None) => return Err(D::Error::custom("an SLA needs `hours` or `minutes`")),
        };
        Ok(Sla { minutes, calendar: form.calendar.map(Arc::new) })
    }
}

/// Why a calendar could not be built or a due time computed.
///
/// ```
/// use leadgate::workflow::{Calendar, SlaErrorKind};
/// let err = Calendar::default().hours("9am", "17:00").unwrap_err();
/// assert_eq!(err.kind(), SlaErrorKind::InvalidHours);
/// assert_eq!(err.line(), None);
/// assert_eq!(err.to_string(), r#""9am" is not a time of day as HH:MM, 00:00 to 24:00"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaError {
    kind: SlaErrorKind,
    line: Option<usize>,
    message: String,
}

/// What kind of [`SlaError`].
///
/// ```
/// use leadgate::workflow::{Calendar, SlaErrorKind};
/// assert_eq!(Calendar::new("Mars/Olympus").unwrap_err().kind(), SlaErrorKind::UnknownTimeZone);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SlaErrorKind {
    /// Not an IANA time zone name.
    UnknownTimeZone,
    /// Working hours that are not `HH:MM`, or do not open before they close.
    InvalidHours,
    /// A holiday line that does not start with a date.
    InvalidHoliday,
    /// A calendar with no working weekday: nothing is ever due.
    NeverOpen,
    /// The due time is past the years RFC 3339 can write (0000 to 9999 UTC).
    OutOfRange,
}

impl SlaError {
    pub(super) fn new(kind: SlaErrorKind, message: String) -> SlaError {
        SlaError { kind, line: None, message }
    }

    pub(super) fn at_line(self, line: usize) -> SlaError {
        SlaError { line: Some(line), ..self }
    }

    pub(super) fn out_of_range(at: DateTime<Utc>) -> SlaError {
        let message = format!(
            "a handoff at {} would be due outside the years RFC 3339 can write (0000 to 9999)",
            crate::lead::time::display(at)
        );
        SlaError::new(SlaErrorKind::OutOfRange, message)
    }

    /// What went wrong.
    ///
    /// ```
    /// use leadgate::workflow::{Sla, SlaErrorKind};
    /// let err = Sla::hours(u32::MAX).due("2026-11-23T10:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.kind(), SlaErrorKind::OutOfRange);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> SlaErrorKind {
        self.kind
    }

    /// The line of a holiday list the error is on, counted from 1.
    ///
    /// ```
    /// use leadgate::workflow::Calendar;
    /// let err = Calendar::default().holidays("# holidays\n\nChristmas 2026-12-25\n").unwrap_err();
    /// assert_eq!(err.line(), Some(3));
    /// ```
    pub fn line(&self) -> Option<usize> {
        self.line
    }
}

impl fmt::Display for SlaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SlaError {}

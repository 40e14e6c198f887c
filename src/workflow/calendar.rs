//! Business calendars: the sales team's working hours in its own time zone,
//! its working weekdays and its holidays; and how business time is counted
//! on them.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::sla::{SlaError, SlaErrorKind};

/// When the sales team works: hours of the day in its time zone, the
/// weekdays it works, and the dates it does not (holidays).
///
/// Business time is counted on the team's wall clock: a working day of
/// 09:00 to 17:00 is 8 business hours, even on the day the clocks change.
/// A due time that falls in the hour skipped when clocks go forward is
/// read with the offset in force before the change (02:30 becomes 03:30);
/// one that falls in the hour repeated when they go back is the first of
/// the two that is not before the handoff.
///
/// ```
/// use chrono::{DateTime, NaiveDate, Utc};
/// use leadgate::workflow::{Calendar, Sla};
///
/// let pacific = Calendar::new("America/Los_Angeles")?
///     .hours("08:30", "17:00")?
///     .holiday(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()); // Thanksgiving
/// assert_eq!(pacific.zone(), "America/Los_Angeles");
///
/// // Handed off on Wednesday at 16:00 Pacific (PST is UTC-8), with 2 business hours:
/// // one hour on Wednesday, Thursday is a holiday, one more on Friday from 08:30.
/// let at: DateTime<Utc> = "2026-11-26T00:00:00Z".parse()?;
/// let due = Sla::business_hours(2).with_calendar(pacific).due(at)?;
/// assert_eq!(due, "2026-11-27T17:30:00Z".parse::<DateTime<Utc>>()?); // Friday 09:30 Pacific
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    zone: Tz,
    /// Minutes after local midnight; `open < close <= 1440`.
    open: u32,
    close: u32,
    /// Monday first.
    weekdays: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    /// Monday to Friday, 09:00 to 17:00 UTC, no holidays.
    fn default() -> Self {
        Calendar::in_zone(Tz::UTC)
    }
}

impl Calendar {
    /// Monday to Friday, 09:00 to 17:00, in the IANA time zone `zone`
    /// (such as `Europe/Berlin`; `UTC` works too), with no holidays.
    ///
    /// An unknown name is a [`SlaErrorKind::UnknownTimeZone`] that suggests
    /// the closest known one.
    ///
    /// ```
    /// use leadgate::workflow::{Calendar, SlaErrorKind};
    /// assert_eq!(Calendar::new("Europe/Berlin")?.zone(), "Europe/Berlin");
    /// let err = Calendar::new("Europe/Berln").unwrap_err();
    /// assert_eq!(err.kind(), SlaErrorKind::UnknownTimeZone);
    /// assert_eq!(err.to_string(), r#"unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)"#);
    /// # Ok::<(), leadgate::workflow::SlaError>(())
    /// ```
    pub fn new(zone: &str) -> Result<Calendar, SlaError> {
        match zone.parse::<Tz>() {
            Ok(tz) => Ok(Calendar::in_zone(tz)),
            Err(_) => {
                // Edit distances are quadratic: only suggest for names of a sensible length.
                let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                let suggestion = (zone.len() <= 64).then(|| crate::suggest::closest(zone, names)).flatten();
                let message = match suggestion {
                    Some(s) => format!("unknown time zone {zone:?} (did you mean {s:?}?)"),
                    None => format!(
                        "unknown time zone {zone:?}; expected an IANA name such as \"America/New_York\""
                    ),
                };
                Err(SlaError::new(SlaErrorKind::UnknownTimeZone, message))
            }
        }
    }

    fn in_zone(zone: Tz) -> Calendar {
        let weekdays = [true, true, true, true, true, false, false];
        Calendar { zone, open: 9 * 60, close: 17 * 60, weekdays, holidays: BTreeSet::new() }
    }

    /// The working hours of each working day, as `HH:MM` on the team's
    /// clock; `close` may be `24:00`. Hours that cross midnight are refused
    /// ([`SlaErrorKind::InvalidHours`]).
    ///
    /// ```
    /// use leadgate::workflow::{Calendar, SlaErrorKind};
    /// let calendar = Calendar::new("Asia/Kolkata")?.hours("09:30", "18:00")?;
    /// assert_eq!(calendar.working_day(), chrono::TimeDelta::minutes(8 * 60 + 30));
    /// let err = Calendar::default().hours("22:00", "06:00").unwrap_err();
    /// assert_eq!(err.kind(), SlaErrorKind::InvalidHours);
    /// assert_eq!(err.to_string(), "working hours 22:00 to 06:00 must open before they close, within one day");
    /// # Ok::<(), leadgate::workflow::SlaError>(())
    /// ```
    pub fn hours(self, open: &str, close: &str) -> Result<Calendar, SlaError> {
        let (o, c) = (minute_of_day(open)?, minute_of_day(close)?);
        if o >= c {
            let message =
                format!("working hours {open} to {close} must open before they close, within one day");
            return Err(SlaError::new(SlaErrorKind::InvalidHours, message));
        }
        Ok(Calendar { open: o, close: c, ..self })
    }

    /// The weekdays the team works (Monday to Friday unless set). A calendar
    /// with none is never open: an SLA on it has no due time
    /// ([`SlaErrorKind::NeverOpen`]).
    ///
    /// ```
    /// use chrono::Weekday;
    /// use leadgate::workflow::{Calendar, Sla};
    /// // A team in Dubai works Monday to Friday; one in Riyadh Sunday to Thursday.
    /// let riyadh = Calendar::new("Asia/Riyadh")?.weekdays(&[Weekday::Sun, Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu]);
    /// // Friday 2026-11-27 at 10:00 UTC: the next working hour starts on Sunday at 09:00 (06:00 UTC).
    /// let due = Sla::business_hours(1).with_calendar(riyadh).due("2026-11-27T10:00:00Z".parse()?)?;
    /// assert_eq!(due, "2026-11-29T07:00:00Z".parse::<chrono::DateTime<chrono::Utc>>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn weekdays(self, days: &[Weekday]) -> Calendar {
        let mut weekdays = [false; 7];
        for d in days {
            weekdays[d.num_days_from_monday() as usize] = true;
        }
        Calendar { weekdays, ..self }
    }

    /// Adds a date the team does not work.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadgate::workflow::Calendar;
    /// let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
    /// let calendar = Calendar::default().holiday(christmas);
    /// assert!(!calendar.is_working_day(christmas)); // a Friday, but a holiday
    /// assert!(calendar.is_working_day(christmas.pred_opt().unwrap()));
    /// ```
    pub fn holiday(mut self, date: NaiveDate) -> Calendar {
        self.holidays.insert(date);
        self
    }

    /// Adds the holidays listed in `text`: one `YYYY-MM-DD` date per line,
    /// optionally followed by a name; blank lines and lines starting with
    /// `#` are skipped. A line that does not start with a date is a
    /// [`SlaErrorKind::InvalidHoliday`] naming its line number.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadgate::workflow::{Calendar, SlaErrorKind};
    /// let text = "# US sales team, 2026\n2026-11-26 Thanksgiving\n2026-12-25 Christmas Day\n";
    /// let calendar = Calendar::new("America/New_York")?.holidays(text)?;
    /// assert_eq!(calendar.holiday_count(), 2);
    /// assert!(!calendar.is_working_day(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
    ///
    /// let err = Calendar::default().holidays("2026-12-25\n26/12/2026 Boxing Day\n").unwrap_err();
    /// assert_eq!((err.kind(), err.line()), (SlaErrorKind::InvalidHoliday, Some(2)));
    /// assert_eq!(err.to_string(), r#"line 2: "26/12/2026 Boxing Day" does not start with a date as YYYY-MM-DD"#);
    /// # Ok::<(), leadgate::workflow::SlaError>(())
    /// ```
    pub fn holidays(mut self, text: &str) -> Result<Calendar, SlaError> {
        for (number, line) in (1..).zip(text.lines()) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let date = line.split_whitespace().next().unwrap_or("");
            match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                Ok(d) => {
                    self.holidays.insert(d);
                }
                Err(_) => {
                    let shown: String = line.chars().take(80).collect();
                    let message =
                        format!("line {number}: {shown:?} does not start with a date as YYYY-MM-DD");
                    return Err(SlaError::new(SlaErrorKind::InvalidHoliday, message).at_line(number));
                }
            }
        }
        Ok(self)
    }

    /// The time zone's IANA name.
    ///
    /// ```
    /// use leadgate::workflow::Calendar;
    /// assert_eq!(Calendar::default().zone(), "UTC");
    /// ```
    pub fn zone(&self) -> &'static str {
        self.zone.name()
    }

    /// The length of a working day.
    ///
    /// ```
    /// use leadgate::workflow::Calendar;
    /// assert_eq!(Calendar::default().working_day(), chrono::TimeDelta::hours(8));
    /// ```
    pub fn working_day(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.close - self.open))
    }

    /// How many holidays the calendar holds.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadgate::workflow::Calendar;
    /// let day = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    /// assert_eq!(Calendar::default().holiday(day).holiday(day).holiday_count(), 1);
    /// ```
    pub fn holiday_count(&self) -> usize {
        self.holidays.len()
    }

    /// Whether the team works on `date` (a date on its own clock).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadgate::workflow::Calendar;
    /// let saturday = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// assert!(!Calendar::default().is_working_day(saturday));
    /// ```
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.weekdays[date.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&date)
    }

    /// Whether the team is at work at `at`.
    ///
    /// ```
    /// use leadgate::workflow::Calendar;
    /// let berlin = Calendar::new("Europe/Berlin")?;
    /// assert!(berlin.is_open("2026-11-23T08:00:00Z".parse()?));  // Monday 09:00 in Berlin
    /// assert!(!berlin.is_open("2026-11-23T07:59:00Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let Some(local) = self.local(at) else { return false };
        let minute = local.time().signed_duration_since(NaiveTime::MIN).num_minutes();
        self.is_working_day(local.date()) && (i64::from(self.open)..i64::from(self.close)).contains(&minute)
    }

    /// `amount` of business time after `at`. Whole weeks are counted, not
    /// walked; a day at a time is walked only for the last week and for
    /// holidays, so the cost does not grow with the amount.
    pub(super) fn add(&self, at: DateTime<Utc>, amount: TimeDelta) -> Result<DateTime<Utc>, SlaError> {
        let working_days = self.weekdays.iter().filter(|w| **w).count();
        if working_days == 0 {
            return Err(SlaError::new(SlaErrorKind::NeverOpen, "the calendar has no working weekday".into()));
        }
        let day = self.working_day();
        let week = day * i32::try_from(working_days).unwrap_or(7);
        let out_of_range = || SlaError::out_of_range(at);
        let local = self.local(at).ok_or_else(out_of_range)?;
        let time = |d: NaiveDate, minutes: u32| {
            d.and_time(NaiveTime::MIN)
                .checked_add_signed(TimeDelta::minutes(minutes.into()))
                .ok_or_else(out_of_range)
        };
        let later = |t: NaiveDateTime, by: TimeDelta| t.checked_add_signed(by).ok_or_else(out_of_range);

        let mut left = amount;
        let mut date = local.date();
        // The first day, from the handoff on.
        if self.is_working_day(date) && local < time(date, self.close)? {
            let (from, close) = (local.max(time(date, self.open)?), time(date, self.close)?);
            if left <= close - from {
                return self.instant(later(from, left)?, at);
            }
            left -= close - from;
        }
        date = date.succ_opt().ok_or_else(out_of_range)?;
        loop {
            if left > week {
                // All whole weeks but the last, then the holidays among them
                // come back as time still to count.
                let weeks = (left - TimeDelta::nanoseconds(1)).num_nanoseconds().ok_or_else(out_of_range)?
                    / week.num_nanoseconds().ok_or_else(out_of_range)?;
                let end = u64::try_from(weeks)
                    .ok()
                    .and_then(|w| w.checked_mul(7))
                    .and_then(|days| date.checked_add_days(Days::new(days)))
                    .ok_or_else(out_of_range)?;
                let lost = self
                    .holidays
                    .range(date..end)
                    .filter(|d| self.weekdays[d.weekday().num_days_from_monday() as usize])
                    .count();
                let skipped = i32::try_from(weeks).ok().and_then(|w| week.checked_mul(w));
                let returned = i32::try_from(lost).ok().and_then(|l| day.checked_mul(l));
                left = skipped
                    .zip(returned)
                    .and_then(|(skipped, returned)| left.checked_sub(&skipped)?.checked_add(&returned))
                    .ok_or_else(out_of_range)?;
                date = end;
                continue;
            }
            if self.is_working_day(date) {
                if left <= day {
                    return self.instant(later(time(date, self.open)?, left)?, at);
                }
                left -= day;
            }
            date = date.succ_opt().ok_or_else(out_of_range)?;
        }
    }

    /// The team's clock at `at`; `None` past the dates chrono can hold.
    fn local(&self, at: DateTime<Utc>) -> Option<NaiveDateTime> {
        let offset = self.zone.offset_from_utc_datetime(&at.naive_utc());
        at.naive_utc().checked_add_offset(chrono::Offset::fix(&offset))
    }

    /// The instant the team's clock shows `local`, not before `at` (see the
    /// type's docs for clock changes).
    fn instant(&self, local: NaiveDateTime, at: DateTime<Utc>) -> Result<DateTime<Utc>, SlaError> {
        let t = match self.zone.from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                if a >= at { a } else { b }
            }
            LocalResult::None => {
                // Skipped by a clock change: read with the offset in force before it.
                let before =
                    local.checked_sub_signed(TimeDelta::days(1)).ok_or_else(|| SlaError::out_of_range(at))?;
                let offset = self.zone.offset_from_utc_datetime(&before);
                let shift = TimeDelta::seconds(chrono::Offset::fix(&offset).local_minus_utc().into());
                local.checked_sub_signed(shift).ok_or_else(|| SlaError::out_of_range(at))?.and_utc()
            }
        };
        Ok(t.max(at))
    }
}

/// `HH:MM` as minutes after midnight, `24:00` included.
fn minute_of_day(text: &str) -> Result<u32, SlaError> {
    let parsed = match text.as_bytes() {
        [h1, h2, b':', m1, m2] if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) => {
            let digit = |b: &u8| u32::from(b - b'0');
            let (h, m) = (digit(h1) * 10 + digit(h2), digit(m1) * 10 + digit(m2));
            (m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
        }
        _ => None,
    };
    parsed.ok_or_else(|| {
        let shown: String = text.chars().take(40).collect();
        SlaError::new(
            SlaErrorKind::InvalidHours,
            format!("{shown:?} is not a time of day as HH:MM, 00:00 to 24:00"),
        )
    })
}

impl fmt::Display for Calendar {
    /// `Mon-Fri 09:00-17:00 America/Los_Angeles, 2 holidays`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days: Vec<&str> =
            DAY_NAMES.iter().zip(self.weekdays).filter(|(_, w)| *w).map(|(n, _)| *n).collect();
        let days = if self.weekdays == [true, true, true, true, true, false, false] {
            "Mon-Fri".to_owned()
        } else {
            days.join(",")
        };
        write!(f, "{days} {}-{} {}", clock(self.open), clock(self.close), self.zone.name())?;
        match self.holidays.len() {
            0 => Ok(()),
            1 => f.write_str(", 1 holiday"),
            n => write!(f, ", {n} holidays"),
        }
    }
}

/// Weekday names, Monday first, as a calendar counts its days.
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A minute of the day as `HH:MM`.
fn clock(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A calendar's fields as written; each one left out is the default
/// calendar's. Unknown fields are refused: a misspelt `weekday` would
/// otherwise leave the team working Monday to Friday without a word.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarForm {
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    hours: Option<[String; 2]>,
    #[serde(default)]
    weekdays: Option<Vec<String>>,
    #[serde(default)]
    holidays: Vec<String>,
}

impl Serialize for Calendar {
    /// Every field: `{"zone": "Europe/Berlin", "hours": ["09:00", "17:00"],
    /// "weekdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2026-12-25"]}`.
    ///
    /// ```
    /// use leadgate::workflow::Calendar;
    /// let calendar = Calendar::new("Europe/Berlin")?.holidays("2026-12-25\n")?;
    /// assert_eq!(
    ///     serde_json::to_string(&calendar)?,
    ///     r#"{"zone":"Europe/Berlin","hours":["09:00","17:00"],"weekdays":["mon","tue","wed","thu","fri"],"holidays":["2026-12-25"]}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let weekdays = DAY_NAMES.iter().zip(self.weekdays).filter(|(_, on)| *on);
        CalendarForm {
            zone: Some(self.zone().to_owned()),
            hours: Some([clock(self.open), clock(self.close)]),
            weekdays: Some(weekdays.map(|(day, _)| day.to_ascii_lowercase()).collect()),
            holidays: self.holidays.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Calendar {
    /// Every field is optional: `zone`, an IANA name (`UTC`); working
    /// `hours`, two `HH:MM` times (`09:00` to `17:00`); `weekdays` by name
    /// (`mon` or `Monday`, in any case; Monday to Friday); `holidays` as
    /// `YYYY-MM-DD` dates (none). Each is checked as the builders check it,
    /// and an error names its field.
    ///
    /// ```
    /// use leadgate::workflow::Calendar;
    /// let calendar: Calendar = toml::from_str(r#"
    ///     zone = "Asia/Riyadh"
    ///     hours = ["08:00", "16:00"]
    ///     weekdays = ["sun", "mon", "tue", "wed", "thu"]
    ///     holidays = ["2026-12-02"]
    /// "#)?;
    /// assert_eq!(calendar.to_string(), "Mon,Tue,Wed,Thu,Sun 08:00-16:00 Asia/Riyadh, 1 holiday");
    ///
    /// let err = serde_json::from_str::<Calendar>(r#"{"zone": "Europe/Berln"}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("zone: unknown time zone"), "{err}");
    /// let err = serde_json::from_str::<Calendar>(r#"{"weekdays": ["mon", "fry"]}"#).unwrap_err();
    /// assert!(err.to_string().starts_with(r#"weekdays: "fry" is not a weekday"#), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let form = CalendarForm::deserialize(deserializer)?;
        let field = |name: &str, e: SlaError| D::Error::custom(format!("{name}: {e}"));
        let mut calendar = match &form.zone {
            Some(zone) => Calendar::new(zone).map_err(|e| field("zone", e))?,
            None => Calendar::default(),
        };
        if let Some([open, close]) = &form.hours {
            calendar = calendar.hours(open, close).map_err(|e| field("hours", e))?;
        }
        if let Some(names) = &form.weekdays {
            let day = |name: &String| {
                name.parse::<Weekday>().map_err(|_| {
                    let shown: String = name.chars().take(40).collect();
                    D::Error::custom(format!("weekdays: {shown:?} is not a weekday (mon to sun)"))
                })
            };
            calendar = calendar.weekdays(&names.iter().map(day).collect::<Result<Vec<_>, _>>()?);
        }
        for date in &form.holidays {
            let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                let shown: String = date.chars().take(40).collect();
                D::Error::custom(format!("holidays: {shown:?} is not a date as YYYY-MM-DD"))
            })?;
            calendar = calendar.holiday(day);
        }
        Ok(calendar)
    }
}

//! SLA clocks: time zones, business hours in minutes, holidays and policies.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use leadgate::workflow::{Calendar, Sla, SlaPolicy, SlaRule, Workflow, sla_breaches};
use leadgate::{Lead, Pack, Qualifier, Stage, Temperature};
use proptest::prelude::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn pacific() -> Calendar {
    Calendar::new("America/Los_Angeles").unwrap()
}

/// Every day, around the clock, in Los Angeles: the clock change falls in business hours.
fn pacific_all_day() -> Calendar {
    use chrono::Weekday::*;
    pacific().hours("00:00", "24:00").unwrap().weekdays(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun])
}

#[test]
fn business_hours_follow_the_team_across_the_spring_clock_change() {
    // Friday 2026-03-06 16:00 PST (UTC-8); clocks go forward on Sunday 2026-03-08.
    let sla = Sla::business_hours(2).with_calendar(pacific());
    // One hour on Friday, one on Monday from 09:00 PDT (UTC-7).
    assert_eq!(sla.due(at("2026-03-07T00:00:00Z")), Ok(at("2026-03-09T17:00:00Z")));
    // Monday morning's handoff counts in PDT too.
    assert_eq!(sla.due(at("2026-03-09T16:00:00Z")), Ok(at("2026-03-09T18:00:00Z")));
}

#[test]
fn business_hours_follow_the_team_across_the_autumn_clock_change() {
    // Friday 2026-10-30 16:00 PDT (UTC-7); clocks go back on Sunday 2026-11-01.
    let sla = Sla::business_hours(2).with_calendar(pacific());
    // One hour on Friday, one on Monday from 09:00 PST (UTC-8).
    assert_eq!(sla.due(at("2026-10-30T23:00:00Z")), Ok(at("2026-11-02T18:00:00Z")));
}

#[test]
fn a_due_time_in_the_skipped_hour_moves_on_by_the_gap() {
    // 01:30 PST on 2026-03-08, 60 business minutes: 02:30 does not exist that
    // night; it reads as 03:30 PDT, one real hour after the handoff.
    let sla = Sla::business_minutes(60).with_calendar(pacific_all_day());
    assert_eq!(sla.due(at("2026-03-08T09:30:00Z")), Ok(at("2026-03-08T10:30:00Z")));
}

#[test]
fn a_due_time_in_the_repeated_hour_is_never_before_the_handoff() {
    let sla = Sla::business_minutes(10).with_calendar(pacific_all_day());
    // The first 01:30 (PDT) is due at the first 01:40.
    assert_eq!(sla.due(at("2026-11-01T08:30:00Z")), Ok(at("2026-11-01T08:40:00Z")));
    // The second 01:30 (PST) is due at the second 01:40, not at the first.
    assert_eq!(sla.due(at("2026-11-01T09:30:00Z")), Ok(at("2026-11-01T09:40:00Z")));
}

#[test]
fn working_hours_are_in_minutes_and_local() {
    // Berlin, 08:30 to 17:15 (CET is UTC+1): 8 h 45 min a day.
    let berlin = Calendar::new("Europe/Berlin").unwrap().hours("08:30", "17:15").unwrap();
    let sla = Sla::business_minutes(30).with_calendar(berlin.clone());
    // Monday 17:00 Berlin: 15 minutes on Monday, 15 on Tuesday from 08:30.
    assert_eq!(sla.due(at("2026-11-23T16:00:00Z")), Ok(at("2026-11-24T07:45:00Z")));
    // Two working days from Monday 08:30 Berlin end at Tuesday's close.
    let two_days = Sla::business_minutes(2 * 525).with_calendar(berlin);
    assert_eq!(two_days.due(at("2026-11-23T07:30:00Z")), Ok(at("2026-11-24T16:15:00Z")));
}

#[test]
fn a_handoff_outside_business_hours_starts_the_clock_at_the_next_opening() {
    let sla = Sla::business_hours(1).with_calendar(pacific());
    // Saturday noon Pacific: due Monday 10:00 PST.
    assert_eq!(sla.due(at("2026-11-21T20:00:00Z")), Ok(at("2026-11-23T18:00:00Z")));
    // Monday 06:00 Pacific, before opening: due 10:00 the same day.
    assert_eq!(sla.due(at("2026-11-23T14:00:00Z")), Ok(at("2026-11-23T18:00:00Z")));
    // Monday 17:00 Pacific, at closing: due Tuesday 10:00.
    assert_eq!(sla.due(at("2026-11-24T01:00:00Z")), Ok(at("2026-11-24T18:00:00Z")));
}

#[test]
fn holidays_in_the_middle_of_an_sla_do_not_count() {
    let holidays =
        "# year end\n2026-12-24 Christmas Eve\n2026-12-25 Christmas Day\n2026-12-31\n2027-01-01 New Year\n";
    let calendar = Calendar::default().holidays(holidays).unwrap();
    assert_eq!(calendar.holiday_count(), 4);
    // 80 business hours from Monday 2026-12-14 09:00 UTC: two weeks without
    // holidays (Friday 25th 17:00); with them, Tuesday 29th 17:00.
    let from = at("2026-12-14T09:00:00Z");
    assert_eq!(Sla::business_hours(80).due(from), Ok(at("2026-12-25T17:00:00Z")));
    assert_eq!(
        Sla::business_hours(80).with_calendar(calendar.clone()).due(from),
        Ok(at("2026-12-29T17:00:00Z"))
    );
    // A year of 40-hour weeks, the holidays skipped by whole weeks: 4 days later.
    let year = Sla::business_hours(52 * 40);
    assert_eq!(year.due(from), Ok(at("2027-12-10T17:00:00Z")));
    assert_eq!(year.with_calendar(calendar.clone()).due(from), Ok(at("2027-12-16T17:00:00Z")));
    // A holiday on a weekend changes nothing.
    let weekend = calendar.holiday(date("2026-12-19"));
    assert_eq!(Sla::business_hours(80).with_calendar(weekend).due(from), Ok(at("2026-12-29T17:00:00Z")));
}

/// The due time the slow way: minute by minute, counting the minutes the
/// calendar is open.
fn walked(calendar: &Calendar, from: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
    let (mut t, mut left) = (from, minutes);
    loop {
        if calendar.is_open(t) {
            left -= 1;
            if left == 0 {
                return t + TimeDelta::minutes(1);
            }
        }
        t += TimeDelta::minutes(1);
    }
}

fn calendar(zone: usize, hours: usize, holidays: &[u16]) -> Calendar {
    const ZONES: [&str; 6] = [
        "America/Los_Angeles",
        "Europe/Berlin",
        "Australia/Sydney",
        "Asia/Kolkata",
        "America/Santiago",
        "UTC",
    ];
    const HOURS: [(&str, &str); 3] = [("09:00", "17:00"), ("08:30", "17:15"), ("07:00", "19:00")];
    let (open, close) = HOURS[hours];
    let mut c = Calendar::new(ZONES[zone]).unwrap().hours(open, close).unwrap();
    for day in holidays {
        c = c.holiday(date("2026-01-01") + TimeDelta::days((*day).into()));
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Counting business time by days and weeks agrees with counting it
    /// minute by minute, in zones with clock changes, across them, with holidays.
    #[test]
    fn due_agrees_with_walking_minute_by_minute(
        zone in 0usize..6, hours in 0usize..3,
        holidays in proptest::collection::vec(0u16..730, 0..40),
        minute in 0i64..(730 * 24 * 60), minutes in 1u32..2500,
    ) {
        let c = calendar(zone, hours, &holidays);
        let from = at("2026-01-01T00:00:00Z") + TimeDelta::minutes(minute);
        prop_assert_eq!(Sla::business_minutes(minutes).with_calendar(c.clone()).due(from), Ok(walked(&c, from, minutes)));
    }

    /// A later handoff is never due earlier, and nothing is due before it is handed off,
    /// including around the clock changes of a calendar open all day.
    #[test]
    fn due_is_monotone_and_never_before_the_handoff(
        zone in 0usize..7, hours in 0usize..3,
        holidays in proptest::collection::vec(0u16..730, 0..10),
        second in 0i64..(730 * 86_400), gap in 0i64..20_000, minutes in 0u32..5000,
    ) {
        let c = if zone == 6 { pacific_all_day() } else { calendar(zone, hours, &holidays) };
        let sla = Sla::business_minutes(minutes).with_calendar(c);
        let first = at("2026-01-01T00:00:00Z") + TimeDelta::seconds(second);
        let later = first + TimeDelta::seconds(gap);
        let (a, b) = (sla.due(first).unwrap(), sla.due(later).unwrap());
        prop_assert!(a >= first && b >= later && a <= b, "{} -> {}, {} -> {}", first, a, later, b);
    }
}

/// A lead the default pack hands off hot (a VP at a software company with a
/// fresh demo request), from `source`.
fn hot(id: &str, source: &str) -> Lead {
    crate::lead(&format!(
        r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z", "source": "{source}",
            "person": {{"seniority": "vp"}}, "company": {{"industry": "software", "employees": 500, "country": "US"}},
            "touchpoints": [{{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}}]}}"#
    ))
}

/// A warm lead the default pack hands off at the MQL threshold, from `source`.
fn warm(id: &str, source: &str) -> Lead {
    crate::lead(&format!(
        r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z", "source": "{source}",
            "person": {{"seniority": "vp"}}, "company": {{"industry": "software", "employees": 500, "country": "US"}},
            "touchpoints": [{{"at": "2026-11-20T10:00:00Z", "channel": "webinar"}},
                            {{"at": "2026-11-20T11:00:00Z", "channel": "pricing_page"}},
                            {{"at": "2026-11-21T11:00:00Z", "channel": "pricing_page"}}]}}"#
    ))
}

#[test]
fn a_policy_gives_each_handoff_its_sla_and_breaches_are_counted_per_rule() {
    // Hot from 80 points: the warm lead is handed off at 60 without being hot.
    let q = Qualifier::builder(&Pack::b2b_bant()).param("hot_threshold", 80).build().unwrap();
    let policy = SlaPolicy::new(Sla::business_hours(8))
        .rule(SlaRule::new("partner", Sla::business_hours(16)).source("partner"))
        .rule(SlaRule::new("hot", Sla::business_hours(1)).temperature(Temperature::Hot))
        .rule(SlaRule::new("sql", Sla::business_hours(4)).stage(Stage::Sql));
    let workflow = Workflow::new(policy);
    let monday = at("2026-11-23T09:00:00Z");
    let mut records = Vec::new();
    for mut lead in [hot("a", "webinar"), hot("b", "partner"), warm("c", "webinar")] {
        let decision = q.evaluate(&lead, monday).unwrap();
        records.push(workflow.hand_off(&mut lead, &decision, monday).unwrap().expect("handed off"));
    }
    let shown: Vec<_> = records.iter().map(|r| (r.lead_id.as_str(), r.sla.as_str(), r.due)).collect();
    assert_eq!(
        shown,
        [
            ("a", "hot", at("2026-11-23T10:00:00Z")),
            // The first rule that matches wins: a hot partner lead gets the partner SLA.
            ("b", "partner", at("2026-11-24T17:00:00Z")),
            ("c", "default", at("2026-11-23T17:00:00Z")),
        ]
    );
    // Tuesday 09:00: the hot lead and the default one are late, the partner one is not due yet.
    let breaches = sla_breaches(&records, at("2026-11-24T09:00:00Z"));
    let counts: Vec<_> = breaches.iter().map(|(rule, b)| (rule.as_str(), b.settled, b.breached)).collect();
    assert_eq!(counts, [("default", 1, 1), ("hot", 1, 1), ("partner", 0, 0)]);
    assert_eq!(breaches["partner"].rate(), None);
}

/// A policy as a host would keep it in a settings file.
const POLICY_TOML: &str = r#"
default = { hours = 8, calendar = { zone = "America/Los_Angeles", hours = ["08:30", "17:00"], holidays = ["2026-11-26"] } }

[[rules]]
name = "hot"
temperature = "hot"
sla = { minutes = 90, calendar = { zone = "America/Los_Angeles", weekdays = ["Monday", "tue", "WED", "thu", "fri", "sat"] } }

[[rules]]
name = "sql"
stage = "sql"
source = "partner"
sla = { hours = 24 }
"#;

#[test]
fn an_sla_policy_reads_from_toml_as_its_builders_make_it_and_writes_back_the_same() {
    use chrono::Weekday::*;
    let policy: SlaPolicy = toml::from_str(POLICY_TOML).unwrap();
    let office = pacific().hours("08:30", "17:00").unwrap().holiday(date("2026-11-26"));
    let six_days = pacific().weekdays(&[Mon, Tue, Wed, Thu, Fri, Sat]);
    let built = SlaPolicy::new(Sla::business_hours(8).with_calendar(office))
        .rule(
            SlaRule::new("hot", Sla::business_minutes(90).with_calendar(six_days))
                .temperature(Temperature::Hot),
        )
        .rule(SlaRule::new("sql", Sla::hours(24)).stage(Stage::Sql).source("partner"));
    assert_eq!(policy, built);
    // Handed off on Wednesday at 16:00 Pacific: one hour that day, Thanksgiving
    // is a holiday, seven hours on Friday from 08:30: due at 15:30 Pacific.
    let due = policy.default_rule().sla().due(at("2026-11-26T00:00:00Z")).unwrap();
    assert_eq!(due, at("2026-11-27T23:30:00Z"));

    let json = serde_json::to_string(&policy).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"default":{"minutes":480,"calendar":{"zone":"America/Los_Angeles","hours":["08:30","17:00"],"#,
            r#""weekdays":["mon","tue","wed","thu","fri"],"holidays":["2026-11-26"]}},"rules":["#,
            r#"{"name":"hot","sla":{"minutes":90,"calendar":{"zone":"America/Los_Angeles","hours":["09:00","17:00"],"#,
            r#""weekdays":["mon","tue","wed","thu","fri","sat"],"holidays":[]}},"temperature":"hot"},"#,
            r#"{"name":"sql","sla":{"minutes":1440},"stage":"sql","source":"partner"}]}"#
        )
    );
    assert_eq!(serde_json::from_str::<SlaPolicy>(&json).unwrap(), policy);
    // TOML too, and a policy of a default alone.
    assert_eq!(toml::from_str::<SlaPolicy>(&toml::to_string(&policy).unwrap()).unwrap(), policy);
    let plain: SlaPolicy = serde_json::from_str(r#"{"default": {"hours": 24}}"#).unwrap();
    assert_eq!(plain, SlaPolicy::default());
}

#[test]
fn a_bad_sla_setting_is_an_error_that_names_its_field() {
    let policy = |json: &str| serde_json::from_str::<SlaPolicy>(json).map_err(|e| e.to_string());
    let cases = [
        (
            r#"{"default": {"hours": 8, "calendar": {"zone": "America/Los_Angles"}}}"#,
            "zone: unknown time zone",
        ),
        (
            r#"{"default": {"hours": 8, "calendar": {"hours": ["17:00", "09:00"]}}}"#,
            "hours: working hours 17:00 to 09:00 must open before they close, within one day",
        ),
        (
            r#"{"default": {"hours": 8, "calendar": {"hours": ["9am", "17:00"]}}}"#,
            r#"hours: "9am" is not a time of day"#,
        ),
        (
            r#"{"default": {"hours": 8, "calendar": {"weekdays": ["mon", "funday"]}}}"#,
            r#"weekdays: "funday" is not a weekday (mon to sun)"#,
        ),
        (
            r#"{"default": {"hours": 8, "calendar": {"holidays": ["25/12/2026"]}}}"#,
            r#"holidays: "25/12/2026" is not a date as YYYY-MM-DD"#,
        ),
        (r#"{"default": {"hours": 8, "calendar": {"weekday": ["mon"]}}}"#, "unknown field `weekday`"),
        (r#"{"default": {"hours": 8, "minutes": 30}}"#, "an SLA sets `hours` or `minutes`, not both"),
        (r#"{"default": {}}"#, "an SLA needs `hours` or `minutes`"),
        (r#"{"default": {"hours": -1}}"#, "invalid value: integer `-1`, expected u32"),
        (r#"{"default": {"hours": 8, "business": true}}"#, "unknown field `business`"),
        (r#"{"rules": []}"#, "missing field `default`"),
        (
            r#"{"default": {"hours": 8}, "rules": [{"name": "x", "sla": {"hours": 1}, "temperature": "boiling"}]}"#,
            "boiling",
        ),
        (r#"{"default": {"hours": 8}, "rules": [{"sla": {"hours": 1}}]}"#, "missing field `name`"),
    ];
    for (json, expected) in cases {
        let err = policy(json).unwrap_err();
        assert!(err.contains(expected), "{json}: {err}");
    }
    // The zone's error suggests the closest name, as `Calendar::new` does.
    let err = policy(cases[0].0).unwrap_err();
    assert!(err.contains("America/Los_Angeles"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any calendar writes out and reads back as itself, in JSON and TOML.
    #[test]
    fn a_calendar_reads_back_as_it_was_written(
        zone in prop::sample::select(vec!["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe"]),
        open in 0u32..1440,
        length in 1u32..1440,
        days in prop::collection::vec(any::<bool>(), 7),
        holidays in prop::collection::vec((2000i32..2100, 1u32..13, 1u32..29), 0..5),
        minutes in 0u32..1_000_000,
    ) {
        use chrono::Weekday;
        let close = (open + length).min(1440);
        prop_assume!(open < close);
        let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        let weekdays: Vec<Weekday> = (0..7u8).filter(|&d| days[usize::from(d)]).map(|d| Weekday::try_from(d).unwrap()).collect();
        let calendar = holidays.iter().fold(
            Calendar::new(zone).unwrap().hours(&clock(open), &clock(close)).unwrap().weekdays(&weekdays),
            |c, &(y, m, d)| c.holiday(NaiveDate::from_ymd_opt(y, m, d).unwrap()),
        );
        let json = serde_json::to_string(&calendar).unwrap();
        prop_assert_eq!(&serde_json::from_str::<Calendar>(&json).unwrap(), &calendar);
        let sla = Sla::minutes(minutes).with_calendar(calendar);
        let written = toml::to_string(&SlaPolicy::new(sla.clone())).unwrap();
        let read: SlaPolicy = toml::from_str(&written).unwrap();
        prop_assert_eq!(read.default_rule().sla(), &sla);
    }
}
